import DriftCore
import Foundation

/// Encoded features, column-major. Numeric columns and missing indicators are dense `Float`
/// columns (dense column k is `values[k * rows ..< (k + 1) * rows]`, matrix column `denseIndex[k]`);
/// each one-hot group (a categorical feature) stores, per row, the matrix column that is 1
/// (`oneHotCodes[g][i]`), since exactly one column of the group is active. Equivalent to the dense
/// 0/1 matrix (`column(_:)` materialises any column) at a fraction of the memory and work.
public struct FeatureMatrix: Sendable, Equatable {
    public let rows: Int
    public let columnNames: [String]
    public var values: [Float]
    public let denseIndex: [Int]
    public let oneHotCodes: [[Int32]]

    public init(rows: Int, columnNames: [String], values: [Float], denseIndex: [Int], oneHotCodes: [[Int32]]) {
        precondition(values.count == rows * denseIndex.count && oneHotCodes.allSatisfy { $0.count == rows },
                     "FeatureMatrix: values must be rows x dense columns")
        self.rows = rows; self.columnNames = columnNames; self.values = values
        self.denseIndex = denseIndex; self.oneHotCodes = oneHotCodes
    }

    /// A matrix of dense columns only, from row-major doubles (small data, tests).
    public init(rowMajor: [[Double]], columnNames: [String]? = nil) {
        let n = rowMajor.count, p = rowMajor.first?.count ?? 0
        var v = [Float](repeating: 0, count: n * p)
        for i in 0..<n { for j in 0..<p { v[j * n + i] = Float(rowMajor[i][j]) } }
        self.init(rows: n, columnNames: columnNames ?? (0..<p).map { "x\($0)" }, values: v,
                  denseIndex: Array(0..<p), oneHotCodes: [])
    }

    public var columns: Int { columnNames.count }

    /// Matrix column `j` as a dense array.
    public func column(_ j: Int) -> [Float] {
        if let k = denseIndex.firstIndex(of: j) { return Array(values[k * rows..<(k + 1) * rows]) }
        var out = [Float](repeating: 0, count: rows)
        for codes in oneHotCodes { for i in 0..<rows where Int(codes[i]) == j { out[i] = 1 } }
        return out
    }

    /// Keeps the rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> FeatureMatrix {
        let m = indices.count, dense = denseIndex.count
        var out = [Float](repeating: 0, count: m * dense)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for k in 0..<dense {
                    let s = k * rows, d = k * m
                    for (r, i) in indices.enumerated() { dst[d + r] = src[s + i] }
                }
            }
        }
        return FeatureMatrix(rows: m, columnNames: columnNames, values: out, denseIndex: denseIndex,
                             oneHotCodes: oneHotCodes.map { c in indices.map { c[$0] } })
    }
}

/// What encoding a table met that the reference did not have: counted per feature, never fatal.
public struct EncodingReport: Sendable, Equatable {
    /// Feature columns absent from the table (served as all-missing).
    public var absentColumns: [String] = []
    /// Per feature: missing cells (empty or NaN).
    public var missing: [String: Int] = [:]
    /// Per feature: +/- infinity cells (treated as missing by the one-hot encoding, as extreme values by the bins).
    public var nonFinite: [String: Int] = [:]
    /// Per categorical feature: cells with a category the reference never had.
    public var unseenCategories: [String: Int] = [:]
    /// Per categorical feature: up to five example unseen values.
    public var unseenExamples: [String: [String]] = [:]

    public init() {}

    /// One line per finding, for stderr.
    public var lines: [String] {
        var out: [String] = []
        for c in absentColumns { out.append("column '\(c)' is absent; served as missing (imputed)") }
        for (k, v) in unseenCategories.sorted(by: { $0.key < $1.key }) where v > 0 {
            let ex = (unseenExamples[k] ?? []).map { "'\($0)'" }.joined(separator: ", ")
            out.append("column '\(k)': \(v) cells with categories unseen in training (\(ex)); scored in the unseen bucket")
        }
        for (k, v) in nonFinite.sorted(by: { $0.key < $1.key }) where v > 0 {
            out.append("column '\(k)': \(v) infinite values; handled as missing")
        }
        return out
    }

    mutating func noteUnseen(_ feature: String, _ value: String, count: Int) {
        unseenCategories[feature, default: 0] += count
        if (unseenExamples[feature]?.count ?? 0) < 5 { unseenExamples[feature, default: []].append(value) }
    }
}

/// How a reference table is turned into a `FeatureMatrix` for logistic regression.
public enum FeatureEncoder {
    public struct Configuration: Sendable, Equatable {
        /// When a numeric feature gets a 0/1 missing-indicator column.
        public enum MissingIndicators: String, Sendable, CaseIterable { case whereMissing = "where_missing", always, never }
        public var missingIndicators: MissingIndicators = .whereMissing
        /// Categories seen fewer times than this in the reference are pooled into `__other__`.
        public var minCategoryCount: Int = 10
        /// At most this many categories per feature keep their own column (the most frequent).
        public var maxCategories: Int = 64
        /// Give categoricals a `__missing__` column even when the reference had no missing values.
        public var alwaysMissingCategory: Bool = false
        public init() {}
    }

    /// Fits the encoding of `features` on the reference `table`. Numeric: median imputation,
    /// an optional missing indicator, standardisation (z = (x - mean) / sd of the imputed
    /// reference, sd 0 replaced by 1 as in scikit-learn's StandardScaler). Categorical: one-hot of
    /// the frequent levels, `__other__` for rare and unseen levels, `__missing__` where needed.
    public static func fit(_ table: Table, features: [String], configuration: Configuration = .init()) throws -> FeatureEncoding {
        var out: [FeatureEncoding.Feature] = []
        for name in features {
            let column = try table.column(name)
            switch column {
            case .numeric(let v):
                var finite: [Double] = []
                finite.reserveCapacity(v.count)
                for x in v where x.isFinite { finite.append(x) }
                let hadMissing = finite.count < v.count
                let median = finite.isEmpty ? 0 : Descriptive.quantile(sorted: RadixSort.sorted(finite), 0.5)
                // Moments of the imputed column (the missing rows count as the median).
                let missingCount = Double(v.count - finite.count)
                // Sums of x / u with u a power of two near the largest |x| when that is beyond 2^500,
                // so the sum of squares cannot overflow (values near 1e160 gave an infinite sd, scale
                // 1 and a model of zeros; found by a differential test against scikit-learn). u = 1
                // for ordinary data, which therefore computes exactly as before.
                var largest = Swift.abs(median)
                for x in finite { largest = Swift.max(largest, Swift.abs(x)) }
                let u = largest > 0x1p500 ? Double(sign: .plus, exponent: largest.exponent, significand: 1) : 1
                var sum = missingCount * (median / u)
                for x in finite { sum += x / u }
                let n = Double(Swift.max(v.count, 1))
                let mean = sum / n * u, centre = mean / u
                var ss = missingCount * (median / u - centre) * (median / u - centre)
                for x in finite { ss += (x / u - centre) * (x / u - centre) }
                let sd = (ss / n).squareRoot() * u
                let indicator: Bool
                switch configuration.missingIndicators {
                case .always: indicator = true
                case .never: indicator = false
                case .whereMissing: indicator = hadMissing
                }
                out.append(.numeric(.init(name: name, median: median, mean: mean,
                                          scale: sd > 1e-12 * Swift.max(1, Swift.abs(mean)) && sd.isFinite ? sd : 1,
                                          missingIndicator: indicator)))
            case .categorical(let c):
                var counts = [Int](repeating: 0, count: c.levels.count)
                var missing = 0
                for code in c.codes { if code < 0 { missing += 1 } else { counts[Int(code)] += 1 } }
                let order = (0..<c.levels.count).sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : c.levels[$0] < c.levels[$1] }
                let kept = order.filter { counts[$0] >= configuration.minCategoryCount && counts[$0] > 0 }
                    .prefix(configuration.maxCategories).map { c.levels[$0] }.sorted()
                let keptSet = Set(kept)
                let pooled = order.filter { counts[$0] > 0 && !keptSet.contains(c.levels[$0]) }.map { c.levels[$0] }.sorted()
                out.append(.categorical(.init(name: name, levels: kept, pooledLevels: pooled,
                                              missingColumn: missing > 0 || configuration.alwaysMissingCategory)))
            }
        }
        let encoding = FeatureEncoding(features: out)
        // A feature named like a column the encoding makes (`x__missing`, `c=a`) would share its
        // matrix column by name: the fit and the model file would mix them up.
        var maker: [String: Int] = [:]
        for (k, name) in encoding.columnNames.enumerated() {
            let source = encoding.sourceFeature[k]
            if let first = maker[name] {
                throw ModelError.invalidConfiguration("features '\(features[first])' and '\(features[source])' both make an encoded column named "
                    + "'\(name)'; rename one of them or leave it out (--exclude)")
            }
            maker[name] = source
        }
        return encoding
    }
}

/// A fitted encoding: how each original feature becomes one or more matrix columns.
public struct FeatureEncoding: Sendable, Equatable {
    public struct Numeric: Sendable, Equatable {
        public let name: String
        public let median: Double
        public let mean: Double
        public let scale: Double
        public let missingIndicator: Bool
    }
    public struct Categorical: Sendable, Equatable {
        public let name: String
        /// Levels with their own column, sorted; then `__other__` (rare and unseen), then `__missing__` if present.
        public let levels: [String]
        /// Rare reference levels pooled into `__other__` (so they are not reported as unseen).
        public let pooledLevels: [String]
        public let missingColumn: Bool
    }
    public enum Feature: Sendable, Equatable {
        case numeric(Numeric)
        case categorical(Categorical)
        public var name: String {
            switch self { case .numeric(let n): return n.name; case .categorical(let c): return c.name }
        }
    }

    public static let otherLevel = "__other__"
    public static let missingLevel = "__missing__"

    public let features: [Feature]
    /// Matrix column names, e.g. `amount`, `amount__missing`, `channel=online`.
    public let columnNames: [String]
    /// For every matrix column, the index of the original feature it came from.
    public let sourceFeature: [Int]

    public init(features: [Feature]) {
        self.features = features
        var names: [String] = [], source: [Int] = []
        for (k, f) in features.enumerated() {
            switch f {
            case .numeric(let n):
                names.append(n.name); source.append(k)
                if n.missingIndicator { names.append(n.name + "__missing"); source.append(k) }
            case .categorical(let c):
                for l in c.levels { names.append("\(c.name)=\(l)"); source.append(k) }
                names.append("\(c.name)=\(Self.otherLevel)"); source.append(k)
                if c.missingColumn { names.append("\(c.name)=\(Self.missingLevel)"); source.append(k) }
            }
        }
        columnNames = names
        sourceFeature = source
    }

    public var featureNames: [String] { features.map(\.name) }

    /// Encodes `table` with the fitted parameters; absent columns, missing and infinite values and
    /// unseen categories are served (imputed, or the `__other__` bucket) and counted in the report.
    public func encode(_ table: Table) -> (FeatureMatrix, EncodingReport) {
        let n = table.rowCount
        var report = EncodingReport()
        var denseIndex: [Int] = []
        for f in features { if case .numeric(let spec) = f { denseIndex.append(columnIndex(of: spec.name)); if spec.missingIndicator { denseIndex.append(columnIndex(of: spec.name) + 1) } } }
        var values = [Float](repeating: 0, count: n * denseIndex.count)
        var groups: [[Int32]] = []
        var dense = 0, column = 0
        values.withUnsafeMutableBufferPointer { out in
            for f in features {
                switch f {
                case .numeric(let spec):
                    let base = dense * n
                    let z0 = Float((spec.median - spec.mean) / spec.scale)
                    var missing = 0, infinite = 0
                    let source = table[spec.name]
                    if source == nil { report.absentColumns.append(spec.name) }
                    let numbers = source.map { numericView(of: $0) } ?? [Double](repeating: .nan, count: n)
                    let indicatorBase = spec.missingIndicator ? (dense + 1) * n : -1
                    let mean = spec.mean, inverse = 1 / spec.scale
                    numbers.withUnsafeBufferPointer { x in
                        for i in 0..<n {
                            let v = x[i]
                            if v.isFinite {
                                out[base + i] = Float((v - mean) * inverse)
                            } else {
                                if v.isNaN { missing += 1 } else { infinite += 1 }
                                out[base + i] = z0
                                if indicatorBase >= 0 { out[indicatorBase + i] = 1 }
                            }
                        }
                    }
                    report.missing[spec.name] = missing
                    if infinite > 0 { report.nonFinite[spec.name] = infinite }
                    dense += spec.missingIndicator ? 2 : 1
                    column += spec.missingIndicator ? 2 : 1
                case .categorical(let spec):
                    let width = spec.levels.count + 1 + (spec.missingColumn ? 1 : 0)
                    let other = spec.levels.count
                    let missingTarget = Int32(column + (spec.missingColumn ? other + 1 : other))
                    guard let source = table[spec.name] else {
                        report.absentColumns.append(spec.name)
                        report.missing[spec.name] = n
                        groups.append([Int32](repeating: missingTarget, count: n))
                        column += width
                        continue
                    }
                    let cat = categoricalView(of: source)
                    // Map the table's level codes to our columns once per level, not per row.
                    var index: [String: Int] = [:]
                    for (k, l) in spec.levels.enumerated() { index[l] = k }
                    let pooled = Set(spec.pooledLevels)
                    var target = [Int32](repeating: Int32(column + other), count: cat.levels.count)
                    var isUnseen = [Bool](repeating: false, count: cat.levels.count)
                    for (k, l) in cat.levels.enumerated() {
                        if let t = index[l] { target[k] = Int32(column + t) } else { isUnseen[k] = !pooled.contains(l) }
                    }
                    var levelCounts = [Int](repeating: 0, count: cat.levels.count)
                    var missing = 0
                    var codes = [Int32](repeating: missingTarget, count: n)
                    cat.codes.withUnsafeBufferPointer { source in
                        codes.withUnsafeMutableBufferPointer { codes in
                            for i in 0..<n {
                                let code = Int(source[i])
                                if code < 0 { missing += 1 } else { levelCounts[code] += 1; codes[i] = target[code] }
                            }
                        }
                    }
                    groups.append(codes)
                    for (k, l) in cat.levels.enumerated() where isUnseen[k] && levelCounts[k] > 0 {
                        report.noteUnseen(spec.name, l, count: levelCounts[k])
                    }
                    report.missing[spec.name] = missing
                    column += width
                }
            }
        }
        return (FeatureMatrix(rows: n, columnNames: columnNames, values: values, denseIndex: denseIndex, oneHotCodes: groups), report)
    }

    /// The matrix column of a numeric feature's value.
    func columnIndex(of feature: String) -> Int { columnNames.firstIndex(of: feature) ?? 0 }
}

/// A column's values as numbers: categorical text that parses as a number is used, other text is missing.
func numericView(of column: Column) -> [Double] {
    switch column {
    case .numeric(let v): return v
    case .categorical(let c):
        let parsed = c.levels.map { parseDouble($0) ?? .nan }
        return c.codes.map { $0 < 0 ? .nan : parsed[Int($0)] }
    }
}

/// A column's values as categories: numbers are written as integers where whole, else in shortest form.
func categoricalView(of column: Column) -> CategoricalColumn {
    switch column {
    case .categorical(let c): return c
    case .numeric(let v):
        return CategoricalColumn(strings: v.map { $0.isNaN ? "" : JSON.format($0) })
    }
}

// MARK: model file

extension FeatureEncoding {
    public func json() -> JSON {
        .array(features.map { f in
            switch f {
            case .numeric(let n):
                return .object([("name", .string(n.name)), ("type", .string("numeric")),
                                ("median", .number(n.median)), ("mean", .number(n.mean)), ("scale", .number(n.scale)),
                                ("missing_indicator", .bool(n.missingIndicator))])
            case .categorical(let c):
                return .object([("name", .string(c.name)), ("type", .string("categorical")),
                                ("levels", .array(c.levels.map { .string($0) })),
                                ("pooled_levels", .array(c.pooledLevels.map { .string($0) })),
                                ("missing_column", .bool(c.missingColumn))])
            }
        })
    }

    /// The largest |median|, |mean| and sd of a numeric feature a model file holds (`init(json:)`):
    /// scoring's (x - mean) / sd and median - mean stay finite within it.
    public static let storableLimit = 1e300

    /// Why the encoding cannot go in a model file, naming the column (a median, mean or sd beyond
    /// ±`storableLimit`); nil when it can.
    public var unstorableReason: String? {
        for case .numeric(let n) in features {
            for (what, v) in [("median", n.median), ("mean", n.mean), ("sd", n.scale)] where !(Swift.abs(v) <= Self.storableLimit) {
                return "column '\(n.name)': \(what) \(v) is outside ±\(Self.storableLimit), the most a model file holds; "
                    + "rescale the column (divide it by a power of ten) or leave it out (--exclude)"
            }
        }
        return nil
    }

    public init(json: JSON, file: String, path: String) throws {
        guard let items = json.arrayValue else {
            throw ConfigError(file: file, path: path, message: "expected an array of feature encodings, found \(json.typeName)")
        }
        var features: [Feature] = []
        for (k, item) in items.enumerated() {
            var r = try ConfigReader(item, file: file, path: "\(path)[\(k)]")
            let name = try r.string("name")
            if features.contains(where: { $0.name == name }) { throw r.error("name", "'\(name)' is encoded twice; the file is inconsistent") }
            switch try r.string("type", oneOf: ["numeric", "categorical"]) {
            case "numeric":
                // Finite, and a positive scale: the encoding divides by it.
                let limit = Self.storableLimit
                features.append(.numeric(.init(name: name, median: try r.double("median", in: -limit...limit), mean: try r.double("mean", in: -limit...limit),
                                               scale: try r.double("scale", in: 1e-300...limit), missingIndicator: try r.bool("missing_indicator", default: false))))
            default:
                features.append(.categorical(.init(name: name, levels: try r.strings("levels") ?? [],
                                                   pooledLevels: try r.strings("pooled_levels") ?? [],
                                                   missingColumn: try r.bool("missing_column", default: false))))
            }
            try r.finish()
        }
        self.init(features: features)
    }
}

extension FeatureEncoding {
    /// Log-odds of a linear model straight from the raw table, without building the matrix: per
    /// numeric feature beta (x - mean) / scale (or the imputed value and the indicator's coefficient
    /// where x is missing), per categorical feature the coefficient of the row's column. Equals
    /// `predictLogit(encode(table))` up to the rounding of the matrix to `Float`.
    public func linearLogits(_ table: Table, coefficients beta: [Double], intercept: Double) -> ([Double], EncodingReport) {
        let n = table.rowCount
        guard beta.count == columnNames.count else { return ([Double](repeating: .nan, count: n), EncodingReport()) }
        var report = EncodingReport()
        // Per feature, what each row adds: numeric (slope, offset, value where missing) or a
        // contribution per table level; then one pass over row blocks so z stays in cache, each
        // column read once (the missing, infinite and per-level counts are taken in the same pass).
        var numeric: [(name: String, x: [Double], slope: Double, offset: Double, imputed: Double)] = []
        var categorical: [(name: String, levels: [String], unseen: [Bool], codes: [Int32], table: [Double])] = []
        var constant = intercept
        var column = 0
        for f in features {
            switch f {
            case .numeric(let spec):
                let slope = beta[column] / spec.scale, offset = -beta[column] * spec.mean / spec.scale
                let imputed = slope * spec.median + offset + (spec.missingIndicator ? beta[column + 1] : 0)
                column += spec.missingIndicator ? 2 : 1
                guard let source = table[spec.name] else {
                    report.absentColumns.append(spec.name); report.missing[spec.name] = n
                    constant += imputed
                    continue
                }
                numeric.append((spec.name, numericView(of: source), slope, offset, imputed))
            case .categorical(let spec):
                let width = spec.levels.count + 1 + (spec.missingColumn ? 1 : 0)
                let other = beta[column + spec.levels.count]
                let missingValue = beta[column + (spec.missingColumn ? spec.levels.count + 1 : spec.levels.count)]
                defer { column += width }
                guard let source = table[spec.name] else {
                    report.absentColumns.append(spec.name); report.missing[spec.name] = n
                    constant += missingValue
                    continue
                }
                let cat = categoricalView(of: source)
                var index: [String: Int] = [:]
                for (k, l) in spec.levels.enumerated() { index[l] = k }
                let pooled = Set(spec.pooledLevels)
                // Lookup table by code + 1: entry 0 serves missing (code -1).
                let lookup = [missingValue] + cat.levels.map { l in index[l].map { beta[column + $0] } ?? other }
                let unseen = cat.levels.map { index[$0] == nil && !pooled.contains($0) }
                categorical.append((spec.name, cat.levels, unseen, cat.codes, lookup))
            }
        }
        var z = [Double](repeating: constant, count: n)
        var nanCounts = [Int](repeating: 0, count: numeric.count), nonFiniteCounts = nanCounts
        var levelCounts = categorical.map { [Int](repeating: 0, count: $0.table.count) }
        let blockRows = 2048
        z.withUnsafeMutableBufferPointer { z in
            var start = 0
            while start < n {
                let end = Swift.min(n, start + blockRows)
                for (k, (_, x, slope, offset, imputed)) in numeric.enumerated() {
                    x.withUnsafeBufferPointer { x in
                        var nonFinite = 0
                        for i in start..<end {
                            let v = x[i]
                            let finite = v.magnitude < .infinity
                            nonFinite &+= finite ? 0 : 1
                            z[i] += finite ? slope * v + offset : imputed
                        }
                        if nonFinite > 0 {
                            nonFiniteCounts[k] += nonFinite
                            for i in start..<end where x[i].isNaN { nanCounts[k] += 1 }
                        }
                    }
                }
                for g in categorical.indices {
                    categorical[g].codes.withUnsafeBufferPointer { c in
                        categorical[g].table.withUnsafeBufferPointer { t in
                            levelCounts[g].withUnsafeMutableBufferPointer { counts in
                                for i in start..<end {
                                    let slot = Int(c[i]) &+ 1
                                    z[i] += t[slot]
                                    counts[slot] &+= 1
                                }
                            }
                        }
                    }
                }
                start = end
            }
        }
        for (k, column) in numeric.enumerated() {
            report.missing[column.name] = nanCounts[k]
            if nonFiniteCounts[k] > nanCounts[k] { report.nonFinite[column.name] = nonFiniteCounts[k] - nanCounts[k] }
        }
        for (g, column) in categorical.enumerated() {
            for (k, l) in column.levels.enumerated() where column.unseen[k] && levelCounts[g][k + 1] > 0 {
                report.noteUnseen(column.name, l, count: levelCounts[g][k + 1])
            }
            report.missing[column.name] = levelCounts[g][0]
        }
        return (z, report)
    }
}
