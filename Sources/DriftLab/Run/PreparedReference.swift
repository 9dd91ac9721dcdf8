import DriftCore
import DriftDetectors
import DriftModels
import DriftSim
import Foundation

/// A trained model and everything the monitors fitted on its reference scores.
public struct LabModel: Sendable {
    public let name: String
    public let model: TrainedModel
    /// Score bins, alert rate and class-conditional shares of the validation split (out of sample).
    public let scores: ScoreReference
    public let shiftEstimator: BlackBoxShiftEstimator
    public let expected: ConfidenceBasedPerformance.Estimate
    /// Arrival curve and report ratio of the whole (matured) reference: they do not depend on the
    /// model's fit, so every reference row counts (label arrival, matured fraud rate).
    public let labels: LabelReference
    /// The same bookkeeping on out-of-sample rows, for the monitors that read the model's recall or
    /// calibration (recall gap, calibration): the cross-fitted out-of-fold rows of the whole reference
    /// (`OutOfFold`, each row scored and thresholded by a fold model that did not see it), or the
    /// validation split alone without cross-fitting. On the rows the model was fitted on its recall is
    /// in-sample, too good, so a target taken there shows a gap on any production data.
    public let heldOutLabels: LabelReference
    /// Realised recall of the validation split (out of sample, matured labels), its fraud count and
    /// its ratio to the label-free (CBPE) expected recall there.
    public let validationRecall: Double
    public let validationFrauds: Int
    public let recallRatio: Double
    /// The concept check's benign recall target and the frauds it rests on (its sampling error): the
    /// pooled out-of-fold recall and frauds when cross-fitted, else the validation split's.
    public let recallTarget: Double
    public let recallTargetFrauds: Int
    /// Folds of the out-of-fold target (0: the validation split) and each fold's recall (the spread).
    public let crossFitFolds: Int
    public let foldRecalls: [Double]
    /// Calibrated threshold (CBPE and the label monitors read calibrated scores).
    public var calibratedThreshold: Double { model.calibratedThreshold }

    /// Fits the output and label references of `model` from its calibrated scores on the reference
    /// rows (time order; `labels` 0/1, `reports` the chargeback day or `LabelledLog.never`): the
    /// output references and BBSE on the validation split (rows from `validationStart`, out of
    /// sample), the arrival curve on every row, the recall target and `heldOutLabels` on the
    /// out-of-fold rows when `outOfFold` is given, else on the validation split. `slices`: the reference
    /// rows' feature slices (`FeatureSlices`), which `heldOutLabels` counts for the slice calibration check.
    init(name: String, model: TrainedModel, calibrated: [Double], labels: [UInt8], days: [Int32], reports: [Int32],
         validationStart from: Int, chargebackWindow: Int, outOfFold: OutOfFold? = nil,
         slices: (features: [String], bits: [UInt32]) = ([], [])) {
        let sliced: (features: [String], bits: [UInt32]) = slices.bits.count == calibrated.count ? slices : ([], [])
        let vScores = Array(calibrated[from...]), vLabels = labels[from...].map { $0 == 1 }
        let cut = model.calibratedThreshold
        self.name = name
        self.model = model
        scores = ScoreReference(scores: vScores, labels: vLabels, threshold: cut)
        // BBSE on the validation split's own confusion matrix, with its true counts: the threshold
        // was chosen there, so q = p exactly on it and production's q - p is the alert-rate change
        // over TPR - FPR; scaling the counts up to the whole reference would hide the split's noise.
        shiftEstimator = BlackBoxShiftEstimator(predicted: vScores.map { $0 >= cut }, labels: vLabels)
        expected = ConfidenceBasedPerformance.estimate(scores: vScores, threshold: cut)
        self.labels = LabelReference(log: LabelledLog(days: days, scores: calibrated, reportDays: reports, threshold: cut),
                                     asOf: Int32.max - 1, chargebackWindow: chargebackWindow)
        var vFrauds = 0, vHits = 0
        for (s, y) in zip(vScores, vLabels) where y { vFrauds += 1; if s >= cut { vHits += 1 } }
        validationFrauds = vFrauds
        validationRecall = vFrauds > 0 ? Double(vHits) / Double(vFrauds) : 0
        recallRatio = expected.expectedRecall > 0 ? validationRecall / expected.expectedRecall : 1
        if let oof = outOfFold, oof.calibrated.count == calibrated.count {
            // Each row's alert is its fold model's (own threshold), so the hits are passed explicitly.
            heldOutLabels = LabelReference(log: LabelledLog(days: days, scores: oof.calibrated, reportDays: reports, threshold: cut,
                                                            sliceFeatures: sliced.features, slices: sliced.bits),
                                           asOf: Int32.max - 1, chargebackWindow: chargebackWindow, hits: oof.hits)
            recallTarget = oof.recall
            recallTargetFrauds = oof.frauds
            crossFitFolds = oof.folds
            foldRecalls = zip(oof.foldHits, oof.foldFrauds).map { $1 > 0 ? Double($0) / Double($1) : 0 }
        } else {
            heldOutLabels = LabelReference(log: LabelledLog(days: Array(days[from...]), scores: vScores, reportDays: Array(reports[from...]),
                                                            threshold: cut, sliceFeatures: sliced.features,
                                                            slices: sliced.bits.isEmpty ? [] : Array(sliced.bits[from...])),
                                           asOf: Int32.max - 1, chargebackWindow: chargebackWindow)
            recallTarget = validationRecall
            recallTargetFrauds = vFrauds
            crossFitFolds = 0
            foldRecalls = []
        }
    }
}

extension FeatureSlices {
    /// The slices of a reference's feature table, fitted on the frauds a monitor knows (those with a
    /// report day), and each reference row's slice bits: what the slice calibration check reads.
    static func reference(_ features: Table, reports: [Int32]) -> (slices: FeatureSlices, bits: [UInt32]) {
        let slices = FeatureSlices(table: features, frauds: reports.map { $0 != LabelledLog.never })
        return (slices, slices.membership(features))
    }
}

/// The reference period of a (base scenario, seed) and what the runner fits on it once: the two
/// models, the drift baseline, the quality monitor, the output and label references, and the
/// reference's label bookkeeping. Failures only touch production, so every cell of a sweep that
/// shares the base scenario and seed reuses one `PreparedReference`.
public struct PreparedReference: Sendable {
    /// Content hash of the base scenario (failures and name removed); `run` checks it.
    public let baseHash: String
    public let models: [LabModel]
    public let drift: DriftBaseline
    public let quality: QualityMonitor
    /// Feature importance (stumps' gain), by feature name, normalised to sum 1.
    public let importance: [String: Double]
    /// Stale-counter reference per velocity feature (`VelocityStaleness.Consistency`) and the
    /// served-minus-derived modal offset of each counter.
    let staleness: [Int: VelocityStaleness.Consistency]
    let counterOffset: [Int: Double]
    /// Reference label log of the primary model (matured labels; masked to arrival <= t when read).
    let labelDays: [Int32]
    let labelScores: [Double]
    let labelReports: [Int32]
    /// The feature slices fitted on the reference's reported frauds and each reference row's slice bits
    /// (the slice calibration check; none for a reference without features).
    var slices = FeatureSlices(splits: [])
    var labelSlices: [UInt32] = []
    /// First row of the time-ordered validation split (`validationStart(rows:)`): the output
    /// references, BBSE and the stream detectors' warm-up are fitted from there on, out of sample.
    let validationStart: Int
    /// Share of the reference, its most recent rows, held out as the validation split.
    static let validationShare = 0.25
    /// First row of the validation split of a reference of `n` rows (at least one row held out).
    static func validationStart(rows n: Int) -> Int { n - max(1, Int(Double(n) * validationShare)) }
    /// Rows in the reference table.
    public let rows: Int
    public let frauds: Int
    /// The world at the start of production (customer state, pilot results): cells resume from it.
    /// Nil for a reference built from logs (the postmortem), which has no simulator to resume.
    let world: WorldSnapshot?

    /// The world to resume production from, or a typed error for a reference built from logs.
    func resumableWorld() throws -> WorldSnapshot {
        guard let w = world else { throw LabError.invalidScenario("this reference was built from logs and has no simulated world to resume") }
        return w
    }
    /// Replays of the failure-free world up to an onset day, shared by the cells (`LabRunner.traced`).
    var prefixes = PrefixCache()

    /// The same reference with an empty prefix cache of its own.
    var detached: PreparedReference {
        var r = self
        r.prefixes = PrefixCache()
        return r
    }
    /// Design effects on the reference (`CountDispersion`): of the primary model's alert counts and
    /// fraud counts (the larger of the two; output monitors), and of fraud counts alone (label monitors).
    public internal(set) var dispersion: Double = 1
    public internal(set) var fraudDispersion: Double = 1
    /// Design effect of the primary model's recall over the reference frauds
    /// (`CountDispersion.recallDesignEffect`); nil (a reference from logs) falls back to `fraudDispersion`.
    public internal(set) var recallDispersion: Double? = nil
    /// The variance inflation of tests on a recall (hits among frauds).
    var recallVarianceInflation: Double { max(1, recallDispersion ?? fraudDispersion) }

    /// The base scenario key: the scenario without failures, name and description.
    static func baseKey(_ s: Scenario) -> String {
        var b = s
        b.failures = []; b.name = "base"; b.description = ""
        return ScenarioFile.contentHash(b)
    }

    public var primary: LabModel { models.last! }

    /// The manifest's `models` object: kind, hyperparameters, threshold and calibration of each model.
    func manifestJSON(options: LabOptions) -> JSON {
        .array(models.map { m in
            let v = m.model.validation
            return .object([
                ("name", .string(m.name)), ("kind", .string(m.model.kind.rawValue)),
                ("features", .number(Double(m.model.featureNames.count))),
                ("threshold_policy", m.model.thresholdPolicy.json()),
                ("threshold", .number(m.model.threshold)), ("calibrated_threshold", .number(m.calibratedThreshold)),
                ("calibration", m.model.calibrator.json()),
                ("validation_rows", .number(Double(v.rows))), ("validation_positives", .number(Double(v.positives))),
                ("validation_auc", v.rocAUC.isFinite ? .number(v.rocAUC) : .null),
                ("validation_recall", .number(m.validationRecall)), ("validation_frauds", .number(Double(m.validationFrauds))),
                ("recall_target", .object([("source", .string(m.crossFitFolds > 0 ? "out_of_fold" : "validation")),
                                           ("folds", .number(Double(m.crossFitFolds))), ("recall", .number(m.recallTarget)),
                                           ("frauds", .number(Double(m.recallTargetFrauds))),
                                           ("fold_recalls", .array(m.foldRecalls.map { .number($0) }))])),
                ("count_dispersion", .number(dispersion)), ("fraud_count_dispersion", .number(fraudDispersion)),
                ("recall_dispersion", .number(recallVarianceInflation)),
                ("hyperparameters", LabRunner.trainingOptions(m.model.kind, options: options).manifestJSON()),
            ])
        })
    }
}

extension TrainingOptions {
    /// The hyperparameters the lab sets, for the manifest.
    func manifestJSON() -> JSON {
        .object([
            ("validation_fraction", .number(validationFraction)), ("calibration", .string(calibration.rawValue)),
            ("early_stopping", .bool(earlyStopping)), ("seed", .number(Double(seed))),
            ("logistic", .object([("c", .number(logistic.c)), ("tolerance", .number(logistic.tolerance)),
                                  ("max_iterations", .number(Double(logistic.maxIterations)))])),
            ("stumps", .object([("rounds", .number(Double(stumps.rounds))), ("learning_rate", .number(stumps.learningRate)),
                                ("min_samples_leaf", .number(Double(stumps.minSamplesLeaf))), ("l2", .number(stumps.l2)),
                                ("max_bins", .number(Double(stumps.maxBins))),
                                ("early_stopping_rounds", .number(Double(stumps.earlyStoppingRounds)))])),
        ])
    }
}
