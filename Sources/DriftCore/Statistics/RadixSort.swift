import Foundation

/// Radix sort of doubles on their bit patterns, O(n): keys mapped to order-preserving UInt64
/// (flip the sign bit of positives, all bits of negatives; NaN to the largest key) in one pass that
/// also counts NaNs and builds the histograms of all digits, then scatter passes on the top three
/// 11-bit digits only (bits 33-63, skipping digits every key shares); keys whose top 33 bits tie end
/// up adjacent and are finished by insertion sort (or a comparison sort for runs over 32, unless all
/// equal as in integer-valued columns). Continuous data rarely tie in 33 bits, so this is half the
/// passes of a full 64-bit LSD sort; several times faster than `Array.sort` (`driftlab bench`).
/// The last pass writes into the result's own memory, and large buffers ask for huge pages (page
/// faults on fresh memory were a fifth of the time). Order is IEEE total order (-0 before +0);
/// NaNs go last.
public enum RadixSort {
    /// Sorts `values` ascending in place (NaNs last).
    public static func sort(_ values: inout [Double]) {
        values = sorted(values)
    }

    /// A sorted copy (NaNs last).
    public static func sorted(_ values: [Double]) -> [Double] {
        sortedCountingNaN(values).sorted
    }

    /// The non-NaN values sorted ascending, and how many NaNs were dropped: one pass fewer than
    /// counting NaNs, filtering and sorting.
    public static func sortedDroppingNaN(_ values: [Double]) -> (sorted: [Double], nanCount: Int) {
        var (out, nanCount) = sortedCountingNaN(values)
        out.removeLast(nanCount)
        return (out, nanCount)
    }

    /// The order-preserving key of a non-NaN double.
    @inline(__always) static func key(_ x: Double) -> UInt64 {
        let b = x.bitPattern
        return (b >> 63) == 0 ? b | 0x8000_0000_0000_0000 : ~b
    }

    @inline(__always) static func value(_ k: UInt64) -> Double {
        Double(bitPattern: (k >> 63) == 1 ? k & 0x7FFF_FFFF_FFFF_FFFF : ~k)
    }

    /// Sorted ascending with the NaNs last (as `Double.nan`), and their number.
    static func sortedCountingNaN(_ values: [Double]) -> (sorted: [Double], nanCount: Int) {
        let n = values.count
        if n < 256 {
            let numbers = values.filter { !$0.isNaN }
            var keys = numbers.map(key)
            keys.sort()
            return (keys.map(value) + [Double](repeating: .nan, count: n - numbers.count), n - numbers.count)
        }
        let buckets = 2048
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: buckets * 3)
        defer { keys.deallocate(); counts.deallocate() }
        adviseHugePages(keys, bytes: n * 8)
        counts.initialize(repeating: 0, count: buckets * 3)
        var nanCount = 0
        values.withUnsafeBufferPointer { v in
            for i in 0..<n {
                let x = v[i]
                let k = x.isNaN ? UInt64.max : key(x)
                nanCount &+= x.isNaN ? 1 : 0
                keys[i] = k
                counts[Int((k >> 33) & 0x7FF)] &+= 1
                counts[buckets + Int((k >> 44) & 0x7FF)] &+= 1
                counts[2 * buckets + Int(k >> 55)] &+= 1
            }
        }
        let sorted = [Double](unsafeUninitializedCapacity: n) { out, count in
            adviseHugePages(out.baseAddress!, bytes: n * 8)
            out.baseAddress!.withMemoryRebound(to: UInt64.self, capacity: n) { outKeys in
                var source = keys, target = outKeys
                for d in 0..<3 {
                    let c = counts + d * buckets
                    let shift = UInt64(33 + 11 * d)
                    if c[Int((source[0] >> shift) & 0x7FF)] == n { continue }  // a digit every key shares
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
                // Finish runs sharing the top 33 bits.
                let src = source
                var start = 0
                while start < n {
                    let prefix = src[start] >> 33
                    var end = start + 1
                    var allEqual = true
                    while end < n && src[end] >> 33 == prefix { allEqual = allEqual && src[end] == src[start]; end += 1 }
                    let length = end - start
                    if !allEqual && length > 32 {
                        var run = UnsafeMutableBufferPointer(start: src + start, count: length)
                        run.sort()
                    } else if !allEqual && length > 1 {
                        for i in (start + 1)..<end {
                            let k = src[i]
                            var j = i - 1
                            while j >= start && src[j] > k { src[j + 1] = src[j]; j -= 1 }
                            src[j + 1] = k
                        }
                    }
                    start = end
                }
                // Keys back to values, in place when the sorted keys already sit in the result.
                for i in 0..<n { outKeys[i] = value(src[i]).bitPattern }
            }
            count = n
        }
        return (sorted, nanCount)
    }

    /// Asks Linux to back the 2 MiB-aligned interior of a large buffer with huge pages before its
    /// first touch: a handful of page faults instead of one per 4 KiB.
    @inline(__always) static func adviseHugePages(_ p: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        let huge = 2 << 20
        guard bytes >= 2 * huge else { return }
        let start = (Int(bitPattern: p) + huge - 1) & ~(huge - 1)
        let end = (Int(bitPattern: p) + bytes) & ~(huge - 1)
        if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, 14 /* MADV_HUGEPAGE */) }
        #endif
    }
}
