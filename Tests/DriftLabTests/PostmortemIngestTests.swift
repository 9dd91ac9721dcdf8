import DriftCore
import Foundation
import Testing
@testable import DriftLab

/// Small logs written as CSV text: a numeric feature `x` that carries the fraud signal, a
/// categorical `channel`, a boolean `flag`, the generator's role columns.
enum TinyLogs {
    static let header = ["transaction_id", "day", "x", "channel", "flag", "amount", "is_fraud", "label_arrival_day"]

    /// Rows of days `days`, `perDay` each; frauds with probability sigmoid(-4 + 2 x); a fraud's label
    /// arrives 5 days later when `labels`, a legitimate label 30 days later (window closed) when known by `asOf`.
    static func rows(days: ClosedRange<Int>, perDay: Int, seed: UInt64, labels: Bool = true, asOf: Int = 1_000) -> [[String]] {
        var rng = Xoshiro256StarStar(seed: seed, stream: streamID("tiny-logs"))
        var out: [[String]] = []
        var id = Int(seed) * 1_000_000
        for d in days {
            for _ in 0..<perDay {
                let x = rng.normal()
                let fraud = rng.uniform() < 1 / (1 + exp(-(-4 + 2 * x)))
                let channel = ["web", "app", "pos"][rng.index(3)]
                let arrival = fraud ? d + 5 : d + 30
                let known = labels && arrival <= asOf
                out.append(["\(id)", "\(d)", String(format: "%.4f", x), channel, rng.bernoulli(0.3) ? "1" : "0",
                            String(format: "%.2f", 20 + 10 * abs(x)), known && fraud ? "1" : "0", known ? "\(arrival)" : ""])
                id += 1
            }
        }
        return out
    }

    static func write(_ rows: [[String]], header: [String] = TinyLogs.header, to path: String) throws {
        var text = header.joined(separator: ",") + "\n"
        for r in rows { text += r.joined(separator: ",") + "\n" }
        try AtomicFile.write(text, to: path)
    }

    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("postmortem-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

@Suite struct PostmortemIngestTests {
    @Test func aMissingMappedColumnListsTheColumnsThatExist() throws {
        let dir = try TinyLogs.folder()
        try TinyLogs.write(TinyLogs.rows(days: -20...(-1), perDay: 50, seed: 1), to: dir + "/ref.csv")
        try AtomicFile.write("{\"label\": \"fraud_flag\"}", to: dir + "/map.json")
        let map = try ColumnMap.load(dir + "/map.json")
        #expect(throws: PostmortemError.missingColumn(file: dir + "/ref.csv", role: "label", column: "fraud_flag", available: TinyLogs.header)) {
            _ = try LogIngest.inferFeatures(reference: dir + "/ref.csv", map: map)
        }
        let message = PostmortemError.missingColumn(file: "ref.csv", role: "label", column: "fraud_flag", available: TinyLogs.header).description
        #expect(message.contains("transaction_id, day, x, channel, flag, amount, is_fraud, label_arrival_day"))
        // An unknown key in the map is refused with a hint.
        try AtomicFile.write("{\"lable\": \"is_fraud\"}", to: dir + "/bad.json")
        #expect(throws: ConfigError.self) { _ = try ColumnMap.load(dir + "/bad.json") }
    }

    @Test func aNonNumericValueNamesTheLineAndColumn() throws {
        let dir = try TinyLogs.folder()
        var rows = TinyLogs.rows(days: -20...(-1), perDay: 50, seed: 2)
        try TinyLogs.write(rows, to: dir + "/ref.csv")
        rows[3][2] = "12,5".replacingOccurrences(of: ",", with: ";")  // line 5 (header is line 1)
        try TinyLogs.write(rows, to: dir + "/logs.csv")
        let specs = try LogIngest.inferFeatures(reference: dir + "/ref.csv", map: ColumnMap())
        #expect(specs.map(\.type) == [.numeric, .categorical, .numeric, .numeric])
        #expect(throws: PostmortemError.notNumeric(file: dir + "/logs.csv", line: 5, column: "x", text: "12;5")) {
            _ = try LogIngest.read(dir + "/logs.csv", map: ColumnMap(), specs: specs, requireLabels: false)
        }
    }

    /// Missing-value texts (pandas' list by default, the map's `missing` otherwise): "NA" in a
    /// numeric feature is a missing value, not a type change or an error; "null" in a category is
    /// missing; "NA" as a label is an unknown label.
    @Test func missingMarkersAreMissingValues() throws {
        let dir = try TinyLogs.folder()
        var rows = TinyLogs.rows(days: -20...(-1), perDay: 50, seed: 3)
        rows[0][2] = "NA"; rows[1][3] = "null"; rows[2][6] = "NA"; rows[2][7] = "NA"
        try TinyLogs.write(rows, to: dir + "/ref.csv")
        let specs = try LogIngest.inferFeatures(reference: dir + "/ref.csv", map: ColumnMap())
        #expect(specs.map(\.type) == [.numeric, .categorical, .numeric, .numeric])
        let data = try LogIngest.read(dir + "/ref.csv", map: ColumnMap(), specs: specs, requireLabels: true)
        let x = try data.features.numeric("x")
        let channel = try #require(data.features["channel"]?.categoricalValues)
        // Rows keep their order (one day); row 2's label is unknown, with no arrival.
        #expect(x[0].isNaN && x.dropFirst().allSatisfy(\.isFinite) && channel.codes[1] == -1 && !channel.levels.contains("null"))
        #expect(data.label[2] == -1 && data.label.enumerated().allSatisfy { $0.offset == 2 || $0.element >= 0 })
        // A map with its own list: "NA" is then a bad number again, named with its line.
        try AtomicFile.write("{\"missing\": [\"?\"]}", to: dir + "/map.json")
        let map = try ColumnMap.load(dir + "/map.json")
        #expect(map.missing == MissingMarkers(["?"]))
        #expect(throws: PostmortemError.notNumeric(file: dir + "/ref.csv", line: 2, column: "x", text: "NA")) {
            _ = try LogIngest.read(dir + "/ref.csv", map: map, specs: specs, requireLabels: true)
        }
        // A map whose list is not a list of texts names the file and the field.
        try AtomicFile.write("{\"missing\": [\"NA\", 5]}", to: dir + "/bad-missing.json")
        do { _ = try ColumnMap.load(dir + "/bad-missing.json"); Issue.record("no error") } catch {
            #expect(error is ConfigError && "\(error)".contains("bad-missing.json") && "\(error)".contains("missing[1]"))
        }
    }

    @Test func anEmptyFileIsAClearError() throws {
        let dir = try TinyLogs.folder()
        try TinyLogs.write([], to: dir + "/header-only.csv")
        #expect(throws: PostmortemError.empty(file: dir + "/header-only.csv")) {
            _ = try LogIngest.inferFeatures(reference: dir + "/header-only.csv", map: ColumnMap())
        }
        try AtomicFile.write("", to: dir + "/zero.csv")
        #expect(throws: CSVError.self) { _ = try LogIngest.inferFeatures(reference: dir + "/zero.csv", map: ColumnMap()) }
    }

    @Test func logsInAnotherColumnOrderAndUnsortedReadTheSame() throws {
        let dir = try TinyLogs.folder()
        let rows = TinyLogs.rows(days: 0...9, perDay: 30, seed: 3)
        try TinyLogs.write(rows, to: dir + "/a.csv")
        let order = [7, 3, 0, 5, 2, 6, 1, 4]
        try TinyLogs.write(rows.reversed().map { r in order.map { r[$0] } }, header: order.map { TinyLogs.header[$0] }, to: dir + "/b.csv")
        let specs = try LogIngest.inferFeatures(reference: dir + "/a.csv", map: ColumnMap())
        let a = try LogIngest.read(dir + "/a.csv", map: ColumnMap(), specs: specs, requireLabels: true)
        let b = try LogIngest.read(dir + "/b.csv", map: ColumnMap(), specs: specs, requireLabels: true)
        #expect(a.features.columnNames == b.features.columnNames)
        // Sorted by day, stable within a day: the reversed file's days come out ascending.
        #expect(a.day == b.day)
        #expect(a.dayStart == b.dayStart)
        // Within a day by id: the same rows in the same order, whatever the file's row order.
        #expect(a.ids != nil && a.ids == b.ids)
        #expect(a.features["x"]?.numericValues == b.features["x"]?.numericValues && a.label == b.label && a.arrival == b.arrival)
        // Ids that are not numbers sort by their hash: still independent of the file's order.
        let texted = rows.map { r in ["tx-\(r[0])"] + r.dropFirst() }
        try TinyLogs.write(texted, to: dir + "/c.csv")
        var shuffler = Xoshiro256StarStar(seed: 5, stream: streamID("shuffle"))  // seeded, not the system's
        try TinyLogs.write(texted.shuffled(using: &shuffler), to: dir + "/d.csv")
        let c = try LogIngest.read(dir + "/c.csv", map: ColumnMap(), specs: specs, requireLabels: true)
        let d = try LogIngest.read(dir + "/d.csv", map: ColumnMap(), specs: specs, requireLabels: true)
        #expect(c.ids == d.ids && c.features["x"]?.numericValues == d.features["x"]?.numericValues)
    }

    @Test func theTimeDecisionAndRoleColumnsAreChecked() throws {
        let dir = try TinyLogs.folder()
        let rows = TinyLogs.rows(days: -20...(-1), perDay: 20, seed: 6)
        try TinyLogs.write(rows, to: dir + "/ref.csv")
        let specs = try LogIngest.inferFeatures(reference: dir + "/ref.csv", map: ColumnMap())
        func error(_ edit: (inout [[String]]) -> Void, header: [String] = TinyLogs.header, map: ColumnMap = ColumnMap()) -> String {
            var r = rows
            edit(&r)
            do {
                try TinyLogs.write(r, header: header, to: dir + "/logs.csv")
                _ = try LogIngest.read(dir + "/logs.csv", map: map, specs: specs, requireLabels: false)
                return "no error"
            } catch { return "\(error)" }
        }
        // One far-away day (a typo) would cost memory per day of the span: refused, naming both ends.
        var e = error { $0[4][1] = "99999999" }
        #expect(e.hasPrefix(dir + "/logs.csv:6: day column 'day' has '99999999'") && e.contains("from day -20 on line 2") && e.contains("36525 days"), "\(e)")
        e = error { $0[4][1] = "NaN" }
        #expect(e.hasPrefix(dir + "/logs.csv:6: day column 'day' has 'NaN'") && e.contains("read as missing") && !e.contains("categorical"), "\(e)")
        e = error { $0[4][1] = "" }
        #expect(e.hasPrefix(dir + "/logs.csv:6: day column 'day' has an empty cell; every row needs its day"), "\(e)")
        e = error { $0[4][1] = "1e18" }
        #expect(e.contains("has '1e18'; a day must be a whole number of days below 10^8"), "\(e)")
        // Decisions are 0/1 (or true/false): an alert count from '2' would be wrong silently.
        let withDecision = TinyLogs.header + ["decision"]
        e = error({ r in for k in r.indices { r[k].append(k == 7 ? "2" : "0") } }, header: withDecision)
        #expect(e == PostmortemError.badDecision(file: dir + "/logs.csv", line: 9, column: "decision", text: "2").description, "\(e)")
        #expect(error({ r in for k in r.indices { r[k].append(k % 3 == 0 ? "true" : "0") } }, header: withDecision) == "no error")
        // A logged score is only kept out of the features, never parsed: text there is no error.
        #expect(error({ r in for k in r.indices { r[k].append(k == 3 ? "high" : "0.5") } }, header: TinyLogs.header + ["score"]) == "no error")
        // One column in two roles (here the label and its arrival day) is refused before any row is read.
        var map = ColumnMap()
        map.explicit[.labelArrival] = "is_fraud"
        e = error({ _ in }, map: map)
        #expect(e.contains("column 'is_fraud' would be both the label and the label_arrival"), "\(e)")
    }

    @Test func calendarDatesAreDaysSinceTheEpoch() {
        // Python: (date(2026,11,22) - date(1970,1,1)).days == 20779; date(1969,12,31) -> -1
        #expect(LogIngest.calendarDay("2026-11-22") == 20779)
        #expect(LogIngest.calendarDay("2026-11-22T10:00:00Z") == 20779)
        #expect(LogIngest.calendarDay("1969-12-31") == -1)
        #expect(LogIngest.calendarDay("2026-13-01") == nil)
        #expect(LogIngest.calendarDay("yesterday") == nil)
    }

    @Test func changePointMatchesTheLikelihoodRatioScan() throws {
        // Python (numpy/scipy): h = [30]*18 + [20]*12, f = [50]*30; maximise over c in 7...23
        // 2*(L(h[:c]) + L(h[c:]) - L(h)) with L = a log p + (b - a) log(1 - p) -> c = 18,
        // statistic 58.005900242114876; p = chi2.sf(s, 1) * 17 = 4.4426571568241235e-13
        let hits = [Int](repeating: 30, count: 18) + [Int](repeating: 20, count: 12)
        let cp = try #require(ChangePoint.find(hits: hits, frauds: [Int](repeating: 50, count: 30), firstDay: 100))
        #expect(cp.day == 118)
        #expect(abs(cp.statistic - 58.005900242114876) < 1e-9)
        #expect(abs(cp.pValue - 4.4426571568241235e-13) / 4.4426571568241235e-13 < 1e-6)
        #expect(cp.isDrop)
        let flat = try #require(ChangePoint.find(hits: [Int](repeating: 25, count: 30), frauds: [Int](repeating: 50, count: 30), firstDay: 0))
        #expect(!flat.isDrop)
    }

    @Test func noMaturedLabelsFallsBackToLabelFreeEstimates() throws {
        let dir = try TinyLogs.folder()
        try TinyLogs.write(TinyLogs.rows(days: -40...(-1), perDay: 150, seed: 4), to: dir + "/ref.csv")
        try TinyLogs.write(TinyLogs.rows(days: 0...27, perDay: 150, seed: 5, labels: false), to: dir + "/logs.csv")
        var o = PostmortemOptions(reference: dir + "/ref.csv", logs: dir + "/logs.csv")
        o.jobs = 1
        let r = try Postmortem.run(o)
        #expect(!r.maturedLabels)
        #expect(r.symptom == nil && r.fixes == nil)
        #expect(r.notes.contains { $0.hasPrefix("no matured labels yet") })
        #expect(r.labelFree.count == r.steps.count && !r.labelFree.isEmpty)
        #expect(r.labelFree.allSatisfy { $0.cbpeRecall > 0 && $0.cbpeRecall < 1 })
        try PostmortemWriter.write(r, to: dir + "/out")
        let md = try AtomicFile.readText(dir + "/out/postmortem.md")
        #expect(md.contains("No matured labels yet"))
        // postmortem.json marks a whole set: a rewrite that fails part way (report.html cannot be
        // replaced: a folder stands there) leaves the folder without it.
        #expect(FileManager.default.fileExists(atPath: dir + "/out/postmortem.json"))
        try FileManager.default.removeItem(atPath: dir + "/out/report.html")
        try FileManager.default.createDirectory(atPath: dir + "/out/report.html", withIntermediateDirectories: false)
        #expect(throws: FileError.self) { try PostmortemWriter.write(r, to: dir + "/out") }
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/postmortem.json"))
    }
}

@Suite struct LogMonitorRoleTests {
    /// A user's `channel` coded 0/1/2 is numeric in their files: the lab's categorical role for the
    /// simulator's `channel` would make the monitors refuse the window.
    @Test func aSimulatorNameWithAnotherTypeGetsTheRoleOfItsType() throws {
        let table = try Table(columns: [("channel", .numeric([0, 1, 2, 1])), ("amount", .numeric([10, 20, 5, 7])),
                                        ("merchant_category", .categorical(CategoricalColumn(strings: ["a", "b", "a", "c"])))])
        let roles = LogReference.roles(table)
        #expect(roles["channel"] == .numeric)
        #expect(roles["amount"] == LabRunner.monitoredRoles["amount"] && roles["merchant_category"] == .categorical)
    }
}
