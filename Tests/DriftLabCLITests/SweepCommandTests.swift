import Foundation
import Testing

/// A one-cell sweep file named `name`, over an inline base, in `folder`.
private func writeSweep(_ name: String, in folder: URL, extra: String = "") throws -> String {
    let text = """
    {"name": "\(name)", "base": {"name": "b", "seed": 3, "population": {"transactions_per_day": 50}, "reference_days": 10,
     "production_days": 30, "failures": []}, "seeds": 1, "severities": [1], "onset_days": [10],
     "cells": [{"kind": "prior_shift", "subkind": "fraud_wave"}]\(extra)}
    """
    let url = folder.appendingPathComponent("\(name).json")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

@Suite("sweep, merge and compare commands")
struct SweepCommandTests {
    @Test("each command's help has USAGE and an EXAMPLE")
    func help() throws {
        for command in ["sweep", "merge", "compare"] {
            let r = try runDriftlab([command, "--help"])
            #expect(r.exitCode == 0 && r.stdout.contains("USAGE: driftlab \(command)") && r.stdout.contains("EXAMPLE:"), "\(command)")
        }
    }

    @Test("clear errors: missing or bad sweep file (JSON path), bad shard spec, unwritable results folder")
    func sweepErrors() throws {
        let folder = try makeScratchFolder("sweep-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        var r = try runDriftlab(["sweep", folder.appendingPathComponent("nope.json").path])
        #expect(r.exitCode == 1 && r.stderr.contains("file not found"))
        let bad = try writeSweep("bad", in: folder, extra: ", \"severites\": [0.5]")
        r = try runDriftlab(["sweep", bad])
        #expect(r.exitCode == 1 && r.stderr.contains("bad.json: severites: unknown key 'severites'; did you mean 'severities'?"), "\(r.stderr)")
        let good = try writeSweep("good", in: folder)
        r = try runDriftlab(["sweep", good, "--shard", "3/2"])
        #expect(r.exitCode == 64 && r.stderr.contains("--shard '3/2' is not K/N"))
        r = try runDriftlab(["sweep", good, "--jobs", "0"])
        #expect(r.exitCode == 64)
        let file = folder.appendingPathComponent("a-file")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        r = try runDriftlab(["sweep", good, "--out", file.path])
        #expect(r.exitCode == 1 && r.stderr.contains("is a file, not a folder"), "\(r.stderr)")
    }

    @Test("merge: folders of different sweeps are refused; compare: a folder without a summary")
    func mergeAndCompareErrors() throws {
        let folder = try makeScratchFolder("merge-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Shard 2/2 of a one-cell sweep selects nothing: it only writes the folder's sweep.json.
        let a = folder.appendingPathComponent("a").path, b = folder.appendingPathComponent("b").path
        var r = try runDriftlab(["sweep", try writeSweep("first", in: folder), "--shard", "2/2", "--out", a])
        #expect(r.exitCode == 0, "\(r.stderr)")
        r = try runDriftlab(["sweep", try writeSweep("second", in: folder), "--shard", "2/2", "--out", b])
        #expect(r.exitCode == 0, "\(r.stderr)")
        r = try runDriftlab(["merge", a, b, "--out", folder.appendingPathComponent("m").path])
        #expect(r.exitCode == 1 && r.stderr.contains("holds results of sweep 'second'"), "\(r.stderr)")
        r = try runDriftlab(["merge", a])
        #expect(r.exitCode == 64 && r.stderr.contains("--out is required"))
        r = try runDriftlab(["merge", a, "--out", folder.appendingPathComponent("m").path])
        #expect(r.exitCode == 1 && r.stderr.contains("1 cell(s) have no finished run"), "\(r.stderr)")
        r = try runDriftlab(["compare", a])
        #expect(r.exitCode == 1 && r.stderr.contains("summary.json: not found"), "\(r.stderr)")
    }

    /// A copy of the committed standard sweep's summary.json and sweep.json in `folder`/`name`,
    /// with `edit` applied to the summary's text.
    private func copyOfStandard(_ name: String, in folder: URL, edit: (String) -> String = { $0 }) throws -> String {
        let out = folder.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let root = packageRoot.appendingPathComponent("results/standard").path
        let summary = try String(contentsOfFile: root + "/summary.json", encoding: .utf8)
        try edit(summary).write(toFile: out + "/summary.json", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: root + "/sweep.json", toPath: out + "/sweep.json")
        return out
    }

    /// Replaces the first match of `pattern` (a regular expression) in `text`.
    private func replacingFirst(_ pattern: String, with replacement: String, in text: String) -> String {
        guard let r = text.range(of: pattern, options: .regularExpression) else { return text }
        return text.replacingCharacters(in: r, with: replacement)
    }

    @Test("compare and report check a summary the same way: damaged counts, a missing field, counts that contradict the runs, a summary of another sweep")
    func damagedSummaries() throws {
        let folder = try makeScratchFolder("damaged-summary")
        defer { try? FileManager.default.removeItem(at: folder) }
        let intact = try copyOfStandard("intact", in: folder)
        var r = try runDriftlab(["compare", intact, "--detectors", "diagnosis"])
        #expect(r.exitCode == 0 && r.stdout.contains("standard  diagnosis"), "\(r.stderr)")
        // The first count of the first matrix (diagnosis, run level) made huge, fractional, negative.
        let firstCount = #""counts": \[\s*\[\s*[0-9]+"#
        let damaged: [(String, (String) -> String, String)] = [
            ("huge", { replacingFirst(firstCount, with: "\"counts\": [[1e300", in: $0) }, "detectors[0].scenario.counts[0][0]: expected a whole count"),
            ("fraction", { replacingFirst(firstCount, with: "\"counts\": [[0.5", in: $0) }, "detectors[0].scenario.counts[0][0]: expected a whole count"),
            ("billion", { replacingFirst(firstCount, with: "\"counts\": [[999999999", in: $0) }, "detectors[0].scenario.counts: hold"),
            ("no-detector-id", { replacingFirst(#""detector": "diagnosis","#, with: "", in: $0) }, "detectors[0].detector: is required"),
            ("runs-negative", { replacingFirst(#""runs": [0-9]+"#, with: "\"runs\": -1", in: $0) }, "runs: must be in"),
            ("no-scenario", { replacingFirst(#""scenario": \{"#, with: "\"scenario_gone\": {", in: $0) }, "detectors[0].scenario: missing"),
        ]
        for (name, edit, message) in damaged {
            let path = try copyOfStandard(name, in: folder, edit: edit)
            r = try runDriftlab(["compare", path])
            #expect(r.exitCode == 1 && r.stdout.isEmpty && r.stderr.contains("\(name)/summary.json: \(message)"), "\(name): \(r.stderr)")
            r = try runDriftlab(["report", path, "--out", folder.appendingPathComponent("\(name).html").path, "--quiet"])
            #expect(r.exitCode == 1 && r.stderr.contains("\(name)/summary.json: \(message)"), "\(name): \(r.stderr)")
        }
        // A summary.json beside the sweep.json of another sweep: the folder mixes two sweeps.
        let mixed = try copyOfStandard("mixed", in: folder, edit: { replacingFirst(#""sweep_hash": "[0-9a-f]+""#, with: "\"sweep_hash\": \"0123456789abcdef\"", in: $0) })
        r = try runDriftlab(["report", mixed, "--out", folder.appendingPathComponent("mixed.html").path])
        #expect(r.exitCode == 1 && r.stderr.contains("mixes two sweeps"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("mixed.html").path))
        // An empty detector list and a repeated option are usage errors.
        r = try runDriftlab(["compare", intact, "--detectors", ","])
        #expect(r.exitCode == 64 && r.stderr.contains("--detectors names no detector"), "\(r.stderr)")
        r = try runDriftlab(["compare", intact, "--detectors", "ks", "--detectors", "psi"])
        #expect(r.exitCode == 64 && r.stderr.contains("--detectors is given more than once"), "\(r.stderr)")
    }

    @Test("report writes only regular files and refuses a README that is not UTF-8, leaving it as it was")
    func reportOutputs() throws {
        let folder = try makeScratchFolder("report-outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let intact = try copyOfStandard("intact", in: folder)
        let pipe = folder.appendingPathComponent("pipe").path
        #expect(mkfifo(pipe, 0o644) == 0)
        var r = try runDriftlab(["report", intact, "--out", pipe, "--quiet"])
        #expect(r.exitCode == 1 && r.stderr.contains("not a regular file"), "\(r.stderr)")
        var info = stat()
        #expect(stat(pipe, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        let readme = folder.appendingPathComponent("README.md").path
        let bytes: [UInt8] = [0xFF, 0xFE] + Array(" intro\n<!-- sweep:begin -->\nold\n<!-- sweep:end -->\n".utf8)
        #expect(FileManager.default.createFile(atPath: readme, contents: Data(bytes)))
        r = try runDriftlab(["report", intact, "--out", folder.appendingPathComponent("r.html").path, "--readme", readme, "--quiet"])
        #expect(r.exitCode == 1 && r.stderr.contains("README.md: is not UTF-8 text"), "\(r.stderr)")
        #expect(FileManager.default.contents(atPath: readme) == Data(bytes))
    }

    @Test("sweep input that is not a regular UTF-8 file, a damaged sweep.json, the largest numeric seed, an empty --out: clear errors")
    func sweepInputs() throws {
        let folder = try makeScratchFolder("sweep-inputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        var r = try runDriftlab(["sweep", "/dev/zero", "--out", folder.appendingPathComponent("z").path])
        #expect(r.exitCode == 1 && r.stderr.contains("/dev/zero: is a device, pipe or socket"), "\(r.stderr)")
        let pipe = folder.appendingPathComponent("pipe.json").path
        #expect(mkfifo(pipe, 0o644) == 0)
        r = try runDriftlab(["sweep", pipe, "--out", folder.appendingPathComponent("p").path])  // would hang if opened
        #expect(r.exitCode == 1 && r.stderr.contains("pipe.json: is a device, pipe or socket"), "\(r.stderr)")
        let good = try writeSweep("good", in: folder)
        var bytes = Array(try String(contentsOfFile: good, encoding: .utf8).utf8)
        bytes.insert(contentsOf: [0xFF, 0xFE], at: bytes.firstIndex(of: UInt8(ascii: "b"))!)
        let badUTF8 = folder.appendingPathComponent("bad-utf8.json").path
        #expect(FileManager.default.createFile(atPath: badUTF8, contents: Data(bytes)))
        r = try runDriftlab(["sweep", badUTF8, "--out", folder.appendingPathComponent("u").path])
        #expect(r.exitCode == 1 && r.stderr.contains("bad-utf8.json: is not UTF-8 text"), "\(r.stderr)")
        r = try runDriftlab(["sweep", good, "--out", ""])
        #expect(r.exitCode == 64 && r.stderr.contains("--out needs a value"), "\(r.stderr)")
        r = try runDriftlab(["sweep", good, "--jobs", "1", "--jobs", "1"])
        #expect(r.exitCode == 64 && r.stderr.contains("--jobs is given more than once"), "\(r.stderr)")
        // The schema's largest numeric seed is accepted (it only has to decode: shard 2/2 of one cell runs nothing).
        let seeded = try writeSweep("seeded", in: folder, extra: ", \"seed\": 9007199254740991")
        r = try runDriftlab(["sweep", try writeSweep("rounded", in: folder, extra: ", \"seed\": 9007199254740993"), "--shard", "2/2",
                             "--out", folder.appendingPathComponent("rounded").path])
        #expect(r.exitCode == 1 && r.stderr.contains("rounded.json: seed: must be in [0, 9007199254740991]"), "\(r.stderr)")
        let out = folder.appendingPathComponent("s").path
        r = try runDriftlab(["sweep", seeded, "--shard", "2/2", "--out", out])
        #expect(r.exitCode == 0, "\(r.stderr)")
        // A damaged sweep.json: the folder is not taken over, by this sweep or another.
        try "garbage".write(toFile: out + "/sweep.json", atomically: true, encoding: .utf8)
        for file in [seeded, good] {
            r = try runDriftlab(["sweep", file, "--shard", "2/2", "--out", out])
            #expect(r.exitCode == 1 && r.stderr.contains("sweep.json: not valid JSON") && r.stderr.contains("remove sweep.json"), "\(r.stderr)")
        }
        #expect(try String(contentsOfFile: out + "/sweep.json", encoding: .utf8) == "garbage")
    }
}
