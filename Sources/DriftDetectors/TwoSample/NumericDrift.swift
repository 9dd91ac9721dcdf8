import DriftCore
import Foundation

/// Quantile bins of a reference sample for the population stability index, computed once and
/// reused for every window: interior edges at the reference's k/B quantiles (type 7), duplicates
/// removed so heavy ties never make empty or zero-width bins. A value x falls in bin
/// #{edges < x}, i.e. bins are (-inf, e1], (e1, e2], ..., (e_last, +inf).
/// A constant reference (no interior edge) gets edges {c⁻, c} so "below", "at" and "above" c are
/// separate bins.
public struct PSIReference: Sendable, Equatable {
    public let edges: [Double]
    public let referenceCounts: [Double]
    public let referenceTotal: Double
    /// Additive smoothing per bin (Jeffreys pseudo-count): share = (count + 0.5)/(n + 0.5·bins).
    public static let pseudoCount = 0.5

    /// Bins from sorted, NaN-free reference values; `bins` quantile bins before de-duplication.
    /// `tableLookup: false` skips the 512 KB look-up table (counts then compare with the edges): for
    /// references of many features, where a table per feature would cost gigabytes.
    public init(sortedReference x: [Double], bins: Int = 10, tableLookup: Bool = true) {
        let finite = x.filter { $0.isFinite }
        var e: [Double] = []
        if !finite.isEmpty {
            for k in 1..<Swift.max(bins, 2) {
                let q = Descriptive.quantile(sorted: finite, Double(k) / Double(Swift.max(bins, 2)))
                if q < finite[finite.count - 1] && (e.last.map { q > $0 } ?? true) { e.append(q) }
            }
            if e.isEmpty { e = [finite[0].nextDown, finite[0]] }
        }
        edges = e
        lookup = tableLookup ? PSIBinLookup(edges: e) : nil
        var counts = [Double](repeating: 0, count: e.count + 1)
        PSIReference.accumulate(x, edges: e, into: &counts)
        referenceCounts = counts
        referenceTotal = counts.reduce(0, +)
    }

    /// Table from the top bits of a value to its bin, built once here (see `PSIBinLookup`).
    let lookup: PSIBinLookup?

    public var binCount: Int { edges.count + 1 }

    /// Counts of `values` per bin (NaN skipped): one table look-up and one integer add per value
    /// (`PSIBinLookup`), or the edge count below when the table cannot hold the bins.
    public func counts(_ values: [Double]) -> [Double] {
        values.withUnsafeBufferPointer { counts($0) }
    }

    /// The same counts on `jobs` threads, each binning one contiguous share of `values`: exact
    /// integers, so the sum does not depend on the split. Worth it from about a million values,
    /// where one core's binning, not the memory, is what limits the rate (docs/detectors.md).
    public func counts(_ values: [Double], jobs: Int) -> [Double] {
        let parts = Swift.max(1, Swift.min(jobs, values.count / PSIReference.minimumValuesPerJob))
        if parts == 1 { return counts(values) }
        let partial = (try? Parallel.map(parts, jobs: parts) { k in
            values.withUnsafeBufferPointer { v in counts(UnsafeBufferPointer(rebasing: v[Parallel.share(k, of: v.count, parts: parts)])) }
        }) ?? [counts(values)]
        var c = [Double](repeating: 0, count: binCount)
        for part in partial { for b in 0..<binCount { c[b] += part[b] } }
        return c
    }

    /// Numeric features up to which a reference builds each one's look-up table (512 KB each, so at
    /// most 128 MB); wider references count against the edges (`DriftBaseline`).
    public static let tableLookupFeatureLimit = 256

    /// Values per thread below which `counts(_:jobs:)` stays on one thread (thread start-up costs more).
    static let minimumValuesPerJob = 1 << 18

    /// Counts of a buffer (one thread's share in `counts(_:jobs:)`).
    func counts(_ values: UnsafeBufferPointer<Double>) -> [Double] {
        var c = [Double](repeating: 0, count: binCount)
        if let lookup { lookup.accumulate(values, into: &c) } else { PSIReference.accumulate(values, edges: edges, into: &c) }
        return c
    }

    /// Counts by comparing each value with every edge, four values at a time in SIMD lanes (one
    /// vector compare per edge), each lane into its own table: the fallback and the tests' oracle.
    static func accumulate(_ values: [Double], edges: [Double], into counts: inout [Double]) {
        values.withUnsafeBufferPointer { accumulate($0, edges: edges, into: &counts) }
    }

    static func accumulate(_ v: UnsafeBufferPointer<Double>, edges: [Double], into counts: inout [Double]) {
        let bins = edges.count + 1
        var table = [Int](repeating: 0, count: 4 * bins)
        var nanCount = 0
        do {
            edges.withUnsafeBufferPointer { e in
                table.withUnsafeMutableBufferPointer { t in
                    let n = v.count
                    var i = 0
                    if let base = v.baseAddress {
                        let raw = UnsafeRawPointer(base)
                        var nans = SIMD4<Int64>(repeating: 0)
                        while i + 4 <= n {
                            let x = raw.loadUnaligned(fromByteOffset: i &* 8, as: SIMD4<Double>.self)
                            var b = SIMD4<Int64>(repeating: 0)
                            for k in 0..<e.count {
                                // A true lane is all ones (-1): subtracting adds one per edge below x.
                                b &-= unsafeBitCast(x .> SIMD4<Double>(repeating: e[k]), to: SIMD4<Int64>.self)
                            }
                            nans &-= unsafeBitCast(x .!= x, to: SIMD4<Int64>.self)
                            t[Int(b[0])] &+= 1
                            t[bins &+ Int(b[1])] &+= 1
                            t[2 &* bins &+ Int(b[2])] &+= 1
                            t[3 &* bins &+ Int(b[3])] &+= 1
                            i &+= 4
                        }
                        nanCount = Int(nans.wrappedSum())
                    }
                    while i < n {
                        let x = v[i]
                        var b = 0
                        for k in 0..<e.count { b &+= x > e[k] ? 1 : 0 }
                        t[b] &+= 1
                        nanCount &+= x.isNaN ? 1 : 0
                        i &+= 1
                    }
                }
            }
        }
        for b in 0..<counts.count {
            counts[b] += Double(table[b] + table[bins + b] + table[2 * bins + b] + table[3 * bins + b])
        }
        counts[0] -= Double(nanCount)  // NaN compares false with every edge, so it landed in bin 0
    }

    /// PSI of the window with the given bin counts: Σ (c_i - r_i) ln(c_i / r_i) over smoothed shares.
    public func populationStabilityIndex(currentCounts: [Double]) -> Double {
        TwoSampleStatistics.populationStabilityIndex(reference: referenceCounts, current: currentCounts)
    }
}

/// Effect sizes and tests shared by numeric and categorical features, each matching its SciPy
/// counterpart where one exists.
public enum TwoSampleStatistics {
    /// PSI = Σ_i (c_i - r_i)·ln(c_i/r_i) on shares smoothed by `PSIReference.pseudoCount` per bin,
    /// so empty bins give a large but finite term. 0 when either side is empty.
    public static func populationStabilityIndex(reference: [Double], current: [Double]) -> Double {
        let k = Double(reference.count)
        let nr = reference.reduce(0, +), nc = current.reduce(0, +)
        if nr == 0 || nc == 0 || reference.count != current.count { return 0 }
        let a = PSIReference.pseudoCount
        var psi = 0.0
        for i in 0..<reference.count {
            let r = (reference[i] + a) / (nr + a * k)
            let c = (current[i] + a) / (nc + a * k)
            psi += (c - r) * log(c / r)
        }
        return psi
    }

    /// Jensen–Shannon distance with base-2 logarithms between two count vectors (normalised to
    /// shares first), in [0, 1]: `scipy.spatial.distance.jensenshannon(p, q, base=2)`.
    public static func jensenShannonDistance(_ p: [Double], _ q: [Double]) -> Double {
        let sp = p.reduce(0, +), sq = q.reduce(0, +)
        if sp == 0 || sq == 0 || p.count != q.count { return .nan }
        var js = 0.0
        for i in 0..<p.count {
            let a = p[i] / sp, b = q[i] / sq, m = (a + b) / 2
            if a > 0 { js += a * log(a / m) }
            if b > 0 { js += b * log(b / m) }
        }
        return (Swift.max(js / 2, 0) / log(2.0)).squareRoot()
    }

    /// Wasserstein-1 distance ∫|F_a - F_b| dx between two sorted samples (finite values only), as
    /// `scipy.stats.wasserstein_distance(a, b)`. NaN when either has no finite value.
    public static func wasserstein(sortedA a0: [Double], sortedB b0: [Double]) -> Double {
        // The reference is compared with many windows: copy only when something must be dropped.
        let a = a0.allSatisfy(\.isFinite) ? a0 : a0.filter { $0.isFinite }
        let b = b0.allSatisfy(\.isFinite) ? b0 : b0.filter { $0.isFinite }
        let n1 = a.count, n2 = b.count
        if n1 == 0 || n2 == 0 { return .nan }
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var i = 0, j = 0, total = 0.0
                var previous = Swift.min(a[0], b[0])
                while i < n1 || j < n2 {
                    let v = (j >= n2 || (i < n1 && a[i] <= b[j])) ? a[i] : b[j]
                    total += Swift.abs(Double(i) / Double(n1) - Double(j) / Double(n2)) * (v - previous)
                    while i < n1 && a[i] <= v { i += 1 }
                    while j < n2 && b[j] <= v { j += 1 }
                    previous = v
                }
                return total
            }
        }
    }

    /// The reference spread that normalises W1: the interquartile range, else the standard
    /// deviation when the IQR is 0 (a dominant value), else 1 (a constant reference: raw W1).
    public static func spread(sortedReference x0: [Double]) -> Double {
        let x = x0.filter { $0.isFinite }
        if x.count < 2 { return 1 }
        let iqr = Descriptive.quantile(sorted: x, 0.75) - Descriptive.quantile(sorted: x, 0.25)
        if iqr > 0 { return iqr }
        let sd = Descriptive.meanVarianceIgnoringNaN(x).variance.squareRoot()
        return sd > 0 ? sd : 1
    }

    /// Welch's unequal-variance t-test for a mean shift (`scipy.stats.ttest_ind(a, b,
    /// equal_var=False)`), finite values only: t = (m_b - m_a)/√(s_a²/n_a + s_b²/n_b) with
    /// Welch–Satterthwaite degrees of freedom, two-sided p-value. NaN p-value when undefined.
    public static func welchTest(_ a: [Double], _ b: [Double]) -> TwoSampleOutcome {
        welchTest(Descriptive.meanVarianceIgnoringNaN(a.filter { $0.isFinite }),
                  Descriptive.meanVarianceIgnoringNaN(b.filter { $0.isFinite }))
    }

    /// Welch's test from precomputed (count, mean, variance ddof 1) of each sample.
    public static func welchTest(_ ma: (count: Int, mean: Double, variance: Double),
                                 _ mb: (count: Int, mean: Double, variance: Double)) -> TwoSampleOutcome {
        switch welchScale(ma.count, ma.variance, mb.count, mb.variance, equalMeans: ma.mean == mb.mean) {
        case .degenerate(let outcome): return outcome
        case .scale(let se2, let df):
            let t = (ma.mean - mb.mean) / se2.squareRoot()
            return TwoSampleOutcome(statistic: t, pValue: 2 * studentTSurvival(Swift.abs(t), df: df))
        }
    }

    enum WelchScale { case degenerate(TwoSampleOutcome), scale(se2: Double, df: Double) }

    /// The squared standard error of a difference of means, se² = s_a²/n_a + s_b²/n_b, and its
    /// Welch–Satterthwaite degrees of freedom; or the outcome when it cannot be formed (fewer than 2
    /// values in a sample: NaN; se² = 0: 0 and p 1 for equal means, else infinity and p 0).
    static func welchScale(_ na: Int, _ varA: Double, _ nb: Int, _ varB: Double, equalMeans: Bool) -> WelchScale {
        guard na >= 2, nb >= 2 else { return .degenerate(TwoSampleOutcome(statistic: .nan, pValue: .nan)) }
        let va = varA / Double(na), vb = varB / Double(nb)
        let se2 = va + vb
        if se2 == 0 { return .degenerate(TwoSampleOutcome(statistic: equalMeans ? 0 : .infinity, pValue: equalMeans ? 1 : 0)) }
        return .scale(se2: se2, df: se2 * se2 / (va * va / Double(na - 1) + vb * vb / Double(nb - 1)))
    }

    /// Count, mean, variance (ddof 1) and third central moment (1/n) of the finite values: what
    /// the skew-corrected mean-shift test needs from each sample (a reference computes it once).
    /// The central moments are those of (x - mean) / `scale`, so squares and cubes of deviations
    /// near 1e-300 or 1e300 neither underflow nor overflow (the test is scale-free); see `safeScale`.
    public struct Moments: Sendable {
        public var count: Int, mean: Double, variance: Double, thirdMoment: Double, scale: Double
        public init(_ x0: [Double]) {
            let x = x0.allSatisfy({ $0.isFinite }) ? x0 : x0.filter { $0.isFinite }
            let mv = Descriptive.meanVarianceIgnoringNaN(x)
            var largest = 0.0
            for v in x { largest = Swift.max(largest, Swift.abs(v - mv.mean)) }
            scale = TwoSampleStatistics.safeScale(largest)
            var m2 = 0.0, m3 = 0.0
            for v in x { let d = (v - mv.mean) / scale; m2 += d * d; m3 += d * d * d }
            count = x.count; mean = mv.mean
            variance = scale == 1 ? mv.variance : (x.count > 1 ? m2 / Double(x.count - 1) : .nan)
            thirdMoment = x.isEmpty ? .nan : m3 / Double(x.count)
        }
    }

    /// 1 when squares and cubes of numbers up to `largest` stay normal doubles (2^-300 ... 2^300, so
    /// every ordinary sample computes exactly as without a scale), else the power of two of `largest`.
    static func safeScale(_ largest: Double) -> Double {
        guard largest.isFinite, largest > 0, largest < 0x1p-300 || largest > 0x1p300 else { return 1 }
        return Double(sign: .plus, exponent: largest.exponent, significand: 1)
    }

    /// The larger of two samples' scales, 1 when neither has one (0 stands for none).
    static func commonScale(_ a: Double, _ b: Double) -> Double {
        let s = Swift.max(a, b)
        return s > 0 ? s : 1
    }

    /// Welch's test with Hall's (1992) skewness correction, the lab's mean-shift rule: with
    /// T = (m_b - m_a)/se and a = (μ3_b/n_b² - μ3_a/n_a²)/se³ the estimated skewness of m_b - m_a,
    /// T_H = T + a·T²/3 + a²·T³/27 + a/6 (monotone in T) removes the O(1/√n) Edgeworth term
    /// a(2T² + 1)/6 that makes plain Welch over-reject on skewed data (0.08–0.09 at 100
    /// lognormal rows against a nominal 0.05); p = 2·P(t_df > |T_H|) with Welch–Satterthwaite df.
    /// Equals `welchTest` when both samples are symmetric. Hall, J. R. Stat. Soc. B 54 (1992) 221–228.
    public static func skewCorrectedWelchTest(_ ma: Moments, _ mb: Moments) -> TwoSampleOutcome {
        // Both samples' moments on the larger of their scales (1 for ordinary data); a sample
        // without spread has no scale of its own (its moments are 0 on any scale).
        let sa = ma.variance > 0 ? ma.scale : 0, sb = mb.variance > 0 ? mb.scale : 0
        let common = TwoSampleStatistics.commonScale(sa, sb), ra = sa / common, rb = sb / common
        let se2: Double, df: Double
        switch welchScale(ma.count, ma.variance * ra * ra, mb.count, mb.variance * rb * rb, equalMeans: ma.mean == mb.mean) {
        case .degenerate(let outcome): return outcome
        case .scale(let s, let d): (se2, df) = (s, d)
        }
        let t = (mb.mean - ma.mean) / common / se2.squareRoot()
        let kappa3 = mb.thirdMoment * rb * rb * rb / Double(mb.count * mb.count) - ma.thirdMoment * ra * ra * ra / Double(ma.count * ma.count)
        let a = kappa3 / (se2 * se2.squareRoot())
        let th = a.isFinite ? t + a * t * t / 3 + a * a * t * t * t / 27 + a / 6 : t
        return TwoSampleOutcome(statistic: th, pValue: 2 * studentTSurvival(Swift.abs(th), df: df))
    }

    /// Brown–Forsythe test for a variance shift (`scipy.stats.levene(a, b, center='median')`):
    /// one-way ANOVA F on |x - median| of each sample, p-value from F(1, N - 2). Finite values only.
    public static func brownForsythe(_ a0: [Double], _ b0: [Double]) -> TwoSampleOutcome {
        brownForsythe(sortedA: RadixSort.sorted(a0.filter { $0.isFinite }), sortedB: RadixSort.sorted(b0.filter { $0.isFinite }))
    }

    /// Brown–Forsythe on samples already sorted (infinite values are skipped).
    public static func brownForsythe(sortedA a: [Double], sortedB b: [Double]) -> TwoSampleOutcome {
        brownForsythe(AbsoluteDeviations(sorted: a), AbsoluteDeviations(sorted: b))
    }

    /// The per-sample part of Brown–Forsythe: count, mean and sum of squares about the mean of
    /// z = |x - median| over finite values (two passes, as SciPy). A reference computes it once.
    /// The mean and sum of squares are of z / `scale` (`safeScale` of the largest z; 1 for ordinary data).
    public struct AbsoluteDeviations: Sendable {
        public var count: Double, mean: Double, sumOfSquares: Double, scale: Double
        public init(sorted x0: [Double]) {
            let x = x0.allSatisfy({ $0.isFinite }) ? x0 : x0.filter { $0.isFinite }
            let median = Descriptive.quantile(sorted: x, 0.5)
            let largest = x.isEmpty ? 0 : Swift.max(Swift.abs(x[0] - median), Swift.abs(x[x.count - 1] - median))
            scale = TwoSampleStatistics.safeScale(largest)
            var s = 0.0
            for v in x { s += Swift.abs(v - median) / scale }
            let mean = x.isEmpty ? .nan : s / Double(x.count)
            var ss = 0.0
            for v in x { let d = Swift.abs(v - median) / scale - mean; ss += d * d }
            count = Double(x.count); self.mean = mean; sumOfSquares = ss
        }
    }

    /// Brown–Forsythe from the two samples' absolute-deviation summaries: F = (N-2)·between/within.
    public static func brownForsythe(_ a: AbsoluteDeviations, _ b: AbsoluteDeviations) -> TwoSampleOutcome {
        guard a.count >= 2, b.count >= 2 else { return TwoSampleOutcome(statistic: .nan, pValue: .nan) }
        let n = a.count + b.count
        // Both summaries on the larger scale (1 for ordinary data; none for a sample without
        // deviations): F is scale-free.
        let sa = a.mean > 0 ? a.scale : 0, sb = b.mean > 0 ? b.scale : 0
        let common = TwoSampleStatistics.commonScale(sa, sb), ra = sa / common, rb = sb / common
        let meanA = a.mean * ra, meanB = b.mean * rb
        let grand = (meanA * a.count + meanB * b.count) / n
        let within = a.sumOfSquares * ra * ra + b.sumOfSquares * rb * rb
        let between = a.count * (meanA - grand) * (meanA - grand) + b.count * (meanB - grand) * (meanB - grand)
        if within == 0 { return TwoSampleOutcome(statistic: between == 0 ? 0 : .infinity, pValue: between == 0 ? 1 : 0) }
        let w = (n - 2) * between / within
        return TwoSampleOutcome(statistic: w, pValue: fSurvival(w, d1: 1, d2: n - 2))
    }

    /// The (1 - alpha) quantile of chi-squared with `df` degrees of freedom, by bisection on
    /// `SpecialFunctions.chiSquaredSurvival` (60 halvings: exact to double precision).
    public static func chiSquaredQuantile(upperTail alpha: Double, degreesOfFreedom df: Double) -> Double {
        guard df > 0, alpha > 0, alpha < 1 else { return .nan }
        var lo = 0.0, hi = Swift.max(1.0, df)
        while SpecialFunctions.chiSquaredSurvival(hi, degreesOfFreedom: df) > alpha { hi *= 2 }
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if SpecialFunctions.chiSquaredSurvival(mid, degreesOfFreedom: df) > alpha { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// The sampling-noise bar for PSI between samples of sizes n and m over k bins: under no drift
    /// PSI ≈ X²·(1/n + 1/m) with X² ~ chi-squared(k - 1) (PSI is a symmetrised KL divergence, whose
    /// second-order term is Pearson's statistic), so its (1 - alpha) quantile is
    /// χ²_{k-1}(1 - alpha)·(1/n + 1/m).
    public static func psiNoiseBar(bins k: Int, n: Int, m: Int, alpha: Double) -> Double {
        guard k > 1, n > 0, m > 0 else { return .infinity }
        return chiSquaredQuantile(upperTail: alpha, degreesOfFreedom: Double(k - 1)) * (1 / Double(n) + 1 / Double(m))
    }

    /// The same bar for the base-2 Jensen–Shannon distance: JSD ≈ X²·(1/n + 1/m)/8 nats.
    public static func jensenShannonNoiseBar(bins k: Int, n: Int, m: Int, alpha: Double) -> Double {
        (psiNoiseBar(bins: k, n: n, m: m, alpha: alpha) / (8 * log(2.0))).squareRoot()
    }

    /// The sampling noise of W1 against one reference. With no drift √(nm/(n+m))·W1 tends to
    /// Y = ∫|B(F(x))|dx, B a Brownian bridge (del Barrio, Giné & Matrán 1999), so the (1 - alpha)
    /// bar is q_{1-alpha}(Y)·√(1/n + 1/m). Y's mean √(2/π)·∫√(F(1-F))dx and its variance (from
    /// E|B(u)||B(v)| of a bivariate normal) are sums over the reference's gaps, the variance's over
    /// 64 bands of F spaced in logit(F); the quantile is a gamma's with that mean and variance.
    /// Heavy tails make Y large: moving a little mass into a far tail moves W1 by much more than the IQR.
    public struct WassersteinNoise: Sendable, Equatable {
        /// Mean and variance of Y (in the feature's units).
        public let mean: Double
        public let variance: Double
        /// The (1 - `alpha`) quantile of Y, kept for the level the baseline was built at.
        let alpha: Double
        let quantile: Double

        public init(sortedReference x0: [Double], alpha: Double = 0.05) {
            let x = x0.allSatisfy(\.isFinite) ? x0 : x0.filter { $0.isFinite }
            let n = x.count
            let bands = 64
            var weight = [Double](repeating: 0, count: bands), position = [Double](repeating: 0, count: bands)
            var j = 0.0
            if n >= 2 {
                let lo = log(1 / Double(n - 1)), width = (log(Double(n - 1)) - lo) / Double(bands)
                for i in 1..<n {
                    let gap = x[i] - x[i - 1]
                    if gap <= 0 { continue }
                    let u = Double(i) / Double(n)
                    let w = (u * (1 - u)).squareRoot() * gap
                    j += w
                    // Two values have one gap and no band width (logit(1/2) = 0 = lo): band 0.
                    let b = width > 0 ? Swift.min(bands - 1, Swift.max(0, Int((log(u / (1 - u)) - lo) / width))) : 0
                    weight[b] += w; position[b] += w * u
                }
            }
            var v = 0.0
            for b in 0..<bands where weight[b] > 0 {
                let ub = position[b] / weight[b]
                v += weight[b] * weight[b] * (Double.pi / 2 - 1)
                for c in (b + 1)..<bands where weight[c] > 0 {
                    let uc = position[c] / weight[c]
                    let rho = Swift.min(1, (ub * (1 - uc) / (uc * (1 - ub))).squareRoot())
                    v += 2 * weight[b] * weight[c] * ((1 - rho * rho).squareRoot() + rho * asin(rho) - 1)
                }
            }
            mean = (2 / Double.pi).squareRoot() * j
            variance = Swift.max(0, 2 / Double.pi * v)
            self.alpha = alpha
            quantile = WassersteinNoise.gammaQuantile(mean: mean, variance: variance, upperTail: alpha)
        }

        /// The (1 - alpha) quantile of W1 between a window of n and the reference's m values with no drift.
        public func bar(n: Int, m: Int, alpha: Double) -> Double {
            guard n > 0, m > 0 else { return .infinity }
            let q = alpha == self.alpha ? quantile : WassersteinNoise.gammaQuantile(mean: mean, variance: variance, upperTail: alpha)
            return q * (1 / Double(n) + 1 / Double(m)).squareRoot()
        }

        /// Gamma(k, θ) with mean kθ and variance kθ²: θ·χ²_{2k}(1 - alpha)/2.
        static func gammaQuantile(mean: Double, variance: Double, upperTail alpha: Double) -> Double {
            guard mean > 0, variance > 0 else { return mean }
            let shape = mean * mean / variance, scale = variance / mean
            return scale * TwoSampleStatistics.chiSquaredQuantile(upperTail: alpha, degreesOfFreedom: 2 * shape) / 2
        }
    }

    /// Student-t upper tail P(T > t) = I_{df/(df+t²)}(df/2, 1/2)/2 for t >= 0.
    public static func studentTSurvival(_ t: Double, df: Double) -> Double {
        if t.isNaN || df.isNaN { return .nan }
        if t.isInfinite { return t > 0 ? 0 : 1 }
        let p = 0.5 * SpecialFunctions.regularizedBeta(df / 2, 0.5, df / (df + t * t))
        return t >= 0 ? p : 1 - p
    }

    /// F-distribution upper tail P(F > f) = I_{d2/(d2+d1·f)}(d2/2, d1/2).
    public static func fSurvival(_ f: Double, d1: Double, d2: Double) -> Double {
        if f.isNaN { return .nan }
        if f <= 0 { return 1 }
        if f.isInfinite { return 0 }
        return SpecialFunctions.regularizedBeta(d2 / 2, d1 / 2, d2 / (d2 + d1 * f))
    }
}
