import Foundation
import DriftCore

/// Throughput of the monitors for `driftlab bench`: the data-quality, schema and model-output
/// checks on a 10,000-row window of 20 features (the target for the whole battery:
/// within 50 ms on one core). References are fitted once, outside the timing.
public enum MonitorBenchmarks {
    /// The figure's name (`BenchmarkTargets`, DriftLab, reads it: with the drift battery, the 50 ms).
    public static let name = "monitors: data-quality + schema + output checks, 10,000 rows x 20 features"

    /// A synthetic reference and window: 12 numeric features (one an hour of day), 4 booleans,
    /// 4 categoricals, scores, transaction ids.
    struct Fixture {
        var numericReference: [[Double]] = [], numericWindow: [[Double]] = []
        var booleanReference: [[Double]] = [], booleanWindow: [[Double]] = []
        var categoricalReference: [CategoricalColumn] = [], categoricalWindow: [CategoricalColumn] = []
        var referenceScores: [Double] = [], windowScores: [Double] = [], referenceLabels: [Bool] = []
        var ids: [UInt64] = []
    }

    static func fixture(referenceRows: Int, windowRows: Int, seed: UInt64 = 7) -> Fixture {
        var f = Fixture()
        var rng = Xoshiro256StarStar(seed: seed, stream: streamID("monitor-bench"))
        func numeric(_ j: Int, _ n: Int) -> [Double] {
            (0..<n).map { _ in
                switch j {
                case 0: return Foundation.floor(rng.uniform() * 24)
                case 1...4: return rng.lognormal(mu: Double(j), sigma: 1)
                case 5...8: return Double(rng.poisson(Double(j - 4)))
                default: return rng.normal(mean: Double(j), sd: 2)
                }
            }
        }
        for j in 0..<12 { f.numericReference.append(numeric(j, referenceRows)); f.numericWindow.append(numeric(j, windowRows)) }
        for j in 0..<4 {
            let p = 0.1 + 0.2 * Double(j)
            f.booleanReference.append((0..<referenceRows).map { _ in rng.bernoulli(p) ? 1 : 0 })
            f.booleanWindow.append((0..<windowRows).map { _ in rng.bernoulli(p) ? 1 : 0 })
        }
        let levels = (0..<12).map { "c\($0)" }
        let table = AliasTable(weights: (1...12).map { 1 / Double($0) })
        for _ in 0..<4 {
            f.categoricalReference.append(CategoricalColumn(codes: (0..<referenceRows).map { _ in Int32(table.sample(using: &rng)) }, levels: levels))
            f.categoricalWindow.append(CategoricalColumn(codes: (0..<windowRows).map { _ in Int32(table.sample(using: &rng)) }, levels: levels))
        }
        func score() -> (Double, Bool) {
            let fraud = rng.bernoulli(0.02)
            let s = 1 / (1 + Foundation.exp(-(rng.normal() + (fraud ? 1.5 : -4))))
            return (s, fraud)
        }
        for _ in 0..<referenceRows { let (s, y) = score(); f.referenceScores.append(s); f.referenceLabels.append(y) }
        for _ in 0..<windowRows { f.windowScores.append(score().0) }
        f.ids = (0..<windowRows).map { _ in rng.next() }
        return f
    }

    /// The fixture as reference and window tables with their roles.
    static func tables(_ f: Fixture) -> (reference: Table, window: Table, roles: [String: MonitoredRole]) {
        var reference = Table(), window = Table()
        var roles: [String: MonitoredRole] = [:]
        for j in 0..<f.numericReference.count {
            let name = "x\(j)"
            roles[name] = j == 0 ? .hourOfDay : (5...8).contains(j) ? .velocity : .numeric
            try? reference.append(name, .numeric(f.numericReference[j]))
            try? window.append(name, .numeric(f.numericWindow[j]))
        }
        for j in 0..<f.booleanReference.count {
            roles["b\(j)"] = .boolean
            try? reference.append("b\(j)", .numeric(f.booleanReference[j]))
            try? window.append("b\(j)", .numeric(f.booleanWindow[j]))
        }
        for j in 0..<f.categoricalReference.count {
            try? reference.append("c\(j)", .categorical(f.categoricalReference[j]))
            try? window.append("c\(j)", .categorical(f.categoricalWindow[j]))
        }
        return (reference, window, roles)
    }

    /// Runs every window check once; returns the number of results (so nothing is optimised away).
    static func runBattery(monitor: QualityMonitor, window: Table, f: Fixture, scoreReference: ScoreReference,
                           bbse: BlackBoxShiftEstimator, cbpeReference: ConfidenceBasedPerformance.Estimate) -> Int {
        var results = (try? monitor.check(window: window, ids: f.ids)) ?? []
        results.append(OutputMonitors.predictionDrift(reference: scoreReference, windowScores: f.windowScores))
        results.append(OutputMonitors.alertRate(reference: scoreReference, windowScores: f.windowScores))
        var alerts = 0
        for s in f.windowScores where s >= scoreReference.threshold { alerts += 1 }
        results.append(bbse.check(windowPredictedPositive: alerts, windowCount: f.windowScores.count))
        results.append(ConfidenceBasedPerformance.check(reference: cbpeReference,
                                                        window: ConfidenceBasedPerformance.estimate(scores: f.windowScores, threshold: scoreReference.threshold)))
        return results.count
    }

    public static func run() -> [BenchmarkResult] {
        let f = fixture(referenceRows: 50_000, windowRows: 10_000)
        let t = tables(f)
        guard let monitor = try? QualityMonitor(reference: t.reference, roles: t.roles) else { return [] }
        let threshold = 0.5
        let scoreReference = ScoreReference(scores: f.referenceScores, labels: f.referenceLabels, threshold: threshold)
        let bbse = BlackBoxShiftEstimator(predicted: f.referenceScores.map { $0 >= threshold }, labels: f.referenceLabels)
        let cbpe = ConfidenceBasedPerformance.estimate(scores: f.referenceScores, threshold: threshold)
        var count = 0
        let seconds = Stopwatch.seconds(repeats: 5) {
            count = runBattery(monitor: monitor, window: t.window, f: f, scoreReference: scoreReference, bbse: bbse, cbpeReference: cbpe)
        }
        return [BenchmarkResult(name: name,
                                value: seconds * 1000, unit: "ms",
                                note: "\(count) results, one core, best of 5; target for the whole battery 50 ms")]
    }
}
