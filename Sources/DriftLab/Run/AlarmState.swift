import DriftCore

/// Applies the alarm policy across steps: counts each detector's consecutive raw firings and the
/// diagnosis' consecutive non-`none` readings, and writes the step record.
struct AlarmState {
    let policy: AlarmPolicy
    private var consecutive: [String: Int] = [:]
    private var diagnosisRun = 0
    private var diagnosisKind: FailureKind = .none

    init(policy: AlarmPolicy) { self.policy = policy }

    mutating func record(_ reading: Reading, day: Int, windowStart: Int) -> StepRecord {
        var detectors: [StepDetector] = []
        for d in reading.detectors {
            let run = d.fired ? (consecutive[d.id] ?? 0) + 1 : 0
            consecutive[d.id] = run
            let alarm = d.fired && policy.alarm(detector: d.id, consecutive: run)
            detectors.append(StepDetector(detector: d.id, rawAlarm: d.fired, alarm: alarm, indicates: alarm ? d.indicates : .none,
                                          subkind: alarm ? d.subkind : nil, features: d.features,
                                          statistic: d.statistic.isFinite ? d.statistic : 0,
                                          pValue: d.pValue.flatMap { $0.isFinite ? $0 : nil },
                                          threshold: d.threshold.isFinite ? d.threshold : 0))
        }
        var diagnosis = Diagnosis.diagnose(reading)
        // The same kind must hold on consecutive steps: a reading that changes kind starts over.
        diagnosisRun = diagnosis.kind == .none ? 0 : (diagnosis.kind == diagnosisKind ? diagnosisRun + 1 : 1)
        diagnosisKind = diagnosis.kind
        let needed = diagnosis.kind == .schemaChange ? 1 : max(1, policy.persistence)
        if diagnosis.kind != .none && diagnosisRun < needed {
            diagnosis = DiagnosisRecord(kind: .none, subkind: nil, features: [], confidence: 0,
                                        evidence: ["pending persistence: \(diagnosis.kind.rawValue)"] + diagnosis.evidence)
        }
        return StepRecord(day: day, windowStart: windowStart, truth: reading.truth, detectors: detectors,
                          diagnosis: diagnosis, models: reading.impact)
    }
}
