import Foundation
import Testing

/// `driftlab run` from the command line on a tiny scenario (500 transactions a day, 21 reference
/// days, 28 production days): the summary, run.json and report.html, and clear failures.
@Suite("driftlab run", .serialized)
struct RunCommandTests {
    static func scratch(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("driftlab-run-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func tinyScenario(in dir: URL) throws -> String {
        let text = """
        {"name": "tiny-unit-scale", "seed": 11,
         "population": {"customers": 1500, "merchants": 400, "transactions_per_day": 500, "base_fraud_rate": 0.02},
         "reference_days": 21, "production_days": 28,
         "failures": [{"kind": "schema_change", "subkind": "unit_scale", "features": ["amount"], "start_day": 14, "severity": 1.0}]}
        """
        let path = dir.appendingPathComponent("tiny.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func writesRunJSONAndReportAndPrintsASummary() throws {
        let dir = try RunCommandTests.scratch("ok")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = try RunCommandTests.tinyScenario(in: dir)
        let out = dir.appendingPathComponent("out").path
        let r = try runDriftlab(["run", scenario, "--out", out])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("injected:       schema_change/unit_scale"))
        #expect(r.stdout.contains("diagnosis:"))
        let json = try String(contentsOfFile: out + "/run.json", encoding: .utf8)
        #expect(json.drop { $0 == "{" || $0 == " " || $0 == "\n" }.hasPrefix("\"manifest\""))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("Feature drift"))
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == ["report.html", "run.json"])
    }

    @Test func unwritableOutFailsWithExit1AndLeavesNoHalfWrittenFile() throws {
        let dir = try RunCommandTests.scratch("bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = try RunCommandTests.tinyScenario(in: dir)
        // --out names a regular file: refused before any work.
        let file = dir.appendingPathComponent("a-file").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try runDriftlab(["run", scenario, "--out", file + "/sub"])
        #expect(r.exitCode == 1)
        #expect(r.stderr.contains("error:") && r.stderr.contains("a-file"))
        // run.json cannot be put in place (a folder is in the way): exit 1, no temporary left behind.
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out.appendingPathComponent("run.json"), withIntermediateDirectories: true)
        let r2 = try runDriftlab(["run", scenario, "--out", out.path])
        #expect(r2.exitCode == 1)
        #expect(r2.stderr.contains("run.json"))
        let left = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(left == ["run.json"])
        // A missing scenario file and an unknown flag.
        let r3 = try runDriftlab(["run", dir.appendingPathComponent("nope.json").path])
        #expect(r3.exitCode == 1 && r3.stderr.contains("not found"))
        let r4 = try runDriftlab(["run", scenario, "--outt", "x"])
        #expect(r4.exitCode == 64)
    }
}
