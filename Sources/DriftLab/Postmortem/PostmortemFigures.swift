import DriftCore
import DriftDetectors
import Foundation

/// The figures behind the postmortem's text, as tables (written as CSV so that every number in
/// postmortem.md can be traced to a row).
extension PostmortemResult {
    /// Weekly cohorts (7-day bins from the first log day) as known on the last day.
    public struct Week: Sendable {
        public var from: Int
        public var to: Int
        public var rows: Int
        public var recall: Rate
        public var precision: Rate
        public var alertRate: Rate
        public var missedAmount: Double
    }

    public var weeks: [Week] {
        guard let d = symptom?.daily else { return [] }
        var out: [Week] = []
        var a = d.firstDay
        while a <= d.firstDay + d.days - 1 {
            let b = min(a + 6, d.firstDay + d.days - 1)
            var amount = 0.0, rows = 0
            for k in d.indices(from: a, to: b) { amount += d.missedAmount[k]; rows += d.rows[k] }
            out.append(Week(from: a, to: b, rows: rows, recall: d.recall(from: a, to: b), precision: d.precision(from: a, to: b),
                            alertRate: d.alertRate(from: a, to: b), missedAmount: amount))
            a += 7
        }
        return out
    }

    /// Distribution of the root-cause feature: reference, logs before the change, logs after
    /// (10 reference-quantile bins plus missing for a number, the levels for a category).
    public var rootFeatureDistribution: (feature: String, bins: [String], reference: [Double], before: [Double], after: [Double])? {
        guard let f = rootCause.feature, let ref = reference.features[f], let col = logs.features[f] else { return nil }
        let split = logs.rows(from: logs.firstDay, to: rootCause.from - 1).upperBound
        switch (ref, col) {
        case let (.numeric(r), .numeric(v)):
            let sorted = RadixSort.sorted(r.filter { !$0.isNaN })
            guard !sorted.isEmpty else { return nil }
            var edges: [Double] = []
            for q in 1..<10 { edges.append(Descriptive.quantile(sorted: sorted, Double(q) / 10)) }
            func shares<S: Sequence>(_ xs: S) -> [Double] where S.Element == Double {
                var c = [Double](repeating: 0, count: 11), n = 0.0
                for x in xs { n += 1; c[x.isNaN ? 10 : (edges.firstIndex { x <= $0 } ?? 9)] += 1 }
                return c.map { n > 0 ? $0 / n : 0 }
            }
            var labels: [String] = []
            for k in 0..<10 {
                let lo = k == 0 ? sorted[0] : edges[k - 1], hi = k == 9 ? sorted[sorted.count - 1] : edges[k]
                labels.append("\(JSON.format((lo * 1000).rounded() / 1000))..\(JSON.format((hi * 1000).rounded() / 1000))")
            }
            labels.append("missing")
            return (f, labels, shares(r), shares(v[0..<split]), shares(v[split...]))
        case let (.categorical(r), .categorical(v)):
            let levels = v.levels
            func shares<S: Sequence>(_ xs: S) -> [Double] where S.Element == Int32 {
                var c = [Double](repeating: 0, count: levels.count + 1), n = 0.0
                for x in xs { n += 1; c[x < 0 ? levels.count : Int(x)] += 1 }
                return c.map { n > 0 ? $0 / n : 0 }
            }
            let refCodes = r.codes.map { code -> Int32 in code < 0 ? -1 : Int32(levels.firstIndex(of: r.levels[Int(code)]) ?? -1) }
            return (f, levels + ["missing"], shares(refCodes), shares(v.codes[0..<split]), shares(v.codes[split...]))
        default: return nil
        }
    }
}

/// Number formatting for the figures and the text.
enum Fmt {
    static func p(_ x: Double, _ decimals: Int = 1) -> String { Postmortem.percent(x, decimals: decimals) }
    static func rate(_ r: Rate) -> String {
        guard r.trials > 0 else { return "n/a (no labels)" }
        let ci = r.interval
        return "\(p(r.value)) [\(p(ci.lower)), \(p(ci.upper))] (\(r.successes)/\(r.trials))"
    }
    static func num(_ x: Double, _ decimals: Int = 4) -> String {
        guard x.isFinite else { return "" }
        let q = pow(10.0, Double(decimals))
        return JSON.format((x * q).rounded() / q)
    }
    static func money(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        let whole = Int(x.rounded())
        var s = String(abs(whole)), out = ""
        while s.count > 3 { out = "," + s.suffix(3) + out; s = String(s.dropLast(3)) }
        return (whole < 0 ? "-" : "") + s + out
    }
}
