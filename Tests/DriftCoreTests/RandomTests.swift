import Foundation
import Testing
@testable import DriftCore

/// Relative closeness with a readable failure message.
func expectClose(_ observed: Double, _ expected: Double, rel: Double = 1e-9, abs: Double = 0,
                 _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    let error = Swift.abs(observed - expected)
    let ok = error <= Swift.max(abs, rel * Swift.abs(expected)) || (observed.isNaN && expected.isNaN)
    #expect(ok, "\(what) expected \(expected), observed \(observed), error \(error)", sourceLocation: sourceLocation)
}

@Suite struct GeneratorTests {
    @Test func xoshiroMatchesReferenceImplementation() {
        // Reference: Vigna's xoshiro256starstar.c next(), state {1, 2, 3, 4}; the same five outputs from a
        // direct Python transcription: rotl(s1*5,7)*9 then the xor/shift update (mod 2^64).
        var g = Xoshiro256StarStar(state: (1, 2, 3, 4))
        let expected: [UInt64] = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360]
        #expect((0..<5).map { _ in g.next() } == expected)
    }

    @Test func splitMixMatchesReferenceImplementation() {
        // Python transcription of splitmix64.c with seed 1234567.
        var g = SplitMix64(seed: 1234567)
        #expect([g.next(), g.next(), g.next()] == [6457827717110365317, 3203168211198807973, 9817491932198370423])
    }

    @Test func sameSeedRepeatsAndStreamsDiffer() {
        var a = Xoshiro256StarStar(seed: 42, stream: 7)
        var b = Xoshiro256StarStar(seed: 42, stream: 7)
        var c = Xoshiro256StarStar(seed: 42, stream: 8)
        var d = Xoshiro256StarStar(seed: 43, stream: 7)
        let xa = (0..<100).map { _ in a.next() }
        #expect(xa == (0..<100).map { _ in b.next() })
        #expect(xa != (0..<100).map { _ in c.next() })
        #expect(xa != (0..<100).map { _ in d.next() })
        #expect(streamID("customers") == streamID("customers"))
        #expect(streamID("customers") != streamID("merchants"))
    }

    @Test func uniformBitsAreBalanced() {
        var g = Xoshiro256StarStar(seed: 1)
        var ones = [Int](repeating: 0, count: 64)
        let n = 20_000
        for _ in 0..<n {
            let x = g.next()
            for b in 0..<64 where (x >> UInt64(b)) & 1 == 1 { ones[b] += 1 }
        }
        // Each bit is Binomial(n, 1/2): sd = sqrt(n)/2 = 70.7; 5 sd = 354.
        for count in ones { #expect(Swift.abs(count - n / 2) < 354) }
    }
}

/// Goodness of fit: Pearson's chi-squared over `bins` equiprobable cells of a continuous CDF.
func chiSquaredGoodnessOfFit(_ xs: [Double], bins: Int, cdf: (Double) -> Double) -> Double {
    var counts = [Double](repeating: 0, count: bins)
    for x in xs { counts[Swift.min(bins - 1, Int(cdf(x) * Double(bins)))] += 1 }
    let expected = Double(xs.count) / Double(bins)
    let stat = counts.reduce(0) { $0 + ($1 - expected) * ($1 - expected) / expected }
    return SpecialFunctions.chiSquaredSurvival(stat, degreesOfFreedom: Double(bins - 1))
}

@Suite struct SamplerTests {
    let n = 40_000

    @Test func normalMomentsAndFit() {
        var g = Xoshiro256StarStar(seed: 11)
        let xs = (0..<n).map { _ in g.normal(mean: 2, sd: 3) }
        let m = Descriptive.meanVarianceIgnoringNaN(xs)
        #expect(Swift.abs(m.mean - 2) < 5 * 3 / Double(n).squareRoot())
        #expect(Swift.abs(m.variance / 9 - 1) < 0.03)
        #expect(chiSquaredGoodnessOfFit(xs, bins: 50) { SpecialFunctions.normalCDF(($0 - 2) / 3) } > 1e-4)
    }

    @Test func lognormalMedianAndFit() {
        var g = Xoshiro256StarStar(seed: 12)
        let xs = (0..<n).map { _ in g.lognormal(mu: 3, sigma: 0.8) }
        expectClose(Descriptive.medianIgnoringNaN(xs), exp(3), rel: 0.03, "median")
        #expect(chiSquaredGoodnessOfFit(xs, bins: 50) { SpecialFunctions.normalCDF((log($0) - 3) / 0.8) } > 1e-4)
    }

    @Test func exponentialAndUniformFit() {
        var g = Xoshiro256StarStar(seed: 13)
        let e = (0..<n).map { _ in g.exponential(rate: 0.5) }
        #expect(chiSquaredGoodnessOfFit(e, bins: 40) { 1 - exp(-0.5 * $0) } > 1e-4)
        let u = (0..<n).map { _ in g.uniform(-1, 3) }
        #expect(chiSquaredGoodnessOfFit(u, bins: 40) { ($0 + 1) / 4 } > 1e-4)
        #expect(u.allSatisfy { $0 >= -1 && $0 < 3 })
    }

    @Test(arguments: [0.5, 3.0, 40.0])
    func gammaMomentsAndFit(shape: Double) {
        var g = Xoshiro256StarStar(seed: 14)
        let scale = 2.0
        let xs = (0..<n).map { _ in g.gamma(shape: shape, scale: scale) }
        let m = Descriptive.meanVarianceIgnoringNaN(xs)
        expectClose(m.mean, shape * scale, rel: 0.03, "mean")
        expectClose(m.variance, shape * scale * scale, rel: 0.06, "variance")
        #expect(chiSquaredGoodnessOfFit(xs, bins: 40) { SpecialFunctions.regularizedGammaP(shape, $0 / scale) } > 1e-4)
    }

    /// Chi-squared goodness of fit of Poisson draws against the pmf, cells pooled to expected >= 5.
    @Test(arguments: [0.7, 4.0, 29.0, 30.0, 250.0])
    func poissonFit(lambda: Double) {
        var g = Xoshiro256StarStar(seed: 15)
        let xs = (0..<n).map { _ in g.poisson(lambda) }
        let m = Descriptive.meanVarianceIgnoringNaN(xs.map(Double.init))
        expectClose(m.mean, lambda, rel: 0.02, "mean")
        expectClose(m.variance, lambda, rel: 0.06, "variance")
        // Cells k = 0, 1, ... pooled left to right until each expects >= 5; the last cell takes the upper tail.
        let maxK = xs.max()!
        var observed = [Double](repeating: 0, count: maxK + 1)
        for x in xs { observed[x] += 1 }
        var cellsObserved: [Double] = [], cellsExpected: [Double] = []
        var accO = 0.0, accE = 0.0, cumulative = 0.0
        for k in 0...maxK {
            let pmf = exp(Double(k) * log(lambda) - lambda - lgamma(Double(k) + 1))
            cumulative += pmf
            accO += observed[k]; accE += pmf * Double(n)
            if accE >= 5 { cellsObserved.append(accO); cellsExpected.append(accE); accO = 0; accE = 0 }
        }
        // Whatever is left (observed counts and the tail beyond maxK) joins the last cell.
        cellsObserved[cellsObserved.count - 1] += accO
        cellsExpected[cellsExpected.count - 1] += accE + Swift.max(0, 1 - cumulative) * Double(n)
        let stat = zip(cellsObserved, cellsExpected).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) / $1.1 }
        let cells = cellsObserved.count
        #expect(SpecialFunctions.chiSquaredSurvival(stat, degreesOfFreedom: Double(cells - 1)) > 1e-4)
    }

    @Test func aliasTableFrequencies() {
        var g = Xoshiro256StarStar(seed: 16)
        let weights = [5.0, 0.0, 1.0, 3.0, 0.5, 10.0]
        let table = AliasTable(weights: weights)
        var counts = [Double](repeating: 0, count: weights.count)
        for _ in 0..<n { counts[table.sample(using: &g)] += 1 }
        #expect(counts[1] == 0)
        let total = weights.reduce(0, +)
        var stat = 0.0
        for i in weights.indices where weights[i] > 0 {
            let e = Double(n) * weights[i] / total
            stat += (counts[i] - e) * (counts[i] - e) / e
        }
        #expect(SpecialFunctions.chiSquaredSurvival(stat, degreesOfFreedom: 4) > 1e-4)
    }

    /// A table written to raw entries draws the same indices from the same stream as the table.
    @Test func aliasTableEntriesSampleAsTheTable() {
        for (k, weights) in [[5.0, 0.0, 1.0, 3.0, 0.5, 10.0], [1.0], [0.2, 0.8], (0..<24).map { 1 + Double($0 % 5) }].enumerated() {
            let table = AliasTable(weights: weights)
            let entries = UnsafeMutablePointer<AliasTable.Entry>.allocate(capacity: table.count)
            defer { entries.deallocate() }
            table.write(to: entries)
            var a = Xoshiro256StarStar(seed: 30 + UInt64(k)), b = a
            var differing = 0
            for _ in 0..<20_000 where table.sample(using: &a) != AliasTable.sample(entries, count: table.count, using: &b) { differing += 1 }
            #expect(differing == 0)
            #expect(a.next() == b.next())
        }
    }

    @Test func bernoulliAndIndex() {
        var g = Xoshiro256StarStar(seed: 17)
        let hits = (0..<n).filter { _ in g.bernoulli(0.01) }.count
        // Binomial(40000, 0.01): mean 400, sd 19.9.
        #expect(Swift.abs(hits - 400) < 100)
        var counts = [Double](repeating: 0, count: 7)
        for _ in 0..<n { counts[g.index(7)] += 1 }
        let e = Double(n) / 7
        let stat = counts.reduce(0) { $0 + ($1 - e) * ($1 - e) / e }
        #expect(SpecialFunctions.chiSquaredSurvival(stat, degreesOfFreedom: 6) > 1e-4)
    }
}
