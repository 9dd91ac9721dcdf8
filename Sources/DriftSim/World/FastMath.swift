import Foundation

/// e^x without the library call, for the generator's row loop (lognormal amount and distance,
/// the risk sigmoids): x = (k/64)·ln 2 + r with |r| <= ln 2 / 128 (Cody-Waite split of ln 2 / 64,
/// exact for |k| < 2^21), e^x = 2^(k div 64) · 2^((k mod 64)/64) · e^r, the 64 powers of two from
/// a table and e^r from its degree-5 Taylor polynomial (remainder below 4e-17 relative). Within
/// 2 ulp of Foundation's `exp` (`FastMathTests`); |x| > 700 and NaN go to Foundation's `exp`.
enum FastMath {
    /// 2^(j/64), j = 0..<64.
    static let powers: [Double] = (0..<64).map { exp2(Double($0) / 64) }
    static let ln2Hi = 6.93147180369123816490e-01 / 64   // ln 2's top 32 bits: k·ln2Hi is exact
    static let ln2Lo = 1.90821492927058770002e-10 / 64
    static let invLn2 = 64 / M_LN2

    @inline(__always)
    static func exp(_ x: Double, _ powers: UnsafePointer<Double>) -> Double {
        guard Swift.abs(x) <= 700 else { return Foundation.exp(x) }
        // Round to the nearest integer by adding and subtracting 1.5·2^52 (`rounded()` is a libm
        // call on baseline x86-64); exact for |x·64/ln 2| < 2^51.
        // k sits in the low bits of the shifted value's bit pattern (|k| < 2^16 here).
        let shifted = x * invLn2 + 0x1.8p52
        let kd = shifted - 0x1.8p52
        let k = Int(Int32(truncatingIfNeeded: shifted.bitPattern))
        let r = (x - kd * ln2Hi) - kd * ln2Lo
        let q = r + r * r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120))))
        let t = powers[k & 63]
        let scale = Double(bitPattern: UInt64(bitPattern: Int64((k >> 6) &+ 1023)) << 52)
        return (t + t * q) * scale
    }

    /// `Swift.max(lower, x)` (NaN gives `lower`), spelled out: the generic stdlib function on Double
    /// stayed a call in the row loop (a call per clamped feature per row, about 1.5 % of its instructions).
    @inline(__always) static func atLeast(_ lower: Double, _ x: Double) -> Double { x >= lower ? x : lower }

    /// `Swift.min(upper, x)` (NaN gives `upper`), spelled out for the same reason.
    @inline(__always) static func atMost(_ upper: Double, _ x: Double) -> Double { x < upper ? x : upper }

    /// `Swift.min(upper, Swift.max(lower, x))`: NaN gives `lower`.
    @inline(__always) static func clamp(_ x: Double, _ lower: Double, _ upper: Double) -> Double { atMost(upper, atLeast(lower, x)) }

    /// 1 / (1 + e^-z).
    @inline(__always)
    static func sigmoid(_ z: Double, _ powers: UnsafePointer<Double>) -> Double { 1 / (1 + exp(-z, powers)) }
}
