import Foundation
import Testing
@testable import DriftCore
@testable import DriftSim

/// The generator's shortcuts: the Poisson inversion against the pmf, and the exact ones (rounding,
/// CSV formatting) against the calls they replace, bit for bit.
@Suite struct HotLoopTests {
    @Test func poissonByInversionFollowsThePoissonPmf() {
        // Chi-square goodness of fit of 100,000 volumes per lambda against the Poisson pmf
        // e^-lambda lambda^k / k! (adjacent k pooled into cells of expected count >= 5).
        FastMath.powers.withUnsafeBufferPointer { p in
            for (j, lambda) in [0.02, 0.3, 0.9, 2.5, 11.0, 29.5].enumerated() {
                var rng = Xoshiro256StarStar(seed: 21, stream: UInt64(j))
                let n = 100_000
                var counts = [Int](repeating: 0, count: 200)
                var total = 0
                for _ in 0..<n {
                    let u = rng.uniform()
                    let k = Shard.poissonByInversion(lambda, u, &rng, p.baseAddress!)
                    counts[Swift.min(k, 199)] += 1; total += k
                }
                var expected: [Double] = [], observed: [Double] = []
                var pk = exp(-lambda), cellE = 0.0, cellO = 0.0
                for k in 0..<199 {
                    cellE += Double(n) * pk; cellO += Double(counts[k])
                    if cellE >= 5 { expected.append(cellE); observed.append(cellO); cellE = 0; cellO = 0 }
                    pk *= lambda / Double(k + 1)
                }
                // The tail beyond the last full cell (and any count at 199 or more) joins that cell.
                expected[expected.count - 1] += cellE + Double(n) * pk; observed[observed.count - 1] += cellO + Double(counts[199])
                var chi2 = 0.0
                for (e, o) in zip(expected, observed) where e > 0 { chi2 += (o - e) * (o - e) / e }
                let pValue = SpecialFunctions.chiSquaredSurvival(chi2, degreesOfFreedom: Double(expected.count - 1))
                #expect(pValue > 0.001, "lambda \(lambda): chi2 \(chi2), p \(pValue)")
                #expect(abs(Double(total) / Double(n) - lambda) < 5 * (lambda / Double(n)).squareRoot())
            }
            var r = Xoshiro256StarStar(seed: 1)
            #expect(Shard.poissonByInversion(0, 0.5, &r, p.baseAddress!) == 0 && Shard.poissonByInversion(-1, 0.5, &r, p.baseAddress!) == 0)
            #expect(Shard.poissonByInversion(.nan, 0.5, &r, p.baseAddress!) == 0)
            #expect(Shard.poissonByInversion(0.5, 1.0, &r, p.baseAddress!) < 400)  // u = 1 still ends
            #expect(Shard.poissonByInversion(400, 0.5, &r, p.baseAddress!) > 300)  // large lambda: rng.poisson
        }
    }

    /// The row loop's branch-free rounding and Poisson shortcut give exactly what they replace
    /// (`rounded()`, the inversion with its exp always computed).
    @Test func rowLoopShortcutsMatchWhatTheyReplace() {
        var rng = Xoshiro256StarStar(seed: 77)
        var values: [Double] = [0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
                                0.3, -0.3, 0.7, -0.7, 0x1p52 - 0.5, -(0x1p52 - 0.5), 0x1p52, 1e300, -1e300, .infinity, -.infinity]
        for k in 0..<200_000 { values.append((rng.uniform() - 0.5) * [1, 10, 1e4, 1e9, 1e16][k % 5]) }
        for k in 0..<10_000 { values.append(Double(k % 2000 - 1000) / 2) }  // every half in range
        for v in values { #expect(roundedHalfAway(v).bitPattern == v.rounded().bitPattern, "\(v)") }
        #expect(roundedHalfAway(.nan).isNaN)
        FastMath.powers.withUnsafeBufferPointer { p in
            // The inversion with its exp always computed, against the shortcut, around its bound.
            for lambda in [1e-300, 1e-12, 1e-6, 0.01, 0.3, 0.9, 2.5, 29.9] {
                for k in -2_000...2_000 {
                    let u = Swift.min(Swift.max(0, 1 - lambda + Double(k) * 1e-13), 0x1.fffffffffffffp-1)
                    var q = FastMath.exp(-lambda, p.baseAddress!), cdf = q, full = 0
                    while u >= cdf && q > 0 { full += 1; q *= lambda / Double(full); cdf += q }
                    var r = Xoshiro256StarStar(seed: 1)
                    #expect(Shard.poissonByInversion(lambda, u, &r, p.baseAddress!) == full, "lambda \(lambda), u \(u)")
                }
            }
        }
    }

    @Test func roundedHalfAwayIsRoundedBitForBit() {
        let edges: [Double] = [0, -0.0, 0.3, -0.3, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.499_999_999_999_999_94,
                               -0.499_999_999_999_999_94, 4503599627370495.5, -4503599627370495.5, 0x1p52, -0x1p52,
                               0x1p52 + 1, 1e300, -1e300, .infinity, -.infinity, .ulpOfOne, -.leastNonzeroMagnitude]
        for v in edges { #expect(roundedHalfAway(v).bitPattern == v.rounded().bitPattern, "\(v)") }
        #expect(roundedHalfAway(.nan).isNaN)
        var rng = Xoshiro256StarStar(seed: 3)
        for _ in 0..<100_000 {
            // Values like the generator's: k/100 scaled, ties included (x.5 after scaling).
            let v = (rng.uniform() - 0.5) * pow(10, Double(rng.index(12)))
            let tie = Double(rng.index(20_000) - 10_000) + 0.5
            for x in [v, tie, v * 100, exp(v.truncatingRemainder(dividingBy: 30)) * 100] {
                #expect(roundedHalfAway(x).bitPattern == x.rounded().bitPattern, "\(x)")
            }
        }
    }

    @Test func csvWriterFormatsIntegersAndFixedDecimalsExactly() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hotloop-\(getpid()).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let w = try CSVWriter(path: path, header: ["v"])
        let cases: [(Double, Int, String)] = [
            (1234.5, 2, "1234.50"), (0.005, 2, "0.01"), (-0.004, 2, "0.00"), (-1.25, 1, "-1.3"), (99999, 0, "99999"),
            (0.07, 4, "0.0700"), (123456789.123456, 6, "123456789.123456"), (1e17, 2, "1e+17"), (.nan, 2, ""),
            (-.infinity, 3, "-inf"), (9.999, 2, "10.00"), (0.000_06, 4, "0.0001"), (-42, 0, "-42"),
        ]
        for (v, d, _) in cases { w.field(v, decimals: d); try w.endRow() }
        let ints = [0, 7, -7, 10, 99, 100, 12345678901, Int.max, Int.min]
        for k in ints { w.field(k); try w.endRow() }
        try w.finish()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let expected = ["v"] + cases.map(\.2) + ints.map(String.init) + [""]
        #expect(lines == expected)
    }

    @Test func csvFixedDecimalsRoundTripThroughTheReader() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hotloop-rt-\(getpid()).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var rng = Xoshiro256StarStar(seed: 11)
        var values: [(Double, Int)] = []
        let w = try CSVWriter(path: path, header: ["v", "d"])
        for _ in 0..<20_000 {
            let d = [0, 1, 2, 4, 6][rng.index(5)]
            let v = (rng.uniform() - 0.3) * pow(10, Double(rng.index(9)))
            values.append((v, d))
            w.field(v, decimals: d); w.field(d); try w.endRow()
        }
        try w.finish()
        let r = try CSVReader(path: path)  // reads the header row
        for (v, d) in values {
            let more = try r.next()
            #expect(more)
            if !more { break }
            let scale = pow(10, Double(d))
            let expected = (v * scale).rounded() / scale
            let got = try #require(r.double(0))
            // The text is the integer (v * 10^d).rounded() with a point d digits from the right.
            #expect((got * scale).rounded() == (v * scale).rounded() && abs(got - expected) <= abs(expected) * 1e-15)
        }
    }
}
