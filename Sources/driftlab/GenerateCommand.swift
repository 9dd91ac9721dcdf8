import DriftCore
import DriftSim
import Foundation

/// `driftlab generate <scenario.json> --out DIR`: runs the simulated world of a scenario and writes
/// the reference period, the production log, the ground truth and the resolved scenario.
let generateCommand = Command(
    name: "generate",
    summary: "Simulate a scenario and write reference, production and truth CSV files",
    help: """
    USAGE: driftlab generate <scenario.json> --out DIR [--jobs N] [--json] [--quiet]

    Simulates the scenario's world day by day (memory: one day) and writes into DIR:
      reference.csv           the training period with mature labels
      production.csv          the production log as known on the last day: transaction_id, day,
                              the 20 served features, is_fraud (1 only where the chargeback had
                              arrived) and label_arrival_day (empty where no label arrived)
      truth.csv               per row: true label, fraud probability, active failure kinds,
                              altered features and the clean values a failure may alter
      scenario.resolved.json  the scenario with every default filled in
    Each file is written under a temporary name and renamed when complete. The same scenario and
    seed give byte-identical files for any --jobs.

    OPTIONS:
      --out DIR   output folder (created if missing)
      --jobs N    threads (default: all cores); does not change the output
      --json      print one JSON object (folder, rows, bytes) instead of the text line
      --quiet     print nothing on stdout (the files are still written)

    EXAMPLE: driftlab generate scenarios/capstone.json --out data/capstone
    """,
    run: { args in
        let file = try args.positional("scenario file")
        let out = try args.requiredOption("out")
        let jobs = try args.intOption("jobs", default: Parallel.defaultJobs, in: 1...256)
        let asJSON = args.flag("json")
        let quiet = args.flag("quiet")
        try args.finish(knownFlags: ["out", "jobs", "json", "quiet"])
        let scenario = try ScenarioFile.load(file)
        try AtomicFile.ensureDirectory(out)  // fail on an unwritable folder before simulating
        let simulator = try TransactionSimulator(scenario: scenario)
        let summary = try ScenarioOutput.write(simulator, resolvedJSON: ScenarioFile.resolvedJSON(scenario).serialized(), to: out, jobs: jobs)
        if quiet { return }
        if asJSON {
            let doc: JSON = .object([("out", .string(out)), ("scenario", .string(scenario.name)),
                                     ("reference_rows", .number(Double(summary.referenceRows))),
                                     ("production_rows", .number(Double(summary.productionRows))), ("bytes", .number(Double(summary.bytes)))])
            print(doc.serialized(), terminator: "")
            return
        }
        print("wrote \(out): \(summary.referenceRows) reference rows, \(summary.productionRows) production rows, \(summary.bytes / 1_000_000) MB")
    })
