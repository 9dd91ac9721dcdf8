import DriftCore
import DriftDetectors
import DriftLab
import DriftModels
import DriftSim
import Foundation

/// `driftlab bench`: every measured figure the README quotes, from one run of a release build.
let benchCommand = Command(
    name: "bench",
    summary: "Measure throughput and speed ratios (run a release build)",
    help: """
    USAGE: driftlab bench [--jobs N] [--only AREA] [--json] [--quiet] [--readme FILE]

    Runs the benchmarks of every module and prints one line per figure, then (on a whole run) the
    issues' speed targets judged on those figures. Build in release mode first: debug builds of
    numeric loops are 10-50x slower. Which area is running is shown on stderr when it is a terminal.
    The KS target compares with SciPy's time in the latest docs/bench/peers_detectors.*.json
    (beside --readme, or under the working folder), which docs/bench/peers_detectors.py writes.

    OPTIONS:
      --jobs N     threads for the parallel figures (default: all cores)
      --only AREA  run one area only: core, sim, models, detectors, lab or sweep
      --json       print one JSON document (version, jobs, figures, targets) instead of lines
      --quiet      print nothing on stdout (with --readme: only rewrite the file)
      --readme F   also rewrite the block between <!-- bench:begin --> and <!-- bench:end -->
                   in F with Markdown tables of this run's figures and targets (how README.md gets them)

    EXAMPLE: swift run -c release driftlab bench --json > bench.json
    EXAMPLE: swift run -c release driftlab bench --readme README.md --quiet
    """,
    run: { args in
        let jobs = try args.intOption("jobs", default: Parallel.defaultJobs, in: 1...256)
        let json = args.flag("json")
        let only = try args.option("only")
        let readme = try args.option("readme")
        let quiet = args.flag("quiet")
        try args.finish(knownFlags: ["jobs", "json", "only", "readme", "quiet"])
        if let readme, only != nil { throw UsageError("--readme records a whole run; drop --only \(only ?? "") (README: \(readme))") }
        if let readme { _ = try markedBlock(readme, name: "bench") }  // before a minute of measuring
        let areas = benchmarkAreas(jobs: jobs)
        if let only, !areas.contains(where: { $0.0 == only }) {
            throw UsageError("--only must be one of: \(areas.map(\.0).joined(separator: ", "))")
        }
        var all: [(String, BenchmarkResult)] = []
        for (area, run) in areas where only == nil || only == area {
            if stderrIsTerminal { printError("running \(area) benchmarks...") }
            for r in run() {
                all.append((area, r))
                if !json && !quiet { print(benchLine(area, r)) }
            }
        }
        // The issues' targets, judged on this run's figures (a whole run measures every figure they need).
        // SciPy's KS time comes from docs/bench/ beside the README (or under the working folder).
        let peers = ((readme.map { ($0 as NSString).deletingLastPathComponent } ?? "") as NSString).appendingPathComponent("docs/bench")
        let targets = only == nil ? BenchmarkTargets.evaluate(all.map(\.1), jobs: jobs, sciPy: try BenchmarkTargets.sciPyReference(in: peers)) : []
        if let readme { try updateReadme(readme, results: all, targets: targets, jobs: jobs) }
        if !json && !quiet && !targets.isEmpty {
            print("\ntargets (issues 2 and 4):")
            for t in targets {
                let verdict = targetVerdict(t.met)
                print("  " + verdict + String(repeating: " ", count: Swift.max(1, 9 - verdict.count)) + t.target + ": " + t.figure)
            }
        }
        if json && !quiet {
            let rows: [JSON] = all.map { area, r in
                .object([("area", .string(area)), ("name", .string(r.name)), ("value", .number(r.value)),
                         ("unit", .string(r.unit)), ("note", .string(r.note))])
            }
            let targetRows: [JSON] = targets.map { t in
                .object([("target", .string(t.target)), ("figure", .string(t.figure)), ("met", t.met.map { .bool($0) } ?? .null)])
            }
            let doc: JSON = .object([("tool_version", .string(DriftLabVersion.current)), ("jobs", .number(Double(jobs))),
                                     ("results", .array(rows)), ("targets", .array(targetRows))])
            print(doc.serialized(), terminator: "")
        }
    })

/// The benchmark suites by area; each module contributes one.
func benchmarkAreas(jobs: Int) -> [(String, () -> [BenchmarkResult])] {
    [
        ("core", { CoreBenchmarks.run() }),
        ("sim", { SimulatorBenchmarks.run(jobs: jobs) }),
        ("models", { ModelBenchmarks.run(rows: 1_000_000, jobs: jobs) }),
        ("detectors", { DetectorBenchmarks.run() + MonitorBenchmarks.run() }),
        ("lab", { LabBenchmarks.run(jobs: jobs) }),
        ("sweep", { SweepBenchmarks.run(jobs: jobs) }),
    ]
}

/// One aligned text line of benchmark output.
func benchLine(_ area: String, _ r: BenchmarkResult) -> String {
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    let value = String(format: "%12.2f", r.value)
    return pad(area, 10) + pad(r.name, 56) + value + " " + pad(r.unit, 8) + r.note
}

/// "met", "not met", or "unknown" where a figure it needs was not measured.
func targetVerdict(_ met: Bool?) -> String { met.map { $0 ? "met" : "not met" } ?? "unknown" }

/// Rewrites the README's benchmark block with this run's figures and the issues' targets judged on
/// them, so no figure or verdict is typed by hand.
func updateReadme(_ path: String, results: [(String, BenchmarkResult)], targets: [BenchmarkTarget], jobs: Int) throws {
    var table = "\n_Output of `driftlab bench --readme README.md` (release build, \(jobs) threads, tool \(DriftLabVersion.current))._\n\n"
    table += "| area | measurement | value | unit | note |\n|---|---|---:|---|---|\n"
    for (area, r) in results {
        let note = r.note.replacingOccurrences(of: "|", with: "\\|")
        table += "| \(area) | \(r.name) | \(String(format: "%.2f", r.value)) | \(r.unit) | \(note) |\n"
    }
    if !targets.isEmpty {
        table += "\nThe issues' speed targets, judged on the figures above (`BenchmarkTargets`):\n\n"
        table += "| target | this run | verdict |\n|---|---|---|\n"
        for t in targets {
            let verdict = t.met == true ? "**met**" : targetVerdict(t.met)
            table += "| \(t.target) | \(t.figure.replacingOccurrences(of: "|", with: "\\|")) | \(verdict) |\n"
        }
    }
    try rewriteMarkedBlock(path, name: "bench", with: table)
}
