import Foundation
import DriftCore

/// Errors of the monitors' table interface.
public enum MonitorError: Error, CustomStringConvertible, Equatable {
    /// A feature was numeric in the reference but arrives categorical in the window (or the reverse).
    case columnKindChanged(feature: String, reference: String, window: String)

    public var description: String {
        switch self {
        case let .columnKindChanged(f, r, w):
            return "feature '\(f)' is \(r) in the reference but \(w) in the window; pass the same column types for both (or map the column)"
        }
    }
}

/// Every data-quality and schema check over a table, fitted once on the reference (scikit-learn
/// shape: configuration -> fit -> immutable monitor that checks windows). Numeric columns get
/// missing rate, stuck value, variance collapse, range, parse failures and unit scale, plus the
/// column-swap search across numeric and velocity features; booleans get missing rate, range and
/// flip; the hour gets the time-zone check; categoricals get missing rate, stuck value, unseen
/// categories and permutation.
public struct QualityMonitor: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var quality = QualityConfiguration()
        public var schema = SchemaConfiguration()
        public init() {}
    }

    public let configuration: Configuration
    public let numeric: [(role: MonitoredRole, reference: NumericReference)]
    public let categorical: [CategoricalProfile]
    let booleanCounts: [String: (trues: Int, present: Int)]
    let hours: [String: [Int]]

    /// Fits on the reference table. `roles` names each monitored feature's role; a column without
    /// a role is `.numeric` or `.categorical` by its type. `unparseable` counts text cells per numeric column.
    public init(reference: Table, roles: [String: MonitoredRole] = [:], unparseable: [String: Int] = [:],
                configuration: Configuration = .init()) throws {
        self.configuration = configuration
        var numeric: [(MonitoredRole, NumericReference)] = []
        var categorical: [CategoricalProfile] = []
        var booleans: [String: (Int, Int)] = [:], hours: [String: [Int]] = [:]
        for (name, column) in zip(reference.columnNames, reference.columns) {
            switch column {
            case .numeric(let values):
                let role = roles[name] ?? .numeric
                if role == .categorical { throw MonitorError.columnKindChanged(feature: name, reference: "numeric", window: "declared categorical") }
                numeric.append((role, NumericReference(name: name, values: values, unparseable: unparseable[name] ?? 0)))
                if role == .boolean { booleans[name] = SchemaChecks.trueCount(values) }
                if role == .hourOfDay { hours[name] = SchemaChecks.hourHistogram(values) }
            case .categorical(let c):
                categorical.append(CategoricalProfile(name: name, column: c))
            }
        }
        self.numeric = numeric
        self.categorical = categorical
        booleanCounts = booleans
        self.hours = hours
    }

    /// Runs every check on a window table with the reference's columns (extra columns are
    /// ignored; a missing column is a `TableError.missingColumn` listing those that exist).
    /// `ids`: transaction ids for the duplicate check (hash text ids with `streamID`).
    /// `samples`: window columns already sorted (`NumericSample` by column name), reused instead of sorting again.
    public func check(window: Table, unparseable: [String: Int] = [:], ids: [UInt64]? = nil,
                      samples: [String: NumericSample] = [:]) throws -> [DetectorResult] {
        let q = configuration.quality, s = configuration.schema
        var results: [DetectorResult] = []
        var swapReferences: [NumericReference] = [], swapWindows: [NumericWindow] = []
        for (role, r) in numeric {
            guard let values = try window.column(r.name).numericValues else {
                throw MonitorError.columnKindChanged(feature: r.name, reference: "numeric", window: "categorical")
            }
            let w = samples[r.name].map { NumericWindow(values: values, unparseable: unparseable[r.name] ?? 0, sample: $0) }
                ?? NumericWindow(values: values, unparseable: unparseable[r.name] ?? 0)
            results.append(DataQualityChecks.missingRate(reference: r, window: w, configuration: q))
            results.append(DataQualityChecks.rangeViolations(reference: r, window: w, configuration: q))
            results.append(SchemaChecks.parseFailures(reference: r, window: w, configuration: s))
            switch role {
            case .boolean:
                let ref = booleanCounts[r.name] ?? (0, 0), now = SchemaChecks.trueCount(values)
                results.append(SchemaChecks.booleanFlip(feature: r.name, referenceTrue: ref.trues, referencePresent: ref.present,
                                                        windowTrue: now.trues, windowPresent: now.present, configuration: s))
            case .hourOfDay:
                results.append(DataQualityChecks.stuckValue(reference: r, window: w, configuration: q))
                results.append(SchemaChecks.timezoneShift(feature: r.name, referenceHours: hours[r.name] ?? [],
                                                          windowHours: SchemaChecks.hourHistogram(values), configuration: s))
            default:
                results.append(DataQualityChecks.stuckValue(reference: r, window: w, configuration: q))
                results.append(DataQualityChecks.varianceCollapse(reference: r, window: w, configuration: q))
                results.append(SchemaChecks.unitScale(reference: r, window: w, configuration: s))
                swapReferences.append(r); swapWindows.append(w)
            }
        }
        results += SchemaChecks.columnSwap(references: swapReferences, windows: swapWindows, configuration: s)
        for r in categorical {
            guard let c = try window.column(r.name).categoricalValues else {
                throw MonitorError.columnKindChanged(feature: r.name, reference: "categorical", window: "numeric")
            }
            let w = CategoricalWindow(column: c)
            results.append(DataQualityChecks.missingRate(reference: r, window: w, configuration: q))
            results.append(DataQualityChecks.stuckCategory(reference: r, window: w, configuration: q))
            results.append(SchemaChecks.unseenCategories(reference: r, window: w, configuration: s))
            results.append(SchemaChecks.categoryPermutation(reference: r, window: w, configuration: s))
        }
        if let ids { results.append(DataQualityChecks.duplicates(ids: ids, configuration: q)) }
        return results
    }
}
