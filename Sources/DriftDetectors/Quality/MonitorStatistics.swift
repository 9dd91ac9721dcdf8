import Foundation
import DriftCore

/// Small statistical building blocks shared by the data-quality, schema, output and label
/// monitors: proportion tests, Wilson intervals, empirical CDFs and two-component mixture fits.
public enum MonitorStatistics {
    /// Two-proportion z-test with the pooled variance:
    /// z = (p2 - p1) / sqrt(p(1-p)(1/n1 + 1/n2)), p = (x1 + x2)/(n1 + n2).
    /// `oneSidedGreater` tests H1: p2 > p1 (p = 1 - Φ(z)); otherwise two-sided (p = 2(1 - Φ(|z|))).
    /// Returns z = 0, p = 1 when either sample is empty or the pooled rate is 0 or 1.
    public static func twoProportionZTest(successes1 x1: Int, trials1 n1: Int, successes2 x2: Int, trials2 n2: Int,
                                          oneSidedGreater: Bool = false) -> (z: Double, pValue: Double) {
        guard n1 > 0, n2 > 0 else { return (0, 1) }
        let p1 = Double(x1) / Double(n1), p2 = Double(x2) / Double(n2)
        let pooled = Double(x1 + x2) / Double(n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))
        guard variance > 0 else { return (0, 1) }
        let z = (p2 - p1) / variance.squareRoot()
        let p = oneSidedGreater ? SpecialFunctions.normalSurvival(z) : 2 * SpecialFunctions.normalSurvival(Swift.abs(z))
        return (z, Swift.min(1, p))
    }

    /// Wilson score interval for a binomial proportion x/n at confidence 1 - alpha
    /// (Wilson 1927): centre (p + z²/2n)/(1 + z²/n), half-width z·sqrt(p(1-p)/n + z²/4n²)/(1 + z²/n).
    /// For n = 0 the interval is [0, 1].
    public static func wilsonInterval(successes x: Int, trials n: Int, alpha: Double = 0.05) -> (lower: Double, upper: Double) {
        guard n > 0 else { return (0, 1) }
        let z = SpecialFunctions.normalQuantile(1 - alpha / 2)
        let nn = Double(n), p = Double(x) / nn, z2 = z * z
        let denominator = 1 + z2 / nn
        let centre = (p + z2 / (2 * nn)) / denominator
        let half = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot() / denominator
        return (Swift.max(0, centre - half), Swift.min(1, centre + half))
    }

    /// The (1 - alpha) quantile of the chi-squared distribution, by bisection on
    /// `SpecialFunctions.chiSquaredSurvival` (used for sample-size-aware PSI thresholds).
    public static func chiSquaredQuantile(upperTail alpha: Double, degreesOfFreedom df: Double) -> Double {
        guard df > 0, alpha > 0, alpha < 1 else { return .nan }
        var lo = 0.0, hi = Swift.max(1.0, df)
        while SpecialFunctions.chiSquaredSurvival(hi, degreesOfFreedom: df) > alpha { hi *= 2 }
        for _ in 0..<100 {
            let mid = 0.5 * (lo + hi)
            if SpecialFunctions.chiSquaredSurvival(mid, degreesOfFreedom: df) > alpha { lo = mid } else { hi = mid }
            if hi - lo < 1e-10 * hi { break }
        }
        return 0.5 * (lo + hi)
    }

    /// The proportion-increase rule used by several monitors: alarm when the one-sided
    /// two-proportion z-test gives p < alpha AND the rate rose by at least `minimumEffect`
    /// (absolute), so that huge windows do not alarm on negligible moves.
    static func proportionIncrease(referenceCount x1: Int, referenceTotal n1: Int, windowCount x2: Int, windowTotal n2: Int,
                                   alpha: Double, minimumEffect: Double) -> (effect: Double, pValue: Double, alarm: Bool) {
        guard n2 > 0 else { return (0, 1, false) }
        let r1 = n1 > 0 ? Double(x1) / Double(n1) : 0
        let r2 = Double(x2) / Double(n2)
        let test = twoProportionZTest(successes1: x1, trials1: n1, successes2: x2, trials2: n2, oneSidedGreater: true)
        // With no reference at all, fall back to the effect alone.
        let p = n1 > 0 ? test.pValue : (r2 > 0 ? 0 : 1)
        let effect = r2 - r1
        return (effect, p, p < alpha && effect >= minimumEffect)
    }

    /// Number of values in the sorted array `sorted` that are <= x (binary search).
    @inline(__always)
    static func countAtMost(_ sorted: UnsafeBufferPointer<Double>, _ x: Double) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if sorted[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Finite values of `x`, sorted ascending (NaN and ±infinity dropped).
    static func sortedFinite(_ x: [Double]) -> [Double] {
        var finite = [Double]()
        finite.reserveCapacity(x.count)
        x.withUnsafeBufferPointer { b in for v in b where v.isFinite { finite.append(v) } }
        RadixSort.sort(&finite)
        return finite
    }

    /// Evaluation points for comparing distribution functions: `count` quantiles of a sorted sample.
    static func gridPoints(sorted x: [Double], count: Int) -> [Double] {
        guard !x.isEmpty else { return [] }
        let k = Swift.max(1, Swift.min(count, x.count))
        var points = [Double]()
        points.reserveCapacity(k)
        for q in 0..<k {
            let idx = Swift.min(x.count - 1, Int((Double(q) + 0.5) / Double(k) * Double(x.count)))
            points.append(x[idx])
        }
        return points
    }

    /// Empirical CDF of a sorted sample at each point of `points` (points scaled by `1/scale`,
    /// i.e. the CDF of `scale · X`).
    static func ecdf(sorted x: [Double], at points: [Double], scale: Double = 1) -> [Double] {
        guard !x.isEmpty else { return [Double](repeating: 0, count: points.count) }
        let n = Double(x.count)
        return x.withUnsafeBufferPointer { b in points.map { Double(countAtMost(b, $0 / scale)) / n } }
    }

    /// Least-squares fit of the two-component mixture g ≈ (1 - a)·f + a·h over matched vectors
    /// (CDF values or histogram shares), with a clipped to [0, 1]. Returns the share `a` and the
    /// largest absolute residual (a KS-like distance of the fit) and the residual sum of |.|/2.
    static func mixtureFit(target g: [Double], base f: [Double], alternative h: [Double]) -> (share: Double, supResidual: Double, l1Residual: Double) {
        var num = 0.0, den = 0.0
        for i in 0..<g.count {
            let d = h[i] - f[i]
            num += (g[i] - f[i]) * d
            den += d * d
        }
        let a = den > 0 ? Swift.min(1, Swift.max(0, num / den)) : 0
        var sup = 0.0, l1 = 0.0
        for i in 0..<g.count {
            let r = Swift.abs(g[i] - ((1 - a) * f[i] + a * h[i]))
            sup = Swift.max(sup, r)
            l1 += r
        }
        return (a, sup, l1 / 2)
    }

    /// Pearson chi-squared goodness of fit of window counts against reference counts: expected
    /// e_k = n·p_k with p_k = (r_k + 0.5)/(R + 0.5K) (a half count added to every reference bin so
    /// that no expected count is zero), statistic Σ (o_k - e_k)²/e_k, df = K - 1.
    static func chiSquareAgainstReference(window o: [Int], reference r: [Int]) -> (statistic: Double, pValue: Double) {
        let k = Swift.min(o.count, r.count)
        guard k > 1 else { return (0, 1) }
        var n = 0, total = 0
        for i in 0..<k { n += o[i]; total += r[i] }
        guard n > 0 else { return (0, 1) }
        var x = 0.0
        let denominator = Double(total) + 0.5 * Double(k)
        for i in 0..<k {
            let e = Double(n) * (Double(r[i]) + 0.5) / denominator
            let d = Double(o[i]) - e
            x += d * d / e
        }
        return (x, SpecialFunctions.chiSquaredSurvival(x, degreesOfFreedom: Double(k - 1)))
    }

    /// Total-variation distance between two share vectors: Σ|p - q|/2.
    static func totalVariation(_ p: [Double], _ q: [Double]) -> Double {
        var s = 0.0
        for i in 0..<Swift.min(p.count, q.count) { s += Swift.abs(p[i] - q[i]) }
        return s / 2
    }

    /// Expected total-variation distance of an n-row empirical histogram from its true shares p
    /// (normal approximation: E|p̂ - p| = sqrt(2/π)·sqrt(p(1-p)/n) per bin): the noise floor below
    /// which a mixture fit's residual is indistinguishable from sampling noise.
    static func noiseTotalVariation(shares p: [Double], rows n: Int) -> Double {
        guard n > 0 else { return 1 }
        var s = 0.0
        for v in p { s += (v * (1 - v) / Double(n)).squareRoot() }
        return 0.5 * (2 / Double.pi).squareRoot() * s
    }

    /// The Kolmogorov-Smirnov critical distance at level alpha for samples of n and m:
    /// c(alpha)·sqrt((n + m)/(n·m)), c(alpha) = sqrt(-ln(alpha/2)/2) (asymptotic).
    static func ksCritical(alpha: Double, _ n: Int, _ m: Int) -> Double {
        guard n > 0, m > 0 else { return 1 }
        return (-log(alpha / 2) / 2).squareRoot() * (1 / Double(n) + 1 / Double(m)).squareRoot()
    }
}
