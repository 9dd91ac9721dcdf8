import Foundation
import DriftCore

/// Thresholds of the model-output monitors (defaults documented in docs/monitors.md).
public struct OutputConfiguration: Sendable, Equatable {
    /// Significance level of the alert-rate, BBSE and PSI-null rules.
    public var alpha: Double = 1e-3
    /// Score bins: deciles of the reference scores plus the 95 % and 99 % quantiles (fraud scores
    /// live in the top percent; with deciles alone all of it falls in one bin).
    public var bins: Int = 10
    /// PSI effect floor: alarm only above max(this, the sample-size-aware null quantile).
    public var psiThreshold: Double = 0.1
    /// Alert rate must move by at least this share of the reference rate (and 0.1 point).
    public var alertRateRelativeEffect: Double = 0.25
    /// BBSE: the estimated prior must differ from the reference prior by at least this ratio (±25 %).
    public var priorRelativeEffect: Double = 0.25
    /// Label-free performance: alarm when expected recall falls this much below the reference's.
    public var recallMinimumDrop: Double = 0.05
    /// Variance inflation (quasi-binomial design effect, >= 1) of the alert and fraud counts: frauds
    /// come in bursts on one card, so counts vary about E[K²]/E[K] times more than independent rows
    /// would (K = frauds per card and burst). 1 = independent rows; the lab measures it on the reference.
    public var dispersion: Double = 1
    public init() {}
}

/// The reference side of the score monitors: score-bin edges (reference quantiles), bin counts,
/// class-conditional bin shares where labels are known, and the reference alert rate.
public struct ScoreReference: Sendable, Equatable {
    /// Inner bin edges (ascending, unique): bin b holds scores in (edges[b-1], edges[b]].
    public let edges: [Double]
    public let binCounts: [Int]
    /// Bin shares of legitimate (0) and fraud (1) reference rows; empty without labels.
    public let legitimateShares: [Double]
    public let fraudShares: [Double]
    public let count: Int
    public let alerts: Int
    public let threshold: Double
    /// Reference fraud share among labelled rows (0 without labels).
    public let fraudRate: Double

    /// Fits from reference scores; `labels` (optional, same length) enables the prior-vs-covariate
    /// reading of prediction drift. `threshold`: a score >= threshold is an alert.
    /// Bins: `bins` equal-count quantile bins of the reference, with the top bin split further at
    /// each of `tailQuantiles` (default 0.95 and 0.99).
    public init(scores: [Double], labels: [Bool]? = nil, threshold: Double, bins: Int = 10, tailQuantiles: [Double] = [0.95, 0.99]) {
        let sorted = MonitorStatistics.sortedFinite(scores)
        var edges: [Double] = []
        if !sorted.isEmpty {
            let bins = Swift.max(2, bins)
            let levels = (1..<bins).map { Double($0) / Double(bins) } + tailQuantiles.filter { $0 > 1 - 1 / Double(bins) && $0 < 1 }.sorted()
            for q in levels {
                let e = Descriptive.quantile(sorted: sorted, q)
                if edges.last.map({ e > $0 }) ?? true { edges.append(e) }
            }
        }
        self.edges = edges
        self.threshold = threshold
        binCounts = ScoreReference.histogram(scores, edges: edges)
        count = sorted.count
        var alerts = 0
        for s in sorted where s >= threshold { alerts += 1 }
        self.alerts = alerts
        if let labels, labels.count == scores.count {
            var zero = [Int](repeating: 0, count: edges.count + 1), one = zero
            var frauds = 0, labelled = 0
            for i in 0..<scores.count where scores[i].isFinite {
                let b = ScoreReference.bin(scores[i], edges: edges)
                labelled += 1
                if labels[i] { one[b] += 1; frauds += 1 } else { zero[b] += 1 }
            }
            let n0 = Swift.max(1, labelled - frauds), n1 = Swift.max(1, frauds)
            legitimateShares = zero.map { Double($0) / Double(n0) }
            fraudShares = frauds > 0 ? one.map { Double($0) / Double(n1) } : []
            fraudRate = labelled > 0 ? Double(frauds) / Double(labelled) : 0
        } else {
            legitimateShares = []; fraudShares = []; fraudRate = 0
        }
    }

    @inline(__always) static func bin(_ s: Double, edges: [Double]) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi { let mid = (lo + hi) >> 1; if edges[mid] < s { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    /// Counts of finite scores per bin.
    static func histogram(_ scores: [Double], edges: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        scores.withUnsafeBufferPointer { b in for s in b where s.isFinite { counts[bin(s, edges: edges)] += 1 } }
        return counts
    }
}

/// Monitors of what the model outputs: score distribution, alert rate, black-box shift estimation.
public enum OutputMonitors {
    /// PSI of two bin-count vectors (the drift tests' `populationStabilityIndex`, half a count per bin).
    static func psi(reference r: [Int], window w: [Int]) -> Double {
        TwoSampleStatistics.populationStabilityIndex(reference: r.map(Double.init), current: w.map(Double.init))
    }

    /// The sample-size-aware PSI threshold: under no drift n_eff·PSI is about χ²(B - 1) with
    /// n_eff = 1/(1/n_window + 1/n_reference), so the threshold is the larger of the effect floor
    /// and χ²_{1-alpha}(B - 1)/n_eff (small windows would otherwise alarm on noise).
    public static func psiThreshold(windowCount: Int, referenceCount: Int, bins: Int, configuration c: OutputConfiguration = .init()) -> Double {
        guard windowCount > 0, referenceCount > 0, bins > 1 else { return .infinity }
        let nEff = 1 / (1 / Double(windowCount) + 1 / Double(referenceCount))
        return Swift.max(c.psiThreshold, MonitorStatistics.chiSquaredQuantile(upperTail: c.alpha, degreesOfFreedom: Double(bins - 1)) / nEff)
    }

    /// Prediction drift: PSI of the window's scores on the reference's score bins, against
    /// `psiThreshold`. With class-conditional reference shares the window's bin shares are fitted
    /// as (1 - π)·h₀ + π·h₁: when that mixture explains the move (its PSI is below the threshold)
    /// the alarm indicates `.priorShift`, otherwise `.covariateShift`. Details: fitted prior π.
    public static func predictionDrift(reference r: ScoreReference, windowScores: [Double],
                                       configuration c: OutputConfiguration = .init()) -> DetectorResult {
        let w = ScoreReference.histogram(windowScores, edges: r.edges)
        let n = w.reduce(0, +)
        guard n > 0, r.count > 0 else {
            return DetectorResult(detector: "score_psi", features: ["score"], statistic: 0, threshold: c.psiThreshold,
                                  alarm: false, indicates: .covariateShift)
        }
        let value = psi(reference: r.binCounts, window: w)
        let threshold = psiThreshold(windowCount: n, referenceCount: r.count, bins: r.binCounts.count, configuration: c)
        var kind = FailureKind.covariateShift
        var details: [String: Double] = [:]
        if !r.fraudShares.isEmpty {
            let q = w.map { Double($0) / Double(n) }
            let fit = MonitorStatistics.mixtureFit(target: q, base: r.legitimateShares, alternative: r.fraudShares)
            let mixture = (0..<q.count).map { (1 - fit.share) * r.legitimateShares[$0] + fit.share * r.fraudShares[$0] }
            // PSI of the window against the fitted mixture, on pseudo-counts of the reference's size.
            let mixtureCounts = mixture.map { Int(($0 * Double(r.count)).rounded()) }
            let residual = psi(reference: mixtureCounts, window: w)
            details["fitted_prior"] = fit.share
            details["mixture_residual_psi"] = residual
            if residual < threshold { kind = .priorShift }
        }
        return DetectorResult(detector: "score_psi", features: ["score"], statistic: value, threshold: threshold,
                              alarm: value > threshold, indicates: kind,
                              subkind: kind == .priorShift ? (details["fitted_prior"] ?? 0 > r.fraudRate ? "fraud_wave" : "fraud_drop") : nil,
                              details: details)
    }

    /// Alert rate against the reference alert rate: two-sided two-proportion z-test, p < alpha and
    /// |change| >= max(`alertRateRelativeEffect`·reference rate, 0.001). Indicates `.covariateShift`
    /// (the alert rate alone cannot tell a prior shift; BBSE does).
    public static func alertRate(reference r: ScoreReference, windowScores: [Double],
                                 configuration c: OutputConfiguration = .init()) -> DetectorResult {
        var alerts = 0, n = 0
        windowScores.withUnsafeBufferPointer { b in for s in b where s.isFinite { n += 1; if s >= r.threshold { alerts += 1 } } }
        let p = r.count > 0 ? Double(r.alerts) / Double(r.count) : 0
        let q = n > 0 ? Double(alerts) / Double(n) : 0
        let test = MonitorStatistics.twoProportionZTest(successes1: r.alerts, trials1: r.count, successes2: alerts, trials2: n)
        let z = test.z / Swift.max(1, c.dispersion).squareRoot()
        let pValue = c.dispersion > 1 ? Swift.min(1, 2 * SpecialFunctions.normalSurvival(Swift.abs(z))) : test.pValue
        let minimum = Swift.max(c.alertRateRelativeEffect * p, 0.001)
        let alarm = n > 0 && pValue < c.alpha && Swift.abs(q - p) >= minimum
        return DetectorResult(detector: "alert_rate", features: ["score"], statistic: q, pValue: pValue, threshold: minimum,
                              alarm: alarm, indicates: .covariateShift, details: ["reference_rate": p, "z": z])
    }
}

/// Black-box shift estimation (Lipton, Wang, Smola, "Detecting and correcting for label shift with
/// black box predictors", ICML 2018). With the reference joint confusion matrix
/// C[ŷ][y] = P(ŷ, y) and the window's predicted-label distribution μ[ŷ], the class weights
/// w[y] = q(y)/p(y) solve C·w = μ; the new fraud prior is q(1) = w[1]·p(1). For two classes this is
/// q(1) = (μ₁ - FPR)/(TPR - FPR). The interval is the delta method with the window's binomial
/// noise in μ₁ and the reference's in TPR and FPR:
/// Var q = [μ₁(1-μ₁)/n + q²·TPR(1-TPR)/n₁ + (1-q)²·FPR(1-FPR)/n₀]/(TPR - FPR)².
public struct BlackBoxShiftEstimator: Sendable, Equatable {
    /// Reference counts: rows by (predicted, true) label.
    public let truePositives: Int, falsePositives: Int, falseNegatives: Int, trueNegatives: Int

    public init(truePositives: Int, falsePositives: Int, falseNegatives: Int, trueNegatives: Int) {
        self.truePositives = truePositives; self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives; self.trueNegatives = trueNegatives
    }

    /// Fits from reference (validation) predictions and labels.
    public init(predicted: [Bool], labels: [Bool]) {
        var tp = 0, fp = 0, fn = 0, tn = 0
        for i in 0..<Swift.min(predicted.count, labels.count) {
            switch (predicted[i], labels[i]) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, true): fn += 1
            case (false, false): tn += 1
            }
        }
        self.init(truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn)
    }

    public var referenceCount: Int { truePositives + falsePositives + falseNegatives + trueNegatives }
    public var referencePrior: Double { referenceCount > 0 ? Double(truePositives + falseNegatives) / Double(referenceCount) : 0 }

    /// The estimate: prior q(1), class weights, standard error and a (1 - alpha) interval (clipped to
    /// [0, 1]); `defined` is false when the confusion matrix is (nearly) singular (TPR - FPR < 0.05)
    /// or a class or the window is empty, and then q is the reference prior. The interval is
    /// q ± z·√φ·se with φ = `dispersion` (at least 1): frauds and alerts come in bursts, so a window's
    /// alert count varies φ times more than binomial (`standardError` stays the binomial one).
    public struct Estimate: Sendable, Equatable {
        public var prior: Double
        public var weights: [Double]
        public var standardError: Double
        public var lower: Double
        public var upper: Double
        public var defined: Bool
    }

    public func estimate(windowPredictedPositive alerts: Int, windowCount n: Int, alpha: Double = 0.05,
                         dispersion: Double = 1) -> Estimate {
        let n1 = truePositives + falseNegatives, n0 = falsePositives + trueNegatives
        let p1 = referencePrior
        guard n > 0, n1 > 0, n0 > 0 else {
            return Estimate(prior: p1, weights: [1, 1], standardError: 0, lower: 0, upper: 1, defined: false)
        }
        let total = Double(referenceCount)
        // Joint confusion matrix C[ŷ][y] and μ.
        let c00 = Double(trueNegatives) / total, c01 = Double(falseNegatives) / total
        let c10 = Double(falsePositives) / total, c11 = Double(truePositives) / total
        let mu1 = Swift.min(1, Swift.max(0, Double(alerts) / Double(n))), mu0 = 1 - mu1
        let det = c00 * c11 - c01 * c10
        let tpr = Double(truePositives) / Double(n1), fpr = Double(falsePositives) / Double(n0)
        guard tpr - fpr >= 0.05, det != 0 else {
            return Estimate(prior: p1, weights: [1, 1], standardError: 0, lower: 0, upper: 1, defined: false)
        }
        // Cramer's rule on C·w = μ.
        let w0 = (mu0 * c11 - c01 * mu1) / det
        let w1 = (c00 * mu1 - c10 * mu0) / det
        let q = w1 * p1
        let delta = tpr - fpr
        let variance = (mu1 * (1 - mu1) / Double(n) + q * q * tpr * (1 - tpr) / Double(n1)
                        + (1 - q) * (1 - q) * fpr * (1 - fpr) / Double(n0)) / (delta * delta)
        let se = variance.squareRoot()
        let half = SpecialFunctions.normalQuantile(1 - alpha / 2) * se * Swift.max(1, dispersion).squareRoot()
        return Estimate(prior: q, weights: [w0, w1], standardError: se,
                        lower: Swift.max(0, q - half), upper: Swift.min(1, q + half), defined: true)
    }

    /// Prior-shift alarm: z = (q - p)/sqrt(φ·(Var q + p(1-p)/N_ref)) with φ the configuration's
    /// dispersion, two-sided p < alpha, and the
    /// ratio q/p outside [1 - e, 1 + e] with e = `priorRelativeEffect`. Statistic: the estimated
    /// prior; threshold: the reference prior. Subkind "fraud_wave" (up) or "fraud_drop" (down).
    /// Details `ci_lower`, `ci_upper`: the estimate's 95 % interval, widened by the same √φ.
    public func check(windowPredictedPositive alerts: Int, windowCount n: Int,
                      configuration c: OutputConfiguration = .init()) -> DetectorResult {
        let e = estimate(windowPredictedPositive: alerts, windowCount: n, dispersion: c.dispersion)
        let p = referencePrior
        guard e.defined, p > 0 else {
            return DetectorResult(detector: "bbse_prior", features: ["score"], statistic: e.prior, pValue: 1, threshold: p,
                                  alarm: false, indicates: .priorShift, details: ["defined": 0])
        }
        // Both the window's alerts and the reference's frauds come in bursts: inflate by the dispersion.
        let variance = Swift.max(1, c.dispersion) * (e.standardError * e.standardError + p * (1 - p) / Double(referenceCount))
        let z = variance > 0 ? (e.prior - p) / variance.squareRoot() : 0
        let pValue = Swift.min(1, 2 * SpecialFunctions.normalSurvival(Swift.abs(z)))
        let ratio = e.prior / p
        let alarm = pValue < c.alpha && Swift.abs(ratio - 1) >= c.priorRelativeEffect
        return DetectorResult(detector: "bbse_prior", features: ["score"], statistic: e.prior, pValue: pValue, threshold: p,
                              alarm: alarm, indicates: .priorShift, subkind: ratio > 1 ? "fraud_wave" : "fraud_drop",
                              details: ["ratio": ratio, "ci_lower": e.lower, "ci_upper": e.upper, "defined": 1,
                                        "weight_fraud": e.weights[1], "weight_legitimate": e.weights[0]])
    }
}
