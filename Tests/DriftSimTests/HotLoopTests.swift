import Foundation
import Testing
@testable import DriftCore
@testable import DriftSim

/// The generator's shortcuts must be exact: they replace library calls without changing a bit of
/// the output (same draws, same numbers), so these compare them with the calls they replace.
@Suite struct HotLoopTests {
    @Test func poissonVolumeDrawsExactlyWhatPoissonDraws() {
        // Lambdas across the Taylor-bound range (< 1), the boundary, and the exact path above it.
        let lambdas: [Double] = [1e-9, 1e-4, 0.01, 0.13, 0.5, 0.77, 0.999_999, 1, 1.5, 4, 29.9, 45]
        for (k, lambda) in lambdas.enumerated() {
            var a = Xoshiro256StarStar(seed: 7, stream: UInt64(k)), b = a
            var total = 0
            for _ in 0..<20_000 {
                let x = Shard.poissonVolume(lambda, &a), y = b.poisson(lambda)
                #expect(x == y, "lambda \(lambda)")
                if x != y { return }
                total += x
            }
            // Same generator state afterwards: the same number of uniforms was consumed.
            #expect(a.next() == b.next())
            #expect(abs(Double(total) / 20_000 - lambda) < 5 * (lambda / 20_000).squareRoot() + 1e-9)
        }
        var r = Xoshiro256StarStar(seed: 1)
        #expect(Shard.poissonVolume(0, &r) == 0 && Shard.poissonVolume(-1, &r) == 0 && Shard.poissonVolume(.nan, &r) == 0)
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
