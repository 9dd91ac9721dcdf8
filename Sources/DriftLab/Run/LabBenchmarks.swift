import DriftCore
import DriftSim
import Foundation

/// Speed of the lab runner (`driftlab bench --only lab`): runs of the standard sweep's base scenario
/// (2,000 transactions/day, 35 reference days, 120 production days) per second, with the reference
/// (simulation of the reference period, both models, every reference profile) prepared once per
/// seed and reused across cells, as a sweep does.
public enum LabBenchmarks {
    /// The standard base scenario with one failure (or none) at day 40.
    public static func benchScenario(seed: UInt64, failure: FailureSpec?) -> Scenario {
        var p = Population()
        p.customers = 4_000; p.merchants = 1_000; p.transactionsPerDay = 2_000; p.baseFraudRate = 0.01
        var s = Scenario(name: "bench", seed: seed, population: p)
        s.referenceDays = 35; s.productionDays = 120
        s.failures = failure.map { [$0] } ?? []
        return (try? ScenarioFile.resolve(s)) ?? s
    }

    /// Cells of one seed: a control and one failure of several kinds.
    static func cells(seed: UInt64) -> [Scenario] {
        let failures: [FailureSpec?] = [
            nil,
            FailureSpec(kind: .covariateShift, subkind: "feature_shift", features: ["amount"], startDay: 40, rampDays: 14, severity: 0.75),
            FailureSpec(kind: .schemaChange, subkind: "unit_scale", features: ["amount"], startDay: 40, severity: 0.75),
            FailureSpec(kind: .priorShift, subkind: "fraud_wave", features: [], startDay: 40, rampDays: 14, severity: 0.75),
        ]
        return failures.map { benchScenario(seed: seed, failure: $0) }
    }

    /// Runs per second on `jobs` threads (cells in parallel, one prepared reference per seed).
    public static func run(jobs: Int) -> [BenchmarkResult] {
        let options = LabOptions()
        var prepared: PreparedReference? = nil
        let cells = cells(seed: 7)
        let prepare = Stopwatch.seconds { prepared = try? LabRunner.prepareReference(cells[0], options: options) }
        guard let ref = prepared else { return [] }
        let single = Stopwatch.seconds { _ = try? LabRunner.run(cells[0], reference: ref, options: options) }
        let many = cells + cells
        let parallel = Stopwatch.seconds {
            _ = try? Parallel.map(many.count, jobs: jobs) { i in try? LabRunner.run(many[i], reference: ref, options: options) }
        }
        return [
            BenchmarkResult(name: "lab reference preparation (2k tx/day, 35 days, both models)", value: prepare, unit: "s"),
            BenchmarkResult(name: "lab run, control, prepared reference, 1 thread", value: single, unit: "s",
                            note: "120 production days, 2k tx/day, window 14, step 7"),
            BenchmarkResult(name: "lab runs per second (\(many.count) cells, reference reused)", value: Double(many.count) / parallel,
                            unit: "runs/s", note: "\(jobs) threads"),
        ]
    }
}
