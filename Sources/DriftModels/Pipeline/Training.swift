import DriftCore
import Foundation

/// The two model families the lab ships.
public enum ModelKind: String, Sendable, CaseIterable {
    case logistic, stumps
}

/// Everything `train` needs besides the data. Defaults are the lab's production choices.
public struct TrainingOptions: Sendable, Equatable {
    public var kind: ModelKind = .logistic
    public var label = "is_fraud"
    /// Columns that are never features (identifiers, time, label bookkeeping, earlier scores).
    /// `hour` is a feature and is not here.
    public var excluded: [String] = TrainingOptions.defaultExcluded
    /// The column that orders rows in time; when absent, file order is time order.
    public var timeColumn = "day"
    /// The most recent share of rows held out for early stopping, threshold, calibration and metrics.
    public var validationFraction = 0.2
    public var encoder = FeatureEncoder.Configuration()
    public var logistic = LogisticRegression.Configuration()
    public var stumps = GradientBoostedStumps.Configuration()
    /// Stop boosting when the validation log loss stops improving.
    public var earlyStopping = true
    public var threshold: ThresholdPolicy = .default
    public var calibration: Calibrator.Method = .isotonic
    /// Bootstrap resamples for the validation AUC interval, and their seed.
    public var bootstrapResamples = 200
    public var seed: UInt64 = 1

    public static let defaultExcluded = ["transaction_id", "day", "timestamp", "label_arrival_day", "score", "decision"]

    public init() {}
    public init(kind: ModelKind) { self.kind = kind }
}

/// Metrics of the fitted model on the time-ordered validation split, with intervals.
public struct ValidationSummary: Sendable, Equatable {
    public var rows = 0
    public var positives = 0
    public var rocAUC = Double.nan
    public var rocAUCInterval: (lower: Double, upper: Double) = (.nan, .nan)
    public var averagePrecision = Double.nan
    /// Of the model's own probabilities (before calibration).
    public var logLossRaw = Double.nan
    public var brierRaw = Double.nan
    /// Of the calibrated probabilities (fitted on this same split, so optimistic).
    public var logLoss = Double.nan
    public var brier = Double.nan
    public var expectedCalibrationError = Double.nan
    public var reliability: [Metrics.ReliabilityBin] = []
    public var atThreshold: Metrics.AtThreshold? = nil

    public static func == (a: Self, b: Self) -> Bool { a.json() == b.json() }

    public func json() -> JSON {
        var members: [(String, JSON)] = [
            ("rows", .number(Double(rows))), ("positives", .number(Double(positives))),
            ("roc_auc", .number(rocAUC)),
            ("roc_auc_interval_95", .array([.number(rocAUCInterval.lower), .number(rocAUCInterval.upper)])),
            ("average_precision", .number(averagePrecision)),
            ("log_loss_raw", .number(logLossRaw)), ("brier_raw", .number(brierRaw)),
            ("log_loss", .number(logLoss)), ("brier", .number(brier)),
            ("expected_calibration_error", .number(expectedCalibrationError)),
            ("reliability", .array(reliability.map { b in
                .object([("lower", .number(b.lower)), ("upper", .number(b.upper)), ("count", .number(Double(b.count))),
                         ("mean_predicted", .number(b.meanPredicted)), ("observed_rate", .number(b.observedRate)),
                         ("observed_interval_95", .array([.number(b.observedInterval.lower), .number(b.observedInterval.upper)]))])
            })),
        ]
        if let t = atThreshold {
            members.append(("at_threshold", .object([
                ("threshold", .number(t.threshold)),
                ("true_positives", .number(Double(t.truePositives))), ("false_positives", .number(Double(t.falsePositives))),
                ("false_negatives", .number(Double(t.falseNegatives))), ("true_negatives", .number(Double(t.trueNegatives))),
                ("recall", .number(t.recall)), ("recall_interval_95", .array([.number(t.recallInterval.lower), .number(t.recallInterval.upper)])),
                ("precision", .number(t.precision)),
                ("precision_interval_95", .array([.number(t.precisionInterval.lower), .number(t.precisionInterval.upper)])),
                ("f1", .number(t.f1)),
                ("alert_rate", .number(t.alertRate)),
                ("alert_rate_interval_95", .array([.number(t.alertRateInterval.lower), .number(t.alertRateInterval.upper)])),
            ])))
        }
        return .object(members)
    }

    /// Reads the summary back (NaN figures are stored as null).
    public init(json: JSON) {
        func d(_ k: String) -> Double { json[k]?.doubleValue ?? .nan }
        func pair(_ v: JSON?) -> (Double, Double) {
            let a = v?.arrayValue ?? []
            return (a.first?.doubleValue ?? .nan, a.count > 1 ? a[1].doubleValue ?? .nan : .nan)
        }
        rows = wholeNumber(json["rows"]); positives = wholeNumber(json["positives"])
        rocAUC = d("roc_auc"); rocAUCInterval = pair(json["roc_auc_interval_95"])
        averagePrecision = d("average_precision")
        logLossRaw = d("log_loss_raw"); brierRaw = d("brier_raw"); logLoss = d("log_loss"); brier = d("brier")
        expectedCalibrationError = d("expected_calibration_error")
        reliability = (json["reliability"]?.arrayValue ?? []).map { b in
            Metrics.ReliabilityBin(lower: b["lower"]?.doubleValue ?? .nan, upper: b["upper"]?.doubleValue ?? .nan,
                                   count: wholeNumber(b["count"]), meanPredicted: b["mean_predicted"]?.doubleValue ?? .nan,
                                   observedRate: b["observed_rate"]?.doubleValue ?? .nan, observedInterval: pair(b["observed_interval_95"]))
        }
        if let t = json["at_threshold"] {
            func i(_ k: String) -> Int { wholeNumber(t[k]) }
            atThreshold = Metrics.AtThreshold(threshold: t["threshold"]?.doubleValue ?? .nan, truePositives: i("true_positives"),
                                              falsePositives: i("false_positives"), falseNegatives: i("false_negatives"),
                                              trueNegatives: i("true_negatives"))
        }
    }

    public init() {}
}

/// Trains a model on a reference table: time-ordered split, fit, calibration, threshold, card.
public enum Trainer {
    /// Trains on `table`. `source` (the CSV path) lets errors name the CSV line of a bad label.
    public static func train(_ table: Table, options: TrainingOptions = .init(), source: String? = nil) throws -> TrainedModel {
        guard table.rowCount > 0 else { throw ModelError.noRows }
        let labels = try labelColumn(table, name: options.label, source: source)
        let positives = labels.reduce(0) { $0 + Int($1) }
        if positives == 0 || positives == labels.count {
            throw ModelError.oneClass(column: options.label, value: positives == 0 ? 0 : 1, rows: labels.count)
        }
        let excluded = Set(options.excluded + [options.label])
        let features = table.columnNames.filter { !excluded.contains($0) }
        guard !features.isEmpty else { throw ModelError.noFeatures }
        guard options.validationFraction >= 0, options.validationFraction < 1 else {
            throw ModelError.invalidConfiguration("the validation fraction must be in [0, 1); got \(options.validationFraction)")
        }

        // Time order: stable sort on the time column where there is one.
        var order = Array(0..<table.rowCount)
        if case .categorical(let c)? = table[options.timeColumn] {
            // Text in the time column would drop the time order without a word (found by fuzzing).
            let row = c.codes.firstIndex { $0 >= 0 && parseDouble(c.levels[Int($0)]) == nil } ?? 0
            let text = c.codes[row] >= 0 ? c.levels[Int(c.codes[row])] : ""
            throw ModelError.invalidConfiguration("column '\(options.timeColumn)' orders the rows in time (the validation part is the most recent), "
                + "but data row \(row + 1) holds '\(text)', not a number; fix that cell")
        }
        let time = table[options.timeColumn]?.numericValues
        if let t = time {
            let key = t.map { $0.isNaN ? Double.infinity : $0 }  // rows without a time go last
            order.sort { (key[$0], $0) < (key[$1], $1) }
        }
        let validationCount = Int((Double(order.count) * options.validationFraction).rounded(.down))
        let trainRows = Array(order[0..<(order.count - validationCount)])
        let validRows = Array(order[(order.count - validationCount)...])
        let trainTable = table.selectingRows(trainRows), validTable = table.selectingRows(validRows)
        let trainLabels = trainRows.map { labels[$0] }, validLabels = validRows.map { labels[$0] }
        let trainPositives = trainLabels.reduce(0) { $0 + Int($1) }
        if trainPositives == 0 || trainPositives == trainLabels.count {
            throw ModelError.oneClassInTrainingPart(column: options.label, value: trainPositives == 0 ? 0 : 1,
                                                    rows: trainLabels.count, heldOut: validationCount)
        }

        let estimator: TrainedModel.Estimator
        switch options.kind {
        case .logistic:
            let encoding = try FeatureEncoder.fit(trainTable, features: features, configuration: options.encoder)
            let (x, _) = encoding.encode(trainTable)
            estimator = .logistic(encoding, try LogisticRegression.fit(x, labels: trainLabels, configuration: options.logistic))
        case .stumps:
            let binning = try HistogramBinning.fit(trainTable, features: features, maxBins: options.stumps.maxBins)
            let (x, _) = binning.bin(trainTable)
            let categorical = binning.features.map(\.isCategorical)
            var validation: (BinnedMatrix, [UInt8])? = nil
            if options.earlyStopping && !validRows.isEmpty { validation = (binning.bin(validTable).0, validLabels) }
            estimator = .stumps(binning, try GradientBoostedStumps.fit(x, labels: trainLabels, categorical: categorical,
                                                                       validation: validation, configuration: options.stumps))
        }
        var model = TrainedModel(estimator: estimator, label: options.label, calibrator: .none, threshold: .nan,
                                 thresholdPolicy: options.threshold, validation: ValidationSummary(), card: .object([]))
        let validLogits = model.logits(validTable).0
        let validRaw = validLogits.map(sigmoid)
        let validPositives = validLabels.reduce(0) { $0 + Int($1) }
        let bothClasses = validPositives > 0 && validPositives < validLabels.count
        model.calibrator = bothClasses ? Calibrator.fit(options.calibration, logits: validLogits, labels: validLabels) : .none
        // The threshold is chosen on the validation split; without one, on the training part.
        if validRows.isEmpty {
            let trainRaw = model.logits(trainTable).0.map(sigmoid)
            model.threshold = options.threshold.choose(scores: trainRaw, labels: trainLabels)
        } else {
            model.threshold = options.threshold.choose(scores: validRaw, labels: validLabels)
        }
        let calibrated = model.calibrator.probabilities(validLogits)
        var summary = ValidationSummary()
        summary.rows = validLabels.count; summary.positives = validPositives
        if !validRows.isEmpty {
            summary.rocAUC = Metrics.rocAUC(scores: validRaw, labels: validLabels)
            summary.rocAUCInterval = Metrics.bootstrapAUC(scores: validRaw, labels: validLabels,
                                                          resamples: options.bootstrapResamples, seed: options.seed)
            summary.averagePrecision = Metrics.averagePrecision(scores: validRaw, labels: validLabels)
            summary.logLossRaw = Metrics.logLoss(probabilities: validRaw, labels: validLabels)
            summary.brierRaw = Metrics.brierScore(probabilities: validRaw, labels: validLabels)
            summary.logLoss = Metrics.logLoss(probabilities: calibrated, labels: validLabels)
            summary.brier = Metrics.brierScore(probabilities: calibrated, labels: validLabels)
            let rel = Metrics.reliability(probabilities: calibrated, labels: validLabels)
            summary.reliability = rel.bins
            summary.expectedCalibrationError = rel.expectedCalibrationError
            summary.atThreshold = Metrics.atThreshold(scores: validRaw, labels: validLabels, threshold: model.threshold)
        }
        model.validation = summary

        func dayRange(_ rows: [Int]) -> JSON {
            guard let t = time, !rows.isEmpty else { return .null }
            let days = rows.map { t[$0] }.filter { $0.isFinite }
            guard let lo = days.min(), let hi = days.max() else { return .null }
            return .array([.number(lo), .number(hi)])
        }
        model.card = .object([
            ("training", .object([
                ("rows", .number(Double(trainRows.count))), ("positives", .number(Double(trainPositives))),
                ("time_column", time == nil ? .null : .string(options.timeColumn)),
                ("day_range", dayRange(trainRows)),
                ("excluded_columns", .array(table.columnNames.filter { excluded.contains($0) }.map { .string($0) })),
            ])),
            ("validation_split", .object([
                ("fraction", .number(options.validationFraction)), ("rows", .number(Double(validRows.count))),
                ("day_range", dayRange(validRows)),
                ("uses", .string("early stopping (stumps), calibration, threshold and the metrics below")),
            ])),
            ("feature_importance", .object(zip(model.featureNames, model.featureImportance).map { ($0, .number($1)) })),
        ])
        return model
    }

    /// The label as 0/1 bytes, or an error naming the first bad cell (by CSV line when `source` is given).
    static func labelColumn(_ table: Table, name: String, source: String?) throws -> [UInt8] {
        guard let column = table[name] else { throw ModelError.missingLabel(name, available: table.columnNames) }
        var labels = [UInt8](repeating: 0, count: table.rowCount)
        for r in 0..<table.rowCount {
            var text: String? = nil
            switch column {
            case .numeric(let v):
                if v[r] == 0 { continue }
                if v[r] == 1 { labels[r] = 1; continue }
                text = v[r].isNaN ? "" : JSON.format(v[r])
            case .categorical(let c):
                let value = c.value(at: r) ?? ""
                if let v = binaryFlag(value) { labels[r] = v; continue }  // 0/1, 0.0/1.0, false/true
                text = value
            }
            let line = source.flatMap { csvLine(ofRow: r, in: $0) } ?? (r + 2)
            throw ModelError.badLabel(file: source, column: name, line: line, value: text ?? "")
        }
        return labels
    }

    /// The file line on which data row `row` (0-based) starts, found by streaming the CSV again.
    static func csvLine(ofRow row: Int, in path: String) -> Int? {
        guard let reader = try? CSVReader(path: path) else { return nil }
        var r = 0
        while (try? reader.next()) == true {
            if r == row { return reader.line }
            r += 1
        }
        return nil
    }
}

/// A count read from a model file: 0 unless a whole number in a sane range (never traps).
func wholeNumber(_ value: JSON?) -> Int {
    guard let d = value?.doubleValue, d.isFinite, d >= 0, d < 1e15 else { return 0 }
    return Int(d)
}
