import DriftCore
import DriftLab
import DriftSim
import Foundation

/// `driftlab run <scenario.json> [--out DIR] [--json]`: one lab run (replay, battery, alarms,
/// diagnosis, verdicts), written as run.json and report.html. `--sweep FILE --cell ID` runs one
/// cell of a sweep instead, to draw the report the sweep itself does not keep.
let runCommand = Command(
    name: "run",
    summary: "Replay one scenario through the detector battery and diagnose it",
    help: """
    USAGE: driftlab run <scenario.json> [--out DIR] [--json] [--quiet] [--jobs N]
    USAGE: driftlab run --sweep <sweep.json> --cell <cell-id> [--out DIR] [--json] [--quiet] [--jobs N]

    Simulates the reference period, trains the logistic and the stumps model (threshold and
    calibration on a time-ordered validation split), replays production day by day and on each
    monitoring step runs the detector battery on what existed that day (labels only once arrived),
    applies the alarm policy and diagnoses the failure kind (docs/lab.md). Writes into DIR:
      run.json     manifest, injected failures, one record per step, verdicts (atomic write)
      report.html  timeline of realised/measured/estimated recall with alarms, drift heatmap
    and prints a short summary (injected kind, first alarm, delay, diagnosis, false alarms).
    The same scenario gives a byte-identical run.json.

    OPTIONS:
      --out DIR         output folder (default results/runs/<scenario-name>; with --cell,
                        results/<sweep-name>/runs/<cell-id>, where the sweep report links)
      --sweep FILE      a sweep file; with --cell, run that one cell of it (the same run.json
                        as the sweep's runs/<cell-id>.json, plus its report.html)
      --cell ID         the cell id, as listed in the sweep's sweep.json and report.html
      --json            print run.json to stdout instead of the summary
      --quiet           print nothing on stdout (the files are still written)
      --jobs N          simulator threads (default 1); does not change the output

    EXAMPLE: driftlab run scenarios/schema-unit-scale.json --out results/runs/unit-scale
    EXAMPLE: driftlab run --sweep scenarios/standard-sweep.json --cell schema_change.unit_scale.s1.00.on30.seed0.w14
    """,
    run: { args in
        let json = args.flag("json")
        let quiet = args.flag("quiet")
        let jobs = try args.intOption("jobs", default: 1, in: 1...256)
        let outOption = try args.option("out")
        let sweepFile = try args.option("sweep")
        let cellID = try args.option("cell")
        if cellID != nil && sweepFile == nil { throw UsageError("--cell needs --sweep <sweep.json>; see 'driftlab run --help'") }
        let file = sweepFile == nil ? try args.positional("scenario file") : nil
        try args.finish(knownFlags: ["out", "json", "quiet", "jobs", "sweep", "cell"])
        let scenario: Scenario
        var out: String
        switch (file, sweepFile, cellID) {
        case (let file?, nil, nil):
            scenario = try ScenarioFile.load(file)
            out = outOption ?? "results/runs/\(scenario.name)"
        case (nil, let sweepFile?, let cellID?):
            let sweep = try SweepFile.load(sweepFile)
            guard let cell = sweep.cells.first(where: { $0.id == cellID }) else {
                var m = "no cell '\(cellID)' in \(sweepFile)"
                if let g = closestMatch(to: cellID, in: sweep.cells.map(\.id)) { m += " (did you mean '\(g)'?)" }
                throw UsageError(m + "; the cell ids are listed in the results folder's sweep.json")
            }
            scenario = cell.scenario
            out = outOption ?? "results/\(sweep.name)/runs/\(cell.id)"
        case (_, nil, _?):
            throw UsageError("--cell needs --sweep <sweep.json>; see 'driftlab run --help'")
        default:
            throw UsageError("--sweep needs --cell <cell-id> (and no scenario file); see 'driftlab run --help'")
        }
        var options = LabOptions()
        options.simulatorJobs = jobs
        try AtomicFile.ensureDirectory(out)
        let reference = try LabRunner.prepareReference(scenario, options: options)
        let (result, trace) = try LabRunner.traced(scenario, reference: reference, options: options)
        let text = result.json().serialized()  // ends with a newline; byte-identical to the sweep's runs/<cell-id>.json
        try AtomicFile.write(text, to: out + "/run.json")
        try AtomicFile.write(RunReport.html(result, trace: trace), to: out + "/report.html")
        if quiet { return }
        if json { print(text, terminator: "") } else { print(RunReport.summary(result, directory: out)) }
    })
