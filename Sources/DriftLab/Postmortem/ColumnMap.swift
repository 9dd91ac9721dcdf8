import DriftCore
import Foundation

/// A problem with the postmortem's input files: names the file, the column and the line, and
/// says what to fix. Never a trap: every user-data path ends in one of these.
public enum PostmortemError: Error, CustomStringConvertible, Equatable {
    /// A column the map names (or a role needs) is not in the file's header.
    case missingColumn(file: String, role: String, column: String, available: [String])
    /// A field of a numeric column that is not a number.
    case notNumeric(file: String, line: Int, column: String, text: String)
    /// A label that is not 0/1 (or true/false).
    case badLabel(file: String, line: Int, column: String, text: String)
    /// A time value that is missing, not a day or a date, or too far from the log's other days.
    case badDay(file: String, line: Int, column: String, text: String, problem: String)
    /// A logged decision that is not 0/1 (or true/false).
    case badDecision(file: String, line: Int, column: String, text: String)
    /// The file has a header but no rows.
    case empty(file: String)
    /// The reference has no (or only) frauds: nothing to train or compare on.
    case oneClass(file: String, column: String)
    /// The model reads a feature the logs do not have.
    case modelFeatureMissing(model: String, feature: String, file: String, available: [String])
    case invalid(String)

    public var description: String {
        switch self {
        case let .missingColumn(file, role, column, available):
            let hint = closestMatch(to: column, in: available).map { " (did you mean '\($0)'?)" } ?? ""
            return "\(file): no column '\(column)' for the \(role)\(hint); the file has: \(available.joined(separator: ", ")). "
                + "Map the role to an existing column with --columns map.json, e.g. {\"\(role)\": \"\(available.first ?? "name")\"}"
        case let .notNumeric(file, line, column, text):
            return "\(file):\(line): column '\(column)' is numeric but has '\(text)'; fix the value, leave it empty for missing, "
                + "or declare the column categorical in the map (\"types\": {\"\(column)\": \"categorical\"})"
        case let .badLabel(file, line, column, text):
            return "\(file):\(line): label column '\(column)' has '\(text)'; expected 0 or 1 (true/false), or empty when unknown"
        case let .badDay(file, line, column, text, problem):
            let shown = text.isEmpty ? "an empty cell" : "'\(text)'"
            return "\(file):\(line): day column '\(column)' has \(shown); \(problem)"
        case let .badDecision(file, line, column, text):
            return "\(file):\(line): decision column '\(column)' has '\(text)'; expected 0 or 1 (true/false): whether the row was alerted"
        case .empty(let file):
            return "\(file): the file has a header but no rows; nothing to diagnose"
        case let .oneClass(file, column):
            return "\(file): column '\(column)' holds a single class; the reference needs both frauds and legitimate rows to train and compare on"
        case let .modelFeatureMissing(model, feature, file, available):
            return "\(model): the model reads feature '\(feature)', which \(file) does not have; its features are: \(available.joined(separator: ", "))"
        case .invalid(let m): return m
        }
    }
}

/// Which column plays which role, and the type of each feature. Defaults follow the files of
/// `driftlab generate`; a `--columns map.json` overrides any of them:
/// `{"time": "day", "label": "is_fraud", "label_arrival": "label_arrival_day", "score": "score",
///   "decision": "decision", "id": "transaction_id", "amount": "amount",
///   "types": {"hour": "numeric"}, "ignore": ["notes"], "missing": ["NA", "null"]}`.
/// Every other column is a feature whose type (numeric or categorical) is inferred from the reference.
/// An empty cell is missing, and so is any of `missing` (by default pandas' list: `MissingMarkers.standard`).
public struct ColumnMap: Sendable, Equatable {
    public enum Role: String, CaseIterable, Sendable {
        case time, label, labelArrival = "label_arrival", score, decision, id, amount
        /// The conventional names tried in order when the map does not name the role.
        var conventional: [String] {
            switch self {
            case .time: return ["day", "date", "timestamp", "time"]
            case .label: return ["is_fraud", "label", "fraud"]
            case .labelArrival: return ["label_arrival_day", "label_day", "chargeback_day"]
            case .score: return ["score"]
            case .decision: return ["decision", "alert"]
            case .id: return ["transaction_id", "id"]
            case .amount: return ["amount"]
            }
        }
        /// Roles whose column is not a model feature (the amount is both).
        var isFeature: Bool { self == .amount }
    }

    public enum FeatureType: String, Sendable { case numeric, categorical }

    /// Roles named explicitly by the map (they must exist).
    public var explicit: [Role: String] = [:]
    public var types: [String: FeatureType] = [:]
    public var ignored: [String] = []
    /// Texts read as missing besides the empty cell, in every column (a label so marked is unknown).
    public var missing = MissingMarkers.standard
    public var source = "--columns"

    public init() {}

    /// Reads a map file (JSON object; unknown keys rejected with a did-you-mean hint).
    public static func load(_ path: String) throws -> ColumnMap {
        let text = try AtomicFile.readText(path)
        let json: JSON
        do { json = try JSON.parse(text) } catch { throw ConfigError(file: path, path: "", message: "\(error)") }
        var r = try ConfigReader(json, file: path, path: "")
        var map = ColumnMap()
        map.source = path
        for role in Role.allCases { if let c = try r.optionalString(role.rawValue) { map.explicit[role] = c } }
        if var t = try r.object("types") {
            for (name, _) in t.members {
                let v = try t.string(name, oneOf: ["numeric", "categorical"])
                map.types[name] = FeatureType(rawValue: v)
            }
            try t.finish()
        }
        map.ignored = try r.strings("ignore") ?? []
        if let texts = try r.strings("missing") { map.missing = MissingMarkers(texts) }
        try r.finish()
        return map
    }

    /// The column of `role` in `header`: the mapped name (must exist) or the first conventional one present.
    func column(_ role: Role, in header: [String], file: String) throws -> Int? {
        if let name = explicit[role] {
            guard let i = header.firstIndex(of: name) else {
                throw PostmortemError.missingColumn(file: file, role: role.rawValue, column: name, available: header)
            }
            return i
        }
        for name in role.conventional { if let i = header.firstIndex(of: name) { return i } }
        return nil
    }

    /// Names of the role columns found in `header` (not features, except the amount).
    func roleColumns(in header: [String], file: String) throws -> [Role: Int] {
        var out: [Role: Int] = [:]
        for role in Role.allCases {
            guard let i = try column(role, in: header, file: file) else { continue }
            if let other = Role.allCases.first(where: { out[$0] == i }) {
                throw PostmortemError.invalid("\(file): column '\(header[i])' would be both the \(other.rawValue) and the \(role.rawValue); "
                    + "each role needs its own column: map one of them to another column in \(source)")
            }
            out[role] = i
        }
        return out
    }
}
