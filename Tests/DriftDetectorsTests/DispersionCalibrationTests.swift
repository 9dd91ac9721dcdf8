import Testing
import Foundation
import DriftCore
@testable import DriftDetectors

/// Calibration of the count tests when frauds come in bursts (docs/lab.md, "Clustered counts"):
/// windows whose frauds arrive in clusters of K = 1 + Poisson(2) rows sharing one score (a card's
/// burst looks alike), so counts vary E[K²]/E[K] = 11/3 times more than independent rows. With
/// `dispersion` left at 1 the alert-rate and BBSE p-values reject far above their level; with the
/// design effect they stay within [0.5x, 1.5x] of it (3 binomial SD of slack for 300 windows).
@Suite struct DispersionCalibrationTests {
    static let threshold = 0.2
    static let reference = classConditionalScores(rows: 200_000, prior: 0.02, seed: 1)
    static let scoreReference = ScoreReference(scores: reference.scores, labels: reference.labels, threshold: threshold)
    static let bbse = BlackBoxShiftEstimator(predicted: reference.scores.map { $0 >= threshold }, labels: reference.labels)

    /// One window of `rows` rows at a 2 % fraud share, frauds in bursts sharing a score.
    static func clusteredWindow(rows: Int, rng: inout Xoshiro256StarStar) -> [Double] {
        var s: [Double] = []
        s.reserveCapacity(rows + 16)
        let clusters = rng.poisson(Double(rows) * 0.02 / 3)
        for _ in 0..<clusters {
            let k = 1 + rng.poisson(2)
            let score = 1 / (1 + exp(-rng.normal(mean: 0.5, sd: 1)))
            s.append(contentsOf: repeatElement(score, count: k))
        }
        while s.count < rows { s.append(1 / (1 + exp(-rng.normal(mean: -4, sd: 1)))) }
        return s
    }

    @Test func designEffectRestoresTheLevelOfAlertRateAndBBSE() {
        var rng = Xoshiro256StarStar(seed: 77, stream: streamID("bursts"))
        let windows = 300, level = 0.05
        var plain = OutputConfiguration(), inflated = OutputConfiguration()
        inflated.dispersion = 11.0 / 3
        var rejected = (alertPlain: 0, alertInflated: 0, bbsePlain: 0, bbseInflated: 0)
        for _ in 0..<windows {
            let w = Self.clusteredWindow(rows: 5_000, rng: &rng)
            let alerts = w.filter { $0 >= Self.threshold }.count
            plain.alpha = level; inflated.alpha = level
            if (OutputMonitors.alertRate(reference: Self.scoreReference, windowScores: w, configuration: plain).pValue ?? 1) < level { rejected.alertPlain += 1 }
            if (OutputMonitors.alertRate(reference: Self.scoreReference, windowScores: w, configuration: inflated).pValue ?? 1) < level { rejected.alertInflated += 1 }
            if (Self.bbse.check(windowPredictedPositive: alerts, windowCount: w.count, configuration: plain).pValue ?? 1) < level { rejected.bbsePlain += 1 }
            if (Self.bbse.check(windowPredictedPositive: alerts, windowCount: w.count, configuration: inflated).pValue ?? 1) < level { rejected.bbseInflated += 1 }
        }
        let rate = { (k: Int) in Double(k) / Double(windows) }
        let slack = 3 * (level * (1 - level) / Double(windows)).squareRoot()
        print("CALIBRATION clustered frauds (E[K²]/E[K] = 3.67, 300 windows of 5,000 rows, level 0.05): alert rate \(rate(rejected.alertPlain)) -> \(rate(rejected.alertInflated)), BBSE \(rate(rejected.bbsePlain)) -> \(rate(rejected.bbseInflated))")
        #expect(rate(rejected.alertPlain) > 1.5 * level + slack)
        #expect(rate(rejected.bbsePlain) > 1.5 * level + slack)
        for r in [rate(rejected.alertInflated), rate(rejected.bbseInflated)] {
            #expect(r >= 0.5 * level - slack && r <= 1.5 * level + slack, "\(rejected)")
        }
    }

    /// BBSE's 95 % interval on the same clustered windows: with the binomial standard error it is √φ ≈
    /// 1.9 times too narrow and covers the windows' expected prior (0.02) about P(|Z| < 1.96/1.91) ≈ 69 %
    /// of the time; widened by √φ it covers it at about the nominal 95 %.
    @Test func bbseIntervalWidenedByTheDesignEffectCoversThePrior() {
        var rng = Xoshiro256StarStar(seed: 78, stream: streamID("bursts"))
        let windows = 300
        var plain = OutputConfiguration(), inflated = OutputConfiguration()
        plain.dispersion = 1
        inflated.dispersion = 11.0 / 3
        var covered = (plain: 0, inflated: 0)
        for _ in 0..<windows {
            let w = Self.clusteredWindow(rows: 5_000, rng: &rng)
            let alerts = w.filter { $0 >= Self.threshold }.count
            for (c, inflate) in [(plain, false), (inflated, true)] {
                let r = Self.bbse.check(windowPredictedPositive: alerts, windowCount: w.count, configuration: c)
                if (r.details["ci_lower"] ?? 1) <= 0.02 && 0.02 <= (r.details["ci_upper"] ?? 0) {
                    if inflate { covered.inflated += 1 } else { covered.plain += 1 }
                }
            }
        }
        let rate = { (k: Int) in Double(k) / Double(windows) }
        let slack = 3 * (0.95 * 0.05 / Double(windows)).squareRoot()
        print("CALIBRATION clustered frauds, BBSE 95 % interval covers the prior 0.02: binomial \(rate(covered.plain)), widened by √φ \(rate(covered.inflated))")
        #expect(rate(covered.inflated) >= 0.95 - slack, "\(covered)")
        #expect(rate(covered.plain) <= 0.80, "\(covered)")
        // The estimate and its binomial standard error do not depend on φ, only the interval.
        let e1 = Self.bbse.estimate(windowPredictedPositive: 150, windowCount: 5_000)
        let e4 = Self.bbse.estimate(windowPredictedPositive: 150, windowCount: 5_000, dispersion: 4)
        #expect(e1.prior == e4.prior && e1.standardError == e4.standardError)
        #expect(Swift.abs((e4.upper - e4.lower) - 2 * (e1.upper - e1.lower)) <= 1e-12)
    }

    @Test func labelCountTestsDivideZByTheRootOfTheDesignEffect() {
        // Matured fraud rate: the same counts give a p-value from z/√φ.
        var log = LabelledLog(days: [], scores: [], reportDays: [], threshold: 0.5)
        for d in 0..<200 {
            for i in 0..<200 {
                let fraud = (d < 100 ? i < 2 : i < 3)  // 1 % in the reference days, 1.5 % in the recent ones
                log.days.append(Int32(d)); log.scores.append(0.01); log.reportDays.append(fraud ? Int32(d + 1) : LabelledLog.never)
            }
        }
        let refLog = LabelledLog(days: Array(log.days[0..<20_000]), scores: Array(log.scores[0..<20_000]),
                                 reportDays: Array(log.reportDays[0..<20_000]), threshold: 0.5)
        let reference = LabelReference(log: refLog, asOf: 1_000, chargebackWindow: 30)
        var c = LabelConfiguration()
        let plain = LabelMonitors.maturedFraudRate(log: log, asOf: 199, reference: reference, configuration: c)
        c.dispersion = 4
        let inflated = LabelMonitors.maturedFraudRate(log: log, asOf: 199, reference: reference, configuration: c)
        let z = SpecialFunctions.normalQuantile(1 - (plain.pValue ?? 1) / 2)
        let expected = 2 * SpecialFunctions.normalSurvival(z / 2)
        #expect(Swift.abs((inflated.pValue ?? 0) - expected) <= 1e-6 * expected, "\(plain.pValue ?? .nan) \(inflated.pValue ?? .nan)")
        #expect((inflated.pValue ?? 0) > (plain.pValue ?? 1))
    }
}
