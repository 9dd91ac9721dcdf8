import DriftCore
import DriftDetectors
import DriftSim
import Foundation

/// One throughput target of the issues, read off a `driftlab bench` run: what is asked, this run's
/// figure, and whether it is met (nil when a figure it needs was not measured, e.g. under `--only`).
public struct BenchmarkTarget: Sendable, Equatable {
    public let target: String
    public let figure: String
    public let met: Bool?

    public init(target: String, figure: String, met: Bool?) {
        self.target = target; self.figure = figure; self.met = met
    }
}

/// The speed targets of issue 2 (generation, CSV writing) and issue 4 (KS, PSI, the battery), checked
/// against the figures of one bench run, so the README's verdicts are output, not typed. "At disk
/// speed" and "at memory speed" are read as at least `speedShare` (0.9) of the rate measured in the
/// same run: the disk's durable write, one core's and all cores' streaming sum of the same doubles.
public enum BenchmarkTargets {
    /// Transactions per second per core, in memory (issue 2).
    public static let generationPerCore = 2_000_000.0
    /// What "at disk speed" and "at memory speed" ask of the ratio to the same run's reference rate.
    public static let speedShare = 0.9
    /// How many times faster than SciPy's `ks_2samp` on the same machine (issue 4).
    public static let ksSpeedup = 2.0
    /// The whole battery (drift tests and monitors) on a 10,000-row window, one core (issue 4), ms.
    public static let batteryMilliseconds = 50.0

    /// SciPy's `ks_2samp` time on 1e6 vs 1e6 values, measured by `docs/bench/peers_detectors.py` on this
    /// machine (the issue compares against SciPy "on the same machine"; the bench does not run Python).
    public struct SciPyReference: Sendable, Equatable {
        public let milliseconds: Double
        public let version: String
        public let file: String

        public init(milliseconds: Double, version: String, file: String) {
            self.milliseconds = milliseconds; self.version = version; self.file = file
        }
    }

    /// The latest `peers_detectors.*.json` in `folder` (by name, so by date), or nil when there is none.
    /// A file that is there but lacks `ks_2samp_cpu_ms` or `scipy` is an error naming it.
    public static func sciPyReference(in folder: String) throws -> SciPyReference? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("peers_detectors.") && $0.hasSuffix(".json") }.sorted()
        guard let name = names.last else { return nil }
        let path = (folder as NSString).appendingPathComponent(name)
        let document = try JSON.readFile(path)
        guard case .number(let ms)? = document["ks_2samp_cpu_ms"], ms.isFinite, ms > 0 else {
            throw ConfigError(file: path, path: "ks_2samp_cpu_ms", message: "must be SciPy's ks_2samp time in ms, a positive number")
        }
        guard case .string(let version)? = document["scipy"] else {
            throw ConfigError(file: path, path: "scipy", message: "must be the SciPy version, a string")
        }
        return SciPyReference(milliseconds: ms, version: version, file: name)
    }

    /// Each target against `results` (one bench run on `jobs` threads).
    public static func evaluate(_ results: [BenchmarkResult], jobs: Int, sciPy: SciPyReference?) -> [BenchmarkTarget] {
        func value(_ name: String) -> Double? { results.first { $0.name == name }?.value }
        func rate(_ v: Double) -> String { String(format: "%.2f M/s", v / 1e6) }
        func ratio(_ a: Double, _ b: Double) -> String { String(format: "%.2fx", a / b) }
        var rows: [BenchmarkTarget] = []

        let perCore = "generation in memory >= \(Int(generationPerCore / 1e6)) M transactions/s per core"
        if let one = value(SimulatorBenchmarks.generationName(cores: 1)) {
            rows.append(BenchmarkTarget(target: perCore + ", one core", figure: rate(one), met: one >= generationPerCore))
        } else {
            rows.append(BenchmarkTarget(target: perCore + ", one core", figure: "not measured", met: nil))
        }
        if jobs > 1 {
            let target = perCore + ", \(jobs) cores"
            if let many = value(SimulatorBenchmarks.generationName(cores: jobs)) {
                rows.append(BenchmarkTarget(target: target, figure: rate(many) + " (" + rate(many / Double(jobs)) + " per core)",
                                            met: many / Double(jobs) >= generationPerCore))
            } else {
                rows.append(BenchmarkTarget(target: target, figure: "not measured", met: nil))
            }
        }

        let csvTarget = "durable CSV writing at disk speed (>= \(speedShare)x the disk's durable write, \(jobs) core\(jobs == 1 ? "" : "s"))"
        if let csv = value(SimulatorBenchmarks.csvWritingName(cores: jobs)), let disk = value(SimulatorBenchmarks.diskWriteName), disk > 0 {
            rows.append(BenchmarkTarget(target: csvTarget, figure: ratio(csv, disk) + String(format: " (%.0f of %.0f MB/s)", csv, disk),
                                        met: csv / disk >= speedShare))
        } else {
            rows.append(BenchmarkTarget(target: csvTarget, figure: "not measured", met: nil))
        }

        let ksTarget = "KS 1e6 vs 1e6 at least \(Int(ksSpeedup))x as fast as SciPy's ks_2samp on this machine"
        if let ks = value(DetectorBenchmarks.ksName), ks > 0, let sciPy {
            rows.append(BenchmarkTarget(target: ksTarget,
                                        figure: String(format: "%.1f ms against %.0f ms", ks, sciPy.milliseconds)
                                            + " (SciPy \(sciPy.version), docs/bench/\(sciPy.file)): " + ratio(sciPy.milliseconds, ks),
                                        met: sciPy.milliseconds / ks >= ksSpeedup))
        } else if let ks = value(DetectorBenchmarks.ksName) {
            rows.append(BenchmarkTarget(target: ksTarget, figure: String(format: "%.1f ms; SciPy's time not found (docs/bench/peers_detectors.py writes it)", ks),
                                        met: nil))
        } else {
            rows.append(BenchmarkTarget(target: ksTarget, figure: "not measured", met: nil))
        }

        for cores in jobs > 1 ? [1, jobs] : [1] {
            let target = "PSI binning at memory speed (>= \(speedShare)x the streaming sum, \(cores) core\(cores == 1 ? "" : "s"))"
            if let psi = value(DetectorBenchmarks.psiStreamedName(cores: cores)), let sum = value(DetectorBenchmarks.streamingSumName(cores: cores)), sum > 0 {
                rows.append(BenchmarkTarget(target: target, figure: ratio(psi, sum) + String(format: " (%.0f of %.0f M values/s)", psi, sum),
                                            met: psi / sum >= speedShare))
            } else {
                rows.append(BenchmarkTarget(target: target, figure: "not measured", met: nil))
            }
        }

        let batteryTarget = "whole battery on a 10,000-row window within \(Int(batteryMilliseconds)) ms, one core"
        if let drift = value(DetectorBenchmarks.batteryName), let monitors = value(MonitorBenchmarks.name) {
            rows.append(BenchmarkTarget(target: batteryTarget,
                                        figure: String(format: "%.1f ms (drift tests %.1f + monitors %.1f)", drift + monitors, drift, monitors),
                                        met: drift + monitors <= batteryMilliseconds))
        } else {
            rows.append(BenchmarkTarget(target: batteryTarget, figure: "not measured", met: nil))
        }
        return rows
    }
}
