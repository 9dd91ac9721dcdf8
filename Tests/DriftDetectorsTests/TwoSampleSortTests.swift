import DriftCore
import Foundation
import Testing
@testable import DriftDetectors

@Suite("Buffer radix sort")
struct TwoSampleSortTests {
    /// The same order as DriftCore's RadixSort (bit-identical, -0 before +0) on data that exercises
    /// every path: continuous values, integer-valued ties, long runs sharing the top 33 bits but
    /// differing below, signed zeros, infinities, and short inputs.
    @Test func matchesCoreRadixSortBitForBit() {
        var rng = Xoshiro256StarStar(seed: 9)
        let inputs: [[Double]] = [
            (0..<50_000).map { _ in rng.normal() },
            (0..<50_000).map { _ in Double(rng.poisson(3)) },
            (0..<50_000).map { _ in 1000 + Double(rng.index(1 << 20)) * 0x1p-40 },  // long near-tie runs
            (0..<5_000).map { _ in [-0.0, 0.0, .infinity, -.infinity, 1, -1][rng.index(6)] },
            (0..<300).map { _ in rng.lognormal(mu: 0, sigma: 4) * (rng.bernoulli(0.5) ? -1 : 1) },
            [2, 1],
            [],
        ]
        for x in inputs {
            let ours = BufferRadixSort.sorted(x).map(\.bitPattern)
            let core = RadixSort.sorted(x).map(\.bitPattern)
            #expect(ours == core, "n=\(x.count)")
        }
        let sample = NumericSample([3, .nan, 1, .nan, 2])
        #expect(sample.sorted == [1, 2, 3] && sample.missingCount == 2)
    }
}
