import Foundation

/// Descriptive statistics over contiguous doubles. Functions named `...IgnoringNaN` skip missing
/// values (NaN); the others assume there are none.
public enum Descriptive {
    /// Arithmetic mean; NaN for an empty array.
    public static func mean(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        var s = 0.0
        for v in x { s += v }
        return s / Double(x.count)
    }

    /// Mean and variance (divisor n - ddof) by Welford's one-pass update, skipping NaN.
    /// Returns count 0 and NaN moments when nothing is left.
    public static func meanVarianceIgnoringNaN(_ x: [Double], ddof: Int = 1) -> (count: Int, mean: Double, variance: Double) {
        var n = 0, mean = 0.0, m2 = 0.0
        for v in x where !v.isNaN {
            n += 1
            let d = v - mean
            mean += d / Double(n)
            m2 += d * (v - mean)
        }
        if n == 0 { return (0, .nan, .nan) }
        return (n, mean, n > ddof ? m2 / Double(n - ddof) : .nan)
    }

    /// Sample variance (ddof 1).
    public static func variance(_ x: [Double]) -> Double { meanVarianceIgnoringNaN(x).variance }

    /// The p-quantile of sorted data by linear interpolation between order statistics
    /// (Hyndman and Fan type 7, NumPy's default). NaN for empty input.
    public static func quantile(sorted x: [Double], _ p: Double) -> Double {
        guard !x.isEmpty else { return .nan }
        let h = Double(x.count - 1) * Swift.min(Swift.max(p, 0), 1)
        let lo = Int(h.rounded(.down))
        let hi = Swift.min(lo + 1, x.count - 1)
        let a = x[lo], b = x[hi], f = h - Double(lo)
        // Finite neighbours whose difference overflows (-1e308 and 1e308; the median was infinite):
        // weighted instead, a/2 + b/2 for the median, which cannot overflow. Otherwise as before.
        if (b - a).isInfinite && a.isFinite && b.isFinite { return (1 - f) * a + f * b }
        return a + f * (b - a)
    }

    /// The median of unsorted data, skipping NaN; NaN when nothing is left.
    public static func medianIgnoringNaN(_ x: [Double]) -> Double {
        let finite = x.filter { !$0.isNaN }
        return quantile(sorted: RadixSort.sorted(finite), 0.5)
    }

    /// The share of values that are NaN (0 for an empty array).
    public static func missingRate(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return 0 }
        var k = 0
        for v in x where v.isNaN { k += 1 }
        return Double(k) / Double(x.count)
    }
}
