import Foundation
import Testing

@Suite("driftlab generate")
struct GenerateCommandTests {
    static let tiny = """
        {"name": "tiny", "seed": 3, "population": {"customers": 300, "merchants": 60, "transactions_per_day": 120},
         "reference_days": 3, "production_days": 6, "monitoring": {"window_days": 3, "step_days": 1},
         "failures": [{"kind": "schema_change", "subkind": "type_change", "features": ["amount"], "start_day": 2, "severity": 1}]}
        """

    @Test("writes the four files, identical for any --jobs")
    func writesFiles() throws {
        let dir = try makeScratchFolder("generate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = dir.appendingPathComponent("tiny.json").path
        try Self.tiny.write(toFile: scenario, atomically: true, encoding: .utf8)
        let a = try runDriftlab(["generate", scenario, "--out", dir.appendingPathComponent("a").path, "--jobs", "1"])
        let b = try runDriftlab(["generate", scenario, "--out", dir.appendingPathComponent("b").path, "--jobs", "2"])
        #expect(a.exitCode == 0 && b.exitCode == 0, "\(a.stderr)\(b.stderr)")
        #expect(a.stdout.hasPrefix("wrote "))
        for name in ["reference.csv", "production.csv", "truth.csv", "scenario.resolved.json"] {
            let x = try Data(contentsOf: dir.appendingPathComponent("a/" + name)), y = try Data(contentsOf: dir.appendingPathComponent("b/" + name))
            #expect(!x.isEmpty && x == y, "\(name)")
        }
        let production = try String(contentsOf: dir.appendingPathComponent("a/production.csv"), encoding: .utf8)
        #expect(production.contains(",\"$"))  // type-changed amounts as quoted text where they hold a comma, or $text
    }

    @Test("an unwritable --out exits 1 with a clear error and writes nothing")
    func unwritable() throws {
        let dir = try makeScratchFolder("generate-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = dir.appendingPathComponent("tiny.json").path
        try Self.tiny.write(toFile: scenario, atomically: true, encoding: .utf8)
        let blocker = dir.appendingPathComponent("file").path
        try "x".write(toFile: blocker, atomically: true, encoding: .utf8)
        let r = try runDriftlab(["generate", scenario, "--out", blocker + "/out"])
        #expect(r.exitCode == 1)
        #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains(blocker))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["file", "tiny.json"])
        let usage = try runDriftlab(["generate", scenario])
        #expect(usage.exitCode == 64 && usage.stderr.contains("--out is required"))
    }
}
