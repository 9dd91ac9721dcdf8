import DriftCore
import DriftModels
import Foundation

/// Detector throughput for `driftlab bench` (release build): KS on 1,000,000 vs 1,000,000 values,
/// PSI binning against precomputed reference bins, chi-squared on categoricals, and the whole
/// battery on a 10,000-row window. Inputs come from the project RNG with fixed seeds. Times are CPU
/// seconds of the calling thread (best of a few runs), so they hold on a machine shared with other jobs.
public enum DetectorBenchmarks {
    /// The names of the figures the issues set targets on (`BenchmarkTargets`, DriftLab, reads them).
    public static let ksName = "ks_2samp 1e6 vs 1e6"
    public static let batteryName = "drift battery, 12 features, 10,000-row window"
    public static func psiStreamedName(cores: Int) -> String { "psi binning, 48e6 values streamed from memory" + (cores == 1 ? "" : ", \(cores) cores") }
    public static func streamingSumName(cores: Int) -> String { "memory speed: streaming sum of the same 48e6 doubles" + (cores == 1 ? "" : ", \(cores) cores") }

    public static func run() -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        var rng = Xoshiro256StarStar(seed: 2024, stream: streamID("detector-bench"))
        let n = 1_000_000
        let a = (0..<n).map { _ in rng.normal() }
        let b = (0..<n).map { _ in rng.normal() + 0.001 }

        var ksP = 0.0
        let ksSeconds = Stopwatch.threadCPUSeconds(repeats: 3) { ksP = KolmogorovSmirnov().test(reference: a, current: b).pValue ?? .nan }
        results.append(BenchmarkResult(name: ksName, value: ksSeconds * 1000, unit: "ms",
                                       note: "cpu; sort both (radix) + merge + asymptotic p (p=\(String(format: "%.3f", ksP)))"))

        let bins = PSIReference(sortedReference: RadixSort.sorted(a))
        var psi = 0.0
        let psiSeconds = Stopwatch.threadCPUSeconds(repeats: 5) { psi = bins.populationStabilityIndex(currentCounts: bins.counts(b)) }
        results.append(BenchmarkResult(name: "psi binning vs precomputed reference bins", value: Double(n) / psiSeconds / 1e6,
                                       unit: "M values/s", note: "cpu; 10 quantile bins, 1e6 values, table look-up + carry (psi=\(String(format: "%.5f", psi)))"))

        // Memory speed, measured in the same run: 48e6 doubles (384 MB, far beyond any cache) binned,
        // and summed by a plain streaming SIMD sum (8 partial sums so the adds keep up with memory).
        let big = [Double](unsafeUninitializedCapacity: 48 * n) { buffer, count in
            for k in 0..<48 { for i in 0..<n { buffer[k * n + i] = b[(i + 7919 * k) % n] } }
            count = 48 * n
        }
        var bigTotal = 0.0
        let bigSeconds = Stopwatch.threadCPUSeconds(repeats: 3) { bigTotal = bins.counts(big).reduce(0, +) }
        var sum = 0.0
        let sumSeconds = Stopwatch.threadCPUSeconds(repeats: 3) { sum = streamingSum(big) }
        let binRate = Double(big.count) / bigSeconds / 1e6, sumRate = Double(big.count) / sumSeconds / 1e6
        results.append(BenchmarkResult(name: psiStreamedName(cores: 1), value: binRate, unit: "M values/s",
                                       note: "cpu; 10 quantile bins (\(Int(bigTotal)) counted)"))
        results.append(BenchmarkResult(name: streamingSumName(cores: 1), value: sumRate, unit: "M values/s",
                                       note: "cpu; SIMD sum=\(String(format: "%.1f", sum)); psi binning at \(String(format: "%.2f", binRate / sumRate))x one core's streaming rate"))
        // The machine's memory speed is what all its cores can stream: both sides on every core
        // (wall clock, each thread one contiguous share), the binning through `counts(_:jobs:)`.
        let jobs = Parallel.defaultJobs
        if jobs > 1 {
            var bigCounted = 0.0
            let binWall = Stopwatch.seconds(repeats: 3) { bigCounted = bins.counts(big, jobs: jobs).reduce(0, +) }
            var sumAll = 0.0
            let sumWall = Stopwatch.seconds(repeats: 3) {
                sumAll = ((try? Parallel.map(jobs, jobs: jobs) { k in
                    big.withUnsafeBufferPointer { v in streamingSum(UnsafeBufferPointer(rebasing: v[Parallel.share(k, of: v.count, parts: jobs)])) }
                }) ?? []).reduce(0, +)
            }
            let binAll = Double(big.count) / binWall / 1e6, sumAllRate = Double(big.count) / sumWall / 1e6
            results.append(BenchmarkResult(name: psiStreamedName(cores: jobs), value: binAll, unit: "M values/s",
                                           note: "wall; counts(_:jobs:) (\(Int(bigCounted)) counted)"))
            results.append(BenchmarkResult(name: streamingSumName(cores: jobs), value: sumAllRate,
                                           unit: "M values/s",
                                           note: "wall; SIMD sum=\(String(format: "%.1f", sumAll)); psi binning at \(String(format: "%.2f", binAll / sumAllRate))x memory speed"))
        }

        let levels = (0..<50).map { "c\($0)" }
        let weights = (0..<50).map { 1.0 / Double($0 + 1) }
        let table = AliasTable(weights: weights)
        let refCodes = (0..<n).map { _ in Int32(table.sample(using: &rng)) }
        let curCodes = (0..<n).map { _ in Int32(table.sample(using: &rng)) }
        let reference = CategoricalReference(CategoricalColumn(codes: refCodes, levels: levels))
        let current = CategoricalColumn(codes: curCodes, levels: levels)
        let chiSeconds = Stopwatch.threadCPUSeconds(repeats: 3) { _ = CategoricalComparison.compare(reference: reference, current: current) }
        results.append(BenchmarkResult(name: "chi-squared categorical 1e6 rows, 50 levels", value: Double(n) / chiSeconds / 1e6,
                                       unit: "M rows/s", note: "cpu; count, align by name, pool, test, PSI, JS"))

        // The whole battery: 12 features (8 numeric, 4 categorical), 100,000-row reference, 10,000-row window.
        func makeTable(rows: Int, stream: UInt64) -> Table {
            var r = Xoshiro256StarStar(seed: 2024, stream: stream)
            var columns: [(String, Column)] = []
            for f in 0..<8 {
                columns.append(("num\(f)", .numeric((0..<rows).map { _ in f % 2 == 0 ? r.lognormal(mu: 3, sigma: 1) : Double(r.poisson(Double(f + 1))) })))
            }
            for f in 0..<4 {
                columns.append(("cat\(f)", .categorical(CategoricalColumn(codes: (0..<rows).map { _ in Int32(table.sample(using: &r) % (5 + 10 * f)) },
                                                                           levels: levels))))
            }
            return try! Table(columns: columns)
        }
        let baseline = DriftBaseline(reference: makeTable(rows: 100_000, stream: 1))
        let window = makeTable(rows: 10_000, stream: 2)
        let batterySeconds = Stopwatch.threadCPUSeconds(repeats: 3) { _ = try? baseline.compare(window) }
        results.append(BenchmarkResult(name: batteryName, value: batterySeconds * 1000,
                                       unit: "ms", note: "cpu, one core; reference of 100,000 rows precomputed"))
        return results
    }

    /// Sum of `x` with two SIMD4 accumulators: bound by memory bandwidth, not by add latency.
    static func streamingSum(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { streamingSum($0) }
    }

    static func streamingSum(_ v: UnsafeBufferPointer<Double>) -> Double {
        do {
            guard let base = v.baseAddress else { return 0 }
            let raw = UnsafeRawPointer(base)
            var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
            var i = 0
            while i + 8 <= v.count {
                s0 += raw.loadUnaligned(fromByteOffset: i &* 8, as: SIMD4<Double>.self)
                s1 += raw.loadUnaligned(fromByteOffset: (i &+ 4) &* 8, as: SIMD4<Double>.self)
                i &+= 8
            }
            var total = (s0 + s1).sum()
            while i < v.count { total += v[i]; i &+= 1 }
            return total
        }
    }
}
