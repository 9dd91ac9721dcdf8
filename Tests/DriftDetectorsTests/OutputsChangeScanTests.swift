import Testing
import Foundation
import DriftCore
@testable import DriftDetectors

/// BBSE over a change-point of the alert rate (`AlertRateChange`, docs/monitors.md).
@Suite struct OutputsChangeScanTests {
    /// The scan's best split, z and Bonferroni p against a direct numpy/SciPy computation.
    @Test func scanMatchesSciPy() {
        // Reference (oracle virtual environment, numpy + scipy.stats.norm):
        //   rows=np.array([1000,1100,900,1000,1050,980,1000,1020,990,1010,1000,1005,995]+[1000]*9)
        //   al=np.array([10,12,9,11,10,9,10,11,10,9,10,10,11,18,20,17,19,21,18,20,19,22]); phi=1.7; minR=7; minB=3; step=3
        //   k=n-minR; while k>=minB: nR,aR=rows[k:].sum(),al[k:].sum(); nB,aB=rows[:k].sum(),al[:k].sum()
        //     pool=(aR+aB)/(nR+nB); z=(aR/nR-aB/nB)/sqrt(phi*pool*(1-pool)*(1/nR+1/nB)); keep the largest |z|; k-=step
        //   -> k=12, z=4.105882805212352, K=5, p=min(1, K*2*norm.sf(|z|))=0.00020138683019672355
        let rows = [1000, 1100, 900, 1000, 1050, 980, 1000, 1020, 990, 1010, 1000, 1005, 995] + [Int](repeating: 1000, count: 9)
        let alerts = [10, 12, 9, 11, 10, 9, 10, 11, 10, 9, 10, 10, 11, 18, 20, 17, 19, 21, 18, 20, 19, 22]
        let days = zip(rows, alerts).map { AlertRateChange.Day(rows: $0, alerts: $1) }
        let s = AlertRateChange.scan(days: days, minimumRecentDays: 7, minimumBaselineDays: 3, stepDays: 3, dispersion: 1.7)
        #expect(s.start == 12)
        #expect(s.candidates == 5)
        #expect(abs(s.z - 4.105882805212352) < 1e-9 * 4.11)
        #expect(abs(s.pValue - 0.00020138683019672355) < 1e-6 * 2.01e-4)
    }

    /// Too few days (no candidate), all-zero alerts, a singular split: a defined, quiet result.
    @Test func edgeCases() {
        let one = [AlertRateChange.Day(rows: 100, alerts: 1)]
        #expect(AlertRateChange.scan(days: one, minimumRecentDays: 7, minimumBaselineDays: 7, stepDays: 7, dispersion: 1).pValue == 1)
        #expect(AlertRateChange.scan(days: [], minimumRecentDays: 7, minimumBaselineDays: 7, stepDays: 7, dispersion: 1).pValue == 1)
        let days = [AlertRateChange.Day](repeating: .init(rows: 100, alerts: 0), count: 20)
        let s = AlertRateChange.scan(days: days, minimumRecentDays: 7, minimumBaselineDays: 7, stepDays: 7, dispersion: 1)
        #expect(s.pValue == 1 && s.z == 0)
        let bbse = BlackBoxShiftEstimator(truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 10)
        #expect(!bbse.checkChange(days: days, minimumRecentDays: 7, minimumBaselineDays: 7, stepDays: 7).alarm)
        let fine = BlackBoxShiftEstimator(truePositives: 50, falsePositives: 50, falseNegatives: 50, trueNegatives: 9_850)
        #expect((fine.checkChange(days: Array(days.prefix(10)), minimumRecentDays: 7, minimumBaselineDays: 7, stepDays: 7).details["defined"] ?? 1) == 0)
    }

    /// Calibration: with no change, the scan over 120 days (14 candidates, Bonferroni) alarms at most
    /// at its nominal level. Daily alerts Poisson(1000 x 1 %); 4,000 runs at alpha = 0.01
    /// (Bonferroni makes it conservative: the measured rate is printed).
    @Test func noChangeKeepsTheNominalLevel() {
        var rng = Xoshiro256StarStar(seed: 20261123, stream: streamID("alert-scan-null"))
        let runs = 4_000, alpha = 0.01
        var alarms = 0
        var days = [AlertRateChange.Day](repeating: .init(rows: 1000, alerts: 0), count: 120)
        for _ in 0..<runs {
            for d in 0..<120 { days[d].alerts = rng.poisson(10) }
            let s = AlertRateChange.scan(days: days, minimumRecentDays: 14, minimumBaselineDays: 14, stepDays: 7, dispersion: 1)
            if s.pValue < alpha { alarms += 1 }
        }
        let rate = Double(alarms) / Double(runs)
        print("CALIBRATION alert-rate change scan: \(alarms) / \(runs) null runs alarm at alpha \(alpha) (rate \(rate))")
        #expect(rate <= 1.5 * alpha)
    }

    /// Power: a doubled fraud share from day 30 of 120 (alerts up by p·TPR; severity 0.5 of `fraud_wave`)
    /// is found, named a wave and its prior estimated near 2p (the split's ~100 alerts alone could
    /// not show it, docs/lab.md); a drop to 0.2 p (severity 1 of `fraud_drop`) is found with the drop named.
    @Test(arguments: [(2.0, "fraud_wave"), (0.2, "fraud_drop")])
    func findsAPriorChange(_ c: (Double, String)) {
        let (multiplier, subkind) = c
        // Split of 10,500 rows: prior 1.14 %, TPR 0.45, FPR 0.0045 -> alert rate 0.96 %.
        let bbse = BlackBoxShiftEstimator(truePositives: 54, falsePositives: 47, falseNegatives: 66, trueNegatives: 10_333)
        var rng = Xoshiro256StarStar(seed: 7, stream: streamID("alert-scan-power"))
        var days: [AlertRateChange.Day] = []
        for d in 0..<120 {
            let prior = d >= 30 ? 0.012 * multiplier : 0.012
            let rate = prior * 0.45 + (1 - prior) * 0.0046
            days.append(.init(rows: 1500, alerts: rng.poisson(1500 * rate)))
        }
        var c = OutputConfiguration()
        c.dispersion = 1.5
        let r = bbse.checkChange(days: days, minimumRecentDays: 14, minimumBaselineDays: 14, stepDays: 7, configuration: c)
        #expect(r.alarm)
        #expect(r.subkind == subkind)
        #expect(abs(r.statistic - 0.012 * multiplier) < 0.004, "\(r.statistic)")
    }
}
