import DriftCore
import DriftLab
import Foundation

/// `driftlab diagnose`: the postmortem of a model from its logs alone (docs/postmortem.md).
let diagnoseCommand = Command(
    name: "diagnose",
    summary: "Postmortem from logs: symptom, root cause, two quantified fixes, what would have caught it",
    help: """
    USAGE: driftlab diagnose --reference <train.csv> --logs <production.csv> [--model model.json]
                             [--columns map.json] [--out DIR] [--budget 0.01] [--json] [--quiet]

    Reads the training data and the production logs (any column order), finds the columns by
    their conventional names (day, is_fraud, label_arrival_day, score, decision, transaction_id,
    amount; override with --columns), trains a model on the reference unless --model is given and
    scores the logs. Then: recall, precision and alert rate on matured labels (only labels that
    had arrived) with Wilson intervals against the model card, the change-point of recall, the
    lab's detector battery and diagnosis replayed over the logs, candidate repairs ranked by the
    recall they recover, two fixes measured on held-out recent logs, and monitor recommendations
    with their false-alarm rates from results/standard/summary.json when present.

    Writes into DIR (default postmortem/): postmortem.md, monitoring.md, report.html,
    postmortem.json and the figures as CSV (weekly.csv, daily.csv, steps.csv, detectors.csv,
    repairs.csv, fixes.csv, feature_psi.csv, root_feature.csv, slices.csv).

    OPTIONS:
      --reference <path>   training data with labels (CSV)
      --logs <path>        production logs (CSV): features, time, labels with their arrival day
      --model <path>       a model card JSON from 'driftlab train' (default: train one here)
      --columns <path>     column map JSON: {"time": "...", "label": "...", "label_arrival": "...",
                           "score": "...", "decision": "...", "id": "...", "amount": "...",
                           "types": {"col": "numeric|categorical"}, "ignore": ["col"],
                           "missing": ["NA", ...]} (missing: texts read as missing besides
                           the empty cell; default pandas' list: NA, N/A, NULL, null, None, ...)
      --out <dir>          output folder (default postmortem)
      --budget <share>     alert budget, e.g. 0.01 (default: the model's)
      --sweep-summary <p>  the standard sweep's summary.json for false-alarm rates
                           (default results/standard/summary.json, relative to the working folder)
      --window <days>      monitoring window (default 14); --step <days> (default 7)
      --json               print postmortem.json on stdout instead of the summary
      --quiet              print nothing on stdout (files are still written)
      --timings            print each stage's wall time on stderr

    EXAMPLE: driftlab generate scenarios/capstone.json --out data/capstone && driftlab diagnose --reference data/capstone/reference.csv --logs data/capstone/production.csv --out data/capstone/postmortem
    """,
    run: { args in
        var o = PostmortemOptions(reference: try args.requiredOption("reference"), logs: try args.requiredOption("logs"))
        o.model = try args.option("model")
        o.columns = try args.option("columns")
        let out = try args.option("out") ?? "postmortem"
        if let b = try args.option("budget") {
            guard let v = Double(b), v > 0, v < 1 else { throw UsageError("--budget must be a share in (0, 1), e.g. 0.01; got '\(b)'") }
            o.budget = v
        }
        if let p = try args.option("sweep-summary") { o.sweepSummary = p }
        o.windowDays = try args.intOption("window", default: 14, in: 2...365)
        o.stepDays = try args.intOption("step", default: 7, in: 1...365)
        let asJSON = args.flag("json"), quiet = args.flag("quiet"), timings = args.flag("timings")
        try args.finish(knownFlags: ["reference", "logs", "model", "columns", "out", "budget", "window", "step", "json", "quiet", "timings", "sweep-summary"])
        for path in [o.reference, o.logs] + [o.model, o.columns].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
            throw PostmortemError.invalid("\(path): no such file")
        }
        let result = try Postmortem.run(o)
        try PostmortemWriter.write(result, to: out)
        if timings { for (stage, seconds) in result.timings { printError("timing: \(stage) \(String(format: "%.2f", seconds)) s") } }
        if quiet { return }
        if asJSON { print(result.json().serialized(), terminator: "") } else { print(PostmortemWriter.summary(result, folder: out)) }
    })
