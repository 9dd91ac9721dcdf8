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
    public var quality = QualityMonitor.Configuration()
    public var outputs = OutputConfiguration()
    public var labels = LabelConfiguration()
    public var alarms = AlarmPolicy()
    /// Model whose outputs feed the output, label and stream detectors (the other is reported in impact).
    public var primaryModel: ModelKind = .stumps
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
            ("outputs_alpha", .number(outputs.alpha)),
            ("labels", .object([("alpha", .number(labels.alpha)), ("latency_minimum_effect", .number(labels.latencyMinimumEffect)),
                                ("coverage_minimum_drop", .number(labels.coverageMinimumDrop)),
                                ("recall_minimum_gap", .number(labels.recallMinimumGap))])),
            ("primary_model", .string(primaryModel.rawValue)),
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
            return "scenario '\(s)': the reference period has no fraud to train on; raise reference_days, transactions_per_day or base_fraud_rate"
        }
    }
}
