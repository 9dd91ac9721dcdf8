import Foundation
import DriftCore

/// Label-free performance estimation from calibrated scores: the confidence-based approach that
/// NannyML calls CBPE. With calibrated probabilities s_i a row is a fraud with probability s_i, so
/// the expected confusion counts at threshold t are
///   E[TP] = Σ_{s_i >= t} s_i, E[FP] = Σ_{s_i >= t} (1 - s_i), E[FN] = Σ_{s_i < t} s_i,
/// and the estimates are ratios of expectations: recall = E[TP]/(E[TP] + E[FN]),
/// precision = E[TP]/#alerts. Expected ROC AUC is the analytic ratio of expectations of the
/// Mann-Whitney numerator and denominator when labels are independent Bernoulli(s_i):
///   AUC = Σ_{i≠j} s_i(1 - s_j)·[s_i > s_j, ½ on ties] / (Σs·Σ(1-s) - Σ s(1-s)),
/// computed in O(n log n) after sorting. Scores must be calibrated first (the models' calibrator).
public enum ConfidenceBasedPerformance {
    public struct Estimate: Sendable, Equatable {
        public var rows: Int
        public var alerts: Int
        /// Σ s_i: the expected number of frauds.
        public var expectedPositives: Double
        public var expectedRecall: Double
        public var expectedPrecision: Double
        public var expectedAUC: Double
    }

    /// The estimate on one window (non-finite scores skipped; scores clipped to [0, 1]).
    /// An empty window, no expected fraud or no alert give 0 for the undefined ratios.
    public static func estimate(scores: [Double], threshold: Double) -> Estimate {
        var probs = [Double]()
        probs.reserveCapacity(scores.count)
        for s in scores where s.isFinite { probs.append(Swift.min(1, Swift.max(0, s))) }
        var tp = 0.0, fn = 0.0, alerts = 0, sumS = 0.0, sumSelf = 0.0
        for s in probs {
            sumS += s
            sumSelf += s * (1 - s)
            if s >= threshold { tp += s; alerts += 1 } else { fn += s }
        }
        let n = probs.count
        let recall = tp + fn > 0 ? tp / (tp + fn) : 0
        let precision = alerts > 0 ? tp / Double(alerts) : 0
        // Expected AUC: ascending sort; for each tie group G, rows above contribute fully.
        RadixSort.sort(&probs)
        var numerator = 0.0
        var above = sumS
        var k = 0
        while k < n {
            var e = k
            var groupS = 0.0, groupNeg = 0.0, groupCross = 0.0
            while e < n && probs[e] == probs[k] { e += 1 }
            for t in k..<e { groupS += probs[t]; groupNeg += 1 - probs[t] }
            above -= groupS
            for t in k..<e { groupCross += (1 - probs[t]) * (groupS - probs[t]) }
            numerator += groupNeg * above + 0.5 * groupCross
            k = e
        }
        let denominator = sumS * (Double(n) - sumS) - sumSelf
        let auc = denominator > 0 ? numerator / denominator : 0
        return Estimate(rows: n, alerts: alerts, expectedPositives: sumS, expectedRecall: recall,
                        expectedPrecision: precision, expectedAUC: auc)
    }

    /// Label-free performance alarm: expected recall of the window below the reference window's
    /// expected recall by at least `recallMinimumDrop`. Indicates `.covariateShift` (inputs moved
    /// into regions where the model is less sure; the model is assumed calibrated there).
    public static func check(reference: Estimate, window: Estimate, configuration c: OutputConfiguration = .init()) -> DetectorResult {
        let threshold = reference.expectedRecall - c.recallMinimumDrop
        let alarm = window.rows > 0 && window.expectedPositives > 0 && window.expectedRecall < threshold
        return DetectorResult(detector: "cbpe_recall", features: ["score"], statistic: window.expectedRecall, threshold: threshold,
                              alarm: alarm, indicates: .covariateShift,
                              details: ["expected_precision": window.expectedPrecision, "expected_auc": window.expectedAUC,
                                        "reference_expected_recall": reference.expectedRecall])
    }
}
