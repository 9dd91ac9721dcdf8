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
}
