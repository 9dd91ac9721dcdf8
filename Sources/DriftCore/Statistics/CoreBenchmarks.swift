import Foundation

/// Speed of the core pieces everything else leans on: sorting and CSV.
public enum CoreBenchmarks {
    public static func run(rows: Int = 1_000_000) -> [BenchmarkResult] {
        var g = Xoshiro256StarStar(seed: 1)
        let values = (0..<rows).map { _ in g.normal() }
        var results: [BenchmarkResult] = []
        let radix = Stopwatch.seconds(repeats: 3) { _ = RadixSort.sorted(values) }
        let standard = Stopwatch.seconds(repeats: 1) { _ = values.sorted() }
        results.append(BenchmarkResult(name: "radix sort, \(rows) doubles", value: radix * 1000, unit: "ms",
                                       note: String(format: "%.1fx faster than Array.sort (%.0f ms)", standard / radix, standard * 1000)))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("driftlab-bench-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/bench.csv"
        let columns = 10
        var bytes = 0
        let write = Stopwatch.seconds {
            guard let w = try? CSVWriter(path: path, header: (0..<columns).map { "c\($0)" }) else { return }
            for r in 0..<rows {
                for c in 0..<columns { w.field(values[(r + c) % rows], decimals: 4) }
                try? w.endRow()
            }
            try? w.finish()
        }
        bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        results.append(BenchmarkResult(name: "CSV write, \(rows) rows x \(columns) numbers", value: Double(bytes) / write / 1e6, unit: "MB/s",
                                       note: String(format: "%.2f M rows/s", Double(rows) / write / 1e6)))
        var checksum = 0.0
        let read = Stopwatch.seconds {
            guard let r = try? CSVReader(path: path) else { return }
            while (try? r.next()) == true { for c in 0..<columns { checksum += r.double(c) ?? 0 } }
        }
        results.append(BenchmarkResult(name: "CSV read + parse, same file", value: Double(bytes) / read / 1e6, unit: "MB/s",
                                       note: String(format: "%.2f M rows/s", Double(rows) / read / 1e6)))
        if checksum.isNaN { results.append(BenchmarkResult(name: "checksum", value: checksum, unit: "")) }
        return results
    }
}
