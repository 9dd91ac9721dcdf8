import DriftCore

/// Scenario-level verdicts of each detector and of the diagnosis (docs/lab.md, "Verdicts").
enum Verdicts {
    static func score(steps: [StepRecord], injected: [InjectedFailureRecord], productionDays: Int) -> [RunVerdict] {
        // The earliest failure (the first listed among those starting together) sets the run's kind and
        // onset; in a compound scenario an alarm is also right when it names another kind active in its
        // window (found by fuzzing: the kind came from the first listed, the onset from the earliest).
        let earliest = injected.enumerated().min { ($0.element.startDay, $0.offset) < ($1.element.startDay, $1.offset) }?.element
        let kind = earliest?.kind ?? .none
        let onset = earliest?.startDay
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
            let at = onset.flatMap { o in readings.firstIndex { $0.1 && $0.0 >= o } } ?? (onset == nil ? readings.firstIndex { $0.1 } : nil)
            let first = at.map { readings[$0] }
            let diagnosed = first?.2 ?? .none
            let correct = diagnosed == kind || (injected.count > 1 && at.map { steps[$0].truth.contains(diagnosed) } == true)
            let top = first?.4.first
            let featureCorrect: Bool? = injectedFeatures.isEmpty || onset == nil ? nil : (top.map { injectedFeatures.contains($0) } ?? false)
            return RunVerdict(detector: id, injectedKind: kind, firstAlarmDay: onset == nil ? nil : first?.0,
                              detectionDelayDays: onset.flatMap { o in first.map { $0.0 - o } },
                              diagnosedKind: diagnosed, diagnosedSubkind: first?.3, diagnosedFeatures: first?.4 ?? [],
                              kindCorrect: correct, featureCorrect: featureCorrect,
                              falseAlarms: before.count, daysBeforeOnset: onset ?? productionDays)
        }
    }
}
