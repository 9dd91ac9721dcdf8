/// PSI binning at memory speed: a 65,536-entry table indexed by the top 16 bits of a double's bit
/// pattern (sign, exponent, 4 mantissa bits). Each slot is one interval of values; its entry is the bin
/// of the slot's lowest value b, and the value's bin is b + (x > edge[b]), exact whenever at most one
/// edge falls inside the slot. Slots with two or more edges (or +-inf mixed with NaN) hold `sentinel`
/// and take the edge-counting path; NaN-only slots go to a discarded bin. Counts equal
/// `PSIReference.accumulate` exactly (tested against it).
struct PSIBinLookup: Sendable, Equatable {
    /// Bin of each slot's lowest value, `bins` for NaN-only slots (discarded), or `sentinel`.
    let table: [UInt8]
    /// The edges followed by +inf twice, so `paddedEdges[b]` exists for every entry b ≤ bins.
    let paddedEdges: [Double]
    let edges: [Double]
    static let sentinel: UInt8 = 255
    static let shift: UInt64 = 48

    /// Nil when the table cannot represent the bins (more than 253, NaN or unsorted edges); the
    /// caller then counts against the edges.
    init?(edges: [Double]) {
        let bins = edges.count + 1
        guard bins + 1 < Int(PSIBinLookup.sentinel), !edges.contains(where: { $0.isNaN }),
              zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        /// Bin of a non-NaN value: the number of edges below it (binary search on sorted edges).
        func bin(_ x: Double) -> Int {
            var lo = 0, hi = edges.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if edges[mid] < x { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        let low: UInt64 = (1 << PSIBinLookup.shift) - 1
        var t = [UInt8](repeating: PSIBinLookup.sentinel, count: 1 << 16)
        for s in 0..<(1 << 16) {
            let first = Double(bitPattern: UInt64(s) << PSIBinLookup.shift)
            let last = Double(bitPattern: (UInt64(s) << PSIBinLookup.shift) | low)
            // Positive slots ascend with the bit pattern, negative ones descend.
            let (lo, hi) = s < 0x8000 ? (first, last) : (last, first)
            if lo.isNaN && hi.isNaN {
                t[s] = UInt8(bins)  // NaN only: discarded
            } else if !lo.isNaN && !hi.isNaN {
                let b = bin(lo)
                if bin(hi) - b <= 1 { t[s] = UInt8(b) }
            }  // else +-inf with NaNs in one slot: sentinel
        }
        table = t
        paddedEdges = edges + [.infinity, .infinity]
        self.edges = edges
    }

    /// Adds the bin counts of `values` (NaN skipped) to `counts` (length edges.count + 1). Four
    /// values per iteration, each lane counting into its own table so repeated bins do not stall on
    /// store-to-load forwarding.
    func accumulate(_ values: [Double], into counts: inout [Double]) {
        let bins = edges.count + 1
        let stride = bins + 1  // one discarded bin per lane for NaN
        var lanes = [Int](repeating: 0, count: 4 * stride)
        values.withUnsafeBufferPointer { v in
            table.withUnsafeBufferPointer { t in
                paddedEdges.withUnsafeBufferPointer { e in
                    edges.withUnsafeBufferPointer { edgeList in
                        lanes.withUnsafeMutableBufferPointer { c in
                            /// The bin of x (`bins` for NaN), from the table or by counting edges.
                            @inline(__always) func bin(_ x: Double) -> Int {
                                let b = t[Int(truncatingIfNeeded: x.bitPattern >> PSIBinLookup.shift)]
                                if b != PSIBinLookup.sentinel {
                                    return Int(b) &+ (x > e[Int(b)] ? 1 : 0)
                                }
                                if x.isNaN { return bins }
                                var k = 0
                                for edge in edgeList { k &+= x > edge ? 1 : 0 }
                                return k
                            }
                            let n = v.count
                            var i = 0
                            while i &+ 4 <= n {
                                c[bin(v[i])] &+= 1
                                c[stride &+ bin(v[i &+ 1])] &+= 1
                                c[2 &* stride &+ bin(v[i &+ 2])] &+= 1
                                c[3 &* stride &+ bin(v[i &+ 3])] &+= 1
                                i &+= 4
                            }
                            while i < n {
                                c[bin(v[i])] &+= 1
                                i &+= 1
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
