import DriftCore
import Foundation
import Testing
@testable import DriftModels

// Reference values from scikit-learn 1.9.1 / SciPy 1.17.1 (oracle venv), computed once:
//
//   import numpy as np
//   from sklearn.metrics import roc_auc_score, average_precision_score, log_loss, brier_score_loss, \
//       precision_score, recall_score, f1_score
//   from sklearn.calibration import calibration_curve
//   from scipy.stats import binomtest
//   s = np.array([0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.05, 0.4, 0.6, 0.2, 0.75, 0.3, 0.55, 0.95, 0.15, 0.4,
//                 0.65, 0.05, 0.85, 0.5])
//   y = np.array([0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1])
//   roc_auc_score(y, s)             # 0.87
//   average_precision_score(y, s)   # 0.8733821733821734
//   log_loss(y, s)                  # 0.4368320176657071
//   brier_score_loss(y, s)          # 0.145125
//   calibration_curve(y, s, n_bins=5)
//     # prob_true [0.0, 0.5, 0.6666666666666666, 0.6666666666666666, 1.0]
//     # prob_pred [0.11000000000000001, 0.375, 0.5499999999999999, 0.7333333333333334, 0.9]
//   yp = (s >= 0.5).astype(int)
//   precision_score(y, yp), recall_score(y, yp), f1_score(y, yp)
//     # 0.7777777777777778 0.7 0.7368421052631579
//   binomtest(7, 9).proportion_ci(confidence_level=0.95, method="wilson")   # (0.4525889691069889, 0.9367748928821533)
//   binomtest(0, 50).proportion_ci(confidence_level=0.95, method="wilson")  # (0.0, 0.07134759913335872)
let metricScores: [Double] = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.05, 0.4, 0.6, 0.2, 0.75, 0.3, 0.55, 0.95, 0.15, 0.4,
                              0.65, 0.05, 0.85, 0.5]
let metricLabels: [UInt8] = [0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1]

func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool { Swift.abs(a - b) <= tolerance * Swift.max(1, Swift.abs(b)) }

@Suite struct MetricsTests {
    @Test func rankingMetricsMatchScikitLearn() {
        #expect(close(Metrics.rocAUC(scores: metricScores, labels: metricLabels), 0.87))
        #expect(close(Metrics.averagePrecision(scores: metricScores, labels: metricLabels), 0.8733821733821734))
    }

    @Test func probabilityMetricsMatchScikitLearn() {
        #expect(close(Metrics.logLoss(probabilities: metricScores, labels: metricLabels), 0.4368320176657071))
        #expect(close(Metrics.brierScore(probabilities: metricScores, labels: metricLabels), 0.145125))
    }

    @Test func reliabilityMatchesCalibrationCurve() {
        let r = Metrics.reliability(probabilities: metricScores, labels: metricLabels, bins: 5)
        let observed = [0.0, 0.5, 0.6666666666666666, 0.6666666666666666, 1.0]
        let predicted = [0.11000000000000001, 0.375, 0.5499999999999999, 0.7333333333333334, 0.9]
        #expect(r.bins.count == 5)
        for (b, (o, p)) in zip(r.bins, zip(observed, predicted)) {
            #expect(close(b.observedRate, o)); #expect(close(b.meanPredicted, p))
        }
        // ECE = sum n_k / n |observed - predicted| over the same bins.
        let counts = r.bins.map { Double($0.count) }
        var ece = 0.0
        for k in 0..<5 { ece += counts[k] / 20 * Swift.abs(observed[k] - predicted[k]) }
        #expect(close(r.expectedCalibrationError, ece))
        #expect(counts.reduce(0, +) == 20)
    }

    @Test func thresholdMetricsMatchScikitLearn() {
        let t = Metrics.atThreshold(scores: metricScores, labels: metricLabels, threshold: 0.5)
        #expect(close(t.precision, 0.7777777777777778))
        #expect(close(t.recall, 0.7))
        #expect(close(t.f1, 0.7368421052631579))
        #expect(close(t.alertRate, 9.0 / 20))
    }

    @Test func wilsonMatchesSciPy() {
        let a = Metrics.wilsonInterval(successes: 7, trials: 9)
        #expect(close(a.lower, 0.4525889691069889, 1e-9) && close(a.upper, 0.9367748928821533, 1e-9))
        let b = Metrics.wilsonInterval(successes: 0, trials: 50)
        #expect(b.lower == 0 && close(b.upper, 0.07134759913335872, 1e-9))
    }

    @Test func aucCountsTiesAsOneHalf() {
        // All scores equal: every pair is a tie.
        #expect(Metrics.rocAUC(scores: [0.3, 0.3, 0.3, 0.3], labels: [0, 1, 0, 1]) == 0.5)
        #expect(Metrics.rocAUC(scores: [0.1, 0.2, 0.3, 0.4], labels: [0, 0, 1, 1]) == 1)
        #expect(Metrics.rocAUC(scores: [0.4, 0.3, 0.2, 0.1], labels: [0, 0, 1, 1]) == 0)
    }

    @Test func degenerateInputGivesNaN() {
        #expect(Metrics.rocAUC(scores: [], labels: []).isNaN)
        #expect(Metrics.rocAUC(scores: [0.1, 0.2], labels: [1, 1]).isNaN)
        #expect(Metrics.rocAUC(scores: [0.1, .nan], labels: [0, 1]).isNaN)
        #expect(Metrics.averagePrecision(scores: [0.1, 0.2], labels: [0, 0]).isNaN)
        #expect(Metrics.logLoss(probabilities: [], labels: []).isNaN)
        #expect(Metrics.brierScore(probabilities: [], labels: []).isNaN)
        #expect(Metrics.reliability(probabilities: [], labels: []).expectedCalibrationError.isNaN)
        let t = Metrics.atThreshold(scores: [0.1, 0.2], labels: [0, 0], threshold: 0.5)
        #expect(t.recall.isNaN && t.precision.isNaN && t.f1.isNaN && t.alertRate == 0)
        #expect(Metrics.wilsonInterval(successes: 0, trials: 0).lower.isNaN)
        #expect(Metrics.bootstrapAUC(scores: [0.1, 0.2], labels: [1, 1]).lower.isNaN)
        // Probabilities of exactly 0 and 1 are clipped, not infinite.
        #expect(Metrics.logLoss(probabilities: [0, 1], labels: [1, 0]).isFinite)
    }

    @Test func bootstrapIsSeededAndBracketsTheEstimate() {
        var g = Xoshiro256StarStar(seed: 3)
        let labels: [UInt8] = (0..<400).map { _ in g.bernoulli(0.3) ? 1 : 0 }
        let scores = labels.map { Double($0) * 0.8 + g.normal() }
        let a = Metrics.bootstrapAUC(scores: scores, labels: labels, resamples: 100, seed: 7)
        let b = Metrics.bootstrapAUC(scores: scores, labels: labels, resamples: 100, seed: 7)
        let c = Metrics.bootstrapAUC(scores: scores, labels: labels, resamples: 100, seed: 8)
        let auc = Metrics.rocAUC(scores: scores, labels: labels)
        #expect(a.lower == b.lower && a.upper == b.upper)
        #expect(a.lower != c.lower || a.upper != c.upper)
        #expect(a.lower < auc && auc < a.upper && a.upper - a.lower < 0.2)
    }
}
