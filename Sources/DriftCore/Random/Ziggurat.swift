import Foundation

/// Standard normal draws by the ziggurat method with 128 layers (Marsaglia and Tsang, "The
/// ziggurat method for generating random variables", J. Stat. Software 5(8), 2000), in Doornik's
/// form ("An improved ziggurat method to generate normal random samples", 2005): the layer index
/// comes from the low 7 bits of the draw and the uniform from its top 53, so they are independent.
/// Exact (rejection sampling); about 99% of draws take one 64-bit number, a compare and a multiply,
/// against a logarithm and a square root per pair for the polar method. The tables are built once.
public struct ZigguratNormal: Sendable {
    /// Layer edges x[0...128] (x[0] = v / f(r) is the base strip's width, x[1] = r, x[128] = 0).
    @usableFromInline let x: [Double]
    /// x[i + 1] / x[i]: a point of layer i inside the next layer's width is accepted at once.
    @usableFromInline let ratio: [Double]
    @usableFromInline static let r = 3.442619855899
    static let v = 9.91256303526217e-3

    public static let shared = ZigguratNormal()

    init() {
        let r = ZigguratNormal.r, v = ZigguratNormal.v
        var x = [Double](repeating: 0, count: 129)
        var f = exp(-0.5 * r * r)
        x[0] = v / f
        x[1] = r
        for i in 2..<128 {
            x[i] = (-2 * log(v / x[i - 1] + f)).squareRoot()
            f = exp(-0.5 * x[i] * x[i])
        }
        x[128] = 0
        self.x = x
        ratio = (0..<128).map { x[$0 + 1] / x[$0] }
    }

    /// One N(0, 1) draw.
    @inlinable @inline(__always)
    public func sample<G: RandomNumberGenerator>(using rng: inout G) -> Double {
        while true {
            let bits = rng.next()
            let u = 2 * (Double(bits >> 11) * 0x1.0p-53) - 1
            let i = Int(bits & 0x7F)
            if Swift.abs(u) < ratio[i] { return u * x[i] }
            if let value = edge(u, i, &rng) { return value }
        }
    }

    /// The rare rest: the tail beyond r from the base layer (Marsaglia's 1964 method), or the
    /// wedge of layer i under the density, else nil (reject and draw again).
    @inlinable @inline(never)
    func edge<G: RandomNumberGenerator>(_ u: Double, _ i: Int, _ rng: inout G) -> Double? {
        let r = ZigguratNormal.r
        if i == 0 {
            var t: Double, y: Double
            repeat {
                t = Foundation.log(rng.uniformOpen()) / r
                y = Foundation.log(rng.uniformOpen())
            } while -2 * y < t * t
            return u < 0 ? t - r : r - t
        }
        let value = u * x[i]
        let f0 = Foundation.exp(-0.5 * (x[i] * x[i] - value * value))
        let f1 = Foundation.exp(-0.5 * (x[i + 1] * x[i + 1] - value * value))
        return f1 + rng.uniform() * (f0 - f1) < 1 ? value : nil
    }
}
