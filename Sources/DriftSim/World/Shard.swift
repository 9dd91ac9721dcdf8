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

/// Standard normal by Marsaglia's polar method (SIAM Review 6(3), 1964): a pair per accepted
/// point of the unit disc, no trigonometry; the second value is kept for the next call.
struct PolarNormal {
    var spare = 0.0
    var hasSpare = false

    @inline(__always) mutating func next(_ rng: inout Xoshiro256StarStar) -> Double {
        if hasSpare { hasSpare = false; return spare }
        var u = 0.0, v = 0.0, q = 0.0
        repeat {
            u = 2 * uniform01(&rng) - 1; v = 2 * uniform01(&rng) - 1
            q = u * u + v * v
        } while q >= 1 || q == 0
        let f = (-2 * log(q) / q).squareRoot()
        spare = v * f; hasSpare = true
        return u * f
    }
}

/// `rng.uniform()` (53 random bits in [0, 1)), always inlined in the generator's loops.
@inline(__always) func uniform01(_ rng: inout Xoshiro256StarStar) -> Double {
    Double(rng.next() >> 11) * 0x1.0p-53
}

/// A fixed slice of the customers with their attributes and per-customer state (recent
/// transactions for the velocity features, daily spending buckets for the 30-day average, recent
/// merchants, compromise episodes). Shards are generated in parallel; each owns its state and
/// draws from RNG streams derived from (seed, shard, day), so output never depends on threads.
/// State lives in raw buffers: the hot loop does no allocation and no bounds-checked nesting.
final class Shard: @unchecked Sendable {
    static let stride = 27
    static let ringSize = 48        // recent transactions kept: the 24-hour counters saturate at 48
    static let bucketDays = 30      // daily spending buckets for the 30-day average
    static let merchantMemory = 16  // "new merchant" = not among the 16 most recent distinct merchants
    static let never = Int32.max

    let index: Int
    let first: Int
    let n: Int
    let seed: UInt64
    let merchants: Merchants
    let firstDay: Int
    let labelMu: Double, labelSigma: Double

    /// Every customer's attributes and state in one contiguous record of `Layout.size` bytes, so a
    /// day's pass over the customers streams through memory instead of twenty separate arrays.
    let state: UnsafeMutableRawPointer

    /// The fields every customer's daily draw reads (churn, compromise, volume), packed 16 bytes a
    /// customer apart from the 1.3 KB records: most customers make no transaction on a given day,
    /// and a pass over `hot` streams 3 MB instead of touching two cache lines of every record.
    struct Hot { var rate: Double; var segment: Int32; var compromisedUntil: Int32 }
    let hot: UnsafeMutablePointer<Hot>

    /// Byte offsets inside a customer record.
    enum L {
        static let spendMu = 8, pCardPresent = 16, pOnline = 24, pForeign = 32, logRadius = 40, staleHash = 48
        static let cache = 56                       // 4 doubles
        static let bucketMask = 88                  // UInt32: bit b set while bucket b holds a day
        static let home = 92, cardType = 96, openDay = 100
        static let ringHead = 108, ringCount = 112, merchantHead = 116, merchantCount = 120
        static let merchantRing = 128               // 16 Int32
        static let bucketDay = 192                  // 30 Int32
        static let bucketCount = 312                // 30 Int32
        static let bucketSum = 432                  // 30 doubles
        static let ringTime = 672                   // 48 Int32
        static let ringAmount = 864                 // 48 doubles
        static let size = 1280
    }

    @inline(__always) func d(_ c: Int, _ o: Int) -> UnsafeMutablePointer<Double> {
        (state + (c &* L.size &+ o)).assumingMemoryBound(to: Double.self)
    }
    @inline(__always) func i(_ c: Int, _ o: Int) -> UnsafeMutablePointer<Int32> {
        (state + (c &* L.size &+ o)).assumingMemoryBound(to: Int32.self)
    }

    // Tables.
    let hourTables: [AliasTable] = WorldTables.categoryHours.map { AliasTable(weights: $0) }
    let fraudsterHours = AliasTable(weights: WorldTables.fraudsterHours)
    let fraudsterCategories = AliasTable(weights: WorldTables.fraudsterCategories)
    let countryTable = AliasTable(weights: WorldTables.countryWeights)

    private struct Event { var second: Int32; var merchant: Int32; var channel: Int32; var fraudster: Bool; var shadow: Bool }
    private var events: [Event] = []
    /// The output buffers, reused day after day.
    private var buffers = ShardDay(capacity: 256)
    /// Customers `first ..< first + count` of the world, drawn from the stream (seed, "customers", shard).
    init(index: Int, first: Int, count: Int, scenario: Scenario, merchants: Merchants, firstDay: Int, rateScale: Double) {
        self.index = index; self.first = first; n = count; seed = scenario.seed; self.merchants = merchants; self.firstDay = firstDay
        let ld = scenario.labelDelay
        labelMu = log(Swift.max(ld.medianDays, 1e-6))
        labelSigma = Swift.max(0, log(Swift.max(ld.tailDays, ld.medianDays) / Swift.max(ld.medianDays, 1e-6))) / 2.326347874040841
        state = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(1, count) * L.size, alignment: 64)
        state.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(1, count) * L.size)
        hot = UnsafeMutablePointer<Hot>.allocate(capacity: Swift.max(1, count))
        hot.initialize(repeating: Hot(rate: 0, segment: 0, compromisedUntil: Int32.min), count: Swift.max(1, count))
        for c in 0..<count {
            let days = (state + (c * L.size + L.bucketDay)).assumingMemoryBound(to: Int32.self)
            for b in 0..<Shard.bucketDays { days[b] = Int32.min }
        }

        var rng = Xoshiro256StarStar(seed: scenario.seed, stream: Shard.streamFor(purpose: 0, shard: index, day: 0))
        let segmentTable = AliasTable(weights: WorldTables.segmentShare)
        let cardTables = WorldTables.segmentCardTypes.map { AliasTable(weights: $0) }
        for c in 0..<n {
            let g = segmentTable.sample(using: &rng)
            hot[c].segment = Int32(g)
            i(c, L.home).pointee = Int32(countryTable.sample(using: &rng))
            i(c, L.cardType).pointee = Int32(cardTables[g].sample(using: &rng))
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
            d(c, L.cache)[3] = 1
        }
    }

    deinit {
        state.deallocate()
        hot.deallocate()
        buffers.free()
    }

    /// Stream id for (purpose, shard, day): injective, so every pair has its own generator.
    static func streamFor(purpose: UInt64, shard: Int, day: Int) -> UInt64 {
        (purpose << 56) | (UInt64(truncatingIfNeeded: day + (1 << 30)) << 16) | UInt64(truncatingIfNeeded: shard & 0xFFFF)
    }

    /// Clears a customer's history: the account in this slot was closed and a new one opened today.
    private func reopen(_ c: Int, day: Int) {
        i(c, L.openDay).pointee = Int32(day)
        i(c, L.ringCount).pointee = 0; i(c, L.ringHead).pointee = 0; i(c, L.merchantCount).pointee = 0; i(c, L.merchantHead).pointee = 0
        for b in 0..<Shard.bucketDays { i(c, L.bucketDay)[b] = Int32.min }
        i(c, L.bucketMask).pointee = 0
        d(c, L.cache)[0] = 0; d(c, L.cache)[1] = 0; d(c, L.cache)[2] = 0; d(c, L.cache)[3] = 1
        hot[c].compromisedUntil = Int32.min
    }

    @inline(__always) private func foreignCountry<G: RandomNumberGenerator>(_ home: Int, _ rng: inout G) -> Int {
        for _ in 0..<8 { let k = countryTable.sample(using: &rng); if k != home { return k } }
        return (home + 1) % FeatureSchema.countries.count
    }

    @inline(__always) private func shifted(_ v: Double, _ f: Int, _ plan: DayPlan) -> Double {
        plan.shiftA[f] * v + plan.shiftB[f]
    }

    /// Generates this shard's transactions of `plan.day`, updating the customers' state.
    func generate(_ plan: DayPlan, outages: Outages) -> ShardDay {
        let day = plan.day
        var rng = Xoshiro256StarStar(seed: seed, stream: Shard.streamFor(purpose: 1, shard: index, day: day))
        var lrng = Xoshiro256StarStar(seed: seed, stream: Shard.streamFor(purpose: 2, shard: index, day: day))
        var normals = PolarNormal()
        var out = buffers
        // Locals, not properties, in the loop: a class property access there costs an exclusivity check.
        var events: [Event] = []
        swap(&events, &self.events)
        let dayStart = Int32((day - firstDay) * 86400)
        typealias S = FeatureSchema
        var x = out.rows
        var written = 0
        let shiftOn = plan.anyShift
        let categoryTables = plan.categoryTables
        // Tables as locals: a static array read in the loop goes through its lazy accessor each time.
        let accountAge = WorldTables.segmentAccountAge, compromiseFactor = WorldTables.segmentCompromise
        let amountOffset = WorldTables.categoryAmountOffset, onlineOnly = WorldTables.onlineOnly
        let burst = WorldTables.burstPerDay
        let merchantCategory = merchants.category, merchantCountry = merchants.country
        plan.riskWeights.withUnsafeBufferPointer { weights in
        // Per-segment factors of the day, hoisted out of the customer loop.
        let volumeFactor = plan.volumeFactor, segmentRate = plan.segmentRate
        let compromiseChance = compromiseFactor.map { $0 * plan.compromiseProbability }
        let shadowRate = plan.shadowRate
        for c in 0..<n {
            let h = hot[c]
            let g = Int(h.segment)
            if uniform01(&rng) * accountAge[g] < 1 { reopen(c, day: day) }
            var fraudster = 0
            var compromisedUntil = Int(hot[c].compromisedUntil)
            if compromisedUntil >= day {
                fraudster = rng.poisson(burst)
            } else if uniform01(&rng) < compromiseChance[g] {
                compromisedUntil = day + rng.index(3)
                hot[c].compromisedUntil = Int32(compromisedUntil)
                fraudster = rng.poisson(burst)
            }
            let lambda = h.rate * volumeFactor * segmentRate[g]
            let owner = Shard.poissonVolume(lambda, &rng)
            var shadowOwner = 0, shadowFraudster = 0
            if shadowRate > 0 {
                shadowOwner = rng.poisson(lambda * shadowRate)
                if fraudster > 0 || compromisedUntil >= day { shadowFraudster = rng.poisson(burst * shadowRate) }
            }
            let total = owner + fraudster + shadowOwner + shadowFraudster
            if total == 0 { continue }
            let homeCountry = Int(i(c, L.home).pointee)
            // Pass 1: who, where and when.
            events.removeAll(keepingCapacity: true)
            for e in 0..<total {
                let isFraudster = (e >= owner && e < owner + fraudster) || e >= owner + fraudster + shadowOwner
                let isShadow = e >= owner + fraudster
                var m: Int32, channel: Int32, hour: Int
                if isFraudster {
                    let cat = fraudsterCategories.sample(using: &rng)
                    let country = uniform01(&rng) < 0.35 ? foreignCountry(homeCountry, &rng) : homeCountry
                    m = merchants.pick(category: cat, country: country, using: &rng)
                    let u = uniform01(&rng)
                    channel = u < 0.15 ? 0 : (u < 0.65 ? 1 : 2)
                    hour = fraudsterHours.sample(using: &rng)
                } else {
                    let known = Int(i(c, L.merchantCount).pointee)
                    if known > 0 && uniform01(&rng) < 0.5 {
                        m = i(c, L.merchantRing)[rng.index(known)]
                    } else {
                        let cat = categoryTables[g].sample(using: &rng)
                        let country = uniform01(&rng) < d(c, L.pForeign).pointee ? foreignCountry(homeCountry, &rng) : homeCountry
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
                    let u = uniform01(&rng)
                    channel = u < pc ? 0 : (u < pc + po ? 1 : 2)
                    hour = hourTables[Int(merchantCategory[Int(m)])].sample(using: &rng)
                }
                if channel == 0 && onlineOnly[Int(merchantCategory[Int(m)])] { channel = 1 }
                var second = Int32(hour * 3600 + rng.index(3600))
                if shiftOn && (plan.shiftA[S.hour] != 1 || plan.shiftB[S.hour] != 0) {
                    var h = shifted(Double(second) / 3600, S.hour, plan).truncatingRemainder(dividingBy: 24)
                    if h < 0 { h += 24 }
                    second = Swift.min(86399, Int32(h * 3600))
                }
                events.append(Event(second: second, merchant: m, channel: channel, fraudster: isFraudster, shadow: isShadow))
            }
            // Time order (insertion sort: a customer makes a handful of transactions a day).
            if events.count > 1 {
                for i in 1..<events.count {
                    let e = events[i]; var j = i - 1
                    while j >= 0 && events[j].second > e.second { events[j + 1] = events[j]; j -= 1 }
                    events[j + 1] = e
                }
            }
            // The 30-day and 7-day averages use whole past days, so they are fixed for the day.
            // Only buckets that hold a day are visited (in index order, so the sums are unchanged);
            // a bucket older than 30 days leaves the mask.
            var s30 = 0.0, n30 = 0, s7 = 0.0, n7 = 0
            var mask = UInt32(bitPattern: i(c, L.bucketMask).pointee), live = mask
            while mask != 0 {
                let k = mask.trailingZeroBitCount
                mask &= mask &- 1
                let age = day - Int(i(c, L.bucketDay)[k])
                if age >= 1 && age <= 30 {
                    s30 += d(c, L.bucketSum)[k]; n30 += Int(i(c, L.bucketCount)[k])
                    if age <= 7 { s7 += d(c, L.bucketSum)[k]; n7 += Int(i(c, L.bucketCount)[k]) }
                } else if age > 30 {
                    live &= ~(1 << UInt32(k))
                }
            }
            i(c, L.bucketMask).pointee = Int32(bitPattern: live)
            let avg30 = n30 > 0 ? s30 / Double(n30) : 0, avg7 = n7 > 0 ? s7 / Double(n7) : 0
            let frozen = plan.staleShare > 0 && d(c, L.staleHash).pointee < plan.staleShare
            // Pass 2: features, risk, label.
            for e in events {
                if written == out.capacity { out.grow(keeping: written) }
                x = out.rows + written * Shard.stride
                let t = dayStart + e.second
                let m = Int(e.merchant)
                let cat = Int(merchantCategory[m]), country = Int(merchantCountry[m])
                let online = e.channel != 0
                // Amount.
                var logAmount: Double
                if e.fraudster {
                    logAmount = uniform01(&rng) < 0.15 ? log(rng.uniform(1, 5)) : d(c, L.spendMu).pointee + amountOffset[cat] + 0.9 + 1.0 * normals.next(&rng)
                } else {
                    logAmount = d(c, L.spendMu).pointee + amountOffset[cat] + 0.8 * normals.next(&rng)
                }
                if shiftOn { logAmount = shifted(logAmount, S.amount, plan) }
                let amount = Swift.max(0.01, roundedHalfAway(exp(logAmount) * 100) / 100)
                x[S.amount] = amount
                x[S.merchantCategory] = Double(cat)
                x[S.channel] = Double(e.channel)
                x[S.cardType] = Double(i(c, L.cardType).pointee)
                x[S.customerSegment] = Double(g)
                x[S.merchantCountry] = Double(country)
                let foreign = country != homeCountry
                x[S.isForeign] = foreign ? 1 : 0
                var logDistance: Double
                if foreign { logDistance = log(2500.0) + 0.6 * normals.next(&rng) }
                else if !online { logDistance = e.fraudster ? log(150.0) + 1.2 * normals.next(&rng) : d(c, L.logRadius).pointee + 0.9 * normals.next(&rng) }
                else { logDistance = log(250.0) + 1.0 * normals.next(&rng) }
                if shiftOn { logDistance = shifted(logDistance, S.distance, plan) }
                x[S.distance] = roundedHalfAway(exp(logDistance) * 10) / 10
                var isNew = true
                let known = Int(i(c, L.merchantCount).pointee)
                for k in 0..<known where i(c, L.merchantRing)[k] == e.merchant { isNew = false; break }
                x[S.newMerchant] = isNew ? 1 : 0
                x[S.newDevice] = online && uniform01(&rng) < (e.fraudster ? 0.8 : 0.03) ? 1 : 0
                var age = Double(day - Int(i(c, L.openDay).pointee))
                if shiftOn { age = Swift.max(0, roundedHalfAway(shifted(age, S.accountAge, plan))) }
                x[S.accountAge] = age
                x[S.hour] = Double(e.second / 3600)
                x[S.cvvMatch] = uniform01(&rng) < (e.fraudster ? (online ? 0.7 : 0.9) : (online ? 0.985 : 0.998)) ? 1 : 0
                x[S.avsMatch] = uniform01(&rng) < (e.fraudster ? 0.55 : (online ? 0.96 : 0.99)) ? 1 : 0
                var dev: Double, ip: Double
                if !online {
                    dev = RiskFunction.sigmoid((e.fraudster ? -2.5 : -3.5) + (e.fraudster ? 1.0 : 0.5) * normals.next(&rng))
                    ip = RiskFunction.sigmoid(-3.5 + 0.5 * normals.next(&rng))
                } else if e.fraudster {
                    dev = RiskFunction.sigmoid(0.0 + 1.3 * normals.next(&rng))
                    ip = RiskFunction.sigmoid(0.2 + 1.3 * normals.next(&rng))
                } else {
                    dev = RiskFunction.sigmoid(-2.3 + 1.0 * normals.next(&rng))
                    ip = RiskFunction.sigmoid(-2.4 + 1.1 * normals.next(&rng))
                }
                if shiftOn {
                    dev = Swift.min(1, Swift.max(0, shifted(dev, S.deviceRisk, plan)))
                    ip = Swift.min(1, Swift.max(0, shifted(ip, S.ipRisk, plan)))
                }
                x[S.deviceRisk] = roundedHalfAway(dev * 10000) / 10000
                x[S.ipRisk] = roundedHalfAway(ip * 10000) / 10000
                // Velocity from the customer's own recent history (newest first).
                var count1h = 0, count24h = 0, count10m = 0, sum24h = 0.0, sum1h = 0.0
                let ringBase = 0
                let head = Int(i(c, L.ringHead).pointee), stored = Int(i(c, L.ringCount).pointee)
                for k in 0..<stored {
                    var idx = head - 1 - k
                    if idx < 0 { idx += Shard.ringSize }
                    let dt = t - i(c, L.ringTime)[ringBase + idx]
                    if dt >= 86400 { break }
                    let a = d(c, L.ringAmount)[ringBase + idx]
                    count24h += 1; sum24h += a
                    if dt < 3600 { count1h += 1; sum1h += a; if dt < 600 { count10m += 1 } }
                }
                x[S.count1h] = Double(count1h)
                x[S.count24h] = Double(count24h)
                x[S.sum24h] = roundedHalfAway(sum24h * 100) / 100
                x[S.ratio30d] = n30 > 0 ? roundedHalfAway((amount / avg30) * 10000) / 10000 : 1
                x[20] = Double(count10m)
                x[21] = roundedHalfAway(sum1h * 100) / 100
                x[22] = n7 > 0 ? roundedHalfAway((amount / avg7) * 10000) / 10000 : 1
                let cb = 0
                if frozen {
                    x[23] = d(c, L.cache)[cb]; x[24] = d(c, L.cache)[cb + 1]; x[25] = d(c, L.cache)[cb + 2]; x[26] = d(c, L.cache)[cb + 3]
                } else {
                    x[23] = x[S.count1h]; x[24] = x[S.count24h]; x[25] = x[S.sum24h]; x[26] = x[S.ratio30d]
                }
                // Risk and label (labels and resampling use their own stream, so x never depends on them).
                let z = plan.intercept + RiskFunction.risk(x, weights: weights.baseAddress!, boost: plan.boost)
                let probability = RiskFunction.sigmoid(z)
                let y = uniform01(&lrng) < probability
                var keep = true
                if e.shadow { keep = y } else if y && plan.fraudKeep < 1 { keep = uniform01(&lrng) < plan.fraudKeep }
                if !e.shadow {
                    // The world moves on: update the customer's state.
                    let w = Int(i(c, L.ringHead).pointee)
                    i(c, L.ringTime)[ringBase + w] = t; d(c, L.ringAmount)[ringBase + w] = amount
                    i(c, L.ringHead).pointee = Int32((w + 1) % Shard.ringSize)
                    i(c, L.ringCount).pointee = Int32(Swift.min(Shard.ringSize, stored + 1))
                    let bk = ((day % Shard.bucketDays) + Shard.bucketDays) % Shard.bucketDays
                    if Int(i(c, L.bucketDay)[bk]) != day {
                        i(c, L.bucketDay)[bk] = Int32(day); d(c, L.bucketSum)[bk] = 0; i(c, L.bucketCount)[bk] = 0
                        i(c, L.bucketMask).pointee |= Int32(bitPattern: 1 << UInt32(bk))
                    }
                    d(c, L.bucketSum)[bk] += amount; i(c, L.bucketCount)[bk] += 1
                    if isNew {
                        let mh = Int(i(c, L.merchantHead).pointee)
                        i(c, L.merchantRing)[mh] = e.merchant
                        i(c, L.merchantHead).pointee = Int32((mh + 1) % Shard.merchantMemory)
                        i(c, L.merchantCount).pointee = Int32(Swift.min(Shard.merchantMemory, known + 1))
                    }
                    if !frozen { d(c, L.cache)[cb] = x[S.count1h]; d(c, L.cache)[cb + 1] = x[S.count24h]; d(c, L.cache)[cb + 2] = x[S.sum24h]; d(c, L.cache)[cb + 3] = x[S.ratio30d] }
                }
                if !keep { continue }
                var chargeback = Shard.never
                if y && uniform01(&lrng) < plan.reportProbability {
                    let delay = lrng.lognormal(mu: labelMu, sigma: labelSigma) * plan.delayMultiplier
                    let arrival = day + Swift.max(1, Int(Swift.min(delay, 1e6).rounded(.up)))
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
        out.count = written
        buffers = out
        swap(&events, &self.events)
        return out
    }

    /// Poisson(lambda) drawing exactly what `rng.poisson(lambda)` draws (Knuth's product method
    /// below 30), but for lambda < 1 it compares the running product with Taylor bounds of
    /// exp(-lambda) (S5 <= e^-x <= S4 for x > 0) and calls `exp` only when a product falls between
    /// them: most customers make no transaction on a day, and their first draw is decided at once.
    @inline(__always) static func poissonVolume(_ lambda: Double, _ rng: inout Xoshiro256StarStar) -> Int {
        guard lambda > 0 && lambda < 1 else { return rng.poisson(lambda) }
        let l2 = lambda * lambda
        let upper = 1 - lambda + l2 * (0.5 - lambda / 6 + l2 / 24) + 1e-12
        let lower = upper - l2 * l2 * lambda / 120 - 2e-12
        var limit = -1.0  // exp(-lambda) once needed
        var k = 0
        var p = uniform01(&rng)
        while true {
            let above: Bool
            if p > upper { above = true } else if p < lower { above = false } else {
                if limit < 0 { limit = exp(-lambda) }
                above = p > limit
            }
            if !above { return k }
            k += 1
            p *= uniform01(&rng)
        }
    }
}
