import DriftCore
import Foundation
import Testing
@testable import DriftDetectors

/// W1's sampling-noise bar (`TwoSampleStatistics.WassersteinNoise`), which the combined rule's W1
/// floor rises to: its moments against the formula written out in NumPy, its quantile against
/// SciPy's `wasserstein_distance` on simulated no-drift pairs, its level on our own draws, and
/// what it changes in the drift report (a far tail's share moving by half a point stays quiet).
@Suite("W1 noise bar")
struct WassersteinNoiseTests {
    /// 90 % N(0, 1) and 10 % N(50, 1), a feature with a far second mode (as distance from home with
    /// its foreign transactions): its quantile function at (i + 0.5)/m.
    static func farMixtureGrid(_ m: Int) -> [Double] {
        (0..<m).map { i in
            let u = (Double(i) + 0.5) / Double(m)
            return u < 0.9 ? SpecialFunctions.normalQuantile(u / 0.9) : 50 + SpecialFunctions.normalQuantile((u - 0.9) / 0.1)
        }
    }

    static func normalGrid(_ m: Int) -> [Double] {
        (0..<m).map { SpecialFunctions.normalQuantile((Double($0) + 0.5) / Double(m)) }
    }

    static func drawFar(_ rng: inout Xoshiro256StarStar, _ k: Int) -> [Double] {
        (0..<k).map { _ in
            let z = rng.normal()
            return rng.uniform() < 0.9 ? z : 50 + z
        }
    }

    /// Moments and bars against the same formula in NumPy (the oracle's `bar_formula`, on the same grid):
    ///
    ///     x = np.sort(x); N = len(x); u = np.arange(1, N)/N; gap = np.diff(x); keep = gap > 0
    ///     u, gap = u[keep], gap[keep]; w = np.sqrt(u*(1-u))*gap; J = w.sum()
    ///     lo = np.log(1/(N-1)); width = (np.log(N-1) - lo)/64
    ///     b = np.clip(((np.log(u/(1-u)) - lo)/width).astype(int), 0, 63)
    ///     W = np.bincount(b, weights=w, minlength=64); P = np.bincount(b, weights=w*u, minlength=64)
    ///     # v = Σ_b W_b²(π/2 - 1) + 2 Σ_{b<c} W_b W_c (√(1-ρ²) + ρ asin ρ - 1), ρ = √(u_b(1-u_c)/(u_c(1-u_b))), u_b = P_b/W_b
    ///     mean = np.sqrt(2/np.pi)*J; var = 2/np.pi*v; k = mean**2/var; th = var/mean
    ///     bar = th*scipy.stats.chi2.isf(alpha, 2*k)/2*np.sqrt(1/n + 1/m)
    @Test func momentsAndBarMatchTheFormula() {
        let far = TwoSampleStatistics.WassersteinNoise(sortedReference: Self.farMixtureGrid(5000))
        #expect(Swift.abs(far.mean / 12.96950828 - 1) < 1e-6, "\(far.mean)")
        #expect(Swift.abs(far.variance / 77.61302724 - 1) < 1e-6, "\(far.variance)")
        #expect(Swift.abs(far.bar(n: 1000, m: 5000, alpha: 0.05) / 1.039146363 - 1) < 1e-6)
        #expect(Swift.abs(far.bar(n: 100, m: 5000, alpha: 0.01) / 4.198421021 - 1) < 1e-6)
        let normal = TwoSampleStatistics.WassersteinNoise(sortedReference: Self.normalGrid(5000))
        #expect(Swift.abs(normal.mean / 1.281529598 - 1) < 1e-6 && Swift.abs(normal.variance / 0.2004344547 - 1) < 1e-6)
        #expect(Swift.abs(normal.bar(n: 1000, m: 5000, alpha: 0.05) / 0.07259401985 - 1) < 1e-6)
    }

    /// The bar is the no-drift 95 % quantile of W1 within 5 %: SciPy, 20,000 pairs of i.i.d. samples
    /// (n = 1,000 window, m = 5,000 reference) from the population itself:
    ///
    ///     rng = np.random.default_rng(7)
    ///     sims = [scipy.stats.wasserstein_distance(draw(rng, 1000), draw(rng, 5000)) for _ in range(20000)]
    ///     np.quantile(sims, 0.95)   # far mixture 1.05072, N(0, 1) 0.07457
    @Test func barIsTheSimulatedQuantile() {
        let far = TwoSampleStatistics.WassersteinNoise(sortedReference: Self.farMixtureGrid(5000)).bar(n: 1000, m: 5000, alpha: 0.05)
        let normal = TwoSampleStatistics.WassersteinNoise(sortedReference: Self.normalGrid(5000)).bar(n: 1000, m: 5000, alpha: 0.05)
        #expect(Swift.abs(far / 1.05072 - 1) < 0.05, "far \(far)")
        #expect(Swift.abs(normal / 0.07457 - 1) < 0.05, "normal \(normal)")
    }

    /// On our own draws (a fresh 5,000-row reference per pair, the bar computed from it, as the
    /// report does), W1 exceeds the bar in [0.5x, 1.5x] of 5 % of no-drift pairs at every window size.
    @Test(arguments: [100, 1000, 10_000])
    func levelOnNoDriftPairs(window: Int) throws {
        let pairs = 400
        let exceed = try Parallel.map(pairs, jobs: 2) { k -> Bool in
            var rng = Xoshiro256StarStar(seed: 20261124, stream: UInt64(window * 1000 + k))
            let reference = Self.drawFar(&rng, 5000).sorted(), current = Self.drawFar(&rng, window).sorted()
            let noise = TwoSampleStatistics.WassersteinNoise(sortedReference: reference)
            return TwoSampleStatistics.wasserstein(sortedA: reference, sortedB: current) > noise.bar(n: window, m: 5000, alpha: 0.05)
        }
        let rate = Double(exceed.filter { $0 }.count) / Double(pairs)
        print("CALIBRATION w1 noise bar n=\(window): \(rate)")
        #expect(rate >= 0.025 && rate <= 0.075, "n=\(window): \(rate)")
    }

    @Test func degenerateReferences() {
        let constant = TwoSampleStatistics.WassersteinNoise(sortedReference: [3, 3, 3, 3])
        #expect(constant.mean == 0 && constant.bar(n: 10, m: 4, alpha: 0.05) == 0)
        let single = TwoSampleStatistics.WassersteinNoise(sortedReference: [1])
        #expect(single.mean == 0 && single.variance == 0)
        // Two values (a trap until 2026-11-24: the 64 bands had no width): between 1 and 3 the
        // reference's F is 1/2, so Y = 2·|B(1/2)| = |Z|, mean √(2/π) and variance 1 - 2/π exactly.
        let two = TwoSampleStatistics.WassersteinNoise(sortedReference: [1, 3])
        #expect(abs(two.mean - (2 / Double.pi).squareRoot()) < 1e-15 && abs(two.variance - (1 - 2 / Double.pi)) < 1e-15)
        #expect(two.bar(n: 2, m: 2, alpha: 0.05).isFinite)
        let empty = TwoSampleStatistics.WassersteinNoise(sortedReference: [])
        #expect(empty.bar(n: 10, m: 0, alpha: 0.05) == .infinity)
        // Non-finite values are left out, as W1 leaves them out.
        let withNaN = TwoSampleStatistics.WassersteinNoise(sortedReference: [-.infinity, 0, 1, 2, .infinity, .nan])
        let finite = TwoSampleStatistics.WassersteinNoise(sortedReference: [0, 1, 2])
        #expect(withNaN == finite && finite.mean > 0 && finite.bar(n: 5, m: 3, alpha: 0.05).isFinite)
    }

    /// The combined rule. A lognormal(0, 2.5) feature scaled by 1.15 (its log shifted by 0.06 SD) in a
    /// 20,000-row window against 40,000 is significant by KS and moves W1 by more than the IQR, but
    /// not beyond W1's noise on so heavy a tail, and PSI and JS stay under their floors: no alarm.
    /// A normal feature shifted by 0.15 SD still alarms through W1 alone (PSI about 0.02).
    @Test func heavyTailNoiseDoesNotPassTheFloor() throws {
        var rng = Xoshiro256StarStar(seed: 5, stream: streamID("w1-floor"))
        let reference = try Table(columns: [("amount", .numeric((0..<40_000).map { _ in rng.lognormal(mu: 0, sigma: 2.5) })),
                                            ("score", .numeric((0..<40_000).map { _ in rng.normal() }))])
        let baseline = DriftBaseline(reference: reference)
        let window = try Table(columns: [("amount", .numeric((0..<20_000).map { _ in 1.15 * rng.lognormal(mu: 0, sigma: 2.5) })),
                                         ("score", .numeric((0..<20_000).map { _ in rng.normal() + 0.15 }))])
        let report = try baseline.compare(window)
        let amount = try #require(report.features.first { $0.feature == "amount" })
        #expect(amount.significant && amount.normalizedWasserstein >= 0.1, "p \(amount.adjustedPValue), W1/IQR \(amount.normalizedWasserstein)")
        #expect(amount.normalizedWasserstein < amount.wassersteinNoise && amount.populationStabilityIndex < 0.1 && !amount.alarm,
                "W1/IQR \(amount.normalizedWasserstein), noise \(amount.wassersteinNoise), PSI \(amount.populationStabilityIndex)")
        let score = try #require(report.features.first { $0.feature == "score" })
        #expect(score.alarm && score.populationStabilityIndex < 0.1 && score.normalizedWasserstein >= Swift.max(0.1, score.wassersteinNoise),
                "W1/IQR \(score.normalizedWasserstein), noise \(score.wassersteinNoise), PSI \(score.populationStabilityIndex)")
    }
}
