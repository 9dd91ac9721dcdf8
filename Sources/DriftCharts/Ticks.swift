import Foundation

/// Axis ticks by the 1-2-5 rule: steps of 1, 2 or 5 times a power of ten, about `target` of them.
public struct NiceTicks: Sendable, Equatable {
    public let values: [Double]
    public let step: Double
    /// The labels, formatted alike (same decimals, or scientific for very large/small values).
    public let labels: [String]

    /// Values are clamped to this magnitude so spans stay finite.
    static let limit = 1e300

    /// The 1-2-5 step closest above `range / target`.
    public static func niceStep(range: Double, target: Int) -> Double {
        let rough = range / Double(max(1, target))
        guard rough.isFinite, rough > 0 else { return 1 }
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let normalised = rough / magnitude
        let factor: Double = normalised <= 1 ? 1 : normalised <= 2 ? 2 : normalised <= 5 ? 5 : 10
        return factor * magnitude
    }

    /// Ticks inside [lo, hi] (the axis keeps the data range, e.g. days 0...90).
    public static func inside(_ lo: Double, _ hi: Double, target: Int) -> NiceTicks {
        let step = niceStep(range: hi - lo, target: target)
        let first = (lo / step).rounded(.up)
        let last = (hi / step).rounded(.down)
        var values: [Double] = []
        if first.isFinite && last.isFinite && last >= first {
            let count = min(1000, Int(last - first) + 1)
            for k in 0..<count { values.append(clean((first + Double(k)) * step, step: step)) }
        }
        return NiceTicks(values: values, step: step, labels: formatTicks(values, step: step))
    }

    /// The range widened outwards to whole steps, and the ticks over it (for value axes).
    public static func extended(_ lo: Double, _ hi: Double, target: Int) -> (lo: Double, hi: Double, ticks: NiceTicks) {
        let step = niceStep(range: hi - lo, target: target)
        let a = clean((lo / step).rounded(.down) * step, step: step)
        let b = clean((hi / step).rounded(.up) * step, step: step)
        return (a, b, inside(a, b, target: target))
    }

    /// Removes floating-point dust (0.30000000000000004 -> 0.3) relative to the step.
    static func clean(_ v: Double, step: Double) -> Double {
        let unit = step / 1000
        guard unit > 0, unit.isFinite, Swift.abs(v / unit) < 9e15 else { return v }
        let r = (v / unit).rounded() * unit
        return r == 0 ? 0 : r
    }

    private init(values: [Double], step: Double, labels: [String]) {
        self.values = values; self.step = step; self.labels = labels
    }

    /// Shared formatting of a tick set: fixed decimals from the step, or scientific notation when
    /// the largest magnitude is at least 1e6 or below 1e-3.
    public static func formatTicks(_ values: [Double], step: Double) -> [String] {
        let largest = values.map { Swift.abs($0) }.max() ?? 0
        if largest >= 1e6 || (largest > 0 && largest < 1e-3) {
            return values.map { scientific($0, step: step) }
        }
        let decimals = step > 0 ? max(0, min(10, Int((-log10(step)).rounded(.up)))) : 0
        return values.map { fixed($0, decimals: decimals) }
    }

    static func fixed(_ v: Double, decimals: Int) -> String {
        let text = Markup.number(v, decimals: decimals)
        // Keep the same number of decimals on every tick (0.5, 1.0, 1.5).
        guard decimals > 0 else { return text }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        return String(parts[0]) + "." + fraction + String(repeating: "0", count: max(0, decimals - fraction.count))
    }

    /// "2.5e6", "-1e-9": the mantissa keeps the digits the step needs.
    static func scientific(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        var exponent = Int(log10(Swift.abs(v)).rounded(.down))
        var mantissa = v / pow(10, Double(exponent))
        let stepExponent = step > 0 ? Int(log10(step).rounded(.down)) : exponent
        let decimals = max(0, min(3, exponent - stepExponent))
        var text = Markup.number(mantissa, decimals: decimals)
        if text == "10" || text == "-10" {
            exponent += 1
            mantissa /= 10
            text = Markup.number(mantissa, decimals: decimals)
        }
        return text + "e" + String(exponent)
    }
}

/// The finite data range of values, widened when degenerate: empty or all-NaN gives 0...1,
/// a constant v gives v ± 10% (or ±1 for 0). Values beyond ±1e300 are clamped.
func dataRange(_ values: [Double], include: [Double] = []) -> (lo: Double, hi: Double) {
    var lo = Double.infinity, hi = -Double.infinity
    for v in values + include where v.isFinite {
        let c = min(NiceTicks.limit, max(-NiceTicks.limit, v))
        lo = min(lo, c); hi = max(hi, c)
    }
    if lo > hi { return (0, 1) }
    if lo == hi {
        let pad = lo == 0 ? 1 : Swift.abs(lo) * 0.1
        return (lo - pad, hi + pad)
    }
    return (lo, hi)
}

/// Maps a data interval onto a pixel interval; values are clamped into the domain first so no mark
/// leaves the plot.
struct LinearScale {
    var lo: Double, hi: Double, a: Double, b: Double
    func callAsFunction(_ v: Double) -> Double {
        let c = min(max(v, lo), hi)
        let span = hi - lo
        guard span > 0, span.isFinite else { return (a + b) / 2 }
        return a + (c - lo) / span * (b - a)
    }
}

