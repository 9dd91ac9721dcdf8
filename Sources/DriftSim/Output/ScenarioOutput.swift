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
/// Every file is written to a temporary name and renamed into place when complete;
/// `scenario.resolved.json` is removed first and written last, so a folder without it holds an
/// interrupted run.
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
        /// Each slice's log and truth bytes, kept from day to day (memory stays one day of rows; no
        /// fresh pages to fault in for every day).
        var buffers: [(log: CSVBuffer, truth: CSVBuffer)] = []
        public private(set) var summary = Summary()

        public init(scenario: Scenario, directory: String, jobs: Int = 1) throws {
            try AtomicFile.ensureDirectory(directory)
            // scenario.resolved.json marks a whole set: removed before anything is replaced, written
            // last, so a folder without it holds an interrupted run (the CSVs may be of two scenarios).
            try AtomicFile.remove(Writer.path(directory, "scenario.resolved.json"))
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
        /// are formatted in slices (4 per thread, at least 1,024 rows each) in parallel, and each is
        /// written, in order, as soon as it and those before it are formatted (`Parallel.forEachInOrder`):
        /// a row's bytes do not depend on the slicing.
        public func append(_ batch: DayBatch) throws {
            let log = batch.day < 0 ? reference : production
            let scenario = scenario, alterable = alterable
            let sliceRows = Swift.max(1024, (batch.count + 4 * jobs - 1) / (4 * jobs))
            let slices = (batch.count + sliceRows - 1) / sliceRows
            while buffers.count < slices { buffers.append((CSVBuffer(capacity: sliceRows * 160), CSVBuffer(capacity: sliceRows * 96))) }
            let parts = buffers[..<slices]
            let truth = truth
            try Parallel.forEachInOrder(slices, jobs: jobs) { k in
                let rows = k * sliceRows..<Swift.min(batch.count, (k + 1) * sliceRows)
                Writer.format(batch, rows: rows, scenario: scenario, alterable: alterable, into: parts[k])
            } then: { k in
                try log.append(parts[k].log); try truth.append(parts[k].truth)
            }
            if batch.day < 0 { summary.referenceRows += batch.count } else { summary.productionRows += batch.count }
        }

        /// The log and truth lines of `rows` of a day, in place of the buffers' bytes. The log's label is
        /// what the team knows at the end: in the reference, every chargeback that ever arrives; in
        /// production, those arrived by the last day, with the day the chargeback window closed for a
        /// transaction now known legitimate. One formatter per file for the whole slice and column
        /// addresses fetched once: the row loop makes no call, String or column bounds check per value.
        static func format(_ batch: DayBatch, rows: Range<Int>, scenario: Scenario, alterable: [Int], into buffers: (log: CSVBuffer, truth: CSVBuffer)) {
            let (log, truth) = buffers
            log.removeAll(); truth.removeAll()
            let text = SchemaText.shared
            let lastDay = scenario.productionDays - 1
            let window = scenario.labelDelay.chargebackWindowDays
            let never = TransactionSimulator.never
            // The day is the same on every row of the slice: encoded once.
            let day = CSVFieldTable([String(batch.day)])
            // Room for a whole log row, reserved once per row (the fields then check none): id, day,
            // 20 features, label and arrival day.
            let valueRoom = Swift.max(CSVFormatter.numberRoom, text.levels.room)
            let logRoom = 3 * CSVFormatter.integerRoom + day.room + FeatureSchema.count * valueRoom
            withColumns(batch.served) { served in
                log.withFormatter { w in
                    for i in rows {
                        w.reserve(logRoom)
                        w.uncheckedField(Int(batch.transactionID[i])); w.uncheckedField(0, of: day)
                        writeFeatures(batch, i, served, text, to: &w)
                        let cb = batch.chargebackDay[i]
                        if batch.day < 0 {
                            w.uncheckedField(cb != never ? 1 : 0)
                            w.uncheckedField(cb != never ? Int(cb) : batch.day + window)
                        } else if cb != never && Int(cb) <= lastDay {
                            w.uncheckedField(1); w.uncheckedField(Int(cb))
                        } else if batch.day + window <= lastDay {
                            w.uncheckedField(0); w.uncheckedField(batch.day + window)
                        } else {
                            w.uncheckedField(0); w.uncheckedEmptyField()
                        }
                        w.endRow()
                    }
                }
            }
            let kinds = CSVFieldTable([batch.activeKinds == 0 ? "none" : batch.kinds.map(\.rawValue).joined(separator: ";")])
            // Room to join the names of all 20 features with ";" (the altered features of a row).
            let namesRoom = text.names.reduce(FeatureSchema.count) { $0 + $1.count }
            // Room for a whole truth row: 7 integers, the day, the probability, the failure kinds, the
            // altered features (as `field(utf8:)` reserves) and the clean values.
            let truthRoom = 7 * CSVFormatter.integerRoom + day.room + CSVFormatter.numberRoom + kinds.room
                + 2 * namesRoom + 3 + alterable.count * valueRoom
            withColumns(batch.clean) { clean in
                // Clean values sit on their feature's grid (the simulator rounds there): fixed decimals.
                let alterableClean = alterable.map { clean[$0] }
                alterableClean.withUnsafeBufferPointer { cleanColumns in
                    truth.withFormatter { w in
                        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: namesRoom) { names in
                            for i in rows {
                                w.reserve(truthRoom)
                                w.uncheckedField(Int(batch.transactionID[i])); w.uncheckedField(0, of: day); w.uncheckedField(Int(batch.secondOfDay[i]))
                                w.uncheckedField(Int(batch.customerID[i])); w.uncheckedField(Int(batch.isDuplicate[i])); w.uncheckedField(Int(batch.isFraud[i]))
                                w.uncheckedField(batch.fraudProbability[i], decimals: 6); w.uncheckedField(Int(batch.isCompromised[i]))
                                let cb = batch.chargebackDay[i]
                                if cb != never { w.uncheckedField(Int(cb)) } else { w.uncheckedEmptyField() }
                                w.uncheckedField(0, of: kinds)
                                let mask = batch.alteredMask[i]
                                if mask == 0 {
                                    w.uncheckedEmptyField()
                                } else if mask & (mask &- 1) == 0 && mask.trailingZeroBitCount < FeatureSchema.count {
                                    w.uncheckedField(mask.trailingZeroBitCount, of: text.nameFields)  // one feature (most rows)
                                } else {
                                    w.field(utf8: text.joinedNames(mask, into: names))
                                }
                                for c in cleanColumns { writeValue(c, i, text, to: &w) }
                                w.endRow()
                            }
                        }
                    }
                }
            }
        }

        /// Closes and renames the CSV files into place and writes `scenario.resolved.json` last.
        public func finish(resolvedJSON: String) throws -> Summary {
            for file in [reference, production, truth] { file.startFinishing() }
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
    /// them off that grid: `decimals(_:fixed:)`, checked only for the features a failure reached),
    /// level names, empty for missing, and `type_change` values as grouped text. A row no failure
    /// reached (most) takes a loop with no test per feature.
    @inline(__always)
    static func writeFeatures(_ b: DayBatch, _ i: Int, _ served: UnsafeBufferPointer<Column>, _ text: SchemaText, to w: inout CSVFormatter) {
        let reached = b.alteredMask[i] | b.textMask[i]
        if reached == 0 {
            for c in served { writeValue(c, i, text, to: &w) }
            return
        }
        for f in 0..<served.count {
            let bit: UInt32 = 1 &<< UInt32(f)
            if reached & bit == 0 {
                writeValue(served[f], i, text, to: &w)
            } else if b.textMask[i] & bit != 0 {
                w.field(groupedText(b.clean.numeric[f][i]))
            } else {
                writeReached(i, served[f], text, to: &w)
            }
        }
    }

    /// A served value of row i that a failure reached (not a `type_change` text, which
    /// `writeFeatures` writes), with `decimals(_:fixed:)`: numbers a failure moved off their grid
    /// keep their precision. It takes the column, not the batch: passing the `DayBatch` copied it
    /// (a retain and a release of each of its arrays) for every such cell.
    @inline(never)
    static func writeReached(_ i: Int, _ c: Column, _ text: SchemaText, to w: inout CSVFormatter) {
        if let values = c.values {
            let v = values[i]
            w.field(v, decimals: decimals(v, fixed: c.decimals))
        } else {
            writeValue(c, i, text, to: &w)
        }
    }

    /// Value i of a column: a level name, empty for missing (code -1: the empty text just before
    /// the feature's level 0 in `SchemaText.levels`, so no test), or a number with its feature's
    /// fixed decimals (where it is known to sit on that grid: clean values, and served ones no
    /// failure reached). Into room the row reserved (`CSVFormatter.numberRoom` or the levels'
    /// `room` per value, whichever is larger).
    @inline(__always)
    static func writeValue(_ c: Column, _ i: Int, _ text: SchemaText, to w: inout CSVFormatter) {
        if let codes = c.codes {
            w.uncheckedField(c.firstLevel &+ Int(Swift.max(codes[i], -1)), of: text.levels)
        } else {
            w.uncheckedField(c.values.unsafelyUnwrapped[i], decimals: c.decimals)  // a column has one or the other
        }
    }

    /// One feature's column for a slice's row loop: its base address (codes for a categorical
    /// feature, values for a numeric one), fixed decimals and the index of its level 0 in
    /// `SchemaText.levels`.
    struct Column {
        let values: UnsafePointer<Double>?
        let codes: UnsafePointer<Int32>?
        let decimals: Int
        let firstLevel: Int
    }

    /// Calls `body` with the 20 columns of `c`, their addresses valid for the call.
    static func withColumns<R>(_ c: FeatureColumns, _ body: (UnsafeBufferPointer<Column>) -> R) -> R {
        withBaseAddresses(c.numeric) { values in
            withBaseAddresses(c.codes) { codes in
                let columns = (0..<FeatureSchema.count).map { f in
                    let categorical = FeatureSchema.isCategorical[f]
                    return Column(values: categorical ? nil : values[f], codes: categorical ? codes[f] : nil,
                                  decimals: FeatureSchema.decimals[f], firstLevel: SchemaText.shared.first[f])
                }
                return columns.withUnsafeBufferPointer(body)
            }
        }
    }

    /// Calls `body` with the base address of each array (nil where empty), all valid for the call:
    /// one nested `withUnsafeBufferPointer` per array, so no address outlives its array's access.
    static func withBaseAddresses<T, R>(_ arrays: [[T]], _ body: ([UnsafePointer<T>?]) -> R) -> R {
        func nest(_ k: Int, _ addresses: [UnsafePointer<T>?]) -> R {
            if k == arrays.count { return body(addresses) }
            return arrays[k].withUnsafeBufferPointer { nest(k + 1, addresses + [$0.baseAddress]) }
        }
        return nest(0, [])
    }

    /// The level names of every categorical feature, encoded once as CSV fields, and the feature
    /// names as UTF-8: a row's categorical fields and altered-feature list are copied, not re-encoded.
    final class SchemaText: Sendable {
        static let shared = SchemaText()
        /// Level `code` of feature f is text `first[f] + code` of `levels`; code -1 (missing) is the
        /// empty text each feature's levels start with.
        let levels = CSVFieldTable(FeatureSchema.levels.flatMap { [""] + $0 })
        let first: [Int] = (0..<FeatureSchema.count).map { f in FeatureSchema.levels[...f].reduce(0) { $0 + 1 + $1.count } - FeatureSchema.levels[f].count }
        let names: [[UInt8]] = FeatureSchema.names.map { Array($0.utf8) }
        /// The feature names encoded as CSV fields (the altered features of a row one failure reached).
        let nameFields = CSVFieldTable(FeatureSchema.names)

        /// The names of the features whose bits are set in `mask`, in feature order, joined by ";",
        /// assembled in `scratch` (room for every name and separator).
        func joinedNames(_ mask: UInt32, into scratch: UnsafeMutableBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            var rest = mask, n = 0
            while rest != 0 {
                let f = rest.trailingZeroBitCount
                rest &= rest &- 1
                if f >= names.count { continue }
                if n > 0 { scratch[n] = 0x3B; n += 1 }
                for c in names[f] { scratch[n] = c; n += 1 }
            }
            return UnsafeBufferPointer(rebasing: scratch[..<n])
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
