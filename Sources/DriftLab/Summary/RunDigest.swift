import DriftCore

/// The part of a run the summary needs: its verdicts and, per monitoring step, the truth and what
/// the diagnosis and each detector said. Small, so a sweep of thousands of runs fits in memory.
public struct RunDigest: Sendable, Equatable {
    public var verdicts: [RunVerdict]
    /// `diagnosis` first, then the detector ids in the order of the run's first step.
    public var windowDetectors: [String]
    /// Per step: the kinds active in the window (`[.none]` when none).
    public var windowTruth: [[FailureKind]]
    /// Per step, aligned with `windowDetectors`: the diagnosed kind, or the kind an alarming
    /// detector indicates (`none` when it does not alarm after its alarm policy).
    public var windowPredicted: [[FailureKind]]

    public init(verdicts: [RunVerdict], windowDetectors: [String], windowTruth: [[FailureKind]], windowPredicted: [[FailureKind]]) {
        self.verdicts = verdicts; self.windowDetectors = windowDetectors
        self.windowTruth = windowTruth; self.windowPredicted = windowPredicted
    }

    public init(_ run: RunResult) {
        var ids = ["diagnosis"]
        for step in run.steps { for d in step.detectors where !ids.contains(d.detector) { ids.append(d.detector) } }
        var truth: [[FailureKind]] = [], predicted: [[FailureKind]] = []
        for step in run.steps {
            truth.append(step.truth.isEmpty ? [.none] : step.truth)
            var row = [FailureKind](repeating: .none, count: ids.count)
            row[0] = step.diagnosis.kind
            for d in step.detectors where d.alarm {
                if let k = ids.firstIndex(of: d.detector) { row[k] = d.indicates }
            }
            predicted.append(row)
        }
        self.init(verdicts: run.verdicts, windowDetectors: ids, windowTruth: truth, windowPredicted: predicted)
    }
}
