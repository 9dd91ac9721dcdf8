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
        let writer = try Writer(scenario: simulator.scenario, directory: directory, jobs: jobs)
        for batch in simulator.days(jobs: jobs) { try writer.append(batch) }
        return try writer.finish(resolvedJSON: resolvedJSON)
    }

    /// The three CSV files open under temporary names; `append` one day at a time, then `finish`.
    /// Dropped without `finish`, it leaves no file behind.
    public final class Writer {
        let directory: String
        let scenario: Scenario
        let alterable: [Int]
        /// Threads formatting a day's rows (the bytes do not depend on it).
        let jobs: Int
        let reference: CSVWriter, production: CSVWriter, truth: CSVWriter
        public private(set) var summary = Summary()

        public init(scenario: Scenario, directory: String, jobs: Int = 1) throws {
            try AtomicFile.ensureDirectory(directory)
            self.directory = directory
            self.scenario = scenario
            self.jobs = jobs
            alterable = alterableFeatures(scenario)
            let truthHeader = ["transaction_id", "day", "second_of_day", "customer_id", "duplicate", "is_fraud", "fraud_probability",
                               "compromised", "chargeback_day", "active_failures", "altered_features"] + alterable.map { "clean_" + FeatureSchema.names[$0] }
            reference = try CSVWriter(path: Writer.path(directory, "reference.csv"), header: logHeader)
            production = try CSVWriter(path: Writer.path(directory, "production.csv"), header: logHeader)
            truth = try CSVWriter(path: Writer.path(directory, "truth.csv"), header: truthHeader)
        }

        static func path(_ directory: String, _ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

        /// Writes one day: its rows go to the reference or production log, and to truth.csv. The rows
        /// are formatted in slices (4 per thread, at least 1,024 rows each) in parallel, and written in
        /// order: a row's bytes do not depend on the slicing.
        public func append(_ batch: DayBatch) throws {
            let log = batch.day < 0 ? reference : production
            let scenario = scenario, alterable = alterable
            let sliceRows = Swift.max(1024, (batch.count + 4 * jobs - 1) / (4 * jobs))
            let slices = (batch.count + sliceRows - 1) / sliceRows
            let parts = try Parallel.map(slices, jobs: jobs) { k in
                let rows = k * sliceRows..<Swift.min(batch.count, (k + 1) * sliceRows)
                return Writer.format(batch, rows: rows, scenario: scenario, alterable: alterable)
            }
            for part in parts { try log.append(part.log); try truth.append(part.truth) }
            if batch.day < 0 { summary.referenceRows += batch.count } else { summary.productionRows += batch.count }
        }

        /// The log and truth lines of `rows` of a day. The log's label is what the team knows at the end:
        /// in the reference, every chargeback that ever arrives; in production, those arrived by the last
        /// day, with the day the chargeback window closed for a transaction now known legitimate.
        static func format(_ batch: DayBatch, rows: Range<Int>, scenario: Scenario, alterable: [Int]) -> (log: CSVBuffer, truth: CSVBuffer) {
            let log = CSVBuffer(capacity: rows.count * 160), truth = CSVBuffer(capacity: rows.count * 96)
            let levels = LevelText.shared
            let lastDay = scenario.productionDays - 1
            let window = scenario.labelDelay.chargebackWindowDays
            let isReference = batch.day < 0
            let kindsText = batch.activeKinds == 0 ? "none" : batch.kinds.map(\.rawValue).joined(separator: ";")
            for i in rows {
                log.field(Int(batch.transactionID[i])); log.field(batch.day)
                writeFeatures(batch, i, levels, to: log)
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
                log.endRow()
                truth.field(Int(batch.transactionID[i])); truth.field(batch.day); truth.field(Int(batch.secondOfDay[i]))
                truth.field(Int(batch.customerID[i])); truth.field(Int(batch.isDuplicate[i])); truth.field(Int(batch.isFraud[i]))
                truth.field(batch.fraudProbability[i], decimals: 6); truth.field(Int(batch.isCompromised[i]))
                if cb != TransactionSimulator.never { truth.field(Int(cb)) } else { truth.emptyField() }
                truth.field(kindsText)
                let mask = batch.alteredMask[i]
                if mask == 0 { truth.emptyField() } else {
                    truth.field((0..<FeatureSchema.count).filter { mask & (1 << UInt32($0)) != 0 }.map { FeatureSchema.names[$0] }.joined(separator: ";"))
                }
                for f in alterable { writeValue(batch.clean, f, i, levels, to: truth) }
                truth.endRow()
            }
            return (log, truth)
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
    static func writeFeatures(_ b: DayBatch, _ i: Int, _ levels: LevelText, to w: CSVBuffer) {
        let text = b.textMask[i]
        for f in 0..<FeatureSchema.count {
            if text != 0 && text & (1 << UInt32(f)) != 0 { w.field(groupedText(b.clean.numeric[f][i])); continue }
            writeValue(b.served, f, i, levels, to: w)
        }
    }

    @inline(__always)
    static func writeValue(_ c: FeatureColumns, _ f: Int, _ i: Int, _ levels: LevelText, to w: CSVBuffer) {
        if levels.isCategorical[f] {
            let code = Int(c.codes[f][i])
            if code < 0 { w.emptyField() } else { levels.write(feature: f, code: code, to: w) }
        } else {
            let v = c.numeric[f][i]
            w.field(v, decimals: decimals(v, fixed: levels.decimals[f]))
        }
    }

    /// The level names of every categorical feature as UTF-8 bytes in one buffer, and the schema's
    /// per-feature facts, built once: a row's categorical fields are copied, not re-encoded from Strings.
    final class LevelText: Sendable {
        static let shared = LevelText()
        let bytes: [UInt8]
        /// `ranges[first[f] + code]` is the byte range of level `code` of feature f.
        let ranges: [Range<Int>]
        let first: [Int]
        let isCategorical = FeatureSchema.isCategorical
        let decimals = FeatureSchema.decimals

        init() {
            var bytes: [UInt8] = [], ranges: [Range<Int>] = [], first: [Int] = []
            for f in 0..<FeatureSchema.count {
                first.append(ranges.count)
                for name in FeatureSchema.levels[f] {
                    let start = bytes.count
                    bytes.append(contentsOf: Array(name.utf8))
                    ranges.append(start..<bytes.count)
                }
            }
            self.bytes = bytes; self.ranges = ranges; self.first = first
        }

        @inline(__always) func write(feature f: Int, code: Int, to w: CSVBuffer) {
            let r = ranges[first[f] + code]
            bytes.withUnsafeBufferPointer { w.field(utf8: UnsafeBufferPointer(rebasing: $0[r])) }
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
        if roundedHalfAway(v * scale) / scale == v { return fixed }
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
