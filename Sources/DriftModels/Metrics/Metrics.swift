import DriftCore
import Foundation

/// Classification metrics with scikit-learn's definitions. Labels are 0/1 bytes. Degenerate input
/// (empty, one class where both are needed, NaN scores) gives NaN, never a trap.
public enum Metrics {
    /// ROC AUC as the Mann-Whitney statistic: P(score of a positive > score of a negative) with
    /// ties counted one half (equals scikit-learn's `roc_auc_score`). O(n) with radix sorts.
    public static func rocAUC(scores: [Double], labels: [UInt8]) -> Double {
        guard scores.count == labels.count else { return .nan }
        var pos: [Double] = [], neg: [Double] = []
        for (s, y) in zip(scores, labels) {
            if s.isNaN { return .nan }
            if y != 0 { pos.append(s) } else { neg.append(s) }
        }
        if pos.isEmpty || neg.isEmpty { return .nan }
        RadixSort.sort(&pos); RadixSort.sort(&neg)
        // For each positive (ascending): negatives strictly below it, and equal to it.
        var below = 0, k = 0
        var sum = 0.0
        var i = 0
        while i < pos.count {
            let s = pos[i]
            var j = i
            while j < pos.count && pos[j] == s { j += 1 }
            while k < neg.count && neg[k] < s { k += 1; below += 1 }
            var equal = 0
            while k + equal < neg.count && neg[k + equal] == s { equal += 1 }
            sum += Double(j - i) * (Double(below) + 0.5 * Double(equal))
            i = j
        }
        return sum / (Double(pos.count) * Double(neg.count))
    }

    /// Average precision as scikit-learn's `average_precision_score`: sum over distinct
    /// thresholds (descending) of (R_k - R_{k-1}) P_k. NaN without positives.
    public static func averagePrecision(scores: [Double], labels: [UInt8]) -> Double {
        guard scores.count == labels.count else { return .nan }
        var pos: [Double] = [], neg: [Double] = []
        for (s, y) in zip(scores, labels) {
            if s.isNaN { return .nan }
            if y != 0 { pos.append(s) } else { neg.append(s) }
        }
        if pos.isEmpty { return .nan }
        RadixSort.sort(&pos); RadixSort.sort(&neg)
        var ip = pos.count - 1, ineg = neg.count - 1
        var tp = 0.0, fp = 0.0, previousRecall = 0.0, ap = 0.0
        let total = Double(pos.count)
        while ip >= 0 || ineg >= 0 {
            let v = Swift.max(ip >= 0 ? pos[ip] : -.infinity, ineg >= 0 ? neg[ineg] : -.infinity)
            while ip >= 0 && pos[ip] == v { tp += 1; ip -= 1 }
            while ineg >= 0 && neg[ineg] == v { fp += 1; ineg -= 1 }
            let recall = tp / total
            ap += (recall - previousRecall) * tp / (tp + fp)
            previousRecall = recall
            if ip < 0 { break }  // recall is 1: later thresholds add nothing
        }
        return ap
    }

    /// Mean negative log-likelihood, probabilities clipped to [eps, 1 - eps] with eps the
    /// float64 machine epsilon (scikit-learn's `log_loss`). NaN for empty input.
    public static func logLoss(probabilities p: [Double], labels: [UInt8]) -> Double {
        guard !p.isEmpty, p.count == labels.count else { return .nan }
        let eps = Double.ulpOfOne
        var s = 0.0
        for (q, y) in zip(p, labels) {
            let c = Swift.min(Swift.max(q, eps), 1 - eps)
            s -= y != 0 ? log(c) : log(1 - c)
        }
        return s / Double(p.count)
    }

    /// Mean squared difference between probability and label (scikit-learn's `brier_score_loss`).
    public static func brierScore(probabilities p: [Double], labels: [UInt8]) -> Double {
        guard !p.isEmpty, p.count == labels.count else { return .nan }
        var s = 0.0
        for (q, y) in zip(p, labels) { let d = q - Double(y); s += d * d }
        return s / Double(p.count)
    }

    /// One bin of a reliability diagram.
    public struct ReliabilityBin: Sendable, Equatable {
        public let lower: Double
        public let upper: Double
        public let count: Int
        /// Mean predicted probability in the bin (scikit-learn's `prob_pred`).
        public let meanPredicted: Double
        /// Observed positive rate (`prob_true`), with a Wilson 95 % interval.
        public let observedRate: Double
        public let observedInterval: (lower: Double, upper: Double)
        public static func == (a: Self, b: Self) -> Bool {
            a.lower == b.lower && a.upper == b.upper && a.count == b.count && a.meanPredicted == b.meanPredicted
                && a.observedRate == b.observedRate
        }
    }

    /// A reliability table and the expected calibration error sum_k n_k/n |observed_k - predicted_k|.
    public struct Reliability: Sendable, Equatable {
        /// Non-empty bins only, in order (as scikit-learn's `calibration_curve`).
        public let bins: [ReliabilityBin]
        public let expectedCalibrationError: Double
    }

    /// Equal-width bins on [0, 1]; p goes to bin #{inner edges e : e < p}, so a value on an edge
    /// joins the lower bin (as scikit-learn's `calibration_curve(strategy="uniform")`).
    public static func reliability(probabilities p: [Double], labels: [UInt8], bins: Int = 10) -> Reliability {
        let k = Swift.max(1, bins)
        var count = [Int](repeating: 0, count: k), sumP = [Double](repeating: 0, count: k), sumY = [Double](repeating: 0, count: k)
        let step = 1.0 / Double(k)  // edges as numpy.linspace(0, 1, k + 1): i * step, the last exactly 1
        let edges = (0...k).map { $0 == k ? 1.0 : Double($0) * step }
        for (q, y) in zip(p, labels) where !q.isNaN {
            var b = 0
            while b < k - 1 && edges[b + 1] < q { b += 1 }
            count[b] += 1; sumP[b] += q; sumY[b] += Double(y)
        }
        var out: [ReliabilityBin] = []
        var ece = 0.0
        let n = Double(count.reduce(0, +))
        for b in 0..<k where count[b] > 0 {
            let c = Double(count[b])
            let observed = sumY[b] / c, predicted = sumP[b] / c
            out.append(ReliabilityBin(lower: edges[b], upper: edges[b + 1], count: count[b], meanPredicted: predicted,
                                      observedRate: observed,
                                      observedInterval: wilsonInterval(successes: Int(sumY[b]), trials: count[b])))
            ece += c / n * Swift.abs(observed - predicted)
        }
        return Reliability(bins: out, expectedCalibrationError: n > 0 ? ece : .nan)
    }

    /// Recall, precision, F1 and alert rate when rows with score >= threshold are flagged.
    public struct AtThreshold: Sendable, Equatable {
        public let threshold: Double
        public let truePositives: Int, falsePositives: Int, falseNegatives: Int, trueNegatives: Int
        public var alerts: Int { truePositives + falsePositives }
        public var rows: Int { truePositives + falsePositives + falseNegatives + trueNegatives }
        /// NaN without positives.
        public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
        /// NaN without alerts.
        public var precision: Double { ratio(truePositives, alerts) }
        /// Harmonic mean of precision and recall; NaN where either is NaN, 0 where both are 0.
        public var f1: Double {
            let p = precision, r = recall
            if p.isNaN || r.isNaN { return .nan }
            return p + r > 0 ? 2 * p * r / (p + r) : 0
        }
        public var alertRate: Double { ratio(alerts, rows) }
        public var recallInterval: (lower: Double, upper: Double) { wilsonInterval(successes: truePositives, trials: truePositives + falseNegatives) }
        public var precisionInterval: (lower: Double, upper: Double) { wilsonInterval(successes: truePositives, trials: alerts) }
        public var alertRateInterval: (lower: Double, upper: Double) { wilsonInterval(successes: alerts, trials: rows) }
        private func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : .nan }
    }

    public static func atThreshold(scores: [Double], labels: [UInt8], threshold: Double) -> AtThreshold {
        var tp = 0, fp = 0, fn = 0, tn = 0
        for (s, y) in zip(scores, labels) {
            let flagged = s >= threshold
            if y != 0 { if flagged { tp += 1 } else { fn += 1 } } else { if flagged { fp += 1 } else { tn += 1 } }
        }
        return AtThreshold(threshold: threshold, truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn)
    }

    /// Wilson score interval for a binomial proportion (Wilson 1927):
    /// (p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n). NaN bounds for n = 0.
    public static func wilsonInterval(successes: Int, trials: Int, confidence: Double = 0.95) -> (lower: Double, upper: Double) {
        guard trials > 0, successes >= 0, successes <= trials else { return (.nan, .nan) }
        let n = Double(trials), p = Double(successes) / n
        let z = SpecialFunctions.normalQuantile(1 - (1 - confidence) / 2)
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (Swift.max(0, centre - half), Swift.min(1, centre + half))
    }

    /// Percentile bootstrap interval for ROC AUC: `resamples` resamples of the rows with
    /// replacement drawn from `Xoshiro256StarStar(seed:stream:)`; resamples with one class are skipped.
    public static func bootstrapAUC(scores: [Double], labels: [UInt8], resamples: Int = 200, confidence: Double = 0.95,
                                    seed: UInt64 = 1) -> (lower: Double, upper: Double) {
        let n = scores.count
        guard n > 1, labels.count == n, !rocAUC(scores: scores, labels: labels).isNaN else { return (.nan, .nan) }
        var rng = Xoshiro256StarStar(seed: seed, stream: streamID("bootstrap-auc"))
        var values: [Double] = []
        var s = [Double](repeating: 0, count: n), y = [UInt8](repeating: 0, count: n)
        for _ in 0..<Swift.max(1, resamples) {
            for k in 0..<n { let i = rng.index(n); s[k] = scores[i]; y[k] = labels[i] }
            let a = rocAUC(scores: s, labels: y)
            if !a.isNaN { values.append(a) }
        }
        if values.isEmpty { return (.nan, .nan) }
        RadixSort.sort(&values)
        let alpha = (1 - confidence) / 2
        return (Descriptive.quantile(sorted: values, alpha), Descriptive.quantile(sorted: values, 1 - alpha))
    }
}
