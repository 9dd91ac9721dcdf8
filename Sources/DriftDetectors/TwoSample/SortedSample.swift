import DriftCore
import Foundation

/// LSD radix sort of NaN-free doubles (IEEE order, -0 before +0) on raw buffers: keys mapped to
/// order-preserving UInt64 (flip the sign bit of positives, all bits of negatives), one histogram
/// pass, then scatter passes on the top three 11-bit digits only (bits 33-63, skipping digits
/// shared by every key); keys whose top 33 bits tie are then adjacent and are finished by insertion
/// sort (runs longer than 32 by a comparison sort unless all equal, as in integer-valued columns). For continuous data ties of 33 bits are rare,
/// so this does half the passes of a full six-digit sort.
/// Same order as DriftCore's `RadixSort`, written on unsafe buffers end to end because the
/// detectors sort millions of values per comparison (see docs/detectors.md for the figures).
enum BufferRadixSort {
    static func sorted(_ values: [Double]) -> [Double] {
        let n = values.count
        if n < 256 { return values.sorted() }
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        defer { keys.deallocate(); scratch.deallocate() }
        let buckets = 2048
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: buckets * 6)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0, count: buckets * 6)
        values.withUnsafeBufferPointer { v in
            for i in 0..<n {
                let b = v[i].bitPattern
                let k = (b >> 63) == 0 ? b | 0x8000_0000_0000_0000 : ~b
                keys[i] = k
                counts[Int(k & 0x7FF)] &+= 1
                counts[buckets + Int((k >> 11) & 0x7FF)] &+= 1
                counts[2 * buckets + Int((k >> 22) & 0x7FF)] &+= 1
                counts[3 * buckets + Int((k >> 33) & 0x7FF)] &+= 1
                counts[4 * buckets + Int((k >> 44) & 0x7FF)] &+= 1
                counts[5 * buckets + Int(k >> 55)] &+= 1
            }
        }
        var source = keys, target = scratch
        for d in 3..<6 {
            let c = counts + d * buckets
            let shift = UInt64(11 * d)
            if c[Int((source[0] >> shift) & 0x7FF)] == n { continue }
            var running = 0
            for b in 0..<buckets { let t = c[b]; c[b] = running; running &+= t }
            for i in 0..<n {
                let k = source[i]
                let b = Int((k >> shift) & 0x7FF)
                target[c[b]] = k
                c[b] &+= 1
            }
            swap(&source, &target)
        }
        // Finish runs sharing the top 33 bits (digits 3-5).
        let src = source
        var start = 0
        while start < n {
            let prefix = src[start] >> 33
            var end = start + 1
            var allEqual = true
            while end < n && src[end] >> 33 == prefix { allEqual = allEqual && src[end] == src[start]; end += 1 }
            let length = end - start
            if allEqual {
                // nothing to order
            } else if length > 32 {
                var run = UnsafeMutableBufferPointer(start: src + start, count: length)
                run.sort()
            } else if length > 1 {
                for i in (start + 1)..<end {
                    let k = src[i]
                    var j = i - 1
                    while j >= start && src[j] > k { src[j + 1] = src[j]; j -= 1 }
                    src[j + 1] = k
                }
            }
            start = end
        }
        return [Double](unsafeUninitializedCapacity: n) { out, count in
            for i in 0..<n {
                let k = src[i]
                out[i] = Double(bitPattern: (k >> 63) == 1 ? k & 0x7FFF_FFFF_FFFF_FFFF : ~k)
            }
            count = n
        }
    }
}
