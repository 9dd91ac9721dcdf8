import DriftCore
import Foundation

/// A map from a model's log-odds to a calibrated probability, fitted on a validation split.
public enum Calibrator: Sendable, Equatable {
    /// No calibration: sigmoid of the log-odds.
    case none
    /// Platt scaling: p = 1 / (1 + exp(a f + b)) on the log-odds f (Platt 1999; scikit-learn's
    /// `_sigmoid_calibration`, with its smoothed targets (N+ + 1)/(N+ + 2) and 1/(N- + 2)).
    case platt(a: Double, b: Double)
    /// Isotonic regression by pool-adjacent-violators on the log-odds; prediction interpolates
    /// linearly between the fitted points and clips outside them (scikit-learn's
    /// `IsotonicRegression(out_of_bounds="clip")`).
    case isotonic(x: [Double], y: [Double])

    public enum Method: String, Sendable, CaseIterable { case none, platt, isotonic }

    public var method: Method {
        switch self { case .none: return .none; case .platt: return .platt; case .isotonic: return .isotonic }
    }

    /// Fits `method` on log-odds `f` and 0/1 labels. Falls back to `.none` for empty input.
    public static func fit(_ method: Method, logits f: [Double], labels: [UInt8]) -> Calibrator {
        guard !f.isEmpty, f.count == labels.count else { return .none }
        switch method {
        case .none: return .none
        case .platt: return fitPlatt(logits: f, labels: labels)
        case .isotonic: return fitIsotonic(x: f, y: labels.map { Double($0) })
        }
    }

    /// Calibrated probability for one log-odds value.
    public func probability(_ f: Double) -> Double {
        switch self {
        case .none: return sigmoid(f)
        case let .platt(a, b): return sigmoid(-(a * f + b))
        case let .isotonic(x, y):
            if x.isEmpty || f.isNaN { return .nan }
            if f <= x[0] { return y[0] }
            if f >= x[x.count - 1] { return y[y.count - 1] }
            var lo = 0, hi = x.count - 1  // x[lo] < f < x[hi]
            while hi - lo > 1 { let mid = (lo + hi) >> 1; if x[mid] <= f { lo = mid } else { hi = mid } }
            let t = (f - x[lo]) / (x[hi] - x[lo])
            return y[lo] + t * (y[hi] - y[lo])
        }
    }

    public func probabilities(_ f: [Double]) -> [Double] { f.map(probability) }

    /// Platt's fit by Newton's method on the two parameters (exact to 1e-12 in the gradient).
    static func fitPlatt(logits f: [Double], labels: [UInt8]) -> Calibrator {
        let positives = Double(labels.reduce(0) { $0 + Int($1) }), negatives = Double(labels.count) - positives
        let hi = (positives + 1) / (positives + 2), lo = 1 / (negatives + 2)
        let t = labels.map { $0 != 0 ? hi : lo }
        var a = 0.0, b = log((negatives + 1) / (positives + 1))
        func objective(_ a: Double, _ b: Double) -> Double {
            var s = 0.0
            for i in 0..<f.count {
                let z = -(a * f[i] + b)  // p = sigma(z)
                s += softplus(z) - t[i] * z
            }
            return s
        }
        var current = objective(a, b)
        for _ in 0..<100 {
            var ga = 0.0, gb = 0.0, haa = 0.0, hab = 0.0, hbb = 0.0
            for i in 0..<f.count {
                let p = sigmoid(-(a * f[i] + b))
                let r = t[i] - p  // d/dz' of the loss wrt z' = a f + b
                let w = p * (1 - p)
                ga += r * f[i]; gb += r
                haa += w * f[i] * f[i]; hab += w * f[i]; hbb += w
            }
            if Swift.max(Swift.abs(ga), Swift.abs(gb)) < 1e-12 * Double(f.count) { break }
            haa += 1e-12; hbb += 1e-12
            let det = haa * hbb - hab * hab
            guard det > 0 else { break }
            let da = -(hbb * ga - hab * gb) / det, db = -(haa * gb - hab * ga) / det
            var step = 1.0, accepted = false
            let (a0, b0) = (a, b)
            for _ in 0..<40 {
                let next = objective(a + step * da, b + step * db)
                if next <= current { a += step * da; b += step * db; current = next; accepted = true; break }
                step *= 0.5
            }
            // A step that leaves (a, b) bit for bit unchanged is a fixed point: every further
            // iteration would repeat it exactly (the gradient is at its rounding floor), so stop.
            if !accepted || (a.bitPattern == a0.bitPattern && b.bitPattern == b0.bitPattern) { break }
        }
        return .platt(a: a, b: b)
    }

    /// Pool-adjacent-violators on points sorted by x (ties in x merged to their mean, as scikit-learn's
    /// `_make_unique`), then interior points equal to both neighbours dropped (they change nothing).
    static func fitIsotonic(x: [Double], y: [Double]) -> Calibrator {
        let order = (0..<x.count).filter { !x[$0].isNaN }.sorted { x[$0] != x[$1] ? x[$0] < x[$1] : $0 < $1 }
        var ux: [Double] = [], uy: [Double] = [], uw: [Double] = []
        for i in order {
            if let last = ux.last, last == x[i] {
                uy[uy.count - 1] += y[i]; uw[uw.count - 1] += 1
            } else { ux.append(x[i]); uy.append(y[i]); uw.append(1) }
        }
        for k in 0..<uy.count { uy[k] /= uw[k] }
        // PAV with a stack of blocks (mean, weight, count of points).
        var mean: [Double] = [], weight: [Double] = [], size: [Int] = []
        for k in 0..<uy.count {
            mean.append(uy[k]); weight.append(uw[k]); size.append(1)
            while mean.count > 1 && mean[mean.count - 2] >= mean[mean.count - 1] {
                let w = weight[weight.count - 2] + weight[weight.count - 1]
                let m = (mean[mean.count - 2] * weight[weight.count - 2] + mean[mean.count - 1] * weight[weight.count - 1]) / w
                let s = size[size.count - 2] + size[size.count - 1]
                mean.removeLast(2); weight.removeLast(2); size.removeLast(2)
                mean.append(m); weight.append(w); size.append(s)
            }
        }
        var fitted: [Double] = []
        for (m, s) in zip(mean, size) { fitted.append(contentsOf: repeatElement(m, count: s)) }
        guard fitted.count > 2 else { return .isotonic(x: ux, y: fitted) }
        var kx: [Double] = [ux[0]], ky: [Double] = [fitted[0]]
        for k in 1..<(fitted.count - 1) where fitted[k] != fitted[k - 1] || fitted[k] != fitted[k + 1] {
            kx.append(ux[k]); ky.append(fitted[k])
        }
        kx.append(ux[ux.count - 1]); ky.append(fitted[fitted.count - 1])
        return .isotonic(x: kx, y: ky)
    }

    public func json() -> JSON {
        switch self {
        case .none: return .object([("method", .string("none"))])
        case let .platt(a, b): return .object([("method", .string("platt")), ("a", .number(a)), ("b", .number(b))])
        case let .isotonic(x, y):
            return .object([("method", .string("isotonic")), ("x", .array(x.map { .number($0) })), ("y", .array(y.map { .number($0) }))])
        }
    }

    public init(json: JSON, file: String, path: String) throws {
        var r = try ConfigReader(json, file: file, path: path)
        switch try r.string("method", oneOf: Method.allCases.map(\.rawValue)) {
        case "platt": self = .platt(a: try r.double("a"), b: try r.double("b"))
        case "isotonic":
            let x = try r.doubles("x") ?? [], y = try r.doubles("y", in: 0...1) ?? []
            guard x.count == y.count, !x.isEmpty, zip(x, x.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw r.error("x", "isotonic points need increasing x and as many y values")
            }
            self = .isotonic(x: x, y: y)
        default: self = .none
        }
        try r.finish()
    }
}

/// How the alert threshold is chosen on the validation split. Rows whose model probability is at
/// or above the threshold are flagged.
public enum ThresholdPolicy: Sendable, Equatable {
    /// A given threshold on the model probability.
    case fixed(Double)
    /// Flag the top `fraction` of rows (e.g. 0.01 = 1 %): the fraud team's alert budget. The default.
    case alertBudget(Double)
    /// The lowest threshold whose validation precision reaches the target (most recall at that precision).
    case precisionTarget(Double)

    public static let `default` = ThresholdPolicy.alertBudget(0.01)

    public var name: String {
        switch self { case .fixed: return "fixed"; case .alertBudget: return "alert_budget"; case .precisionTarget: return "precision_target" }
    }
    public var parameter: Double {
        switch self { case .fixed(let v), .alertBudget(let v), .precisionTarget(let v): return v }
    }

    /// Parses `fixed:0.5`, `budget:0.01` (or `alert_budget:0.01`) and `precision:0.5`.
    public init?(text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let v = Double(parts[1]), v.isFinite else { return nil }
        switch parts[0] {
        case "fixed": self = .fixed(v)
        case "budget", "alert_budget": guard v > 0 && v <= 1 else { return nil }; self = .alertBudget(v)
        case "precision", "precision_target": guard v > 0 && v <= 1 else { return nil }; self = .precisionTarget(v)
        default: return nil
        }
    }

    /// The threshold on `scores` (probabilities of the validation split). For the budget, the k-th
    /// highest score with k = floor(fraction n) (ties at it are flagged too); when nothing can be
    /// flagged, a threshold just above the highest score.
    public func choose(scores: [Double], labels: [UInt8]) -> Double {
        let finite = scores.filter { $0.isFinite }
        guard let top = finite.max() else { return .nan }
        switch self {
        case .fixed(let t): return t
        case .alertBudget(let fraction):
            let sorted = RadixSort.sorted(finite)
            let k = Int((fraction * Double(sorted.count)).rounded(.down))
            return k >= 1 ? sorted[sorted.count - k] : top.nextUp
        case .precisionTarget(let target):
            var pairs = zip(scores, labels).filter { $0.0.isFinite }
            pairs.sort { $0.0 > $1.0 }
            var tp = 0.0, fp = 0.0, chosen = top.nextUp
            var i = 0
            while i < pairs.count {
                let v = pairs[i].0
                while i < pairs.count && pairs[i].0 == v { if pairs[i].1 != 0 { tp += 1 } else { fp += 1 }; i += 1 }
                if tp / (tp + fp) >= target { chosen = v }
            }
            return chosen
        }
    }

    public func json() -> JSON { .object([("policy", .string(name)), ("parameter", .number(parameter))]) }
}
