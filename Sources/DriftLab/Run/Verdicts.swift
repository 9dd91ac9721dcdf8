import DriftCore

/// Scenario-level verdicts of each detector and of the diagnosis (docs/lab.md, "Verdicts").
enum Verdicts {
    static func score(steps: [StepRecord], injected: [InjectedFailureRecord], productionDays: Int) -> [RunVerdict] {
        let kind = injected.first?.kind ?? .none
        let onset = injected.map(\.startDay).min()
        let injectedFeatures = Set(injected.flatMap(\.features))
        let ids = (steps.first?.detectors.map(\.detector) ?? Battery.ids) + ["diagnosis"]
        return ids.map { id in
            // (day, alarm, kind, subkind, features) per step for this detector.
            let readings: [(Int, Bool, FailureKind, String?, [String])] = steps.map { s in
                if id == "diagnosis" {
                    return (s.day, s.diagnosis.kind != .none, s.diagnosis.kind, s.diagnosis.subkind, s.diagnosis.features)
                }
                let d = s.detectors.first { $0.detector == id }
                return (s.day, d?.alarm ?? false, d?.indicates ?? .none, d?.subkind, d?.features ?? [])
            }
            let before = readings.filter { r in r.1 && (onset.map { r.0 < $0 } ?? true) }
            let first = onset.flatMap { o in readings.first { $0.1 && $0.0 >= o } } ?? (onset == nil ? readings.first { $0.1 } : nil)
            let diagnosed = first?.2 ?? .none
            let top = first?.4.first
            let featureCorrect: Bool? = injectedFeatures.isEmpty || onset == nil ? nil : (top.map { injectedFeatures.contains($0) } ?? false)
            return RunVerdict(detector: id, injectedKind: kind, firstAlarmDay: onset == nil ? nil : first?.0,
                              detectionDelayDays: onset.flatMap { o in first.map { $0.0 - o } },
                              diagnosedKind: diagnosed, diagnosedSubkind: first?.3, diagnosedFeatures: first?.4 ?? [],
                              kindCorrect: diagnosed == kind, featureCorrect: featureCorrect,
                              falseAlarms: before.count, daysBeforeOnset: onset ?? productionDays)
        }
    }
}
