import DriftCore
import Foundation

/// A fitted binary classifier in the style of scikit-learn's `predict_proba`: log-odds per row,
/// turned into probabilities by the logistic function.
public protocol Classifier: Sendable {
    /// What the model reads: an encoded `FeatureMatrix` (logistic) or a `BinnedMatrix` (stumps).
    associatedtype Matrix
    /// The log-odds of the positive class for every row.
    func predictLogit(_ matrix: Matrix) -> [Double]
}

extension Classifier {
    /// P(y = 1 | x) for every row: sigmoid of `predictLogit`.
    public func predictProbability(_ matrix: Matrix) -> [Double] {
        predictLogit(matrix).map(sigmoid)
    }
}

/// The logistic function 1 / (1 + e^-z), computed without overflow on either side.
@inline(__always) public func sigmoid(_ z: Double) -> Double {
    let e = exp(-z.magnitude)  // the same exp as the two-branch form, without a branch around it
    return z >= 0 ? 1 / (1 + e) : e / (1 + e)
}

/// log(1 + e^z) without overflow.
@inline(__always) func softplus(_ z: Double) -> Double {
    z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
}

/// L2-regularised logistic regression fitted by L-BFGS, as scikit-learn's
/// `LogisticRegression(solver="lbfgs")`: minimises sum_i w_i [log(1 + e^z_i) - y_i z_i] + |beta|^2 / (2C)
/// with z = b + x.beta; the intercept b is not penalised.
public enum LogisticRegression {
    public struct Configuration: Sendable, Equatable {
        /// Inverse L2 strength, as scikit-learn's `C` (larger = weaker penalty).
        public var c: Double = 1.0
        /// Weight of every negative (0) and positive (1) row, as scikit-learn's `class_weight`.
        public var negativeWeight: Double = 1.0
        public var positiveWeight: Double = 1.0
        /// Stop when max_j |d objective / d theta_j| <= tolerance, the objective divided by the total
        /// row weight (scikit-learn's `tol` for lbfgs, which SciPy calls `gtol`).
        public var tolerance: Double = 1e-6
        /// Also stop when the relative objective decrease is below this (SciPy's `ftol` = 64 eps).
        public var relativeDecrease: Double = 64 * Double.ulpOfOne
        public var maxIterations: Int = 500
        /// L-BFGS memory (correction pairs kept).
        public var memory: Int = 10
        /// Threads for the gradient passes; the result does not depend on it.
        public var jobs: Int = 1
        public init() {}
        public init(c: Double, tolerance: Double = 1e-6, maxIterations: Int = 500) {
            self.c = c; self.tolerance = tolerance; self.maxIterations = maxIterations
        }
    }

    /// Rows per work block: fixed, so sums are added in the same order on any number of threads.
    static let blockRows = 2048

    /// Fits on `matrix` with labels 0/1 (one per row). Throws on a size mismatch, a bad
    /// configuration or a single class. Deterministic: block sums are combined in block order.
    public static func fit(_ matrix: FeatureMatrix, labels: [UInt8], configuration: Configuration = .init()) throws -> LogisticRegressionModel {
        let n = matrix.rows, p = matrix.columns
        guard labels.count == n else { throw ModelError.invalidConfiguration("\(labels.count) labels for \(n) rows") }
        guard n > 0 else { throw ModelError.noRows }
        guard configuration.c > 0, configuration.c.isFinite, configuration.negativeWeight > 0, configuration.positiveWeight > 0,
              configuration.tolerance > 0, configuration.maxIterations >= 0, configuration.memory >= 1 else {
            throw ModelError.invalidConfiguration("C, class weights and tolerance must be positive")
        }
        let positives = labels.reduce(0) { $0 + Int($1) }
        if positives == 0 || positives == n {
            throw ModelError.oneClass(column: "label", value: positives == 0 ? 0 : 1, rows: n)
        }
        let totalWeight = Double(positives) * configuration.positiveWeight + Double(n - positives) * configuration.negativeWeight
        let objective = Objective(matrix: matrix, labels: labels, c: configuration.c,
                                  weights: (configuration.negativeWeight, configuration.positiveWeight),
                                  scale: 1 / totalWeight, jobs: configuration.jobs)
        // Start from zero coefficients and the prior log-odds as intercept.
        var theta = [Double](repeating: 0, count: p + 1)
        let prior = Double(positives) * configuration.positiveWeight / totalWeight
        theta[p] = log(prior / (1 - prior))
        let result = LBFGS.minimize(theta, objective.evaluate, tolerance: configuration.tolerance,
                                    relativeDecrease: configuration.relativeDecrease,
                                    maxIterations: configuration.maxIterations, memory: configuration.memory)
        return LogisticRegressionModel(columnNames: matrix.columnNames, coefficients: Array(result.x[0..<p]), intercept: result.x[p],
                                       iterations: result.iterations, converged: result.converged,
                                       finalGradient: result.gradientNorm, configuration: configuration)
    }

    /// The scaled objective and its gradient, in fused block passes over the column-major matrix.
    struct Objective: @unchecked Sendable {
        let matrix: FeatureMatrix
        let labels: [UInt8]
        let c: Double
        let weights: (Double, Double)
        let scale: Double
        let jobs: Int

        func evaluate(_ theta: [Double]) -> (Double, [Double]) {
            let n = matrix.rows, p = matrix.columns
            let blocks = (n + LogisticRegression.blockRows - 1) / LogisticRegression.blockRows
            let parts = (try? Parallel.map(blocks, jobs: jobs) { b in self.block(b, theta) }) ?? []
            var loss = 0.0
            var grad = [Double](repeating: 0, count: p + 1)
            for part in parts {
                loss += part[p + 1]
                for j in 0...p { grad[j] += part[j] }
            }
            var penalty = 0.0
            for j in 0..<p { penalty += theta[j] * theta[j]; grad[j] += theta[j] / c }
            loss += penalty / (2 * c)
            return (loss * scale, grad.map { $0 * scale })
        }

        /// Loss and gradient of rows in block `b`: [d/d beta_0 ... d/d beta_{p-1}, d/d b, loss].
        func block(_ b: Int, _ theta: [Double]) -> [Double] {
            let n = matrix.rows, p = matrix.columns
            let start = b * LogisticRegression.blockRows, end = Swift.min(n, start + LogisticRegression.blockRows)
            let m = end - start
            var out = [Double](repeating: 0, count: p + 2)
            var z = [Double](repeating: theta[p], count: m)
            let (w0, w1) = weights
            matrix.values.withUnsafeBufferPointer { x in
                z.withUnsafeMutableBufferPointer { z in
                    theta.withUnsafeBufferPointer { theta in
                        out.withUnsafeMutableBufferPointer { out in
                            addMargins(z, x: x, theta: theta, start: start, count: m)
                            // Residuals r_i = w_i (sigma(z_i) - y_i), kept in z; loss summed alongside.
                            var loss = 0.0, interceptGrad = 0.0
                            labels.withUnsafeBufferPointer { y in
                                for i in 0..<m {
                                    let zi = z[i]
                                    let positive = y[start + i] != 0
                                    let w = positive ? w1 : w0
                                    let e = exp(-Swift.abs(zi))  // one exp for both the loss and the sigmoid
                                    let softplus = Swift.max(zi, 0) + log1p(e)
                                    let p = zi >= 0 ? 1 / (1 + e) : e / (1 + e)
                                    loss += w * (softplus - (positive ? zi : 0))
                                    let r = w * (p - (positive ? 1 : 0))
                                    z[i] = r
                                    interceptGrad += r
                                }
                            }
                            out[p] = interceptGrad
                            out[p + 1] = loss
                            for (k, j) in matrix.denseIndex.enumerated() {
                                let col = x.baseAddress! + k * n + start
                                var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
                                var i = 0
                                while i + 4 <= m {
                                    a0 += z[i] * Double(col[i]); a1 += z[i + 1] * Double(col[i + 1])
                                    a2 += z[i + 2] * Double(col[i + 2]); a3 += z[i + 3] * Double(col[i + 3])
                                    i += 4
                                }
                                while i < m { a0 += z[i] * Double(col[i]); i += 1 }
                                out[j] = (a0 + a1) + (a2 + a3)
                            }
                            for codes in matrix.oneHotCodes {
                                codes.withUnsafeBufferPointer { c in
                                    for i in 0..<m { out[Int(c[start + i])] += z[i] }
                                }
                            }
                        }
                    }
                }
            }
            return out
        }

        /// z_i += x_i . beta for rows start ..< start + count (dense columns, then one-hot lookups).
        func addMargins(_ z: UnsafeMutableBufferPointer<Double>, x: UnsafeBufferPointer<Float>, theta: UnsafeBufferPointer<Double>,
                        start: Int, count m: Int) {
            matrix.addMargins(z, x: x, coefficients: theta, start: start, count: m)
        }
    }
}

extension FeatureMatrix {
    /// z_i += x_i . beta for rows start ..< start + count: dense columns by axpy, one-hot groups by lookup.
    @inline(__always)
    func addMargins(_ z: UnsafeMutableBufferPointer<Double>, x: UnsafeBufferPointer<Float>, coefficients beta: UnsafeBufferPointer<Double>,
                    start: Int, count m: Int) {
        let n = rows
        for (k, j) in denseIndex.enumerated() {
            let b = beta[j]
            if b == 0 { continue }
            let col = x.baseAddress! + k * n + start
            for i in 0..<m { z[i] += b * Double(col[i]) }
        }
        for codes in oneHotCodes {
            codes.withUnsafeBufferPointer { c in
                let cb = c.baseAddress! + start
                for i in 0..<m { z[i] += beta[Int(cb[i])] }
            }
        }
    }
}

/// A fitted logistic regression: coefficients per encoded column and an intercept.
public struct LogisticRegressionModel: Classifier, Equatable {
    public let columnNames: [String]
    public let coefficients: [Double]
    public let intercept: Double
    /// L-BFGS iterations used and whether the stopping rule was met before `maxIterations`.
    public let iterations: Int
    public let converged: Bool
    public let finalGradient: Double
    public let configuration: LogisticRegression.Configuration

    /// z = b + x.beta, in blocks of rows so the margins stay in cache.
    public func predictLogit(_ matrix: FeatureMatrix) -> [Double] {
        let n = matrix.rows
        var z = [Double](repeating: intercept, count: n)
        guard matrix.columns == coefficients.count else { return [Double](repeating: .nan, count: n) }
        let blockRows = 2048
        matrix.values.withUnsafeBufferPointer { x in
            coefficients.withUnsafeBufferPointer { beta in
                z.withUnsafeMutableBufferPointer { z in
                    var start = 0
                    while start < n {
                        let m = Swift.min(blockRows, n - start)
                        let zb = UnsafeMutableBufferPointer(rebasing: z[start..<(start + m)])
                        matrix.addMargins(zb, x: x, coefficients: beta, start: start, count: m)
                        start += m
                    }
                }
            }
        }
        return z
    }

    /// Gain-free importance per original feature: the sum of |beta| over its encoded columns
    /// (comparable because numeric columns are standardised).
    public func importance(sourceFeature: [Int], featureCount: Int) -> [Double] {
        var out = [Double](repeating: 0, count: featureCount)
        for (j, f) in sourceFeature.enumerated() where j < coefficients.count && f < featureCount { out[f] += Swift.abs(coefficients[j]) }
        return out
    }
}

/// Limited-memory BFGS (Nocedal and Wright, Numerical Optimization, 2nd ed., Algorithm 7.4 and
/// 7.5) with a backtracking line search on the Armijo condition (c1 = 1e-4). Correction pairs
/// with s.y <= 1e-10 |s||y| are skipped so the inverse-Hessian estimate stays positive definite.
enum LBFGS {
    struct Result { var x: [Double]; var value: Double; var iterations: Int; var converged: Bool; var gradientNorm: Double }

    static func minimize(_ start: [Double], _ f: ([Double]) -> (Double, [Double]), tolerance: Double,
                         relativeDecrease: Double, maxIterations: Int, memory: Int) -> Result {
        let d = start.count
        var x = start
        var (fx, g) = f(x)
        var sList: [[Double]] = [], yList: [[Double]] = [], rhoList: [Double] = []
        var iteration = 0
        func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { Swift.max($0, Swift.abs($1)) } }
        if maxAbs(g) <= tolerance { return Result(x: x, value: fx, iterations: 0, converged: true, gradientNorm: maxAbs(g)) }
        while iteration < maxIterations {
            iteration += 1
            // Two-loop recursion: direction = -H g.
            var q = g
            var alphas = [Double](repeating: 0, count: sList.count)
            for k in stride(from: sList.count - 1, through: 0, by: -1) {
                let a = rhoList[k] * dot(sList[k], q)
                alphas[k] = a
                for j in 0..<d { q[j] -= a * yList[k][j] }
            }
            if let sLast = sList.last, let yLast = yList.last {
                let gamma = dot(sLast, yLast) / dot(yLast, yLast)
                for j in 0..<d { q[j] *= gamma }
            } else {
                let norm = dot(g, g).squareRoot()
                for j in 0..<d { q[j] /= Swift.max(norm, 1) }
            }
            for k in 0..<sList.count {
                let b = rhoList[k] * dot(yList[k], q)
                for j in 0..<d { q[j] += sList[k][j] * (alphas[k] - b) }
            }
            var direction = q.map { -$0 }
            var slope = dot(g, direction)
            if !(slope < 0) {  // not a descent direction: restart from steepest descent
                sList.removeAll(); yList.removeAll(); rhoList.removeAll()
                direction = g.map { -$0 }
                slope = dot(g, direction)
            }
            var step = 1.0
            var accepted = false
            var xNew = x, fNew = fx, gNew = g
            for _ in 0..<60 {
                for j in 0..<d { xNew[j] = x[j] + step * direction[j] }
                (fNew, gNew) = f(xNew)
                if fNew.isFinite && fNew <= fx + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            if !accepted { return Result(x: x, value: fx, iterations: iteration, converged: false, gradientNorm: maxAbs(g)) }
            var s = [Double](repeating: 0, count: d), y = s
            for j in 0..<d { s[j] = xNew[j] - x[j]; y[j] = gNew[j] - g[j] }
            let sy = dot(s, y)
            if sy > 1e-10 * dot(s, s).squareRoot() * dot(y, y).squareRoot() {
                sList.append(s); yList.append(y); rhoList.append(1 / sy)
                if sList.count > memory { sList.removeFirst(); yList.removeFirst(); rhoList.removeFirst() }
            }
            let decrease = (fx - fNew) / Swift.max(Swift.abs(fx), Swift.abs(fNew), 1)
            x = xNew; fx = fNew; g = gNew
            let gn = maxAbs(g)
            if gn <= tolerance { return Result(x: x, value: fx, iterations: iteration, converged: true, gradientNorm: gn) }
            if decrease <= relativeDecrease { return Result(x: x, value: fx, iterations: iteration, converged: true, gradientNorm: gn) }
        }
        return Result(x: x, value: fx, iterations: iteration, converged: false, gradientNorm: maxAbs(g))
    }

    @inline(__always) static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }
}
