import DriftCore
import DriftLab
import DriftSim
import Foundation

/// `driftlab run <scenario.json> [--out DIR] [--json]`: one lab run (replay, battery, alarms,
/// diagnosis, verdicts), written as run.json and report.html.
let runCommand = Command(
    name: "run",
    summary: "Replay one scenario through the detector battery and diagnose it",
    help: """
    USAGE: driftlab run <scenario.json> [--out DIR] [--json] [--jobs N]

    Simulates the reference period, trains the logistic and the stumps model (threshold and
    calibration on a time-ordered validation split), replays production day by day and on each
    monitoring step runs the detector battery on what existed that day (labels only once arrived),
    applies the alarm policy and diagnoses the failure kind (docs/lab.md). Writes into DIR:
      run.json     manifest, injected failures, one record per step, verdicts (atomic write)
      report.html  timeline of realised/measured/estimated recall with alarms, drift heatmap
    and prints a short summary (injected kind, first alarm, delay, diagnosis, false alarms).
    The same scenario gives a byte-identical run.json.

    OPTIONS:
      --out DIR   output folder (default results/runs/<scenario-name>)
      --json      print run.json to stdout instead of the summary
      --jobs N    simulator threads (default 1); does not change the output

    EXAMPLE: driftlab run scenarios/schema-unit-scale.json --out results/runs/unit-scale
    """,
    run: { args in
        let file = try args.positional("scenario file")
        let json = args.flag("json")
        let jobs = try args.intOption("jobs", default: 1, in: 1...256)
        let outOption = try args.option("out")
        try args.finish(knownFlags: ["out", "json", "jobs"])
        let scenario = try ScenarioFile.load(file)
        let out = outOption ?? "results/runs/\(scenario.name)"
        var options = LabOptions()
        options.simulatorJobs = jobs
        try AtomicFile.ensureDirectory(out)
        let reference = try LabRunner.prepareReference(scenario, options: options)
        let (result, trace) = try LabRunner.traced(scenario, reference: reference, options: options)
        let text = result.json().serialized() + "\n"
        try AtomicFile.write(text, to: out + "/run.json")
        try AtomicFile.write(RunReport.html(result, trace: trace), to: out + "/report.html")
        if json { print(text, terminator: "") } else { print(RunReport.summary(result, directory: out)) }
    })
