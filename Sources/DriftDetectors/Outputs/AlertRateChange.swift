import DriftCore

/// A change-point scan of the alert rate (docs/monitors.md, "BBSE over a change-point"): the
/// window's alert rate against the validation split's is limited by the split's own few alerts
/// (about 100 in the lab's standard world, a relative standard error near 17 % before clustering),
/// so BBSE cannot see a doubled fraud share in one 14-day window. The production days before a
/// change are a reference too, and a better one: the split's own alert rate is off production's by
/// its sampling noise, which no amount of production data averages away. For every candidate
/// change day k on the step grid (the recent span [k, t] at least `minimumRecentDays` long, the
/// baseline [0, k) at least `minimumBaselineDays`) the recent alert rate is compared with the
/// baseline's by a two-proportion z over the dispersion-inflated variance φ·μ̄(1 − μ̄)(1/n_R + 1/n_B);
/// the largest |z| is kept and its p-value multiplied by the number of candidates (Bonferroni, so
/// the scan keeps its level). No candidate (too few days yet): p = 1.
public enum AlertRateChange {
    /// One production day's rows and alerts.
    public struct Day: Sendable, Equatable {
        public var rows: Int, alerts: Int
        public init(rows: Int, alerts: Int) { self.rows = rows; self.alerts = alerts }
    }

    /// The scan's best split.
    public struct Scan: Sendable, Equatable {
        /// Index into `days` where the recent span starts (days.count when no candidate fits).
        public var start: Int
        public var recentRate: Double, baselineRate: Double
        public var recentRows: Int, baselineRows: Int
        public var z: Double
        /// Two-sided p-value times the number of candidates (at most 1).
        public var pValue: Double
        public var candidates: Int
    }

    /// Scans `days` (oldest first, the last one is today) for a change of the alert rate: recent
    /// span [k, n) against the baseline [0, k). Candidates start at `days.count - minimumRecentDays`,
    /// then every `stepDays` further back while the baseline keeps `minimumBaselineDays`.
    public static func scan(days: [Day], minimumRecentDays: Int, minimumBaselineDays: Int,
                            stepDays: Int, dispersion: Double) -> Scan {
        let n = days.count
        var best = Scan(start: n, recentRate: 0, baselineRate: 0, recentRows: 0, baselineRows: 0, z: 0, pValue: 1, candidates: 0)
        let baselineRows = 0, baselineAlerts = 0
        guard n >= max(1, minimumRecentDays) + max(1, minimumBaselineDays) else { return best }
        // Prefix sums: rows and alerts of days[0..<i].
        var rows = [Int](repeating: 0, count: n + 1), alerts = rows
        for i in 0..<n { rows[i + 1] = rows[i] + days[i].rows; alerts[i + 1] = alerts[i] + days[i].alerts }
        let phi = max(1, dispersion)
        var k = n - max(1, minimumRecentDays)
        var candidates = 0
        while k >= max(1, minimumBaselineDays) {
            candidates += 1
            let nR = rows[n] - rows[k], aR = alerts[n] - alerts[k]
            let nB = baselineRows + rows[k], aB = baselineAlerts + alerts[k]
            if nR > 0 && nB > 0 {
                let pooled = Double(aR + aB) / Double(nR + nB)
                let variance = phi * pooled * (1 - pooled) * (1 / Double(nR) + 1 / Double(nB))
                let diff = Double(aR) / Double(nR) - Double(aB) / Double(nB)
                let z = variance > 0 ? diff / variance.squareRoot() : 0
                if abs(z) > abs(best.z) || best.start == n {
                    best = Scan(start: k, recentRate: Double(aR) / Double(nR), baselineRate: Double(aB) / Double(nB),
                                recentRows: nR, baselineRows: nB, z: z, pValue: 1, candidates: 0)
                }
            }
            k -= max(1, stepDays)
        }
        best.candidates = candidates
        best.pValue = min(1, Double(candidates) * 2 * SpecialFunctions.normalSurvival(abs(best.z)))
        return best
    }
}

extension BlackBoxShiftEstimator {
    /// BBSE over a change-point (`AlertRateChange`): in the binary case q − p = (μ − μ_ref)/(TPR − FPR)
    /// exactly, so "the prior moved" is "the alert rate moved", tested against production's own days
    /// before the best-supported change day; the estimate is q = p + (μ_recent − μ_baseline)/(TPR − FPR)
    /// with the split's TPR and FPR (the baseline is assumed to hold the reference prior p). Alarm when the scan's Bonferroni p < alpha and q/p is outside 1 ± `priorRelativeEffect`.
    /// Details: `defined`, `ratio`, the two rates, the recent span's length in days, `candidates`.
    public func checkChange(days: [AlertRateChange.Day], minimumRecentDays: Int, minimumBaselineDays: Int, stepDays: Int,
                            configuration c: OutputConfiguration = .init()) -> DetectorResult {
        let p = referencePrior
        let n1 = truePositives + falseNegatives, n0 = falsePositives + trueNegatives
        let tpr = n1 > 0 ? Double(truePositives) / Double(n1) : 0, fpr = n0 > 0 ? Double(falsePositives) / Double(n0) : 0
        guard n1 > 0, n0 > 0, p > 0, tpr - fpr >= 0.05 else {
            return DetectorResult(detector: "bbse_prior", features: ["score"], statistic: p, pValue: 1, threshold: p,
                                  alarm: false, indicates: .priorShift, details: ["defined": 0])
        }
        let s = AlertRateChange.scan(days: days, minimumRecentDays: minimumRecentDays, minimumBaselineDays: minimumBaselineDays,
                                     stepDays: stepDays, dispersion: c.dispersion)
        guard s.start < days.count else {
            return DetectorResult(detector: "bbse_prior", features: ["score"], statistic: p, pValue: 1, threshold: p,
                                  alarm: false, indicates: .priorShift, details: ["defined": 0])
        }
        let q = Swift.min(1, Swift.max(0, p + (s.recentRate - s.baselineRate) / (tpr - fpr)))
        let ratio = q / p
        let alarm = s.pValue < c.alpha && Swift.abs(ratio - 1) >= c.priorRelativeEffect
        return DetectorResult(detector: "bbse_prior", features: ["score"], statistic: q, pValue: s.pValue, threshold: p,
                              alarm: alarm, indicates: .priorShift, subkind: ratio > 1 ? "fraud_wave" : "fraud_drop",
                              details: ["ratio": ratio, "defined": 1, "recent_alert_rate": s.recentRate,
                                        "baseline_alert_rate": s.baselineRate, "recent_days": Double(days.count - s.start),
                                        "candidates": Double(s.candidates), "z": s.z])
    }
}
