import DriftCore
import DriftDetectors
import DriftModels

/// Settings of one lab run that are not in the scenario: simulator threads, detector thresholds and
/// the alarm policy. Everything here is written to the run's manifest.
public struct LabOptions: Sendable {
    /// Threads the simulator may use (results are identical for any value).
    public var simulatorJobs = 1
    /// Per-feature drift tests (DriftDetectors' documented default rule: BH + effect floor).
    public var drift = DriftConfiguration.labDefault
    /// Quality and schema checks: DriftDetectors' defaults except the stale-counter minimum rise,
    /// raised from 2 to 6 points (a fraud wave's extra transactions make 2-3 % of counters lag).
    public var quality: QualityMonitor.Configuration = {
        var c = QualityMonitor.Configuration()
        c.quality.staleMinimumEffect = 0.06
        return c
    }()
    public var outputs = OutputConfiguration()
    public var labels = LabelConfiguration()
    public var alarms = AlarmPolicy()
    /// Model whose outputs feed the output, label and stream detectors (the other is reported in impact).
    public var primaryModel: ModelKind = .stumps
    /// Folds of the cross-fitted recall target of the primary model (`OutOfFold`, docs/lab.md "The
    /// benign recall target"): the label monitors' recall and calibration reference is every
    /// reference row scored out of fold. Below 2: the validation split alone (4x fewer frauds, no
    /// extra fits).
    public var crossFitFolds = 4
    /// Bootstrap resamples for the validation AUC interval (kept small: the lab does not report it).
    public var bootstrapResamples = 20

    public init() {}

    /// The manifest's `detectors` object.
    public func json() -> JSON {
        .object([
            ("drift", .object([("rule", .string(drift.rule.rawValue)), ("alpha", .number(drift.alpha)),
                               ("correction", .string(drift.correction.rawValue)), ("psi_floor", .number(drift.psiFloor)),
                               ("wasserstein_floor", .number(drift.wassersteinFloor)),
                               ("jensen_shannon_floor", .number(drift.jensenShannonFloor))])),
            ("quality_alpha", .number(quality.quality.alpha)),
            ("stale_minimum_effect", .number(quality.quality.staleMinimumEffect)),
            ("outputs_alpha", .number(outputs.alpha)),
            ("labels", .object([("alpha", .number(labels.alpha)), ("latency_minimum_effect", .number(labels.latencyMinimumEffect)),
                                ("coverage_minimum_drop", .number(labels.coverageMinimumDrop)),
                                ("recall_minimum_gap", .number(labels.recallMinimumGap))])),
            ("primary_model", .string(primaryModel.rawValue)), ("cross_fit_folds", .number(Double(crossFitFolds))),
            ("alarm_policy", alarms.json()),
        ])
    }
}

extension DriftConfiguration {
    /// The lab's drift-test configuration: DriftDetectors' documented default (`combined`).
    public static var labDefault: DriftConfiguration { DriftConfiguration() }
}

/// Errors of a lab run, each saying what to fix.
public enum LabError: Error, CustomStringConvertible, Equatable {
    case referenceMismatch(expected: String, got: String)
    case invalidScenario(String)
    case noReferenceFrauds(scenario: String)

    public var description: String {
        switch self {
        case let .referenceMismatch(expected, got):
            return "the prepared reference was built for base scenario \(expected), not \(got): prepare it from a scenario with the same population, seed and periods"
        case .invalidScenario(let m): return m
        case .noReferenceFrauds(let s):
            return "scenario '\(s)': the reference period has no charged-back fraud to train on (or only frauds); raise reference_days, "
                + "transactions_per_day or base_fraud_rate, or lower label_delay.never_reported_share"
        }
    }
}
