import DriftCore
import DriftDetectors
import Foundation

/// One feature as the reference defines it: its type and, when categorical, the reference levels
/// (the logs' new levels are appended after them, so unseen categories stay visible).
public struct FeatureSpec: Sendable, Equatable {
    public var name: String
    public var type: ColumnMap.FeatureType
}

/// A log (or the reference) read into flat arrays, rows sorted by day (stable): the features as a
/// `Table`, and the roles. Labels: `label[i]` is 1 for a reported fraud, 0 otherwise, -1 where the
/// file leaves it empty; `arrival[i]` is the day the label became known (`LabelledLog.never` when it
/// has not arrived). Without an arrival column every label counts as known on its own day.
public struct LogData: Sendable {
    public let path: String
    public var features: Table
    public var day: [Int32]
    public var label: [Int8]
    public var arrival: [Int32]
    public var hasLabels: Bool
    public var hasArrival: Bool
    public var decision: [UInt8]?
    public var amount: [Double]?
    public var ids: [UInt64]?
    /// Column names found for each role, for the report.
    public var roles: [String: String]
    /// Notes for the report (features absent from the logs, extra columns ignored).
    public var warnings: [String]
    /// Features of the reference this file does not have (read as all missing).
    public var absentFeatures: [String] = []
    public var rowCount: Int { day.count }
    public var firstDay: Int { Int(day.first ?? 0) }
    public var lastDay: Int { Int(day.last ?? 0) }
    /// Rows of day d are `dayStart[d - firstDay] ..< dayStart[d - firstDay + 1]`.
    public var dayStart: [Int] = []

    /// Row range of days `from ... to` (clamped to the log).
    func rows(from: Int, to: Int) -> Range<Int> {
        let a = min(max(from - firstDay, 0), dayStart.count - 1), b = min(max(to - firstDay + 1, 0), dayStart.count - 1)
        return dayStart[a]..<max(dayStart[a], dayStart[b])
    }

    /// Is row i a fraud known on day t (reported and arrived by t)?
    @inline(__always) func knownFraud(_ i: Int, asOf t: Int32) -> Bool { label[i] == 1 && arrival[i] <= t }
}

/// Reads the reference and the logs with the streaming CSV reader (raw bytes, one record in memory).
public enum LogIngest {
    /// Rows of the reference read to infer each feature's type.
    static let inferenceRows = 5_000
    /// The longest span of days a file may cover (100 years): rows are bucketed per calendar day.
    static let maxSpanDays = 36_525

    /// Infers the feature columns of the reference: every column that is not a role (except the
    /// amount) and not ignored; numeric when every value of the first rows that is neither empty nor
    /// a missing marker (`ColumnMap.missing`) parses as a number.
    public static func inferFeatures(reference path: String, map: ColumnMap) throws -> [FeatureSpec] {
        let reader = try CSVReader(path: path)
        let header = reader.header
        let roles = try map.roleColumns(in: header, file: path)
        let nonFeature = Set(roles.filter { !$0.key.isFeature }.map(\.value))
        let candidates = header.indices.filter { !nonFeature.contains($0) && !map.ignored.contains(header[$0]) }
        var numeric = [Bool](repeating: true, count: header.count)
        var seen = [Bool](repeating: false, count: header.count)
        var rows = 0
        while rows < inferenceRows, try reader.next() {
            rows += 1
            let r = reader.record
            for c in candidates where numeric[c] && !map.missing.isMissing(r.bytes(c)) {
                seen[c] = true
                if r.double(c) == nil { numeric[c] = false }
            }
        }
        if rows == 0 { throw PostmortemError.empty(file: path) }
        for name in map.types.keys where !header.contains(name) {
            throw PostmortemError.missingColumn(file: path, role: "type override", column: name, available: header)
        }
        return candidates.map { c in
            let name = header[c]
            let type = map.types[name] ?? (numeric[c] && seen[c] ? .numeric : .categorical)
            return FeatureSpec(name: name, type: type)
        }
    }

    /// Reads `path` with the features `specs` (by name: any column order). `levels` seeds the
    /// categorical levels (the reference's), so codes agree between the reference and the logs.
    public static func read(_ path: String, map: ColumnMap, specs: [FeatureSpec], levels: [String: [String]] = [:],
                            requireLabels: Bool) throws -> LogData {
        let reader = try CSVReader(path: path)
        let header = reader.header
        let roles = try map.roleColumns(in: header, file: path)
        guard let timeColumn = roles[.time] else {
            throw PostmortemError.missingColumn(file: path, role: "time", column: ColumnMap.Role.time.conventional[0], available: header)
        }
        if requireLabels && roles[.label] == nil {
            throw PostmortemError.missingColumn(file: path, role: "label", column: ColumnMap.Role.label.conventional[0], available: header)
        }
        var warnings: [String] = []
        var featureColumn: [Int?] = []
        for s in specs {
            let i = header.firstIndex(of: s.name)
            if i == nil { warnings.append("\(path): feature '\(s.name)' is absent; read as all missing") }
            featureColumn.append(i)
        }
        let known = Set(specs.map(\.name) + roles.values.map { header[$0] } + map.ignored)
        let extra = header.filter { !known.contains($0) }
        if !extra.isEmpty { warnings.append("\(path): columns not in the reference ignored: \(extra.joined(separator: ", "))") }

        var numeric = [[Double]](repeating: [], count: specs.count)
        var codes = [[Int32]](repeating: [], count: specs.count)
        // Categorical levels interned from the field bytes (no String per cell), seeded with the reference's.
        var interners = specs.map { CategoryInterner(levels: levels[$0.name] ?? []) }
        var day: [Int32] = [], label: [Int8] = [], arrival: [Int32] = []
        var decision: [UInt8] = [], amount: [Double] = [], ids: [UInt64] = []
        // The score role is only kept out of the features: the postmortem scores with the model.
        let labelC = roles[.label], arrivalC = roles[.labelArrival], decisionC = roles[.decision]
        let amountC = roles[.amount], idC = roles[.id]
        let isNumeric = specs.map { $0.type == .numeric }
        let missing = map.missing

        /// A number, NaN for an empty cell or a missing marker.
        func number(_ r: CSVRecord, _ c: Int, _ name: String) throws -> Double {
            guard let v = missing.number(r.bytes(c)) else {
                throw PostmortemError.notNumeric(file: path, line: r.line, column: name, text: r.field(c))
            }
            return v
        }
        /// A day: a number of days (fractions floored) or a `YYYY-MM-DD` date; nil when missing.
        func dayValue(_ r: CSVRecord, _ c: Int, _ name: String) throws -> Int32? {
            if missing.isMissing(r.bytes(c)) { return nil }
            if let v = r.double(c) {
                guard v.isFinite, abs(v) < 1e8 else {
                    throw PostmortemError.badDay(file: path, line: r.line, column: name, text: r.field(c),
                                                 problem: "a day must be a whole number of days below 10^8 in size (or a YYYY-MM-DD date)")
                }
                return Int32(v.rounded(.down))
            }
            if let d = calendarDay(r.field(c)) { return d }
            throw PostmortemError.badDay(file: path, line: r.line, column: name, text: r.field(c),
                                         problem: "expected a number of days or a YYYY-MM-DD date")
        }
        // The log's first and last day and their lines: the rows are bucketed per calendar day, so a
        // far-away day (a typo, a unit mistake) would cost memory per day of the span.
        var low: (day: Int32, line: Int) = (.max, 0), high: (day: Int32, line: Int) = (.min, 0)

        while try reader.next() {
            let r = reader.record
            guard let d = try dayValue(r, timeColumn, header[timeColumn]) else {
                let marker = r.bytes(timeColumn).isEmpty ? "" : ", read as missing (a missing marker),"
                throw PostmortemError.badDay(file: path, line: r.line, column: header[timeColumn], text: r.field(timeColumn),
                                             problem: "every row needs its day\(marker) and the time column cannot be missing; fix or drop the row")
            }
            if d < low.day { low = (d, r.line) }
            if d > high.day { high = (d, r.line) }
            if Int(high.day) - Int(low.day) >= LogIngest.maxSpanDays {
                let (far, near) = r.line == high.line ? (high, low) : (low, high)
                throw PostmortemError.badDay(file: path, line: far.line, column: header[timeColumn], text: "\(far.day)",
                                             problem: "it is \(abs(Int(far.day) - Int(near.day))) days from day \(near.day) on line \(near.line), "
                                                 + "and a log may span at most \(LogIngest.maxSpanDays) days (100 years); check the time column's unit")
            }
            day.append(d)
            for k in 0..<specs.count {
                guard let c = featureColumn[k] else {
                    if isNumeric[k] { numeric[k].append(.nan) } else { codes[k].append(-1) }
                    continue
                }
                if isNumeric[k] {
                    numeric[k].append(try number(r, c, specs[k].name))
                } else if missing.isMissing(r.bytes(c)) {
                    codes[k].append(-1)
                } else {
                    codes[k].append(interners[k].code(r.bytes(c)))
                }
            }
            if let c = labelC {
                let b = r.bytes(c)
                if b.count == 1 && b[0] == 0x31 { label.append(1) } else if b.count == 1 && b[0] == 0x30 { label.append(0) }
                else if missing.isMissing(b) { label.append(-1) } else {
                    guard let v = binaryFlag(r.field(c)) else {
                        throw PostmortemError.badLabel(file: path, line: r.line, column: header[c], text: r.field(c))
                    }
                    label.append(Int8(v))
                }
            }
            if let c = arrivalC { arrival.append(try dayValue(r, c, header[c]) ?? LabelledLog.never) }
            if let c = decisionC {
                let b = r.bytes(c)
                if b.count == 1 && (b[0] == 0x30 || b[0] == 0x31) { decision.append(b[0] &- 0x30) }
                else if missing.isMissing(b) { decision.append(0) }  // no decision logged: not alerted
                else {
                    guard let v = binaryFlag(r.field(c)) else {
                        throw PostmortemError.badDecision(file: path, line: r.line, column: header[c], text: r.field(c))
                    }
                    decision.append(v)
                }
            }
            if let c = amountC { amount.append(try number(r, c, header[c])) }
            // A numeric id as its value, any other text by its hash: a key that does not depend on row order.
            if let c = idC { ids.append(r.double(c).flatMap { $0.isFinite ? UInt64(exactly: max(0, $0.rounded())) : nil } ?? streamID(r.field(c))) }
        }
        guard !day.isEmpty else { throw PostmortemError.empty(file: path) }
        let n = day.count
        if labelC == nil { label = [Int8](repeating: -1, count: n) }
        if arrivalC == nil {
            // No arrival column: a label counts as known on its own day.
            arrival = (0..<n).map { label[$0] >= 0 ? day[$0] : LabelledLog.never }
        } else {
            // A fraud with no arrival day is known by the end of the file (date unknown).
            let last = day.max() ?? 0
            for i in 0..<n where label[i] == 1 && arrival[i] == LabelledLog.never { arrival[i] = last }
        }
        if requireLabels {
            let frauds = label.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
            if frauds == 0 || frauds == n { throw PostmortemError.oneClass(file: path, column: header[labelC ?? 0]) }
        }
        var columns: [(String, Column)] = []
        for (k, s) in specs.enumerated() {
            columns.append((s.name, isNumeric[k] ? .numeric(numeric[k]) : .categorical(CategoricalColumn(codes: codes[k], levels: interners[k].levels))))
        }
        var roleNames: [String: String] = [:]
        for (r, c) in roles { roleNames[r.rawValue] = header[c] }
        var data = LogData(path: path, features: try Table(columns: columns), day: day, label: label, arrival: arrival,
                           hasLabels: labelC != nil, hasArrival: arrivalC != nil,
                           decision: decisionC == nil ? nil : decision,
                           amount: amountC == nil ? nil : amount, ids: idC == nil ? nil : ids, roles: roleNames, warnings: warnings)
        data.absentFeatures = zip(specs, featureColumn).filter { $0.1 == nil }.map(\.0.name)
        data.sortByDay()
        return data
    }

    /// Reads the reference and the logs at the same time (one thread each when `jobs` > 1). The
    /// result is the same as reading the reference, then the logs seeded with its levels: the logs'
    /// categorical codes are renumbered to the reference's levels, new levels after them in order
    /// of first appearance. A reference error wins over a logs error, as when read one by one.
    public static func readPair(reference: String, logs: String, map: ColumnMap, specs: [FeatureSpec],
                                jobs: Int = 2) throws -> (reference: LogData, logs: LogData) {
        let both = try Parallel.map(2, jobs: min(2, jobs)) { k in
            try read(k == 0 ? reference : logs, map: map, specs: specs, requireLabels: k == 0)
        }
        let ref = both[0]
        var log = both[1]
        var columns: [(String, Column)] = []
        for (name, column) in zip(log.features.columnNames, log.features.columns) {
            guard case .categorical(let c) = column, let r = ref.features[name]?.categoricalValues else { columns.append((name, column)); continue }
            var interner = CategoryInterner(levels: r.levels)
            let recode: [Int32] = c.levels.map { l in var t = l; return t.withUTF8 { interner.code($0) } }
            let codes = c.codes.map { $0 < 0 ? Int32(-1) : recode[Int($0)] }
            columns.append((name, .categorical(CategoricalColumn(codes: codes, levels: interner.levels))))
        }
        log.features = try Table(columns: columns)
        return (ref, log)
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` prefix (an ISO date or timestamp); nil otherwise.
    static func calendarDay(_ text: String) -> Int32? {
        let b = Array(text.utf8.prefix(10))
        guard b.count == 10, b[4] == 45, b[7] == 45 else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { guard b[i] >= 48 && b[i] <= 57 else { return nil }; v = v * 10 + Int(b[i] - 48) }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), (1...12).contains(m), (1...31).contains(d) else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int32(era * 146_097 + doe - 719_468)
    }
}

extension LogData {
    /// Sorts the rows by day, and within a day by id when the file has an id column (so the rows'
    /// order in the file does not change the postmortem); stable otherwise. Fills `dayStart`.
    mutating func sortByDay() {
        let n = day.count
        let lo = Int(day.min() ?? 0), hi = Int(day.max() ?? 0)
        var counts = [Int](repeating: 0, count: hi - lo + 2)
        for d in day { counts[Int(d) - lo + 1] += 1 }
        for k in 1..<counts.count { counts[k] += counts[k - 1] }
        dayStart = counts
        let id = ids ?? []  // empty without an id column: order within a day is the file's
        var sorted = true
        for i in 1..<max(1, n) where day[i] < day[i - 1] || (day[i] == day[i - 1] && !id.isEmpty && id[i] < id[i - 1]) {
            sorted = false; break
        }
        if sorted { return }
        var next = counts, order = [Int](repeating: 0, count: n)
        for i in 0..<n { let k = Int(day[i]) - lo; order[next[k]] = i; next[k] += 1 }
        if !id.isEmpty {
            // Within each day by (id, position in the file): ties keep file order.
            for k in 0..<(counts.count - 1) where counts[k + 1] - counts[k] > 1 {
                order[counts[k]..<counts[k + 1]].sort { (id[$0], $0) < (id[$1], $1) }
            }
        }
        features = (try? Table(columns: features.columnNames.enumerated().map { ($0.element, features.columns[$0.offset].selecting(order)) })) ?? features
        day = order.map { day[$0] }; label = order.map { label[$0] }; arrival = order.map { arrival[$0] }
        if let s = decision { decision = order.map { s[$0] } }
        if let s = amount { amount = order.map { s[$0] } }
        if let s = ids { ids = order.map { s[$0] } }
    }
}
