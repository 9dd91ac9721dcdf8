import Foundation
import Testing
import DriftCore
import DriftSim
import DriftModels
@testable import DriftDetectors

/// Power of the model-output, label and stream detectors on the bundled prior-shift, concept-drift and
/// label-delay scenarios at severity 0.5. A logistic model (DriftModels' `Trainer`, Platt-calibrated as
/// the lab's) is trained on the first reference days; its confusion matrix, score reference, label
/// reference and the stream's error cut come from the last `heldOutDays` reference days (held out from
/// the fit). Labels arrive fast (median 4 days, 99th percentile 20, chargeback window 30) so mature
/// cohorts exist a few weeks after onset. `world` k > 0 reseeds the scenario (seed + 7,919·k) for a
/// second independent world. Prefix "POWER".
@Suite("Power of output, label and stream detectors at severity 0.5")
struct SimulatedModelPowerTests {
    struct Scored {
        let scenario: Scenario
        let batches: [DayBatch]
        let scores: [Double]       // calibrated, per row of all batches in order
        let threshold: Double      // on the calibrated scale
        let referenceRows: Range<Int>  // held-out reference rows (days -heldOutDays ..< 0)
        var rowDays: [Int] { batches.flatMap { Array(repeating: $0.day, count: $0.count) } }
    }

    /// The bundled scenarios' own volume (8,000 customers, 4,000 rows a day).
    static let bundled = (customers: 8_000, perDay: 4_000.0)

    static func run(_ name: String, severity: Double = 0.5, productionDays: Int? = nil, scale: Double = 1,
                    customers: Int? = nil, perDay: Double? = nil, heldOutDays: Int = 10, world: UInt64 = 0) throws -> Scored {
        let s = try Simulated.scenario(name, severity: severity, customers: customers ?? Int(3_000 * scale), perDay: perDay ?? 1_500 * scale,
                                       referenceDays: 28, productionDays: productionDays, fastLabels: true,
                                       edit: { $0.seed &+= 7_919 &* world })
        let batches = try Simulated.batches(s)
        var train = Simulated.table(batches, days: -28..<(-heldOutDays))
        try train.append("is_fraud", .numeric(batches.filter { $0.day < -heldOutDays }.flatMap { $0.isFraud.map(Double.init) }))
        var options = TrainingOptions(kind: .logistic)
        options.bootstrapResamples = 0
        // Platt, as the lab (LabRunner.trainingOptions): strictly monotone, so calibrated >= calibrated
        // threshold is exactly the model's alert. Isotonic (the default) has plateaus: thresholding its
        // calibrated scores counted a whole plateau as alerts, and the 10 % quantile cut of the error
        // stream fell on a plateau (base error rates 0.13–0.18 instead of 0.1).
        options.calibration = .platt
        let model = try Trainer.train(train, options: options)
        let all = Simulated.table(batches, days: -28..<s.productionDays)
        let scores = model.score(all).calibrated
        let start = batches.filter { $0.day < -heldOutDays }.reduce(0) { $0 + $1.count }
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

    /// BBSE fitted on the held-out reference rows, read on the last `windowDays` production days.
    static func bbse(_ r: Scored, windowDays: Int) -> (estimator: BlackBoxShiftEstimator, result: DetectorResult, trueRate: Double) {
        let labels = Simulated.labels(r.batches)
        let ref = Array(r.referenceRows)
        let bbse = BlackBoxShiftEstimator(predicted: ref.map { r.scores[$0] >= r.threshold }, labels: ref.map { labels[$0] == 1 })
        let days = r.rowDays
        let window = days.indices.filter { days[$0] >= r.scenario.productionDays - windowDays }
        let alerts = window.filter { r.scores[$0] >= r.threshold }.count
        let result = bbse.check(windowPredictedPositive: alerts, windowCount: window.count)
        let trueRate = Double(window.filter { labels[$0] == 1 }.count) / Double(window.count)
        return (bbse, result, trueRate)
    }

    // MARK: prior shift -> BBSE

    @Test("prior shift: a fraud wave at 0.5 is estimated (true rate in the interval) and alarmed as fraud_wave",
          arguments: [0.5, 1.0])
    func fraudWave(_ severity: Double) throws {
        let r = try Self.run("prior-fraud-wave", severity: severity)
        let (bbse, result, trueRate) = Self.bbse(r, windowDays: 14)
        print("POWER prior fraud_wave severity \(severity): reference prior=\(bbse.referencePrior) BBSE=\(result.statistic) [\(result.details["ci_lower"] ?? .nan), \(result.details["ci_upper"] ?? .nan)] true window rate=\(trueRate) p=\(result.pValue ?? .nan) alarm=\(result.alarm) subkind=\(result.subkind ?? "")")
        #expect(result.statistic > bbse.referencePrior)
        if severity == 0.5 {
            #expect(result.alarm && result.subkind == "fraud_wave")
            #expect((result.details["ci_lower"] ?? 1) <= trueRate && trueRate <= (result.details["ci_upper"] ?? 0))
        }
        // At 1.0 the estimate lags the stronger wave (0.0194 for a true 0.0262, p 0.002): no alarm.
    }

    /// fraud_drop at the bundled volume, 14 held-out reference days (about 500 frauds in the confusion
    /// matrix), a 28-day window from the onset. The bundled world's own legitimate alert rate rises
    /// between reference and production (FPR 0.0057 -> 0.0070 with the failure off), which offsets
    /// BBSE by about +0.0035 whatever the failure does: at severity 0 it reads 0.0134 for a true 0.0098.
    /// The failure is read from the same world with and without it (identical reference, model and
    /// confusion matrix): BBSE's change must match the true rate's change.
    @Test("prior shift: BBSE's estimate falls by the fraud_drop at 0.5 in the bundled world")
    func fraudDrop() throws {
        let severities = [0.0, 0.5, 1.0]
        let reads = try Parallel.map(severities.count, jobs: 2) { k in
            let r = try Self.run("prior-fraud-drop", severity: severities[k], productionDays: 35,
                                 customers: Self.bundled.customers, perDay: Self.bundled.perDay, heldOutDays: 14)
            let b = Self.bbse(r, windowDays: 28)
            return (b.result, b.trueRate, b.estimator.referencePrior)
        }
        for (k, (result, trueRate, prior)) in reads.enumerated() {
            print("POWER prior fraud_drop bundled severity \(severities[k]): reference prior=\(prior) BBSE=\(result.statistic) [\(result.details["ci_lower"] ?? .nan), \(result.details["ci_upper"] ?? .nan)] true window rate=\(trueRate) p=\(result.pValue ?? .nan) alarm=\(result.alarm) subkind=\(result.subkind ?? "")")
        }
        for k in [1, 2] {
            let estimated = reads[k].0.statistic - reads[0].0.statistic, truth = reads[k].1 - reads[0].1
            print("POWER prior fraud_drop bundled severity \(severities[k]) minus severity 0: BBSE \(estimated), true \(truth)")
            #expect(estimated < 0 && Swift.abs(estimated / truth - 1) < 0.25, "BBSE moved by \(estimated) for a true \(truth)")
        }
        // The no-failure world's offset: the reading at severity 0 lies above the true rate.
        #expect(reads[0].0.statistic > reads[0].1)
        // At 1.0 the drop (to 0.2x) outruns the offset: BBSE alarms, as fraud_drop.
        #expect(reads[2].0.alarm && reads[2].0.subkind == "fraud_drop")
    }

    // MARK: concept drift -> realised recall on matured labels, and the gross-error stream

    @Test("concept drift at 1.0: realised recall on arrived, matured labels falls below the label-free estimate",
          arguments: ["concept-new-pattern", "concept-gradual", "concept-weight-change"])
    func conceptFull(_ name: String) throws {
        let r = try Self.run(name, severity: 1, productionDays: 45, scale: 2)
        let reference = Self.labelReference(r)
        let log = Simulated.log(r.batches, scores: r.scores, threshold: r.threshold)
        let result = LabelMonitors.conceptDrift(log: log, asOf: Int32(r.scenario.productionDays - 1), reference: reference)
        print("POWER concept \(name) severity 1.0: realised recall=\(result.statistic) target=\(result.details["expected_recall"] ?? .nan) arrived=\(result.details["arrived"] ?? .nan) p=\(result.pValue ?? .nan) alarm=\(result.alarm)")
        if name == "concept-weight-change" {
            // The z counts the held-out reference's own sampling error (its recall on the frauds of ten
            // held-out days at 3,000 rows a day): 0.329 vs 0.433 on 420 arrived frauds reads p 0.003,
            // short of 1e-3.
            #expect((result.pValue ?? 1) < 0.01 && result.statistic < (result.details["expected_recall"] ?? 0))
        } else {
            #expect(result.alarm)
        }
    }

    /// Severity 0.5 at the bundled volume (4,000 rows a day; at 1,500 the stream has about 15 arrivals
    /// a day and Page–Hinkley found new_pattern in 2 of 3 worlds), onset on day 7, 45 production days,
    /// worlds 0 (the bundled seed) and 1; the control in the same two worlds. Realised recall is read
    /// on day 44 on the cohorts aged 1–30 days (14–43, coverage-weighted label-free target); the stream
    /// detectors run over the whole period as the lab feeds them.
    @Test("concept drift at 0.5: realised recall and the lab's stream detectors in the bundled volume",
          arguments: [("concept-new-pattern", 0), ("concept-new-pattern", 1), ("concept-gradual", 0), ("concept-gradual", 1),
                      ("concept-weight-change", 0), ("concept-weight-change", 1), ("control", 0), ("control", 1)] as [(String, UInt64)])
    func conceptHalf(_ c: (String, UInt64)) throws {
        let (name, world) = c
        let r = try Self.run(name, severity: 0.5, productionDays: 45, customers: Self.bundled.customers,
                             perDay: Self.bundled.perDay, world: world)
        let reference = Self.labelReference(r)
        let log = Simulated.log(r.batches, scores: r.scores, threshold: r.threshold)
        let result = LabelMonitors.conceptDrift(log: log, asOf: Int32(r.scenario.productionDays - 1), reference: reference)
        print("POWER concept \(name) severity 0.5 bundled world \(world): realised recall=\(result.statistic) target=\(result.details["expected_recall"] ?? .nan) arrived=\(result.details["arrived"] ?? .nan) p=\(result.pValue ?? .nan) alarm=\(result.alarm)")
        let days = Self.streamReport(r, label: "\(name) severity 0.5 bundled world \(world)")
        let onset = r.scenario.failures.first?.startDay ?? Int.max
        let (ddm, eddm, adwin, ph, cusum) = (days[0], days[1], days[2], days[3], days[4])
        // Never before the onset (warm-up included) for EDDM, Page–Hinkley and CUSUM; on the control
        // none of the five ever.
        #expect(!(eddm + ph + cusum).contains { $0 < onset })
        switch name {
        case "concept-new-pattern":
            // Page–Hinkley and CUSUM within 14 days of the onset; ADWIN, DDM and EDDM later.
            #expect(ph.contains { $0 >= onset && $0 < onset + 14 } && cusum.contains { $0 >= onset && $0 < onset + 14 })
            #expect(adwin.contains { $0 >= onset } && ddm.contains { $0 >= onset } && eddm.contains { $0 >= onset })
            #expect(Self.recallGapShows(result))
        case "concept-gradual":
            #expect(ph.contains { $0 >= onset })
        case "concept-weight-change":
            // Realised recall (the detector built for it; the error stream barely moves).
            #expect(Self.recallGapShows(result))
        case "control":
            #expect(ddm.isEmpty && eddm.isEmpty && adwin.isEmpty && ph.isEmpty && cusum.isEmpty)
            #expect(!result.alarm && !Self.recallGapShows(result))
        default:
            break
        }
    }

    /// What the recall gap reaches at 0.5 in the bundled volume: realised recall 6–8 points under the
    /// target at one-sided p < 0.05 (0.009–0.028 in the four runs), not the alarm's p < 1e-3. The z
    /// counts the held-out reference's own sampling error (the target is its recall on about 380
    /// frauds, against about 950 arrived: the variance x 3.5); without that term the same runs read
    /// 3e-5 to 3e-4 and alarmed, but that test was anti-conservative (docs/detectors.md).
    static func recallGapShows(_ result: DetectorResult) -> Bool {
        let target = result.details["expected_recall"] ?? 0
        return (result.pValue ?? 1) < 0.05 && target - result.statistic >= 0.05
    }

    /// The lab's error stream (`GrossErrorStream`) on a run: the cut from the held-out reference frauds'
    /// scores (those reported before day 0 warm the detectors up), then each production day's arriving
    /// chargebacks of production frauds in id order, as `Replay` feeds them. Per detector: its
    /// detection days (warm-up detections carry their arrival day, which is negative).
    static func grossErrorDetections(_ r: Scored) -> (stream: GrossErrorStream, days: [[Int]]) {
        var vDays: [Int32] = [], vScores: [Double] = []
        var arriving: [Int32: [(id: Int64, score: Double)]] = [:]
        var offset = 0
        for b in r.batches {
            for i in 0..<b.count where b.chargebackDay[i] != TransactionSimulator.never {
                if r.referenceRows.contains(offset + i) { vDays.append(b.chargebackDay[i]); vScores.append(r.scores[offset + i]) }
                if b.day >= 0 { arriving[b.chargebackDay[i], default: []].append((b.transactionID[i], r.scores[offset + i])) }
            }
            offset += b.count
        }
        var stream = GrossErrorStream(validationReportDays: vDays, scores: vScores, firstDay: 0)
        var days = stream.lastDetection.map { $0 > Int.min / 2 ? [$0] : [] }
        for t in 0..<r.scenario.productionDays {
            stream.feed(day: t, scores: (arriving[Int32(t)] ?? []).sorted { $0.id < $1.id }.map(\.score))
            for k in days.indices where stream.lastDetection[k] == t { days[k].append(t) }
        }
        return (stream, days)
    }

    /// Prints the stream's detection days and its gross-error rate on production frauds of cohorts
    /// before and after the onset; returns the detection days (`GrossErrorStream.ids` order).
    @discardableResult
    static func streamReport(_ r: Scored, label: String) -> [[Int]] {
        let (stream, days) = Self.grossErrorDetections(r)
        let onset = r.scenario.failures.first?.startDay ?? Int.max
        var pre = (0, 0), post = (0, 0)
        var offset = 0
        for b in r.batches {
            for i in 0..<b.count where b.day >= 0 && b.chargebackDay[i] != TransactionSimulator.never && Int(b.chargebackDay[i]) < r.scenario.productionDays {
                let e = r.scores[offset + i] <= stream.errorCut ? 1 : 0
                if b.day < onset { pre.0 += e; pre.1 += 1 } else { post.0 += e; post.1 += 1 }
            }
            offset += b.count
        }
        let rate = { (x: (Int, Int)) in (Double(x.0) / Double(Swift.max(1, x.1)) * 1000).rounded() / 1000 }
        let summary = zip(GrossErrorStream.ids, days).map { "\($0) \($1)" }.joined(separator: ", ")
        print("POWER stream \(label): \(stream.seen) arrivals, gross-error rate \(rate(pre)) on pre-onset cohorts (\(pre.1)), \(rate(post)) after (\(post.1)); detection days: \(summary)")
        return days
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
