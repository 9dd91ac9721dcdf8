import Foundation
import Testing
import DriftCore
import DriftSim
import DriftModels
@testable import DriftDetectors

/// Power of the model-output, label and stream detectors on the bundled prior-shift, concept-drift and
/// label-delay scenarios at severity 0.5. A logistic model (DriftModels' `Trainer`) is trained on the
/// first 18 reference days; its confusion matrix, score reference and label reference come from the
/// last 10 reference days (held out from the fit). Labels arrive fast (median 4 days, 99th percentile
/// 20, chargeback window 30) so mature cohorts exist a few weeks after onset. Prefix "POWER".
@Suite("Power of output, label and stream detectors at severity 0.5")
struct SimulatedModelPowerTests {
    struct Scored {
        let scenario: Scenario
        let batches: [DayBatch]
        let scores: [Double]       // calibrated, per row of all batches in order
        let threshold: Double      // on the calibrated scale
        let referenceRows: Range<Int>  // held-out reference rows (days -10 ..< 0)
        var rowDays: [Int] { batches.flatMap { Array(repeating: $0.day, count: $0.count) } }
    }

    static func run(_ name: String, severity: Double = 0.5, productionDays: Int? = nil, scale: Double = 1) throws -> Scored {
        let s = try Simulated.scenario(name, severity: severity, customers: Int(3_000 * scale), perDay: 1_500 * scale,
                                       referenceDays: 28, productionDays: productionDays, fastLabels: true)
        let batches = try Simulated.batches(s)
        var train = Simulated.table(batches, days: -28..<(-10))
        try train.append("is_fraud", .numeric(batches.filter { $0.day < -10 }.flatMap { $0.isFraud.map(Double.init) }))
        var options = TrainingOptions(kind: .logistic)
        options.bootstrapResamples = 0
        let model = try Trainer.train(train, options: options)
        let all = Simulated.table(batches, days: -28..<s.productionDays)
        let scores = model.score(all).calibrated
        let start = batches.filter { $0.day < -10 }.reduce(0) { $0 + $1.count }
        let end = batches.filter { $0.day < 0 }.reduce(0) { $0 + $1.count }
        return Scored(scenario: s, batches: batches, scores: scores, threshold: model.calibratedThreshold, referenceRows: start..<end)
    }

    static func labelReference(_ r: Scored) -> LabelReference {
        let log = Simulated.log(r.batches, scores: r.scores, threshold: r.threshold)
        let rows = Array(r.referenceRows)
        let refLog = LabelledLog(days: rows.map { log.days[$0] }, scores: rows.map { log.scores[$0] },
                                 reportDays: rows.map { log.reportDays[$0] }, threshold: r.threshold)
        return LabelReference(log: refLog, asOf: Int32(r.scenario.productionDays - 1), chargebackWindow: r.scenario.labelDelay.chargebackWindowDays)
    }

    // MARK: prior shift -> BBSE and the alert rate

    @Test("prior shift: BBSE estimates the new prior and alarms with the right subkind",
          arguments: [("prior-fraud-drop", "fraud_drop"), ("prior-fraud-wave", "fraud_wave")], [0.5, 1.0])
    func prior(_ c: (String, String), _ severity: Double) throws {
        let (name, subkind) = c
        let r = try Self.run(name, severity: severity)
        let labels = Simulated.labels(r.batches)
        let ref = Array(r.referenceRows)
        let bbse = BlackBoxShiftEstimator(predicted: ref.map { r.scores[$0] >= r.threshold }, labels: ref.map { labels[$0] == 1 })
        let days = r.rowDays
        let window = days.indices.filter { days[$0] >= r.scenario.productionDays - 14 }
        let alerts = window.filter { r.scores[$0] >= r.threshold }.count
        let result = bbse.check(windowPredictedPositive: alerts, windowCount: window.count)
        let trueRate = Double(window.filter { labels[$0] == 1 }.count) / Double(window.count)
        print("POWER prior \(subkind) severity \(severity): reference prior=\(bbse.referencePrior) BBSE=\(result.statistic) [\(result.details["ci_lower"] ?? .nan), \(result.details["ci_upper"] ?? .nan)] true window rate=\(trueRate) p=\(result.pValue ?? .nan) alarm=\(result.alarm)")
        // Limit (docs/detectors.md): at this volume (about 100 reference frauds) BBSE does not reach
        // p < 1e-3 at 0.5 or 1.0, and on fraud_drop its estimate is biased up by alert-rate drift.
        // What it does reach: on fraud_wave the true window rate lies in its 95 % interval.
        // (At 1.0 the true 0.026 lies just above the interval's 0.0254: the estimate lags a stronger wave.)
        if subkind == "fraud_wave" {
            if severity == 0.5 { #expect((result.details["ci_lower"] ?? 1) <= trueRate && trueRate <= (result.details["ci_upper"] ?? 0)) }
            #expect(result.statistic > bbse.referencePrior)
        }
    }

    // MARK: concept drift -> realised recall on matured labels below CBPE

    @Test("concept drift: realised recall on arrived, matured labels falls below the label-free estimate",
          arguments: ["concept-new-pattern", "concept-gradual", "concept-weight-change"], [0.5, 1.0])
    func concept(_ name: String, _ severity: Double) throws {
        let r = try Self.run(name, severity: severity, productionDays: 45, scale: 2)
        let reference = Self.labelReference(r)
        let log = Simulated.log(r.batches, scores: r.scores, threshold: r.threshold)
        let t = Int32(r.scenario.productionDays - 1)
        let result = LabelMonitors.conceptDrift(log: log, asOf: t, reference: reference)
        print("POWER concept \(name) severity \(severity): realised recall=\(result.statistic) target=\(result.details["expected_recall"] ?? .nan) arrived=\(result.details["arrived"] ?? .nan) p=\(result.pValue ?? .nan) alarm=\(result.alarm)")
        if severity >= 1 { #expect(result.alarm) }

        // Stream detectors on the model's errors (miss or false alert) ordered by label arrival.
        let days = r.rowDays
        var known: [(day: Int, index: Int)] = []
        var offset = 0
        for b in r.batches {
            for i in 0..<b.count {
                let d = b.labelKnownDay(i, chargebackWindowDays: r.scenario.labelDelay.chargebackWindowDays)
                if d <= Int(t) { known.append((d, offset + i)) }
            }
            offset += b.count
        }
        known.sort { ($0.day, $0.index) < ($1.day, $1.index) }
        let labels = Simulated.labels(r.batches)
        // Stream of frauds only: the miss indicator (recall's complement), the error concept drift moves.
        let misses = known.filter { labels[$0.index] == 1 }.map { (day: $0.day, cohort: days[$0.index], miss: r.scores[$0.index] < r.threshold ? 1.0 : 0.0) }
        let onset = r.scenario.failures[0].startDay
        var summary: [String] = []
        var detectors: [(String, any StreamDetector)] = [("ddm", DDM()), ("adwin", ADWIN()), ("page_hinkley", PageHinkley())]
        for k in detectors.indices {
            var first: Int? = nil, falseAlarms = 0
            for m in misses {
                detectors[k].1.update(m.miss)
                if detectors[k].1.driftDetected {
                    if m.cohort >= onset { if first == nil { first = m.day } } else { falseAlarms += 1 }
                }
            }
            summary.append("\(detectors[k].0): first detection on a post-onset cohort at day \(first.map(String.init) ?? "none"), alarms on pre-onset cohorts \(falseAlarms)")
        }
        print("POWER stream \(name) severity \(severity) (\(misses.count) arrived frauds): " + summary.joined(separator: "; "))
    }

    // MARK: label delay -> label arrival

    @Test("label delay: label arrival names the sub-kind",
          arguments: [("label-delay-slower", "slower"), ("label-delay-coverage-drop", "coverage_drop"), ("label-delay-outage", "outage")], [0.5, 1.0])
    func labelDelay(_ c: (String, String), _ severity: Double) throws {
        let (name, subkind) = c
        let r = try Self.run(name, severity: severity, productionDays: 40)
        let reference = Self.labelReference(r)
        let log = Simulated.log(r.batches, scores: r.scores, threshold: r.threshold)
        let f = r.scenario.failures[0]
        // Outage: read inside the outage; the others: at the end.
        let t: Int32 = subkind == "outage" ? Int32(f.startDay + 5) : Int32(r.scenario.productionDays - 1)
        let result = LabelMonitors.labelArrival(log: log, asOf: t, reference: reference)
        print("POWER label_delay \(subkind) severity \(severity): \(result.detector) stat=\(result.statistic) p=\(result.pValue ?? .nan) alarm=\(result.alarm) subkind=\(result.subkind ?? "")")
        #expect(result.alarm && result.indicates == .labelDelay && result.subkind == subkind)
    }
}
