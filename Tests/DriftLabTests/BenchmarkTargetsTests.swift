import DriftCore
import DriftDetectors
import DriftSim
import Foundation
import Testing
@testable import DriftLab

/// The issues' speed targets judged on a bench run's figures: each verdict follows its figures,
/// a missing figure gives no verdict, and SciPy's KS time is read from the peers' JSON.
@Suite("Benchmark targets")
struct BenchmarkTargetsTests {
    /// A whole run's figures on 2 threads (names as the modules write them), with the values given.
    static func run(generation1: Double = 1.24e6, generation2: Double = 2.37e6, csv: Double = 466, disk: Double = 586,
                    ks: Double = 87.6, psi1: Double = 862, sum1: Double = 1352, psi2: Double = 1512, sum2: Double = 2422,
                    battery: Double = 9.9, monitors: Double = 8.8) -> [BenchmarkResult] {
        [BenchmarkResult(name: SimulatorBenchmarks.generationName(cores: 1), value: generation1, unit: "transactions/s"),
         BenchmarkResult(name: SimulatorBenchmarks.generationName(cores: 2), value: generation2, unit: "transactions/s"),
         BenchmarkResult(name: SimulatorBenchmarks.csvWritingName(cores: 2), value: csv, unit: "MB/s"),
         BenchmarkResult(name: SimulatorBenchmarks.diskWriteName, value: disk, unit: "MB/s"),
         BenchmarkResult(name: DetectorBenchmarks.ksName, value: ks, unit: "ms"),
         BenchmarkResult(name: DetectorBenchmarks.psiStreamedName(cores: 1), value: psi1, unit: "M values/s"),
         BenchmarkResult(name: DetectorBenchmarks.streamingSumName(cores: 1), value: sum1, unit: "M values/s"),
         BenchmarkResult(name: DetectorBenchmarks.psiStreamedName(cores: 2), value: psi2, unit: "M values/s"),
         BenchmarkResult(name: DetectorBenchmarks.streamingSumName(cores: 2), value: sum2, unit: "M values/s"),
         BenchmarkResult(name: DetectorBenchmarks.batteryName, value: battery, unit: "ms"),
         BenchmarkResult(name: MonitorBenchmarks.name, value: monitors, unit: "ms")]
    }

    static let sciPy = BenchmarkTargets.SciPyReference(milliseconds: 225.9, version: "1.17.1", file: "peers_detectors.2026-11-23.json")

    @Test func verdictsFollowTheFigures() {
        let rows = BenchmarkTargets.evaluate(Self.run(), jobs: 2, sciPy: Self.sciPy)
        #expect(rows.count == 7)
        #expect(rows.map(\.met) == [false, false, false, true, false, false, true])
        #expect(rows[1].figure == "2.37 M/s (1.19 M/s per core)")
        #expect(rows[2].figure == "0.80x (466 of 586 MB/s)")
        #expect(rows[3].figure.hasSuffix(": 2.58x"))
        #expect(rows[4].figure == "0.64x (862 of 1352 M values/s)")
        #expect(rows[6].figure == "18.7 ms (drift tests 9.9 + monitors 8.8)")

        // Each verdict turns at its bound, and only its own.
        let passing = BenchmarkTargets.evaluate(Self.run(generation1: 2e6, generation2: 4e6, csv: 0.901 * 586, ks: 225.9 / 2,
                                                         psi1: 0.901 * 1352, psi2: 0.901 * 2422, battery: 25, monitors: 25),
                                                jobs: 2, sciPy: Self.sciPy)
        #expect(passing.allSatisfy { $0.met == true }, "\(passing)")
        let failing = BenchmarkTargets.evaluate(Self.run(generation1: 1.99e6, generation2: 3.99e6, csv: 0.89 * 586, ks: 225.9 / 1.99,
                                                         psi1: 0.89 * 1352, psi2: 0.89 * 2422, battery: 25, monitors: 25.1),
                                                jobs: 2, sciPy: Self.sciPy)
        #expect(failing.allSatisfy { $0.met == false }, "\(failing)")
    }

    @Test func aMissingFigureGivesNoVerdict() {
        let one = BenchmarkTargets.evaluate(Self.run(), jobs: 1, sciPy: nil)
        // One thread: no two-core rows; the 1-core CSV and generation-on-N figures are absent from this run.
        #expect(one.count == 5)
        #expect(one[0].met == false)
        #expect(one[1].met == nil && one[1].figure == "not measured")  // CSV writing on 1 core was not in the run
        #expect(one[2].met == nil && one[2].figure.contains("SciPy's time not found"))
        let empty = BenchmarkTargets.evaluate([], jobs: 2, sciPy: Self.sciPy)
        #expect(empty.count == 7 && empty.allSatisfy { $0.met == nil && $0.figure == "not measured" })
    }

    @Test func sciPyTimeComesFromTheLatestPeersFile() throws {
        let folder = try scratchFolder("bench-targets")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try BenchmarkTargets.sciPyReference(in: folder) == nil)
        #expect(try BenchmarkTargets.sciPyReference(in: folder + "/absent") == nil)
        try #"{"scipy": "1.16.0", "ks_2samp_cpu_ms": 300.5}"#.write(toFile: folder + "/peers_detectors.2026-11-01.json", atomically: true, encoding: .utf8)
        try #"{"scipy": "1.17.1", "ks_2samp_cpu_ms": 225.9}"#.write(toFile: folder + "/peers_detectors.2026-11-23.json", atomically: true, encoding: .utf8)
        #expect(try BenchmarkTargets.sciPyReference(in: folder) == Self.sciPy)
        try #"{"scipy": "1.18.0", "ks_2samp_cpu_ms": "fast"}"#.write(toFile: folder + "/peers_detectors.2026-12-01.json", atomically: true, encoding: .utf8)
        #expect {
            _ = try BenchmarkTargets.sciPyReference(in: folder)
        } throws: { error in
            "\(error)".contains("peers_detectors.2026-12-01.json: ks_2samp_cpu_ms: must be")
        }
        try "{".write(toFile: folder + "/peers_detectors.2026-12-01.json", atomically: true, encoding: .utf8)
        #expect {
            _ = try BenchmarkTargets.sciPyReference(in: folder)
        } throws: { error in
            "\(error)".contains("peers_detectors.2026-12-01.json: not valid JSON")
        }
    }
}
