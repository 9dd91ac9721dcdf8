import DriftCore

// What one lab run records. `run.json` serialises a RunResult with the manifest first, so any
// figure can be traced to the tool version, the scenario's content hash and every setting.
// Sweeps read these files back (resume, merge, summaries), so encoding and decoding live here.

/// Everything one run of one scenario records.
public struct RunResult: Sendable, Equatable {
    public var manifest: RunManifest
    /// The failures injected (empty for a control run).
    public var injected: [InjectedFailureRecord]
    /// One record per monitoring step, in day order.
    public var steps: [StepRecord]
    /// Scenario-level verdicts: one per detector id, and one with id `diagnosis`.
    public var verdicts: [RunVerdict]

    public init(manifest: RunManifest, injected: [InjectedFailureRecord], steps: [StepRecord], verdicts: [RunVerdict]) {
        self.manifest = manifest; self.injected = injected; self.steps = steps; self.verdicts = verdicts
    }

    /// The run's injected kind: the first failure's kind, `none` for a control.
    public var primaryKind: FailureKind { injected.first?.kind ?? .none }
}

/// Reproducibility header: enough to re-run and trace any figure. Nothing depends on the clock.
public struct RunManifest: Sendable, Equatable {
    public var toolVersion: String
    public var scenarioName: String
    public var scenarioHash: String
    public var seed: UInt64
    public var referenceDays: Int
    public var productionDays: Int
    public var windowDays: Int
    public var stepDays: Int
    /// Model hyperparameters, thresholds and calibration, as written by DriftModels.
    public var models: JSON
    /// Detector settings (thresholds, alpha, alarm policy).
    public var detectors: JSON

    public init(toolVersion: String = DriftLabVersion.current, scenarioName: String, scenarioHash: String, seed: UInt64,
                referenceDays: Int, productionDays: Int, windowDays: Int, stepDays: Int, models: JSON, detectors: JSON) {
        self.toolVersion = toolVersion; self.scenarioName = scenarioName; self.scenarioHash = scenarioHash; self.seed = seed
        self.referenceDays = referenceDays; self.productionDays = productionDays; self.windowDays = windowDays
        self.stepDays = stepDays; self.models = models; self.detectors = detectors
    }
}

/// One injected failure as the run's ground truth.
public struct InjectedFailureRecord: Sendable, Equatable {
    public var kind: FailureKind
    public var subkind: String
    public var features: [String]
    public var startDay: Int
    public var rampDays: Int
    public var endDay: Int?
    public var severity: Double

    public init(kind: FailureKind, subkind: String, features: [String], startDay: Int, rampDays: Int, endDay: Int?, severity: Double) {
        self.kind = kind; self.subkind = subkind; self.features = features; self.startDay = startDay
        self.rampDays = rampDays; self.endDay = endDay; self.severity = severity
    }
}

/// One detector's reading at one monitoring step.
public struct StepDetector: Sendable, Equatable {
    public var detector: String
    /// The raw rule fired on this window.
    public var rawAlarm: Bool
    /// The alarm after the alarm policy (e.g. persistence over consecutive steps).
    public var alarm: Bool
    /// The kind this detector's alarm indicates (`none` when it does not alarm).
    public var indicates: FailureKind
    public var subkind: String?
    public var features: [String]
    public var statistic: Double
    public var pValue: Double?
    public var threshold: Double

    public init(detector: String, rawAlarm: Bool, alarm: Bool, indicates: FailureKind, subkind: String?, features: [String],
                statistic: Double, pValue: Double?, threshold: Double) {
        self.detector = detector; self.rawAlarm = rawAlarm; self.alarm = alarm; self.indicates = indicates
        self.subkind = subkind; self.features = features; self.statistic = statistic; self.pValue = pValue; self.threshold = threshold
    }
}

/// The combined diagnosis at one step: one of the seven kinds, with evidence.
public struct DiagnosisRecord: Sendable, Equatable {
    public var kind: FailureKind
    public var subkind: String?
    /// Implicated features, most implicated first.
    public var features: [String]
    /// In [0, 1].
    public var confidence: Double
    /// Short human-readable reasons, e.g. "amount: scale ratio 100.1 (round factor)".
    public var evidence: [String]

    public init(kind: FailureKind, subkind: String?, features: [String], confidence: Double, evidence: [String]) {
        self.kind = kind; self.subkind = subkind; self.features = features; self.confidence = confidence; self.evidence = evidence
    }
}

/// A model's performance over one window, three ways: realised on the true labels (what the lab
/// knows), measured on the labels that had arrived (what a monitor knows), estimated without labels.
public struct ModelImpact: Sendable, Equatable {
    public var model: String
    public var alertRate: Double
    public var realisedRecall: Double
    public var realisedPrecision: Double
    public var measuredRecall: Double
    public var measuredPrecision: Double
    public var estimatedRecall: Double
    public var estimatedPrecision: Double

    public init(model: String, alertRate: Double, realisedRecall: Double, realisedPrecision: Double, measuredRecall: Double,
                measuredPrecision: Double, estimatedRecall: Double, estimatedPrecision: Double) {
        self.model = model; self.alertRate = alertRate; self.realisedRecall = realisedRecall; self.realisedPrecision = realisedPrecision
        self.measuredRecall = measuredRecall; self.measuredPrecision = measuredPrecision
        self.estimatedRecall = estimatedRecall; self.estimatedPrecision = estimatedPrecision
    }
}

/// One monitoring step: the window ending on `day` (inclusive, production days), its ground truth,
/// every detector's reading, the diagnosis and the models' impact.
public struct StepRecord: Sendable, Equatable {
    public var day: Int
    public var windowStart: Int
    /// Kinds active in the window (strength > 0 on some day of it); `[.none]` when none.
    public var truth: [FailureKind]
    public var detectors: [StepDetector]
    public var diagnosis: DiagnosisRecord
    public var models: [ModelImpact]

    public init(day: Int, windowStart: Int, truth: [FailureKind], detectors: [StepDetector], diagnosis: DiagnosisRecord, models: [ModelImpact]) {
        self.day = day; self.windowStart = windowStart; self.truth = truth; self.detectors = detectors
        self.diagnosis = diagnosis; self.models = models
    }
}

/// Scenario-level verdict of one detector (or of the diagnosis) on one run.
public struct RunVerdict: Sendable, Equatable {
    /// Detector id, or `diagnosis`.
    public var detector: String
    public var injectedKind: FailureKind
    /// First alarm at or after the onset (production day), nil when it never alarmed after onset.
    public var firstAlarmDay: Int?
    /// firstAlarmDay - onset, in days.
    public var detectionDelayDays: Int?
    /// The kind read from the first alarm after onset (`none` without one; on a control, from the first alarm).
    public var diagnosedKind: FailureKind
    public var diagnosedSubkind: String?
    public var diagnosedFeatures: [String]
    public var kindCorrect: Bool
    /// Whether the top diagnosed feature is one of the injected features (nil where the failure names none).
    public var featureCorrect: Bool?
    /// Alarm steps before the onset (all alarm steps on a control).
    public var falseAlarms: Int
    /// Production days monitored before the onset (the whole period on a control), for rates per 30 days.
    public var daysBeforeOnset: Int

    public init(detector: String, injectedKind: FailureKind, firstAlarmDay: Int?, detectionDelayDays: Int?, diagnosedKind: FailureKind,
                diagnosedSubkind: String?, diagnosedFeatures: [String], kindCorrect: Bool, featureCorrect: Bool?,
                falseAlarms: Int, daysBeforeOnset: Int) {
        self.detector = detector; self.injectedKind = injectedKind; self.firstAlarmDay = firstAlarmDay
        self.detectionDelayDays = detectionDelayDays; self.diagnosedKind = diagnosedKind; self.diagnosedSubkind = diagnosedSubkind
        self.diagnosedFeatures = diagnosedFeatures; self.kindCorrect = kindCorrect; self.featureCorrect = featureCorrect
        self.falseAlarms = falseAlarms; self.daysBeforeOnset = daysBeforeOnset
    }
}
