import DriftCore
import DriftSim
import Foundation

/// Speed of the lab runner (`driftlab bench --only lab`) on cells of the standard sweep: its base world
/// (`scenarios/sweep-base.json`: 1,500 transactions a day, 28 reference days, 120 production days),
/// window 14, step 7, onset day 30. The reference (the reference period, both models, every reference
/// profile and the world snapshot at the start of production) is prepared once per world and reused by
/// its cells, as a sweep does; from these figures, the projected wall time of the whole standard sweep.
public enum LabBenchmarks {
    /// One world of the standard sweep (the base is `scenarios/sweep-base.json`, inline): a control and
    /// one sub-kind of each failure kind at severity 0.75.
    static let sweepText = """
    {
      "name": "bench-lab",
      "base": {"name": "sweep-base", "seed": 2026,
               "population": {"customers": 6000, "merchants": 800, "transactions_per_day": 1500, "weekly_seasonality": 0.2,
                              "base_fraud_rate": 0.012},
               "reference_days": 28, "production_days": 120,
               "label_delay": {"median_days": 10, "tail_days": 45, "never_reported_share": 0.1, "chargeback_window_days": 60},
               "monitoring": {"window_days": 14, "step_days": 7},
               "failures": []},
      "seed": 20261122,
      "seeds": 1,
      "severities": [0.75],
      "onset_days": [30],
      "window_days": [14],
      "cells": [{"kind": "covariate_shift", "subkind": "feature_shift"}, {"kind": "prior_shift", "subkind": "fraud_wave"},
                {"kind": "concept_drift", "subkind": "new_pattern"}, {"kind": "schema_change", "subkind": "unit_scale"},
                {"kind": "data_quality", "subkind": "stale"}, {"kind": "label_delay", "subkind": "outage"}],
      "controls": 1
    }
    """

    /// Runs and distinct worlds (prepared references) of the standard sweep: from
    /// `scenarios/standard-sweep.json` when run from the package root, else its size when this was written.
    static func standardSweepSize() -> (runs: Int, worlds: Int) {
        guard let sweep = try? SweepFile.load("scenarios/standard-sweep.json") else { return (540, 20) }
        return (sweep.cells.count, Set(sweep.cells.map(\.referenceKey)).count)
    }

    /// Reference preparation, one run, runs per second on `jobs` threads and the projected standard sweep.
    public static func run(jobs: Int) -> [BenchmarkResult] {
        let options = LabOptions()
        guard let sweep = try? SweepFile.decode(try JSON.parse(sweepText), file: "bench-lab"), let first = sweep.cells.first else { return [] }
        let cells = sweep.cells.map(\.scenario)
        var prepared: PreparedReference? = nil
        let prepare = Stopwatch.seconds { prepared = try? LabRunner.prepareReference(first.scenario, options: options) }
        guard let ref = prepared else { return [] }
        let single = Stopwatch.seconds { _ = try? LabRunner.run(cells[0], reference: ref, options: options) }
        let many = cells + cells
        let parallel = Stopwatch.seconds {
            _ = try? Parallel.map(many.count, jobs: jobs) { i in try? LabRunner.run(many[i], reference: ref, options: options) }
        }
        let runsPerSecond = Double(many.count) / parallel
        let standard = standardSweepSize()
        // Cells run in parallel; each world's preparation is one more task among them.
        let projected = Double(standard.runs) / runsPerSecond + Double(standard.worlds) * prepare / Double(max(1, min(jobs, standard.worlds)))
        return [
            BenchmarkResult(name: "lab reference preparation (standard sweep world)", value: prepare, unit: "s",
                            note: "28 days, 1.5k tx/day, both models, profiles, world snapshot"),
            BenchmarkResult(name: "lab run, standard sweep cell, prepared reference", value: single, unit: "s",
                            note: "120 production days, window 14, step 7, 1 thread"),
            BenchmarkResult(name: "lab runs per second (standard sweep cells)", value: runsPerSecond, unit: "runs/s",
                            note: "\(many.count) cells, one reference, \(jobs) threads"),
            BenchmarkResult(name: "projected standard sweep wall time", value: projected, unit: "s",
                            note: "\(standard.runs) runs, \(standard.worlds) worlds, \(jobs) threads"),
        ]
    }
}
