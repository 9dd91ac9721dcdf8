import DriftCore
import Foundation
import Testing
@testable import DriftDetectors

@Suite("PSI bin look-up table")
struct PSIBinLookupTests {
    /// Counts from the edge-compare routine (`PSIReference.accumulate`), the oracle.
    static func oracle(_ values: [Double], _ edges: [Double]) -> [Double] {
        var c = [Double](repeating: 0, count: edges.count + 1)
        PSIReference.accumulate(values, edges: edges, into: &c)
        return c
    }

    /// Values that stress the table: random draws, ties, the edges themselves and their neighbours,
    /// ±0, ±inf, subnormals, several NaN payloads, extremes; length not a multiple of four.
    static func awkwardValues(edges: [Double], rng: inout Xoshiro256StarStar, n: Int) -> [Double] {
        var special: [Double] = [0, -0.0, .infinity, -.infinity, .nan, -.nan, Double(bitPattern: 0x7FF0_0000_0000_0001),
                                 Double(bitPattern: 0xFFF0_0000_0000_0001), .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                 .leastNormalMagnitude, -.leastNormalMagnitude, Double.leastNormalMagnitude.nextDown,
                                 .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, -1, 2, 0.5]
        for e in edges { special += [e, e.nextUp, e.nextDown, -e] }
        return (0..<n).map { i in
            switch i % 7 {
            case 0, 1: return special[rng.index(special.count)]
            case 2: return Double(rng.poisson(3))  // ties
            case 3: return Double(bitPattern: rng.next())  // any bit pattern: subnormals, NaNs, huge
            case 4: return rng.normal() * 1e-310  // subnormal range
            default: return rng.normal() * 3
            }
        }
    }

    /// The table gives exactly the edge-compare counts for quantile bins of several reference shapes.
    @Test func equalsEdgeCompareCounts() throws {
        var rng = Xoshiro256StarStar(seed: 41, stream: streamID("psi-lookup"))
        let references: [[Double]] = [
            (0..<4000).map { _ in rng.normal() },
            (0..<4000).map { _ in Double(rng.poisson(3)) },  // heavy ties
            (0..<4000).map { _ in rng.normal() * 1e-309 },  // subnormal edges
            (0..<4000).map { _ in rng.lognormal(mu: 3, sigma: 2) },
            [5, 5, 5],  // constant: edges {5⁻, 5}
            (0..<400).map { _ in rng.uniform() * 1e-3 + 1 },  // all edges inside a few table slots
            (0..<400).map { _ in rng.normal() } + [.infinity, -.infinity, .nan],
        ]
        for (r, reference) in references.enumerated() {
            for bins in [2, 10, 50] {
                let psi = PSIReference(sortedReference: RadixSort.sorted(reference), bins: bins)
                let lookup = try #require(PSIBinLookup(edges: psi.edges))
                let values = Self.awkwardValues(edges: psi.edges, rng: &rng, n: 20_003)
                var counts = [Double](repeating: 0, count: psi.binCount)
                lookup.accumulate(values, into: &counts)
                #expect(counts == Self.oracle(values, psi.edges), "reference \(r), bins \(bins)")
                #expect(psi.counts(values) == counts)
            }
        }
    }

    /// Hand-made edges: at zero, at ±inf, subnormal, and two or more edges inside one slot (the sentinel path).
    @Test func handMadeEdges() throws {
        var rng = Xoshiro256StarStar(seed: 42, stream: streamID("psi-lookup"))
        let edgeSets: [[Double]] = [
            [], [0], [-0.0, 1], [-.infinity, 0, .infinity], [.leastNonzeroMagnitude], [-1e-320, 1e-320],
            [1, 1.001, 1.002, 1.003, 1.004], [1.01, 1.02], [-1.02, -1.01, 5], [-3, -2.5, -2.25, 7, 1e300],
            [.greatestFiniteMagnitude],
        ]
        for edges in edgeSets {
            let lookup = try #require(PSIBinLookup(edges: edges))
            for n in [0, 1, 3, 4, 5, 9_999] {
                let values = Self.awkwardValues(edges: edges, rng: &rng, n: n)
                var counts = [Double](repeating: 0, count: edges.count + 1)
                lookup.accumulate(values, into: &counts)
                #expect(counts == Self.oracle(values, edges), "edges \(edges), n \(n)")
            }
        }
    }

    /// The table holds 253 bins at most and needs ascending, non-NaN edges; otherwise the caller counts edges.
    @Test func declinesWhatItCannotHold() {
        #expect(PSIBinLookup(edges: (0..<252).map(Double.init)) != nil)
        #expect(PSIBinLookup(edges: (0..<253).map(Double.init)) == nil)
        #expect(PSIBinLookup(edges: [1, .nan]) == nil)
        #expect(PSIBinLookup(edges: [2, 1]) == nil)
        let many = PSIReference(sortedReference: (0..<1000).map(Double.init), bins: 400)
        #expect(many.lookup == nil && many.counts([3, .nan, 999]).reduce(0, +) == 2)
    }
}
