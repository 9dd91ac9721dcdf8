import DriftCore
import Foundation

/// One day of one shard's rows, row-major with `Shard.stride` values per row: the 20 clean
/// features, then the alternative-definition velocity values (10-minute count, 1-hour sum,
/// 7-day ratio) and the velocity cache (4 values, what a frozen cache serves); and per row the
/// columns the merge scatters (second, customer, logit, probability, label, chargeback, flags).
/// The buffers belong to the shard and are reused day after day (grown together when a day needs
/// more), so a day allocates nothing; the merge reads them before the shard's next day.
struct ShardDay: @unchecked Sendable {
    private(set) var capacity: Int
    var count = 0
    private(set) var rows: UnsafeMutablePointer<Double>
    private(set) var second: UnsafeMutablePointer<Int32>
    private(set) var customer: UnsafeMutablePointer<Int32>
    private(set) var logit: UnsafeMutablePointer<Double>
    /// sigmoid(logit), computed once for the label draw and passed on (the merge does not repeat it).
    private(set) var probability: UnsafeMutablePointer<Double>
    private(set) var y: UnsafeMutablePointer<UInt8>
    private(set) var chargeback: UnsafeMutablePointer<Int32>
    /// Bit 0: the customer's velocity cache is frozen (stale); bit 1: added by prior-shift
    /// resampling; bit 2: made by a fraudster on a compromised card.
    private(set) var flags: UnsafeMutablePointer<UInt8>

    init(capacity: Int) {
        self.capacity = capacity
        rows = .allocate(capacity: capacity * Shard.stride)
        rows.initialize(repeating: 0, count: capacity * Shard.stride)
        second = .allocate(capacity: capacity); customer = .allocate(capacity: capacity); logit = .allocate(capacity: capacity)
        probability = .allocate(capacity: capacity); y = .allocate(capacity: capacity)
        chargeback = .allocate(capacity: capacity); flags = .allocate(capacity: capacity)
    }

    /// Doubles the capacity, keeping the first `written` rows.
    mutating func grow(keeping written: Int) {
        let bigger = ShardDay(capacity: 2 * capacity)
        bigger.rows.update(from: rows, count: written * Shard.stride)
        bigger.second.update(from: second, count: written); bigger.customer.update(from: customer, count: written)
        bigger.logit.update(from: logit, count: written); bigger.probability.update(from: probability, count: written)
        bigger.y.update(from: y, count: written); bigger.chargeback.update(from: chargeback, count: written)
        bigger.flags.update(from: flags, count: written)
        free()
        self = bigger
    }

    func free() {
        rows.deallocate(); second.deallocate(); customer.deallocate(); logit.deallocate()
        probability.deallocate(); y.deallocate(); chargeback.deallocate(); flags.deallocate()
    }
}

/// A fixed slice of the customers with their attributes and per-customer state (recent
/// transactions for the velocity features, daily spending buckets for the 30-day average, recent
/// merchants, compromise episodes). Shards are generated in parallel; each owns its state and
/// draws from RNG streams derived from (seed, shard, day), so output never depends on threads.
/// State lives in raw buffers: the hot loop does no allocation and no bounds-checked nesting.
final class Shard: @unchecked Sendable {
    static let stride = 27
    static let ringSize = 48        // recent transactions kept: the 24-hour counters saturate at 48
    static let merchantMemory = 16  // "new merchant" = not among the 16 most recent distinct merchants
    static let never = Int32.max

    let index: Int
    let first: Int
    let n: Int
    let seed: UInt64
    let merchants: Merchants
    let firstDay: Int
    let labelMu: Double, labelSigma: Double

    /// Every customer's attributes and state in one contiguous record of `L.size` bytes, so a
    /// day's pass over the customers streams through memory instead of twenty separate arrays.
    let state: UnsafeMutableRawPointer

    /// The fields every customer's daily draw reads (churn, compromise, volume) and the two small
    /// attributes a transaction reads first, packed 16 bytes a customer apart from the records: the
    /// first pass of a day streams through `hot` (3 MB for 200,000 customers) and touches a record
    /// only for a customer who has transactions.
    struct Hot { var rate: Double; var compromisedUntil: Int32; var segment: UInt8; var home: UInt8; var cardType: UInt8; var spare: UInt8 = 0 }
    let hot: UnsafeMutablePointer<Hot>

    /// Byte offsets inside a customer record (17 cache lines).
    enum L {
        static let spendMu = 0, pCardPresent = 8, pOnline = 16, pForeign = 24, logRadius = 32, staleHash = 40
        static let cache = 48                       // 4 doubles
        /// Running spending sums over the 30 and 7 whole days before `sumsDay`, in integer cents
        /// (exact under the additions and removals that slide the windows), and their counts.
        static let sum30 = 80, sum7 = 88             // Int64 cents
        static let count30 = 96, count7 = 100, sumsDay = 104
        static let openDay = 108
        static let ringHead = 112, ringCount = 116, merchantHead = 120, merchantCount = 124
        static let merchantRing = 128               // 16 Int32
        /// 31 daily buckets, bucket d mod 31 = (day Int32, count Int32, cents Int64): a day's bucket
        /// is reused only once it has left the 30-day window.
        static let buckets = 192, bucketStride = 16
        /// 48 recent transactions, newest at ringHead - 1: (time Int32, cents Int32).
        static let ring = 688, ringStride = 8
        static let size = 1088
    }

    @inline(__always) func d(_ c: Int, _ o: Int) -> UnsafeMutablePointer<Double> {
        (state + (c &* L.size &+ o)).assumingMemoryBound(to: Double.self)
    }
    @inline(__always) func i(_ c: Int, _ o: Int) -> UnsafeMutablePointer<Int32> {
        (state + (c &* L.size &+ o)).assumingMemoryBound(to: Int32.self)
    }
    @inline(__always) func i64(_ c: Int, _ o: Int) -> UnsafeMutablePointer<Int64> {
        (state + (c &* L.size &+ o)).assumingMemoryBound(to: Int64.self)
    }
    /// Customer c's bucket of `day` (31 buckets, day mod 31): its (day, count) pair and its cents.
    @inline(__always) func bucket(_ c: Int, _ day: Int) -> (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int64>) {
        bucket(c, slot: Shard.slot(day))
    }
    /// Customer c's bucket number `slot` (0 ..< 31), for loops that step through days.
    @inline(__always) func bucket(_ c: Int, slot b: Int) -> (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int64>) {
        let p = state + (c &* L.size &+ L.buckets &+ b &* L.bucketStride)
        return (p.assumingMemoryBound(to: Int32.self), (p + 8).assumingMemoryBound(to: Int64.self))
    }
    /// The bucket number of `day`: day mod 31 in 0 ..< 31 (also for negative days).
    @inline(__always) static func slot(_ day: Int) -> Int { ((day % 31) + 31) % 31 }
    /// The bucket number `back` days (0 ... 31) before bucket number `slot`, without a modulo.
    @inline(__always) static func slot(_ slot: Int, back: Int) -> Int { slot >= back ? slot - back : slot + 31 - back }
    /// Ring entry k of customer c: (time, cents) in one 8-byte word.
    @inline(__always) func ringEntry(_ c: Int, _ k: Int) -> UnsafeMutablePointer<Int32> {
        (state + (c &* L.size &+ L.ring &+ k &* L.ringStride)).assumingMemoryBound(to: Int32.self)
    }

    // Tables.
    let hourTables: [AliasTable] = WorldTables.categoryHours.map { AliasTable(weights: $0) }
    let fraudsterHours = AliasTable(weights: WorldTables.fraudsterHours)
    let fraudsterCategories = AliasTable(weights: WorldTables.fraudsterCategories)
    let countryTable = AliasTable(weights: WorldTables.countryWeights)
    /// The tables the row loop samples, copied to one raw buffer (`AliasTable.sample(_:count:using:)`,
    /// no array bounds checks): each category's hours, the fraudsters' hours and categories, the
    /// countries, and the day plan's category table of each segment (rewritten each day).
    let aliasEntries: UnsafeMutablePointer<AliasTable.Entry>
    static let hourCount = 24, categoryCount = 12, countryCount = WorldTables.countryWeights.count
    static let fraudsterHoursAt = 12 * hourCount, fraudsterCategoriesAt = fraudsterHoursAt + hourCount
    static let countriesAt = fraudsterCategoriesAt + categoryCount, categoriesAt = countriesAt + countryCount
    static let aliasEntryCount = categoriesAt + WorldTables.segmentShare.count * categoryCount
    /// Each segment's chance of an account closing on a day (1 / mean account age), and 1 / (1 - it).
    let reopenChance: [Double] = WorldTables.segmentAccountAge.map { 1 / $0 }
    let reopenRest: [Double] = WorldTables.segmentAccountAge.map { 1 / (1 - 1 / $0) }

    private struct Event { var second: Int32; var merchant: Int32; var channel: Int32; var fraudster: Bool; var shadow: Bool }
    /// One customer's events of the day, reused customer after customer (grown when one has more).
    private var events = UnsafeMutablePointer<Event>.allocate(capacity: 64)
    private var eventCapacity = 64
    /// A customer with transactions today, from the day's first pass: who, and how many of each kind.
    struct Active { var customer: Int32; var owner: Int32; var fraudster: Int32; var shadowOwner: Int32; var shadowFraudster: Int32 }
    /// The first pass's list (at most one entry per customer), reused day after day.
    let active: UnsafeMutablePointer<Active>
    /// Where the look-ahead reads of customer records go, so the compiler keeps them.
    private var touched: Int64 = 0
    /// The second pass reads records ahead in blocks of this many active customers: at the start
    /// of each block the header lines two blocks ahead, the lines they point to one block ahead.
    static let lookAhead = 16
    /// The output buffers, reused day after day.
    private var buffers = ShardDay(capacity: 256)
    /// Customers `first ..< first + count` of the world, drawn from the stream (seed, "customers", shard).
    init(index: Int, first: Int, count: Int, scenario: Scenario, merchants: Merchants, firstDay: Int, rateScale: Double) {
        self.index = index; self.first = first; n = count; seed = scenario.seed; self.merchants = merchants; self.firstDay = firstDay
        let ld = scenario.labelDelay
        labelMu = log(Swift.max(ld.medianDays, 1e-6))
        labelSigma = Swift.max(0, log(Swift.max(ld.tailDays, ld.medianDays) / Swift.max(ld.medianDays, 1e-6))) / 2.326347874040841
        state = Shard.allocateRecords(byteCount: Swift.max(1, count) * L.size)
        state.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(1, count) * L.size)
        hot = UnsafeMutablePointer<Hot>.allocate(capacity: Swift.max(1, count))
        hot.initialize(repeating: Hot(rate: 0, compromisedUntil: Int32.min, segment: 0, home: 0, cardType: 0), count: Swift.max(1, count))
        active = UnsafeMutablePointer<Active>.allocate(capacity: Swift.max(1, count))
        aliasEntries = .allocate(capacity: Shard.aliasEntryCount)
        aliasEntries.initialize(repeating: AliasTable.Entry(prob: 1, alias: 0), count: Shard.aliasEntryCount)
        precondition(hourTables.count == 12 && hourTables.allSatisfy { $0.count == Shard.hourCount })
        precondition(fraudsterHours.count == Shard.hourCount && fraudsterCategories.count == Shard.categoryCount)
        for (k, t) in hourTables.enumerated() { t.write(to: aliasEntries + k * Shard.hourCount) }
        fraudsterHours.write(to: aliasEntries + Shard.fraudsterHoursAt)
        fraudsterCategories.write(to: aliasEntries + Shard.fraudsterCategoriesAt)
        countryTable.write(to: aliasEntries + Shard.countriesAt)
        for c in 0..<count { clearHistory(c) }

        var rng = Xoshiro256StarStar(seed: scenario.seed, stream: Shard.streamFor(purpose: 0, shard: index, day: 0))
        let segmentTable = AliasTable(weights: WorldTables.segmentShare)
        let cardTables = WorldTables.segmentCardTypes.map { AliasTable(weights: $0) }
        for c in 0..<n {
            let g = segmentTable.sample(using: &rng)
            hot[c].segment = UInt8(g)
            hot[c].home = UInt8(countryTable.sample(using: &rng))
            hot[c].cardType = UInt8(cardTables[g].sample(using: &rng))
            let activity = Swift.min(8, Swift.max(0.05, rng.gamma(shape: 2, scale: 0.5)))
            hot[c].rate = rateScale * activity * WorldTables.segmentActivity[g]
            d(c, L.spendMu).pointee = log(WorldTables.segmentMedianAmount[g]) + 0.35 * rng.normal()
            var w = WorldTables.segmentChannels[g].map { $0 * exp(0.4 * rng.normal()) }
            let total = w.reduce(0, +)
            w = w.map { $0 / total }
            d(c, L.pCardPresent).pointee = w[0]; d(c, L.pOnline).pointee = w[1]
            d(c, L.pForeign).pointee = Swift.min(0.5, WorldTables.segmentForeign[g] * exp(0.5 * rng.normal()))
            d(c, L.logRadius).pointee = log(exp(log(8.0) + 0.6 * rng.normal()))  // log of the drawn radius (same bits as before)
            i(c, L.openDay).pointee = Int32(firstDay - Int(rng.exponential(rate: 1 / WorldTables.segmentAccountAge[g])))
            var h = SplitMix64(seed: scenario.seed ^ streamID("stale") ^ UInt64(first + c))
            d(c, L.staleHash).pointee = Double(h.next() >> 11) * 0x1.0p-53
        }
    }

    deinit {
        state.deallocate()
        hot.deallocate()
        active.deallocate()
        aliasEntries.deallocate()
        events.deallocate()
        buffers.free()
    }

    /// Record memory, on 2 MB pages when it spans at least one (Linux transparent huge pages on
    /// request): a day's pass over a large world touches records all over it, and with 4 KB pages
    /// nearly every active customer costs a TLB miss too.
    static func allocateRecords(byteCount: Int) -> UnsafeMutableRawPointer {
        let page = 1 << 21
        guard byteCount >= page else { return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64) }
        let rounded = (byteCount + page - 1) / page * page
        let p = UnsafeMutableRawPointer.allocate(byteCount: rounded, alignment: page)
        #if os(Linux)
        _ = madvise(p, rounded, MADV_HUGEPAGE)
        #endif
        return p
    }

    /// Stream id for (purpose, shard, day): injective, so every pair has its own generator.
    static func streamFor(purpose: UInt64, shard: Int, day: Int) -> UInt64 {
        (purpose << 56) | (UInt64(truncatingIfNeeded: day + (1 << 30)) << 16) | UInt64(truncatingIfNeeded: shard & 0xFFFF)
    }

    /// Empties a customer's history: no recent transactions, merchants or spending days, a fresh cache.
    private func clearHistory(_ c: Int) {
        i(c, L.ringCount).pointee = 0; i(c, L.ringHead).pointee = 0; i(c, L.merchantCount).pointee = 0; i(c, L.merchantHead).pointee = 0
        // Slots not yet written hold -1, no merchant's number: `knows` tests all 16 slots.
        for k in 0..<Shard.merchantMemory { i(c, L.merchantRing)[k] = -1 }
        for b in 0..<31 { bucket(c, slot: b).0.pointee = Int32.min }
        i64(c, L.sum30).pointee = 0; i64(c, L.sum7).pointee = 0; i(c, L.count30).pointee = 0; i(c, L.count7).pointee = 0
        i(c, L.sumsDay).pointee = Int32.min
        d(c, L.cache)[0] = 0; d(c, L.cache)[1] = 0; d(c, L.cache)[2] = 0; d(c, L.cache)[3] = 1
    }

    /// Clears a customer's history: the account in this slot was closed and a new one opened today.
    private func reopen(_ c: Int, day: Int) {
        i(c, L.openDay).pointee = Int32(day)
        clearHistory(c)
        hot[c].compromisedUntil = Int32.min
    }

    /// Slides customer c's 30-day and 7-day spending sums to cover the whole days before `day`:
    /// the bucket of the last day they were slid to enters, the buckets that left the windows
    /// leave. Integer cents, so the running sums equal a fresh sum over the buckets exactly.
    /// `today` is `Shard.slot(day)`: the buckets of s, s - 30 and s - 7 are numbered from it
    /// without a modulo when 0 < day - s <= 30 (always, as days only move forward).
    @inline(__always) private func slideSums(_ c: Int, to day: Int, today: Int) {
        let s = Int(i(c, L.sumsDay).pointee)
        if s == day { return }
        i(c, L.sumsDay).pointee = Int32(day)
        if s <= day - 31 {  // every old day has left the 30-day window (also after a reopen: Int32.min)
            i64(c, L.sum30).pointee = 0; i64(c, L.sum7).pointee = 0; i(c, L.count30).pointee = 0; i(c, L.count7).pointee = 0
            return
        }
        var s30 = i64(c, L.sum30).pointee, n30 = i(c, L.count30).pointee
        var s7 = i64(c, L.sum7).pointee, n7 = i(c, L.count7).pointee
        let back = day - s
        let bs = back > 0 ? Shard.slot(today, back: back) : Shard.slot(s)
        // Day s enters (no bucket exists for a day between s and today: the state did not move).
        let (key, cents) = bucket(c, slot: bs)
        if Int(key[0]) == s {
            s30 &+= cents.pointee; n30 &+= key[1]
            if s >= day - 7 { s7 &+= cents.pointee; n7 &+= key[1] }
        }
        // Days s - 30 ... day - 31 leave the 30-day window, days s - 7 ... min(s - 1, day - 8) the 7-day one.
        // (The bucket number steps with the day instead of a modulo per day.)
        if s - 30 <= day - 31 {
            var b = Shard.slot(bs, back: 30)
            for x in (s - 30)...(day - 31) {
                let (k, v) = bucket(c, slot: b)
                if Int(k[0]) == x { s30 &-= v.pointee; n30 &-= k[1] }
                b = b == 30 ? 0 : b + 1
            }
        }
        if s - 7 <= Swift.min(s - 1, day - 8) {
            var b = Shard.slot(bs, back: 7)
            for x in (s - 7)...Swift.min(s - 1, day - 8) {
                let (k, v) = bucket(c, slot: b)
                if Int(k[0]) == x { s7 &-= v.pointee; n7 &-= k[1] }
                b = b == 30 ? 0 : b + 1
            }
        }
        i64(c, L.sum30).pointee = s30; i(c, L.count30).pointee = n30
        i64(c, L.sum7).pointee = s7; i(c, L.count7).pointee = n7
    }

    /// Reads a word of each cache line of customer c's record whose place the customer number
    /// gives (header, merchant memory, today's bucket): the first of two look-ahead steps, so that
    /// a few customers ahead their DRAM misses overlap the current customer's work.
    /// `today` is `Shard.slot(day)`.
    @inline(__always) private func touchHeader(_ c: Int, today: Int) -> Int64 {
        let base = state + c &* L.size
        var acc = base.load(as: Int64.self) &+ base.load(fromByteOffset: 64, as: Int64.self)
        acc &+= base.load(fromByteOffset: L.merchantRing, as: Int64.self)
        acc &+= base.load(fromByteOffset: L.buckets + today * L.bucketStride, as: Int64.self)
        return acc
    }

    /// The second step, a block after `touchHeader` (the header is cached by then, so no read
    /// waits on another miss): the lines the header points to, the buckets `slideSums` reads first
    /// (of s, the day the sums were last slid to, and of s - 7) and the newest ring entry.
    @inline(__always) private func touchHistory(_ c: Int, day: Int, today: Int) -> Int64 {
        let base = state + c &* L.size
        var acc: Int64 = 0
        let back = day &- Int(base.load(fromByteOffset: L.sumsDay, as: Int32.self))
        if back > 0 && back <= 30 {
            let bs = Shard.slot(today, back: back)
            acc &+= base.load(fromByteOffset: L.buckets + bs * L.bucketStride, as: Int64.self)
            acc &+= base.load(fromByteOffset: L.buckets + Shard.slot(bs, back: 7) * L.bucketStride, as: Int64.self)
        }
        let head = Int(base.load(fromByteOffset: L.ringHead, as: Int32.self))
        acc &+= base.load(fromByteOffset: L.ring + (head == 0 ? Shard.ringSize - 1 : head - 1) * L.ringStride, as: Int64.self)
        return acc
    }

    /// Whether customer c's merchant memory holds merchant m: all 16 slots compared without a
    /// branch (unwritten slots hold -1), the same answer as a search of the first `merchantCount`.
    @inline(__always) private func knows(_ c: Int, _ m: Int32) -> Bool {
        let ring = i(c, L.merchantRing)
        var hits: Int32 = 0
        for k in 0..<Shard.merchantMemory { hits |= ring[k] == m ? 1 : 0 }
        return hits != 0
    }

    @inline(__always) private func foreignCountry<G: RandomNumberGenerator>(_ home: Int, _ rng: inout G) -> Int {
        let countries = UnsafePointer(aliasEntries + Shard.countriesAt)
        for _ in 0..<8 { let k = AliasTable.sample(countries, count: Shard.countryCount, using: &rng); if k != home { return k } }
        return (home + 1) % FeatureSchema.countries.count
    }

    @inline(__always) private func shifted(_ v: Double, _ f: Int, _ plan: DayPlan) -> Double {
        plan.shiftA[f] * v + plan.shiftB[f]
    }

    /// Generates this shard's transactions of `plan.day`, updating the customers' state.
    ///
    /// Two passes. The first walks every customer's `hot` entry with the day's volume stream:
    /// churn, compromise episodes and the Poisson volumes, listing the customers with transactions.
    /// The second generates those customers' transactions from the world stream, reading the
    /// records of the customers `lookAhead` places down the list first, so the misses on their
    /// records overlap (the volumes are known before any record is touched).
    func generate(_ plan: DayPlan, outages: Outages) -> ShardDay {
        let day = plan.day
        var vrng = Xoshiro256StarStar(seed: seed, stream: Shard.streamFor(purpose: 3, shard: index, day: day))
        var rng = Xoshiro256StarStar(seed: seed, stream: Shard.streamFor(purpose: 1, shard: index, day: day))
        var lrng = Xoshiro256StarStar(seed: seed, stream: Shard.streamFor(purpose: 2, shard: index, day: day))
        let zig = ZigguratNormal.shared
        var out = buffers
        // Locals, not properties, in the loop: a class property access there costs an exclusivity check.
        var events = self.events, eventCapacity = self.eventCapacity
        let dayStart = Int32((day - firstDay) * 86400)
        typealias S = FeatureSchema
        var x = out.rows
        var written = 0
        let shiftOn = plan.anyShift
        precondition(plan.categoryTables.count <= WorldTables.segmentShare.count)
        for (g, t) in plan.categoryTables.enumerated() {
            precondition(t.count == Shard.categoryCount)
            t.write(to: aliasEntries + Shard.categoriesAt + g * Shard.categoryCount)
        }
        let tables = UnsafePointer(aliasEntries)
        // Tables as locals: a static array read in the loop goes through its lazy accessor each time.
        let compromiseFactor = WorldTables.segmentCompromise
        let amountOffset = WorldTables.categoryAmountOffset, onlineOnly = WorldTables.onlineOnly
        let burst = WorldTables.burstPerDay
        let places = merchants.places
        let active = self.active
        var touched: Int64 = 0
        // Pass 1: churn, compromise and volume of every customer, from the volume stream. One
        // uniform usually decides all three: reopen when u < p (rare), else (u - p)/(1 - p) is
        // again uniform on [0, 1) and goes on to the compromise test, then to the volume's inversion.
        var activeCount = 0
        FastMath.powers.withUnsafeBufferPointer { powers in
            let pw = powers.baseAddress!
            let volumeFactor = plan.volumeFactor, segmentRate = plan.segmentRate
            let reopenChance = self.reopenChance, reopenRest = self.reopenRest
            let compromiseChance = compromiseFactor.map { $0 * plan.compromiseProbability }
            let compromiseRest = compromiseChance.map { 1 / (1 - $0) }
            let shadowRate = plan.shadowRate
            for c in 0..<n {
                let h = hot[c]
                let g = Int(h.segment)
                var u = vrng.uniform()
                if u < reopenChance[g] { reopen(c, day: day); u = vrng.uniform() } else { u = (u - reopenChance[g]) * reopenRest[g] }
                var fraudster = 0
                var compromisedUntil = Int(hot[c].compromisedUntil)
                if compromisedUntil >= day {
                    fraudster = vrng.poisson(burst)
                } else if u < compromiseChance[g] {
                    compromisedUntil = day + vrng.index(3)
                    hot[c].compromisedUntil = Int32(compromisedUntil)
                    fraudster = vrng.poisson(burst)
                    u = vrng.uniform()
                } else {
                    u = (u - compromiseChance[g]) * compromiseRest[g]
                }
                let lambda = h.rate * volumeFactor * segmentRate[g]
                let owner = Shard.poissonByInversion(lambda, u, &vrng, pw)
                var shadowOwner = 0, shadowFraudster = 0
                if shadowRate > 0 {
                    shadowOwner = vrng.poisson(lambda * shadowRate)
                    if fraudster > 0 || compromisedUntil >= day { shadowFraudster = vrng.poisson(burst * shadowRate) }
                }
                if owner + fraudster + shadowOwner + shadowFraudster == 0 { continue }
                active[activeCount] = Active(customer: Int32(c), owner: Int32(owner), fraudster: Int32(fraudster),
                                             shadowOwner: Int32(shadowOwner), shadowFraudster: Int32(shadowFraudster))
                activeCount += 1
            }
        }
        // Pass 2: the active customers' transactions.
        FastMath.powers.withUnsafeBufferPointer { powers in
        let pw = powers.baseAddress!
        plan.riskWeights.withUnsafeBufferPointer { weights in
        let today = Shard.slot(day)
        let ahead = Shard.lookAhead
        for j in 0..<Swift.min(2 * ahead, activeCount) { touched &+= touchHeader(Int(active[j].customer), today: today) }
        for j in 0..<Swift.min(ahead, activeCount) { touched &+= touchHistory(Int(active[j].customer), day: day, today: today) }
        for j in 0..<activeCount {
            // A whole block of records ahead at once: a read that misses stalls the loop once the
            // reorder buffer fills, so the misses of a block must be in flight together.
            // Two blocks ahead the header lines, one block ahead the lines the header points to.
            if j % ahead == 0 {
                for k in (j + 2 * ahead)..<Swift.min(j + 3 * ahead, Swift.max(activeCount, j + 2 * ahead)) {
                    touched &+= touchHeader(Int(active[k].customer), today: today)
                }
                for k in (j + ahead)..<Swift.min(j + 2 * ahead, Swift.max(activeCount, j + ahead)) {
                    touched &+= touchHistory(Int(active[k].customer), day: day, today: today)
                }
            }
            let a = active[j]
            let c = Int(a.customer)
            let h = hot[c]
            let g = Int(h.segment)
            let owner = Int(a.owner), fraudster = Int(a.fraudster), shadowOwner = Int(a.shadowOwner)
            let total = owner + fraudster + shadowOwner + Int(a.shadowFraudster)
            let homeCountry = Int(h.home)
            // Pass 2a: who, where and when.
            if total > eventCapacity {
                events.deallocate()
                eventCapacity = Swift.max(total, 2 * eventCapacity)
                events = .allocate(capacity: eventCapacity)
            }
            for e in 0..<total {
                let isFraudster = (e >= owner && e < owner + fraudster) || e >= owner + fraudster + shadowOwner
                let isShadow = e >= owner + fraudster
                var m: Int32, channel: Int32, hour: Int
                if isFraudster {
                    let cat = AliasTable.sample(tables + Shard.fraudsterCategoriesAt, count: Shard.categoryCount, using: &rng)
                    let country = rng.uniform() < 0.35 ? foreignCountry(homeCountry, &rng) : homeCountry
                    m = merchants.pick(category: cat, country: country, using: &rng)
                    let u = rng.uniform()
                    channel = u < 0.15 ? 0 : (u < 0.65 ? 1 : 2)
                    hour = AliasTable.sample(tables + Shard.fraudsterHoursAt, count: Shard.hourCount, using: &rng)
                } else {
                    let known = Int(i(c, L.merchantCount).pointee)
                    if known > 0 && rng.uniform() < 0.5 {
                        m = i(c, L.merchantRing)[rng.index(known)]
                    } else {
                        let cat = AliasTable.sample(tables + Shard.categoriesAt + g * Shard.categoryCount, count: Shard.categoryCount, using: &rng)
                        let country = rng.uniform() < d(c, L.pForeign).pointee ? foreignCountry(homeCountry, &rng) : homeCountry
                        m = merchants.pick(category: cat, country: country, using: &rng)
                    }
                    var pc = d(c, L.pCardPresent).pointee, po = d(c, L.pOnline).pointee
                    if plan.channelTarget >= 0 {
                        let t = plan.channelTarget, mult = plan.channelMultiplier
                        let pt = t == 0 ? pc : (t == 1 ? po : 1 - pc - po)
                        let norm = pt * mult + 1 - pt
                        pc = (t == 0 ? pc * mult : pc) / norm
                        po = (t == 1 ? po * mult : po) / norm
                    }
                    let u = rng.uniform()
                    channel = u < pc ? 0 : (u < pc + po ? 1 : 2)
                    hour = AliasTable.sample(tables + Int(places[Int(m)].category) * Shard.hourCount, count: Shard.hourCount, using: &rng)
                }
                if channel == 0 && onlineOnly[Int(places[Int(m)].category)] { channel = 1 }
                var second = Int32(hour * 3600 + rng.index(3600))
                if shiftOn && (plan.shiftA[S.hour] != 1 || plan.shiftB[S.hour] != 0) {
                    var h = shifted(Double(second) / 3600, S.hour, plan).truncatingRemainder(dividingBy: 24)
                    if h < 0 { h += 24 }
                    second = Swift.min(86399, Int32(h * 3600))
                }
                (events + e).initialize(to: Event(second: second, merchant: m, channel: channel, fraudster: isFraudster, shadow: isShadow))
            }
            // Time order (insertion sort: a customer makes a handful of transactions a day).
            if total > 1 {
                for i in 1..<total {
                    let e = events[i]; var j = i - 1
                    while j >= 0 && events[j].second > e.second { events[j + 1] = events[j]; j -= 1 }
                    events[j + 1] = e
                }
            }
            // The 30-day and 7-day averages use whole past days, so they are fixed for the day.
            slideSums(c, to: day, today: today)
            let n30 = Int(i(c, L.count30).pointee), n7 = Int(i(c, L.count7).pointee)
            let avg30 = n30 > 0 ? Double(i64(c, L.sum30).pointee) / 100 / Double(n30) : 0
            let avg7 = n7 > 0 ? Double(i64(c, L.sum7).pointee) / 100 / Double(n7) : 0
            let frozen = plan.staleShare > 0 && d(c, L.staleHash).pointee < plan.staleShare
            // Pass 2b: features, risk, label.
            for k in 0..<total {
                let e = events[k]
                if written == out.capacity { out.grow(keeping: written) }
                x = out.rows + written * Shard.stride
                let t = dayStart + e.second
                let m = Int(e.merchant)
                let cat = Int(places[m].category), country = Int(places[m].country)
                let online = e.channel != 0
                // Amount.
                var logAmount: Double
                if e.fraudster {
                    logAmount = rng.uniform() < 0.15 ? log(rng.uniform(1, 5)) : d(c, L.spendMu).pointee + amountOffset[cat] + 0.9 + 1.0 * zig.sample(using: &rng)
                } else {
                    logAmount = d(c, L.spendMu).pointee + amountOffset[cat] + 0.8 * zig.sample(using: &rng)
                }
                if shiftOn { logAmount = shifted(logAmount, S.amount, plan) }
                let roundedCents = roundedHalfAway(FastMath.exp(logAmount, pw) * 100)
                let centsValue = roundedCents >= 1 ? roundedCents : 1  // Swift.max(1, roundedCents), NaN included, without its call
                let amount = centsValue / 100
                // The history keeps whole cents (an amount over 21 million is kept as 21 million).
                let cents: Int32 = centsValue < 2_147_483_647 ? Int32(centsValue) : Int32.max
                x[S.amount] = amount
                x[S.merchantCategory] = Double(cat)
                x[S.channel] = Double(e.channel)
                x[S.cardType] = Double(h.cardType)
                x[S.customerSegment] = Double(g)
                x[S.merchantCountry] = Double(country)
                let foreign = country != homeCountry
                x[S.isForeign] = foreign ? 1 : 0
                var logDistance: Double
                if foreign { logDistance = log(2500.0) + 0.6 * zig.sample(using: &rng) }
                else if !online { logDistance = e.fraudster ? log(150.0) + 1.2 * zig.sample(using: &rng) : d(c, L.logRadius).pointee + 0.9 * zig.sample(using: &rng) }
                else { logDistance = log(250.0) + 1.0 * zig.sample(using: &rng) }
                if shiftOn { logDistance = shifted(logDistance, S.distance, plan) }
                x[S.distance] = roundedHalfAway(FastMath.exp(logDistance, pw) * 10) / 10
                let isNew = !knows(c, e.merchant)
                let known = Int(i(c, L.merchantCount).pointee)
                x[S.newMerchant] = isNew ? 1 : 0
                x[S.newDevice] = online && rng.uniform() < (e.fraudster ? 0.8 : 0.03) ? 1 : 0
                var age = Double(day - Int(i(c, L.openDay).pointee))
                if shiftOn { age = FastMath.atLeast(0, roundedHalfAway(shifted(age, S.accountAge, plan))) }
                x[S.accountAge] = age
                x[S.hour] = Double(e.second / 3600)
                x[S.cvvMatch] = rng.uniform() < (e.fraudster ? (online ? 0.7 : 0.9) : (online ? 0.985 : 0.998)) ? 1 : 0
                x[S.avsMatch] = rng.uniform() < (e.fraudster ? 0.55 : (online ? 0.96 : 0.99)) ? 1 : 0
                var dev: Double, ip: Double
                if !online {
                    dev = FastMath.sigmoid((e.fraudster ? -2.5 : -3.5) + (e.fraudster ? 1.0 : 0.5) * zig.sample(using: &rng), pw)
                    ip = FastMath.sigmoid(-3.5 + 0.5 * zig.sample(using: &rng), pw)
                } else if e.fraudster {
                    dev = FastMath.sigmoid(0.0 + 1.3 * zig.sample(using: &rng), pw)
                    ip = FastMath.sigmoid(0.2 + 1.3 * zig.sample(using: &rng), pw)
                } else {
                    dev = FastMath.sigmoid(-2.3 + 1.0 * zig.sample(using: &rng), pw)
                    ip = FastMath.sigmoid(-2.4 + 1.1 * zig.sample(using: &rng), pw)
                }
                if shiftOn {
                    dev = FastMath.clamp(shifted(dev, S.deviceRisk, plan), 0, 1)
                    ip = FastMath.clamp(shifted(ip, S.ipRisk, plan), 0, 1)
                }
                x[S.deviceRisk] = roundedHalfAway(dev * 10000) / 10000
                x[S.ipRisk] = roundedHalfAway(ip * 10000) / 10000
                // Velocity from the customer's own recent history (newest first), sums in whole cents.
                var count1h = 0, count24h = 0, count10m = 0, sum24h: Int64 = 0, sum1h: Int64 = 0
                let head = Int(i(c, L.ringHead).pointee), stored = Int(i(c, L.ringCount).pointee)
                for k in 0..<stored {
                    var idx = head - 1 - k
                    if idx < 0 { idx += Shard.ringSize }
                    let entry = ringEntry(c, idx)
                    let dt = t - entry[0]
                    if dt >= 86400 { break }
                    let a = Int64(entry[1])
                    count24h += 1; sum24h += a
                    if dt < 3600 { count1h += 1; sum1h += a; if dt < 600 { count10m += 1 } }
                }
                x[S.count1h] = Double(count1h)
                x[S.count24h] = Double(count24h)
                x[S.sum24h] = Double(sum24h) / 100
                x[S.ratio30d] = n30 > 0 ? roundedHalfAway((amount / avg30) * 10000) / 10000 : 1
                x[20] = Double(count10m)
                x[21] = Double(sum1h) / 100
                x[22] = n7 > 0 ? roundedHalfAway((amount / avg7) * 10000) / 10000 : 1
                let cb = 0
                if frozen {
                    x[23] = d(c, L.cache)[cb]; x[24] = d(c, L.cache)[cb + 1]; x[25] = d(c, L.cache)[cb + 2]; x[26] = d(c, L.cache)[cb + 3]
                } else {
                    x[23] = x[S.count1h]; x[24] = x[S.count24h]; x[25] = x[S.sum24h]; x[26] = x[S.ratio30d]
                }
                // Risk and label (labels and resampling use their own stream, so x never depends on them).
                let z = plan.intercept + RiskFunction.risk(x, weights: weights.baseAddress!, boost: plan.boost)
                let probability = FastMath.sigmoid(z, pw)
                let y = lrng.uniform() < probability
                var keep = true
                if e.shadow { keep = y } else if y && plan.fraudKeep < 1 { keep = lrng.uniform() < plan.fraudKeep }
                if !e.shadow {
                    // The world moves on: update the customer's state.
                    let w = Int(i(c, L.ringHead).pointee)
                    let entry = ringEntry(c, w)
                    entry[0] = t; entry[1] = cents
                    i(c, L.ringHead).pointee = Int32(w + 1 == Shard.ringSize ? 0 : w + 1)
                    i(c, L.ringCount).pointee = Int32(stored < Shard.ringSize ? stored + 1 : Shard.ringSize)
                    let (key, sum) = bucket(c, slot: today)
                    if Int(key[0]) != day { key[0] = Int32(day); key[1] = 0; sum.pointee = 0 }
                    sum.pointee &+= Int64(cents); key[1] &+= 1
                    if isNew {
                        let mh = Int(i(c, L.merchantHead).pointee)
                        i(c, L.merchantRing)[mh] = e.merchant
                        i(c, L.merchantHead).pointee = Int32((mh + 1) % Shard.merchantMemory)
                        i(c, L.merchantCount).pointee = Int32(known < Shard.merchantMemory ? known + 1 : Shard.merchantMemory)
                    }
                    if !frozen { d(c, L.cache)[cb] = x[S.count1h]; d(c, L.cache)[cb + 1] = x[S.count24h]; d(c, L.cache)[cb + 2] = x[S.sum24h]; d(c, L.cache)[cb + 3] = x[S.ratio30d] }
                }
                if !keep { continue }
                var chargeback = Shard.never
                if y && lrng.uniform() < plan.reportProbability {
                    let delay = lrng.lognormal(mu: labelMu, sigma: labelSigma) * plan.delayMultiplier
                    let arrival = day + Swift.max(1, Int(FastMath.atMost(1e6, delay).rounded(.up)))
                    chargeback = outages.deliver(Int32(clamping: arrival))
                }
                out.second[written] = e.second
                out.customer[written] = Int32(first + c)
                out.logit[written] = z
                out.probability[written] = probability
                out.y[written] = y ? 1 : 0
                out.chargeback[written] = chargeback
                out.flags[written] = (frozen ? 1 : 0) | (e.shadow ? 2 : 0) | (e.fraudster ? 4 : 0)
                written += 1
            }
        }
        }
        }
        out.count = written
        buffers = out
        self.events = events; self.eventCapacity = eventCapacity
        self.touched &+= touched
        return out
    }

    /// Poisson(lambda) from the uniform u by inversion (the smallest k with P(X <= k) > u, the
    /// pmf by its recurrence p(k) = p(k - 1)·lambda/k from p(0) = e^-lambda), so a customer's
    /// volume costs the one uniform already drawn; lambda >= 30 (where e^-lambda loses the tail)
    /// goes to `rng.poisson`.
    @inline(__always) static func poissonByInversion(_ lambda: Double, _ u: Double, _ rng: inout Xoshiro256StarStar,
                                                     _ powers: UnsafePointer<Double>) -> Int {
        guard lambda > 0 else { return 0 }
        guard lambda < 30 else { return rng.poisson(lambda) }
        // e^-lambda >= 1 - lambda and FastMath.exp is within 2 ulp, so below this bound u < e^-lambda
        // surely and k = 0 without the exp (the same result; most customers on most days).
        if u < 1 - lambda - 1e-12 { return 0 }
        var p = FastMath.exp(-lambda, powers)
        var cdf = p, k = 0
        while u >= cdf && p > 0 {
            k += 1
            p *= lambda / Double(k)
            cdf += p
        }
        return k
    }
}
