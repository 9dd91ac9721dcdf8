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

    /// Counting on several threads gives the one-thread oracle's counts exactly, whatever the split
    /// (shares of unequal length, awkward values across the share boundaries), table and fallback alike.
    @Test func countsOnSeveralThreadsEqualTheOracle() throws {
        var rng = Xoshiro256StarStar(seed: 43, stream: streamID("psi-jobs"))
        let n = 2 * PSIReference.minimumValuesPerJob + 4_099
        for bins in [10, 50, 400] {
            let psi = PSIReference(sortedReference: RadixSort.sorted((0..<5000).map { _ in rng.normal() }), bins: bins)
            #expect((psi.lookup == nil) == (bins == 400), "400 bins take the edge-compare fallback")
            let values = Self.awkwardValues(edges: psi.edges, rng: &rng, n: n)
            let oracle = Self.oracle(values, psi.edges)
            for jobs in [2, 3] { #expect(psi.counts(values, jobs: jobs) == oracle, "bins \(bins), jobs \(jobs)") }
            #expect(psi.counts(Array(values.prefix(1000)), jobs: 2) == Self.oracle(Array(values.prefix(1000)), psi.edges))
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

    /// Values at and around every edge and slot boundary: the edge, its bit-pattern neighbours (±1 and
    /// ±2 ulps), its negation, the first and last bit patterns of its slot (top 16 bits) and their
    /// neighbours in the next slots, mixed with random bit patterns and normal draws.
    static func edgeNeighbourhood(edges: [Double], rng: inout Xoshiro256StarStar, n: Int) -> [Double] {
        let low = PSIBinLookup.lowBits
        var near: [Double] = [0, -0.0, .infinity, -.infinity, .nan, -.nan, Double(bitPattern: 0x7FF0_0000_0000_0001),
                              Double(bitPattern: 0xFFF0_0000_0000_0001), Double(bitPattern: 0x7FFF_FFFF_FFFF_FFFF),
                              Double(bitPattern: 0xFFFF_FFFF_FFFF_FFFF), .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                              .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
        for e in edges {
            let first = Double(bitPattern: e.bitPattern & ~low), last = Double(bitPattern: e.bitPattern | low)
            near += [e, e.nextUp, e.nextDown, e.nextUp.nextUp, e.nextDown.nextDown, -e,
                     first, last, first.nextUp, first.nextDown, last.nextUp, last.nextDown]
        }
        return (0..<n).map { i in
            switch i % 4 {
            case 0, 1: return near[rng.index(near.count)]
            case 2: return Double(bitPattern: rng.next())
            default: return rng.normal() * 2
            }
        }
    }

    /// Random edge sets (0 to 252 edges: both the 16-byte-increment path up to 15 bins and the count
    /// tables above) of four kinds: normal draws, any bit pattern, clusters inside one slot (two or
    /// more edges per slot), and special values (±0, ±inf, extremes). Values probe every edge's
    /// neighbourhood; lengths cross the chunk boundary and are not multiples of 8.
    @Test func randomEdgesAndAdversarialValues() throws {
        var rng = Xoshiro256StarStar(seed: 43, stream: streamID("psi-lookup"))
        let specials: [Double] = [0, -0.0, .infinity, -.infinity, 1, -1, .leastNonzeroMagnitude, -.leastNormalMagnitude,
                                  .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0x1p-1022, 2, 0.5]
        var checked = 0
        for trial in 0..<160 {
            let count = trial % 2 == 0 ? rng.index(15) : rng.index(253)  // half of the sets take the ≤ 15-bin path
            var pool: [Double] = []
            for _ in 0..<count {
                switch trial % 4 {
                case 0: pool.append(rng.normal())
                case 1: pool.append(Double(bitPattern: rng.next()))
                case 2: pool.append(Double(bitPattern: 0x3FF0_0000_0000_0000 | (rng.next() & 0x0000_0000_00FF_FFFF)))  // one slot
                default: pool.append(specials[rng.index(specials.count)])
                }
            }
            // Ascending, without NaN or duplicates (-0.0 == 0: keep one of them, either sign).
            var edges: [Double] = []
            for x in pool.filter({ !$0.isNaN }).sorted() where edges.last.map({ x > $0 }) ?? true { edges.append(x) }
            let lookup = try #require(PSIBinLookup(edges: edges))
            let n = [0, 1, 7, 1983, 1985, 4001][trial % 6]
            let values = Self.edgeNeighbourhood(edges: edges, rng: &rng, n: n)
            var counts = [Double](repeating: 0, count: edges.count + 1)
            lookup.accumulate(values, into: &counts)
            #expect(counts == Self.oracle(values, edges), "trial \(trial), \(edges.count) edges, n \(n)")
            checked += 1
        }
        #expect(checked == 160)
    }

    /// One bin taking every value, in runs that end just before, at and after the chunk boundary: the
    /// per-chunk byte counters must not wrap (a wrap would lose 256 counts).
    @Test func longRunsInOneBin() throws {
        let lookup = try #require(PSIBinLookup(edges: [-1, 1]))
        for n in [1983, 1984, 1985, 3 * 1984 + 7, 10_000] {
            for x in [0.5, -5.0, 7.0] {
                var counts = [Double](repeating: 0, count: 3)
                lookup.accumulate([Double](repeating: x, count: n), into: &counts)
                #expect(counts == Self.oracle([Double](repeating: x, count: n), [-1, 1]), "x \(x), n \(n)")
                #expect(counts.reduce(0, +) == Double(n))
            }
        }
    }

    /// A constant reference (edges {c⁻, c}: both in one slot, the marker's recount) with windows all at
    /// c, around c, and with c in a few chunks only; a +inf edge (its slot holds NaN too) likewise.
    @Test func markerSlotsAreRecounted() throws {
        var rng = Xoshiro256StarStar(seed: 44, stream: streamID("psi-lookup"))
        for c in [5.0, -3.25, 0, 0x1p-1030, -1e300] {
            let edges = [c.nextDown, c]
            let lookup = try #require(PSIBinLookup(edges: edges))
            let windows: [[Double]] = [
                [Double](repeating: c, count: 4500),
                (0..<4500).map { _ in [c, c.nextUp, c.nextDown, c.nextDown.nextDown, .nan][rng.index(5)] },
                (0..<9000).map { i in i % 3000 == 17 ? c : rng.normal() },
            ]
            for values in windows {
                var counts = [Double](repeating: 0, count: 3)
                lookup.accumulate(values, into: &counts)
                #expect(counts == Self.oracle(values, edges), "c \(c)")
            }
        }
        for edges in [[1.0, .infinity], [-.infinity, .infinity], Array(0..<20).map(Double.init) + [.infinity]] {
            let lookup = try #require(PSIBinLookup(edges: edges))
            let values = Self.edgeNeighbourhood(edges: edges, rng: &rng, n: 5000)
            var counts = [Double](repeating: 0, count: edges.count + 1)
            lookup.accumulate(values, into: &counts)
            #expect(counts == Self.oracle(values, edges), "edges \(edges.suffix(2))")
        }
    }

    /// A reference of many numeric features skips the 512 KB table per feature (a 20,000-column file
    /// took 10 GB): its counts, by edge compares, are the same.
    @Test func wideReferencesCountWithoutTables() throws {
        var rng = Xoshiro256StarStar(seed: 45, stream: streamID("psi-wide"))
        let sorted = (0..<2000).map { _ in rng.normal() }.sorted()
        let withTable = PSIReference(sortedReference: sorted), without = PSIReference(sortedReference: sorted, tableLookup: false)
        #expect(withTable.lookup != nil && without.lookup == nil)
        let window = (0..<5000).map { _ in rng.normal() + 0.1 }
        #expect(withTable.counts(window) == without.counts(window))
        func baseline(columns: Int) throws -> DriftBaseline {
            try DriftBaseline(reference: Table(columns: (0..<columns).map { ("c\($0)", .numeric(Array(sorted.prefix(50)))) }))
        }
        func tables(_ b: DriftBaseline) -> Int {
            b.features.reduce(0) { n, f in if case .numeric(let x) = f, x.psi.lookup != nil { return n + 1 } else { return n } }
        }
        #expect(tables(try baseline(columns: PSIReference.tableLookupFeatureLimit)) == PSIReference.tableLookupFeatureLimit)
        #expect(tables(try baseline(columns: PSIReference.tableLookupFeatureLimit + 1)) == 0)
    }

    /// An edge at zero of either sign: -0.0 and +0.0 are equal, so both go to the bin at or below it;
    /// the smallest subnormals either side go below and above.
    @Test func signedZeroAroundAnEdgeAtZero() throws {
        for zero in [0.0, -0.0] {
            let lookup = try #require(PSIBinLookup(edges: [zero]))
            var counts = [Double](repeating: 0, count: 2)
            lookup.accumulate([-0.0, 0.0, -.leastNonzeroMagnitude, .leastNonzeroMagnitude, .nan], into: &counts)
            #expect(counts == [3, 1])
        }
    }

    /// The table holds 1 to 253 bins and needs ascending, non-NaN edges; otherwise the caller counts edges.
    @Test func declinesWhatItCannotHold() {
        #expect(PSIBinLookup(edges: []) != nil)
        #expect(PSIBinLookup(edges: (0..<252).map(Double.init)) != nil)
        #expect(PSIBinLookup(edges: (0..<253).map(Double.init)) == nil)
        #expect(PSIBinLookup(edges: [1, .nan]) == nil)
        #expect(PSIBinLookup(edges: [2, 1]) == nil)
        let many = PSIReference(sortedReference: (0..<1000).map(Double.init), bins: 400)
        #expect(many.lookup == nil && many.counts([3, .nan, 999]).reduce(0, +) == 2)
    }
}
