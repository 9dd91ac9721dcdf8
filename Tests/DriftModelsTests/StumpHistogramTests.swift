import DriftCore
import Foundation
import Testing
@testable import DriftModels

/// The histogram pass (`HistogramPlan`: register lanes, 4-feature table passes) must give the same
/// bits as the plain definition, so that its speed-up leaves fitted models unchanged.
@Suite struct StumpHistogramTests {
    /// Nine features: binary, binary + missing, 3 bins + missing (4 lanes), constant, 6 skewed
    /// bins, 40 bins, 200 bins + missing, and two more two-bin ones (so that the two-lane group
    /// is full and one two-bin feature joins the four-lane group).
    static func data(rows n: Int, seed: UInt64) -> (BinnedMatrix, [UInt8]) {
        var g = Xoshiro256StarStar(seed: seed, stream: streamID("stump-histogram"))
        let d = 9
        var bins = [UInt8](repeating: 0, count: n * d), y = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            let b0 = UInt8(g.bernoulli(0.3) ? 1 : 0), b1: UInt8 = g.bernoulli(0.1) ? 255 : 0
            let b2: UInt8 = g.bernoulli(0.05) ? 255 : UInt8(g.index(3)), b4 = UInt8(min(5, g.poisson(0.4)))
            let b5 = UInt8(g.index(40)), b6: UInt8 = g.bernoulli(0.03) ? 255 : UInt8(g.index(200))
            let b7: UInt8 = g.bernoulli(0.5) ? 1 : 2, b8: UInt8 = g.bernoulli(0.02) ? 255 : 9
            for (f, b) in [b0, b1, b2, 7, b4, b5, b6, b7, b8].enumerated() { bins[f * n + i] = b }
            y[i] = g.bernoulli(sigmoid(-3 + Double(b0) + 0.5 * Double(b4) + (b6 == 255 ? 1 : 0) - Double(b5) / 40)) ? 1 : 0
        }
        return (BinnedMatrix(rows: n, featureNames: (0..<d).map { "f\($0)" }, bins: bins), y)
    }

    /// Three chunks, the last one partial.
    @Test func planSumsEveryBinInRowOrderBitForBit() throws {
        let n = 2 * GradientBoostedStumps.chunkRows + 4_321
        let (x, y) = Self.data(rows: n, seed: 1)
        let d = x.features
        var counts = [Double](repeating: 0, count: d * 256)
        for f in 0..<d { for i in 0..<n { counts[f * 256 + Int(x.bins[f * n + i])] += 1 } }
        let plan = GradientBoostedStumps.HistogramPlan(counts: counts, features: d)
        #expect(plan.lanes2 == [[0, 1, 3, 7]] && plan.lanes4 == [[8, 2]])
        #expect(plan.tables.flatMap { $0 }.sorted() == [4, 5, 6])
        // Arbitrary margins and a pending stump on feature 6.
        var g = Xoshiro256StarStar(seed: 2)
        var e = (0..<n).map { _ in exp(g.normal() * 2) }
        let factor = (0..<256).map { _ in exp(g.normal() * 0.1) }
        var expected = e
        for i in 0..<n { expected[i] *= factor[Int(x.bins[6 * n + i])] }
        let chunks = (n + GradientBoostedStumps.chunkRows - 1) / GradientBoostedStumps.chunkRows
        for c in 0..<chunks {
            let out = e.withUnsafeMutableBufferPointer { buffer in
                GradientBoostedStumps.histogramChunk(c, train: x, plan: plan, labels: y, expNegScores: buffer, update: (6, factor))
            }
            // The plain definition: each bin's (g, h) summed from +0.0 in row order.
            var plain = [Double](repeating: 0, count: d * 512)
            let lo = c * GradientBoostedStumps.chunkRows, hi = min(n, lo + GradientBoostedStumps.chunkRows)
            for f in 0..<d {
                for i in lo..<hi {
                    let p = 1 / (1 + expected[i]), b = Int(x.bins[f * n + i])
                    plain[f * 512 + 2 * b] += p - Double(y[i])
                    plain[f * 512 + 2 * b + 1] += p * (1 - p)
                }
            }
            #expect(out.map(\.bitPattern) == plain.map(\.bitPattern), "chunk \(c)")
        }
        #expect(e.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func fitIsIdenticalOnOneAndTwoThreadsWithEarlyStopping() throws {
        let (x, y) = Self.data(rows: 40_000, seed: 3)
        let (vx, vy) = Self.data(rows: 9_000, seed: 4)
        let categorical = [false, false, true, false, false, false, true, false, true]
        var c = GradientBoostedStumps.Configuration(rounds: 40, learningRate: 0.3)
        c.jobs = 1
        let one = try GradientBoostedStumps.fit(x, labels: y, categorical: categorical, validation: (vx, vy), configuration: c)
        c.jobs = 2
        let two = try GradientBoostedStumps.fit(x, labels: y, categorical: categorical, validation: (vx, vy), configuration: c)
        #expect(one.stumps == two.stumps && one.rounds > 5)
        // The validation loss is the metric's, bit for bit.
        var scores = [Double](repeating: 0.25, count: vx.rows)
        let loss = try GradientBoostedStumps.validationLoss(one.stumps[0], validation: vx, labels: vy, scores: &scores, jobs: 2)
        let f = one.stumps[0].feature
        let expected = Metrics.logLoss(probabilities: (0..<vx.rows).map { sigmoid(0.25 + one.stumps[0].table[Int(vx.bins[f * vx.rows + $0])]) }, labels: vy)
        #expect(loss.bitPattern == expected.bitPattern)
    }
}
