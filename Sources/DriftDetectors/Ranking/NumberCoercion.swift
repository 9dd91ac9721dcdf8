import DriftCore

/// A column numeric in one table that holds a few texts that are not numbers in the other (a stray
/// "unknown" or "-" in an export): type inference reads that side as categorical, so the column
/// would be a type mismatch and go untested. `coerceNumbers` reads those texts as missing instead,
/// tests the numbers, and reports what it read as missing here.
public struct NumberCoercion: Sendable, Equatable {
    public var feature: String
    /// Whether the texts were in the reference (else in the current table).
    public var inReference: Bool
    /// Rows whose cell is a text that is not a number, now missing.
    public var rows: Int
    /// Non-missing cells of the column before the coercion (numbers and texts).
    public var nonMissing: Int
    /// Up to three of the texts, the most frequent first.
    public var examples: [String]

    /// The share of a column's non-missing cells that must be numbers for it to be read as numeric.
    public static let minimumNumberShare = 0.5
}

extension DriftReport {
    /// Every column numeric in one table and categorical in the other whose categorical side has
    /// at least `NumberCoercion.minimumNumberShare` of its non-missing cells numbers (`parseDouble`,
    /// as the CSV reader infers) becomes numeric on that side, its other texts missing. A column
    /// that is mostly text stays categorical: that is a real type mismatch.
    public static func coerceNumbers(reference: inout Table, current: inout Table) -> [NumberCoercion] {
        var coercions: [NumberCoercion] = []
        for name in reference.columnNames {
            guard let r = reference[name], let c = current[name], r.isNumeric != c.isNumeric else { continue }
            let inReference = !r.isNumeric
            guard let text = (inReference ? r : c).categoricalValues else { continue }
            let numbers = text.levels.map { parseDouble($0) }
            var rowsOfLevel = [Int](repeating: 0, count: text.levels.count)
            for code in text.codes where code >= 0 { rowsOfLevel[Int(code)] += 1 }
            let nonMissing = rowsOfLevel.reduce(0, +)
            let numberRows = zip(numbers, rowsOfLevel).reduce(0) { $0 + ($1.0 == nil ? 0 : $1.1) }
            guard nonMissing > 0, Double(numberRows) >= NumberCoercion.minimumNumberShare * Double(nonMissing) else { continue }
            let values = text.codes.map { $0 < 0 ? Double.nan : (numbers[Int($0)] ?? .nan) }
            let texts = text.levels.indices.filter { numbers[$0] == nil }
                .sorted { rowsOfLevel[$0] != rowsOfLevel[$1] ? rowsOfLevel[$0] > rowsOfLevel[$1] : $0 < $1 }
            coercions.append(NumberCoercion(feature: name, inReference: inReference, rows: nonMissing - numberRows,
                                            nonMissing: nonMissing, examples: texts.prefix(3).map { text.levels[$0] }))
            func replaced(_ t: Table) -> Table {
                (try? Table(columns: zip(t.columnNames, t.columns).map { ($0, $0 == name ? .numeric(values) : $1) })) ?? t
            }
            if inReference { reference = replaced(reference) } else { current = replaced(current) }
        }
        return coercions
    }
}
