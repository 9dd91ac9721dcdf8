import DriftCore
import Foundation

/// Writes a simulation to CSV, streaming day by day (memory: one day):
/// - `reference.csv`: the training period with mature labels (`is_fraud` = 1 where a chargeback
///   ever arrives; a fraud never charged back looks legitimate, as it would to the team);
/// - `production.csv`: the production log as known at the end of the period: `is_fraud` = 1
///   only where the chargeback had arrived by the last day, `label_arrival_day` = that day, or
///   the day the chargeback window closed for a transaction now known legitimate, else empty;
/// - `truth.csv`: per row of both files, the true label, fraud probability, the active failure
///   kinds, the altered features and the clean values of every feature a failure may alter;
/// - `scenario.resolved.json` (given by the caller, every default filled in).
/// Columns of the two logs: transaction_id, day, the 20 served features, is_fraud,
/// label_arrival_day. A `type_change` value is written as text ("$1,234.50", quoted).
/// Every file is written to a temporary name and renamed into place when complete.
public enum ScenarioOutput {
    public struct Summary: Sendable, Equatable {
        public var referenceRows = 0
        public var productionRows = 0
        public var bytes = 0
    }

    public static let logHeader = ["transaction_id", "day"] + FeatureSchema.names + ["is_fraud", "label_arrival_day"]

    /// Features whose clean values go to truth.csv: those a schema or data-quality fault may alter.
    public static func alterableFeatures(_ s: Scenario) -> [Int] {
        var set = Set<Int>()
        for f in s.failures where f.kind == .schemaChange || f.kind == .dataQuality {
            for name in TransactionSimulator.features(of: f) { if let i = FeatureSchema.index(of: name) { set.insert(i) } }
        }
        return set.sorted()
    }

    public static func write(_ simulator: TransactionSimulator, resolvedJSON: String, to directory: String, jobs: Int) throws -> Summary {
        let writer = try Writer(scenario: simulator.scenario, directory: directory)
        for batch in simulator.days(jobs: jobs) { try writer.append(batch) }
        return try writer.finish(resolvedJSON: resolvedJSON)
    }

    /// The three CSV files open under temporary names; `append` one day at a time, then `finish`.
    /// Dropped without `finish`, it leaves no file behind.
    public final class Writer {
        let directory: String
        let scenario: Scenario
        let alterable: [Int]
        let reference: CSVWriter, production: CSVWriter, truth: CSVWriter
        public private(set) var summary = Summary()

        public init(scenario: Scenario, directory: String) throws {
            try AtomicFile.ensureDirectory(directory)
            self.directory = directory
            self.scenario = scenario
            alterable = alterableFeatures(scenario)
            let truthHeader = ["transaction_id", "day", "second_of_day", "customer_id", "duplicate", "is_fraud", "fraud_probability",
                               "compromised", "chargeback_day", "active_failures", "altered_features"] + alterable.map { "clean_" + FeatureSchema.names[$0] }
            reference = try CSVWriter(path: Writer.path(directory, "reference.csv"), header: logHeader)
            production = try CSVWriter(path: Writer.path(directory, "production.csv"), header: logHeader)
            truth = try CSVWriter(path: Writer.path(directory, "truth.csv"), header: truthHeader)
        }

        static func path(_ directory: String, _ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

        public func append(_ batch: DayBatch) throws {
            let lastDay = scenario.productionDays - 1
            let window = scenario.labelDelay.chargebackWindowDays
            let isReference = batch.day < 0
            let log = isReference ? reference : production
            let kindsText = batch.activeKinds == 0 ? "none" : batch.kinds.map(\.rawValue).joined(separator: ";")
            for i in 0..<batch.count {
                log.field(Int(batch.transactionID[i])); log.field(batch.day)
                writeFeatures(batch, i, to: log)
                let cb = batch.chargebackDay[i]
                if isReference {
                    log.field(cb != TransactionSimulator.never ? 1 : 0)
                    log.field(cb != TransactionSimulator.never ? Int(cb) : batch.day + window)
                } else if cb != TransactionSimulator.never && Int(cb) <= lastDay {
                    log.field(1); log.field(Int(cb))
                } else if batch.day + window <= lastDay {
                    log.field(0); log.field(batch.day + window)
                } else {
                    log.field(0); log.emptyField()
                }
                try log.endRow()
                truth.field(Int(batch.transactionID[i])); truth.field(batch.day); truth.field(Int(batch.secondOfDay[i]))
                truth.field(Int(batch.customerID[i])); truth.field(Int(batch.isDuplicate[i])); truth.field(Int(batch.isFraud[i]))
                truth.field(batch.fraudProbability[i], decimals: 6); truth.field(Int(batch.isCompromised[i]))
                if cb != TransactionSimulator.never { truth.field(Int(cb)) } else { truth.emptyField() }
                truth.field(kindsText)
                let mask = batch.alteredMask[i]
                if mask == 0 { truth.emptyField() } else {
                    truth.field((0..<FeatureSchema.count).filter { mask & (1 << UInt32($0)) != 0 }.map { FeatureSchema.names[$0] }.joined(separator: ";"))
                }
                for f in alterable { writeValue(batch.clean, f, i, to: truth) }
                try truth.endRow()
            }
            if isReference { summary.referenceRows += batch.count } else { summary.productionRows += batch.count }
        }

        /// Closes and renames the CSV files into place and writes `scenario.resolved.json`.
        public func finish(resolvedJSON: String) throws -> Summary {
            try reference.finish(); try production.finish(); try truth.finish()
            try AtomicFile.write(resolvedJSON, to: Writer.path(directory, "scenario.resolved.json"))
            summary.bytes = 0
            for name in ["reference.csv", "production.csv", "truth.csv", "scenario.resolved.json"] {
                let attributes = try? FileManager.default.attributesOfItem(atPath: Writer.path(directory, name))
                summary.bytes += (attributes?[.size] as? Int) ?? 0
            }
            return summary
        }
    }

    /// The 20 served features of row i: numbers with their fixed decimals (more where a failure moved
    /// them off that grid: `decimals(_:fixed:)`), level names, empty for
    /// missing, and `type_change` values as grouped text.
    @inline(__always)
    static func writeFeatures(_ b: DayBatch, _ i: Int, to w: CSVWriter) {
        let text = b.textMask[i]
        for f in 0..<FeatureSchema.count {
            if text != 0 && text & (1 << UInt32(f)) != 0 { w.field(groupedText(b.clean.numeric[f][i])); continue }
            writeValue(b.served, f, i, to: w)
        }
    }

    @inline(__always)
    static func writeValue(_ c: FeatureColumns, _ f: Int, _ i: Int, to w: CSVWriter) {
        if FeatureSchema.isCategorical[f] {
            let code = Int(c.codes[f][i])
            if code < 0 { w.emptyField() } else { w.field(FeatureSchema.levels[f][code]) }
        } else {
            let v = c.numeric[f][i]
            w.field(v, decimals: decimals(v, fixed: FeatureSchema.decimals[f]))
        }
    }

    /// Decimals to write a numeric feature with: its fixed decimals when the value sits on that grid
    /// (every clean value does: the simulator rounds there), else enough for 6 significant digits,
    /// so a value a failure rescaled keeps its precision (0.7934 x 0.01 is logged as 0.00793400,
    /// not 0.0079, and undoing the factor restores 0.7934 exactly).
    @inline(__always)
    static func decimals(_ v: Double, fixed: Int) -> Int {
        guard v.isFinite, v != 0, fixed >= 0, fixed < powersOfTen.count else { return fixed }
        let scale = powersOfTen[fixed]
        if (v * scale).rounded(.toNearestOrAwayFromZero) / scale == v { return fixed }
        let magnitude = Int(log10(Swift.abs(v)).rounded(.down))
        return Swift.min(15, Swift.max(fixed, 5 - magnitude))
    }

    static let powersOfTen: [Double] = (0...15).map { pow(10, Double($0)) }

    /// A number as an upstream system that changed type sends it: formatted text with a currency
    /// sign, two decimals and thousands separated by commas ("$1,234.50", "$45.20"), which no
    /// number parser reads, so the CSV log and the in-memory served value (missing) agree.
    public static func groupedText(_ v: Double) -> String {
        if !v.isFinite { return "" }
        let cents = Int((Swift.abs(v) * 100).rounded())
        var whole = String(cents / 100)
        var groups: [Substring] = []
        while whole.count > 3 { groups.insert(whole.suffix(3), at: 0); whole.removeLast(3) }
        groups.insert(Substring(whole), at: 0)
        let fraction = cents % 100
        return (v < 0 ? "-$" : "$") + groups.joined(separator: ",") + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
