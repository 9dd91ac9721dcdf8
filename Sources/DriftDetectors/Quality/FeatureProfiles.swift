import Foundation
import DriftCore

/// The role of a monitored feature, restated here because DriftDetectors does not depend on the
/// simulator (DriftSim's `ServedFeatures.Role` has the same meaning).
public enum MonitoredRole: String, Sendable, CaseIterable {
    /// A real-valued measurement (amount, distance, a risk score).
    case numeric
    /// 0 or 1.
    case boolean
    /// A per-customer counter computed from recent history (txn_count_24h, amount_sum_24h).
    case velocity
    /// A label from a set of categories.
    case categorical
    /// The hour of day, 0 to 23 (numeric, but checked for time-zone shifts).
    case hourOfDay
}

/// What the monitors keep of a numeric reference column: counts, a quantile sketch and a few
/// summary figures. Fitted once; each window is compared with it.
public struct NumericReference: Sendable, Equatable {
    public let name: String
    /// Rows, missing (NaN) rows and unparseable cells in the reference.
    public let count: Int
    public let missingCount: Int
    public let unparseableCount: Int
    /// Finite values in the reference.
    public let finiteCount: Int
    /// Up to `sketchSize` order statistics at evenly spaced ranks: the reference's distribution.
    public let sketch: [Double]
    public let minimum: Double
    public let maximum: Double
    public let median: Double
    /// Lower and upper 1 % quantiles: the winsorising limits of the variance-collapse check.
    public let lowerClip: Double
    public let upperClip: Double
    /// Variance of the reference values winsorised to [lowerClip, upperClip].
    public let winsorizedVariance: Double
    /// Most frequent value and its share among finite values.
    public let modalValue: Double
    public let modalShare: Double

    public static let sketchSize = 8192

    /// Fits the reference from raw values (NaN = missing). `unparseable` counts cells that were
    /// text in a numeric column (already NaN in `values`).
    public init(name: String, values: [Double], unparseable: Int = 0) {
        self.name = name
        count = values.count
        var missing = 0
        for v in values where v.isNaN { missing += 1 }
        missingCount = missing
        unparseableCount = unparseable
        let sorted = MonitorStatistics.sortedFinite(values)
        finiteCount = sorted.count
        if sorted.isEmpty {
            sketch = []; minimum = .nan; maximum = .nan; median = .nan; lowerClip = .nan; upperClip = .nan
            winsorizedVariance = .nan; modalValue = .nan; modalShare = 0
            return
        }
        let k = Swift.min(sorted.count, Self.sketchSize)
        if k == sorted.count { sketch = sorted } else {
            sketch = (0..<k).map { sorted[Swift.min(sorted.count - 1, Int((Double($0) + 0.5) / Double(k) * Double(sorted.count)))] }
        }
        minimum = sorted[0]
        maximum = sorted[sorted.count - 1]
        median = Descriptive.quantile(sorted: sorted, 0.5)
        lowerClip = Descriptive.quantile(sorted: sorted, 0.01)
        upperClip = Descriptive.quantile(sorted: sorted, 0.99)
        winsorizedVariance = NumericWindow.winsorizedVariance(sorted: sorted, lower: lowerClip, upper: upperClip)
        let mode = NumericWindow.longestRun(sorted: sorted)
        modalValue = mode.value
        modalShare = Double(mode.length) / Double(sorted.count)
    }

    /// True when every reference value is >= 0: negatives are then impossible values.
    public var isNonNegative: Bool { !(minimum < 0) }

    /// Mid-rank of `v` in the reference, (#below + #at/2)/n, from the sketch: 0.5 at the median.
    func midRank(of v: Double) -> Double {
        guard !sketch.isEmpty else { return .nan }
        return sketch.withUnsafeBufferPointer { b in
            let upper = MonitorStatistics.countAtMost(b, v)
            let lower = MonitorStatistics.countAtMost(b, v.nextDown)
            return (Double(lower) + Double(upper - lower) / 2) / Double(b.count)
        }
    }

    /// Share of reference values equal to `v` (from the sketch).
    func share(of v: Double) -> Double {
        guard !sketch.isEmpty else { return 0 }
        return sketch.withUnsafeBufferPointer { b in
            let upper = MonitorStatistics.countAtMost(b, v)
            let lower = MonitorStatistics.countAtMost(b, v.nextDown)
            return Double(upper - lower) / Double(b.count)
        }
    }
}

/// A numeric window prepared once for all checks: its finite values sorted, its counts.
public struct NumericWindow: Sendable, Equatable {
    public let count: Int
    public let missingCount: Int
    /// ±infinity values (impossible values: counted as range violations).
    public let infiniteCount: Int
    public let unparseableCount: Int
    public let sorted: [Double]

    public init(values: [Double], unparseable: Int = 0) {
        count = values.count
        var missing = 0, infinite = 0
        values.withUnsafeBufferPointer { b in
            for v in b { if v.isNaN { missing += 1 } else if v.isInfinite { infinite += 1 } }
        }
        missingCount = missing
        infiniteCount = infinite
        unparseableCount = unparseable
        sorted = MonitorStatistics.sortedFinite(values)
    }

    /// As `init(values:unparseable:)`, taking the finite values from `sample`, the same values
    /// already sorted by `NumericSample` (the drift baseline sorts every window column once for both).
    init(values: [Double], unparseable: Int = 0, sample: NumericSample) {
        count = values.count
        var infinite = 0
        values.withUnsafeBufferPointer { b in
            for v in b where v.isInfinite { infinite += 1 }
        }
        missingCount = sample.missingCount
        infiniteCount = infinite
        unparseableCount = unparseable
        // NumericSample drops NaNs; ±infinity sort to the ends.
        let s = sample.sorted
        var lo = 0, hi = s.count
        while lo < hi && s[lo] == -.infinity { lo += 1 }
        while hi > lo && s[hi - 1] == .infinity { hi -= 1 }
        sorted = lo == 0 && hi == s.count ? s : Array(s[lo..<hi])
    }

    /// Present (non-missing) rows, finite or not.
    public var presentCount: Int { count - missingCount }

    static func longestRun(sorted: [Double]) -> (value: Double, length: Int) {
        guard !sorted.isEmpty else { return (.nan, 0) }
        var best = sorted[0], bestLength = 1, run = 1
        sorted.withUnsafeBufferPointer { b in
            for i in 1..<b.count {
                if b[i] == b[i - 1] { run += 1 } else { run = 1 }
                if run > bestLength { bestLength = run; best = b[i] }
            }
        }
        return (best, bestLength)
    }

    static func winsorizedVariance(sorted: [Double], lower: Double, upper: Double) -> Double {
        guard sorted.count > 1 else { return .nan }
        var n = 0.0, mean = 0.0, m2 = 0.0
        sorted.withUnsafeBufferPointer { b in
            for v0 in b {
                let v = Swift.min(upper, Swift.max(lower, v0))
                n += 1
                let d = v - mean
                mean += d / n
                m2 += d * (v - mean)
            }
        }
        return m2 / (n - 1)
    }
}

/// What the monitors keep of a categorical reference column: level names and counts.
public struct CategoricalProfile: Sendable, Equatable {
    public let name: String
    public let levels: [String]
    public let counts: [Int]
    public let count: Int
    public let missingCount: Int

    public init(name: String, column: CategoricalColumn) {
        self.name = name
        levels = column.levels
        var counts = [Int](repeating: 0, count: column.levels.count)
        var missing = 0
        column.codes.withUnsafeBufferPointer { b in
            for c in b { if c < 0 || Int(c) >= counts.count { missing += 1 } else { counts[Int(c)] += 1 } }
        }
        self.counts = counts
        self.count = column.codes.count
        missingCount = missing
    }

    public var presentCount: Int { count - missingCount }
}

/// A categorical window's counts per level name (its own levels), prepared once for all checks.
public struct CategoricalWindow: Sendable, Equatable {
    public let levels: [String]
    public let counts: [Int]
    public let count: Int
    public let missingCount: Int

    public init(column: CategoricalColumn) {
        let r = CategoricalProfile(name: "", column: column)
        levels = r.levels; counts = r.counts; count = r.count; missingCount = r.missingCount
    }

    public var presentCount: Int { count - missingCount }
}
