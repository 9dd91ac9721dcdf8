import DriftCore

/// A confusion matrix over the seven kinds: injected kind (rows) by diagnosed kind (columns), in
/// `FailureKind.allCases` order.
public struct ConfusionMatrix: Sendable, Equatable {
    public static let kinds = FailureKind.allCases
    public private(set) var counts: [[Int]] = Array(repeating: Array(repeating: 0, count: kinds.count), count: kinds.count)

    public init() {}

    public mutating func add(truth: FailureKind, predicted: FailureKind, count: Int = 1) {
        counts[Self.position(truth)][Self.position(predicted)] += count
    }

    static func position(_ k: FailureKind) -> Int { kinds.firstIndex(of: k) ?? 0 }

    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    public var correct: Int { (0..<Self.kinds.count).reduce(0) { $0 + counts[$1][$1] } }
    /// Share on the diagonal; NaN when empty.
    public var accuracy: Double { total == 0 ? .nan : Double(correct) / Double(total) }

    func rowSum(_ i: Int) -> Int { counts[i].reduce(0, +) }
    func columnSum(_ j: Int) -> Int { counts.reduce(0) { $0 + $1[j] } }

    /// Kinds that occur as truth or as prediction (scikit-learn's default label set).
    public var present: [FailureKind] {
        Self.kinds.indices.filter { rowSum($0) + columnSum($0) > 0 }.map { Self.kinds[$0] }
    }

    /// Recall of a kind: diagonal over its row; NaN when the kind was never injected.
    public func recall(_ k: FailureKind) -> Double {
        let i = Self.position(k), n = rowSum(i)
        return n == 0 ? .nan : Double(counts[i][i]) / Double(n)
    }

    /// F1 of a kind: 2·TP / (2·TP + FP + FN), 0 when it never occurs (scikit-learn's zero_division=0).
    public func f1(_ k: FailureKind) -> Double {
        let i = Self.position(k)
        let tp = counts[i][i], fn = rowSum(i) - tp, fp = columnSum(i) - tp
        let d = 2 * tp + fp + fn
        return d == 0 ? 0 : Double(2 * tp) / Double(d)
    }

    /// Unweighted mean of the per-kind F1 over the kinds present (as truth or prediction), as
    /// scikit-learn's `f1_score(average='macro')`; NaN when empty.
    public var macroF1: Double {
        let kinds = present
        return kinds.isEmpty ? .nan : kinds.map(f1).reduce(0, +) / Double(kinds.count)
    }
}

/// Power at one (kind, severity): the share of runs detected with the right kind.
public struct PowerPoint: Sendable, Equatable {
    public var kind: FailureKind
    public var severity: Double
    public var runs: Int
    public var hits: Int
    public var power: Double { runs == 0 ? .nan : Double(hits) / Double(runs) }
}

/// Every figure of one detector (or of the diagnosis) over a sweep.
public struct DetectorSummary: Sendable, Equatable {
    public var detector: String
    /// Run level: injected kind by the kind read from the first alarm after onset (controls: first alarm).
    public var scenario = ConfusionMatrix()
    /// Run level, restricted to failure runs with severity >= 0.5 and the controls (the headline figure).
    public var scenarioSevere = ConfusionMatrix()
    /// Window level: each monitoring step's truth by the kind said at that step.
    public var window = ConfusionMatrix()
    /// Detection delays (days from onset to the first alarm after it) of detected failure runs, sorted.
    public var delays: [Double] = []
    public var failureRuns = 0
    /// Failure runs with no alarm at all after onset.
    public var missedRuns = 0
    public var controlRuns = 0
    /// Alarm steps on controls and the production days they cover.
    public var controlFalseAlarms = 0
    public var controlDays = 0
    /// Failure runs whose top implicated feature is an injected one, of those where it applies.
    public var featureCorrect = 0
    public var featureJudged = 0
    public var power: [PowerPoint] = []

    public var delayMedian: Double { Descriptive.quantile(sorted: delays, 0.5) }
    public var delayP90: Double { Descriptive.quantile(sorted: delays, 0.9) }
    /// Mean time to detection (days), over detected failure runs.
    public var meanTimeToDetection: Double { delays.isEmpty ? .nan : delays.reduce(0, +) / Double(delays.count) }
    /// Mean time between false alarms (days): control days per false alarm; infinite without one.
    public var meanTimeBetweenFalseAlarms: Double {
        controlFalseAlarms == 0 ? (controlDays > 0 ? .infinity : .nan) : Double(controlDays) / Double(controlFalseAlarms)
    }
    /// Missed detection rate: share of failure runs never alarmed after onset.
    public var missedDetectionRate: Double { failureRuns == 0 ? .nan : Double(missedRuns) / Double(failureRuns) }
    public func falseAlarms(perDays days: Double) -> Double {
        controlDays == 0 ? .nan : Double(controlFalseAlarms) / Double(controlDays) * days
    }
    public var featureAccuracy: Double { featureJudged == 0 ? .nan : Double(featureCorrect) / Double(featureJudged) }
}

/// The sweep's figures per detector and for the diagnosis, computed from the run digests in cell order.
public struct SweepSummary: Sendable, Equatable {
    public var sweep: String
    public var sweepHash: String
    public var runs: Int
    public var controls: Int
    /// Ids of cells without a finished run (a partial merge).
    public var missing: [String]
    /// `diagnosis` first, then the detectors by id.
    public var detectors: [DetectorSummary]

    /// The diagnosis's figures, when any run recorded them.
    public var diagnosis: DetectorSummary? { detectors.first { $0.detector == "diagnosis" } }

    /// `runs` aligned with `manifest.cells`; cells listed in `missing` are left out of `runs`.
    public init(manifest: SweepManifest, runs: [RunDigest], missing: [String]) {
        sweep = manifest.name
        sweepHash = manifest.hash
        self.missing = missing
        let present = manifest.cells.filter { !missing.contains($0.id) }
        precondition(present.count == runs.count, "one digest per present cell")
        self.runs = runs.count
        controls = present.filter(\.isControl).count

        var ids = Set<String>()
        for r in runs { for v in r.verdicts { ids.insert(v.detector) } }
        ids.remove("diagnosis")
        let order = ["diagnosis"] + ids.sorted()
        var table = order.map { DetectorSummary(detector: $0) }
        var powerCounts: [[String: (Int, Int)]] = Array(repeating: [:], count: order.count)

        for (cell, digest) in zip(present, runs) {
            for v in digest.verdicts {
                guard let d = order.firstIndex(of: v.detector) else { continue }
                let right = v.diagnosedKind == cell.kind
                table[d].scenario.add(truth: cell.kind, predicted: v.diagnosedKind)
                if cell.isControl {
                    table[d].scenarioSevere.add(truth: cell.kind, predicted: v.diagnosedKind)
                    table[d].controlRuns += 1
                    table[d].controlFalseAlarms += v.falseAlarms
                    table[d].controlDays += v.daysBeforeOnset
                    continue
                }
                let severity = cell.severity ?? 1
                if severity >= 0.5 { table[d].scenarioSevere.add(truth: cell.kind, predicted: v.diagnosedKind) }
                table[d].failureRuns += 1
                if let delay = v.detectionDelayDays, v.firstAlarmDay != nil { table[d].delays.append(Double(delay)) } else { table[d].missedRuns += 1 }
                if let f = v.featureCorrect { table[d].featureJudged += 1; if f { table[d].featureCorrect += 1 } }
                let key = "\(cell.kind.rawValue) \(JSON.format(severity))"
                let (n, h) = powerCounts[d][key] ?? (0, 0)
                powerCounts[d][key] = (n + 1, h + (right ? 1 : 0))
            }
            for (k, id) in digest.windowDetectors.enumerated() {
                guard let d = order.firstIndex(of: id) else { continue }
                for (truth, predicted) in zip(digest.windowTruth, digest.windowPredicted) where k < predicted.count {
                    table[d].window.add(truth: Self.windowRow(truth: truth, predicted: predicted[k]), predicted: predicted[k])
                }
            }
        }
        for d in table.indices {
            table[d].delays = RadixSort.sorted(table[d].delays)
            table[d].power = powerCounts[d].map { key, value in
                let parts = key.split(separator: " ")
                return PowerPoint(kind: FailureKind(rawValue: String(parts[0])) ?? .none, severity: Double(parts[1]) ?? .nan,
                                  runs: value.0, hits: value.1)
            }.sorted { ($0.kind, $0.severity) < ($1.kind, $1.severity) }
        }
        detectors = table
    }

    /// The row a window counts in: with several active kinds (a compound window) a prediction of
    /// any of them is a hit, in that kind's row; otherwise the first active kind's row.
    static func windowRow(truth: [FailureKind], predicted: FailureKind) -> FailureKind {
        if truth.contains(predicted) { return predicted }
        return truth.first ?? .none
    }
}
