import DriftCore

/// PSI binning by table look-up, with no branch and no floating-point compare per value: a 65,536-entry
/// table over the top 16 bits of a double's bit pattern (sign, exponent, 4 mantissa bits; a "slot").
/// A slot holding at most one edge needs one integer compare of the low 48 bits against the edge's,
/// and the table makes it an add: `(bits &+ entries[bits >> 48]) >> 48` is the value's code, the carry
/// out of the low 48 bits moving it past the edge. Codes then become counts by adding a 16-byte
/// increment per value (one byte per bin) when there are at most 15 bins, else in four count tables.
/// Slots holding two or more edges (a constant reference's {c⁻, c}, or +inf as an edge) get a marker
/// code, and the chunks that saw it are counted again against the edges. Counts equal
/// `PSIReference.accumulate` exactly (tested against it).
struct PSIBinLookup: Sendable, Equatable {
    /// Per slot s: `(code - s) << 48 | low`, so adding a value's bits leaves its code in the top 16 bits;
    /// `low` is 2^48 - 1 - (edge's low bits) in a positive slot (carry iff the value is above the edge),
    /// 2^48 - (edge's low bits) in a negative one (carry iff at or below it), 0 without an edge.
    let entries: [UInt64]
    /// Bin of each code, or nil for NaN and for the marker of slots with two or more edges.
    let binOfCode: [Int?]
    let edges: [Double]
    /// Count increment per code (a 1 in the byte of its bin, in byte 15 for the marker) when bins ≤ 15.
    let increments: [SIMD16<UInt8>]
    /// Code of the slots with two or more edges: their values are counted against the edges.
    let multiEdge: Int
    static let lowBits: UInt64 = (1 << 48) - 1
    /// Bytes ahead of the value being binned that the loop asks the memory for, one cache line per
    /// step of 8 values: 4 KB (512 values) covers the memory's latency at this loop's rate.
    static let prefetchDistance = 4096

    /// Nil when the bins are more than 253, or the edges hold NaN or are not ascending; the caller then
    /// counts against the edges.
    init?(edges: [Double]) {
        let bins = edges.count + 1
        guard bins <= 253, !edges.contains(where: { $0.isNaN }),
              zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        // Codes: bin b of a positive slot is b, of a negative slot 2·bins - b (a negative slot's low
        // bits grow as the value falls, so its carry must step down a bin: the codes run backwards);
        // NaN is bins (positive) or 2·bins + 1 (negative); the marker is 2·bins + 2.
        let negativeBase = 2 * bins, multiEdge = 2 * bins + 2
        let mask = PSIBinLookup.lowBits
        var t = [UInt64](repeating: 0, count: 1 << 16)
        var kLo = 0, kHi = 0  // #{edges < lo}, #{edges < hi} of the current slot
        // Slots in ascending order of value (negative ones from the top bit pattern down, then the
        // positive ones up), so the edges below each slot's ends are found by walking the edges once.
        for i in 0..<0x10000 {
            let s = i < 0x8000 ? 0xFFFF - i : i - 0x8000
            let negative = s >= 0x8000
            let top = UInt64(s) << 48
            let (lo, hi) = negative ? (Double(bitPattern: top | mask), Double(bitPattern: top)) : (Double(bitPattern: top), Double(bitPattern: top | mask))
            var code: Int, low: UInt64 = 0
            if s == 0xFFF0 {
                code = negativeBase; low = mask  // -inf (low bits 0) is bin 0; its NaNs carry to NaN
            } else if s == 0x7FF0 {
                // +inf (low bits 0) is bin #{edges < inf}; its NaNs carry to the next code, NaN
                // unless +inf is itself an edge (then the marker).
                if edges.last == .infinity { code = multiEdge } else { code = bins - 1; low = mask }
            } else if lo.isNaN {
                code = negative ? negativeBase + 1 : bins
            } else {
                while kLo < edges.count && edges[kLo] < lo { kLo += 1 }
                kHi = Swift.max(kHi, kLo)
                while kHi < edges.count && edges[kHi] < hi { kHi += 1 }
                let edgeLow = kHi > kLo ? edges[kLo].bitPattern & mask : 0  // -0.0 and +0.0 alike: 0
                if kHi - kLo > 1 {
                    code = multiEdge
                } else if negative {
                    code = negativeBase - kHi
                    if kHi > kLo { low = (1 << 48) - edgeLow }  // edge < hi, so edgeLow ≥ 1
                } else {
                    code = kLo
                    if kHi > kLo { low = mask - edgeLow }  // edge < hi, so edgeLow < 2^48 - 1
                }
            }
            t[s] = (UInt64(code) &- UInt64(s)) << 48 | low
        }
        entries = t
        var binOfCode = [Int?](repeating: nil, count: multiEdge + 1)
        for b in 0..<bins { binOfCode[b] = b; binOfCode[negativeBase - b] = b }
        self.binOfCode = binOfCode
        self.edges = edges
        self.multiEdge = multiEdge
        if bins <= 15 {
            increments = binOfCode.enumerated().map { code, bin in
                var row = SIMD16<UInt8>()
                if let bin { row[bin] = 1 } else if code == multiEdge { row[15] = 1 }
                return row
            }
        } else {
            increments = []
        }
    }

    /// Adds the bin counts of `values` (NaN skipped) to `counts` (length edges.count + 1), in chunks:
    /// eight independent chains of look-ups per step; at the end of a chunk the marker's count says
    /// whether any value sat in a slot with two or more edges, and those values are counted again
    /// against the edges.
    func accumulate(_ values: [Double], into counts: inout [Double]) {
        values.withUnsafeBufferPointer { accumulate($0, into: &counts) }
    }

    /// The same on a buffer (a chunk of a larger array, for `PSIReference.counts(_:jobs:)`).
    func accumulate(_ v: UnsafeBufferPointer<Double>, into counts: inout [Double]) {
        let bins = edges.count + 1
        let stride = multiEdge + 1
        var perCode = [Int](repeating: 0, count: 4 * stride)  // four count tables, by code
        var perBin = [Int](repeating: 0, count: bins)
        do {
            entries.withUnsafeBufferPointer { t in
                increments.withUnsafeBufferPointer { inc in
                    perCode.withUnsafeMutableBufferPointer { c in
                        guard let base = v.baseAddress else { return }
                        let raw = UnsafeRawPointer(base)
                        /// The code of the value at byte offset `o`: its bits plus its slot's entry, top 16 bits.
                        @inline(__always) func code(_ o: Int) -> Int {
                            let bits = raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)
                            return Int(truncatingIfNeeded: (bits &+ t[Int(truncatingIfNeeded: bits >> 48)]) >> 48)
                        }
                        // 248 steps of 8 per chunk: each byte of a 16-byte sum sees at most
                        // 248 + 7 (the tail) = 255 increments, so none wraps.
                        let chunk = 248 * 8
                        var start = 0
                        while start < v.count {
                            let end = Swift.min(start &+ chunk, v.count)
                            var j = start
                            let multiSeen: Bool
                            if bins <= 15 {
                                var a0 = SIMD16<UInt8>(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0
                                while j &+ 8 <= end {
                                    let o = j &* 8
                                    prefetchForReading(raw, byteOffset: o &+ PSIBinLookup.prefetchDistance)
                                    a0 &+= inc[code(o)]
                                    a1 &+= inc[code(o &+ 8)]
                                    a2 &+= inc[code(o &+ 16)]
                                    a3 &+= inc[code(o &+ 24)]
                                    a4 &+= inc[code(o &+ 32)]
                                    a5 &+= inc[code(o &+ 40)]
                                    a6 &+= inc[code(o &+ 48)]
                                    a7 &+= inc[code(o &+ 56)]
                                    j &+= 8
                                }
                                while j < end { a0 &+= inc[code(j &* 8)]; j &+= 1 }
                                // Widened before summing: eight bytes of up to 255 each exceed a byte.
                                var sum = SIMD16<UInt16>(truncatingIfNeeded: a0) &+ SIMD16<UInt16>(truncatingIfNeeded: a1)
                                sum &+= SIMD16<UInt16>(truncatingIfNeeded: a2) &+ SIMD16<UInt16>(truncatingIfNeeded: a3)
                                sum &+= SIMD16<UInt16>(truncatingIfNeeded: a4) &+ SIMD16<UInt16>(truncatingIfNeeded: a5)
                                sum &+= SIMD16<UInt16>(truncatingIfNeeded: a6) &+ SIMD16<UInt16>(truncatingIfNeeded: a7)
                                for b in 0..<bins { perBin[b] &+= Int(sum[b]) }
                                multiSeen = sum[15] != 0
                            } else {
                                let before = c[multiEdge] &+ c[stride &+ multiEdge] &+ c[2 &* stride &+ multiEdge] &+ c[3 &* stride &+ multiEdge]
                                while j &+ 4 <= end {
                                    let o = j &* 8
                                    if o & 63 == 0 { prefetchForReading(raw, byteOffset: o &+ PSIBinLookup.prefetchDistance) }
                                    c[code(o)] &+= 1
                                    c[stride &+ code(o &+ 8)] &+= 1
                                    c[2 &* stride &+ code(o &+ 16)] &+= 1
                                    c[3 &* stride &+ code(o &+ 24)] &+= 1
                                    j &+= 4
                                }
                                while j < end { c[code(j &* 8)] &+= 1; j &+= 1 }
                                let after = c[multiEdge] &+ c[stride &+ multiEdge] &+ c[2 &* stride &+ multiEdge] &+ c[3 &* stride &+ multiEdge]
                                multiSeen = after != before
                            }
                            if multiSeen {
                                for i in start..<end where code(i &* 8) == multiEdge {
                                    let x = v[i]
                                    if x.isNaN { continue }
                                    var k = 0
                                    for edge in edges { k &+= x > edge ? 1 : 0 }
                                    perBin[k] &+= 1
                                }
                            }
                            start = end
                        }
                    }
                }
            }
        }
        for (code, bin) in binOfCode.enumerated() {
            if let bin { perBin[bin] += perCode[code] + perCode[stride + code] + perCode[2 * stride + code] + perCode[3 * stride + code] }
        }
        for b in 0..<bins { counts[b] += Double(perBin[b]) }
    }
}
