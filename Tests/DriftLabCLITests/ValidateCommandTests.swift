import Foundation
import Testing

@Suite("driftlab validate and the CLI conventions")
struct ValidateCommandTests {
    @Test("a bundled scenario is ok: one summary line, exit 0")
    func validBundledScenario() throws {
        let r = try runDriftlab(["validate", "scenarios/capstone.json"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout == "ok: scenarios/capstone.json (capstone: 2 failures: covariate_shift/category_mix at day 30, schema_change/unit_scale at day 60)\n")
        #expect(r.stderr.isEmpty)

        let control = try runDriftlab(["validate", "scenarios/control.json", "scenarios/schema-column-swap.json"])
        #expect(control.exitCode == 0)
        #expect(control.stdout == """
            ok: scenarios/control.json (control: 0 failures)
            ok: scenarios/schema-column-swap.json (schema-column-swap: 1 failure: schema_change/column_swap at day 40)

            """)
    }

    @Test("every bundled scenario validates")
    func allBundled() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("scenarios").path)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix("schema.json") && !$0.hasSuffix("-sweep.json") && !$0.hasSuffix("-base.json") }.sorted().map { "scenarios/" + $0 }
        let r = try runDriftlab(["validate"] + files)
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == files.count)
    }

    /// The help's example, `validate scenarios/*.json`, on the bundled folder (found by fuzzing: the sweeps
    /// and schemas in it failed as scenarios): sweeps are checked as sweeps, JSON Schemas skipped.
    @Test("the whole scenarios folder validates: scenarios, sweeps checked as sweeps, schemas skipped")
    func wholeFolder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("scenarios").path)
            .filter { $0.hasSuffix(".json") }.sorted().map { "scenarios/" + $0 }
        let r = try runDriftlab(["validate"] + files)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == files.count - 2 && lines.allSatisfy { $0.hasPrefix("ok: ") })
        #expect(lines.contains("ok: scenarios/standard-sweep.json (sweep standard: 540 cells)"))
        #expect(r.stderr == "skipped: scenarios/schema.json (a JSON Schema for editors, not a scenario)\n"
                + "skipped: scenarios/sweep.schema.json (a JSON Schema for editors, not a scenario)\n")
        // A sweep's own errors are the sweep's, with its JSON path.
        let folder = try makeScratchFolder("validate-sweep")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = folder.appendingPathComponent("s.json").path
        try Data(#"{"name": "s", "base": {"name": "b", "seed": 1, "failures": []}, "severities": [2]}"#.utf8).write(to: URL(fileURLWithPath: sweep))
        let bad = try runDriftlab(["validate", sweep])
        #expect(bad.exitCode == 1 && bad.stderr.contains("s.json: severities"), "\(bad.stderr)")
    }

    @Test("an invalid file: exit 1 and an error naming the file and the JSON path")
    func invalidFile() throws {
        let folder = try makeScratchFolder("validate")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.json").path
        try Data("""
            {"name": "bad", "seed": 1, "failures": [
              {"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 10, "severity": 0.5},
              {"kind": "data_quality", "subkind": "missing", "start_day": 10, "severity": 1.5}
            ]}
            """.utf8).write(to: URL(fileURLWithPath: bad))
        let r = try runDriftlab(["validate", bad])
        #expect(r.exitCode == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "error: \(bad): failures[1].severity: must be in [0, 1]; got 1.5\n")

        let typo = folder.appendingPathComponent("typo.json").path
        try Data(#"{"name": "typo", "seed": 1, "populaton": {"customers": 10}}"#.utf8).write(to: URL(fileURLWithPath: typo))
        let mixed = try runDriftlab(["validate", "scenarios/control.json", typo])
        #expect(mixed.exitCode == 1)
        #expect(mixed.stdout == "ok: scenarios/control.json (control: 0 failures)\n")
        #expect(mixed.stderr.contains("error: \(typo): populaton: unknown key 'populaton'; did you mean 'population'?\n"))
        #expect(mixed.stderr.hasSuffix("error: 1 of 2 scenario files are invalid\n"))

        let missing = try runDriftlab(["validate", folder.appendingPathComponent("nope.json").path])
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.contains("nope.json: file not found"))

        let broken = folder.appendingPathComponent("broken.json").path
        try Data("{\"name\": \"b\",\n \"seed\": 1,,\n}".utf8).write(to: URL(fileURLWithPath: broken))
        let syntax = try runDriftlab(["validate", broken])
        #expect(syntax.exitCode == 1)
        #expect(syntax.stderr == "error: \(broken): not valid JSON: line 2, column 12: expected a quoted key\n")
    }

    @Test("--resolved prints the scenario with every default filled in")
    func resolved() throws {
        let r = try runDriftlab(["validate", "--resolved", "scenarios/dq-missing.json"])
        #expect(r.exitCode == 0)
        #expect(r.stderr == "ok: scenarios/dq-missing.json (dq-missing: 1 failure: data_quality/missing at day 40)\n")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "dq-missing")
        #expect((object["label_delay"] as? [String: Any])?["median_days"] as? Double == 21)
        let failure = try #require((object["failures"] as? [[String: Any]])?.first)
        #expect(failure["ramp_days"] as? Int == 0)
        #expect(failure["end_day"] is NSNull)
        #expect((failure["params"] as? [String: Any])?["rate"] as? Double == 0.3)
    }

    @Test("usage errors exit 64: a missing argument, an unknown command, an unknown flag")
    func usageErrors() throws {
        let none = try runDriftlab(["validate"])
        #expect(none.exitCode == 64)
        #expect(none.stderr == "error: missing scenario file; see 'driftlab validate --help'\n")

        let unknown = try runDriftlab(["valdate", "scenarios/control.json"])
        #expect(unknown.exitCode == 64)
        #expect(unknown.stderr.hasPrefix("error: unknown command 'valdate' (did you mean 'validate'?)"))

        let flag = try runDriftlab(["validate", "scenarios/control.json", "--resolvd"])
        #expect(flag.exitCode == 64)
        #expect(flag.stderr.contains("unexpected argument '--resolvd' (did you mean '--resolved'?)"))
    }

    @Test("help: the overview lists validate; validate --help shows USAGE and an EXAMPLE")
    func help() throws {
        let overview = try runDriftlab(["help"])
        #expect(overview.exitCode == 0)
        #expect(overview.stdout.contains("USAGE: driftlab <command>"))
        #expect(overview.stdout.contains("validate"))

        for args in [["validate", "--help"], ["help", "validate"]] {
            let r = try runDriftlab(args)
            #expect(r.exitCode == 0)
            #expect(r.stdout.hasPrefix("USAGE: driftlab validate <scenario.json>..."))
            #expect(r.stdout.contains("EXAMPLE: driftlab validate scenarios/*.json"))
        }
    }
}
