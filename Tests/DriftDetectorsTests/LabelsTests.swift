import Testing
import Foundation
import DriftCore
@testable import DriftDetectors

/// A synthetic scored log with chargeback arrival: calibrated scores s = sigmoid(N(-4.5, 1.5)),
/// fraud ~ Bernoulli(s) (+ `extraRisk` for rows below the threshold from `conceptDay`: a new
/// pattern the model misses); 90 % of frauds are charged back after a lognormal delay (median
/// 21 days, 99th percentile 120), times `delayMultiplier` from `delayDay`, reported with
/// `coverage` from `coverageDay`; no chargeback arrives during `outage` (the backlog arrives after).
struct LabelScenario {
    var days = 180
    var rowsPerDay = 1_500
    var seed: UInt64 = 1
    var delayMultiplier = 1.0, delayDay = 0
    var coverage = 0.9, coverageDay = 0
    var outage: Range<Int>? = nil
    var extraRisk = 0.0, conceptDay = 0
    /// Prior shift by class-conditional resampling: legitimate rows are kept with probability 1/m.
    var priorMultiplier = 1.0
    /// Covariate shift: the calibrated scores' location (log-odds) moves; P(fraud | score) stays.
    var scoreMean = -4.5
    static let threshold = 0.1

    func log() -> LabelledLog {
        var rng = Xoshiro256StarStar(seed: seed, stream: streamID("labels"))
        var d = [Int32](), s = [Double](), r = [Int32]()
        let sigma = Foundation.log(120.0 / 21) / 2.326
        for day in 0..<days {
            for _ in 0..<rowsPerDay {
                let p = 1 / (1 + exp(-rng.normal(mean: scoreMean, sd: 1.5)))
                let risk = p + (day >= conceptDay && p < Self.threshold ? extraRisk : 0)
                let fraud = rng.bernoulli(risk)
                if !fraud && priorMultiplier != 1 && !rng.bernoulli(1 / priorMultiplier) { continue }
                var report = LabelledLog.never
                let covered = rng.bernoulli(day >= coverageDay ? coverage : 0.9)
                var delay = rng.lognormal(mu: Foundation.log(21), sigma: sigma)
                if day >= delayDay { delay *= delayMultiplier }
                if fraud && covered {
                    var arrival = day + Int(delay)
                    if let o = outage, o.contains(arrival) { arrival = o.upperBound }
                    report = Int32(arrival)
                }
                d.append(Int32(day)); s.append(p); r.append(report)
            }
        }
        return LabelledLog(days: d, scores: s, reportDays: r, threshold: Self.threshold)
    }

    static let reference = LabelReference(log: LabelScenario(days: 60, seed: 99).log(), asOf: 400)
    static let clean = LabelScenario(seed: 2).log()
}

func labelResults(_ log: LabelledLog, at t: Int32) -> [DetectorResult] {
    let ref = LabelScenario.reference
    return [LabelMonitors.latency(log: log, asOf: t, reference: ref),
            LabelMonitors.coverage(log: log, asOf: t, reference: ref),
            LabelMonitors.outage(log: log, asOf: t, reference: ref),
            LabelMonitors.conceptDrift(log: log, asOf: t, reference: ref),
            LabelMonitors.calibration(log: log, asOf: t, reference: ref),
            LabelMonitors.maturedFraudRate(log: log, asOf: t, reference: ref)]
}

@Suite struct LabelsTests {
    @Test func referenceCurveIsSensible() {
        let ref = LabelScenario.reference
        #expect(ref.medianDelay >= 19 && ref.medianDelay <= 23)
        #expect(Swift.abs(ref.reportRatio - 0.9) < 0.05)
        #expect(ref.coverage(age: 120) > 0.98 && ref.coverage(age: -1) == 0)
    }

    @Test func noPeekingALabelArrivingTomorrowChangesNothingToday() {
        let t: Int32 = 100
        var log = LabelScenario.clean
        let before = labelResults(log, at: t)
        let perfBefore = LabelMonitors.perCohort(log: log, asOf: t, firstDay: 60, lastDay: 100)
        // Chargebacks that arrive at t + 1: some new, some moved earlier from later days.
        var changed = 0
        for i in 0..<log.count where log.days[i] >= 40 && log.days[i] <= 100 && log.scores[i] > 0.05 && changed < 300 {
            if log.reportDays[i] == LabelledLog.never || log.reportDays[i] > t + 1 { log.reportDays[i] = t + 1; changed += 1 }
        }
        // And rows of day t + 1 with their own chargebacks on t + 1.
        log.days += [Int32](repeating: t + 1, count: 50)
        log.scores += [Double](repeating: 0.9, count: 50)
        log.reportDays += [Int32](repeating: t + 1, count: 50)
        #expect(changed == 300)
        #expect(labelResults(log, at: t) == before)
        #expect(LabelMonitors.perCohort(log: log, asOf: t, firstDay: 60, lastDay: 100) == perfBefore)
        // The same change arriving at t does change the monitors (the test can fail).
        for i in 0..<log.count where log.reportDays[i] == t + 1 { log.reportDays[i] = t }
        #expect(labelResults(log, at: t) != before)
    }

    @Test func cleanLogStaysQuiet() {
        for t: Int32 in [30, 100, 179] {
            let results = labelResults(LabelScenario.clean, at: t)
            #expect(monitorAlarms(results).isEmpty, "day \(t): \(monitorSummary(results))")
        }
    }

    @Test func slowerChargebacks() {
        let log = LabelScenario(seed: 3, delayMultiplier: 3, delayDay: 20).log()
        let arrival = LabelMonitors.labelArrival(log: log, asOf: 80, reference: LabelScenario.reference)
        #expect(arrival.alarm && arrival.indicates == .labelDelay && arrival.subkind == "slower", "\(arrival)")
        #expect(arrival.details["median_delay_days"]! > Double(LabelScenario.reference.medianDelay))
        #expect(!LabelMonitors.conceptDrift(log: log, asOf: 80, reference: LabelScenario.reference).alarm)
    }

    @Test func coverageDrop() {
        let log = LabelScenario(seed: 4, coverage: 0.36, coverageDay: 20).log()
        let latency = LabelMonitors.latency(log: log, asOf: 80, reference: LabelScenario.reference)
        #expect(!latency.alarm, "\(latency)")
        let arrival = LabelMonitors.labelArrival(log: log, asOf: 80, reference: LabelScenario.reference)
        #expect(arrival.alarm && arrival.subkind == "coverage_drop", "\(arrival)")
        #expect(Swift.abs(arrival.statistic - 0.5) < 0.15)
    }

    @Test func outageThenBacklog() {
        let log = LabelScenario(seed: 5, outage: 50..<80).log()
        // Last arrival on day 49: on day 60 the feed has been silent for 11 days.
        let during = LabelMonitors.labelArrival(log: log, asOf: 60, reference: LabelScenario.reference)
        #expect(during.alarm && during.subkind == "outage" && during.statistic == 11, "\(during)")
        #expect(!LabelMonitors.outage(log: log, asOf: 50, reference: LabelScenario.reference).alarm)
        #expect(!LabelMonitors.outage(log: log, asOf: 81, reference: LabelScenario.reference).alarm)
    }

    @Test func conceptDriftShowsAsRealisedBelowLabelFree() {
        let log = LabelScenario(seed: 6, extraRisk: 0.01, conceptDay: 0).log()
        let r = LabelMonitors.conceptDrift(log: log, asOf: 150, reference: LabelScenario.reference)
        #expect(r.alarm && r.indicates == .conceptDrift, "\(r)")
        #expect(r.statistic < r.details["expected_recall"]! - 0.05)
        let calibration = LabelMonitors.calibration(log: log, asOf: 150, reference: LabelScenario.reference)
        #expect(calibration.alarm && calibration.statistic > 1.25, "\(calibration)")
    }

    @Test func priorShiftIsNoConceptDrift() {
        // Fraud share x3 by class-conditional resampling: recall given fraud is unchanged, the
        // matured fraud rate moves.
        let log = LabelScenario(seed: 7, priorMultiplier: 3).log()
        let concept = LabelMonitors.conceptDrift(log: log, asOf: 179, reference: LabelScenario.reference)
        #expect(!concept.alarm, "\(concept)")
        #expect(concept.details["cbpe_recall"]! > concept.details["expected_recall"]!)
        let matured = LabelMonitors.maturedFraudRate(log: log, asOf: 179, reference: LabelScenario.reference)
        #expect(matured.alarm && matured.indicates == .priorShift && matured.subkind == "fraud_wave", "\(matured)")
    }

    @Test func covariateShiftIsNoConceptDrift() {
        // Traffic moves to riskier-looking rows, the model stays calibrated: realised recall follows CBPE.
        for mean in [-5.5, -3.5] {
            let log = LabelScenario(seed: 8, scoreMean: mean).log()
            let results = labelResults(log, at: 179).filter { $0.detector == "concept_recall_gap" || $0.detector.hasPrefix("label_") }
            #expect(monitorAlarms(results).isEmpty, "mean \(mean): \(monitorSummary(results))")
        }
    }

    /// The recall gap reads young cohorts (aged 1 day on) with each row's label-free recall weighted by
    /// its cohort's reference coverage: traffic turns riskier-looking on the last 30 days (a covariate
    /// shift, the model stays calibrated), whose frauds have mostly not arrived by day 179. Unweighted,
    /// those cohorts' high scores lift the label-free recall 0.09 above the arrived frauds' (0.59 vs 0.50).
    @Test func recallGapWeightsYoungCohortsByCoverage() {
        let old = LabelScenario(seed: 9).log()
        let recent = LabelScenario(days: 30, seed: 10, scoreMean: -3).log()
        var log = old
        let keep = (0..<old.count).filter { old.days[$0] < 150 }
        log.days = keep.map { old.days[$0] } + recent.days.map { $0 + 150 }
        log.scores = keep.map { old.scores[$0] } + recent.scores
        log.reportDays = keep.map { old.reportDays[$0] } + recent.reportDays.map { $0 == LabelledLog.never ? $0 : $0 + 150 }
        let ref = LabelScenario.reference
        let r = LabelMonitors.conceptDrift(log: log, asOf: 179, reference: ref)
        var mature = LabelConfiguration()
        mature.conceptMinimumAge = nil
        let former = LabelMonitors.conceptDrift(log: log, asOf: 179, reference: ref, configuration: mature)
        print("LABELS recall gap, riskier last 30 days: realised \(r.statistic) target \(r.details["expected_recall"] ?? .nan) p \(r.pValue ?? .nan) arrived \(r.details["arrived"] ?? .nan); mature-only arrived \(former.details["arrived"] ?? .nan)")
        #expect(!r.alarm, "\(r)")
        #expect(Swift.abs(r.statistic - (r.details["cbpe_recall"] ?? 0)) < 0.03)
        #expect((r.details["arrived"] ?? 0) > (former.details["arrived"] ?? 0))
    }

    @Test func perCohortMetricsWithIntervals() {
        let cohorts = LabelMonitors.perCohort(log: LabelScenario.clean, asOf: 179, firstDay: 0, lastDay: 179)
        #expect(cohorts.count == 180)
        #expect(cohorts[0].matured && !cohorts[100].matured)
        for c in cohorts where c.arrivedFrauds > 0 {
            #expect(c.recallInterval.lower <= c.recall && c.recall <= c.recallInterval.upper)
            #expect(c.precisionInterval.lower <= c.precision && c.precision <= c.precisionInterval.upper)
        }
        // Young cohorts look worse on arrived labels (fewer chargebacks yet): precision measured on
        // the last week is below that of matured cohorts.
        let young = LabelMonitors.realised(log: LabelScenario.clean, asOf: 179, firstDay: 172, lastDay: 179)
        let old = LabelMonitors.realised(log: LabelScenario.clean, asOf: 179, firstDay: 0, lastDay: 59)
        #expect(young.precision < old.precision / 2)
        #expect(old.auc! > 0.8)
        let matured = LabelMonitors.maturedFraudRate(log: LabelScenario.clean, asOf: 179, reference: LabelScenario.reference)
        #expect(matured.details["rows"] == 28 * 1_500 && !matured.alarm)
    }

    @Test func edgeCasesGiveDefinedResults() {
        let empty = LabelledLog(days: [], scores: [], reportDays: [], threshold: 0.1)
        for r in labelResults(empty, at: 10) { #expect(!r.alarm && !r.statistic.isNaN) }
        // No labels arrived yet: day 0 of production.
        for r in labelResults(LabelScenario.clean, at: 0) { #expect(!r.alarm && !r.statistic.isNaN) }
        let p = LabelMonitors.realised(log: LabelScenario.clean, asOf: 0, firstDay: 0, lastDay: 0)
        #expect(p.arrivedFrauds == 0 && p.recall == 0 && p.recallInterval == (0, 1) && p.auc == nil)
        #expect(LabelMonitors.perCohort(log: empty, asOf: 5, firstDay: 10, lastDay: 20).isEmpty)
        // Extreme days: no overflow trap, defined results.
        #expect(LabelMonitors.perCohort(log: LabelScenario.clean, asOf: 3, firstDay: .min, lastDay: .max).count == 4)
        for r in labelResults(LabelScenario.clean, at: .min) + labelResults(LabelScenario.clean, at: .max - 1) { #expect(!r.statistic.isNaN) }
        #expect(LabelReference(log: LabelScenario.clean, asOf: 10, chargebackWindow: .max).chargebackWindow == 3_650)
        let emptyReference = LabelReference(log: empty, asOf: 0)
        for r in labelResults(LabelScenario.clean, at: 100).map({ _ in
            LabelMonitors.labelArrival(log: LabelScenario.clean, asOf: 100, reference: emptyReference) }) {
            #expect(!r.statistic.isNaN)
        }
    }
}

/// Calibration of the two monitors that compare production with a benign target measured on the
/// reference (realised recall, report ratio): 1,200 independent (reference, production) pairs of the
/// same failure-free process, false-alarm rates at a nominal 0.05 (effect floors off). The reference
/// holds about 310 reported frauds against about 730 arrived in production (printed), so its own
/// sampling error matters. Measured (release, 2026-11-23): calibration 0.036, recall gap 0.020; with the reference's
/// term left out of the z (as until 2026-11-23) 0.23 and 0.128. The recall gap's target is the min of
/// two estimates of the same recall (CBPE x the reference's realised/expected, and the reference's
/// realised recall), which makes it conservative when nothing moved: with the realised target alone
/// it read 0.036. Asserted: calibration within [0.5x, 1.5x]; the recall gap within [0.25x, 1.5x].
@Suite("Label monitors: calibrated against an independent reference each time")
struct LabelReferenceCalibrationTests {
    @Test func recallGapAndCalibrationHoldTheirLevelAcrossReferences() throws {
        let pairs = 1_200
        var c = LabelConfiguration()
        c.alpha = 0.05
        c.recallMinimumGap = 0
        c.calibrationRelativeEffect = 0
        let configuration = c
        let alarms = try Parallel.map(pairs, jobs: Parallel.defaultJobs) { k -> (Bool, Bool, Int, Double) in
            let reference = LabelReference(log: LabelScenario(days: 40, rowsPerDay: 300, seed: 10_000 + UInt64(k)).log(), asOf: 400)
            let production = LabelScenario(days: 150, rowsPerDay: 300, seed: 20_000 + UInt64(k)).log()
            let gap = LabelMonitors.conceptDrift(log: production, asOf: 149, reference: reference, configuration: configuration)
            let calibration = LabelMonitors.calibration(log: production, asOf: 149, reference: reference, configuration: configuration)
            return (gap.alarm, calibration.alarm, reference.frauds, gap.details["arrived"] ?? 0)
        }
        let gapRate = Double(alarms.filter(\.0).count) / Double(pairs)
        let calibrationRate = Double(alarms.filter(\.1).count) / Double(pairs)
        let referenceFrauds = Double(alarms.map(\.2).reduce(0, +)) / Double(pairs), arrived = alarms.map(\.3).reduce(0, +) / Double(pairs)
        print("CALIBRATION label monitors across references at 0.05: concept_recall_gap \(gapRate), calibration \(calibrationRate); mean reference frauds \(referenceFrauds), arrived \(arrived)")
        #expect(gapRate >= 0.0125 && gapRate <= 0.075, "concept_recall_gap \(gapRate)")
        #expect(calibrationRate >= 0.025 && calibrationRate <= 0.075, "calibration \(calibrationRate)")
    }

    /// The lab's reference side (docs/lab.md, "The benign recall target"): out-of-fold rows, 4 blocks
    /// of 10 days, each thresholded by its own fold model's alert-budget cut (the trainer's rule on a
    /// validation draw of 2,000 rows of its own; `hits:`), and production thresholded by the deployed
    /// model's cut chosen the same way on another draw: the target is then the recall of the training
    /// procedure, not of the one fit production runs, and that fit's threshold noise is not in the
    /// z. Measured (release, 2026-11-23): recall gap 0.021, calibration 0.036 at 0.05; asserted in the
    /// same bands as above.
    @Test func outOfFoldReferenceWithPerFoldThresholdsHoldsItsLevel() throws {
        let pairs = 1_200, budget = 0.062  // about the share of LabelScenario's scores above its 0.1 cut
        var c = LabelConfiguration()
        c.alpha = 0.05
        c.recallMinimumGap = 0
        c.calibrationRelativeEffect = 0
        let configuration = c
        /// The alert-budget threshold of a fresh validation draw: the score of its budget-th highest row.
        @Sendable func budgetCut(seed: UInt64) -> Double {
            let v = LabelScenario(days: 1, rowsPerDay: 2_000, seed: seed).log().scores.sorted(by: >)
            return v[Int(Double(v.count) * budget) - 1]
        }
        let alarms = try Parallel.map(pairs, jobs: Parallel.defaultJobs) { k -> (Bool, Bool) in
            let rows = LabelScenario(days: 40, rowsPerDay: 300, seed: 10_000 + UInt64(k)).log()
            let cuts = (0..<4).map { budgetCut(seed: 30_000 + 4 * UInt64(k) + UInt64($0)) }
            let hits = (0..<rows.count).map { rows.scores[$0] >= cuts[Int(rows.days[$0]) / 10] }
            let reference = LabelReference(log: rows, asOf: 400, hits: hits)
            var production = LabelScenario(days: 150, rowsPerDay: 300, seed: 20_000 + UInt64(k)).log()
            production.threshold = budgetCut(seed: 40_000 + UInt64(k))
            let gap = LabelMonitors.conceptDrift(log: production, asOf: 149, reference: reference, configuration: configuration)
            let calibration = LabelMonitors.calibration(log: production, asOf: 149, reference: reference, configuration: configuration)
            return (gap.alarm, calibration.alarm)
        }
        let gapRate = Double(alarms.filter(\.0).count) / Double(pairs)
        let calibrationRate = Double(alarms.filter(\.1).count) / Double(pairs)
        print("CALIBRATION label monitors, out-of-fold reference with per-fold thresholds, at 0.05: concept_recall_gap \(gapRate), calibration \(calibrationRate)")
        #expect(gapRate >= 0.0125 && gapRate <= 0.075, "concept_recall_gap \(gapRate)")
        #expect(calibrationRate >= 0.025 && calibrationRate <= 0.075, "calibration \(calibrationRate)")
    }

    /// `hits:` replaces score >= threshold row by row; nil keeps the single-threshold rule.
    @Test func explicitHitsSetTheReferenceRecall() {
        let log = LabelledLog(days: [0, 0, 0, 0], scores: [0.9, 0.2, 0.05, 0.5], reportDays: [3, 4, LabelledLog.never, 5], threshold: 0.3)
        let single = LabelReference(log: log, asOf: 10)
        #expect(single.frauds == 3 && abs(single.realisedRecall - 2.0 / 3) < 1e-12)
        #expect(abs(single.expectedRecall - 1.4 / 1.65) < 1e-12)
        let own = LabelReference(log: log, asOf: 10, hits: [true, true, false, false])
        #expect(abs(own.realisedRecall - 2.0 / 3) < 1e-12 && abs(own.expectedRecall - 1.1 / 1.65) < 1e-12)
        let none = LabelReference(log: log, asOf: 10, hits: [false, false, false, false])
        #expect(none.realisedRecall == 0 && none.expectedRecall == 0 && none.frauds == 3)
    }
}
