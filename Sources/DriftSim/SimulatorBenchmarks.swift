import DriftCore
import Foundation

/// `driftlab bench` figures of the simulator: in-memory generation throughput (velocity
/// features, risk, labels and columnar merge included) on one core and on `jobs` cores, and CSV
/// writing throughput of `ScenarioOutput` to a temporary folder, up to the files' `fsync`.
public enum SimulatorBenchmarks {
    /// A world of 200,000 customers and 100,000 transactions a day with a compound of failures
    /// active (so the injectors are measured too).
    static func benchScenario(days: Int) -> Scenario {
        var s = Scenario(name: "bench", seed: 2024)
        s.population.customers = 200_000
        s.population.merchants = 20_000
        s.population.transactionsPerDay = 100_000
        s.referenceDays = 1
        s.productionDays = days
        s.failures = [
            FailureSpec(kind: .covariateShift, subkind: "feature_shift", features: ["amount"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .dataQuality, subkind: "missing", features: ["device_risk_score"], startDay: 0, severity: 0.5),
        ]
        return s
    }

    /// Transactions per second over the production days, after the burn-in (excluded): by the
    /// wall clock, and per CPU-second of the process (robust when other work shares the machine).
    static func generationRate(_ sim: TransactionSimulator, jobs: Int) -> (rate: Double, cpuRate: Double, rows: Int) {
        let stream = sim.days(jobs: jobs)
        _ = stream.next()  // burn-in and the reference day
        var rows = 0
        let cpu0 = Stopwatch.processCPUSeconds()
        let seconds = Stopwatch.seconds { while let b = stream.next() { rows += b.count } }
        return (Double(rows) / seconds, Double(rows) / Swift.max(1e-9, Stopwatch.processCPUSeconds() - cpu0), rows)
    }

    /// Disk speed: MB/s of writing `bytes` bytes of a repeated 1 MB block to a new file in `directory`,
    /// up to `fsync` (so the figure is the disk's, not the page cache's).
    static func rawWriteRate(bytes: Int, directory: String) -> Double {
        let path = (directory as NSString).appendingPathComponent("raw-write.bin")
        defer { unlink(path) }
        let block = [UInt8](repeating: 0x2C, count: 1 << 20)
        let seconds = Stopwatch.seconds {
            guard let fp = fopen(path, "wb") else { return }
            var left = bytes
            while left > 0 {
                let k = Swift.min(left, block.count)
                if fwrite(block, 1, k, fp) != k { break }
                left -= k
            }
            fflush(fp)
            fsync(fileno(fp))
            fclose(fp)
        }
        return Double(bytes) / 1e6 / Swift.max(1e-9, seconds)
    }

    public static func run(jobs: Int) -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        guard let sim = try? TransactionSimulator(scenario: benchScenario(days: 20)) else { return results }
        let one = generationRate(sim, jobs: 1)
        results.append(BenchmarkResult(name: "simulator generation, 1 core", value: one.rate, unit: "transactions/s",
                                       note: "\(one.rows) rows in memory, velocity, labels, merge; \(Int(one.cpuRate)) per CPU-second; target >= 2e6"))
        if jobs > 1 {
            let many = generationRate(sim, jobs: jobs)
            results.append(BenchmarkResult(name: "simulator generation, \(jobs) cores", value: many.rate, unit: "transactions/s",
                                           note: "\(many.rows) rows, \(TransactionSimulator.shardCount) shards"))
        }
        // CSV writing: three days generated first, then only the writing is timed (rows formatted on
        // `jobs` threads, written in order), against a plain write of as many bytes to the same folder.
        let stream = sim.days(jobs: jobs)
        _ = stream.next()
        let batches = (0..<3).compactMap { _ in stream.next() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftlab-bench-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var summary = ScenarioOutput.Summary()
        let cpu0 = Stopwatch.processCPUSeconds()
        let seconds = Stopwatch.seconds {
            guard let writer = try? ScenarioOutput.Writer(scenario: sim.scenario, directory: directory, jobs: jobs) else { return }
            for b in batches { try? writer.append(b) }
            summary = (try? writer.finish(resolvedJSON: "{}")) ?? summary
        }
        let cpuSeconds = Swift.max(1e-9, Stopwatch.processCPUSeconds() - cpu0)
        let rows = summary.referenceRows + summary.productionRows
        let csvRate = Double(summary.bytes) / 1e6 / seconds
        let rawRate = rawWriteRate(bytes: summary.bytes, directory: directory)
        results.append(BenchmarkResult(name: "simulator CSV writing, \(jobs) core\(jobs == 1 ? "" : "s")", value: csvRate, unit: "MB/s",
                                       note: "production + truth, \(rows) rows, \(summary.bytes / 1_000_000) MB on the disk (fsync before rename, as `generate`); \(Int(Double(summary.bytes) / 1e6 / cpuSeconds)) MB per CPU-second"))
        results.append(BenchmarkResult(name: "disk write speed: as many bytes, plain writes", value: rawRate, unit: "MB/s",
                                       note: "1 MB blocks to the same folder, then fsync; CSV writing (formatting included) at \(String(format: "%.2f", csvRate / rawRate))x of it"))
        results.append(BenchmarkResult(name: "simulator CSV writing rows", value: Double(rows) / seconds, unit: "rows/s",
                                       note: "each row to the log and to truth.csv"))
        return results
    }
}
