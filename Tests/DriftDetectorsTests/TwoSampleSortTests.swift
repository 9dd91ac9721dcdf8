import DriftCore
import Foundation
import Testing
@testable import DriftDetectors

@Suite("Numeric sample")
struct TwoSampleSortTests {
    @Test func dropsAndCountsMissingValues() {
        let sample = NumericSample([3, .nan, 1, .nan, 2])
        #expect(sample.sorted == [1, 2, 3] && sample.missingCount == 2)
    }
}

@Suite("PSI binning")
struct TwoSamplePSIBinningTests {
    /// The SIMD bin counts equal a plain count of edges below each value, NaN skipped, for
    /// lengths that are not multiples of four and with infinities.
    @Test func simdCountsEqualPlainCounts() {
        var rng = Xoshiro256StarStar(seed: 4)
        let reference = RadixSort.sorted((0..<5000).map { _ in Double(rng.poisson(6)) })  // heavy ties: fewer edges
        let bins = PSIReference(sortedReference: reference)
        #expect(bins.binCount >= 3 && bins.binCount <= 10)
        for n in [0, 1, 3, 4, 7, 1001] {
            let values = (0..<n).map { i -> Double in
                switch i % 11 { case 3: return .nan; case 5: return .infinity; case 7: return -.infinity; default: return Double(rng.poisson(6)) }
            }
            var plain = [Double](repeating: 0, count: bins.binCount)
            for x in values where !x.isNaN { plain[bins.edges.filter { x > $0 }.count] += 1 }
            #expect(bins.counts(values) == plain, "n=\(n)")
        }
    }
}

@Suite("KS statistic paths")
struct TwoSampleKSPathTests {
    /// The search path for very unequal sizes gives bit-identical D to the merge path, with ties,
    /// infinities and either sample the larger.
    @Test func searchEqualsMerge() {
        var rng = Xoshiro256StarStar(seed: 6)
        for trial in 0..<40 {
            let big = RadixSort.sorted((0..<5000).map { _ in trial % 2 == 0 ? rng.normal() : Double(rng.poisson(4)) } + [.infinity, -.infinity])
            let small = RadixSort.sorted((0..<(1 + trial * 3)).map { _ in trial % 2 == 0 ? rng.normal() + 0.1 : Double(rng.poisson(4.5)) }
                                         + (trial % 5 == 0 ? [.infinity] : []))
            let merged1 = KolmogorovSmirnov.statisticByMerge(sortedA: big, sortedB: small)
            let merged2 = KolmogorovSmirnov.statisticByMerge(sortedA: small, sortedB: big)
            #expect(KolmogorovSmirnov.statisticBySearch(sortedA: big, sortedB: small) == merged1)
            #expect(KolmogorovSmirnov.statisticBySearch(sortedA: small, sortedB: big) == merged2)
            #expect(KolmogorovSmirnov.statistic(sortedA: big, sortedB: small) == merged1)
        }
        // And the merge path against SciPy's definition written out, on small tied samples.
        for _ in 0..<50 {
            let a = RadixSort.sorted((0..<(5 + rng.index(30))).map { _ in Double(rng.index(8)) })
            let b = RadixSort.sorted((0..<(5 + rng.index(30))).map { _ in Double(rng.index(9)) })
            #expect(KolmogorovSmirnov.statisticByMerge(sortedA: a, sortedB: b) == mergeStatistic(a, b))
        }
    }

    /// SciPy's definition written out directly: max over all points of |searchsorted right / n|.
    func mergeStatistic(_ a: [Double], _ b: [Double]) -> Double {
        var maxS = 0.0, minS = 0.0
        for v in a + b {
            let i = a.filter { $0 <= v }.count, j = b.filter { $0 <= v }.count
            let diff = Double(i) / Double(a.count) - Double(j) / Double(b.count)
            maxS = Swift.max(maxS, diff); minS = Swift.min(minS, diff)
        }
        let m = Swift.min(Swift.max(-minS, 0), 1)
        return m > maxS ? m : maxS
    }
}
