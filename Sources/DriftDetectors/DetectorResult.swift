import DriftCore

/// What every detector reports for one window: the statistic, its p-value (nil for effect-size
/// rules), the threshold it was compared with, whether it alarms, the features involved and the
/// failure kind its alarm points to. The lab's diagnosis combines these.
public struct DetectorResult: Sendable, Equatable {
    /// Stable detector id, e.g. "ks", "psi", "missing_rate", "ddm".
    public var detector: String
    public var features: [String]
    public var statistic: Double
    public var pValue: Double?
    public var threshold: Double
    public var alarm: Bool
    /// The failure kind an alarm of this detector indicates (`.none` when it does not alarm).
    public var indicates: FailureKind
    /// A finer reading where the detector can tell (e.g. "unit_scale x100", "column_swap").
    public var subkind: String?
    /// Free-form measured details for reports (e.g. "scale_ratio": 100.2).
    public var details: [String: Double]

    public init(detector: String, features: [String] = [], statistic: Double, pValue: Double? = nil,
                threshold: Double, alarm: Bool, indicates: FailureKind, subkind: String? = nil,
                details: [String: Double] = [:]) {
        self.detector = detector; self.features = features; self.statistic = statistic; self.pValue = pValue
        self.threshold = threshold; self.alarm = alarm; self.indicates = alarm ? indicates : .none
        self.subkind = alarm ? subkind : nil; self.details = details
    }
}

/// A batch two-sample test between a reference sample and a current window.
public protocol TwoSampleTest: Sendable {
    associatedtype Sample
    /// Compares `current` with `reference`.
    func compare(reference: Sample, current: Sample) -> TwoSampleOutcome
}

/// The outcome of a two-sample comparison: statistic, p-value where the test has one.
public struct TwoSampleOutcome: Sendable, Equatable {
    public var statistic: Double
    public var pValue: Double?
    public init(statistic: Double, pValue: Double? = nil) { self.statistic = statistic; self.pValue = pValue }
}

/// A detector over a stream of values (river's shape): call `update(_:)` per value, then read
/// `driftDetected` / `warningDetected`. State resets itself after a detection.
public protocol StreamDetector: Sendable {
    mutating func update(_ x: Double)
    var driftDetected: Bool { get }
    var warningDetected: Bool { get }
}
