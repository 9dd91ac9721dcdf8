import Foundation
import Testing
@testable import DriftCore
@testable import DriftSim

/// The generator's own exp and normal sampler: FastMath.exp against Foundation's exp, and the
/// ziggurat's draws against the standard normal.
@Suite struct FastMathTests {
    /// Distance in units in the last place of `b`.
    func ulps(_ a: Double, _ b: Double) -> Double { abs(a - b) / b.ulp }

    @Test func fastExpIsWithinTwoUlpOfFoundation() {
        var rng = Xoshiro256StarStar(seed: 5)
        var worst = 0.0
        FastMath.powers.withUnsafeBufferPointer { p in
            let pw = p.baseAddress!
            // Exact points, table edges (k mod 64 = 0 and 63), the Cody-Waite boundary and the fallback.
            #expect(FastMath.exp(0, pw) == 1)
            for x in [1.0, -1.0, M_LN2, -M_LN2, M_LN2 / 64, 63 * M_LN2 / 64, 0.5 * M_LN2 / 64, 700, -700, 709, -745, 1e-300] {
                worst = max(worst, ulps(FastMath.exp(x, pw), exp(x)))
            }
            #expect(FastMath.exp(.nan, pw).isNaN && FastMath.exp(800, pw) == .infinity && FastMath.exp(-800, pw) == 0)
            for k in 0..<400_000 {
                // The generator's range (log amounts, log distances, logits) and the whole finite range.
                let x = k % 2 == 0 ? (rng.uniform() - 0.5) * 40 : (rng.uniform() - 0.5) * 1400
                worst = max(worst, ulps(FastMath.exp(x, pw), exp(x)))
            }
            let s = FastMath.sigmoid(2.5, pw), t = 1 / (1 + exp(-2.5))
            #expect(abs(s - t) <= 2 * t.ulp)
        }
        #expect(worst <= 2, "max error \(worst) ulp")
    }

    /// The spelled-out clamps give the stdlib's `Swift.max(lower, x)` and `Swift.min(upper, x)` bit for
    /// bit, NaN and signed zeros included: the generator's rows must not change with them.
    @Test func clampsAreTheStdlibMaxAndMin() {
        let values: [Double] = [.nan, -.nan, .infinity, -.infinity, 0, -0.0, 1, -1, 0.5, 1.5, 1e6, 1e6.nextUp,
                                .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for x in values {
            for bound in [0.0, -0.0, 1, 1e6] {
                #expect(FastMath.atLeast(bound, x).bitPattern == Swift.max(bound, x).bitPattern, "max(\(bound), \(x))")
                #expect(FastMath.atMost(bound, x).bitPattern == Swift.min(bound, x).bitPattern, "min(\(bound), \(x))")
            }
            #expect(FastMath.clamp(x, 0, 1).bitPattern == Swift.min(1, Swift.max(0, x)).bitPattern, "clamp(\(x))")
        }
    }

    @Test func zigguratDrawsAreStandardNormal() {
        let zig = ZigguratNormal.shared
        var rng = Xoshiro256StarStar(seed: 9, stream: 4)
        let n = 400_000
        var draws = [Double](repeating: 0, count: n)
        var sum = 0.0, sum2 = 0.0, sum3 = 0.0, sum4 = 0.0, beyondR = 0, beyond1 = 0
        for i in 0..<n {
            let z = zig.sample(using: &rng)
            draws[i] = z
            sum += z; sum2 += z * z; sum3 += z * z * z; sum4 += z * z * z * z
            if abs(z) > 3.442619855899 { beyondR += 1 }
            if abs(z) > 1 { beyond1 += 1 }
        }
        let m = sum / Double(n), v = sum2 / Double(n) - m * m
        // Moments within about 4 standard errors (mean 1/sqrt(n), variance sqrt(2/n), skew sqrt(6/n), kurtosis sqrt(24/n)).
        #expect(abs(m) < 4 / Double(n).squareRoot())
        #expect(abs(v - 1) < 4 * (2 / Double(n)).squareRoot())
        #expect(abs(sum3 / Double(n)) < 4 * (6 / Double(n)).squareRoot() + 1e-3)
        #expect(abs(sum4 / Double(n) - 3) < 4 * (24 / Double(n)).squareRoot() + 1e-3)
        // Tail shares (the base strip's tail beyond r, and |z| > 1) against SciPy:
        // from scipy.stats import norm; 2*norm.sf(3.442619855899), 2*norm.sf(1.0)
        let tailR = 0.0005761085123916392, tail1 = 0.31731050786291415
        #expect(abs(Double(beyondR) / Double(n) - tailR) < 4 * (tailR / Double(n)).squareRoot())
        #expect(abs(Double(beyond1) / Double(n) - tail1) < 4 * (tail1 * (1 - tail1) / Double(n)).squareRoot())
        // One-sample Kolmogorov-Smirnov against the normal CDF: D below its 0.1% critical value 1.949/sqrt(n).
        draws.sort()
        var d = 0.0
        for (i, z) in draws.enumerated() {
            let f = SpecialFunctions.normalCDF(z)
            d = max(d, abs(f - Double(i) / Double(n)), abs(Double(i + 1) / Double(n) - f))
        }
        #expect(d < 1.949 / Double(n).squareRoot(), "KS D \(d)")
        // Same seed, same draws.
        var b = Xoshiro256StarStar(seed: 9, stream: 4), c = b
        #expect((0..<1000).map { _ in zig.sample(using: &b) } == (0..<1000).map { _ in zig.sample(using: &c) })
    }
}
