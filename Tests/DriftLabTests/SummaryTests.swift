import DriftCore
import Foundation
import Testing
@testable import DriftLab

/// Six hand-made runs: two schema changes (severity 1 right after 5 days, 0.25 read as covariate
/// shift after 12), two prior shifts (0.5 right after 7 days, 1 missed), two controls of 120 days
/// (one false alarm read as covariate shift, one quiet).
private func handExample() -> SweepSummary {
    func cell(_ i: Int, _ kind: FailureKind, _ severity: Double?) -> SweepManifest.Cell {
        SweepManifest.Cell(index: i, id: "c\(i)", kind: kind, label: "x", subkind: "x", severity: severity, onsetDay: severity == nil ? nil : 30,
                           windowDays: 14, seedIndex: 0, controlIndex: severity == nil ? i : nil, scenarioHash: "h\(i)")
    }
    func verdict(_ kind: FailureKind, said: FailureKind, delay: Int?, feature: Bool?, falseAlarms: Int = 0, days: Int = 30) -> RunVerdict {
        RunVerdict(detector: "diagnosis", injectedKind: kind, firstAlarmDay: delay.map { 30 + $0 }, detectionDelayDays: delay,
                   diagnosedKind: said, diagnosedSubkind: nil, diagnosedFeatures: [], kindCorrect: kind == said, featureCorrect: feature,
                   falseAlarms: falseAlarms, daysBeforeOnset: days)
    }
    let manifest = SweepManifest(name: "hand", description: "", cells: [
        cell(0, .schemaChange, 1), cell(1, .schemaChange, 0.25), cell(2, .priorShift, 0.5), cell(3, .priorShift, 1),
        cell(4, .none, nil), cell(5, .none, nil),
    ])
    // Window level, on the first run only: quiet, right, and a compound window where either active kind counts.
    let windows = RunDigest(verdicts: [verdict(.schemaChange, said: .schemaChange, delay: 5, feature: true)],
                            windowDetectors: ["diagnosis"],
                            windowTruth: [[.none], [.schemaChange], [.schemaChange, .dataQuality], [.schemaChange, .dataQuality]],
                            windowPredicted: [[.none], [.schemaChange], [.dataQuality], [.covariateShift]])
    func only(_ v: RunVerdict) -> RunDigest { RunDigest(verdicts: [v], windowDetectors: [], windowTruth: [], windowPredicted: []) }
    return SweepSummary(manifest: manifest, runs: [
        windows,
        only(verdict(.schemaChange, said: .covariateShift, delay: 12, feature: false)),
        only(verdict(.priorShift, said: .priorShift, delay: 7, feature: nil)),
        only(verdict(.priorShift, said: .none, delay: nil, feature: nil)),
        only(verdict(.none, said: .covariateShift, delay: nil, feature: nil, falseAlarms: 1, days: 120)),
        only(verdict(.none, said: .none, delay: nil, feature: nil, falseAlarms: 0, days: 120)),
    ], missing: [])
}

@Suite("Sweep summary")
struct SummaryTests {
    @Test("confusion matrix, accuracy and macro-F1 match scikit-learn on a hand-made example")
    func confusionAndF1() throws {
        let d = try #require(handExample().diagnosis)
        // from sklearn.metrics import f1_score, confusion_matrix
        // K = ['none','covariate_shift','prior_shift','concept_drift','schema_change','data_quality','label_delay']
        // t = ['schema_change','schema_change','prior_shift','prior_shift','none','none']
        // p = ['schema_change','covariate_shift','prior_shift','none','covariate_shift','none']
        // confusion_matrix(t, p, labels=K).tolist(); f1_score(t, p, average='macro')  # 0.45833333333333326
        // severity >= 0.5 and controls (runs 0, 2, 3, 4, 5): f1_score(...)  # 0.5416666666666666
        #expect(d.scenario.counts == [[1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0], [1, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0],
                                      [0, 1, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0]])
        // By hand: F1 none 2/4, covariate 0, prior 2/3, schema 2/3 -> mean 0.4583...; accuracy 3/6.
        #expect(abs(d.scenario.macroF1 - 0.45833333333333326) < 1e-12)
        #expect(d.scenario.accuracy == 0.5)
        #expect(d.scenario.present == [.none, .covariateShift, .priorShift, .schemaChange])
        #expect(abs(d.scenarioSevere.macroF1 - 0.5416666666666666) < 1e-12)  // (1/2 + 0 + 2/3 + 1) / 4
        #expect(d.scenario.recall(.schemaChange) == 0.5 && d.scenario.recall(.none) == 0.5 && d.scenario.recall(.labelDelay).isNaN)
    }

    @Test("window level: a compound window counts a hit for any active kind")
    func windowLevel() throws {
        let w = try #require(handExample().diagnosis).window
        #expect(w.total == 4)
        #expect(w.counts[0][0] == 1)  // none / none
        #expect(w.counts[4][4] == 1)  // schema / schema
        #expect(w.counts[5][5] == 1)  // schema+dq said dq: a hit in the data_quality row
        #expect(w.counts[4][1] == 1)  // schema+dq said covariate: a miss in the first active kind's row
        #expect(w.accuracy == 0.75)
    }

    @Test("delay quantiles, MTD, MTFA, MDR, false alarms per 30 and 180 days, feature accuracy and power, by hand")
    func literatureMetrics() throws {
        let d = try #require(handExample().diagnosis)
        // Delays 5, 12, 7: median 7; 90th percentile (type 7) 7 + 0.8 * (12 - 7) = 11 (numpy.percentile([5,12,7], 90) = 11.0).
        #expect(d.delays == [5, 7, 12] && d.delayMedian == 7 && abs(d.delayP90 - 11) < 1e-12)
        #expect(d.meanTimeToDetection == 8)           // (5 + 12 + 7) / 3
        #expect(d.missedDetectionRate == 0.25)        // 1 of 4 failure runs never alarmed
        #expect(d.meanTimeBetweenFalseAlarms == 240)  // 240 control days, 1 false alarm
        #expect(d.falseAlarms(perDays: 30) == 0.125 && d.falseAlarms(perDays: 180) == 0.75)
        #expect(d.featureAccuracy == 0.5)             // judged on the two schema runs
        #expect(d.power.map { "\($0.kind.rawValue) \($0.severity) \($0.hits)/\($0.runs)" } ==
                ["prior_shift 0.5 1/1", "prior_shift 1.0 0/1", "schema_change 0.25 0/1", "schema_change 1.0 1/1"])
    }

    @Test("summary files: fixed formats, headline in summary.json")
    func files() throws {
        let s = handExample()
        let metrics = SummaryWriter.metricsCSV(s).split(separator: "\n")
        #expect(metrics[0].hasPrefix("detector,runs,accuracy,macro_f1,macro_f1_severity_0_5_plus,window_accuracy,window_macro_f1,delay_median_days"))
        #expect(metrics[1].hasPrefix("diagnosis,6,0.5000,0.4583,0.5417,0.7500,"))
        #expect(metrics[1].contains(",7.0000,11.0000,8.0000,240.0000,0.2500,0.1250,0.7500,0.5000,"))
        let json = SummaryWriter.json(s)
        #expect(json["headline"]?["diagnosis_macro_f1_severity_0_5_plus"]?.doubleValue == 0.5416666666666666)
        #expect(json["headline"]?["diagnosis_false_alarms_per_180_days"]?.doubleValue == 0.75)
        #expect(SummaryWriter.csv(s.diagnosis!.scenario).split(separator: "\n")[1] == "none,1,1,0,0,0,0,0")
        #expect(SummaryWriter.markdown(s.diagnosis!.scenario, title: "t").contains("| schema_change | 0 | 1 | 0 | 0 | 1 | 0 | 0 | 0.50 |"))
        #expect(SummaryWriter.powerCSV(s).contains("diagnosis,prior_shift,0.5,1,1,1.0000\n"))
    }
}
