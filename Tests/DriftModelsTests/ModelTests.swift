import DriftCore
import Foundation
import Testing
@testable import DriftModels

// Logistic regression coefficients against scikit-learn 1.9.1 on a small fixed dataset:
//
//   i = np.arange(60)
//   X = np.column_stack([np.sin(i * 0.7), 2 * np.cos(i * 1.3), ((i * 7) % 10) / 10])
//   y = (X[:, 0] + 0.5 * X[:, 1] - X[:, 2] + 0.8 * np.sin(i * 5.1) > 0).astype(int)   # 22 positives
//   m = LogisticRegression(C=0.5, solver="lbfgs", tol=1e-12, max_iter=10000).fit(X, y)
//   m.coef_, m.intercept_  # [1.3706181233765864, 0.8858666748083704, -0.5825108933148277], -0.6276786574852876
//   m = LogisticRegression(C=0.5, solver="lbfgs", tol=1e-12, max_iter=10000, class_weight={0: 1, 1: 3}).fit(X, y)
//   m.coef_, m.intercept_  # [1.7421878119236642, 0.9808454221721218, -0.8684066076809784], 0.3946920801672285
func smallDataset() -> (FeatureMatrix, [UInt8]) {
    var rows: [[Double]] = [], y: [UInt8] = []
    for k in 0..<60 {
        let i = Double(k)
        let x = [sin(i * 0.7), 2 * cos(i * 1.3), Double((k * 7) % 10) / 10]
        rows.append(x)
        y.append(x[0] + 0.5 * x[1] - x[2] + 0.8 * sin(i * 5.1) > 0 ? 1 : 0)
    }
    return (FeatureMatrix(rowMajor: rows), y)
}

@Suite struct LogisticRegressionTests {
    @Test func coefficientsMatchScikitLearn() throws {
        let (x, y) = smallDataset()
        #expect(y.reduce(0) { $0 + Int($1) } == 22)
        var config = LogisticRegression.Configuration(c: 0.5, tolerance: 1e-10)
        let m = try LogisticRegression.fit(x, labels: y, configuration: config)
        #expect(m.converged)
        let expected = [1.3706181233765864, 0.8858666748083704, -0.5825108933148277]
        // Float storage of the inputs bounds the agreement near 1e-6.
        for (a, b) in zip(m.coefficients, expected) { #expect(Swift.abs(a - b) < 2e-5) }
        #expect(Swift.abs(m.intercept - -0.6276786574852876) < 2e-5)

        config.positiveWeight = 3
        let w = try LogisticRegression.fit(x, labels: y, configuration: config)
        let expectedWeighted = [1.7421878119236642, 0.9808454221721218, -0.8684066076809784]
        for (a, b) in zip(w.coefficients, expectedWeighted) { #expect(Swift.abs(a - b) < 2e-5) }
        #expect(Swift.abs(w.intercept - 0.3946920801672285) < 2e-5)
    }

    @Test func oneClassAndBadConfigurationAreErrors() {
        let (x, _) = smallDataset()
        #expect(throws: ModelError.self) { try LogisticRegression.fit(x, labels: [UInt8](repeating: 1, count: 60)) }
        #expect(throws: ModelError.self) { try LogisticRegression.fit(x, labels: [0, 1]) }
        #expect(throws: ModelError.self) {
            try LogisticRegression.fit(x, labels: smallDataset().1, configuration: .init(c: -1))
        }
    }

    @Test func resultDoesNotDependOnThreads() throws {
        var g = Xoshiro256StarStar(seed: 5)
        let n = 40_000
        let rows = (0..<n).map { _ in [g.normal(), g.normal(), g.uniform()] }
        let y: [UInt8] = rows.map { g.bernoulli(sigmoid($0[0] - 2 * $0[1] - 3)) ? 1 : 0 }
        let x = FeatureMatrix(rowMajor: rows)
        var c = LogisticRegression.Configuration()
        c.jobs = 1
        let one = try LogisticRegression.fit(x, labels: y, configuration: c)
        c.jobs = 4
        let four = try LogisticRegression.fit(x, labels: y, configuration: c)
        #expect(one == LogisticRegressionModel(columnNames: four.columnNames, coefficients: four.coefficients, intercept: four.intercept,
                                                 iterations: four.iterations, converged: four.converged,
                                                 finalGradient: four.finalGradient, configuration: one.configuration))
    }
}

@Suite struct StumpTests {
    @Test func findsTheInformativeSplitAndMissingDirection() throws {
        // Feature 0: bins 0..9, fraud only at bins >= 7 and where missing; feature 1: noise.
        var g = Xoshiro256StarStar(seed: 2)
        let n = 5000
        var bins = [UInt8](repeating: 0, count: 2 * n), y = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            let b = g.index(11)
            bins[i] = b == 10 ? BinnedMatrix.missingBin : UInt8(b)
            bins[n + i] = UInt8(g.index(5))
            y[i] = (b >= 7 ? g.bernoulli(0.6) : g.bernoulli(0.02)) ? 1 : 0
        }
        let x = BinnedMatrix(rows: n, featureNames: ["signal", "noise"], bins: bins)
        let m = try GradientBoostedStumps.fit(x, labels: y, categorical: [false, false], configuration: .init(rounds: 5, learningRate: 0.5))
        let first = try #require(m.stumps.first)
        #expect(first.feature == 0)
        #expect(first.leftBins[6] && !first.leftBins[7])
        #expect(!first.missingGoesLeft)  // missing rows behave like the high bins
        #expect(m.featureImportance[0] > 0.9)
        let p = m.predictProbability(BinnedMatrix(rows: 2, featureNames: ["signal", "noise"], bins: [1, 9, 0, 0]))
        #expect(p[1] > 0.4 && p[0] < 0.05)
    }

    @Test func categoricalSplitGroupsRiskyCategories() throws {
        var g = Xoshiro256StarStar(seed: 4)
        let n = 6000
        var bins = [UInt8](repeating: 0, count: n), y = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            let c = g.index(6)
            bins[i] = UInt8(c)
            y[i] = g.bernoulli(c == 1 || c == 4 ? 0.5 : 0.02) ? 1 : 0  // not a prefix of the bin order
        }
        let x = BinnedMatrix(rows: n, featureNames: ["category"], bins: bins)
        let m = try GradientBoostedStumps.fit(x, labels: y, categorical: [true], configuration: .init(rounds: 1, learningRate: 1))
        let s = try #require(m.stumps.first)
        let risky = Set([1, 4])
        let sameSide = (0..<6).allSatisfy { s.leftBins[$0] == s.leftBins[1] || !risky.contains($0) }
            && (0..<6).filter { !risky.contains($0) }.allSatisfy { s.leftBins[$0] != s.leftBins[1] }
        #expect(sameSide)
    }

    @Test func resultDoesNotDependOnThreads() throws {
        var g = Xoshiro256StarStar(seed: 9)
        let n = 100_000
        var bins = [UInt8](repeating: 0, count: 3 * n), y = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            for f in 0..<3 { bins[f * n + i] = UInt8(g.index(40)) }
            y[i] = g.bernoulli(sigmoid(Double(bins[i]) / 10 - Double(bins[n + i]) / 20 - 3)) ? 1 : 0
        }
        let x = BinnedMatrix(rows: n, featureNames: ["a", "b", "c"], bins: bins)
        var c = GradientBoostedStumps.Configuration(rounds: 20, learningRate: 0.2)
        c.jobs = 1
        let one = try GradientBoostedStumps.fit(x, labels: y, categorical: [false, false, true], configuration: c)
        c.jobs = 3
        let three = try GradientBoostedStumps.fit(x, labels: y, categorical: [false, false, true], configuration: c)
        #expect(one.stumps == three.stumps)
        #expect(one.predictLogit(x) == three.predictLogit(x))
    }

    @Test func earlyStoppingKeepsTheBestRound() throws {
        var g = Xoshiro256StarStar(seed: 10)
        let n = 4000
        var bins = [UInt8](repeating: 0, count: n), y = [UInt8](repeating: 0, count: n)
        for i in 0..<n { bins[i] = UInt8(g.index(50)); y[i] = g.bernoulli(0.05) ? 1 : 0 }  // pure noise
        let x = BinnedMatrix(rows: n, featureNames: ["noise"], bins: bins)
        let train = x.selectingRows(Array(0..<3000)), valid = x.selectingRows(Array(3000..<4000))
        var c = GradientBoostedStumps.Configuration(rounds: 200, learningRate: 0.3)
        c.minSamplesLeaf = 5
        let m = try GradientBoostedStumps.fit(train, labels: Array(y[0..<3000]), categorical: [false],
                                              validation: (valid, Array(y[3000..<4000])), configuration: c)
        #expect(m.rounds < 50)
    }
}
