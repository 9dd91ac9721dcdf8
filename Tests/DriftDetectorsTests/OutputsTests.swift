import Testing
import Foundation
import DriftCore
@testable import DriftDetectors

/// Class-conditional scores: y ~ Bernoulli(prior), score = sigmoid(N(mu_y, 1)).
func classConditionalScores(rows: Int, prior: Double, seed: UInt64, legitimateMean: Double = -4, fraudMean: Double = 0.5) -> (scores: [Double], labels: [Bool]) {
    var rng = Xoshiro256StarStar(seed: seed, stream: streamID("scores"))
    var s = [Double](), y = [Bool]()
    for _ in 0..<rows {
        let fraud = rng.bernoulli(prior)
        s.append(1 / (1 + exp(-rng.normal(mean: fraud ? fraudMean : legitimateMean, sd: 1))))
        y.append(fraud)
    }
    return (s, y)
}

/// Calibrated scores: s = sigmoid(N(-4.5, 1.5)), y ~ Bernoulli(s).
func calibratedScores(rows: Int, seed: UInt64) -> (scores: [Double], labels: [Bool]) {
    var rng = Xoshiro256StarStar(seed: seed, stream: streamID("calibrated"))
    var s = [Double](), y = [Bool]()
    for _ in 0..<rows {
        let p = 1 / (1 + exp(-rng.normal(mean: -4.5, sd: 1.5)))
        s.append(p); y.append(rng.bernoulli(p))
    }
    return (s, y)
}

@Suite struct OutputsTests {
    static let threshold = 0.2
    static let referenceData = classConditionalScores(rows: 200_000, prior: 0.02, seed: 1)
    static let scoreReference = ScoreReference(scores: referenceData.scores, labels: referenceData.labels, threshold: threshold)
    static let bbse = BlackBoxShiftEstimator(predicted: referenceData.scores.map { $0 >= threshold }, labels: referenceData.labels)

    func alerts(_ s: [Double]) -> Int { s.filter { $0 >= Self.threshold }.count }

    @Test(arguments: [100, 10_000, 100_000])
    func cleanScoreWindowsStayQuiet(rows: Int) {
        let w = classConditionalScores(rows: rows, prior: 0.02, seed: UInt64(rows))
        let results = [OutputMonitors.predictionDrift(reference: Self.scoreReference, windowScores: w.scores),
                       OutputMonitors.alertRate(reference: Self.scoreReference, windowScores: w.scores),
                       Self.bbse.check(windowPredictedPositive: alerts(w.scores), windowCount: rows)]
        #expect(monitorAlarms(results).isEmpty, "\(monitorSummary(results))")
    }

    @Test func priorShiftReadsAsPriorShift() {
        // PSI on scores is a weak prior-shift detector at a 2 % base rate (x3 gives PSI ~0.03, see
        // docs/monitors.md); a large wave (2 % -> 15 %) moves it and the mixture fit names the kind.
        let big = classConditionalScores(rows: 50_000, prior: 0.15, seed: 5)
        let psi = OutputMonitors.predictionDrift(reference: Self.scoreReference, windowScores: big.scores)
        #expect(psi.alarm && psi.indicates == .priorShift && psi.subkind == "fraud_wave", "\(psi)")
        #expect(Swift.abs((psi.details["fitted_prior"] ?? 0) - 0.15) < 0.01)
        // A tripled prior: alert rate and BBSE fire.
        let w = classConditionalScores(rows: 50_000, prior: 0.06, seed: 5)
        #expect(OutputMonitors.alertRate(reference: Self.scoreReference, windowScores: w.scores).alarm)
        let bbse = Self.bbse.check(windowPredictedPositive: alerts(w.scores), windowCount: w.scores.count)
        #expect(bbse.alarm && bbse.indicates == .priorShift && bbse.subkind == "fraud_wave")
        #expect(bbse.details["ci_lower"]! <= 0.06 && 0.06 <= bbse.details["ci_upper"]!, "\(bbse)")
    }

    @Test func covariateShiftOfScoresReadsAsCovariate() {
        // Legitimate traffic moves towards higher scores: not a mixture of the class-conditionals.
        let w = classConditionalScores(rows: 50_000, prior: 0.02, seed: 6, legitimateMean: -3.2)
        let psi = OutputMonitors.predictionDrift(reference: Self.scoreReference, windowScores: w.scores)
        #expect(psi.alarm && psi.indicates == .covariateShift, "\(psi)")
    }

    @Test func bbseIntervalCoversTheTruePrior() {
        // 20 windows of 20,000 rows at a tripled prior: the 95 % interval should cover 0.06 in most.
        var covered = 0
        var estimates: [Double] = []
        for seed in 0..<20 {
            let w = classConditionalScores(rows: 20_000, prior: 0.06, seed: 100 + UInt64(seed))
            let e = Self.bbse.estimate(windowPredictedPositive: alerts(w.scores), windowCount: w.scores.count)
            if e.lower <= 0.06 && 0.06 <= e.upper { covered += 1 }
            estimates.append(e.prior)
            #expect(e.defined)
        }
        #expect(covered >= 16, "covered \(covered) of 20")
        #expect(Swift.abs(Descriptive.mean(estimates) - 0.06) < 0.003)
        // Weights solve C w = mu: the legitimate weight is (1 - q)/(1 - p).
        let e = Self.bbse.estimate(windowPredictedPositive: 1_000, windowCount: 20_000)
        #expect(Swift.abs(e.weights[0] - (1 - e.prior) / (1 - Self.bbse.referencePrior)) < 1e-9)
    }

    @Test func cbpeMatchesRealisedPerformanceOnCalibratedData() throws {
        let d = calibratedScores(rows: 100_000, seed: 9)
        let e = ConfidenceBasedPerformance.estimate(scores: d.scores, threshold: 0.1)
        var tp = 0, fn = 0, alerts = 0
        for i in 0..<d.scores.count {
            if d.scores[i] >= 0.1 { alerts += 1; if d.labels[i] { tp += 1 } } else if d.labels[i] { fn += 1 }
        }
        let recall = Double(tp) / Double(tp + fn), precision = Double(tp) / Double(alerts)
        #expect(Swift.abs(e.expectedRecall - recall) < 0.03, "expected \(e.expectedRecall) realised \(recall)")
        #expect(Swift.abs(e.expectedPrecision - precision) < 0.03)
        let auc = try #require(LabelMonitors.rocAUC(scores: d.scores, arrived: d.labels))
        #expect(Swift.abs(e.expectedAUC - auc) < 0.02, "expected \(e.expectedAUC) realised \(auc)")
        // The label-free alarm: a window moved to less certain scores loses expected recall.
        let shifted = ConfidenceBasedPerformance.estimate(scores: d.scores.map { $0 * 0.5 }, threshold: 0.1)
        #expect(ConfidenceBasedPerformance.check(reference: e, window: shifted).alarm)
        #expect(!ConfidenceBasedPerformance.check(reference: e, window: ConfidenceBasedPerformance.estimate(
            scores: calibratedScores(rows: 20_000, seed: 10).scores, threshold: 0.1)).alarm)
    }

    /// Brute-force reference (numpy, O(n²)):
    /// ```python
    /// p=np.array([0.05,0.2,0.2,0.7,0.9,0.5,0.1,0.3]); num=0
    /// for i in range(8):
    ///     for j in range(8):
    ///         if i!=j: num += p[i]*(1-p[j])*(1.0 if p[i]>p[j] else 0.5 if p[i]==p[j] else 0.0)
    /// print(num/(p.sum()*(1-p).sum()-(p*(1-p)).sum()))   # 0.86366959064327486
    /// ```
    @Test func expectedAUCMatchesBruteForce() {
        let e = ConfidenceBasedPerformance.estimate(scores: [0.05, 0.2, 0.2, 0.7, 0.9, 0.5, 0.1, 0.3], threshold: 0.5)
        #expect(Swift.abs(e.expectedAUC - 0.86366959064327486) < 1e-12)
        #expect(Swift.abs(e.expectedRecall - (0.7 + 0.9 + 0.5) / 2.95) < 1e-12)
        #expect(Swift.abs(e.expectedPrecision - 2.1 / 3) < 1e-12)
    }

    @Test func edgeCasesGiveDefinedResults() {
        #expect(!OutputMonitors.predictionDrift(reference: Self.scoreReference, windowScores: []).alarm)
        #expect(!OutputMonitors.alertRate(reference: Self.scoreReference, windowScores: [.nan, .infinity]).alarm)
        let empty = ScoreReference(scores: [], threshold: 0.5)
        #expect(!OutputMonitors.predictionDrift(reference: empty, windowScores: [0.1, 0.2]).alarm)
        let oneClass = BlackBoxShiftEstimator(predicted: [true, false, false], labels: [false, false, false])
        let r = oneClass.check(windowPredictedPositive: 3, windowCount: 10)
        #expect(!r.alarm && r.details["defined"] == 0)
        #expect(!Self.bbse.check(windowPredictedPositive: 0, windowCount: 0).alarm)
        let e = ConfidenceBasedPerformance.estimate(scores: [], threshold: 0.5)
        #expect(e.rows == 0 && e.expectedRecall == 0 && e.expectedAUC == 0)
        let constant = ConfidenceBasedPerformance.estimate(scores: [0.3, 0.3, 0.3], threshold: 0.5)
        #expect(Swift.abs(constant.expectedAUC - 0.5) < 1e-12 && constant.expectedPrecision == 0)
    }
}
