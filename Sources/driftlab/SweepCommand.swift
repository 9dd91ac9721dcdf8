import DriftCore
import DriftLab
import DriftSim
import Foundation

/// `driftlab sweep <sweep.json>`: runs every cell of a sweep in parallel, resumably, and writes the summary.
let sweepCommand = Command(
    name: "sweep",
    summary: "Run a failure-injection sweep and write confusion matrices and metrics",
    help: """
    USAGE: driftlab sweep <sweep.json> [--jobs N] [--shard K/N] [--out DIR] [--json] [--quiet]

    Expands the sweep file (docs/sweeps.md) into cells, one run each, and runs them on N threads.
    Each finished run is written atomically to DIR/runs/<cell-id>.json; a rerun skips cells whose
    file is complete and belongs to the same scenario, so an interrupted sweep resumes where it
    stopped. Results do not depend on --jobs. When every cell is done, the summary is written:
    summary.json, metrics.csv, power.csv, confusion/<detector>.scenario|window.csv|md, and
    report.html (tables and charts; 'driftlab report DIR' redraws it from summary.json).

    OPTIONS:
      --jobs N     worker threads (default: all cores)
      --shard K/N  run only cells with index % N == K - 1 (1 <= K <= N); join the shard
                   folders with 'driftlab merge'
      --out DIR    results folder (default: results/<sweep name>)
      --json       print one JSON object (cells run and skipped, the headline figures) instead
                   of the text summary
      --quiet      print nothing on stdout (errors still go to stderr; files are still written)

    A progress line (done/total, runs per second, time left) is shown on stderr when it is a
    terminal, never in a pipe or a log file.

    EXAMPLE: swift run -c release driftlab sweep scenarios/standard-sweep.json
    EXAMPLE: driftlab sweep scenarios/standard-sweep.json --shard 2/4 --out /scratch/standard-2
    """,
    run: { args in
        let jobs = try args.intOption("jobs", default: Parallel.defaultJobs, in: 1...256)
        let shardText = try args.option("shard")
        let outOption = try args.option("out")
        let quiet = args.flag("quiet")
        let asJSON = args.flag("json")
        let file = try args.positional("sweep file")
        try args.finish(knownFlags: ["jobs", "shard", "out", "json", "quiet"])
        var shard: Shard?
        if let shardText {
            do { shard = try Shard(parsing: shardText) } catch let e as SweepError { throw UsageError(e.description) }
        }
        let sweep = try SweepFile.load(file)
        let out = outOption ?? "results/\(sweep.name)"
        let progress = ProgressLine(label: sweep.name, enabled: !quiet && stderrIsTerminal)
        let started = DispatchTime.now().uptimeNanoseconds
        let outcome = try SweepRunner.run(sweep, out: out, backend: labBackend(),
                                          options: .init(jobs: jobs, shard: shard, progress: { done, total in progress.update(done, total) }))
        progress.finish()
        var reportPath: String?
        if let summary = outcome.summary {
            reportPath = try SweepReport.write(summary, manifest: try? SweepManifest.read(folder: out), to: out)
        }
        if quiet { return }
        if asJSON {
            let doc: JSON = .object([
                ("sweep", .string(sweep.name)), ("out", .string(out)), ("shard", shard.map { .string("\($0)") } ?? .null),
                ("cells", .number(Double(sweep.cells.count))), ("selected", .number(Double(outcome.selected))),
                ("ran", .number(Double(outcome.ran))), ("skipped", .number(Double(outcome.skipped))),
                ("summary_written", .bool(outcome.summaryWritten)), ("report", reportPath.map(JSON.string) ?? .null),
                ("headline", outcome.summary.map(headlineJSON) ?? .null),
            ])
            print(doc.serialized(), terminator: "")
            return
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var text = "\(sweep.name): \(outcome.selected) cell\(outcome.selected == 1 ? "" : "s")"
        if let shard { text += " (shard \(shard) of \(sweep.cells.count))" }
        text += ": ran \(outcome.ran), skipped \(outcome.skipped) already done, in \(String(format: "%.1f", seconds)) s; results in \(out)"
        print(text)
        if let s = outcome.summary { print(headline(s)) } else if shard != nil {
            print("the summary is written once every cell is done: driftlab merge <shard folders>... --out DIR")
        }
        if let reportPath { print("report: \(reportPath)") }
    })

/// The summary's headline figures as JSON (as in summary.json), for `--json`.
func headlineJSON(_ s: SweepSummary) -> JSON {
    SummaryWriter.json(s)["headline"] ?? .null
}

/// The real lab runner, reusing each reference period's models and profiles across the cells
/// that share it (`LabRunner.prepareReference`).
func labBackend() -> SweepBackend<PreparedReference> { SweepBenchmarks.labBackend() }

/// "diagnosis: macro-F1 0.912 (severity >= 0.5 and controls), 0.48 false alarms per 180 days on controls".
func headline(_ s: SweepSummary) -> String {
    guard let d = s.diagnosis else { return "no diagnosis verdicts in the runs" }
    func f(_ v: Double, _ digits: Int) -> String { v.isFinite ? String(format: "%.\(digits)f", v) : "n/a" }
    return "diagnosis: macro-F1 \(f(d.scenarioSevere.macroF1, 3)) over runs with severity >= 0.5 and controls "
        + "(all runs \(f(d.scenario.macroF1, 3)), accuracy \(f(d.scenario.accuracy, 3))); "
        + "\(f(d.falseAlarms(perDays: 180), 2)) false alarms per 180 days on \(d.controlRuns) controls; "
        + "median detection delay \(f(d.delayMedian, 0)) days"
}

/// A one-line progress display on stderr: done/total, runs per second, time left.
final class ProgressLine: @unchecked Sendable {
    let label: String
    let enabled: Bool
    let start = DispatchTime.now().uptimeNanoseconds
    private let lock = NSLock()
    private var shown = false

    init(label: String, enabled: Bool) { self.label = label; self.enabled = enabled }

    func update(_ done: Int, _ total: Int) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let text = "\r\(label): \(done)/\(total) runs, \(String(format: "%.1f", rate)) runs/s, \(duration(left)) left   "
        FileHandle.standardError.write(Data(text.utf8))
        shown = true
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 60 ? "\(t / 60)m\(String(format: "%02d", t % 60))s" : "\(t)s"
    }
}
