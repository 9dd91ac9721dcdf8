/// PSI binning by table look-up instead of one compare per edge: a 65,536-entry table indexed by the
/// top 16 bits of a double's bit pattern (sign, exponent, 4 mantissa bits). Each slot is one interval
/// of values; its entry is the bin b of the slot's lowest value, and a value's bin is
/// b + (x > edge[b]), exact whenever at most one edge falls inside the slot. Slots with two or more
/// edges (or +-inf mixed with NaN) hold `sentinel` and count edges; NaN-only slots go to a discarded
/// bin. Counts equal `PSIReference.accumulate` exactly (tested against it).
struct PSIBinLookup: Sendable, Equatable {
    /// Bin of each slot's lowest value, `bins` for NaN-only slots (discarded), or `sentinel`.
    let table: [UInt8]
    /// The edges followed by +inf twice, so `paddedEdges[b]` exists for every entry b ≤ bins.
    let paddedEdges: [Double]
    let edges: [Double]
    static let sentinel: UInt8 = 255
    static let shift: UInt64 = 48  // 16 index bits

    /// Nil when the table cannot represent the bins (more than 253, NaN or unsorted edges); the
    /// caller then counts against the edges.
    init?(edges: [Double]) {
        let bins = edges.count + 1
        guard bins + 1 < Int(PSIBinLookup.sentinel), !edges.contains(where: { $0.isNaN }),
              zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        // Slots in ascending order of value (negative ones from the top bit pattern down, then the
        // positive ones up), so the bin of each slot's ends is found by walking the edges once.
        let low: UInt64 = (1 << PSIBinLookup.shift) - 1
        var t = [UInt8](repeating: PSIBinLookup.sentinel, count: 1 << 16)
        var kLo = 0, kHi = 0  // #{edges < lo}, #{edges < hi} for the current slot
        for i in 0..<0x10000 {
            let s = i < 0x8000 ? 0xFFFF - i : i - 0x8000
            let first = Double(bitPattern: UInt64(s) << PSIBinLookup.shift)
            let last = Double(bitPattern: (UInt64(s) << PSIBinLookup.shift) | low)
            let (lo, hi) = s < 0x8000 ? (first, last) : (last, first)
            if lo.isNaN && hi.isNaN {
                t[s] = UInt8(bins)  // NaN only: discarded
            } else if !lo.isNaN && !hi.isNaN {
                while kLo < edges.count && edges[kLo] < lo { kLo += 1 }
                kHi = Swift.max(kHi, kLo)
                while kHi < edges.count && edges[kHi] < hi { kHi += 1 }
                if kHi - kLo <= 1 { t[s] = UInt8(kLo) }
            }  // else +-inf with NaNs in one slot: sentinel
        }
        table = t
        paddedEdges = edges + [.infinity, .infinity]
        self.edges = edges
    }

    /// Adds the bin counts of `values` (NaN skipped) to `counts` (length edges.count + 1). In chunks:
    /// first each value's bin into a byte buffer (no read-modify-write, so loads never wait on
    /// counter stores), then the bytes counted: by SIMD byte compares per bin when there are at most
    /// 31 bins, else four at a time, each lane into its own table (no store-to-load stalls).
    func accumulate(_ values: [Double], into counts: inout [Double]) {
        let bins = edges.count + 1
        let stride = bins + 1  // one discarded bin per lane for NaN
        let sentinel = PSIBinLookup.sentinel
        var lanes = [Int](repeating: 0, count: 4 * stride)
        var chunk = [UInt8](repeating: 0, count: 2048)
        values.withUnsafeBufferPointer { v in
            table.withUnsafeBufferPointer { t in
                paddedEdges.withUnsafeBufferPointer { e in
                    edges.withUnsafeBufferPointer { edgeList in
                        lanes.withUnsafeMutableBufferPointer { c in
                            chunk.withUnsafeMutableBufferPointer { out in
                                var start = 0
                                while start < v.count {
                                    let m = Swift.min(out.count, v.count &- start)
                                    /// The bin of x (`bins` for NaN) by the table, or by counting edges in sentinel slots.
                                    @inline(__always) func bin(_ x: Double) -> UInt8 {
                                        let b = t[Int(truncatingIfNeeded: x.bitPattern >> 48)]
                                        if _fastPath(b != sentinel) { return b &+ (x > e[Int(b)] ? 1 : 0) }
                                        if x.isNaN { return UInt8(truncatingIfNeeded: bins) }
                                        var k: UInt8 = 0
                                        for edge in edgeList { k &+= x > edge ? 1 : 0 }
                                        return k
                                    }
                                    let src = v.baseAddress! + start  // non-nil: start < v.count
                                    var j = 0
                                    while j &+ 4 <= m {
                                        out[j] = bin(src[j])
                                        out[j &+ 1] = bin(src[j &+ 1])
                                        out[j &+ 2] = bin(src[j &+ 2])
                                        out[j &+ 3] = bin(src[j &+ 3])
                                        j &+= 4
                                    }
                                    while j < m { out[j] = bin(src[j]); j &+= 1 }
                                    j = 0
                                    if stride <= 32 {
                                        // Few bins: per bin, count equal bytes 16 at a time (each lane
                                        // sees at most 2048/16 = 128 of them, so UInt8 lanes cannot wrap).
                                        let raw = UnsafeRawPointer(out.baseAddress!)  // non-nil: 2048 bytes
                                        let whole = m & ~15
                                        for k in 0..<stride {
                                            let key = SIMD16<UInt8>(repeating: UInt8(truncatingIfNeeded: k))
                                            var acc = SIMD16<UInt8>()
                                            var p = 0
                                            while p < whole {
                                                let w = raw.loadUnaligned(fromByteOffset: p, as: SIMD16<UInt8>.self)
                                                acc &-= unsafeBitCast(w .== key, to: SIMD16<UInt8>.self)
                                                p &+= 16
                                            }
                                            var total = 0
                                            for l in 0..<16 { total &+= Int(acc[l]) }
                                            c[k] &+= total
                                        }
                                        j = whole
                                    }
                                    while j &+ 4 <= m {
                                        c[Int(out[j])] &+= 1
                                        c[stride &+ Int(out[j &+ 1])] &+= 1
                                        c[2 &* stride &+ Int(out[j &+ 2])] &+= 1
                                        c[3 &* stride &+ Int(out[j &+ 3])] &+= 1
                                        j &+= 4
                                    }
                                    while j < m { c[Int(out[j])] &+= 1; j &+= 1 }
                                    start &+= m
                                }
                            }
                        }
                    }
                }
            }
        }
        for b in 0..<bins {
            counts[b] += Double(lanes[b] + lanes[stride + b] + lanes[2 * stride + b] + lanes[3 * stride + b])
        }
    }
}
