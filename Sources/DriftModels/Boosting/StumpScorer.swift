import DriftCore
import Foundation

/// A stump ensemble compiled to one step function per feature in the original units, so that
/// scoring a table reads each raw value once and compares it with the few thresholds the stumps
/// used (not all 254 bin edges). Gives exactly the logits of binning then `predictLogit`.
public struct StumpScorer: Sendable {
    enum Step: Sendable {
        /// Value v falls in segment #{c in cuts : c < v}; NaN takes `missing`.
        case numeric(name: String, cuts: [Double], values: [Double], missing: Double)
        /// Per binned level its contribution; missing, unseen and pooled levels take `missing`.
        case categorical(name: String, levels: [String], values: [Double], missing: Double)
    }
    let base: Double
    let steps: [Step]

    public init(model: GradientBoostedStumpsModel, binning: HistogramBinning) {
        base = model.baseScore
        var steps: [Step] = []
        for (f, feature) in binning.features.enumerated() where f < model.tables.count && !model.tables[f].isEmpty {
            let t = model.tables[f]
            let missing = t[Int(BinnedMatrix.missingBin)]
            switch feature {
            case let .numeric(name, thresholds):
                var cuts: [Double] = [], values: [Double] = [t[0]]
                for b in 0..<thresholds.count where t[b + 1] != t[b] {
                    cuts.append(thresholds[b]); values.append(t[b + 1])
                }
                steps.append(.numeric(name: name, cuts: cuts, values: values, missing: missing))
            case let .categorical(name, levels):
                steps.append(.categorical(name: name, levels: levels, values: levels.indices.map { t[$0] }, missing: missing))
            }
        }
        self.steps = steps
    }

    /// Log-odds per row; what the encoding had to serve is counted as `HistogramBinning.bin` does.
    public func logits(_ table: Table, binning: HistogramBinning) -> ([Double], EncodingReport) {
        let n = table.rowCount
        var z = [Double](repeating: base, count: n)
        var report = EncodingReport()
        for feature in binning.features where table[feature.name] == nil {
            report.absentColumns.append(feature.name); report.missing[feature.name] = n
        }
        z.withUnsafeMutableBufferPointer { z in
            for step in steps {
                switch step {
                case let .numeric(name, cuts, values, missing):
                    guard let column = table[name] else { for i in 0..<n { z[i] += missing }; continue }
                    let x = numericView(of: column)
                    var missingCount = 0, infinite = 0
                    x.withUnsafeBufferPointer { x in
                        cuts.withUnsafeBufferPointer { c in
                            values.withUnsafeBufferPointer { v in
                                let k = c.count
                                for i in 0..<n {
                                    let value = x[i]
                                    if value.isNaN { missingCount += 1; z[i] += missing; continue }
                                    if value.isInfinite { infinite += 1 }
                                    var segment = 0
                                    if k <= 8 {
                                        for j in 0..<k { segment &+= c[j] < value ? 1 : 0 }
                                    } else {
                                        var lo = 0, hi = k
                                        while lo < hi { let mid = (lo + hi) >> 1; if c[mid] < value { lo = mid + 1 } else { hi = mid } }
                                        segment = lo
                                    }
                                    z[i] += v[segment]
                                }
                            }
                        }
                    }
                    report.missing[name] = missingCount
                    if infinite > 0 { report.nonFinite[name] = infinite }
                case let .categorical(name, levels, values, missing):
                    guard let column = table[name] else { for i in 0..<n { z[i] += missing }; continue }
                    let cat = categoricalView(of: column)
                    var index: [String: Int] = [:]
                    for (k, l) in levels.enumerated() { index[l] = k }
                    let contribution = cat.levels.map { l in index[l].map { values[$0] } ?? missing }
                    var levelCounts = [Int](repeating: 0, count: cat.levels.count)
                    var missingCount = 0
                    cat.codes.withUnsafeBufferPointer { codes in
                        for i in 0..<n {
                            let code = Int(codes[i])
                            if code < 0 { missingCount += 1; z[i] += missing } else { levelCounts[code] += 1; z[i] += contribution[code] }
                        }
                    }
                    for (k, l) in cat.levels.enumerated() where index[l] == nil && levelCounts[k] > 0 {
                        report.noteUnseen(name, l, count: levelCounts[k])
                    }
                    report.missing[name] = missingCount
                }
            }
        }
        // Features no stump uses still get their missing and unseen counts.
        let used = Set(steps.map { step -> String in
            switch step { case .numeric(let n, _, _, _), .categorical(let n, _, _, _): return n }
        })
        let unused = binning.features.filter { !used.contains($0.name) && table[$0.name] != nil }
        if !unused.isEmpty {
            let (_, r) = HistogramBinning(features: unused).bin(table)
            for (k, v) in r.missing { report.missing[k] = v }
            for (k, v) in r.nonFinite { report.nonFinite[k] = v }
            for (k, v) in r.unseenCategories { report.unseenCategories[k] = v }
            for (k, v) in r.unseenExamples { report.unseenExamples[k] = v }
        }
        return (z, report)
    }
}
