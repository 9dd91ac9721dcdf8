import DriftCore
import Foundation
import Testing
@testable import DriftModels

// Platt and isotonic calibration against scikit-learn 1.9.1 on the logits of the metric inputs:
//
//   from sklearn.calibration import _sigmoid_calibration
//   from sklearn.isotonic import IsotonicRegression
//   f = np.log(s / (1 - s))          # s, y as in MetricsTests.swift
//   _sigmoid_calibration(f, y)       # (-0.9920923657035498, -0.18650332999027136)
//   iso = IsotonicRegression(out_of_bounds="clip").fit(f, y)
//   iso.predict([-4.0, -2.0, -0.5, 0.0, 0.3, 1.0, 2.5, 4.0])
//     # [0.0, 0.0, 0.5555555555555556, 0.5555555555555556, 0.5555555555555556, 0.9086110424952132, 1.0, 1.0]
@Suite struct CalibrationTests {
    let logits = metricScores.map { log($0 / (1 - $0)) }

    @Test func plattMatchesScikitLearn() {
        guard case let .platt(a, b) = Calibrator.fit(.platt, logits: logits, labels: metricLabels) else {
            Issue.record("expected a Platt calibrator"); return
        }
        // scikit-learn stops L-BFGS at gtol 1e-6; ours is solved to machine precision.
        #expect(Swift.abs(a - -0.9920923657035498) < 1e-5)
        #expect(Swift.abs(b - -0.18650332999027136) < 1e-5)
    }

    @Test func isotonicMatchesScikitLearn() {
        let c = Calibrator.fit(.isotonic, logits: logits, labels: metricLabels)
        let q = [-4.0, -2.0, -0.5, 0.0, 0.3, 1.0, 2.5, 4.0]
        let expected = [0.0, 0.0, 0.5555555555555556, 0.5555555555555556, 0.5555555555555556, 0.9086110424952132, 1.0, 1.0]
        for (x, e) in zip(q, expected) { #expect(close(c.probability(x), e, 1e-12)) }
    }

    @Test func isotonicIsMonotoneAndRoundTrips() throws {
        var g = Xoshiro256StarStar(seed: 11)
        let f = (0..<500).map { _ in g.normal() * 2 }
        let y: [UInt8] = f.map { g.bernoulli(sigmoid($0 - 1)) ? 1 : 0 }
        let c = Calibrator.fit(.isotonic, logits: f, labels: y)
        let grid = stride(from: -6.0, through: 6.0, by: 0.05).map { c.probability($0) }
        #expect(zip(grid, grid.dropFirst()).allSatisfy { $0 <= $1 })
        let back = try Calibrator(json: try JSON.parse(c.json().serialized()), file: "t", path: "calibration")
        #expect(back == c)
    }

    @Test func alertBudgetFlagsTheTopShare() {
        let scores = (0..<1000).map { Double($0) / 1000 }
        let labels = [UInt8](repeating: 0, count: 1000)
        let t = ThresholdPolicy.alertBudget(0.01).choose(scores: scores, labels: labels)
        #expect(scores.filter { $0 >= t }.count == 10)
        // A budget below one row flags nothing.
        let none = ThresholdPolicy.alertBudget(0.0001).choose(scores: scores, labels: labels)
        #expect(scores.filter { $0 >= none }.isEmpty)
        #expect(ThresholdPolicy.fixed(0.3).choose(scores: scores, labels: labels) == 0.3)
        #expect(ThresholdPolicy.default == .alertBudget(0.01))
    }

    @Test func precisionTargetTakesTheMostRecall() {
        // Scores descending with labels 1 1 0 1 0 0: precision at each cut 1, 1, 2/3, 3/4, 3/5, 1/2.
        let scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
        let labels: [UInt8] = [1, 1, 0, 1, 0, 0]
        #expect(ThresholdPolicy.precisionTarget(0.75).choose(scores: scores, labels: labels) == 0.6)
        #expect(ThresholdPolicy.precisionTarget(1.0).choose(scores: scores, labels: labels) == 0.8)
        #expect(ThresholdPolicy(text: "precision:0.5") == .precisionTarget(0.5))
        #expect(ThresholdPolicy(text: "budget:2") == nil)
    }
}
