import Foundation
import DriftCore

/// Thresholds of the data-quality and schema monitors. Defaults are documented in docs/monitors.md;
/// every significance rule is paired with a minimum effect so that huge windows do not alarm on noise.
public struct QualityConfiguration: Sendable, Equatable {
    /// Per-test significance level of the proportion tests (per feature and window).
    public var alpha: Double = 1e-3
    /// Missing rate must rise by at least this much (absolute) to alarm.
    public var missingMinimumEffect: Double = 0.02
    /// Share of the window's modal value must exceed the reference's share of that value by this much.
    public var stuckMinimumEffect: Double = 0.10
    /// A stuck value on a continuous feature within this much reference rank of the median is a default fill (`dropped`).
    public var defaultFillRankTolerance: Double = 0.02
    /// Variance collapse: alarm when winsorised window variance / reference variance falls below this.
    public var varianceRatioThreshold: Double = 0.1
    /// Minimum finite rows for the variance-collapse and stuck checks.
    public var minimumRows: Int = 20
    /// Range check: the reference [min, max] widened by this share of its range on each side.
    public var rangeMargin: Double = 0.1
    /// Range check: alarm when at least this share of present values and `rangeMinimumCount` rows fall outside.
    public var rangeMinimumShare: Double = 0.002
    public var rangeMinimumCount: Int = 5
    /// Duplicates: alarm when repeated ids exceed this share of rows and `duplicateMinimumCount` rows.
    public var duplicateMinimumShare: Double = 0.001
    public var duplicateMinimumCount: Int = 3
    /// Stale velocity counters: the lagging share must rise by this much over the reference.
    public var staleMinimumEffect: Double = 0.02
    /// Stale velocity counters without ids: correlation with a fresh companion must drop by this much.
    public var correlationMinimumDrop: Double = 0.2
    public init() {}
}

/// Data-quality checks on one feature (reference profile vs window). Each returns a
/// `DetectorResult` indicating `.dataQuality` with a catalog subkind.
public enum DataQualityChecks {
    /// Missing rate against the reference: one-sided two-proportion z-test (window rate > reference
    /// rate) with p < alpha AND a rise of at least `missingMinimumEffect`. Subkind "dropped" when
    /// at least 99 % of the window is missing (and under half the reference was), else "missing".
    public static func missingRate(feature: String, referenceMissing: Int, referenceCount: Int,
                                   windowMissing: Int, windowCount: Int,
                                   configuration c: QualityConfiguration = .init()) -> DetectorResult {
        let rule = MonitorStatistics.proportionIncrease(referenceCount: referenceMissing, referenceTotal: referenceCount,
                                                         windowCount: windowMissing, windowTotal: windowCount,
                                                         alpha: c.alpha, minimumEffect: c.missingMinimumEffect)
        let windowRate = windowCount > 0 ? Double(windowMissing) / Double(windowCount) : 0
        let referenceRate = referenceCount > 0 ? Double(referenceMissing) / Double(referenceCount) : 0
        let dropped = windowRate >= 0.99 && referenceRate < 0.5
        return DetectorResult(detector: "missing_rate", features: [feature], statistic: windowRate, pValue: rule.pValue,
                              threshold: referenceRate + c.missingMinimumEffect, alarm: rule.alarm, indicates: .dataQuality,
                              subkind: dropped ? "dropped" : "missing",
                              details: ["reference_rate": referenceRate, "window_rate": windowRate, "effect": rule.effect])
    }

    /// Missing rate of a numeric feature (NaN = missing).
    public static func missingRate(reference r: NumericReference, window w: NumericWindow,
                                   configuration c: QualityConfiguration = .init()) -> DetectorResult {
        missingRate(feature: r.name, referenceMissing: r.missingCount, referenceCount: r.count,
                    windowMissing: w.missingCount, windowCount: w.count, configuration: c)
    }

    /// Missing rate of a categorical feature (code -1 = missing).
    public static func missingRate(reference r: CategoricalProfile, window w: CategoricalWindow,
                                   configuration c: QualityConfiguration = .init()) -> DetectorResult {
        missingRate(feature: r.name, referenceMissing: r.missingCount, referenceCount: r.count,
                    windowMissing: w.missingCount, windowCount: w.count, configuration: c)
    }

    /// Stuck value: the share q of the window's most frequent value against the reference's share
    /// r of that same value; one-sided two-proportion z-test with p < alpha and q - r >= `stuckMinimumEffect`.
    /// Subkind "dropped" (a default fill) when the value is the reference median or mode and q >= 0.95,
    /// or, on a continuous feature (no reference value holds 1 % of rows), when the value sits at the
    /// reference median within ±`defaultFillRankTolerance` of rank and q >= 0.5: the upstream default is
    /// the median of a training sample, not necessarily of this reference; else "stuck".
    public static func stuckValue(reference r: NumericReference, window w: NumericWindow,
                                  configuration c: QualityConfiguration = .init()) -> DetectorResult {
        let n = w.sorted.count
        guard n >= c.minimumRows, r.finiteCount > 0 else {
            return DetectorResult(detector: "stuck_value", features: [r.name], statistic: 0, pValue: 1,
                                  threshold: c.stuckMinimumEffect, alarm: false, indicates: .dataQuality)
        }
        let mode = NumericWindow.longestRun(sorted: w.sorted)
        let q = Double(mode.length) / Double(n)
        let refShare = r.share(of: mode.value)
        let refCount = Int((refShare * Double(r.finiteCount)).rounded())
        let rule = MonitorStatistics.proportionIncrease(referenceCount: refCount, referenceTotal: r.finiteCount,
                                                         windowCount: mode.length, windowTotal: n,
                                                         alpha: c.alpha, minimumEffect: c.stuckMinimumEffect)
        let tolerance = 1e-9 * Swift.max(1, Swift.abs(mode.value))
        let isDefault = Swift.abs(mode.value - r.median) <= tolerance || Swift.abs(mode.value - r.modalValue) <= tolerance
        let continuous = r.modalShare < 0.01
        let atMedian = continuous && Swift.abs(r.midRank(of: mode.value) - 0.5) <= c.defaultFillRankTolerance
        let dropped = (q >= 0.95 && isDefault) || (q >= 0.5 && atMedian)
        return DetectorResult(detector: "stuck_value", features: [r.name], statistic: q, pValue: rule.pValue,
                              threshold: refShare + c.stuckMinimumEffect, alarm: rule.alarm, indicates: .dataQuality,
                              subkind: dropped ? "dropped" : "stuck",
                              details: ["value": mode.value, "window_share": q, "reference_share": refShare])
    }

    /// Stuck category: the share q of the window's most frequent label against the reference's share
    /// r of that label (0 when unseen); same rule as `stuckValue`. Subkind "dropped" when q >= 0.95
    /// and the label is the reference mode (a default fill), else "stuck".
    public static func stuckCategory(reference r: CategoricalProfile, window w: CategoricalWindow,
                                     configuration c: QualityConfiguration = .init()) -> DetectorResult {
        let n = w.presentCount
        guard n >= c.minimumRows, r.presentCount > 0, let top = w.counts.indices.max(by: { w.counts[$0] < w.counts[$1] }) else {
            return DetectorResult(detector: "stuck_value", features: [r.name], statistic: 0, pValue: 1,
                                  threshold: c.stuckMinimumEffect, alarm: false, indicates: .dataQuality)
        }
        let label = w.levels[top]
        let refIndex = r.levels.firstIndex(of: label)
        let refCount = refIndex.map { r.counts[$0] } ?? 0
        let refShare = Double(refCount) / Double(r.presentCount)
        let q = Double(w.counts[top]) / Double(n)
        let rule = MonitorStatistics.proportionIncrease(referenceCount: refCount, referenceTotal: r.presentCount,
                                                         windowCount: w.counts[top], windowTotal: n,
                                                         alpha: c.alpha, minimumEffect: c.stuckMinimumEffect)
        let mode = r.counts.indices.max(by: { r.counts[$0] < r.counts[$1] })
        let isDefault = refIndex != nil && refIndex == mode
        return DetectorResult(detector: "stuck_value", features: [r.name], statistic: q, pValue: rule.pValue,
                              threshold: refShare + c.stuckMinimumEffect, alarm: rule.alarm, indicates: .dataQuality,
                              subkind: q >= 0.95 && isDefault ? "dropped" : "stuck",
                              details: ["window_share": q, "reference_share": refShare])
    }

    /// Variance collapse: ratio of the window's variance to the reference's, both winsorised to the
    /// reference's 1 % and 99 % quantiles so that heavy tails do not make the ratio noisy. Effect-size
    /// rule: alarm when the ratio < `varianceRatioThreshold` (default 0.1) on at least `minimumRows` values.
    public static func varianceCollapse(reference r: NumericReference, window w: NumericWindow,
                                        configuration c: QualityConfiguration = .init()) -> DetectorResult {
        guard w.sorted.count >= c.minimumRows, r.winsorizedVariance > 0 else {
            return DetectorResult(detector: "variance_collapse", features: [r.name], statistic: 1,
                                  threshold: c.varianceRatioThreshold, alarm: false, indicates: .dataQuality)
        }
        let v = NumericWindow.winsorizedVariance(sorted: w.sorted, lower: r.lowerClip, upper: r.upperClip)
        let ratio = v / r.winsorizedVariance
        return DetectorResult(detector: "variance_collapse", features: [r.name], statistic: ratio,
                              threshold: c.varianceRatioThreshold, alarm: ratio < c.varianceRatioThreshold,
                              indicates: .dataQuality, subkind: "stuck",
                              details: ["window_variance": v, "reference_variance": r.winsorizedVariance])
    }

    /// The accepted range of a feature: the reference [min, max] widened by `margin`·(max - min) on
    /// each side; the lower bound never goes below 0 for a feature that was never negative.
    public static func acceptedRange(reference r: NumericReference, margin: Double) -> (lower: Double, upper: Double) {
        let width = r.maximum - r.minimum
        var lower = r.minimum - margin * width
        if r.isNonNegative { lower = Swift.max(0, lower) }
        return (lower, r.maximum + margin * width)
    }

    /// Range violations: share of present window values outside `acceptedRange` (±infinity counts
    /// as outside). Alarm when the share >= `rangeMinimumShare` and at least `rangeMinimumCount`
    /// rows are outside: values the reference never came near are not sampling noise.
    public static func rangeViolations(reference r: NumericReference, window w: NumericWindow,
                                       configuration c: QualityConfiguration = .init()) -> DetectorResult {
        let present = w.presentCount
        guard present > 0, r.finiteCount > 0 else {
            return DetectorResult(detector: "range", features: [r.name], statistic: 0, threshold: c.rangeMinimumShare,
                                  alarm: false, indicates: .dataQuality)
        }
        let bounds = acceptedRange(reference: r, margin: c.rangeMargin)
        let outside = w.sorted.withUnsafeBufferPointer { b -> Int in
            let below = MonitorStatistics.countAtMost(b, bounds.lower.nextDown)
            let above = b.count - MonitorStatistics.countAtMost(b, bounds.upper)
            return below + above
        } + w.infiniteCount
        let share = Double(outside) / Double(present)
        let alarm = share >= c.rangeMinimumShare && outside >= c.rangeMinimumCount
        return DetectorResult(detector: "range", features: [r.name], statistic: share, threshold: c.rangeMinimumShare,
                              alarm: alarm, indicates: .dataQuality, subkind: "out_of_range",
                              details: ["outside": Double(outside), "lower": bounds.lower, "upper": bounds.upper])
    }

    /// Duplicated transaction ids in the window: statistic = (rows - distinct ids)/rows. Transaction
    /// ids are unique by contract, so any repeat beyond `duplicateMinimumShare` and
    /// `duplicateMinimumCount` rows alarms. Ids are 64-bit (hash text ids with `streamID`).
    public static func duplicates(ids: [UInt64], configuration c: QualityConfiguration = .init()) -> DetectorResult {
        guard !ids.isEmpty else {
            return DetectorResult(detector: "duplicates", statistic: 0, threshold: c.duplicateMinimumShare,
                                  alarm: false, indicates: .dataQuality)
        }
        var sorted = ids
        sorted.sort()
        var repeats = 0
        sorted.withUnsafeBufferPointer { b in
            for i in 1..<b.count where b[i] == b[i - 1] { repeats += 1 }
        }
        let share = Double(repeats) / Double(ids.count)
        let alarm = share >= c.duplicateMinimumShare && repeats >= c.duplicateMinimumCount
        return DetectorResult(detector: "duplicates", statistic: share, threshold: c.duplicateMinimumShare, alarm: alarm,
                              indicates: .dataQuality, subkind: "duplicates", details: ["repeated_rows": Double(repeats)])
    }
}
