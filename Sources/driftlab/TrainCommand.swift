import DriftCore
import DriftModels
import Foundation

/// `driftlab train`: fits a model on a reference CSV and writes the model file with its card.
let trainCommand = Command(
    name: "train",
    summary: "Train a logistic regression or boosted stumps on a reference CSV",
    help: """
    USAGE: driftlab train --data <reference.csv> --model logistic|stumps --out <model.json>
                          [--label is_fraud] [--exclude col,col] [--threshold budget:0.01]
                          [--calibration isotonic|platt|none] [--validation 0.2] [--c 1.0]
                          [--rounds 200] [--learning-rate 0.1] [--no-early-stopping] [--jobs N]
                          [--missing NA,null,...] [--json] [--quiet]

    Trains on the oldest rows (ordered by the 'day' column where there is one) and holds out the
    most recent --validation share to stop boosting early, calibrate the scores, choose the alert
    threshold and measure the model; all of it is recorded in the model card inside the file.
    Columns never used as features: transaction_id, day, timestamp, label_arrival_day, score,
    decision, the label, and those named by --exclude ('hour' is a feature).

    OPTIONS:
      --data FILE          the training CSV (e.g. reference.csv from 'driftlab generate')
      --model KIND         logistic or stumps
      --out FILE           the model file with its card (written atomically)
      --label COL          the 0/1 label column (default is_fraud)
      --exclude a,b        columns never used as features
      --threshold RULE     budget:K (flag the top K share, the default budget:0.01),
                           precision:P (the most recall at validation precision P) or fixed:T
      --calibration M      isotonic (default), platt or none
      --validation F       share of the most recent rows held out (default 0.2)
      --c C                logistic: inverse L2 strength (default 1.0)
      --rounds N           stumps: boosting rounds (default 200)
      --learning-rate R    stumps: shrinkage (default 0.1)
      --no-early-stopping  stumps: use every round
      --jobs N             threads (default: all cores); does not change the model
      --missing <list>     comma-separated texts read as missing besides the empty cell
                           (default: pandas' read_csv list; --missing "" for none); exact
                           text, numbers too: with -999, a cell -999 is missing, -999.0 is not
      --json               print one JSON object (rows, validation figures, threshold) instead of text
      --quiet              print nothing on stdout (the model file is still written)

    EXAMPLE: driftlab train --data out/reference.csv --model stumps --out model.json
    """,
    run: { args in
        let data = try args.requiredOption("data")
        let kindText = try args.requiredOption("model")
        guard let kind = ModelKind(rawValue: kindText) else {
            throw UsageError("--model must be logistic or stumps; got '\(kindText)'")
        }
        let out = try args.requiredOption("out")
        var options = TrainingOptions(kind: kind)
        if let label = try args.option("label") { options.label = label }
        if let extra = try args.option("exclude") {
            options.excluded += extra.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let t = try args.option("threshold") {
            guard let policy = ThresholdPolicy(text: t) else {
                throw UsageError("--threshold must be budget:K, precision:P or fixed:T with K and P in (0, 1]; got '\(t)'")
            }
            options.threshold = policy
        }
        if let c = try args.option("calibration") {
            guard let m = Calibrator.Method(rawValue: c) else { throw UsageError("--calibration must be isotonic, platt or none; got '\(c)'") }
            options.calibration = m
        }
        options.validationFraction = try args.doubleOption("validation", default: 0.2)
        guard (0..<0.9).contains(options.validationFraction) else { throw UsageError("--validation must be in [0, 0.9)") }
        options.logistic.c = try args.doubleOption("c", default: 1.0)
        guard options.logistic.c > 0 else { throw UsageError("--c must be positive") }
        options.stumps.rounds = try args.intOption("rounds", default: 200, in: 1...100_000)
        options.stumps.learningRate = try args.doubleOption("learning-rate", default: 0.1)
        guard options.stumps.learningRate > 0 else { throw UsageError("--learning-rate must be positive") }
        options.earlyStopping = !args.flag("no-early-stopping")
        let jobs = try args.intOption("jobs", default: Parallel.defaultJobs, in: 1...256)
        let asJSON = args.flag("json")
        let quiet = args.flag("quiet")
        let missing = try args.missingOption()
        options.logistic.jobs = jobs; options.stumps.jobs = jobs
        try args.finish(knownFlags: ["data", "model", "out", "label", "exclude", "threshold", "calibration", "validation",
                                     "c", "rounds", "learning-rate", "no-early-stopping", "jobs", "missing", "json", "quiet"])

        var types: [String: ColumnType] = [:]
        let header = try CSVReader(path: data).header
        if header.contains(options.label) { types[options.label] = .categorical }  // checked as text: 0 or 1
        let table = try Table.readCSV(data, types: types, missing: missing)
        let model: TrainedModel
        do { model = try Trainer.train(table, options: options, source: data) } catch let e as ModelError where !e.namesFile {
            throw FileError(path: data, reason: "\(e)")
        }
        try model.save(to: out)
        let v = model.validation
        if quiet { return }
        if asJSON {
            func n(_ x: Double) -> JSON { x.isFinite ? .number(x) : .null }
            var validation: [(String, JSON)] = [("rows", .number(Double(v.rows))), ("positives", .number(Double(v.positives))),
                                                ("roc_auc", n(v.rocAUC)), ("average_precision", n(v.averagePrecision))]
            if let t = v.atThreshold {
                validation += [("recall", n(t.recall)), ("precision", n(t.precision)), ("alert_rate", n(t.alertRate))]
            }
            let doc: JSON = .object([("model", .string(kind.rawValue)), ("data", .string(data)), ("out", .string(out)),
                                     ("train_rows", .number(Double(table.rowCount - v.rows))),
                                     ("threshold_policy", .string("\(model.thresholdPolicy.name):\(JSON.format(model.thresholdPolicy.parameter))")),
                                     ("threshold", n(model.threshold)), ("validation", .object(validation))])
            print(doc.serialized(), terminator: "")
            return
        }
        func f(_ x: Double) -> String { x.isNaN ? "n/a" : String(format: "%.4f", x) }
        print("trained \(kind.rawValue) on \(table.rowCount - v.rows) rows, validated on \(v.rows) (\(v.positives) frauds)")
        print("validation ROC AUC \(f(v.rocAUC)) [\(f(v.rocAUCInterval.lower)), \(f(v.rocAUCInterval.upper))], average precision \(f(v.averagePrecision))")
        if let t = v.atThreshold {
            print("threshold \(model.thresholdPolicy.name) \(JSON.format(model.thresholdPolicy.parameter)): \(f(model.threshold)); " +
                  "recall \(f(t.recall)), precision \(f(t.precision)), alert rate \(f(t.alertRate))")
        }
        print("wrote \(out)")
    })
