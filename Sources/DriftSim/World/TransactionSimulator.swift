import DriftCore
import Foundation

/// A scenario the simulator cannot run, with the JSON path of the offending field.
public enum SimulationError: Error, CustomStringConvertible, Equatable {
    case invalid(path: String, message: String)

    public var description: String {
        switch self {
        case .invalid(let path, let message): return "\(path): \(message)"
        }
    }
}

/// The simulated card-transaction world of a scenario, streamed one day at a time.
///
/// Usage: `let sim = try TransactionSimulator(scenario: s); for batch in sim.days(jobs: 4) { ... }`.
/// Each `DayBatch` holds one day's transactions as columns. Memory is one day plus the per-customer
/// state (about 1 KB per customer), never the whole run. The customers are split into a FIXED
/// number of shards generated in parallel from RNG streams derived from (seed, shard, day) and
/// merged in time order, so the same scenario and seed give identical batches on any thread count.
///
/// Construction runs a pilot of the failure-free world (the burn-in and the first reference days)
/// to tune the hidden risk's intercept by bisection so that the mean fraud probability equals
/// `population.baseFraudRate`, and to measure the reference statistics the injectors use.
public struct TransactionSimulator: Sendable {
    public static let shardCount = 64
    /// Days simulated before the reference period so that the customers' state is in its steady
    /// state: velocity and 30-day sums warm up in a month, but the 16-merchant memories of the
    /// less active customers fill for about five (the new-merchant share falls from 0.453 to 0.417
    /// and the foreign share rises from 0.097 to 0.107 over the first 150 days), and a reference
    /// taken before that drifts from production with no failure (docs/simulator.md, "Burn-in").
    public static let burnInDays = 180
    /// Rows of the pilot sample used to tune the intercept and measure reference statistics.
    public static let pilotRows = 200_000
    /// The chargeback day of a transaction whose chargeback never arrives.
    public static let never = Int32.max

    public let scenario: Scenario
    /// The intercept of the hidden risk (log-odds) reaching the base fraud rate.
    public let intercept: Double
    public let referenceStats: ReferenceStats
    let merchants: Merchants
    let rateScale: Double
    let segmentRateShare: [Double]
    let compromiseProbability: Double

    /// The customers' state as the pilot left it at the start of `day` (the first reference day, or
    /// earlier when the pilot had its rows sooner). The state never depends on the intercept and no
    /// failure acts before production, so `days()` resumes from copies of it instead of running the
    /// 180-day burn-in again: the same days as a stream from scratch (`WorldTests`). Nil when a
    /// failure starts before `day`.
    struct BurnIn: Sendable {
        let day: Int
        let shards: [Shard]
    }
    let burnIn: BurnIn?

    public init(scenario: Scenario) throws {
        try TransactionSimulator.check(scenario)
        self.scenario = scenario
        let p = scenario.population
        merchants = Merchants(count: p.merchants, seed: scenario.seed)
        let activity = zip(WorldTables.segmentShare, WorldTables.segmentActivity).map { $0 * $1 }
        let totalActivity = activity.reduce(0, +)
        rateScale = p.transactionsPerDay / Double(p.customers) / totalActivity
        segmentRateShare = activity.map { $0 / totalActivity }
        let meanCompromise = zip(WorldTables.segmentShare, WorldTables.segmentCompromise).map { $0 * $1 }.reduce(0, +)
        compromiseProbability = Swift.min(0.05, WorldTables.fraudsterShare * p.transactionsPerDay
            / (Double(p.customers) * 2 * WorldTables.burstPerDay * meanCompromise))
        // Pilot: the failure-free world with intercept 0 (x never depends on the intercept).
        var pilotScenario = scenario
        pilotScenario.failures = []
        let pilotSim = TransactionSimulator(scenario: pilotScenario, merchants: merchants, rateScale: rateScale,
                                            segmentRateShare: segmentRateShare, compromiseProbability: compromiseProbability,
                                            intercept: 0, stats: ReferenceStats())
        let pilot = pilotSim.days(jobs: Parallel.defaultJobs, includeBurnIn: true)
        var logits: [Double] = []
        var values = [[Double]](repeating: [], count: FeatureSchema.count)
        // The pilot measures the world in the state the reference starts from: the burn-in's last 30 days on.
        let skip = -scenario.referenceDays - 30
        var daysRun = 0
        var burnIn: BurnIn? = nil
        while logits.count < TransactionSimulator.pilotRows && daysRun < TransactionSimulator.burnInDays + 60 {
            if burnIn == nil && pilot.day == -scenario.referenceDays { burnIn = pilot.frozen() }
            guard let b = pilot.next() else { break }
            daysRun += 1
            if b.day < skip { continue }
            logits.append(contentsOf: b.riskLogit)
            for f in 0..<FeatureSchema.count {
                if FeatureSchema.isCategorical[f] { values[f].append(contentsOf: b.clean.codes[f].map(Double.init)) }
                else { values[f].append(contentsOf: b.clean.numeric[f]) }
            }
        }
        intercept = TransactionSimulator.tuneIntercept(logits, target: p.baseFraudRate)
        referenceStats = TransactionSimulator.measure(values)
        // The pilot ran without the failures: its state is the world's only up to the first failure's
        // day (files start failures in production; a scenario built in code could start one earlier).
        let frozen = burnIn ?? pilot.frozen()
        self.burnIn = scenario.failures.allSatisfy { $0.kind == .none || $0.startDay >= frozen.day } ? frozen : nil
    }

    init(scenario: Scenario, merchants: Merchants, rateScale: Double, segmentRateShare: [Double],
         compromiseProbability: Double, intercept: Double, stats: ReferenceStats) {
        self.scenario = scenario; self.merchants = merchants; self.rateScale = rateScale
        self.segmentRateShare = segmentRateShare; self.compromiseProbability = compromiseProbability
        self.intercept = intercept; referenceStats = stats
        burnIn = nil
    }

    /// A fresh stream of the days -referenceDays ..< productionDays, generated on up to `jobs` threads.
    public func days(jobs: Int = 1) -> DayStream { days(jobs: jobs, includeBurnIn: false) }

    func days(jobs: Int, includeBurnIn: Bool) -> DayStream {
        DayStream(simulator: self, jobs: jobs, includeBurnIn: includeBurnIn, burnIn: includeBurnIn ? nil : burnIn)
    }

    var planner: DayPlanner {
        DayPlanner(scenario: scenario, stats: referenceStats, intercept: intercept,
                   baseCategoryTables: WorldTables.segmentCategories.map { AliasTable(weights: $0) },
                   segmentRateShare: segmentRateShare, compromiseProbability: compromiseProbability)
    }

    /// The intercept b with mean(sigmoid(z + b)) = target: Newton's method on the increasing
    /// m(b) = mean(sigmoid(z + b)) (m'(b) = mean(s(1 - s))), inside a bisection bracket of
    /// [-40, 40] that takes over when a step leaves it; stops when a step is below 1e-12.
    static func tuneIntercept(_ z: [Double], target: Double) -> Double {
        if z.isEmpty { return log(target / (1 - target)) }
        var lo = -40.0, hi = 40.0, b = log(target / (1 - target))
        FastMath.powers.withUnsafeBufferPointer { powers in
            for _ in 0..<100 {
                var sum = 0.0, slope = 0.0
                for v in z { let s = FastMath.sigmoid(v + b, powers.baseAddress!); sum += s; slope += s * (1 - s) }
                let gap = sum / Double(z.count) - target
                if gap < 0 { lo = b } else { hi = b }
                var next = b - gap * Double(z.count) / slope
                if !(next > lo && next < hi) { next = (lo + hi) / 2 }
                let step = Swift.abs(next - b)
                b = next
                if step < 1e-12 || hi - lo < 1e-12 { break }
            }
        }
        return b
    }

    static func measure(_ values: [[Double]]) -> ReferenceStats {
        var s = ReferenceStats()
        for f in 0..<FeatureSchema.count where !values[f].isEmpty {
            let v = values[f]
            let mv = Descriptive.meanVarianceIgnoringNaN(v)
            s.mean[f] = mv.mean
            s.sd[f] = mv.variance > 0 ? mv.variance.squareRoot() : 1
            if ReferenceStats.usesLogScale(f) {
                let lv = Descriptive.meanVarianceIgnoringNaN(v.map { log(Swift.max($0, 1e-3)) })
                s.logMean[f] = lv.mean; s.logSD[f] = lv.variance > 0 ? lv.variance.squareRoot() : 1
            }
            let role = FeatureSchema.roles[f]
            if role == .categorical || role == .boolean {
                // The most frequent code, the smallest on ties (codes are small: count in an array).
                let top = v.reduce(0.0) { Swift.max($0, $1) }
                var mode = 0.0
                if v.allSatisfy({ $0 >= 0 && $0 < 4096 }) {
                    var counts = [Int](repeating: 0, count: Int(top) + 1)
                    for x in v { counts[Int(x)] += 1 }
                    var best = -1
                    for (k, n) in counts.enumerated() where n > best { best = n; mode = Double(k) }
                } else {
                    var counts: [Int: Int] = [:]
                    for x in v { counts[Int(x), default: 0] += 1 }
                    mode = Double(counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? 0)
                }
                s.median[f] = mode; s.stuckValue[f] = role == .boolean ? 1 : mode
            } else {
                let sorted = RadixSort.sorted(v)
                s.median[f] = Descriptive.quantile(sorted: sorted, 0.5)
                s.stuckValue[f] = Descriptive.quantile(sorted: sorted, 0.75)
            }
        }
        return s
    }

    /// Rejects what the generator cannot run (the scenario validator gives the friendly version).
    static func check(_ s: Scenario) throws {
        let p = s.population
        if p.customers < 1 { throw SimulationError.invalid(path: "population.customers", message: "must be at least 1; got \(p.customers)") }
        if p.merchants < 1 { throw SimulationError.invalid(path: "population.merchants", message: "must be at least 1; got \(p.merchants)") }
        if !(p.transactionsPerDay > 0 && p.transactionsPerDay < 1e9) {
            throw SimulationError.invalid(path: "population.transactions_per_day", message: "must be a positive number; got \(p.transactionsPerDay)")
        }
        if !(p.baseFraudRate > 0 && p.baseFraudRate < 0.5) {
            throw SimulationError.invalid(path: "population.base_fraud_rate", message: "must be in (0, 0.5); got \(p.baseFraudRate)")
        }
        if !(p.weeklySeasonality >= 0 && p.weeklySeasonality <= 1) {
            throw SimulationError.invalid(path: "population.weekly_seasonality", message: "must be in [0, 1]; got \(p.weeklySeasonality)")
        }
        if s.referenceDays < 1 { throw SimulationError.invalid(path: "reference_days", message: "must be at least 1; got \(s.referenceDays)") }
        if s.productionDays < 0 { throw SimulationError.invalid(path: "production_days", message: "must not be negative") }
        let ld = s.labelDelay
        if !(ld.medianDays > 0 && ld.tailDays >= ld.medianDays) {
            throw SimulationError.invalid(path: "label_delay", message: "needs median_days > 0 and tail_days >= median_days")
        }
        if !(ld.neverReportedShare >= 0 && ld.neverReportedShare <= 1) {
            throw SimulationError.invalid(path: "label_delay.never_reported_share", message: "must be in [0, 1]")
        }
        for (i, f) in s.failures.enumerated() where f.kind != .none {
            guard let entry = FailureCatalog.entry(kind: f.kind, subkind: f.subkind) else {
                throw SimulationError.invalid(path: "failures[\(i)].subkind", message: "unknown sub-kind '\(f.subkind)' of \(f.kind.rawValue); known: \(FailureCatalog.subkinds(of: f.kind).joined(separator: ", "))")
            }
            for name in f.features where FeatureSchema.index(of: name) == nil {
                throw SimulationError.invalid(path: "failures[\(i)].features", message: "unknown feature '\(name)'")
            }
            for p in entry.parameters {
                guard let value = f.parameters[p.name] else { continue }
                let path = "failures[\(i)].parameters.\(p.name)"
                switch (value, p.choices) {
                case (.number, .some(let choices)):
                    throw SimulationError.invalid(path: path, message: "must be one of \(choices.joined(separator: ", "))")
                case (.text, .none):
                    throw SimulationError.invalid(path: path, message: "must be a number")
                case (.text(let w), .some(let choices)) where !choices.contains(w):
                    throw SimulationError.invalid(path: path, message: "must be one of \(choices.joined(separator: ", ")); got '\(w)'")
                case (.number(let x), .none):
                    if let r = p.range, !r.contains(x) {
                        throw SimulationError.invalid(path: path, message: "must be in \(r.lowerBound)...\(r.upperBound); got \(x)")
                    }
                default: break
                }
            }
            let features = TransactionSimulator.features(of: f)
            if !entry.allowedRoles.isEmpty {
                for name in features where !entry.allowedRoles.contains(ServedFeatures.role(of: name) ?? .numeric) {
                    throw SimulationError.invalid(path: "failures[\(i)].features", message: "\(f.subkind) cannot act on '\(name)'")
                }
            }
            if f.subkind == "column_swap" && features.count != 2 {
                throw SimulationError.invalid(path: "failures[\(i)].features", message: "column_swap needs exactly 2 features")
            }
        }
    }

    /// The features a failure acts on: its own list, else the catalog's default.
    static func features(of f: FailureSpec) -> [String] {
        if !f.features.isEmpty { return f.features }
        return FailureCatalog.entry(kind: f.kind, subkind: f.subkind)?.defaultFeatures ?? []
    }
}

/// The days of a simulation, in order: a `Sequence` of `DayBatch`. Holds the shards' state, so
/// iterate it once; ask the simulator for a new stream to start again.
public final class DayStream: Sequence, IteratorProtocol {
    public let simulator: TransactionSimulator
    public let jobs: Int
    let shards: [Shard]
    private let planner: DayPlanner
    private let outages: Outages
    private(set) var day: Int
    private let firstEmitted: Int
    private(set) var nextID: Int64 = 0
    /// Row-major scratch of the merge, kept across days (fresh memory every day costs page faults).
    private var scratch = RawDoubles(count: 0)

    deinit { scratch.free() }

    /// From the world's first burn-in day, or from copies of `burnIn`'s shards at its day.
    init(simulator: TransactionSimulator, jobs: Int, includeBurnIn: Bool, burnIn: TransactionSimulator.BurnIn?) {
        self.simulator = simulator
        self.jobs = Swift.max(1, jobs)
        let s = simulator.scenario
        let firstDay = -s.referenceDays - TransactionSimulator.burnInDays
        if let b = burnIn {
            shards = b.shards.map { $0.copy(scenario: s, rateScale: simulator.rateScale) }
            day = b.day
        } else {
            let c = s.population.customers, k = TransactionSimulator.shardCount
            shards = (0..<k).map { i in
                Shard(index: i, first: i * c / k, count: (i + 1) * c / k - i * c / k, scenario: s,
                      merchants: simulator.merchants, firstDay: firstDay, rateScale: simulator.rateScale)
            }
            day = firstDay
        }
        planner = simulator.planner
        outages = Outages(s)
        firstEmitted = includeBurnIn ? firstDay : -s.referenceDays
    }

    /// Resumes a world at the start of `day` from copies of its shards (`WorldSnapshot.resume`).
    init(simulator: TransactionSimulator, jobs: Int, shards: [Shard], day: Int, nextID: Int64) {
        self.simulator = simulator
        self.jobs = Swift.max(1, jobs)
        self.shards = shards
        planner = simulator.planner
        outages = Outages(simulator.scenario)
        self.day = day
        firstEmitted = day
        self.nextID = nextID
    }

    /// The next day's batch, or nil after the last production day.
    public func next() -> DayBatch? {
        let last = simulator.scenario.productionDays - 1
        while day < firstEmitted { _ = generate(day, emit: false); day += 1 }
        guard day <= last else { return nil }
        let batch = generate(day, emit: true)
        day += 1
        return batch
    }

    /// One day; burn-in days (`emit` false) advance the world but take no transaction ids.
    private func generate(_ day: Int, emit: Bool) -> DayBatch {
        let plan = planner.plan(day: day)
        let shards = self.shards, outages = self.outages
        let parts = (try? Parallel.map(shards.count, jobs: jobs) { shards[$0].generate(plan, outages: outages) }) ?? []
        var batch = DayStream.merge(parts, day: day, jobs: jobs, active: DayPlan.active(simulator.scenario, day: day).map {
            ActiveFailure(index: $0.index, kind: $0.spec.kind, subkind: $0.spec.subkind, strength: $0.strength)
        }, scratch: &scratch)
        if emit {
            for i in 0..<batch.count { batch.transactionID[i] = nextID + Int64(i) }
            nextID += Int64(batch.count)
        }
        if !batch.activeFailures.isEmpty {
            Injectors.apply(to: &batch, scenario: simulator.scenario, stats: simulator.referenceStats)
        }
        return batch
    }

    /// Merges the shards' rows into one batch in time order (stable: shard, then customer order).
    /// Destinations come from a counting sort on the second of the day; the label and score
    /// columns are scattered one per task, and whole rows (216 contiguous bytes) are gathered, then
    /// transposed into columns (categorical ones as codes) in cache-sized blocks, in parallel over
    /// disjoint ranges, so the result does not depend on `jobs`.
    static func merge(_ parts: [ShardDay], day: Int, jobs: Int = 1, active: [ActiveFailure], scratch: inout RawDoubles) -> DayBatch {
        let n = parts.reduce(0) { $0 + $1.count }
        var b = DayBatch(day: day, count: n, activeFailures: active)
        var start = [Int](repeating: 0, count: 86401)
        for p in parts where p.count > 0 {
            let second = p.second
            for i in 0..<p.count { start[Int(second[i]) + 1] += 1 }
        }
        for s in 0..<86400 { start[s + 1] += start[s] }
        var destinations: [[Int]] = []
        for p in parts {
            var d = [Int](repeating: 0, count: p.count)
            if p.count > 0 {
                let second = p.second
                for i in 0..<p.count { let s = Int(second[i]); d[i] = start[s]; start[s] += 1 }
            }
            destinations.append(d)
        }
        let destinationsByPart = destinations
        // The label, score and bookkeeping columns, one task each.
        let sides = (try? Parallel.map(7, jobs: jobs) { k -> SideColumn in
            func scatter<T>(_ source: (ShardDay) -> UnsafeMutablePointer<T>) -> [T] {
                DayStream.scatter(parts, to: destinationsByPart, count: n, source)
            }
            switch k {
            case 0: return .int32(scatter { $0.second })
            case 1: return .int32(scatter { $0.customer })
            case 2: return .bytes(scatter { $0.y })
            case 3: return .doubles(scatter { $0.probability })
            case 4: return .doubles(scatter { $0.logit })
            case 5: return .int32(scatter { $0.chargeback })
            default: return .bytes(scatter { $0.flags })
            }
        }) ?? []
        b.transactionID = [Int64](repeating: 0, count: n)
        b.secondOfDay = sides[0].int32s
        b.customerID = sides[1].int32s
        b.isFraud = sides[2].bytes
        b.fraudProbability = sides[3].doubles
        b.riskLogit = sides[4].doubles
        b.chargebackDay = sides[5].int32s
        let flags = sides[6].bytes
        func column<T>(_ fill: (UnsafeMutablePointer<T>) -> Void) -> [T] {
            [T](unsafeUninitializedCapacity: n) { buffer, filled in
                if n > 0 { fill(buffer.baseAddress!) }
                filled = n
            }
        }
        b.isCompromised = column { out in for i in 0..<n { out[i] = (flags[i] >> 2) & 1 } }
        b.isResampled = column { out in for i in 0..<n { out[i] = (flags[i] >> 1) & 1 } }
        b.staleCustomer = column { out in for i in 0..<n { out[i] = flags[i] & 1 } }
        b.alteredMask = [UInt32](repeating: 0, count: n)
        b.textMask = [UInt32](repeating: 0, count: n)
        b.isDuplicate = [UInt8](repeating: 0, count: n)
        b.activeKindsMask = [UInt8](repeating: b.activeKinds, count: n)
        let stride = Shard.stride
        let needsExtra = active.contains { $0.subkind == "definition_skew" || $0.subkind == "stale" }
        let width = needsExtra ? stride : FeatureSchema.count
        if scratch.count < n * stride { scratch.free(); scratch = RawDoubles(count: n * stride * 5 / 4 + 1024) }
        let sorted = scratch
        // The value columns are the batch's own arrays (categorical features as codes); the tasks
        // write through their base addresses.
        let isCategorical = (0..<width).map { $0 < FeatureSchema.count && FeatureSchema.isCategorical[$0] }
        var columns: [[Double]] = (0..<width).map { isCategorical[$0] ? [] : [Double](unsafeUninitializedCapacity: n) { _, filled in filled = n } }
        var codeColumns: [[Int32]] = (0..<width).map { isCategorical[$0] ? [Int32](unsafeUninitializedCapacity: n) { _, filled in filled = n } : [] }
        var pointers: [UnsafeMutableRawPointer] = []
        for k in 0..<width {
            if isCategorical[k] {
                codeColumns[k].withUnsafeMutableBufferPointer { pointers.append(UnsafeMutableRawPointer($0.baseAddress!)) }
            } else {
                columns[k].withUnsafeMutableBufferPointer { pointers.append(UnsafeMutableRawPointer($0.baseAddress!)) }
            }
        }
        let targets = ColumnPointers(pointers: pointers)
        // Gather rows into time order, one shard per task (destinations are disjoint).
        _ = try? Parallel.map(parts.count, jobs: jobs) { k in
            let rows = parts[k].rows
            let dest = destinationsByPart[k]
            // An inline copy of the row's first `width` values (the 20 features, or all 27 when a
            // stale cache or a definition skew needs the rest) into rows of `width` in the scratch.
            for i in 0..<dest.count {
                let to = sorted.base + dest[i] &* width, from = rows + i &* stride
                for c in 0..<width { to[c] = from[c] }
            }
        }
        // Transpose blocks of 256 rows (55 KB, cache resident); tasks own disjoint row ranges.
        let blocks = (n + 4095) / 4096
        _ = try? Parallel.map(blocks, jobs: jobs) { k in
            let end = Swift.min(n, (k + 1) * 4096)
            var lo = k * 4096
            while lo < end {
                let hi = Swift.min(end, lo + 256)
                for c in 0..<width {
                    if isCategorical[c] {
                        let col = targets.pointers[c].assumingMemoryBound(to: Int32.self)
                        for i in lo..<hi { col[i] = Int32(sorted.base[i * width + c]) }
                    } else {
                        let col = targets.pointers[c].assumingMemoryBound(to: Double.self)
                        for i in lo..<hi { col[i] = sorted.base[i * width + c] }
                    }
                }
                lo = hi
            }
        }
        var numeric = b.clean.numeric, codes = b.clean.codes
        for f in 0..<FeatureSchema.count {
            if isCategorical[f] { codes[f] = codeColumns[f] } else { numeric[f] = columns[f] }
        }
        let extra = (0..<7).map { needsExtra ? columns[FeatureSchema.count + $0] : [] }
        b.clean.numeric = numeric; b.clean.codes = codes
        b.served = b.clean
        // Alternative definitions (10-minute count, 1-hour count, 1-hour sum, 7-day ratio) and the cache.
        b.alternative = [extra[0], numeric[FeatureSchema.count1h], extra[1], extra[2]]
        b.cached = [extra[3], extra[4], extra[5], extra[6]]
        return b
    }
}

extension DayStream {
    /// Column `source` of every shard, each row to its destination in the day (`count` rows).
    static func scatter<T>(_ parts: [ShardDay], to destinations: [[Int]], count n: Int,
                           _ source: (ShardDay) -> UnsafeMutablePointer<T>) -> [T] {
        [T](unsafeUninitializedCapacity: n) { out, filled in
            for (p, dest) in zip(parts, destinations) where p.count > 0 {
                let values = source(p)
                dest.withUnsafeBufferPointer { d in for i in 0..<p.count { out[d[i]] = values[i] } }
            }
            filled = n  // the destinations cover every row once
        }
    }
}

/// A merged column of one of three element types, as a parallel task returns it.
enum SideColumn: Sendable {
    case int32([Int32]), bytes([UInt8]), doubles([Double])
    var int32s: [Int32] { if case .int32(let v) = self { return v }; return [] }
    var bytes: [UInt8] { if case .bytes(let v) = self { return v }; return [] }
    var doubles: [Double] { if case .doubles(let v) = self { return v }; return [] }
}

/// A raw buffer of doubles shared by parallel tasks that write disjoint ranges (merge only).
struct RawDoubles: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    let count: Int
    init(count: Int) {
        self.count = count
        base = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
    }
    func free() { base.deallocate() }
}

/// Base addresses of the merge's output columns (Double, or Int32 codes), written by parallel
/// tasks over disjoint rows.
struct ColumnPointers: @unchecked Sendable {
    let pointers: [UnsafeMutableRawPointer]
}
