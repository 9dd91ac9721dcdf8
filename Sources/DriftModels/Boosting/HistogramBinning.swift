import DriftCore
import Foundation

/// Features as small integer bins, column-major (`bins[f * rows + i]`), one column per original
/// feature. Bin `missingBin` (255) holds missing values; real bins are 0 ..< 255.
public struct BinnedMatrix: Sendable, Equatable {
    public static let missingBin: UInt8 = 255
    public let rows: Int
    public let featureNames: [String]
    public var bins: [UInt8]

    public init(rows: Int, featureNames: [String], bins: [UInt8]) {
        precondition(bins.count == rows * featureNames.count, "BinnedMatrix: bins must be rows x features")
        self.rows = rows; self.featureNames = featureNames; self.bins = bins
    }

    public var features: Int { featureNames.count }

    /// Keeps the rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> BinnedMatrix {
        let m = indices.count
        var out = [UInt8](repeating: 0, count: m * features)
        for f in 0..<features {
            let s = f * rows, d = f * m
            for (k, i) in indices.enumerated() { out[d + k] = bins[s + i] }
        }
        return BinnedMatrix(rows: m, featureNames: featureNames, bins: out)
    }
}

/// Quantile histogram bins fitted on the reference, as scikit-learn's `_BinMapper`: numeric
/// features with at most `maxBins` distinct values get a bin per value (thresholds at midpoints),
/// others get `maxBins` bins at the reference's quantiles (midpoint percentiles). A value x goes to
/// bin #{thresholds t : t < x}. Categorical levels get a bin each, most frequent first; levels beyond
/// `maxBins`, unseen levels and missing values share the missing bin (as scikit-learn does).
public struct HistogramBinning: Sendable, Equatable {
    public enum Feature: Sendable, Equatable {
        case numeric(name: String, thresholds: [Double])
        case categorical(name: String, levels: [String])
        public var name: String {
            switch self { case .numeric(let n, _): return n; case .categorical(let n, _): return n }
        }
        public var isCategorical: Bool { if case .categorical = self { return true } else { return false } }
        /// The number of real (non-missing) bins.
        public var binCount: Int {
            switch self {
            case .numeric(_, let t): return t.count + 1
            case .categorical(_, let l): return Swift.max(l.count, 1)
            }
        }
    }

    public let features: [Feature]
    public var featureNames: [String] { features.map(\.name) }

    public init(features: [Feature]) { self.features = features }

    /// Fits bins for `features` on `table`. `maxBins` is the number of non-missing bins, 2...255.
    /// (a + b)/2, and a/2 + b/2 where the sum overflows (1e308 and 1.5e308): the same value wherever
    /// the sum is finite, a finite cut where it is not (an infinite cut made the model unsavable).
    @inline(__always) static func midpoint(_ a: Double, _ b: Double) -> Double {
        let sum = a + b
        return sum.isFinite || !a.isFinite || !b.isFinite ? sum * 0.5 : a * 0.5 + b * 0.5
    }

    public static func fit(_ table: Table, features: [String], maxBins: Int = 255) throws -> HistogramBinning {
        guard (2...255).contains(maxBins) else { throw ModelError.invalidConfiguration("maxBins must be in 2...255; got \(maxBins)") }
        var out: [Feature] = []
        for name in features {
            switch try table.column(name) {
            case .numeric(let v):
                var finite: [Double] = []
                finite.reserveCapacity(v.count)
                for x in v where x.isFinite { finite.append(x) }
                out.append(.numeric(name: name, thresholds: thresholds(sorted: RadixSort.sorted(finite), maxBins: maxBins)))
            case .categorical(let c):
                var counts = [Int](repeating: 0, count: c.levels.count)
                for code in c.codes where code >= 0 { counts[Int(code)] += 1 }
                let order = (0..<c.levels.count).filter { counts[$0] > 0 }
                    .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : c.levels[$0] < c.levels[$1] }
                out.append(.categorical(name: name, levels: order.prefix(maxBins).map { c.levels[$0] }))
            }
        }
        return HistogramBinning(features: out)
    }

    /// Bin thresholds for sorted finite values (scikit-learn `_find_binning_thresholds`).
    static func thresholds(sorted x: [Double], maxBins: Int) -> [Double] {
        if x.isEmpty { return [] }
        var distinct: [Double] = [x[0]]
        for v in x.dropFirst() where v != distinct[distinct.count - 1] {
            distinct.append(v)
            if distinct.count > maxBins { break }
        }
        var mids: [Double] = []
        if distinct.count <= maxBins {
            for k in 0..<(distinct.count - 1) { mids.append(HistogramBinning.midpoint(distinct[k], distinct[k + 1])) }
        } else {
            // numpy percentile, method="midpoint": mean of the two order statistics around q (n - 1).
            let n = x.count
            for k in 1..<maxBins {
                let h = Double(k) / Double(maxBins) * Double(n - 1)
                let lo = Int(h.rounded(.down)), hi = Swift.min(Int(h.rounded(.up)), n - 1)
                mids.append(HistogramBinning.midpoint(x[lo], x[hi]))
            }
            var unique: [Double] = []
            for m in mids where unique.last != m { unique.append(m) }
            mids = unique
        }
        return mids
    }

    /// Bins `table`; absent columns are all-missing, unseen categories go to the missing bin, and
    /// all of it is counted in the report.
    public func bin(_ table: Table) -> (BinnedMatrix, EncodingReport) {
        let n = table.rowCount
        var report = EncodingReport()
        var bins = [UInt8](repeating: BinnedMatrix.missingBin, count: n * features.count)
        bins.withUnsafeMutableBufferPointer { out in
            for (f, feature) in features.enumerated() {
                let base = f * n
                guard let column = table[feature.name] else {
                    report.absentColumns.append(feature.name)
                    report.missing[feature.name] = n
                    continue
                }
                switch feature {
                case .numeric(_, let thresholds):
                    let values = numericView(of: column)
                    var missing = 0, infinite = 0
                    thresholds.withUnsafeBufferPointer { t in
                        values.withUnsafeBufferPointer { x in
                            for i in 0..<n {
                                let v = x[i]
                                if v.isNaN { missing += 1; continue }
                                if !v.isFinite { infinite += 1 }
                                // Binary search: the number of thresholds strictly below v.
                                var lo = 0, hi = t.count
                                while lo < hi {
                                    let mid = (lo + hi) >> 1
                                    if t[mid] < v { lo = mid + 1 } else { hi = mid }
                                }
                                out[base + i] = UInt8(truncatingIfNeeded: lo)
                            }
                        }
                    }
                    report.missing[feature.name] = missing
                    if infinite > 0 { report.nonFinite[feature.name] = infinite }
                case .categorical(_, let levels):
                    let cat = categoricalView(of: column)
                    var index: [String: Int] = [:]
                    for (k, l) in levels.enumerated() { index[l] = k }
                    let target: [UInt8] = cat.levels.map { l in index[l].map { UInt8($0) } ?? BinnedMatrix.missingBin }
                    var levelCounts = [Int](repeating: 0, count: cat.levels.count)
                    var missing = 0
                    cat.codes.withUnsafeBufferPointer { codes in
                        for i in 0..<n {
                            let c = Int(codes[i])
                            if c < 0 { missing += 1; continue }
                            levelCounts[c] += 1
                            out[base + i] = target[c]
                        }
                    }
                    for (k, l) in cat.levels.enumerated() where target[k] == BinnedMatrix.missingBin && levelCounts[k] > 0 {
                        report.noteUnseen(feature.name, l, count: levelCounts[k])
                    }
                    report.missing[feature.name] = missing
                }
            }
        }
        return (BinnedMatrix(rows: n, featureNames: featureNames, bins: bins), report)
    }

    public func json() -> JSON {
        .array(features.map { f in
            switch f {
            case let .numeric(name, t):
                return .object([("name", .string(name)), ("type", .string("numeric")), ("thresholds", .array(t.map { .number($0) }))])
            case let .categorical(name, l):
                return .object([("name", .string(name)), ("type", .string("categorical")), ("levels", .array(l.map { .string($0) }))])
            }
        })
    }

    public init(json: JSON, file: String, path: String) throws {
        guard let items = json.arrayValue else {
            throw ConfigError(file: file, path: path, message: "expected an array of binned features, found \(json.typeName)")
        }
        var out: [Feature] = []
        for (k, item) in items.enumerated() {
            var r = try ConfigReader(item, file: file, path: "\(path)[\(k)]")
            let name = try r.string("name")
            if try r.string("type", oneOf: ["numeric", "categorical"]) == "numeric" {
                let t = try r.doubles("thresholds") ?? []
                guard t.count <= 254, zip(t, t.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw ConfigError(file: file, path: "\(path)[\(k)].thresholds", message: "must be at most 254 increasing numbers")
                }
                out.append(.numeric(name: name, thresholds: t))
            } else {
                let l = try r.strings("levels") ?? []
                guard l.count <= 255 else { throw ConfigError(file: file, path: "\(path)[\(k)].levels", message: "at most 255 levels") }
                out.append(.categorical(name: name, levels: l))
            }
            try r.finish()
        }
        self.init(features: out)
    }
}
