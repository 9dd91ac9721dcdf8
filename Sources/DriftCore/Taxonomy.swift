/// The seven failure kinds of the taxonomy (../shared/TAXONOMY.md, restated in scenarios/README.md).
/// The simulator writes them as ground truth; the detectors and the diagnosis answer with them.
public enum FailureKind: String, CaseIterable, Sendable, Codable, Comparable {
    case none
    case covariateShift = "covariate_shift"
    case priorShift = "prior_shift"
    case conceptDrift = "concept_drift"
    case schemaChange = "schema_change"
    case dataQuality = "data_quality"
    case labelDelay = "label_delay"

    public static func < (a: FailureKind, b: FailureKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
