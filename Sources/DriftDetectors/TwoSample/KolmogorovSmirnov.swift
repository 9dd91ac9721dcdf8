import DriftCore
import Foundation

/// Two-sided two-sample Kolmogorov–Smirnov test, the same statistic and p-value as SciPy's
/// `ks_2samp(a, b, method=...)`: D = max |F_ref(x) - F_cur(x)| over all observed x (ties counted
/// with `searchsorted(side='right')`), exact p-value by Hodges' lattice-path recursion when both
/// samples have at most 10,000 values (`auto`), otherwise SciPy's `kstwo.sf(D, round(nm/(n+m)))`.
public struct KolmogorovSmirnov: Sendable {
    /// How the p-value is computed; `.auto` is SciPy's rule (exact iff max(n, m) <= 10,000).
    public enum Method: String, Sendable { case auto, exact, asymptotic }

    public var method: Method
    public init(method: Method = .auto) { self.method = method }

    /// SciPy's MAX_AUTO_N: `auto` is exact when both sizes are at most this.
    public static let maxExactSize = 10_000

    /// The test on two samples already sorted ascending with NaNs removed. Empty input gives
    /// statistic 0 and p-value NaN (SciPy raises; we return a defined result).
    public func test(sortedReference a: [Double], sortedCurrent b: [Double]) -> TwoSampleOutcome {
        let n1 = a.count, n2 = b.count
        guard n1 > 0, n2 > 0 else { return TwoSampleOutcome(statistic: 0, pValue: .nan) }
        var d = KolmogorovSmirnov.statistic(sortedA: a, sortedB: b)
        var mode = method == .auto ? (Swift.max(n1, n2) <= KolmogorovSmirnov.maxExactSize ? Method.exact : .asymptotic) : method
        var p = Double.nan
        if mode == .exact {
            let g = KolmogorovSmirnov.gcd(n1, n2)
            if n1 / g >= Int(Int32.max) / (n2 / g) {
                mode = .asymptotic
            } else {
                let lcm = (n1 / g) * n2
                let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
                d = Double(h) / Double(lcm)
                if h == 0 {
                    p = 1
                } else {
                    p = n1 == n2 ? KolmogorovSmirnov.probabilityOutsideSquare(n: n1, h: h)
                                 : KolmogorovSmirnov.probabilityOutsideInside(m: n1, n: n2, g: g, h: h)
                    if !(p >= 0 && p <= 1) { mode = .asymptotic }
                }
            }
        }
        if mode == .asymptotic {
            let m = Double(Swift.max(n1, n2)), n = Double(Swift.min(n1, n2))
            let en = (m * n / (m + n)).rounded(.toNearestOrEven)
            p = KolmogorovDistribution.survival(n: Int(en), x: d)
        }
        return TwoSampleOutcome(statistic: d, pValue: Swift.min(Swift.max(p, 0), 1))
    }

    /// The test on raw samples: NaNs are dropped (see `NumericSample` for the count), both sorted by radix sort.
    public func test(reference: [Double], current: [Double]) -> TwoSampleOutcome {
        test(sortedReference: NumericSample(reference).sorted, sortedCurrent: NumericSample(current).sorted)
    }

    /// D = max over observed x of |F_a(x) - F_b(x)|, with F(x) = #{values <= x}/n (SciPy's tie rule):
    /// a merge walk that steps past every copy of a value in both samples before comparing.
    public static func statistic(sortedA a: [Double], sortedB b: [Double]) -> Double {
        let n1 = a.count, n2 = b.count
        if n1 == 0 || n2 == 0 { return 0 }
        if Swift.min(n1, n2) * 16 < Swift.max(n1, n2) { return statisticBySearch(sortedA: a, sortedB: b) }
        return statisticByMerge(sortedA: a, sortedB: b)
    }

    /// The statistic by one merge walk over both samples, O(n + m).
    static func statisticByMerge(sortedA a: [Double], sortedB b: [Double]) -> Double {
        let n1 = a.count, n2 = b.count
        if n1 == 0 || n2 == 0 { return 0 }
        // Branch-free merge: advance past the smaller head (both on a tie) and record the CDF
        // difference only when the next value differs (all ties consumed). An exhausted sample
        // reads as +inf. maxS/minS start at 0, the difference after the last value, which SciPy includes.
        // The walk tracks t = i·n2 - j·n1 (n1·n2 times the difference, exact in integers); SciPy's
        // i/n1 - j/n2 is only evaluated where t reaches or ties its running extreme, so the two
        // divisions leave the per-step path. Distinct t differ by 1/(n1·n2) >> rounding, so this
        // keeps the same maximum bit for bit (ties in t take the larger rounded value, as before).
        var maxS = 0.0, minS = 0.0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let d1 = Double(n1), d2 = Double(n2)
                let lastA = n1 - 1, lastB = n2 - 1
                var i = 0, j = 0, t = 0, tMax = 0, tMin = 0
                var x = pa[0], y = pb[0]
                while i < n1 || j < n2 {
                    let v = Swift.min(x, y)
                    let stepA = x == v && i < n1, stepB = y == v && j < n2
                    i &+= stepA ? 1 : 0
                    j &+= stepB ? 1 : 0
                    t = t &+ (stepA ? n2 : 0) &- (stepB ? n1 : 0)
                    x = i < n1 ? pa[Swift.min(i, lastA)] : .infinity
                    y = j < n2 ? pb[Swift.min(j, lastB)] : .infinity
                    if t >= tMax || t <= tMin {
                        let commit = Swift.min(x, y) != v || (i == n1 && j == n2)
                        if commit {
                            // Same operations as SciPy: searchsorted(...)/n1 - searchsorted(...)/n2.
                            let diff = Double(i) / d1 - Double(j) / d2
                            if t >= tMax { maxS = t > tMax ? diff : Swift.max(maxS, diff); tMax = t }
                            if t <= tMin { minS = t < tMin ? diff : Swift.min(minS, diff); tMin = t }
                        }
                    }
                }
            }
        }
        let minClipped = Swift.min(Swift.max(-minS, 0), 1)
        return minClipped > maxS ? minClipped : maxS
    }

    /// The same statistic when one sample is much smaller (a window against a large reference):
    /// the CDF difference only needs evaluating at each distinct value w of the small sample and at
    /// the last large-sample value before w (where the gap between two small-sample values peaks),
    /// found by galloping search, so the cost is O(m log(n/m)) instead of O(n + m).
    static func statisticBySearch(sortedA a: [Double], sortedB b: [Double]) -> Double {
        let aIsLarge = a.count >= b.count
        let large = aIsLarge ? a : b, small = aIsLarge ? b : a
        let nl = large.count, ns = small.count
        let d1 = Double(a.count), d2 = Double(b.count)
        var maxS = 0.0, minS = 0.0
        large.withUnsafeBufferPointer { L in
            small.withUnsafeBufferPointer { S in
                /// First index >= from with L[index] > v (upper) or >= v (lower), by galloping then bisection.
                func search(_ v: Double, from: Int, upper: Bool) -> Int {
                    @inline(__always) func before(_ x: Double) -> Bool { upper ? x <= v : x < v }
                    if from >= nl || !before(L[from]) { return from }
                    var lo = from, step = 1
                    while lo + step < nl && before(L[lo + step]) { lo += step; step <<= 1 }
                    var hi = Swift.min(lo + step, nl)  // L[lo] is before v, L[hi] (if any) is not
                    while hi - lo > 1 {
                        let mid = (lo + hi) >> 1
                        if before(L[mid]) { lo = mid } else { hi = mid }
                    }
                    return hi
                }
                @inline(__always) func record(large i: Int, small j: Int) {
                    let diff = aIsLarge ? Double(i) / d1 - Double(j) / d2 : Double(j) / d1 - Double(i) / d2
                    if diff > maxS { maxS = diff }
                    if diff < minS { minS = diff }
                }
                var previousUpper = 0, previousCount = 0
                var k = 0
                while k < ns {
                    let w = S[k]
                    var end = k + 1
                    while end < ns && S[end] == w { end += 1 }
                    let below = search(w, from: previousUpper, upper: false)
                    if below > previousUpper { record(large: below, small: previousCount) }
                    let upTo = search(w, from: below, upper: true)
                    record(large: upTo, small: end)
                    previousUpper = upTo; previousCount = end
                    k = end
                }
            }
        }
        let minClipped = Swift.min(Swift.max(-minS, 0), 1)
        return minClipped > maxS ? minClipped : maxS
    }

    /// P(D_{n,n} >= h/n) = 2 Σ_k (-1)^(k+1) C(2n, n-kh)/C(2n, n), evaluated Horner-like without
    /// cancellation (SciPy's `_compute_prob_outside_square`).
    static func probabilityOutsideSquare(n: Int, h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var p1 = 1.0
            for j in 0..<h { p1 = Double(n - k * h - j) * p1 / Double(n + k * h + j + 1) }
            p = p1 * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// The share of lattice paths from (0,0) to (m,n) leaving the band |x/m - y/n| < h/lcm:
    /// Hodges' inside method with Viehmann's recursion for 1 - p (SciPy's
    /// `_compute_outer_prob_inside_method`), one sliding column of length O(h/m).
    static func probabilityOutsideInside(m m0: Int, n n0: Int, g: Int, h: Int) -> Double {
        let m = Swift.max(m0, n0), n = Swift.min(m0, n0)
        let mg = m / g, ng = n / g
        var minj = 0
        var maxj = Swift.min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var curlen = maxj - minj
        let lenA = Swift.min(2 * maxj + 2, n + 1)
        var column = [Double](repeating: 1, count: lenA)
        for j in minj..<maxj { column[j] = 0 }
        for i in 1...m {
            let lastminj = minj, lastlen = curlen
            minj = Swift.max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0)
            minj = Swift.min(minj, n)
            maxj = Swift.min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1 }
            var val = minj == 0 ? 0.0 : 1.0
            let di = Double(i)
            for jj in 0..<(maxj - minj) {
                let j = jj + minj
                val = (column[jj + minj - lastminj] * di + val * Double(j)) / (di + Double(j))
                column[jj] = val
            }
            curlen = maxj - minj
            if lastlen > curlen {
                for t in (maxj - minj)..<Swift.min(maxj - minj + (lastlen - curlen), lenA) { column[t] = 1 }
            }
        }
        return column[maxj - minj - 1]
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var x = a, y = b
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}

/// A numeric sample with missing values removed: the finite-or-infinite values sorted ascending
/// (by `RadixSort`) and how many NaNs were dropped. Sort once, reuse across tests.
public struct NumericSample: Sendable {
    public let sorted: [Double]
    public let missingCount: Int
    public init(_ values: [Double]) {
        (sorted, missingCount) = RadixSort.sortedDroppingNaN(values)
    }
    public var count: Int { sorted.count }
}

/// The distribution of the one-sample two-sided KS statistic D_n (SciPy's `kstwo`, after Simard
/// and L'Ecuyer 2011): exact Durbin matrix for small n·x², Smirnov's one-sided sum doubled in the
/// tail, Pelz–Good asymptotic series otherwise, with SciPy's switch-over points.
public enum KolmogorovDistribution {
    /// P(D_n > x), as `scipy.stats.kstwo.sf(x, n)`.
    public static func survival(n: Int, x: Double) -> Double {
        if x.isNaN || n <= 0 { return .nan }
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        let dn = Double(n)
        let t = dn * x
        if t <= 1 {
            if t <= 0.5 { return 1 }
            var prob: Double
            if n <= 140 {
                prob = 1
                for i in 1...n { prob *= Double(i) * (1 / dn) * (2 * t - 1) }
            } else {
                prob = exp(logFactorialOverPower(n) + dn * log(2 * t - 1))
            }
            return clip(1 - prob)
        }
        if t >= dn - 1 { return clip(2 * pow(1 - x, dn)) }
        if x >= 0.5 { return clip(2 * smirnovSurvival(n: n, x: x)) }
        let nxSquared = t * x
        if n <= 140 {
            // SciPy uses Durbin below 0.754693 and Pomeranz up to 4; both are exact, Durbin serves both.
            if nxSquared <= 4 { return clip(1 - durbinCDF(n: n, d: x)) }
            return clip(2 * smirnovSurvival(n: n, x: x))
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return clip(2 * smirnovSurvival(n: n, x: x)) }
        let cdf: Double
        if n <= 100_000 && dn * pow(x, 1.5) <= 1.4 { cdf = durbinCDF(n: n, d: x) } else { cdf = pelzGoodCDF(n: n, x: x) }
        return clip(1 - cdf)
    }

    /// Kolmogorov's limiting distribution P(K > x) (SciPy's `kstwobign.sf`): 2 Σ (-1)^(k-1) e^(-2k²x²).
    public static func limitingSurvival(_ x: Double) -> Double {
        if x <= 0 { return 1 }
        if x <= 0.82 {
            let w = (2 * Double.pi).squareRoot() / x
            let logu8 = -Double.pi * Double.pi / (x * x)
            let u = exp(logu8 / 8)
            if u == 0 { return 1 }
            let u8 = exp(logu8)
            var p = 1.0
            p = 1 + pow(u8, 3) * p
            p = 1 + u8 * u8 * p
            p = 1 + u8 * p
            return clip(1 - w * u * p)
        }
        let v = exp(-2 * x * x)
        let vsq = v * v, v3 = pow(v, 3)
        var p = 1.0
        p = 1 - v3 * v3 * v * p
        p = 1 - v3 * vsq * p
        p = 1 - v3 * p
        return clip(2 * v * p)
    }

    /// One-sided Smirnov survival P(D+_n > x) by the Birnbaum–Tingey sum
    /// x Σ_{j=0}^{⌊n(1-x)⌋} C(n,j) (1-x-j/n)^(n-j) (x+j/n)^(j-1); every term is positive, so it is
    /// summed in log space without cancellation (SciPy's `smirnov`, which uses double-double).
    public static func smirnovSurvival(n: Int, x: Double) -> Double {
        if !(n > 0 && x >= 0 && x <= 1) { return .nan }
        let dn = Double(n)
        if n == 1 { return 1 - x }
        if x == 0 { return 1 }
        if x == 1 { return 0 }
        let nx = dn * x
        let nxFloor = Int(nx.rounded(.down))
        if nxFloor == 0 || (nxFloor == 1 && nx == 1) {
            return 1 - x * pow(1 + x, dn - 1)
        }
        if -2 * dn * x * x < -708.3964185322641 { return 0 }
        if nxFloor >= n - 1 { return pow(1 - x, dn) }
        if n > 1_000_000 {
            let logp = -pow(6 * nx + 1, 2) / 18 / dn
            return logp < -M_LN2 ? exp(logp) : 1 + expm1(logp)
        }
        // Terms j = 0 ... floor(n(1-x)), excluding the one where 1 - x - j/n = 0. The log-terms are
        // unimodal in j: find the peak by ternary search, then sum outwards until terms vanish
        // (O(√n) terms instead of n).
        var last = Int((dn * (1 - x)).rounded(.down))
        if 1 - x - Double(last) / dn <= 0 { last -= 1 }
        if last < 0 { return 0 }
        let lgN1 = logGamma(dn + 1)
        func logTerm(_ j: Int) -> Double {
            let dj = Double(j)
            return lgN1 - logGamma(dj + 1) - logGamma(dn - dj + 1) + (dn - dj) * log(1 - x - dj / dn) + (dj - 1) * log(x + dj / dn)
        }
        var lo = 0, hi = last
        while hi - lo > 2 {
            let m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3
            if logTerm(m1) < logTerm(m2) { lo = m1 + 1 } else { hi = m2 - 1 }
        }
        var peak = lo, peakLog = logTerm(lo)
        for j in (lo + 1)...Swift.max(hi, lo) where j <= last {
            let t = logTerm(j)
            if t > peakLog { peak = j; peakLog = t }
        }
        var sum = 1.0
        var j = peak - 1
        while j >= 0 {
            let t = exp(logTerm(j) - peakLog)
            sum += t
            if t < 1e-18 * sum { break }
            j -= 1
        }
        j = peak + 1
        while j <= last {
            let t = exp(logTerm(j) - peakLog)
            sum += t
            if t < 1e-18 * sum { break }
            j += 1
        }
        return clip(x * exp(peakLog + log(sum)))
    }

    /// log(n!/n^n) by Stirling's series (SciPy's `_log_nfactorial_div_n_pow_n`).
    static func logFactorialOverPower(_ n: Int) -> Double {
        let coeffs = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
                      8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
                      -2.7777777777777777778e-3, 8.3333333333333333333e-2]
        let dn = Double(n), rn = 1 / dn, z = rn / dn
        var poly = 0.0
        for c in coeffs { poly = poly * z + c }
        return log(dn) / 2 - dn + log(2 * Double.pi) / 2 + rn * poly
    }

    /// P(D_n <= d) by Durbin's matrix (Marsaglia, Tsang and Wang 2003): the (k,k) entry of H^n
    /// times n!/n^n, with d = (k - h)/n and H of size 2k-1; powers rescaled by 2^128 as needed.
    static func durbinCDF(n: Int, d: Double) -> Double {
        if d >= 1 { return 1 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1
        var v = [Double](repeating: 0, count: m), w = [Double](repeating: 0, count: m)
        var fac = 1.0
        for j in 1...m {
            w[j - 1] = fac
            fac /= Double(j)
            v[j - 1] = (1 - pow(h, Double(j))) * fac
        }
        let tt = pow(Swift.max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))
        v[m - 1] = (1 + tt) * fac
        var hm = [Double](repeating: 0, count: m * m)
        for i in 1..<m {
            for r in (i - 1)..<m { hm[r * m + i] = w[r - (i - 1)] }
        }
        for r in 0..<m { hm[r * m] = v[r] }
        for c in 0..<m { hm[(m - 1) * m + c] = v[m - 1 - c] }
        var power = [Double](repeating: 0, count: m * m)
        for i in 0..<m { power[i * m + i] = 1 }
        var nn = n, expnt = 0, hExpnt = 0
        let scale = 0x1p128, scaleE = 128
        while nn > 0 {
            if nn % 2 == 1 {
                power = matmul(power, hm, m)
                expnt += hExpnt
            }
            hm = matmul(hm, hm, m)
            hExpnt *= 2
            if Swift.abs(hm[(k - 1) * m + (k - 1)]) > scale {
                for t in 0..<hm.count { hm[t] /= scale }
                hExpnt += scaleE
            }
            nn /= 2
        }
        var p = power[(k - 1) * m + (k - 1)]
        for i in 1...n {
            p = Double(i) * p / Double(n)
            if Swift.abs(p) < 0x1p-128 { p *= scale; expnt -= scaleE }
        }
        if expnt != 0 { p = scalbn(p, expnt) }
        return clip(p)
    }

    private static func matmul(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * m)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    for i in 0..<m {
                        for k in 0..<m {
                            let aik = pa[i * m + k]
                            if aik == 0 { continue }
                            for j in 0..<m { pc[i * m + j] += aik * pb[k * m + j] }
                        }
                    }
                }
            }
        }
        return c
    }

    /// Pelz–Good asymptotic series for P(D_n <= x): K0 + K1/√n + K2/n + K3/n^1.5 in z = x√n,
    /// each K written with Jacobi theta sums (Pelz and Good 1976, as in SciPy).
    static func pelzGoodCDF(n: Int, x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let pi2 = Double.pi * Double.pi, pi4 = pi2 * pi2, pi6 = pi4 * pi2
        let z = Double(n).squareRoot() * x
        let z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2
        let qlog = -pi2 / 8 / z2
        if qlog < -708 { return 0 }
        var q = exp(qlog)
        let k1a = -z2, k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * pow(z, 8)
        var kk = [0.0, 0.0, 0.0, 0.0]
        let maxk = Int((16 * z / Double.pi).rounded(.up))
        if maxk >= 1 {
            for k in stride(from: maxk, through: 1, by: -1) {
                let mm = Double(2 * k - 1)
                let m2 = mm * mm, m4 = m2 * m2, m6 = m4 * m2
                let qp = pow(q, Double(8 * k))
                let coeffs = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
                for i in 0..<4 { kk[i] = kk[i] * qp + coeffs[i] }
            }
        }
        let sqrt2pi = (2 * Double.pi).squareRoot()
        let denoms = [z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for i in 0..<4 { kk[i] = kk[i] * q * sqrt2pi / denoms[i] }
        q = exp(-pi2 / 2 / z2)
        var k2extra = 0.0, k3extra = 0.0
        let sqrt3z = 3.0.squareRoot() * z
        if maxk >= 1 {
            for k in stride(from: maxk, through: 1, by: -1) {
                let dk = Double(k), ks2 = dk * dk
                let qp = pow(q, ks2)
                k2extra += ks2 * qp
                let kspi = Double.pi * dk
                k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp
            }
        }
        kk[2] += k2extra * pi2 * sqrt2pi / (-36 * z3)
        kk[3] += k3extra * pi2 * sqrt2pi / (216 * z6)
        let dn = Double(n)
        return kk[0] + kk[1] / dn.squareRoot() + kk[2] / dn + kk[3] / pow(dn, 1.5)
    }

    @inline(__always) static func clip(_ p: Double) -> Double { Swift.min(Swift.max(p, 0), 1) }
}

/// ln Γ(x) through the re-entrant `lgamma_r` (plain `lgamma` writes a global sign variable).
@inline(__always) func logGamma(_ x: Double) -> Double {
    var sign: Int32 = 0
    return lgamma_r(x, &sign)
}

extension KolmogorovSmirnov: TwoSampleTest {
    /// `TwoSampleTest` conformance: the test on raw samples (NaN dropped).
    public func compare(reference: [Double], current: [Double]) -> TwoSampleOutcome {
        test(reference: reference, current: current)
    }
}
