import Foundation
import Testing

/// `driftlab diagnose` end to end on small CSV files written here: messy input gives a clear
/// error and a non-zero exit (never a trap); good input writes the postmortem folder.
@Suite struct DiagnoseCommandTests {
    static let header = "transaction_id,day,x,channel,amount,is_fraud,label_arrival_day"

    /// `days` x `perDay` rows; frauds where a deterministic hash of the id falls under sigmoid(-4 + 2x).
    static func csv(days: ClosedRange<Int>, perDay: Int, columnOrder: [Int]? = nil) -> String {
        var lines: [[String]] = []
        var id = 0
        for d in days {
            for k in 0..<perDay {
                let x = Double((k * 7919 + d * 104_729) % 1000) / 250 - 2
                let u = Double((id * 2_654_435_761) % 1_000_003) / 1_000_003
                let fraud = u < 1 / (1 + exp(-(-4 + 2 * x)))
                lines.append(["\(id)", "\(d)", String(format: "%.3f", x), ["web", "app"][k % 2], "12.50", fraud ? "1" : "0", fraud ? "\(d + 5)" : "\(d + 30)"])
                id += 1
            }
        }
        let head = header.split(separator: ",").map(String.init)
        let order = columnOrder ?? Array(0..<head.count)
        return ([order.map { head[$0] }.joined(separator: ",")] + lines.map { r in order.map { r[$0] }.joined(separator: ",") }).joined(separator: "\n") + "\n"
    }

    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("diagnose-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func messyInputGivesClearErrors() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.csv(days: -20...(-1), perDay: 60).write(to: dir.appendingPathComponent("ref.csv"), atomically: true, encoding: .utf8)
        var logs = Self.csv(days: 0...9, perDay: 60)
        try logs.write(to: dir.appendingPathComponent("logs.csv"), atomically: true, encoding: .utf8)

        // A missing mapped column: the error lists the columns that exist.
        try "{\"time\": \"date\"}".write(to: dir.appendingPathComponent("map.json"), atomically: true, encoding: .utf8)
        var r = try runDriftlab(["diagnose", "--reference", "ref.csv", "--logs", "logs.csv", "--columns", "map.json", "--out", "pm"], in: dir)
        #expect(r.exitCode == 1)
        #expect(r.stderr.contains("no column 'date' for the time") && r.stderr.contains("transaction_id, day, x, channel, amount, is_fraud, label_arrival_day"))

        // A non-numeric value in a numeric column: file, line and column.
        var lines = logs.split(separator: "\n").map(String.init)
        lines[6] = lines[6].replacingOccurrences(of: ",12.50,", with: ",twelve,")
        logs = lines.joined(separator: "\n") + "\n"
        try logs.write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        r = try runDriftlab(["diagnose", "--reference", "ref.csv", "--logs", "bad.csv", "--out", "pm"], in: dir)
        #expect(r.exitCode == 1)
        #expect(r.stderr.contains("bad.csv:7: column 'amount' is numeric but has 'twelve'"))

        // An empty file and a missing file.
        try Self.header.appending("\n").write(to: dir.appendingPathComponent("empty.csv"), atomically: true, encoding: .utf8)
        r = try runDriftlab(["diagnose", "--reference", "ref.csv", "--logs", "empty.csv"], in: dir)
        #expect(r.exitCode == 1 && r.stderr.contains("empty.csv: the file has a header but no rows"))
        r = try runDriftlab(["diagnose", "--reference", "nope.csv", "--logs", "logs.csv"], in: dir)
        #expect(r.exitCode == 1 && r.stderr.contains("nope.csv: no such file"))

        // Usage errors exit 64.
        r = try runDriftlab(["diagnose", "--reference", "ref.csv", "--logs", "logs.csv", "--budget", "2"], in: dir)
        #expect(r.exitCode == 64)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pm").path))
    }

    @Test func writesThePostmortemFromLogsInAnotherColumnOrder() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.csv(days: -30...(-1), perDay: 200).write(to: dir.appendingPathComponent("ref.csv"), atomically: true, encoding: .utf8)
        try Self.csv(days: 0...41, perDay: 200, columnOrder: [6, 5, 4, 3, 2, 1, 0]).write(to: dir.appendingPathComponent("logs.csv"), atomically: true, encoding: .utf8)
        let r = try runDriftlab(["diagnose", "--reference", "ref.csv", "--logs", "logs.csv", "--out", "pm", "--json"], in: dir)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(json?["log_rows"] as? Double == 8_400)
        #expect((json?["roles"] as? [String: String])?["label_arrival"] == "label_arrival_day")
        for file in ["postmortem.md", "monitoring.md", "report.html", "postmortem.json", "detectors.csv"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("pm/\(file)").path), "\(file)")
        }
        let quiet = try runDriftlab(["diagnose", "--reference", "ref.csv", "--logs", "logs.csv", "--out", "pm2", "--quiet"], in: dir)
        #expect(quiet.exitCode == 0 && quiet.stdout.isEmpty)
        // Deterministic: the same input gives byte-identical files.
        let a = try Data(contentsOf: dir.appendingPathComponent("pm/postmortem.md")), b = try Data(contentsOf: dir.appendingPathComponent("pm2/postmortem.md"))
        #expect(a == b)
    }
}
