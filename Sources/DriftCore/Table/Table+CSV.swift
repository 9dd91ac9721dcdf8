import Foundation

/// How a CSV column is read into a table.
public enum ColumnType: String, Sendable, Equatable, Codable {
    case numeric, categorical
}

/// A 0/1 flag written as text, the way labels and alert decisions come in files: `0`/`1`, `0.0`/`1.0`,
/// `false`/`true` (also capitalised or upper case); nil for anything else. One definition for
/// `train`'s label and `diagnose`'s label and decision.
public func binaryFlag(_ text: String) -> UInt8? {
    switch text {
    case "1", "1.0", "true", "True", "TRUE": return 1
    case "0", "0.0", "false", "False", "FALSE": return 0
    default: return nil
    }
}

/// Texts a CSV reader takes for a missing value besides an empty cell, in every column: by default
/// pandas' `read_csv` list (`STR_NA_VALUES`: "NA", "N/A", "NULL", "None", "#N/A", "<NA>", ...), so a
/// file exported by pandas, R, Excel or a database reads the same here as there, and a numeric
/// column with "NA" in it stays numeric. A marker matches a cell's exact text, numbers too: with
/// "-999", a cell -999 is missing and -999.0 is a value (pandas matches numbers by value).
public struct MissingMarkers: Sendable, Equatable {
    public let texts: [String]
    private let bytes: [[UInt8]]
    private let longest: Int
    /// Whether some marker reads as a number other than NaN ("-999", "inf"): only then is a cell that
    /// reads as a number compared with the markers (NaN texts read as missing either way).
    let hasNumber: Bool
    /// Bit b of the pair is set when some marker starts with the ASCII byte b (0 ..< 64, 64 ..< 128):
    /// most cells are turned down by one test, before any comparison.
    private let firstBytes: (low: UInt64, high: UInt64)

    public init(_ texts: [String]) {
        self.texts = texts
        bytes = texts.map { Array($0.utf8) }
        longest = bytes.map(\.count).max() ?? 0
        hasNumber = bytes.contains { m in m.withUnsafeBufferPointer { parseDouble($0).map { !$0.isNaN } ?? false } }
        var low: UInt64 = 0, high: UInt64 = 0
        for b in bytes.compactMap(\.first) {
            if b < 64 { low |= 1 << UInt64(b) } else if b < 128 { high |= 1 << UInt64(b - 64) } else { high = ~0; low = ~0 }
        }
        firstBytes = (low, high)
    }

    public static func == (a: MissingMarkers, b: MissingMarkers) -> Bool { a.texts == b.texts }

    /// pandas 3.1's defaults (`pandas._libs.parsers.STR_NA_VALUES`, the empty text aside).
    public static let standard = MissingMarkers(["#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
                                                 "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"])
    /// No text but the empty cell is missing.
    public static let none = MissingMarkers([])

    /// Whether a field's bytes are one of the markers.
    @inline(__always) public func contains(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        guard field.count > 0, field.count <= longest else { return false }
        let first = field[0]
        let mayStart = first < 64 ? (firstBytes.low >> UInt64(first)) & 1 : (first < 128 ? (firstBytes.high >> UInt64(first &- 64)) & 1 : 1)
        if mayStart == 0 { return false }
        return matches(field)
    }

    /// The comparison with each marker of the field's length.
    private func matches(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        for m in bytes where m.count == field.count {
            if m.withUnsafeBufferPointer({ memcmp($0.baseAddress!, field.baseAddress!, field.count) == 0 }) { return true }
        }
        return false
    }

    public func contains(_ text: String) -> Bool { texts.contains(text) }

    /// An empty field or a marker: a missing value.
    @inline(__always) public func isMissing(_ field: UnsafeBufferPointer<UInt8>) -> Bool { field.isEmpty || contains(field) }

    /// The field as a number: NaN where it is missing (empty or a marker), nil where it is other text.
    /// Markers are looked for before the number only where one is a number (`hasNumber`).
    @inline(__always) public func number(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        if hasNumber && contains(field) { return .nan }
        return parseDouble(field) ?? (contains(field) ? .nan : nil)
    }

    /// The field as a category code: -1 where it is missing (empty or a marker), else its level's code.
    @inline(__always) public func code(_ field: UnsafeBufferPointer<UInt8>, in interner: inout CategoryInterner) -> Int32 {
        isMissing(field) ? -1 : interner.code(field)
    }
}

extension Table {
    /// Reads a CSV file into a table in one streaming pass: a column is numeric while every cell is a
    /// number, empty or a missing marker, and turns categorical at its first other text (a column
    /// that turns after its first row is read again for its texts, in a second pass over those
    /// columns only). Markers are missing (NaN, or code -1) in every column. `types` overrides
    /// inference; a non-number in a column forced numeric is an error naming the line.
    public static func readCSV(_ path: String, types: [String: ColumnType] = [:], missing: MissingMarkers = .standard) throws -> Table {
        let reader = try CSVReader(path: path)
        for name in types.keys where !reader.header.contains(name) {
            throw TableError.missingColumn(name, available: reader.header)
        }
        let width = reader.header.count
        var inferred = reader.header.map { types[$0] ?? .numeric }
        let open = reader.header.map { types[$0] == nil }
        var numbers = [[Double]](repeating: [], count: width)
        var codes = [[Int32]](repeating: [], count: width)
        var interners = [CategoryInterner](repeating: CategoryInterner(), count: width)
        /// Columns that turned categorical after their first row: their texts are read again.
        var rereads: [Int] = []
        var row = 0
        // The row loop works on the columns through buffer pointers: no check of the outer arrays
        // per cell, only the append's own.
        try numbers.withUnsafeMutableBufferPointer { numbers in
            try codes.withUnsafeMutableBufferPointer { codes in
                try interners.withUnsafeMutableBufferPointer { interners in
                    while try reader.next() {
                        let r = reader.record
                        for i in 0..<width {
                            switch inferred[i] {
                            case .numeric:
                                if let v = missing.number(r.bytes(i)) {
                                    numbers[i].append(v)
                                } else if open[i] {
                                    inferred[i] = .categorical
                                    numbers[i] = []
                                    if row > 0 { rereads.append(i) } else { codes[i].append(interners[i].code(r.bytes(i))) }
                                } else {
                                    throw CSVError(path: path, line: r.line,
                                                   message: "column '\(reader.header[i])' expects a number, found '\(r.field(i))'")
                                }
                            case .categorical:
                                if rereads.contains(i) { continue }
                                codes[i].append(missing.code(r.bytes(i), in: &interners[i]))
                            }
                        }
                        row += 1
                    }
                }
            }
        }
        if !rereads.isEmpty {
            let again = try CSVReader(path: path)
            while try again.next() {
                let r = again.record
                for i in rereads { codes[i].append(missing.code(r.bytes(i), in: &interners[i])) }
            }
        }
        var table = Table()
        for i in 0..<width {
            let column: Column = inferred[i] == .numeric
                ? .numeric(numbers[i]) : .categorical(CategoricalColumn(codes: codes[i], levels: interners[i].levels))
            try table.append(reader.header[i], column)
        }
        return table
    }

    /// Writes the table as CSV atomically; numbers with `decimals` places (NaN as an empty cell).
    public func writeCSV(_ path: String, decimals: Int = 6) throws {
        let writer = try CSVWriter(path: path, header: columnNames)
        for r in 0..<rowCount {
            for column in columns {
                switch column {
                case .numeric(let v): writer.field(v[r], decimals: decimals)
                case .categorical(let c):
                    if let s = c.value(at: r) { writer.field(s) } else { writer.emptyField() }
                }
            }
            try writer.endRow()
        }
        try writer.finish()
    }
}
