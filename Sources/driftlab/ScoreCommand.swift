import DriftCore
import DriftModels
import Foundation

/// `driftlab score`: applies a model file to a CSV, appending `score` and `decision` to each row.
let scoreCommand = Command(
    name: "score",
    summary: "Score a CSV with a trained model (appends score and decision)",
    help: """
    USAGE: driftlab score --model <model.json> --data <production.csv> --out <scores.csv>
                          [--missing NA,null,...] [--json] [--quiet]

    Copies every row of --data and appends 'score' (the calibrated fraud probability, in the
    shortest text that reads back as exactly that number, e.g. 0.25 or 3e-08) and 'decision'
    (1 where the model's probability before calibration reaches the model card's threshold.value).
    On the score column that threshold reads as threshold.calibrated_value: a score above it is
    always flagged and one below it never, but one equal to it may go either way (calibration
    maps a range of probabilities to one score), so read the decision, not score >= value.
    Missing feature columns, unseen categories and infinite values are served by the fitted
    encoding and reported on stderr; they do not stop the scoring.

    OPTIONS:
      --model FILE  a model file written by 'driftlab train'
      --data FILE   the CSV to score (columns matched by name)
      --out FILE    the scored copy (written atomically)
      --missing L   comma-separated texts read as missing besides the empty cell (default:
                    pandas' read_csv list; --missing "" for none); exact text, numbers too
                    (with -999, a cell -999 is missing, -999.0 is not); copied as they are
      --json        print one JSON object (rows, flagged, alert rate, files) instead of text
      --quiet       print nothing on stdout (warnings still go to stderr)

    EXAMPLE: driftlab score --model model.json --data out/production.csv --out scores.csv
    """,
    run: { args in
        let modelPath = try args.requiredOption("model")
        let data = try args.requiredOption("data")
        let out = try args.requiredOption("out")
        let asJSON = args.flag("json")
        let quiet = args.flag("quiet")
        let missing = try args.missingOption()
        try args.finish(knownFlags: ["model", "data", "out", "missing", "json", "quiet"])
        let model = try TrainedModel.load(from: modelPath)

        let header = try CSVReader(path: data).header
        var types: [String: ColumnType] = [:]
        switch model.estimator {
        case .logistic(let e, _):
            for case .categorical(let c) in e.features where header.contains(c.name) { types[c.name] = .categorical }
        case .stumps(let b, _):
            for f in b.features where f.isCategorical && header.contains(f.name) { types[f.name] = .categorical }
        }
        let table = try Table.readCSV(data, types: types, missing: missing)
        for name in model.featureNames {
            if let c = table[name], !c.isNumeric, types[name] == nil {
                printError("warning: column '\(name)' holds text where the model expects numbers; non-numbers are scored as missing")
            }
        }
        let scores = model.score(table)
        for line in scores.report.lines { printError("warning: " + line) }
        let unscored = scores.calibrated.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
        if unscored > 0 {
            printError("warning: \(unscored) of \(scores.calibrated.count) rows got no score (the model's arithmetic overflowed: values far "
                       + "outside the training data, or an edited model file); they are written empty and not flagged")
        }

        // Stream the input again so every original cell is copied verbatim.
        let reader = try CSVReader(path: data)
        let keep = reader.header.indices.filter { reader.header[$0] != "score" && reader.header[$0] != "decision" }
        let writer = try CSVWriter(path: out, header: keep.map { reader.header[$0] } + ["score", "decision"])
        var row = 0
        while try reader.next() {
            for i in keep { if reader.isEmpty(i) { writer.emptyField() } else { writer.field(reader.field(i)) } }
            writer.field(shortest: scores.calibrated[row])  // reads back exactly: no rounding across the threshold
            writer.field(Int(scores.decisions[row]))
            try writer.endRow()
            row += 1
        }
        try writer.finish()
        let alerts = scores.decisions.reduce(0) { $0 + Int($1) }
        if quiet { return }
        if asJSON {
            let doc: JSON = .object([("model", .string(modelPath)), ("kind", .string(model.kind.rawValue)), ("data", .string(data)),
                                     ("out", .string(out)), ("rows", .number(Double(row))), ("flagged", .number(Double(alerts))),
                                     ("alert_rate", row > 0 ? .number(Double(alerts) / Double(row)) : .null)])
            print(doc.serialized(), terminator: "")
            return
        }
        print("scored \(row) rows with \(model.kind.rawValue) model; \(alerts) flagged (\(String(format: "%.2f", 100 * Double(alerts) / Double(Swift.max(row, 1))))%)")
        print("wrote \(out)")
    })
