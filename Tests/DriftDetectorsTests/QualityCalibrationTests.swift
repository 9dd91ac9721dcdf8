import Testing
import Foundation
import DriftCore
@testable import DriftDetectors

/// The p-values behind the proportion rules are calibrated: on windows drawn from the reference
/// distribution, p < 0.05 happens in about 5 % of windows (checked within [0.5x, 1.5x] over 600
/// windows), while the full alarm rule (alpha = 1e-3 plus a minimum effect) stays at or below its level.
@Suite struct QualityCalibrationTests {
    @Test func missingRateTestIsCalibratedAndTheRuleIsConservative() {
        var rng = Xoshiro256StarStar(seed: 21, stream: streamID("calibration"))
        let referenceCount = 50_000, referenceMissing = 2_500   // 5 % missing
        var rejections = 0, alarms = 0
        let windows = 600
        for k in 0..<windows {
            let n = [100, 1_000, 10_000][k % 3]
            var missing = 0
            for _ in 0..<n where rng.bernoulli(0.05) { missing += 1 }
            let r = DataQualityChecks.missingRate(feature: "x", referenceMissing: referenceMissing, referenceCount: referenceCount,
                                                  windowMissing: missing, windowCount: n)
            if r.pValue! < 0.05 { rejections += 1 }
            if r.alarm { alarms += 1 }
        }
        let rate = Double(rejections) / Double(windows)
        #expect(rate >= 0.025 && rate <= 0.075, "one-sided rejection rate at 0.05: \(rate)")
        #expect(alarms <= 2, "alarms \(alarms)")
    }

    @Test func bbsePriorTestIsCalibrated() {
        let reference = classConditionalScores(rows: 100_000, prior: 0.02, seed: 31)
        let bbse = BlackBoxShiftEstimator(predicted: reference.scores.map { $0 >= 0.2 }, labels: reference.labels)
        var rejections = 0, alarms = 0
        let windows = 300
        for k in 0..<windows {
            let w = classConditionalScores(rows: 2_000, prior: 0.02, seed: 1_000 + UInt64(k))
            let r = bbse.check(windowPredictedPositive: w.scores.filter { $0 >= 0.2 }.count, windowCount: 2_000)
            if r.pValue! < 0.05 { rejections += 1 }
            if r.alarm { alarms += 1 }
        }
        let rate = Double(rejections) / Double(windows)
        #expect(rate >= 0.025 && rate <= 0.075, "two-sided rejection rate at 0.05: \(rate)")
        #expect(alarms <= 1)
    }

    /// Every data-quality and schema rule together on 45 clean windows (100 to 10,000 rows, about
    /// 2,000 checks): the rules run at alpha = 1e-3 with effect floors, so at most a couple of
    /// alarms are allowed in all.
    @Test func allQualityRulesStayAtOrBelowTheirLevelOnCleanWindows() {
        var alarms: [String] = []
        var checks = 0
        for k in 0..<45 {
            let rows = [100, 1_000, 10_000][k % 3]
            let window = QualityFixture(rows: rows, seed: 500 + UInt64(k), stream: "calibration")
            let results = QualityFixture.allChecks(reference: QualityFixture.reference, window: window)
            checks += results.count
            alarms += monitorAlarms(results).map { "\(rows): \($0.detector) \($0.features)" }
        }
        #expect(checks > 1_800)
        #expect(alarms.count <= 2, "\(alarms)")
    }
}
