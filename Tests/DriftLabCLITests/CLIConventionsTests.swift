import Foundation
import Testing

/// The habits every command shares (issue 7): `--help` with USAGE, OPTIONS and an EXAMPLE; `--json`
/// prints one JSON document; `--quiet` prints nothing on stdout and still writes the files; exit
/// codes are documented in `driftlab help`.
@Suite("CLI conventions", .serialized)
struct CLIConventionsTests {
    /// `driftlab help` lists the commands; the hidden developer commands are added by name.
    static func commandNames() throws -> [String] {
        let r = try runDriftlab(["help"])
        let listed = r.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.compactMap { $0.split(separator: " ").first }.map(String.init)
        return listed + ["charts-demo"]
    }

    @Test("every command's --help has USAGE, OPTIONS (when it takes any) and an EXAMPLE; help documents the exit codes")
    func helpOfEveryCommand() throws {
        let overview = try runDriftlab(["help"])
        #expect(overview.stdout.contains("Exit codes: 0 success; 1 runtime failure") && overview.stdout.contains("64 usage error"))
        let names = try Self.commandNames()
        #expect(names.count >= 12)
        for name in names {
            let r = try runDriftlab([name, "--help"])
            #expect(r.exitCode == 0, "\(name)")
            #expect(r.stdout.contains("USAGE: driftlab \(name)"), "\(name)")
            #expect(r.stdout.contains("EXAMPLE: "), "\(name)")
            let usage = r.stdout.split(separator: "\n").filter { $0.hasPrefix("USAGE:") }.joined()
            if usage.contains("--") { #expect(r.stdout.contains("OPTIONS:"), "\(name) takes options but lists none") }
            // Every flag the usage line shows is explained under OPTIONS.
            for flag in usage.split(separator: " ").filter({ $0.hasPrefix("[--") || $0.hasPrefix("--") }) {
                let bare = flag.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: "=").first.map(String.init) ?? ""
                #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix("      " + bare) || $0.hasPrefix("  " + bare) }, "\(name): \(bare) not under OPTIONS")
            }
        }
    }

    /// Runs `args + ["--json"]` and `args + ["--quiet"]`; the first must print one JSON document,
    /// the second nothing on stdout; both must succeed.
    func expectJSONAndQuiet(_ args: [String], _ quietArgs: [String]? = nil) throws -> Any {
        let json = try runDriftlab(args + ["--json"])
        #expect(json.exitCode == 0, "\(args) --json: \(json.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8), options: [.fragmentsAllowed])
        let quiet = try runDriftlab((quietArgs ?? args) + ["--quiet"])
        #expect(quiet.exitCode == 0 && quiet.stdout.isEmpty, "\(args) --quiet printed: \(quiet.stdout.prefix(200)) \(quiet.stderr)")
        return parsed
    }

    @Test("--json parses and --quiet is silent: validate, generate, train, score, drift, run, sweep, merge, report, compare")
    func jsonAndQuiet() throws {
        let dir = try makeScratchFolder("conventions")
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

        let validated = try expectJSONAndQuiet(["validate", "scenarios/control.json", "scenarios/dq-missing.json"])
        #expect((validated as? [[String: Any]])?.map { $0["valid"] as? Bool } == [true, true])

        let tiny = """
            {"name": "tiny", "seed": 3, "population": {"customers": 300, "merchants": 60, "transactions_per_day": 120},
             "reference_days": 3, "production_days": 6, "monitoring": {"window_days": 3, "step_days": 1}, "failures": []}
            """
        try tiny.write(toFile: path("tiny.json"), atomically: true, encoding: .utf8)
        let generated = try expectJSONAndQuiet(["generate", path("tiny.json"), "--out", path("gen")])
        #expect((generated as? [String: Any])?["reference_rows"] as? Int ?? 0 > 0)
        #expect(FileManager.default.fileExists(atPath: path("gen/production.csv")))

        let fixture = packageRoot.appendingPathComponent("Tests/Fixtures/models/transactions.csv").path
        let trained = try expectJSONAndQuiet(["train", "--data", fixture, "--model", "logistic", "--out", path("model.json")])
        #expect(((trained as? [String: Any])?["validation"] as? [String: Any])?["roc_auc"] is Double)
        let scored = try expectJSONAndQuiet(["score", "--model", path("model.json"), "--data", fixture, "--out", path("scores.csv")])
        #expect((scored as? [String: Any])?["rows"] as? Int ?? 0 > 0)
        let drift = try runDriftlab(["drift", "--reference", fixture, "--current", path("gen/production.csv"), "--json"])
        #expect(drift.exitCode == 0 && (try? JSONSerialization.jsonObject(with: Data(drift.stdout.utf8))) != nil, "\(drift.stderr)")

        // A one-cell sweep on a tiny world: the sweep (then its resume), one cell rerun with its report, merge, report.
        let sweep = """
            {"name": "conv", "base": {"name": "b", "seed": 3, "population": {"transactions_per_day": 100}, "reference_days": 10,
             "production_days": 30, "failures": []}, "seeds": 1, "severities": [1], "onset_days": [10],
             "cells": [{"kind": "prior_shift", "subkind": "fraud_wave"}]}
            """
        try sweep.write(toFile: path("conv.json"), atomically: true, encoding: .utf8)
        let swept = try expectJSONAndQuiet(["sweep", path("conv.json"), "--out", path("conv"), "--jobs", "1"])
        let sweptObject = swept as? [String: Any]
        #expect(sweptObject?["ran"] as? Int == 1 && sweptObject?["summary_written"] as? Bool == true)
        #expect(FileManager.default.fileExists(atPath: path("conv/report.html")))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("conv/sweep.json")))) as? [String: Any]
        let cell = try #require(((manifest?["cells"] as? [[String: Any]])?.first)?["id"] as? String)
        let cellRun = try runDriftlab(["run", "--sweep", path("conv.json"), "--cell", cell, "--out", path("conv/runs/\(cell)"), "--quiet"])
        #expect(cellRun.exitCode == 0 && cellRun.stdout.isEmpty, "\(cellRun.stderr)")
        // The cell rerun is the sweep's run, and the report's link to it now resolves.
        let rerun = try String(contentsOfFile: path("conv/runs/\(cell)/run.json"), encoding: .utf8)
        #expect(rerun == (try String(contentsOfFile: path("conv/runs/\(cell).json"), encoding: .utf8)))
        #expect(try String(contentsOfFile: path("conv/report.html"), encoding: .utf8).contains("href=\"runs/\(cell)/report.html\""))
        #expect(FileManager.default.fileExists(atPath: path("conv/runs/\(cell)/report.html")))

        let merged = try expectJSONAndQuiet(["merge", path("conv"), "--out", path("merged")])
        #expect((merged as? [String: Any])?["runs"] as? Int == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("merged/report.html"))) == Data(contentsOf: URL(fileURLWithPath: path("conv/report.html"))))

        try "# x\n<!-- sweep:begin -->\nold\n<!-- sweep:end -->\nrest\n".write(toFile: path("README.md"), atomically: true, encoding: .utf8)
        let reported = try expectJSONAndQuiet(["report", path("merged"), "--out", path("again.html"), "--readme", path("README.md")])
        #expect((reported as? [String: Any])?["sweep"] as? String == "conv")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("again.html"))) == Data(contentsOf: URL(fileURLWithPath: path("conv/report.html"))))
        let readme = try String(contentsOfFile: path("README.md"), encoding: .utf8)
        #expect(readme.hasPrefix("# x\n<!-- sweep:begin -->\n_Output of `driftlab report") && !readme.contains("old") && readme.hasSuffix("<!-- sweep:end -->\nrest\n"))

        let compared = try runDriftlab(["compare", path("merged"), "--json"])
        #expect(compared.exitCode == 0 && (try? JSONSerialization.jsonObject(with: Data(compared.stdout.utf8))) is [Any])

        let demo = try runDriftlab(["charts-demo", "--out", path("demo"), "--quiet"])
        #expect(demo.exitCode == 0 && demo.stdout.isEmpty && FileManager.default.fileExists(atPath: path("demo/report.html")))
    }

    @Test("usage errors exit 64: --cell without --sweep, an unknown cell, --resolved with --json")
    func usageErrors() throws {
        var r = try runDriftlab(["run", "--cell", "x"])
        #expect(r.exitCode == 64 && r.stderr.contains("--cell needs --sweep"))
        r = try runDriftlab(["run", "--sweep", "scenarios/standard-sweep.json", "--cell", "schema_change.unit_scale.s1.00.on30.seed0.w1"])
        #expect(r.exitCode == 64 && r.stderr.contains("did you mean 'schema_change.unit_scale.s1.00.on30.seed0.w14'"), "\(r.stderr)")
        r = try runDriftlab(["validate", "scenarios/control.json", "--resolved", "--json"])
        #expect(r.exitCode == 64)
        r = try runDriftlab(["report", "/nonexistent-results"])
        #expect(r.exitCode == 1 && r.stderr.contains("summary.json: not found"))
        // bench --readme checks the README's block before it measures for a minute.
        let folder = try makeScratchFolder("bench-readme")
        defer { try? FileManager.default.removeItem(at: folder) }
        let readme = folder.appendingPathComponent("README.md").path
        try "# no markers\n".write(toFile: readme, atomically: true, encoding: .utf8)
        let started = Date()
        r = try runDriftlab(["bench", "--readme", readme, "--quiet"])
        #expect(r.exitCode == 1 && r.stderr.contains("no '<!-- bench:begin -->'"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
