import DriftCore
import DriftModels
import Foundation

/// One fix measured by replay on held-out recent logs: chosen (threshold, repair, retraining) on
/// the earlier half of the period after the change, evaluated on the later half, at the alert budget.
public struct Fix: Sendable {
    public var horizon: String
    public var title: String
    public var description: String
    public var recall: Rate
    public var precision: Rate
    public var alertRate: Rate
    /// (fix recall - as-run recall) / (recall before the change - as-run recall), with the bounds
    /// from the fix recall's Wilson interval (the other two taken as known).
    public var recoveredShare: Double
    public var recoveredInterval: (lower: Double, upper: Double)
}

/// The held-out evaluation of the fixes.
public struct FixEvaluation: Sendable {
    public var fitDays: ClosedRange<Int>
    public var evalDays: ClosedRange<Int>
    /// Recall of the model as it ran on the cohorts before the change (matured labels).
    public var before: Rate
    /// The model as it ran on the evaluation days.
    public var asRun: (recall: Rate, precision: Rate, alertRate: Rate)
    public var fixes: [Fix]
    public var lostRecall: Double { before.value - asRun.recall.value }
    /// Is the loss significant (one-sided two-proportion z-test, p < 0.05)? Otherwise shares of it are noise.
    public var lossIsSignificant: Bool {
        let a = before, b = asRun.recall
        guard a.trials > 0, b.trials > 0 else { return false }
        let pool = Double(a.successes + b.successes) / Double(a.trials + b.trials)
        let se = (pool * (1 - pool) * (1 / Double(a.trials) + 1 / Double(b.trials))).squareRoot()
        return se > 0 && SpecialFunctions.normalCDF((b.value - a.value) / se) < 0.05
    }

    /// Rows of a structural retraining at most (legitimate rows thinned by a fixed stride; every fraud kept).
    static let retrainRows = 150_000

    static func evaluate(log: LogData, model: TrainedModel, bench: RepairBench, from: Int, root: RootCause, budget: Double,
                         beforeRecall: Rate) throws -> FixEvaluation? {
        let last = log.lastDay
        guard last - from >= 14 else { return nil }
        let mid = from + (last - from + 1) / 2
        let fitLocal = 0..<(log.rows(from: from, to: mid - 1).upperBound - bench.rows.lowerBound)
        let evalLocal = fitLocal.upperBound..<bench.rows.count
        guard !fitLocal.isEmpty, !evalLocal.isEmpty else { return nil }
        let asRun = bench.asRun(local: evalLocal)
        let asRunAlerts: Rate = {
            let cut = bench.logit(model.threshold)
            var a = 0
            for k in evalLocal where bench.logits[k] >= cut { a += 1 }
            return Rate(a, of: evalLocal.count)
        }()
        var fixes: [Fix] = []
        let lost = beforeRecall.value - asRun.recall.value
        // An exact inverse of the transform (unit factor, swap) restores the pipeline the model was
        // validated on, so it keeps the model's own threshold, as before the change; other options
        // are thresholded at the alert budget on the fit days.
        func exact(_ a: RepairResult.Action) -> Bool {
            switch a { case .rescale, .rescaleAll, .swap: return true; default: return false }
        }
        func cutOf(_ values: [Double], own: Bool) -> Double {
            own ? bench.logit(model.threshold) : RepairBench.budgetThreshold(Array(values[fitLocal]), budget: budget)
        }
        func make(_ horizon: String, _ title: String, _ text: String, _ values: [Double], own: Bool = false) -> Fix {
            let cut = cutOf(values, own: own)
            let m = bench.metrics(values, threshold: cut, local: evalLocal)
            var a = 0
            for k in evalLocal where values[k] >= cut { a += 1 }
            let share: (Double) -> Double = { lost > 0 ? ($0 - asRun.recall.value) / lost : .nan }
            let ci = m.recall.interval
            return Fix(horizon: horizon, title: title, description: text, recall: m.recall, precision: m.precision,
                       alertRate: Rate(a, of: evalLocal.count), recoveredShare: share(m.recall.value),
                       recoveredInterval: (share(ci.lower), share(ci.upper)))
        }

        // Short term (pipeline bugs): the rescoring repairs of the root-cause feature (the ranked
        // ones plus a fallback model where the feature looks broken), chosen by recall on the fit
        // days only; otherwise, or when none beats it there, the threshold recalibrated to the budget.
        var options: [(RepairResult.Action, String, [Double])] = []
        if root.cause == .pipelineBug {
            var actions = root.repairs.compactMap { r -> RepairResult.Action? in
                switch r.action {
                case .neutralise, .rescale, .swap: return r.feature == root.feature ? r.action : nil
                case .rescaleAll(let fs, _): return root.feature.map { fs.contains($0) } ?? false ? r.action : nil
                default: return nil
                }
            }
            if let f = root.feature, bench.brokenRows(f) != nil { actions.append(.fallback(f)) }
            for a in actions { if let v = try bench.repairedLogits(a) { options.append((a, RootCause.describe(a).1, v)) } }
        }
        func fitRecall(_ v: [Double], own: Bool = false) -> Double {
            bench.metrics(v, threshold: cutOf(v, own: own), local: fitLocal).recall.value
        }
        let thresholdRecall = fitRecall(bench.logits)
        if let best = options.max(by: { fitRecall($0.2, own: exact($0.0)) < fitRecall($1.2, own: exact($1.0)) }),
           fitRecall(best.2, own: exact(best.0)) > thresholdRecall {
            let own = exact(best.0)
            let how = own ? "; the model's own threshold, as before the change" : "; threshold recalibrated to the alert budget on the first half of the period after the change"
            fixes.append(make("short_term", "Repair the input at serving time", best.1.prefix(1).uppercased() + best.1.dropFirst() + how,
                              best.2, own: own))
        } else {
            fixes.append(make("short_term", "Recalibrate the threshold", "Recalibrate the threshold to the alert budget "
                              + "(\(JSON.format(budget * 100)) % of transactions) on the first half of the period after the change", bench.logits))
        }

        // Structural: retrain on recent matured labels with a time-based validation split.
        let fitRows = log.rows(from: from, to: mid - 1)
        var keep: [Int] = []
        var legit = 0
        for i in fitRows where !log.knownFraud(i, asOf: Int32(last)) { legit += 1 }
        let stride = max(1, legit / max(1, retrainRows))
        var seen = 0
        for i in fitRows {
            if log.knownFraud(i, asOf: Int32(last)) { keep.append(i) } else { if seen % stride == 0 { keep.append(i) }; seen += 1 }
        }
        var cols = log.features.columnNames.enumerated().map { ($0.element, log.features.columns[$0.offset].selecting(keep)) }
        cols.append(("__day", .numeric(keep.map { Double(log.day[$0]) })))
        cols.append(("__label", .numeric(keep.map { log.knownFraud($0, asOf: Int32(last)) ? 1 : 0 })))
        var training = TrainingOptions(kind: model.kind)
        training.label = "__label"; training.timeColumn = "__day"; training.excluded = ["__day"]
        training.validationFraction = PreparedReference.validationShare; training.calibration = .platt; training.seed = 1; training.bootstrapResamples = 0
        training.stumps.jobs = bench.jobs
        let table = try Table(columns: cols)
        let frauds = keep.reduce(0) { $0 + (log.knownFraud($1, asOf: Int32(last)) ? 1 : 0) }
        if frauds >= 20 && frauds < keep.count {
            let retrained = try Trainer.train(table, options: training)
            let v = retrained.logits(bench.table).0
            let contract = root.cause == .pipelineBug
                ? " Add a schema and quality contract at ingestion (missing, stuck and default-filled values, unit and category checks) that routes broken rows to the repair above and pages."
                : ""
            fixes.append(make("structural", "Retrain on recent matured labels",
                              "Retrain the \(model.kind.rawValue) model on days \(from)...\(mid - 1) with labels matured by day \(last) "
                              + "(time-ordered validation split, legitimate rows thinned 1 in \(stride)), threshold at the alert budget." + contract, v))
        }
        return FixEvaluation(fitDays: from...(mid - 1), evalDays: mid...last, before: beforeRecall,
                             asRun: (asRun.recall, asRun.precision, asRunAlerts), fixes: fixes)
    }
}
