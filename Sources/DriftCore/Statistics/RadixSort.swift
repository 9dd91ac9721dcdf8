/// Radix sort of doubles on their bit patterns, O(n): an MSD radix sort whose first 16-bit pass
/// spreads the keys into cache-sized buckets; several times faster than `Array.sort` (`driftlab bench`). Order is IEEE total order for non-NaN values
/// (-0 before +0); NaNs go last.
///
/// Key map: for x >= 0 flip the sign bit, for x < 0 flip all bits, so unsigned order = numeric order.
public enum RadixSort {
    /// Sorts `values` ascending in place (NaNs last).
    public static func sort(_ values: inout [Double]) {
        let n = values.count
        if n < 64 { values.sort { $0 < $1 || (!$0.isNaN && $1.isNaN) }; return }
        var keys = [UInt64](unsafeUninitializedCapacity: n) { buffer, initialized in
            values.withUnsafeBufferPointer { v in
                for i in 0..<n { buffer[i] = key(v[i]) }
            }
            initialized = n
        }
        var scratch = [UInt64](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
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

    /// MSD radix sort: a 16-bit first digit over the whole array, then 8-bit digits recursively
    /// inside each bucket (cache-resident after the first level), insertion sort below 64 keys.
    /// Digits that every key of a bucket shares cost one counting pass and no move.
    static func sortKeys(_ keys: inout [UInt64], scratch: inout [UInt64]) {
        let n = keys.count
        keys.withUnsafeMutableBufferPointer { k in
            scratch.withUnsafeMutableBufferPointer { t in
                let data = k.baseAddress!, temp = t.baseAddress!
                var counts = [Int](repeating: 0, count: (1 << 16) + 1)
                counts.withUnsafeMutableBufferPointer { c in
                    for i in 0..<n { c[Int(data[i] >> 48) + 1] += 1 }
                    for b in 0..<(1 << 16) { c[b + 1] += c[b] }
                    var next = Array(c[0..<(1 << 16)])
                    next.withUnsafeMutableBufferPointer { o in
                        for i in 0..<n {
                            let x = data[i]
                            let b = Int(x >> 48)
                            temp[o[b]] = x
                            o[b] += 1
                        }
                    }
                    data.update(from: temp, count: n)
                    for b in 0..<(1 << 16) where c[b + 1] - c[b] > 1 {
                        msdSort(data + c[b], temp: temp + c[b], count: c[b + 1] - c[b], shift: 48)
                    }
                }
            }
        }
    }

    /// Sorts `count` keys at `data` that agree above bit `shift`, on the 8-bit digit just below it.
    static func msdSort(_ data: UnsafeMutablePointer<UInt64>, temp: UnsafeMutablePointer<UInt64>, count: Int, shift: Int) {
        if count <= 64 || shift <= 0 {
            if shift <= 0 { return }
            for i in 1..<count {
                let x = data[i]
                var j = i - 1
                while j >= 0 && data[j] > x { data[j + 1] = data[j]; j -= 1 }
                data[j + 1] = x
            }
            return
        }
        let s = UInt64(shift - 8)
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 257 + 256) { buffer in
            let c = buffer.baseAddress!, o = c + 257
            c.initialize(repeating: 0, count: 257)
            for i in 0..<count { c[Int((data[i] >> s) & 0xFF) + 1] += 1 }
            if c[Int((data[0] >> s) & 0xFF) + 1] == count {
                msdSort(data, temp: temp, count: count, shift: shift - 8)
                return
            }
            for b in 0..<256 { c[b + 1] += c[b] }
            o.update(from: c, count: 256)
            for i in 0..<count {
                let x = data[i]
                let d = Int((x >> s) & 0xFF)
                temp[o[d]] = x
                o[d] += 1
            }
            data.update(from: temp, count: count)
            for b in 0..<256 where c[b + 1] - c[b] > 1 {
                msdSort(data + c[b], temp: temp + c[b], count: c[b + 1] - c[b], shift: shift - 8)
            }
        }
    }
}
