import DriftCore
import Foundation

/// `driftlab bench` figures of the sweep machinery: runs per second of a small sweep (three
/// failure families and two controls on two worlds of the standard sweep's base size) into a
/// temporary folder, and how long resuming a finished folder takes (decoding every run file).
public enum SweepBenchmarks {
    static let sweepText = """
    {
      "name": "bench",
      "base": {"name": "bench-base", "seed": 4242,
               "population": {"customers": 6000, "merchants": 800, "transactions_per_day": 2000, "base_fraud_rate": 0.012},
               "reference_days": 35, "production_days": 120,
               "label_delay": {"median_days": 10, "tail_days": 45, "chargeback_window_days": 60},
               "failures": []},
      "seeds": 2,
      "severities": [0.75],
      "onset_days": [30],
      "cells": [{"kind": "schema_change", "subkind": "unit_scale"}, {"kind": "prior_shift", "subkind": "fraud_wave"},
                {"kind": "covariate_shift", "subkind": "feature_shift"}],
      "controls": 1
    }
    """

    /// The lab runner as a sweep backend (default `LabOptions`; the simulator single-threaded, as
    /// the sweep runs cells in parallel).
    public static func labBackend(options: LabOptions = .init()) -> SweepBackend<PreparedReference> {
        SweepBackend(prepare: { try LabRunner.prepareReference($0, options: options) },
                     run: { try LabRunner.run($0, reference: $1, options: options) })
    }

    /// Runs the small sweep with the lab runner on `jobs` threads.
    public static func run(jobs: Int) -> [BenchmarkResult] { run(jobs: jobs, backend: labBackend()) }

    /// Runs the small sweep with `backend` on `jobs` threads.
    public static func run<R>(jobs: Int, backend: SweepBackend<R>) -> [BenchmarkResult] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("driftlab-bench-sweep-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let sweep = try SweepFile.decode(try JSON.parse(sweepText), file: "bench-sweep")
            try? FileManager.default.removeItem(atPath: folder)
            let seconds = try Stopwatch.seconds {
                _ = try SweepRunner.run(sweep, out: folder, backend: backend, options: .init(jobs: jobs))
            }
            let resume = try Stopwatch.seconds {
                _ = try SweepRunner.run(sweep, out: folder, backend: backend, options: .init(jobs: jobs))
            }
            let n = Double(sweep.cells.count)
            return [
                BenchmarkResult(name: "sweep runs per second (\(sweep.cells.count) runs, \(jobs) jobs)", value: n / seconds, unit: "runs/s",
                                note: "2,000 txn/day, 35 + 120 days, reference models shared per world"),
                BenchmarkResult(name: "sweep resume check per finished run", value: resume / n * 1000, unit: "ms",
                                note: "decode and hash-check one run file"),
            ]
        } catch {
            return [BenchmarkResult(name: "sweep benchmark failed", value: .nan, unit: "", note: "\(error)")]
        }
    }
}
