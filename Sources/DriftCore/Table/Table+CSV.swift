/// How a CSV column is read into a table.
public enum ColumnType: String, Sendable, Equatable, Codable {
    case numeric, categorical
}

extension Table {
    /// Reads a CSV file into a table in two streaming passes: the first infers each column's type
    /// (numeric where every non-empty cell is a number), the second fills the columns.
    /// `types` overrides inference; a non-number in a column forced numeric is an error naming the line.
    public static func readCSV(_ path: String, types: [String: ColumnType] = [:]) throws -> Table {
        var inferred: [ColumnType]
        do {
            let reader = try CSVReader(path: path)
            for name in types.keys where !reader.header.contains(name) {
                throw TableError.missingColumn(name, available: reader.header)
            }
            inferred = reader.header.map { types[$0] ?? .numeric }
            let open = reader.header.map { types[$0] == nil }
            while try reader.next() {
                let r = reader.record
                for i in 0..<inferred.count where open[i] && inferred[i] == .numeric {
                    if r.double(i) == nil { inferred[i] = .categorical }
                }
            }
        }
        let reader = try CSVReader(path: path)
        let width = reader.header.count
        var numbers = [[Double]](repeating: [], count: width)
        var codes = [[Int32]](repeating: [], count: width)
        var interners = [CategoryInterner](repeating: CategoryInterner(), count: width)
        while try reader.next() {
            let r = reader.record
            for i in 0..<width {
                switch inferred[i] {
                case .numeric:
                    guard let v = r.double(i) else {
                        throw CSVError(path: path, line: r.line,
                                       message: "column '\(reader.header[i])' expects a number, found '\(r.field(i))'")
                    }
                    numbers[i].append(v)
                case .categorical:
                    codes[i].append(r.isEmpty(i) ? -1 : interners[i].code(r.bytes(i)))
                }
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
