/// PSI binning by cumulative counts, no scatter: for at most 9 edges (the default 10 quantile bins),
/// c_k = #{x > edge_k} is counted for every edge at once with SIMD compares whose all-ones masks are
/// subtracted from lane-wise accumulators held in registers, plus n' = #{x >= -inf} (the non-NaN
/// values). Bin b then holds c_(b-1) - c_b (c_(-1) = n', c_9 = 0), which is #{edges < x} = b exactly
/// as `PSIReference.accumulate` bins it: NaN compares false everywhere and drops out of n', -0.0
/// equals 0.0 in both, ±inf compare as ordered values. Missing edges are padded with +inf (never
/// exceeded). Branch-free and store-free in the loop, so it runs at the rate of the compares.
enum PSIEdgeCounts {
    static let maxEdges = 9

    /// Adds the bin counts of `values` (NaN skipped) to `counts` (length edges.count + 1, edges.count <= 9).
    static func accumulate(_ values: [Double], edges: [Double], into counts: inout [Double]) {
        var e = edges
        while e.count < maxEdges { e.append(.infinity) }
        let c = values.withUnsafeBufferPointer { cumulative($0, e) }
        var previous = c[maxEdges]  // non-NaN count
        for b in 0..<edges.count {
            counts[b] += Double(previous - c[b])
            previous = c[b]
        }
        counts[edges.count] += Double(previous)
    }

    /// [c_0 ... c_8, n'] over `v` for exactly nine edges.
    @inline(__always)
    private static func cumulative(_ v: UnsafeBufferPointer<Double>, _ e: [Double]) -> [Int] {
        typealias V = SIMD2<Double>
        typealias C = SIMD2<Int64>
        let e0 = V(repeating: e[0]), e1 = V(repeating: e[1]), e2 = V(repeating: e[2]), e3 = V(repeating: e[3])
        let e4 = V(repeating: e[4]), e5 = V(repeating: e[5]), e6 = V(repeating: e[6]), e7 = V(repeating: e[7])
        let e8 = V(repeating: e[8]), lowest = V(repeating: -.infinity)
        var a0 = C(), a1 = C(), a2 = C(), a3 = C(), a4 = C(), a5 = C(), a6 = C(), a7 = C(), a8 = C(), an = C()
        // A comparison mask is all ones (-1) per true lane: subtracting it counts.
        @inline(__always) func m(_ k: SIMDMask<C>) -> C { unsafeBitCast(k, to: C.self) }
        let n = v.count
        var i = 0
        if let base = v.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i &+ 2 <= n {
                let x = raw.loadUnaligned(fromByteOffset: i &* 8, as: V.self)
                a0 &-= m(x .> e0); a1 &-= m(x .> e1); a2 &-= m(x .> e2); a3 &-= m(x .> e3); a4 &-= m(x .> e4)
                a5 &-= m(x .> e5); a6 &-= m(x .> e6); a7 &-= m(x .> e7); a8 &-= m(x .> e8); an &-= m(x .>= lowest)
                i &+= 2
            }
        }
        var out = [a0, a1, a2, a3, a4, a5, a6, a7, a8, an].map { Int($0[0] &+ $0[1]) }
        while i < n {
            let x = v[i]
            for k in 0..<maxEdges where x > e[k] { out[k] += 1 }
            if x >= -.infinity { out[maxEdges] += 1 }
            i += 1
        }
        return out
    }
}
