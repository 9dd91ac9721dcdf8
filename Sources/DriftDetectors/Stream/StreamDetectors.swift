import DriftCore
import Foundation

// Stream detectors with river 0.26's interface and arithmetic: `update(x)`, then read
// `driftDetected` / `warningDetected`. After a detection the state is reset at the start of the
// next `update`, exactly as river does. Hyperparameters are public with river's defaults.

/// river's `stats.Mean`: m += (1/n)(x - m), the same floating-point steps as river.
struct RunningMean: Sendable {
    var n = 0.0
    var mean = 0.0
    mutating func update(_ x: Double) {
        n += 1
        mean += (1 / n) * (x - mean)
    }
}

/// DDM (Gama et al. 2004) on a 0/1 error stream: with p the running error rate and
/// s = √(p(1-p)/n), warn when p + s > p_min + 2 s_min and drift when p + s > p_min + 3 s_min,
/// where (p_min, s_min) is the point of smallest p + s after `warmStart` values.
public struct DDM: StreamDetector {
    public var warmStart: Int
    public var warningThreshold: Double
    public var driftThreshold: Double
    public private(set) var driftDetected = false
    public private(set) var warningDetected = false
    private var p = RunningMean()
    private var pMin = 0.0, sMin = 0.0, psMin = Double.infinity

    public init(warmStart: Int = 30, warningThreshold: Double = 2.0, driftThreshold: Double = 3.0) {
        self.warmStart = warmStart; self.warningThreshold = warningThreshold; self.driftThreshold = driftThreshold
    }

    private mutating func reset() {
        driftDetected = false; warningDetected = false
        p = RunningMean(); pMin = 0; sMin = 0; psMin = .infinity
    }

    public mutating func update(_ x: Double) {
        if driftDetected { reset() }
        p.update(x)
        let pi = p.mean, n = p.n
        let si = (pi * (1 - pi) / n).squareRoot()
        if n > Double(warmStart) {
            if pi + si <= psMin { pMin = pi; sMin = si; psMin = pMin + sMin }
            warningDetected = pi + si > pMin + warningThreshold * sMin
            if pi + si > pMin + driftThreshold * sMin { driftDetected = true; warningDetected = false }
        }
    }
}

/// EDDM (Baena-García et al. 2006): tracks the mean p' and standard deviation s' of the distance
/// between consecutive errors; with (p'+2s')_max its running maximum, warns when
/// (p'+2s')/(p'+2s')_max < alpha and signals drift below beta (after `warmStart` values and errors).
/// An alpha below beta is raised to beta (river 0.26 refuses it: "'alpha' must be greater or equal to 'beta'").
public struct EDDM: StreamDetector {
    public var warmStart: Int
    public var alpha: Double
    public var beta: Double
    public private(set) var driftDetected = false
    public private(set) var warningDetected = false
    private var distances = RunningMean()
    private var s = 0.0
    private var n = 0, lastError = 0, errors = 0
    private var p2sMax = -1.0

    public init(warmStart: Int = 30, alpha: Double = 0.95, beta: Double = 0.9) {
        self.warmStart = warmStart; self.alpha = Swift.max(alpha, beta); self.beta = beta
    }

    private mutating func reset() {
        driftDetected = false; warningDetected = false
        distances = RunningMean(); s = 0; n = 0; lastError = 0; errors = 0; p2sMax = -1
    }

    public mutating func update(_ x: Double) {
        if driftDetected { reset() }
        n += 1
        guard x == 1 else { return }
        errors += 1
        // river's stats.Var (ddof 1): S += (d - m_old)(d - m_new).
        let d = Double(n - lastError)
        let old = distances.mean
        distances.update(d)
        s += (d - old) * (d - distances.mean)
        if n > warmStart {
            let mean = distances.mean
            let variance = distances.n > 1 ? s / (distances.n - 1) : 0
            // river takes `Var.get() ** 0.5`, i.e. libm's pow(v, 0.5), which is not always the
            // correctly rounded square root: pow(0.9999999999999999, 0.5) is 1.0, sqrt gives
            // 0.9999999999999999, and a level of exactly beta then read as drift here only.
            let p2s = mean + 2 * pow(variance, 0.5)
            if p2s > p2sMax {
                p2sMax = p2s
            } else if errors > warmStart {
                let level = p2s / p2sMax
                if level < beta { driftDetected = true }
                else if level < alpha { warningDetected = true }
                else { warningDetected = false }
            }
        }
        lastError = n
    }
}

/// Page–Hinkley (Page 1954) as in river: with m the running mean, the fading sums
/// S⁺ = α S⁺ + (x - m) - δ and S⁻ = α S⁻ + (x - m) + δ; drift when S⁺ - min S⁺ or max S⁻ - S⁻
/// exceeds `threshold` (λ) after `minInstances` values (mode both/up/down).
public struct PageHinkley: StreamDetector {
    public enum Mode: String, Sendable { case both, up, down }
    public var minInstances: Int
    public var delta: Double
    public var threshold: Double
    public var alpha: Double
    public var mode: Mode
    public private(set) var driftDetected = false
    public var warningDetected: Bool { false }
    private var mean = RunningMean()
    private var sumIncrease = 0.0, sumDecrease = 0.0
    private var minIncrease = Double.infinity, maxDecrease = -1.0

    public init(minInstances: Int = 30, delta: Double = 0.005, threshold: Double = 50, alpha: Double = 1 - 0.0001, mode: Mode = .both) {
        self.minInstances = minInstances; self.delta = delta; self.threshold = threshold; self.alpha = alpha; self.mode = mode
    }

    private mutating func reset() {
        driftDetected = false; mean = RunningMean()
        sumIncrease = 0; sumDecrease = 0; minIncrease = .infinity; maxDecrease = -1
    }

    public mutating func update(_ x: Double) {
        if driftDetected { reset() }
        mean.update(x)
        let dev = x - mean.mean
        sumIncrease = alpha * sumIncrease + dev - delta
        sumDecrease = alpha * sumDecrease + dev + delta
        if sumIncrease < minIncrease { minIncrease = sumIncrease }
        if sumDecrease > maxDecrease { maxDecrease = sumDecrease }
        if mean.n >= Double(minInstances) {
            let up = sumIncrease - minIncrease, down = maxDecrease - sumDecrease
            switch mode {
            case .up: driftDetected = up > threshold
            case .down: driftDetected = down > threshold
            case .both: driftDetected = up > threshold || down > threshold
            }
        }
    }
}

/// Tabular CUSUM (Page 1954; Montgomery, Statistical Quality Control §9.1) around the running
/// mean m of the stream: g⁺ = max(0, g⁺ + x - m - k), g⁻ = max(0, g⁻ - (x - m) - k); drift when
/// g⁺ (mode up), g⁻ (down) or either (both) exceeds h after `minInstances` values, warning above
/// h/2. river has no CUSUM: its defaults mirror river's Page–Hinkley (k = δ = 0.005, h = λ = 50,
/// both directions) and its reset rule.
public struct CUSUM: StreamDetector {
    public typealias Mode = PageHinkley.Mode
    public var minInstances: Int
    public var slack: Double
    public var threshold: Double
    public var mode: Mode
    public private(set) var driftDetected = false
    public private(set) var warningDetected = false
    private var mean = RunningMean()
    private var upper = 0.0, lower = 0.0

    public init(minInstances: Int = 30, slack: Double = 0.005, threshold: Double = 50, mode: Mode = .both) {
        self.minInstances = minInstances; self.slack = slack; self.threshold = threshold; self.mode = mode
    }

    private mutating func reset() {
        driftDetected = false; warningDetected = false; mean = RunningMean(); upper = 0; lower = 0
    }

    public mutating func update(_ x: Double) {
        if driftDetected { reset() }
        mean.update(x)
        let dev = x - mean.mean
        upper = Swift.max(0, upper + dev - slack)
        lower = Swift.max(0, lower - dev - slack)
        if mean.n >= Double(minInstances) {
            let g: Double
            switch mode {
            case .up: g = upper
            case .down: g = lower
            case .both: g = Swift.max(upper, lower)
            }
            driftDetected = g > threshold
            warningDetected = !driftDetected && g > threshold / 2
        }
    }
}

/// ADWIN (Bifet and Gavaldà 2007) with river's exponential-histogram buckets: keeps a window
/// whose two sub-windows never differ in mean by more than
/// ε = √(2·m·σ²_W·δ') + (2/3)·δ'·m, with m = 1/(n0-ℓ+1) + 1/(n1-ℓ+1) and δ' = ln(2 ln|W| / δ);
/// checked every `clock` values once the window exceeds `gracePeriod`. On a cut the oldest
/// bucket is dropped and drift is reported. Arithmetic follows river's implementation step by step.
public struct ADWIN: StreamDetector {
    public var delta: Double
    public var clock: Int
    public var maxBuckets: Int
    public var minWindowLength: Int
    public var gracePeriod: Int
    public private(set) var driftDetected = false
    public var warningDetected: Bool { false }

    /// One row of buckets: row i holds up to maxBuckets + 1 summaries of 2^i values each, oldest first.
    private struct Row: Sendable {
        var totals: [Double] = []
        var variances: [Double] = []
    }
    private var rows: [Row] = [Row()]
    public private(set) var total = 0.0
    public private(set) var variance = 0.0
    public private(set) var width = 0.0
    private var tick = 0
    public private(set) var detections = 0

    /// `clock` >= 1 and `maxBuckets` >= 2 (a programming error otherwise, named here: with fewer buckets
    /// the compression, river's too, fails hundreds of values later; no user file sets these).
    public init(delta: Double = 0.002, clock: Int = 32, maxBuckets: Int = 5, minWindowLength: Int = 5, gracePeriod: Int = 10) {
        precondition(clock >= 1 && maxBuckets >= 2, "ADWIN needs clock >= 1 and maxBuckets >= 2 (got clock \(clock), maxBuckets \(maxBuckets))")
        self.delta = delta; self.clock = clock; self.maxBuckets = maxBuckets
        self.minWindowLength = minWindowLength; self.gracePeriod = gracePeriod
    }

    /// The mean of the current window (0 when empty).
    public var estimation: Double { width == 0 ? 0 : total / width }

    private mutating func reset() {
        driftDetected = false; rows = [Row()]; total = 0; variance = 0; width = 0; tick = 0
    }

    public mutating func update(_ x: Double) {
        if driftDetected { reset() }
        insert(x)
        driftDetected = detectChange()
        if driftDetected { detections += 1 }
    }

    private mutating func insert(_ value: Double) {
        rows[0].totals.append(value); rows[0].variances.append(0)
        width += 1
        var increment = 0.0
        if width > 1 {
            let d = value - total / (width - 1)
            increment = (width - 1) * d * d / width
        }
        variance += increment
        total += value
        compress()
    }

    /// Merges the two oldest summaries of any full row into one of the next row.
    private mutating func compress() {
        var i = 0
        while rows[i].totals.count == maxBuckets + 1 {
            let size = Double(UInt64(1) << UInt64(i))
            let t0 = rows[i].totals[0], t1 = rows[i].totals[1]
            let v0 = rows[i].variances[0], v1 = rows[i].variances[1]
            let mu1 = t0 / size, mu2 = t1 / size
            let merged = v0 + v1 + size * 0.5 * (mu1 - mu2) * (mu1 - mu2)
            if i + 1 >= rows.count { rows.append(Row()) }
            rows[i + 1].totals.append(t0 + t1); rows[i + 1].variances.append(merged)
            rows[i].totals.removeFirst(2); rows[i].variances.removeFirst(2)
            if rows[i + 1].totals.count <= maxBuckets { break }
            i += 1
        }
    }

    /// Drops the oldest summary (in the last row) and updates the window statistics.
    private mutating func deleteOldest() {
        let last = rows.count - 1
        let n = Double(UInt64(1) << UInt64(last))
        let u = rows[last].totals[0], v = rows[last].variances[0]
        let mu = u / n
        width -= n
        total -= u
        let muWindow = total / width
        variance -= v + n * width * (mu - muWindow) * (mu - muWindow) / (n + width)
        rows[last].totals.removeFirst(); rows[last].variances.removeFirst()
        if rows[last].totals.isEmpty { rows.removeLast() }
    }

    private mutating func detectChange() -> Bool {
        var changed = false
        tick += 1
        guard tick % clock == 0 && width > Double(gracePeriod) else { return false }
        let minLength = Double(minWindowLength)
        var reduce = true
        while reduce {
            reduce = false
            var n0 = 0.0, n1 = width, u0 = 0.0, u1 = total
            var stop = false
            outer: for i in stride(from: rows.count - 1, through: 0, by: -1) {
                if stop { break }
                let size = Double(UInt64(1) << UInt64(i))
                let count = rows[i].totals.count
                for k in 0..<count {
                    n0 += size; n1 -= size
                    let t = rows[i].totals[k]
                    u0 += t; u1 -= t
                    if i == 0 && k == count - 1 { stop = true; break }
                    let deltaMean = u0 / n0 - u1 / n1
                    if n1 >= minLength && n0 >= minLength && cutExceeds(n0: n0, n1: n1, deltaMean: deltaMean) {
                        reduce = true; changed = true
                        if width > 0 { deleteOldest(); break outer }
                    }
                }
            }
        }
        return changed
    }

    private func cutExceeds(n0: Double, n1: Double, deltaMean: Double) -> Bool {
        let minLength = Double(minWindowLength)
        let deltaPrime = log(2 * log(width) / delta)
        let mRecip = 1 / (n0 - minLength + 1) + 1 / (n1 - minLength + 1)
        let epsilon = (2 * mRecip * (variance / width) * deltaPrime).squareRoot() + 2.0 / 3.0 * deltaPrime * mRecip
        return Swift.abs(deltaMean) > epsilon
    }
}

/// The five stream detectors with the lab's parameters for a 0/1 error stream whose base rate is
/// 0.1 by construction (a fraud scored at or below the 10 % quantile of the reference's frauds;
/// docs/detectors.md, "Stream detectors in the lab"). Calibrated on no-failure streams of 16
/// arrivals a day: about 0.1 false alarms per 180 days or fewer each (`StreamCalibrationTests`), and a rise
/// of the rate from 0.1 to 0.17 (concept drift at severity 0.5) found within weeks.
public struct GrossErrorDetectors: Sendable {
    public static let errorQuantile = 0.1
    public var ddm = DDM(warmStart: 30, warningThreshold: 2, driftThreshold: 4.5)
    /// EDDM compares p'+2s' with its running maximum, which river starts tracking after `warmStart`
    /// values: at a 10 % error rate river's 30 means after about 3 errors, whose noisy estimate sets a
    /// maximum that only a doubled error rate undercuts. 150 values (about 15 errors) before the maximum
    /// is tracked, and 150 errors before a detection, steady it; beta 0.6 then keeps false alarms at
    /// 0.06 per 180 days (0.16 with 30 and 0.5) and finds a rise of 0.07 in 55 % of streams (40 %)
    /// (docs/detectors.md, "EDDM's parameters").
    public var eddm = EDDM(warmStart: 150, alpha: 0.95, beta: 0.6)
    public var adwin = ADWIN(delta: 0.02)
    public var pageHinkley = PageHinkley(minInstances: 30, delta: 0.03, threshold: 12, mode: .up)
    public var cusum = CUSUM(minInstances: 30, slack: 0.03, threshold: 12, mode: .up)
    public static let ids = ["ddm", "eddm", "adwin", "page_hinkley", "cusum"]

    public init() {}

    /// Updates all five with x; returns which detected drift (in `ids` order).
    public mutating func update(_ x: Double) -> (Bool, Bool, Bool, Bool, Bool) {
        ddm.update(x); eddm.update(x); adwin.update(x); pageHinkley.update(x); cusum.update(x)
        return (ddm.driftDetected, eddm.driftDetected, adwin.driftDetected, pageHinkley.driftDetected, cusum.driftDetected)
    }
}

/// The lab's gross-error stream fed to `GrossErrorDetectors` (docs/detectors.md, "Stream detectors in
/// the lab"): an arriving chargeback of a monitored fraud is an error (1) when its calibrated score is
/// at or below `errorCut`, the 10 % quantile of the validation split's reported frauds, so the base
/// error rate is about 0.1. Only the monitored period's frauds are fed, on their arrival day: the
/// validation frauds set the cut and are in sample to it (exactly 10 % errors), while monitored frauds
/// run at the cut's true rate (0.06-0.14 by world, a quantile of about 110 frauds), so feeding both
/// made a step as the validation chargebacks dried up in the first weeks, read as a rise.
/// The detectors are self-starting: their baseline is the monitored stream's own start.
/// `lastDetection[k]` is the day of detector k's last detection (`ids` order).
public struct GrossErrorStream: Sendable {
    public var detectors = GrossErrorDetectors()
    /// An arriving fraud whose calibrated score is at or below this is an error.
    public let errorCut: Double
    public private(set) var lastDetection = [Int](repeating: Int.min / 2, count: 5)
    public private(set) var seen = 0
    public private(set) var errors = 0
    public static let ids = GrossErrorDetectors.ids

    /// Inverted-CDF quantile of the validation frauds' scores: the ⌈q·m⌉-th smallest (q = 0.1); +inf
    /// without frauds (every arrival is then an error: a constant stream, on which no detector fires).
    public static func errorCut(validationFraudScores scores: [Double]) -> Double {
        let sorted = scores.sorted()
        return sorted.isEmpty ? .infinity : sorted[Swift.max(0, Int((GrossErrorDetectors.errorQuantile * Double(sorted.count)).rounded(.up)) - 1)]
    }

    /// The cut from the validation split's reported frauds' calibrated scores; nothing fed yet.
    public init(validationFraudScores scores: [Double]) {
        errorCut = Self.errorCut(validationFraudScores: scores)
    }

    /// Feeds day t's arrivals: `scores` are the monitored period's frauds whose chargebacks arrive
    /// that day, in arrival order.
    public mutating func feed(day t: Int, scores: [Double]) {
        for s in scores { update(s <= errorCut ? 1 : 0, day: t) }
    }

    private mutating func update(_ x: Double, day: Int) {
        seen += 1
        if x == 1 { errors += 1 }
        let d = detectors.update(x)
        if d.0 { lastDetection[0] = day }
        if d.1 { lastDetection[1] = day }
        if d.2 { lastDetection[2] = day }
        if d.3 { lastDetection[3] = day }
        if d.4 { lastDetection[4] = day }
    }

    /// Per detector: a detection in the window of days t - windowDays + 1 ... t.
    public func fired(asOf t: Int, windowDays: Int) -> [Bool] {
        lastDetection.map { $0 > t - windowDays }
    }
}
