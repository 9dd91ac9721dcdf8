/// A categorical column: one `Int32` code per row into `levels`; `-1` marks a missing value.
public struct CategoricalColumn: Sendable, Equatable {
    public var codes: [Int32]
    public var levels: [String]

    public init(codes: [Int32], levels: [String]) {
        self.codes = codes
        self.levels = levels
    }

    /// Encodes strings (empty string = missing), levels in order of first appearance.
    public init(strings: [String]) {
        var index: [String: Int32] = [:]
        var levels: [String] = []
        var codes = [Int32]()
        codes.reserveCapacity(strings.count)
        for s in strings {
            if s.isEmpty { codes.append(-1); continue }
            if let c = index[s] { codes.append(c); continue }
            let c = Int32(levels.count)
            index[s] = c
            levels.append(s)
            codes.append(c)
        }
        self.init(codes: codes, levels: levels)
    }

    public var count: Int { codes.count }

    /// The value of row `i`, or nil where missing.
    public func value(at i: Int) -> String? {
        let c = codes[i]
        return c < 0 ? nil : levels[Int(c)]
    }
}

/// One column of a table: numbers (NaN = missing) or categories. Contiguous storage, no optionals.
public enum Column: Sendable, Equatable {
    case numeric([Double])
    case categorical(CategoricalColumn)

    public var count: Int {
        switch self {
        case .numeric(let v): return v.count
        case .categorical(let c): return c.count
        }
    }

    public var isNumeric: Bool { if case .numeric = self { return true } else { return false } }

    public var numericValues: [Double]? { if case .numeric(let v) = self { return v } else { return nil } }

    public var categoricalValues: CategoricalColumn? {
        if case .categorical(let c) = self { return c } else { return nil }
    }

    /// Keeps the rows at `indices`, in that order.
    public func selecting(_ indices: [Int]) -> Column {
        switch self {
        case .numeric(let v): return .numeric(indices.map { v[$0] })
        case .categorical(let c): return .categorical(CategoricalColumn(codes: indices.map { c.codes[$0] }, levels: c.levels))
        }
    }
}

/// A column-oriented table: named columns of equal length.
public struct Table: Sendable, Equatable {
    public private(set) var columnNames: [String]
    public private(set) var columns: [Column]
    public private(set) var rowCount: Int

    public init() {
        columnNames = []
        columns = []
        rowCount = 0
    }

    /// Builds a table; every column must have the same length and names must be unique.
    public init(columns named: [(String, Column)]) throws {
        self.init()
        for (name, column) in named { try append(name, column) }
    }

    public mutating func append(_ name: String, _ column: Column) throws {
        if columnNames.contains(name) { throw TableError.duplicateColumn(name) }
        if !columns.isEmpty && column.count != rowCount {
            throw TableError.lengthMismatch(column: name, expected: rowCount, got: column.count)
        }
        if columns.isEmpty { rowCount = column.count }
        columnNames.append(name)
        columns.append(column)
    }

    public func index(of name: String) -> Int? { columnNames.firstIndex(of: name) }

    public subscript(name: String) -> Column? {
        guard let i = index(of: name) else { return nil }
        return columns[i]
    }

    /// The column called `name`, or an error listing the columns that exist.
    public func column(_ name: String) throws -> Column {
        guard let c = self[name] else { throw TableError.missingColumn(name, available: columnNames) }
        return c
    }

    /// Numeric values of `name`, or an error if it is absent or categorical.
    public func numeric(_ name: String) throws -> [Double] {
        guard let v = try column(name).numericValues else { throw TableError.notNumeric(name) }
        return v
    }

    /// Keeps the rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> Table {
        var t = Table()
        for (n, c) in zip(columnNames, columns) { try! t.append(n, c.selecting(indices)) }
        if columns.isEmpty { t.rowCount = 0 }
        return t
    }

    /// Drops columns by name (absent names are ignored).
    public func removingColumns(_ names: Set<String>) -> Table {
        var t = Table()
        for (n, c) in zip(columnNames, columns) where !names.contains(n) { try! t.append(n, c) }
        return t
    }
}

public enum TableError: Error, CustomStringConvertible, Equatable {
    case duplicateColumn(String)
    case lengthMismatch(column: String, expected: Int, got: Int)
    case missingColumn(String, available: [String])
    case notNumeric(String)

    public var description: String {
        switch self {
        case .duplicateColumn(let n): return "column '\(n)' appears twice; column names must be unique"
        case let .lengthMismatch(n, e, g): return "column '\(n)' has \(g) rows; the table has \(e)"
        case let .missingColumn(n, available):
            var s = "no column '\(n)'"
            if let guess = closestMatch(to: n, in: available) { s += " (did you mean '\(guess)'?)" }
            return s + "; the columns are: " + available.joined(separator: ", ")
        case .notNumeric(let n): return "column '\(n)' is not numeric"
        }
    }
}
