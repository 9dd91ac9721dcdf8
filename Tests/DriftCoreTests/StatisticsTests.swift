import Foundation
import Testing
@testable import DriftCore

@Suite struct SpecialFunctionTests {
    @Test func incompleteGammaMatchesSciPy() {
        // scipy.special.gammaincc(2.5, 3.0), gammainc(0.5, 0.1), gammaincc(50, 80) (SciPy 1.17.1)
        expectClose(SpecialFunctions.regularizedGammaQ(2.5, 3.0), 0.30621891841327875, rel: 1e-12)
        expectClose(SpecialFunctions.regularizedGammaP(0.5, 0.1), 0.34527915398142317, rel: 1e-12)
        expectClose(SpecialFunctions.regularizedGammaQ(50, 80), 0.0001307839765914092, rel: 1e-10)
        #expect(SpecialFunctions.regularizedGammaP(2, 0) == 0)
        #expect(SpecialFunctions.regularizedGammaQ(2, .infinity) == 0)
    }

    @Test func chiSquaredSurvivalMatchesSciPy() {
        // scipy.stats.chi2.sf(12.3, 5), chi2.sf(300, 250)
        expectClose(SpecialFunctions.chiSquaredSurvival(12.3, degreesOfFreedom: 5), 0.03090046463546092, rel: 1e-12)
        expectClose(SpecialFunctions.chiSquaredSurvival(300, degreesOfFreedom: 250), 0.016518273157868715, rel: 1e-10)
    }

    @Test func normalFunctionsMatchSciPy() {
        // [scipy.stats.norm.ppf(p) for p in [1e-10, 0.01, 0.3, 0.5, 0.975, 1 - 1e-12]]
        let ps = [1e-10, 0.01, 0.3, 0.5, 0.975, 1 - 1e-12]
        let expected = [-6.361340902404056, -2.3263478740408408, -0.5244005127080409, 0.0, 1.959963984540054, 7.0344869100478356]
        for (p, e) in zip(ps, expected) { expectClose(SpecialFunctions.normalQuantile(p), e, rel: 1e-9, abs: 1e-12, "ppf(\(p))") }
        // norm.cdf(-7.5), norm.sf(3.0)
        expectClose(SpecialFunctions.normalCDF(-7.5), 3.1908916729108844e-14, rel: 1e-12)
        expectClose(SpecialFunctions.normalSurvival(3), 0.0013498980316300933, rel: 1e-12)
        #expect(SpecialFunctions.normalQuantile(0) == -.infinity)
        #expect(SpecialFunctions.normalQuantile(1.5).isNaN)
    }

    @Test func incompleteBetaMatchesSciPy() {
        // scipy.special.betainc(2, 3, 0.4), betainc(0.5, 20, 0.02), betainc(30, 40, 0.45)
        expectClose(SpecialFunctions.regularizedBeta(2, 3, 0.4), 0.5247999999999999, rel: 1e-12)
        expectClose(SpecialFunctions.regularizedBeta(0.5, 20, 0.02), 0.6283343133368391, rel: 1e-11)
        expectClose(SpecialFunctions.regularizedBeta(30, 40, 0.45), 0.6447480085585666, rel: 1e-11)
    }
}

@Suite struct DescriptiveTests {
    @Test func quantilesMatchNumPy() {
        // numpy.quantile([3.1, -2.0, 7.5, 0.0, 1.25, 9.0, 4.4], p) for p in [0, .1, .25, .5, .9, 1]
        let sorted = RadixSort.sorted([3.1, -2.0, 7.5, 0.0, 1.25, 9.0, 4.4])
        let expected = [-2.0, -0.7999999999999998, 0.625, 3.1, 8.100000000000001, 9.0]
        for (p, e) in zip([0, 0.1, 0.25, 0.5, 0.9, 1], expected) {
            expectClose(Descriptive.quantile(sorted: sorted, p), e, rel: 1e-12, abs: 1e-12, "q\(p)")
        }
        #expect(Descriptive.quantile(sorted: [], 0.5).isNaN)
    }

    @Test func momentsSkipMissing() {
        let m = Descriptive.meanVarianceIgnoringNaN([1, .nan, 2, 3, 4])
        #expect(m.count == 4)
        expectClose(m.mean, 2.5)
        expectClose(m.variance, 5.0 / 3.0)
        #expect(Descriptive.meanVarianceIgnoringNaN([.nan]).count == 0)
        #expect(Descriptive.meanVarianceIgnoringNaN([7]).variance.isNaN)
        #expect(Descriptive.missingRate([1, .nan, .nan, 4]) == 0.5)
        #expect(Descriptive.missingRate([]) == 0)
    }
}

@Suite struct RadixSortTests {
    @Test func agreesWithStandardSort() {
        var g = Xoshiro256StarStar(seed: 3)
        for n in [0, 1, 5, 63, 64, 1000, 50_000] {
            var xs = (0..<n).map { _ in g.normal() * pow(10, Double(g.index(12)) - 6) }
            if n > 10 { xs[3] = .infinity; xs[4] = -.infinity; xs[5] = 0; xs[6] = -0.0; xs[7] = xs[8] }
            #expect(RadixSort.sorted(xs) == xs.sorted(), "n = \(n)")
        }
    }

    /// Every path of the sort: continuous values, integer-valued ties, long runs sharing the top 33
    /// bits but differing below, signed zeros, infinities, short inputs; bit-identical to the
    /// standard library's order with -0 before +0.
    @Test func everyPathMatchesTheTotalOrder() {
        var rng = Xoshiro256StarStar(seed: 9)
        let inputs: [[Double]] = [
            (0..<50_000).map { _ in rng.normal() },
            (0..<50_000).map { _ in Double(rng.poisson(3)) },
            (0..<50_000).map { _ in 1000 + Double(rng.index(1 << 20)) * 0x1p-40 },
            (0..<5_000).map { _ in [-0.0, 0.0, .infinity, -.infinity, 1, -1][rng.index(6)] },
            (0..<300).map { _ in rng.lognormal(mu: 0, sigma: 4) * (rng.bernoulli(0.5) ? -1 : 1) },
            [2, 1],
            [],
        ]
        for x in inputs {
            let expected = x.sorted { $0.isTotallyOrdered(belowOrEqualTo: $1) }.map(\.bitPattern)
            #expect(RadixSort.sorted(x).map(\.bitPattern) == expected, "n=\(x.count)")
        }
    }

    @Test func nanGoesLast() {
        let xs = RadixSort.sorted((0..<100).map { $0 % 10 == 0 ? Double.nan : Double(100 - $0) })
        #expect(xs.prefix(90).allSatisfy { !$0.isNaN })
        #expect(xs.suffix(10).allSatisfy { $0.isNaN })
        #expect(Array(xs.prefix(90)) == xs.prefix(90).sorted())
    }

    /// NaNs (any sign or payload) counted and dropped in the key pass, on the short and the radix path.
    @Test func droppingNaNCountsThem() {
        var rng = Xoshiro256StarStar(seed: 11)
        let oddNaN = Double(bitPattern: 0xFFF8_0000_0000_0001)  // a negative NaN with a payload
        for n in [0, 7, 255, 256, 5_000] {
            let x = (0..<n).map { _ in [Double.nan, oddNaN, rng.normal(), -0.0, 0.0, .infinity][rng.index(6)] }
            let (sorted, nanCount) = RadixSort.sortedDroppingNaN(x)
            let numbers = x.filter { !$0.isNaN }
            #expect(nanCount == n - numbers.count, "n=\(n)")
            #expect(sorted.map(\.bitPattern) == numbers.sorted { $0.isTotallyOrdered(belowOrEqualTo: $1) }.map(\.bitPattern), "n=\(n)")
            let withNaN = RadixSort.sorted(x)
            #expect(withNaN.count == n && withNaN.suffix(nanCount).allSatisfy(\.isNaN), "n=\(n)")
        }
    }
}

@Suite struct ParallelTests {
    @Test func resultsDoNotDependOnThreadCount() throws {
        let work: @Sendable (Int) -> UInt64 = { i in
            var g = Xoshiro256StarStar(seed: 9, stream: UInt64(i))
            return (0..<1000).reduce(0) { acc, _ in acc &+ g.next() }
        }
        let one = try Parallel.map(50, jobs: 1, work)
        let two = try Parallel.map(50, jobs: 2, work)
        let many = try Parallel.map(50, jobs: 8, work)
        #expect(one == two && two == many)
    }

    @Test func errorsPropagate() {
        struct Boom: Error {}
        #expect(throws: Boom.self) { try Parallel.map(10, jobs: 2) { i -> Int in if i == 7 { throw Boom() }; return i } }
    }

    /// The ordered step runs once per index, in index order, after its own work, never two at once,
    /// whatever the thread count and however long each piece of work takes.
    @Test func orderedStepsFollowTheirWorkInOrder() throws {
        final class Log: @unchecked Sendable {
            let lock = NSLock()
            var worked = Set<Int>(), steps: [Int] = [], inStep = 0, overlapped = false, early = false
            var sum: UInt64 = 0
        }
        for jobs in [1, 2, 4] {
            let log = Log()
            try Parallel.forEachInOrder(40, jobs: jobs) { i in
                var g = Xoshiro256StarStar(seed: 3, stream: UInt64(i))  // uneven work, so pieces finish out of order
                var acc: UInt64 = 0
                for _ in 0..<Int(g.next() % 200_000) { acc &+= g.next() }
                log.lock.lock(); log.worked.insert(i); log.sum &+= acc; log.lock.unlock()
            } then: { i in
                log.lock.lock()
                log.inStep += 1
                if log.inStep > 1 { log.overlapped = true }
                if !log.worked.contains(i) { log.early = true }
                log.steps.append(i)
                log.lock.unlock()
                usleep(200)
                log.lock.lock(); log.inStep -= 1; log.lock.unlock()
            }
            #expect(log.steps == Array(0..<40), "jobs \(jobs)")
            #expect(!log.overlapped && !log.early, "jobs \(jobs)")
        }
    }

    /// Shares cover 0..<count once, in order, each at most ⌈count/parts⌉ long, for counts smaller
    /// than, equal to and larger than the number of parts.
    @Test func sharesTileTheRange() {
        for (count, parts) in [(0, 2), (1, 2), (2, 2), (10, 3), (48_000_000, 2), (7, 7), (5, 8)] {
            let pieces = (0..<parts).map { Parallel.share($0, of: count, parts: parts) }
            #expect(pieces.first?.lowerBound == 0 && pieces.last?.upperBound == count, "\(count) in \(parts)")
            #expect(zip(pieces, pieces.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "\(count) in \(parts)")
            #expect(pieces.allSatisfy { $0.count <= (count + parts - 1) / parts }, "\(count) in \(parts)")
        }
    }

    /// An error in the ordered step stops the later steps and reaches the caller.
    @Test func orderedStepErrorsPropagate() {
        struct Boom: Error {}
        final class Count: @unchecked Sendable { let lock = NSLock(); var steps: [Int] = [] }
        let count = Count()
        #expect(throws: Boom.self) {
            try Parallel.forEachInOrder(20, jobs: 2) { _ in } then: { i in
                count.lock.lock(); count.steps.append(i); count.lock.unlock()
                if i == 5 { throw Boom() }
            }
        }
        #expect(count.steps == Array(0...5))
    }
}
