import Foundation
import Testing
import DriftCore
import DriftSim
@testable import DriftDetectors

/// Calibration on simulated no-failure windows (issue 4, "must show"). The control scenario is
/// simulated (3,000 customers, 4,000 rows a day, 14 reference and 50 production days, about 250k
/// rows). i.i.d. windows: the reference (40,000 rows) and each window are drawn with replacement
/// from the production pool, so both are exact i.i.d. samples of one distribution (a fresh reference
/// per window from 10,000 rows up, so that the windows are independent trials). Contiguous
/// windows: 1, 7 and 14 consecutive production days against the 14 reference days, as a monitor
/// sees them. A rule's rate is pooled over the features it applies to (trials = windows x features);
/// tolerance: 3 binomial standard deviations sqrt(a(1-a)/trials) on each side of the band.
/// Figures print with the prefix "CALIBRATION".
@Suite("Calibration on simulated control windows")
struct SimulatedCalibrationTests {
    struct Counts {
        var trials: [String: Int] = [:], alarms: [String: Int] = [:]
        mutating func add(_ rule: String, _ alarm: Bool) { trials[rule, default: 0] += 1; if alarm { alarms[rule, default: 0] += 1 } }
        func rate(_ rule: String) -> Double { Double(alarms[rule] ?? 0) / Double(Swift.max(1, trials[rule] ?? 0)) }
        func line(_ rules: [String]) -> String {
            rules.map { "\($0)=\(String(format: "%.4f", rate($0))) (\(alarms[$0] ?? 0)/\(trials[$0] ?? 0))" }.joined(separator: " ")
        }
    }

    static let alpha = 0.05
    static let rules = ["ks", "chi2", "welch", "brown_forsythe", "any_feature_bh", "combined", "effect_size", "dq_missing", "dq_stuck", "dq_range", "dq_any"]

    /// Tallies every rule on one window.
    static func tally(_ counts: inout Counts, baseline: DriftBaseline, monitor: QualityMonitor, window: Table) throws {
        var config = DriftConfiguration(); config.alpha = alpha
        let report = try baseline.compare(window, configuration: config)
        config.rule = .effectSize
        let effect = try baseline.compare(window, configuration: config)
        for row in report.features where row.pValue.isFinite {
            counts.add(row.test, row.pValue < alpha)
            if row.meanShiftPValue.isFinite { counts.add("welch", row.meanShiftPValue < alpha) }
            if row.varianceShiftPValue.isFinite { counts.add("brown_forsythe", row.varianceShiftPValue < alpha) }
            counts.add("combined", row.alarm)
        }
        for row in effect.features where row.pValue.isFinite { counts.add("effect_size", row.alarm) }
        counts.add("any_feature_bh", report.features.contains { $0.significant })
        let quality = try monitor.check(window: window)
        for r in quality {
            switch r.detector {
            case "missing_rate": counts.add("dq_missing", r.alarm)
            case "stuck_value": counts.add("dq_stuck", r.alarm)
            case "range": counts.add("dq_range", r.alarm)
            default: break
            }
        }
        counts.add("dq_any", quality.contains { $0.alarm })
    }

    static func band(_ c: Counts, _ rule: String, nominal: Double) -> (low: Double, high: Double) {
        let n = Double(Swift.max(1, c.trials[rule] ?? 0))
        let sd = (nominal * (1 - nominal) / n).squareRoot()
        return (0.5 * nominal - 3 * sd, 1.5 * nominal + 3 * sd)
    }

    @Test("false alarms on i.i.d. and contiguous control windows of 100 to 100,000 rows")
    func calibration() throws {
        var s = try Simulated.scenario("control", customers: 3_000, perDay: 4_000, referenceDays: 14, productionDays: 50)
        s.failures = []
        let batches = try Simulated.batches(s)
        // Production pool as (batch, row) pairs.
        var pool: [(Int, Int)] = []
        for (k, b) in batches.enumerated() where b.day >= 0 { for i in 0..<b.count { pool.append((k, i)) } }
        var rng = Xoshiro256StarStar(seed: 20_261_122, stream: streamID("calibration"))
        func resample(_ n: Int) -> Table { Simulated.table(batches, days: 0..<0, rows: (0..<n).map { _ in pool[rng.index(pool.count)] }) }

        // A fresh reference for every window of 10,000 rows and more: against one shared reference the
        // windows are not independent trials (a large window matches the pool, so whether it rejects
        // depends mostly on how that one reference fell), and the rate measures one reference, not the
        // rule. Smaller windows share one reference: their own noise dominates.
        let iidReference = resample(40_000)
        let iidBaseline = DriftBaseline(reference: iidReference)
        let iidMonitor = try QualityMonitor(reference: iidReference, roles: Simulated.roles)
        let significance = ["ks", "chi2", "welch", "brown_forsythe"]
        var allIID = Counts()
        for (n, windows) in [(100, 300), (1_000, 150), (10_000, 40), (100_000, 24)] {
            var c = Counts()
            for _ in 0..<windows {
                if n >= 10_000 {
                    let reference = resample(40_000)
                    try Self.tally(&c, baseline: DriftBaseline(reference: reference),
                                   monitor: QualityMonitor(reference: reference, roles: Simulated.roles), window: resample(n))
                } else {
                    try Self.tally(&c, baseline: iidBaseline, monitor: iidMonitor, window: resample(n))
                }
            }
            print("CALIBRATION iid n=\(n) windows=\(windows): " + c.line(Self.rules))
            for r in c.trials.keys { allIID.trials[r, default: 0] += c.trials[r]!; allIID.alarms[r, default: 0] += c.alarms[r] ?? 0 }
            // Welch is Hall's skew-corrected form (calibrated at 100 rows too: docs/detectors.md, "Mean shift").
            for r in significance {
                let b = Self.band(c, r, nominal: Self.alpha)
                #expect(c.rate(r) >= b.low && c.rate(r) <= b.high, "\(r) at n=\(n): \(c.rate(r)) outside [\(b.low), \(b.high)]")
            }
            for r in ["combined", "effect_size"] {
                #expect(c.rate(r) <= Self.band(c, r, nominal: Self.alpha).high - 0.5 * Self.alpha, "\(r) at n=\(n): \(c.rate(r))")
            }
            // Data-quality rules: per-check level 1e-3 plus their effect floors.
            for r in ["dq_missing", "dq_stuck", "dq_range"] { #expect(c.rate(r) <= Self.band(c, r, nominal: 1e-3).high - 0.5e-3, "\(r) at n=\(n): \(c.rate(r))") }
        }
        print("CALIBRATION iid all sizes: " + allIID.line(Self.rules))

        // Contiguous day windows against the 14 reference days: the real stream, not i.i.d.
        let reference = Simulated.table(batches, days: -14..<0)
        let baseline = DriftBaseline(reference: reference)
        let monitor = try QualityMonitor(reference: reference, roles: Simulated.roles)
        for days in [1, 7, 14] {
            var c = Counts()
            var start = 0
            while start + days <= s.productionDays {
                try Self.tally(&c, baseline: baseline, monitor: monitor, window: Simulated.table(batches, days: start..<(start + days)))
                start += days == 1 ? 1 : days / 2
            }
            print("CALIBRATION contiguous days=\(days) (\(days * 4_000) rows): " + c.line(Self.rules))
            // One-day windows: the default rule reaches 7.2 % (documented); at or below nominal from 7 days.
            #expect(c.rate("combined") <= Self.band(c, "combined", nominal: Self.alpha).high - (days == 1 ? 0 : 0.5 * Self.alpha))
            #expect(c.rate("effect_size") <= Self.band(c, "effect_size", nominal: Self.alpha).high - 0.5 * Self.alpha)
        }
    }
}
