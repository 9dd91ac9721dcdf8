import DriftCore
import DriftSim
import Foundation
import Testing
@testable import DriftLab

@Suite("Sweep execution")
struct SweepRunnerTests {
    /// The small sweep run whole on one thread: the reference output.
    static func reference() throws -> (folder: String, files: [String: [UInt8]]) {
        let folder = try scratchFolder("sweep-ref")
        _ = try SweepRunner.run(try smallSweep(), out: folder, backend: FakeRunner.backend(), options: .init(jobs: 1))
        return (folder, try folderContents(folder))
    }

    @Test("--jobs 1 and --jobs 2 give byte-identical run files and summaries; each reference is prepared once")
    func deterministicAcrossJobs() throws {
        let (one, files) = try Self.reference()
        defer { try? FileManager.default.removeItem(atPath: one) }
        let two = try scratchFolder("sweep-jobs2")
        defer { try? FileManager.default.removeItem(atPath: two) }
        let prepared = PrepareCounter()
        let outcome = try SweepRunner.run(try smallSweep(), out: two, backend: FakeRunner.backend(prepared: prepared), options: .init(jobs: 2))
        #expect(outcome.ran == 48 && outcome.skipped == 0 && outcome.summaryWritten)
        #expect(prepared.count == 8)  // 4 worlds x 2 windows
        let other = try folderContents(two)
        #expect(files.keys.sorted() == other.keys.sorted())
        #expect(files.count == 1 + 48 + 3 + 4 * 4)  // sweep.json, runs, summary/metrics/power, 4 detectors x 4 confusion files
        for (name, bytes) in files { #expect(other[name] == bytes, "\(name) differs") }
    }

    @Test("resume: a partial run, a truncated file, a stale file and a dead process's temp file; nothing lost or redone twice")
    func resume() throws {
        let (whole, files) = try Self.reference()
        defer { try? FileManager.default.removeItem(atPath: whole) }
        let folder = try scratchFolder("sweep-resume")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sweep = try smallSweep()

        // An interrupted run: only a third of the cells finished.
        let first = try SweepRunner.run(sweep, out: folder, backend: FakeRunner.backend(), options: .init(jobs: 2, shard: try Shard(parsing: "1/3")))
        #expect(first.ran == 16 && !first.summaryWritten)
        #expect(!FileManager.default.fileExists(atPath: folder + "/summary.json"))
        // Damage: a truncated run file, a run of another cell under this cell's name, a temp file of a killed process.
        let runs = folder + "/runs/"
        let truncated = sweep.cells[0].id, stale = sweep.cells[3].id
        let bytes = try AtomicFile.read(runs + truncated + ".json")
        try AtomicFile.write(Array(bytes.prefix(bytes.count / 2)), to: runs + truncated + ".json")
        try AtomicFile.write(try AtomicFile.read(runs + sweep.cells[6].id + ".json"), to: runs + stale + ".json")
        try AtomicFile.write("{\"half", to: runs + sweep.cells[1].id + ".json.tmp-999999999")

        let ran = ProgressCounter()
        let second = try SweepRunner.run(sweep, out: folder, backend: FakeRunner.backend(),
                                         options: .init(jobs: 2, progress: { _, _ in _ = ran.increment() }))
        // 32 cells never run, plus the truncated and the stale one; the other 14 are kept.
        #expect(second.ran == 34 && second.skipped == 14 && second.summaryWritten)
        #expect(ran.increment() == 35)
        let after = try folderContents(folder)
        #expect(after.keys.sorted() == files.keys.sorted())  // no temp file left, no duplicate
        for (name, bytes) in files { #expect(after[name] == bytes, "\(name) differs") }

        // A finished folder: nothing to do, the summary is rewritten identically.
        let third = try SweepRunner.run(sweep, out: folder, backend: FakeRunner.backend(), options: .init(jobs: 2))
        #expect(third.ran == 0 && third.skipped == 48)
        #expect(try folderContents(folder) == files)
    }

    @Test("shard 1/2 + shard 2/2 + merge equals one whole run, byte for byte")
    func shardsAndMerge() throws {
        let (whole, files) = try Self.reference()
        defer { try? FileManager.default.removeItem(atPath: whole) }
        let a = try scratchFolder("shard1"), b = try scratchFolder("shard2"), merged = try scratchFolder("merged")
        defer { for f in [a, b, merged] { try? FileManager.default.removeItem(atPath: f) } }
        let sweep = try smallSweep()
        let s1 = try SweepRunner.run(sweep, out: a, backend: FakeRunner.backend(), options: .init(jobs: 2, shard: try Shard(parsing: "1/2")))
        let s2 = try SweepRunner.run(sweep, out: b, backend: FakeRunner.backend(), options: .init(jobs: 1, shard: try Shard(parsing: "2/2")))
        #expect(s1.ran == 24 && s2.ran == 24 && !s1.summaryWritten && !s2.summaryWritten)

        // One shard alone is incomplete: an error naming the missing cells, unless partial.
        #expect(throws: SweepError.self) { try SweepMerge.merge([a], out: merged) }
        let partial = try SweepMerge.merge([a], out: merged + "/partial", partial: true)
        #expect(partial.missing.count == 24 && partial.summary.runs == 24)

        // Overlapping inputs (the whole run and a shard) are fine when the runs are identical.
        let outcome = try SweepMerge.merge([a, b, whole], out: merged + "/all")
        #expect(outcome.missing.isEmpty && outcome.copied == 48)
        let joined = try folderContents(merged + "/all")
        #expect(joined.keys.sorted() == files.keys.sorted())
        for (name, bytes) in files { #expect(joined[name] == bytes, "\(name) differs") }
    }

    @Test("merge refuses folders of different sweeps and conflicting runs; a folder is not reused by another sweep")
    func mergeChecks() throws {
        let a = try scratchFolder("merge-a"), b = try scratchFolder("merge-b"), out = try scratchFolder("merge-out")
        defer { for f in [a, b, out] { try? FileManager.default.removeItem(atPath: f) } }
        let sweep = try smallSweep()
        var other = try SweepFile.decode(try JSON.parse(smallSweepText.replacingOccurrences(of: "\"seeds\": 2", with: "\"seeds\": 1")), file: "o.json")
        other.cells = Array(other.cells.prefix(3))
        _ = try SweepRunner.run(sweep, out: a, backend: FakeRunner.backend(), options: .init(jobs: 2))
        _ = try SweepRunner.run(other, out: b, backend: FakeRunner.backend(), options: .init(jobs: 2))
        do {
            _ = try SweepMerge.merge([a, b], out: out)
            Issue.record("merged two sweeps")
        } catch let e as SweepError {
            guard case .otherSweep = e else { Issue.record("\(e)"); return }
            #expect("\(e)".contains("not of 'small'"))
        }
        // Running another sweep into a folder that holds this one is refused too.
        #expect(throws: SweepError.self) { try SweepRunner.run(other, out: a, backend: FakeRunner.backend()) }
        // Two copies of one cell that differ.
        let c = try scratchFolder("merge-c")
        defer { try? FileManager.default.removeItem(atPath: c) }
        _ = try SweepRunner.run(sweep, out: c, backend: FakeRunner.backend(), options: .init(jobs: 2))
        let id = sweep.cells[0].id
        var text = try AtomicFile.readText(c + "/runs/\(id).json")
        text = text.replacingOccurrences(of: "\"confidence\": ", with: "\"confidence\":  ")
        try AtomicFile.write(text, to: c + "/runs/\(id).json")
        #expect(throws: SweepError.conflictingRuns(cell: id, first: a + "/runs/\(id).json", second: c + "/runs/\(id).json")) {
            try SweepMerge.merge([a, c], out: out)
        }
    }

    @Test("shard specs: K/N with 1 <= K <= N")
    func shardParsing() throws {
        #expect(try Shard(parsing: "2/3").contains(4))
        #expect(try !Shard(parsing: "2/3").contains(5))
        for bad in ["3/2", "0/2", "1/0", "a/b", "1", "1/2/3", "-1/2"] {
            #expect(throws: SweepError.badShard(bad)) { try Shard(parsing: bad) }
        }
    }

    @Test("an unwritable results folder gives a clear error")
    func unwritableFolder() throws {
        let folder = try scratchFolder("sweep-file")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AtomicFile.write("x", to: folder + "/taken")
        do {
            _ = try SweepRunner.run(try smallSweep(), out: folder + "/taken", backend: FakeRunner.backend())
            Issue.record("ran into a file")
        } catch let e as FileError {
            #expect(e.reason.contains("is a file, not a folder"))
        }
    }

    @Test("a reference period that cannot be prepared names the base scenario it comes from, not only the cell")
    func referenceFailureNamesTheBase() throws {
        let folder = try scratchFolder("sweep-base-error")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let failing = SweepBackend<String>(prepare: { s in throw LabError.noReferenceFrauds(scenario: s.name) },
                                           run: { s, _ in FakeRunner.run(s) })
        do {
            _ = try SweepRunner.run(try smallSweep(), out: folder + "/out", backend: failing, options: .init(jobs: 1))
            Issue.record("a failing reference ran")
        } catch let e as SweepError {
            #expect(e.description.contains("(the base scenario's, small.json, field base)"), "\(e)")
            #expect(e.description.contains("raise reference_days"), "\(e)")
        }
        // A base read from a file is named by its path.
        try AtomicFile.write(#"{"name": "b", "seed": 3, "population": {"customers": 500, "merchants": 50, "transactions_per_day": 100}, "reference_days": 20, "production_days": 60, "failures": []}"#,
                             to: folder + "/b.json")
        let sweep = try SweepFile.decode(try JSON.parse(#"{"name": "s", "base": "b.json", "controls": 1}"#), file: folder + "/s.json", folder: folder)
        #expect(sweep.baseSource == folder + "/b.json")
        do {
            _ = try SweepRunner.run(sweep, out: folder + "/out2", backend: failing, options: .init(jobs: 1))
            Issue.record("a failing reference ran")
        } catch let e as SweepError {
            #expect(e.description.contains("(the base scenario's, \(folder)/b.json)"), "\(e)")
        }
    }

    /// Replaces the JSON value at `key` (top level) of a run file, keeping the file valid JSON.
    static func editRun(_ path: String, _ key: String, _ value: JSON?) throws {
        guard case .object(let members) = try JSON.parse(try AtomicFile.readText(path)) else { return }
        let edited = JSON.object(members.compactMap { $0.0 == key ? value.map { v in (key, v) } : $0 })
        try AtomicFile.write(edited.serialized(), to: path)
    }

    @Test("resume reruns a run file that parses but is not whole; a dead process's temp files go from every folder; a damaged sweep.json stops the resume")
    func resumeChecksRunsAndManifest() throws {
        let (whole, files) = try Self.reference()
        defer { try? FileManager.default.removeItem(atPath: whole) }
        let folder = try scratchFolder("sweep-incomplete")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sweep = try smallSweep()
        _ = try SweepRunner.run(sweep, out: folder, backend: FakeRunner.backend(), options: .init(jobs: 2))
        let runs = folder + "/runs/"
        try Self.editRun(runs + sweep.cells[2].id + ".json", "steps", nil)
        try Self.editRun(runs + sweep.cells[5].id + ".json", "verdicts", .array([]))
        for stale in ["summary.json.tmp-999999999", "confusion/diagnosis.scenario.csv.tmp-999999999", "report.html.tmp-999999998"] {
            try AtomicFile.write("{", to: folder + "/" + stale)
        }
        let again = try SweepRunner.run(sweep, out: folder, backend: FakeRunner.backend(), options: .init(jobs: 2))
        #expect(again.ran == 2 && again.skipped == 46 && again.summaryWritten)
        #expect(try folderContents(folder) == files)

        // sweep.json is written atomically, so damage came from outside: refuse, whichever sweep asks.
        try AtomicFile.write("garbage", to: folder + "/sweep.json")
        var other = sweep
        other.cells = Array(sweep.cells.prefix(3))
        for s in [sweep, other] {
            do {
                _ = try SweepRunner.run(s, out: folder, backend: FakeRunner.backend())
                Issue.record("took over a folder with a damaged sweep.json")
            } catch let e as SweepError {
                guard case .damagedManifest(let path, _) = e else { Issue.record("\(e)"); continue }
                #expect(path == folder + "/sweep.json" && "\(e)".contains("remove sweep.json"))
            }
        }
        #expect(try AtomicFile.readText(folder + "/sweep.json") == "garbage")
        // Removing it lets the sweep adopt its runs: nothing is rerun.
        unlink(folder + "/sweep.json")
        #expect(try SweepRunner.run(sweep, out: folder, backend: FakeRunner.backend()).ran == 0)
        #expect(try folderContents(folder) == files)
    }

    @Test("merge names a cell's only run file when it is damaged, uses a good copy beside a damaged one, and refuses an edited cell_count")
    func mergeNamesUnusableRuns() throws {
        let (whole, files) = try Self.reference()
        defer { try? FileManager.default.removeItem(atPath: whole) }
        let a = try scratchFolder("unusable-a"), b = try scratchFolder("unusable-b"), out = try scratchFolder("unusable-out")
        defer { for f in [a, b, out] { try? FileManager.default.removeItem(atPath: f) } }
        let sweep = try smallSweep()
        _ = try SweepRunner.run(sweep, out: a, backend: FakeRunner.backend(), options: .init(jobs: 2, shard: try Shard(parsing: "1/2")))
        _ = try SweepRunner.run(sweep, out: b, backend: FakeRunner.backend(), options: .init(jobs: 2, shard: try Shard(parsing: "2/2")))
        let id = sweep.cells[0].id, damaged = a + "/runs/\(id).json"
        let good = try AtomicFile.read(damaged)
        try Self.editRun(damaged, "verdicts", .array([]))
        do {
            _ = try SweepMerge.merge([a, b], out: out)
            Issue.record("merged a sweep whose only copy of a cell is damaged")
        } catch let e as SweepError {
            guard case .unusableRun(let problem) = e else { Issue.record("\(e)"); return }
            #expect(problem.hasPrefix(damaged + ": verdicts:"), "\(problem)")
        }
        let partial = try SweepMerge.merge([a, b], out: out + "/partial", partial: true)
        #expect(partial.missing == [id] && partial.unusable.count == 1)

        // A good copy elsewhere is used; the damaged one is reported, not silently dropped.
        try AtomicFile.write(good, to: b + "/runs/\(id).json")
        let outcome = try SweepMerge.merge([a, b], out: out + "/all")
        #expect(outcome.missing.isEmpty && outcome.unusable.count == 1 && outcome.unusable[0].hasPrefix(damaged))
        let joined = try folderContents(out + "/all")
        for (name, bytes) in files { #expect(joined[name] == bytes, "\(name) differs") }

        // A sweep.json whose cell_count disagrees with its cells was edited.
        let manifest = try AtomicFile.readText(b + "/sweep.json")
        try AtomicFile.write(manifest.replacingOccurrences(of: "\"cell_count\": 48", with: "\"cell_count\": 99"), to: b + "/sweep.json")
        do {
            _ = try SweepMerge.merge([a, b], out: out + "/edited")
            Issue.record("accepted an edited cell_count")
        } catch let e as ConfigError {
            #expect(e.file == b + "/sweep.json" && e.path == "cell_count")
        }
    }
}
