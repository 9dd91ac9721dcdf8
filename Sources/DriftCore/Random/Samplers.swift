import Foundation

// Samplers over any generator. Each is written once here and used everywhere (simulator,
// bootstrap, permutation tests). Formulas and references are in each doc comment.

extension RandomNumberGenerator {
    /// Uniform on [0, 1) with 53 random bits: `(next() >> 11) * 2^-53`. Always inlined: the
    /// simulator's row loop draws it a dozen times a row, and a generic call there is a real cost.
    @inlinable @inline(__always)
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform on (0, 1): never returns 0, safe to pass to `log`.
    @inlinable
    public mutating func uniformOpen() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// Uniform on [a, b).
    @inlinable
    public mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * uniform()
    }

    /// A uniform integer in 0..<n without modulo bias (Lemire's multiply-shift with rejection).
    /// Always inlined, like `uniform()`.
    @inlinable @inline(__always)
    public mutating func index(_ n: Int) -> Int {
        precondition(n > 0, "index(_:) needs n > 0")
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// Bernoulli(p): true with probability p.
    @inlinable
    public mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

    /// Standard normal by the Box-Muller transform (one of the pair is used; simple and exact).
    @inlinable
    public mutating func normal() -> Double {
        let u1 = uniformOpen(), u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Normal(mean, sd).
    @inlinable
    public mutating func normal(mean: Double, sd: Double) -> Double { mean + sd * normal() }

    /// Lognormal: exp(Normal(mu, sigma)); the median is exp(mu).
    @inlinable
    public mutating func lognormal(mu: Double, sigma: Double) -> Double {
        Foundation.exp(mu + sigma * normal())
    }

    /// Exponential with the given rate (mean 1/rate), by inversion.
    @inlinable
    public mutating func exponential(rate: Double) -> Double { -Foundation.log(uniformOpen()) / rate }

    /// Poisson(lambda). Knuth's product method below 30; above it, Hörmann's PTRS transformed
    /// rejection ("The transformed rejection method for generating Poisson random variables",
    /// Insurance: Mathematics and Economics 12, 1993), exact for any lambda.
    @inlinable
    public mutating func poisson(_ lambda: Double) -> Int {
        if !(lambda > 0) { return 0 }
        if lambda < 30 {
            let limit = Foundation.exp(-lambda)
            var k = 0
            var p = uniform()
            while p > limit { k += 1; p *= uniform() }
            return k
        }
        let slam = lambda.squareRoot(), loglam = Foundation.log(lambda)
        let b = 0.931 + 2.53 * slam
        let a = -0.059 + 0.02483 * b
        let invalpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = uniform() - 0.5
            let v = uniform()
            let us = 0.5 - Swift.abs(u)
            let k = Foundation.floor((2 * a / us + b) * u + lambda + 0.43)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if Foundation.log(v) + Foundation.log(invalpha) - Foundation.log(a / (us * us) + b)
                <= -lambda + k * loglam - Foundation.lgamma(k + 1) {
                return Int(k)
            }
        }
    }

    /// Gamma(shape, scale) by Marsaglia and Tsang, "A simple method for generating gamma
    /// variables", ACM TOMS 26(3), 2000; shape < 1 boosted by U^(1/shape).
    @inlinable
    public mutating func gamma(shape: Double, scale: Double) -> Double {
        precondition(shape > 0 && scale > 0, "gamma needs positive shape and scale")
        if shape < 1 {
            let boost = Foundation.pow(uniformOpen(), 1 / shape)
            return gamma(shape: shape + 1, scale: scale) * boost
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat { x = normal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = uniformOpen()
            if u < 1 - 0.0331 * x * x * x * x { return d * v * scale }
            if Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v * scale }
        }
    }
}

/// Categorical sampling in O(1) per draw by Vose's alias method ("A linear algorithm for
/// generating random numbers with a given distribution", IEEE TSE 17(9), 1991).
public struct AliasTable: Sendable, Equatable {
    public let probabilities: [Double]
    @usableFromInline let prob: [Double]
    @usableFromInline let alias: [Int32]

    /// Builds the table from non-negative weights (normalised here). Weights must not all be zero.
    public init(weights: [Double]) {
        precondition(!weights.isEmpty, "AliasTable needs at least one weight")
        let total = weights.reduce(0, +)
        precondition(total > 0 && total.isFinite, "AliasTable weights must sum to a positive number")
        let n = weights.count
        probabilities = weights.map { $0 / total }
        var scaled = probabilities.map { $0 * Double(n) }
        var prob = [Double](repeating: 0, count: n)
        var alias = [Int32](repeating: 0, count: n)
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.last {
            prob[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] = (scaled[l] + scaled[s]) - 1
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
        for i in large { prob[i] = 1 }
        for i in small { prob[i] = 1 }  // numerical leftovers
        self.prob = prob
        self.alias = alias
    }

    public var count: Int { prob.count }

    /// Draws one category index.
    @inlinable @inline(__always)
    public func sample<G: RandomNumberGenerator>(using rng: inout G) -> Int {
        let u = rng.uniform() * Double(prob.count)
        let i = Swift.min(Int(u), prob.count - 1)
        return (u - Double(i)) < prob[i] ? i : Int(alias[i])
    }

    /// One column of a table copied to a raw buffer: the chance of keeping the column, else its alias.
    public struct Entry: Sendable, Equatable {
        public var prob: Double
        public var alias: Int
        public init(prob: Double, alias: Int) { self.prob = prob; self.alias = alias }
    }

    /// Copies the table's `count` columns to `entries`, for `sample(_:count:using:)` in hot loops.
    public func write(to entries: UnsafeMutablePointer<Entry>) {
        for i in 0..<prob.count { entries[i] = Entry(prob: prob[i], alias: Int(alias[i])) }
    }

    /// `sample(using:)` of a table written to `entries` (`count` columns): the same draw and the
    /// same index, without the arrays' bounds checks.
    @inlinable @inline(__always)
    public static func sample<G: RandomNumberGenerator>(_ entries: UnsafePointer<Entry>, count n: Int, using rng: inout G) -> Int {
        let u = rng.uniform() * Double(n)
        let i = Swift.min(Int(u), n - 1)
        return (u - Double(i)) < entries[i].prob ? i : entries[i].alias
    }
}
