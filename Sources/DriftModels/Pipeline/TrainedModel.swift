import DriftCore
import Foundation

/// A model ready for production: the fitted encoding and estimator, the calibration, the alert
/// threshold and the model card. Saved as one JSON file (`save`, `load`).
public struct TrainedModel: Sendable {
    public enum Estimator: Sendable, Equatable {
        case logistic(FeatureEncoding, LogisticRegressionModel)
        case stumps(HistogramBinning, GradientBoostedStumpsModel)
    }

    public static let format = "driftlab-model"
    public static let formatVersion = 1

    public let estimator: Estimator
    public let label: String
    public internal(set) var calibrator: Calibrator
    /// Rows whose model probability (before calibration) is at or above this are flagged.
    public internal(set) var threshold: Double
    public let thresholdPolicy: ThresholdPolicy
    public internal(set) var validation: ValidationSummary
    /// Training period, split, importance: the free-form part of the card.
    public internal(set) var card: JSON

    public var kind: ModelKind {
        switch estimator { case .logistic: return .logistic; case .stumps: return .stumps }
    }

    /// The original feature columns the model reads, in order.
    public var featureNames: [String] {
        switch estimator {
        case .logistic(let e, _): return e.featureNames
        case .stumps(let b, _): return b.featureNames
        }
    }

    /// Importance per original feature, normalised to sum to 1: split gain for stumps, |beta| of the
    /// standardised columns for logistic regression.
    public var featureImportance: [Double] {
        switch estimator {
        case let .logistic(e, m):
            let raw = m.importance(sourceFeature: e.sourceFeature, featureCount: e.features.count)
            let total = raw.reduce(0, +)
            return total > 0 ? raw.map { $0 / total } : raw
        case .stumps(_, let m): return m.featureImportance
        }
    }

    /// The threshold on the calibrated scale (exact for Platt; the calibrated value at the threshold otherwise).
    public var calibratedThreshold: Double {
        threshold.isFinite ? calibrator.probability(log(threshold / (1 - threshold))) : threshold
    }

    /// Log-odds per row of `table`, encoded as fitted; the report counts what the encoding served.
    public func logits(_ table: Table) -> ([Double], EncodingReport) {
        switch estimator {
        case let .logistic(e, m):
            return e.linearLogits(table, coefficients: m.coefficients, intercept: m.intercept)
        case let .stumps(b, m):
            return StumpScorer(model: m, binning: b).logits(table, binning: b)
        }
    }

    /// Scores of a table: calibrated probability and the alert decision per row.
    public struct Scores: Sendable {
        public let logits: [Double]
        /// The model's own probability (the thresholded value).
        public let raw: [Double]
        /// The calibrated probability (the `score` column).
        public let calibrated: [Double]
        public let decisions: [UInt8]
        public let report: EncodingReport
    }

    public func score(_ table: Table) -> Scores {
        let (z, report) = logits(table)
        let raw = z.map(sigmoid)
        return Scores(logits: z, raw: raw, calibrated: calibrator.probabilities(z),
                      decisions: raw.map { $0 >= threshold ? 1 : 0 }, report: report)
    }

    // MARK: file

    public func json() -> JSON {
        var members: [(String, JSON)] = [
            ("format", .string(Self.format)), ("format_version", .number(Double(Self.formatVersion))),
            ("tool_version", .string(DriftLabVersion.current)), ("kind", .string(kind.rawValue)),
            ("label", .string(label)), ("features", .array(featureNames.map { .string($0) })),
        ]
        switch estimator {
        case let .logistic(e, m):
            members.append(("encoding", e.json()))
            members.append(("hyperparameters", .object([
                ("c", .number(m.configuration.c)), ("negative_weight", .number(m.configuration.negativeWeight)),
                ("positive_weight", .number(m.configuration.positiveWeight)), ("tolerance", .number(m.configuration.tolerance)),
                ("max_iterations", .number(Double(m.configuration.maxIterations))), ("memory", .number(Double(m.configuration.memory))),
                ("solver", .string("lbfgs")),
            ])))
            members.append(("model", .object([
                ("intercept", .number(m.intercept)),
                ("columns", .array(m.columnNames.map { .string($0) })),
                ("coefficients", .array(m.coefficients.map { .number($0) })),
                ("iterations", .number(Double(m.iterations))), ("converged", .bool(m.converged)),
                ("final_gradient", .number(m.finalGradient)),
            ])))
        case let .stumps(b, m):
            members.append(("binning", b.json()))
            let c = m.configuration
            members.append(("hyperparameters", .object([
                ("rounds", .number(Double(c.rounds))), ("learning_rate", .number(c.learningRate)),
                ("min_samples_leaf", .number(Double(c.minSamplesLeaf))), ("l2", .number(c.l2)),
                ("min_hessian", .number(c.minHessian)), ("max_bins", .number(Double(c.maxBins))),
                ("early_stopping_rounds", .number(Double(c.earlyStoppingRounds))),
                ("early_stopping_tolerance", .number(c.earlyStoppingTolerance)),
            ])))
            members.append(("model", .object([
                ("base_score", .number(m.baseScore)),
                ("rounds_used", .number(Double(m.stumps.count))),
                ("stumps", .array(m.stumps.map { s in
                    .object([("feature", .string(m.featureNames[s.feature])),
                             ("left_bins", .array((0..<256).filter { s.leftBins[$0] }.map { .number(Double($0)) })),
                             ("missing_left", .bool(s.missingGoesLeft)),
                             ("left_value", .number(s.leftValue)), ("right_value", .number(s.rightValue)),
                             ("gain", .number(s.gain))])
                })),
            ])))
        }
        members.append(("calibration", calibrator.json()))
        members.append(("threshold", .object([
            ("policy", .string(thresholdPolicy.name)), ("parameter", .number(thresholdPolicy.parameter)),
            ("value", .number(threshold)), ("calibrated_value", .number(calibratedThreshold)),
            ("applies_to", .string("the model probability before calibration, not the score column: a probability >= value is flagged; on the score column it is calibrated_value, and a score equal to that may go either way")),
        ])))
        members.append(("validation", validation.json()))
        members.append(("card", card))
        return .object(members)
    }

    /// Writes the model file atomically (deterministic bytes for the same model), after checking that
    /// `load` reads it back: a diverged fit or a column beyond what a file holds (non-finite or huge
    /// values, written as null) is an error here, not a file that `score` refuses later.
    public func save(to path: String) throws {
        if case .logistic(let e, _) = estimator, let reason = e.unstorableReason {
            throw ModelError.invalidConfiguration("not saved to \(path): \(reason)")
        }
        let document = json()
        do { _ = try TrainedModel(json: document, file: path) } catch let e as ModelError {
            guard case .corruptModel(_, let field, let reason) = e else { throw e }
            throw ModelError.invalidConfiguration("not saved to \(path): the fit diverged (\(field): \(reason)); "
                                                  + "lower --learning-rate (stumps) or --c (logistic)")
        }
        try AtomicFile.write(document.serialized(), to: path)
    }

    /// The largest coefficient, intercept or leaf value a model file may hold: fitted on standardized
    /// features (logistic) or as shrunk Newton steps (stumps) they are a few units; beyond this bound
    /// scores overflow to NaN, so the file was edited or the training diverged.
    public static let parameterLimit = 1e6

    /// Reads a model file; a corrupt, foreign or inconsistent file gives an error naming the field.
    public static func load(from path: String) throws -> TrainedModel {
        let text = try AtomicFile.readText(path)
        let root: JSON
        do { root = try JSON.parse(text) } catch let e as JSONSyntaxError {
            throw ModelError.corruptModel(path: path, field: "", reason: "invalid JSON at \(e)")
        }
        return try TrainedModel(json: root, file: path)
    }

    public init(json root: JSON, file path: String) throws {
        func corrupt(_ field: String, _ reason: String) -> ModelError { .corruptModel(path: path, field: field, reason: reason) }
        guard root.objectValue != nil else { throw corrupt("", "expected a JSON object") }
        guard root["format"]?.stringValue == Self.format else {
            throw corrupt("format", "expected \"\(Self.format)\"; this is not a model written by 'driftlab train'")
        }
        guard let version = root["format_version"]?.doubleValue, version == Double(Self.formatVersion) else {
            throw corrupt("format_version", "this build reads version \(Self.formatVersion); retrain the model with this driftlab")
        }
        guard let kindText = root["kind"]?.stringValue, let kind = ModelKind(rawValue: kindText) else {
            throw corrupt("kind", "expected one of: " + ModelKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let label = root["label"]?.stringValue else { throw corrupt("label", "missing") }
        guard let features = root["features"]?.arrayValue?.compactMap(\.stringValue) else { throw corrupt("features", "missing") }
        guard let modelJSON = root["model"] else { throw corrupt("model", "missing") }
        do {
            switch kind {
            case .logistic:
                let encoding = try FeatureEncoding(json: root["encoding"] ?? .null, file: path, path: "encoding")
                var h = try ConfigReader(root["hyperparameters"] ?? .object([]), file: path, path: "hyperparameters")
                var config = LogisticRegression.Configuration()
                config.c = try h.double("c", default: 1); config.negativeWeight = try h.double("negative_weight", default: 1)
                config.positiveWeight = try h.double("positive_weight", default: 1); config.tolerance = try h.double("tolerance", default: 1e-6)
                config.maxIterations = try h.int("max_iterations", default: 500); config.memory = try h.int("memory", default: 10)
                _ = try h.optionalString("solver")
                try h.finish()
                var m = try ConfigReader(modelJSON, file: path, path: "model")
                let columns = try m.strings("columns") ?? []
                let coefficients = try m.doubles("coefficients", in: -Self.parameterLimit...Self.parameterLimit) ?? []
                if columns != encoding.columnNames {
                    let expected = encoding.columnNames
                    let k = (0..<Swift.min(columns.count, expected.count)).first { columns[$0] != expected[$0] } ?? Swift.min(columns.count, expected.count)
                    let detail = k < Swift.min(columns.count, expected.count) ? "model.columns[\(k)] is '\(columns[k])', the encoding's column \(k) is '\(expected[k])'"
                        : "\(columns.count) columns listed, the encoding makes \(expected.count)"
                    throw corrupt("model.columns", "do not match the encoding: \(detail); the file is inconsistent")
                }
                guard coefficients.count == columns.count else {
                    throw corrupt("model.coefficients", "\(coefficients.count) coefficients for \(columns.count) encoded columns; the file is inconsistent")
                }
                let fitted = LogisticRegressionModel(columnNames: columns, coefficients: coefficients, intercept: try m.double("intercept", in: -Self.parameterLimit...Self.parameterLimit),
                                                     iterations: try m.int("iterations", default: 0), converged: try m.bool("converged", default: true),
                                                     finalGradient: try m.double("final_gradient", default: .nan), configuration: config)
                try m.finish()
                estimator = .logistic(encoding, fitted)
            case .stumps:
                let binning = try HistogramBinning(json: root["binning"] ?? .null, file: path, path: "binning")
                var h = try ConfigReader(root["hyperparameters"] ?? .object([]), file: path, path: "hyperparameters")
                var config = GradientBoostedStumps.Configuration()
                config.rounds = try h.int("rounds", default: 200); config.learningRate = try h.double("learning_rate", default: 0.1)
                config.minSamplesLeaf = try h.int("min_samples_leaf", default: 20); config.l2 = try h.double("l2", default: 0)
                config.minHessian = try h.double("min_hessian", default: 1e-3); config.maxBins = try h.int("max_bins", default: 255)
                config.earlyStoppingRounds = try h.int("early_stopping_rounds", default: 10)
                config.earlyStoppingTolerance = try h.double("early_stopping_tolerance", default: 1e-7)
                try h.finish()
                var m = try ConfigReader(modelJSON, file: path, path: "model")
                let names = binning.featureNames
                var stumps: [Stump] = []
                for (k, item) in (try m.array("stumps") ?? []).enumerated() {
                    var s = try ConfigReader(item, file: path, path: "model.stumps[\(k)]")
                    let name = try s.string("feature")
                    guard let f = names.firstIndex(of: name) else { throw s.error("feature", "'\(name)' is not a binned feature") }
                    var left = [Bool](repeating: false, count: 256)
                    for b in try s.doubles("left_bins", in: 0...255) ?? [] { left[Int(b)] = true }
                    let missingLeft = try s.bool("missing_left", default: false)
                    guard missingLeft == left[255] else { throw s.error("missing_left", "disagrees with left_bins") }
                    stumps.append(Stump(feature: f, leftBins: left, leftValue: try s.double("left_value", in: -Self.parameterLimit...Self.parameterLimit),
                                        rightValue: try s.double("right_value", in: -Self.parameterLimit...Self.parameterLimit),
                                        gain: try s.double("gain", default: 0)))
                    try s.finish()
                }
                let fitted = GradientBoostedStumpsModel(featureNames: names, categorical: binning.features.map(\.isCategorical),
                                                        baseScore: try m.double("base_score", in: -Self.parameterLimit...Self.parameterLimit), stumps: stumps, configuration: config)
                _ = try m.optionalInt("rounds_used")
                try m.finish()
                estimator = .stumps(binning, fitted)
            }
            calibrator = try Calibrator(json: root["calibration"] ?? .object([("method", .string("none"))]), file: path, path: "calibration")
            var t = try ConfigReader(root["threshold"] ?? .null, file: path, path: "threshold")
            let policy = try t.string("policy", oneOf: ["fixed", "alert_budget", "precision_target"])
            let parameter = try t.double("parameter")
            thresholdPolicy = policy == "fixed" ? .fixed(parameter) : policy == "alert_budget" ? .alertBudget(parameter) : .precisionTarget(parameter)
            threshold = try t.double("value")
            _ = try t.optionalDouble("calibrated_value"); _ = try t.optionalString("applies_to")
            try t.finish()
        } catch let e as ConfigError {
            throw corrupt(e.path, e.message)
        }
        self.label = label
        validation = ValidationSummary(json: root["validation"] ?? .object([]))
        card = root["card"] ?? .object([])
        guard features == featureNames else { throw corrupt("features", "do not match the encoding's features") }
    }

    init(estimator: Estimator, label: String, calibrator: Calibrator, threshold: Double, thresholdPolicy: ThresholdPolicy,
         validation: ValidationSummary, card: JSON) {
        self.estimator = estimator; self.label = label; self.calibrator = calibrator; self.threshold = threshold
        self.thresholdPolicy = thresholdPolicy; self.validation = validation; self.card = card
    }
}
