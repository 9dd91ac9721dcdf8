import DriftCore
import Foundation

/// Category counts of a reference column, computed once: the reference's levels with their
/// counts (missing values counted apart). Windows are aligned to these levels by name.
public struct CategoricalReference: Sendable, Equatable {
    public let levels: [String]
    public let counts: [Double]
    public let missingCount: Int
    private let index: [String: Int]

    public init(_ column: CategoricalColumn) {
        var c = [Double](repeating: 0, count: column.levels.count)
        var missing = 0
        for code in column.codes {
            if code < 0 || Int(code) >= c.count { missing += 1 } else { c[Int(code)] += 1 }
        }
        // Keep only levels that occur, in their order in the reference.
        var lv: [String] = [], ct: [Double] = [], idx: [String: Int] = [:]
        for (i, name) in column.levels.enumerated() where c[i] > 0 && idx[name] == nil {
            idx[name] = lv.count; lv.append(name); ct.append(c[i])
        }
        levels = lv; counts = ct; missingCount = missing; index = idx
    }

    /// A window's counts on the reference levels, plus its unseen levels (name and count, in
    /// order of first appearance) and its missing count.
    public func align(_ column: CategoricalColumn) -> (counts: [Double], unseen: [(String, Double)], missing: Int) {
        var raw = [Double](repeating: 0, count: column.levels.count)
        var missing = 0
        for code in column.codes {
            if code < 0 || Int(code) >= raw.count { missing += 1 } else { raw[Int(code)] += 1 }
        }
        var aligned = [Double](repeating: 0, count: levels.count)
        var unseen: [(String, Double)] = []
        for (i, name) in column.levels.enumerated() where raw[i] > 0 {
            if let j = index[name] { aligned[j] += raw[i] } else { unseen.append((name, raw[i])) }
        }
        return (aligned, unseen, missing)
    }
}

/// The categorical battery for one window against a `CategoricalReference`.
public struct CategoricalComparison: Sendable, Equatable {
    /// Pearson chi-squared statistic of the pooled 2 x K table, its degrees of freedom and p-value.
    public var chiSquared: Double
    public var degreesOfFreedom: Int
    public var pValue: Double
    public var populationStabilityIndex: Double
    public var jensenShannon: Double
    /// Share of the window's non-missing values whose category never occurs in the reference.
    public var unseenRate: Double
    public var currentCount: Int
    public var currentMissing: Int
    /// Categories folded into the pooled "rare" cell of the chi-squared table.
    public var pooledCategories: Int

    /// Compares category counts: columns are the reference levels plus one cell for all unseen
    /// levels; cells whose expected count is below `minExpected` in either row are pooled into one
    /// (pooled again with the smallest cell if the pool itself stays below it). Chi-squared then
    /// equals `scipy.stats.chi2_contingency(table, correction=False)` on that pooled table.
    public static func compare(reference: CategoricalReference, current column: CategoricalColumn,
                               minExpected: Double = 5) -> CategoricalComparison {
        let aligned = reference.align(column)
        let unseenTotal = aligned.unseen.reduce(0) { $0 + $1.1 }
        let ref = reference.counts + [0]
        let cur = aligned.counts + [unseenTotal]
        let nr = ref.reduce(0, +), nc = cur.reduce(0, +)
        let unseenRate = nc > 0 ? unseenTotal / nc : 0
        guard nr > 0, nc > 0 else {
            return CategoricalComparison(chiSquared: 0, degreesOfFreedom: 0, pValue: .nan, populationStabilityIndex: 0,
                                         jensenShannon: .nan, unseenRate: unseenRate, currentCount: Int(nc),
                                         currentMissing: aligned.missing, pooledCategories: 0)
        }
        let (table, pooled) = pooledTable(reference: ref, current: cur, minExpected: minExpected)
        let chi = chiSquaredContingency(table)
        return CategoricalComparison(
            chiSquared: chi.statistic, degreesOfFreedom: chi.degreesOfFreedom, pValue: chi.pValue,
            populationStabilityIndex: TwoSampleStatistics.populationStabilityIndex(reference: ref, current: cur),
            jensenShannon: TwoSampleStatistics.jensenShannonDistance(ref, cur),
            unseenRate: unseenRate, currentCount: Int(nc), currentMissing: aligned.missing, pooledCategories: pooled)
    }

    /// Pools columns of the 2 x K table whose expected count (row total x column total / N) is
    /// below `minExpected` in either row into a single last column; empty columns are dropped.
    static func pooledTable(reference: [Double], current: [Double], minExpected: Double) -> ([[Double]], Int) {
        let nr = reference.reduce(0, +), nc = current.reduce(0, +), n = nr + nc
        var keptR: [Double] = [], keptC: [Double] = [], poolR = 0.0, poolC = 0.0, pooled = 0
        for i in 0..<reference.count {
            let col = reference[i] + current[i]
            if col == 0 { continue }
            let e = Swift.min(nr, nc) * col / n
            if e < minExpected { poolR += reference[i]; poolC += current[i]; pooled += 1 } else { keptR.append(reference[i]); keptC.append(current[i]) }
        }
        if pooled > 0 {
            if Swift.min(nr, nc) * (poolR + poolC) / n < minExpected, !keptR.isEmpty {
                // Fold the still-too-small pool into the smallest kept cell.
                var smallest = 0
                for i in 1..<keptR.count where keptR[i] + keptC[i] < keptR[smallest] + keptC[smallest] { smallest = i }
                keptR[smallest] += poolR; keptC[smallest] += poolC
            } else {
                keptR.append(poolR); keptC.append(poolC)
            }
        }
        return ([keptR, keptC], pooled)
    }

    /// Pearson's chi-squared test of independence on an R x C table without Yates' correction
    /// (`scipy.stats.chi2_contingency(t, correction=False)`): Σ (O - E)²/E with E = row·col/N,
    /// dof (R-1)(C-1), p = Q(dof/2, X²/2). A table with dof 0 gives statistic 0 and p-value 1.
    public static func chiSquaredContingency(_ table: [[Double]]) -> (statistic: Double, degreesOfFreedom: Int, pValue: Double) {
        let rows = table.count, cols = table.first?.count ?? 0
        let rowTotals = table.map { $0.reduce(0, +) }
        var colTotals = [Double](repeating: 0, count: cols)
        for r in table { for j in 0..<cols { colTotals[j] += r[j] } }
        let n = rowTotals.reduce(0, +)
        let dof = Swift.max(rows - 1, 0) * Swift.max(cols - 1, 0)
        if dof == 0 || n == 0 { return (0, 0, 1) }
        var x2 = 0.0
        for i in 0..<rows {
            for j in 0..<cols {
                let e = rowTotals[i] * colTotals[j] / n
                if e > 0 { let d = table[i][j] - e; x2 += d * d / e }
            }
        }
        return (x2, dof, SpecialFunctions.chiSquaredSurvival(x2, degreesOfFreedom: Double(dof)))
    }

    /// Pearson goodness of fit of observed counts against expected counts rescaled to the same
    /// total (`scipy.stats.chisquare(f_obs, f_exp)`), dof K - 1.
    public static func chiSquaredGoodnessOfFit(observed: [Double], expected: [Double]) -> (statistic: Double, pValue: Double) {
        let no = observed.reduce(0, +), ne = expected.reduce(0, +)
        guard observed.count == expected.count, observed.count > 1, ne > 0 else { return (0, 1) }
        var x2 = 0.0
        for i in 0..<observed.count {
            let e = expected[i] * no / ne
            if e > 0 { let d = observed[i] - e; x2 += d * d / e }
        }
        return (x2, SpecialFunctions.chiSquaredSurvival(x2, degreesOfFreedom: Double(observed.count - 1)))
    }
}

/// Multiple-testing control across features. NaN p-values (features that could not be tested)
/// stay NaN and do not count towards the number of tests.
public enum MultipleTesting {
    public enum Method: String, Sendable, CaseIterable { case none, bonferroni, benjaminiHochberg = "bh" }

    public static func adjust(_ p: [Double], method: Method) -> [Double] {
        switch method {
        case .none: return p
        case .bonferroni: return bonferroni(p)
        case .benjaminiHochberg: return benjaminiHochberg(p)
        }
    }

    /// Bonferroni: min(1, p·m) (statsmodels `multipletests(method='bonferroni')`).
    public static func bonferroni(_ p: [Double]) -> [Double] {
        let m = Double(p.filter { !$0.isNaN }.count)
        return p.map { $0.isNaN ? .nan : Swift.min(1, $0 * m) }
    }

    /// Benjamini–Hochberg adjusted p-values: p_(i)·m/i made monotone from the largest down and
    /// capped at 1 (`scipy.stats.false_discovery_control(p, method='bh')`).
    public static func benjaminiHochberg(_ p: [Double]) -> [Double] {
        let tested = p.indices.filter { !p[$0].isNaN }
        let order = tested.sorted { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }
        let m = Double(order.count)
        var out = [Double](repeating: .nan, count: p.count)
        var running = 1.0
        for rank in stride(from: order.count - 1, through: 0, by: -1) {
            let i = order[rank]
            running = Swift.min(running, p[i] * m / Double(rank + 1))
            out[i] = Swift.min(running, 1)
        }
        return out
    }
}

/// The categorical chi-squared drift test as a `TwoSampleTest` (categories matched by name, rare
/// cells pooled); `CategoricalComparison.compare` gives the effect sizes too.
public struct CategoricalChiSquared: TwoSampleTest {
    public var minExpected: Double
    public init(minExpected: Double = 5) { self.minExpected = minExpected }
    public func compare(reference: CategoricalColumn, current: CategoricalColumn) -> TwoSampleOutcome {
        let r = CategoricalComparison.compare(reference: CategoricalReference(reference), current: current, minExpected: minExpected)
        return TwoSampleOutcome(statistic: r.chiSquared, pValue: r.pValue)
    }
}
