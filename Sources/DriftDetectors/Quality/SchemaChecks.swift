import Foundation
import DriftCore

/// Thresholds of the schema checks (defaults documented in docs/monitors.md).
public struct SchemaConfiguration: Sendable, Equatable {
    /// Per-test significance level.
    public var alpha: Double = 1e-3
    /// Unparseable cells in a numeric column: the share must rise by this much.
    public var parseFailureMinimumEffect: Double = 0.005
    /// Unseen categories: alarm from this share of present rows and `unseenMinimumCount` rows.
    public var unseenMinimumShare: Double = 0.005
    public var unseenMinimumCount: Int = 5
    /// A step change must move the distribution by at least this (KS distance / total variation).
    public var minimumStep: Double = 0.1
    /// A structural explanation (scale factor, swap, offset, permutation) must leave at most this
    /// share of the step unexplained (or no more than sampling noise).
    public var maximumUnexplained: Double = 0.3
    /// The fitted mixture share of the changed encoding must be at least this.
    public var minimumAffectedShare: Double = 0.3
    /// Round factors within this many decades of the best-fitting scale ratio are tried; one must
    /// explain the step by itself for a unit-scale alarm.
    public var roundFactorTolerance: Double = 0.25
    /// Boolean flip: the true-rate must move by at least this (absolute).
    public var flipMinimumEffect: Double = 0.05
    /// Time-zone shift: the hour histogram must move by at least this total variation.
    public var hourMinimumStep: Double = 0.05
    public init() {}
}

/// Schema checks: an upstream encoding change, deterministic from a day on. Each returns a
/// `DetectorResult` indicating `.schemaChange` with a catalog subkind.
public enum SchemaChecks {
    /// Round factors a unit change produces: 10^2 ... 10^6 and the time units 60 and 3600, with
    /// their reciprocals. Ten (and 24) are left out by default: a factor of 10 is about two standard
    /// deviations of a log-amount, where half the rows scaled by 10 and a covariate shift of the
    /// location and spread of a heavy-tailed feature give the same distribution within sampling noise.
    public static let roundFactors: [Double] = {
        var f: [Double] = []
        for e in 2...6 { let p = pow(10, Double(e)); f.append(p); f.append(1 / p) }
        for t in [60.0, 3600] { f.append(t); f.append(1 / t) }
        return f
    }()

    /// Parse failures (a number sent as text): the caller counts cells of a numeric column that did
    /// not parse. One-sided two-proportion z-test against the reference's share, p < alpha and a
    /// rise of at least `parseFailureMinimumEffect`. Subkind "type_change".
    public static func parseFailures(reference r: NumericReference, window w: NumericWindow,
                                     configuration c: SchemaConfiguration = .init()) -> DetectorResult {
        let rule = MonitorStatistics.proportionIncrease(referenceCount: r.unparseableCount, referenceTotal: r.count,
                                                         windowCount: w.unparseableCount, windowTotal: w.count,
                                                         alpha: c.alpha, minimumEffect: c.parseFailureMinimumEffect)
        let share = w.count > 0 ? Double(w.unparseableCount) / Double(w.count) : 0
        let refShare = r.count > 0 ? Double(r.unparseableCount) / Double(r.count) : 0
        return DetectorResult(detector: "parse_failures", features: [r.name], statistic: share, pValue: rule.pValue,
                              threshold: refShare + c.parseFailureMinimumEffect, alarm: rule.alarm,
                              indicates: .schemaChange, subkind: "type_change",
                              details: ["unparseable": Double(w.unparseableCount), "reference_share": refShare])
    }

    /// Unseen categories and cardinality: share of present window rows whose label never occurs in
    /// the reference. Alarm from `unseenMinimumShare` and `unseenMinimumCount` rows. In a fixed
    /// world unseen labels come from a renaming upstream: subkind "category_recode".
    /// Details: reference and window cardinality, new and vanished levels.
    public static func unseenCategories(reference r: CategoricalProfile, window w: CategoricalWindow,
                                        configuration c: SchemaConfiguration = .init()) -> DetectorResult {
        let aligned = align(reference: r, window: w)
        var unseen = 0, newLevels = 0
        for (i, count) in aligned.windowOnly.enumerated() where count > 0 { unseen += count; newLevels += 1; _ = i }
        var vanished = 0, windowDistinct = newLevels, referenceDistinct = 0
        for k in 0..<r.levels.count {
            if r.counts[k] > 0 { referenceDistinct += 1 }
            if aligned.window[k] > 0 { windowDistinct += 1 }
            if r.counts[k] > 0 && aligned.window[k] == 0 && Double(r.counts[k]) / Double(Swift.max(1, r.presentCount)) * Double(w.presentCount) >= 5 {
                vanished += 1
            }
        }
        let share = w.presentCount > 0 ? Double(unseen) / Double(w.presentCount) : 0
        let alarm = share >= c.unseenMinimumShare && unseen >= c.unseenMinimumCount
        return DetectorResult(detector: "unseen_categories", features: [r.name], statistic: share,
                              threshold: c.unseenMinimumShare, alarm: alarm, indicates: .schemaChange,
                              subkind: "category_recode",
                              details: ["new_levels": Double(newLevels), "vanished_levels": Double(vanished),
                                        "reference_cardinality": Double(referenceDistinct),
                                        "window_cardinality": Double(windowDistinct)])
    }

    /// Category remapping among existing labels: the window's label shares moved (total variation
    /// D over labels >= `minimumStep`, chi-squared p < alpha) but the sorted share vectors agree:
    /// D_sorted <= `maximumUnexplained`·D (sorting forgets which label is which, so a permutation of
    /// codes leaves it unchanged, while a real mix change does not). Subkind "category_recode".
    public static func categoryPermutation(reference r: CategoricalProfile, window w: CategoricalWindow,
                                           configuration c: SchemaConfiguration = .init()) -> DetectorResult {
        let aligned = align(reference: r, window: w)
        let n = aligned.window.reduce(0, +)
        guard n > 0, r.presentCount > 0, r.levels.count > 1 else {
            return DetectorResult(detector: "category_permutation", features: [r.name], statistic: 0, pValue: 1,
                                  threshold: c.minimumStep, alarm: false, indicates: .schemaChange)
        }
        let p = r.counts.map { Double($0) / Double(r.presentCount) }
        let q = aligned.window.map { Double($0) / Double(n) }
        let d = MonitorStatistics.totalVariation(p, q)
        let dSorted = MonitorStatistics.totalVariation(p.sorted(by: >), q.sorted(by: >))
        let chi = MonitorStatistics.chiSquareAgainstReference(window: aligned.window, reference: r.counts)
        let noise = MonitorStatistics.noiseTotalVariation(shares: p, rows: n)
        let alarm = chi.pValue < c.alpha && d >= Swift.max(c.minimumStep, 2 * noise) && dSorted <= c.maximumUnexplained * d
        return DetectorResult(detector: "category_permutation", features: [r.name], statistic: d, pValue: chi.pValue,
                              threshold: c.minimumStep, alarm: alarm, indicates: .schemaChange, subkind: "category_recode",
                              details: ["sorted_distance": dSorted, "noise": noise])
    }

    /// Window counts re-indexed by reference level (by name) and counts of window-only labels.
    static func align(reference r: CategoricalProfile, window w: CategoricalWindow) -> (window: [Int], windowOnly: [Int]) {
        var index: [String: Int] = [:]
        for (k, level) in r.levels.enumerated() where index[level] == nil { index[level] = k }
        var aligned = [Int](repeating: 0, count: r.levels.count)
        var only: [Int] = []
        for (k, level) in w.levels.enumerated() {
            if let j = index[level], r.counts[j] > 0 { aligned[j] += w.counts[k] } else { only.append(w.counts[k]) }
        }
        return (aligned, only)
    }

    /// Unit change: a step in the distribution explained by a round scale factor. The step is the KS
    /// distance D between window and reference (on 64 + 64 quantile points). For each scale
    /// k the window CDF is fitted as (1 - a)·F(x) + a·F(x/k) (a share a of rows scaled by k). The best
    /// k over log10 k in ±[0.1, 6] is the scale ratio; a round factor within `roundFactorTolerance`
    /// decades of it must leave a residual sup-distance <= max(`maximumUnexplained`·D, KS noise) with
    /// a >= `minimumAffectedShare`. Also reports the robust ratio of medians. Subkind "unit_scale".
    public static func unitScale(reference r: NumericReference, window w: NumericWindow,
                                 configuration c: SchemaConfiguration = .init()) -> DetectorResult {
        guard w.sorted.count >= 10, r.sketch.count >= 10 else {
            return DetectorResult(detector: "unit_scale", features: [r.name], statistic: 0, threshold: c.minimumStep,
                                  alarm: false, indicates: .schemaChange)
        }
        let points = (MonitorStatistics.gridPoints(sorted: w.sorted, count: 64) + MonitorStatistics.gridPoints(sorted: r.sketch, count: 64))
        let g = MonitorStatistics.ecdf(sorted: w.sorted, at: points)
        let f = MonitorStatistics.ecdf(sorted: r.sketch, at: points)
        var d = 0.0
        for i in 0..<points.count { d = Swift.max(d, Swift.abs(g[i] - f[i])) }
        let critical = MonitorStatistics.ksCritical(alpha: c.alpha, w.sorted.count, r.finiteCount)
        let wMedian = Descriptive.quantile(sorted: w.sorted, 0.5)
        var details: [String: Double] = [:]
        if r.median != 0, r.median.isFinite, wMedian.isFinite { details["median_ratio"] = wMedian / r.median }
        guard d >= Swift.max(c.minimumStep, critical) else {
            return DetectorResult(detector: "unit_scale", features: [r.name], statistic: d, threshold: Swift.max(c.minimumStep, critical),
                                  alarm: false, indicates: .schemaChange, details: details)
        }
        // The scale ratio: best mixture fit over log10(k) in ±[0.1, 6], coarse (0.1) then fine (0.01).
        func fit(_ log10k: Double) -> (share: Double, residual: Double) {
            let h = MonitorStatistics.ecdf(sorted: r.sketch, at: points, scale: pow(10, log10k))
            let m = MonitorStatistics.mixtureFit(target: g, base: f, alternative: h)
            return (m.share, m.supResidual)
        }
        var best = (log10k: 0.0, share: 0.0, residual: d)
        for step in -60...60 where Swift.abs(step) >= 1 {
            let e = Double(step) / 10
            let m = fit(e)
            if m.residual < best.residual { best = (e, m.share, m.residual) }
        }
        if best.log10k != 0 {
            let centre = best.log10k
            for step in -10...10 where step != 0 {
                let e = centre + Double(step) / 100
                guard Swift.abs(e) >= 0.1 else { continue }
                let m = fit(e)
                if m.residual < best.residual { best = (e, m.share, m.residual) }
            }
        }
        let ratio = pow(10, best.log10k)
        let noise = MonitorStatistics.ksCritical(alpha: 0.05, w.sorted.count, r.finiteCount)
        let acceptable = Swift.max(c.maximumUnexplained * d, noise)
        // Round factors near the best ratio must explain the step themselves (small windows give a
        // noisy ratio: 851 for x1000 on 500 rows).
        var chosen: (factor: Double, share: Double, residual: Double)? = nil
        if best.log10k != 0 {
            for k in roundFactors where Swift.abs(log10(k) - best.log10k) <= c.roundFactorTolerance {
                let m = fit(log10(k))
                if m.share >= c.minimumAffectedShare && m.residual <= acceptable && m.residual < (chosen?.residual ?? .infinity) {
                    chosen = (k, m.share, m.residual)
                }
            }
        }
        details["scale_ratio"] = ratio
        details["factor"] = chosen?.factor ?? ratio
        details["affected_share"] = chosen?.share ?? best.share
        details["residual"] = chosen?.residual ?? best.residual
        let alarm = chosen != nil
        return DetectorResult(detector: "unit_scale", features: [r.name], statistic: d, threshold: Swift.max(c.minimumStep, critical),
                              alarm: alarm, indicates: .schemaChange, subkind: "unit_scale",
                              details: details)
    }

    /// Column swap: a feature whose window moved (KS distance D_ii >= max(`minimumStep`, critical))
    /// is fitted as (1 - a)·F_i + a·F_j against every other feature j's reference; a swap is found
    /// when the best j explains the step (residual <= max(`maximumUnexplained`·D_ii, KS noise)) with
    /// a >= `minimumAffectedShare`. A swap moves both columns, so only features j whose own window
    /// moved too are candidates (this keeps a rescaled feature that happens to resemble another
    /// feature from reading as a swap). Returns one result per feature (features [i, j] on alarm).
    /// Uses the internal KS distance, to be replaced by the detectors branch's `ksStatistic`.
    public static func columnSwap(references: [NumericReference], windows: [NumericWindow],
                                  configuration c: SchemaConfiguration = .init()) -> [DetectorResult] {
        let m = Swift.min(references.count, windows.count)
        var results: [DetectorResult] = []
        let usable = (0..<m).map { windows[$0].sorted.count >= 10 && references[$0].sketch.count >= 10 }
        let moved = (0..<m).map { i -> Bool in
            guard usable[i] else { return false }
            let d = MonitorStatistics.ksDistance(sortedA: windows[i].sorted, sortedB: references[i].sketch)
            return d >= Swift.max(c.minimumStep, MonitorStatistics.ksCritical(alpha: c.alpha, windows[i].sorted.count, references[i].finiteCount))
        }
        for i in 0..<m {
            let r = references[i], w = windows[i]
            guard usable[i] else {
                results.append(DetectorResult(detector: "column_swap", features: [r.name], statistic: 0, threshold: c.minimumStep,
                                              alarm: false, indicates: .schemaChange))
                continue
            }
            let dOwn = MonitorStatistics.ksDistance(sortedA: w.sorted, sortedB: r.sketch)
            let critical = MonitorStatistics.ksCritical(alpha: c.alpha, w.sorted.count, r.finiteCount)
            let noise = MonitorStatistics.ksCritical(alpha: 0.05, w.sorted.count, r.finiteCount)
            var best = (j: -1, share: 0.0, residual: Double.infinity, other: 1.0)
            if moved[i] {
                let ownPoints = MonitorStatistics.gridPoints(sorted: w.sorted, count: 64) + MonitorStatistics.gridPoints(sorted: r.sketch, count: 64)
                for j in 0..<m where j != i && moved[j] {
                    let points = ownPoints + MonitorStatistics.gridPoints(sorted: references[j].sketch, count: 64)
                    let g = MonitorStatistics.ecdf(sorted: w.sorted, at: points)
                    let f = MonitorStatistics.ecdf(sorted: r.sketch, at: points)
                    let h = MonitorStatistics.ecdf(sorted: references[j].sketch, at: points)
                    let fit = MonitorStatistics.mixtureFit(target: g, base: f, alternative: h)
                    if fit.supResidual < best.residual {
                        best = (j, fit.share, fit.supResidual, MonitorStatistics.ksDistance(sortedA: w.sorted, sortedB: references[j].sketch))
                    }
                }
            }
            let alarm = best.j >= 0 && best.share >= c.minimumAffectedShare && best.residual <= Swift.max(c.maximumUnexplained * dOwn, noise)
            var details: [String: Double] = ["ks_own_reference": dOwn]
            if best.j >= 0 {
                details["ks_other_reference"] = best.other
                details["affected_share"] = best.share
                details["residual"] = best.residual
            }
            results.append(DetectorResult(detector: "column_swap", features: alarm ? [r.name, references[best.j].name] : [r.name],
                                          statistic: dOwn, threshold: Swift.max(c.minimumStep, critical), alarm: alarm,
                                          indicates: .schemaChange, subkind: "column_swap", details: details))
        }
        return results
    }

    /// Counts of hour-of-day values in 24 bins (floor(v) mod 24; NaN and infinities skipped).
    public static func hourHistogram(_ hours: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: 24)
        hours.withUnsafeBufferPointer { b in
            for v in b where v.isFinite {
                var h = Int(Foundation.floor(v).truncatingRemainder(dividingBy: 24))
                if h < 0 { h += 24 }
                counts[h] += 1
            }
        }
        return counts
    }

    /// Time-zone shift of the hour: the change d = w - r of the hour histogram (shares) is
    /// cross-correlated with shift(r, o) - r for every non-zero offset o (a least-squares fit of
    /// w = (1 - a)·r + a·shift(r, o)); the best offset must explain the step: total variation
    /// D(w, r) >= `hourMinimumStep`, chi-squared p < alpha, a >= `minimumAffectedShare` and
    /// residual <= max(`maximumUnexplained`·D, 1.5·noise). Subkind "timezone"; details "offset_hours".
    public static func timezoneShift(feature: String, referenceHours r: [Int], windowHours w: [Int],
                                     configuration c: SchemaConfiguration = .init()) -> DetectorResult {
        let nr = r.reduce(0, +), nw = w.reduce(0, +)
        guard r.count == 24, w.count == 24, nr > 0, nw > 0 else {
            return DetectorResult(detector: "timezone", features: [feature], statistic: 0, pValue: 1, threshold: c.hourMinimumStep,
                                  alarm: false, indicates: .schemaChange)
        }
        let p = r.map { Double($0) / Double(nr) }, q = w.map { Double($0) / Double(nw) }
        let d = MonitorStatistics.totalVariation(p, q)
        var best = (offset: 0, share: 0.0, residual: d)
        for o in 1..<24 {
            let shifted = (0..<24).map { p[($0 - o + 24) % 24] }
            let fit = MonitorStatistics.mixtureFit(target: q, base: p, alternative: shifted)
            if fit.l1Residual < best.residual { best = (o, fit.share, fit.l1Residual) }
        }
        let chi = MonitorStatistics.chiSquareAgainstReference(window: w, reference: r)
        let noise = MonitorStatistics.noiseTotalVariation(shares: p, rows: nw)
        let alarm = chi.pValue < c.alpha && d >= c.hourMinimumStep && best.offset != 0 && best.share >= c.minimumAffectedShare
            && best.residual <= Swift.max(c.maximumUnexplained * d, 1.5 * noise)
        let signed = best.offset > 12 ? best.offset - 24 : best.offset
        return DetectorResult(detector: "timezone", features: [feature], statistic: d, pValue: chi.pValue, threshold: c.hourMinimumStep,
                              alarm: alarm, indicates: .schemaChange, subkind: "timezone",
                              details: ["offset_hours": Double(signed), "affected_share": best.share, "residual": best.residual])
    }

    /// Inverted boolean: with reference true-rate p and window rate q, a flipped share a of rows
    /// gives q = p + a(1 - 2p), so a = (q - p)/(1 - 2p). Alarm when the two-sided two-proportion
    /// z-test gives p < alpha, |q - p| >= `flipMinimumEffect` and a >= `minimumAffectedShare`
    /// (needs |1 - 2p| >= 0.2: a balanced boolean cannot show a flip). Statistic a; subkind "boolean_flip".
    public static func booleanFlip(feature: String, referenceTrue x1: Int, referencePresent n1: Int,
                                   windowTrue x2: Int, windowPresent n2: Int,
                                   configuration c: SchemaConfiguration = .init()) -> DetectorResult {
        guard n1 > 0, n2 > 0 else {
            return DetectorResult(detector: "boolean_flip", features: [feature], statistic: 0, pValue: 1,
                                  threshold: c.minimumAffectedShare, alarm: false, indicates: .schemaChange)
        }
        let p = Double(x1) / Double(n1), q = Double(x2) / Double(n2)
        let test = MonitorStatistics.twoProportionZTest(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
        let identifiable = Swift.abs(1 - 2 * p) >= 0.2
        let a = identifiable ? (q - p) / (1 - 2 * p) : 0
        let alarm = identifiable && test.pValue < c.alpha && Swift.abs(q - p) >= c.flipMinimumEffect && a >= c.minimumAffectedShare
        return DetectorResult(detector: "boolean_flip", features: [feature], statistic: a, pValue: test.pValue,
                              threshold: c.minimumAffectedShare, alarm: alarm, indicates: .schemaChange, subkind: "boolean_flip",
                              details: ["reference_rate": p, "window_rate": q])
    }

    /// Inverted boolean from raw 0/1 columns (values > 0.5 count as true; NaN skipped).
    public static func booleanFlip(feature: String, reference: [Double], window: [Double],
                                   configuration c: SchemaConfiguration = .init()) -> DetectorResult {
        let a = trueCount(reference), b = trueCount(window)
        return booleanFlip(feature: feature, referenceTrue: a.trues, referencePresent: a.present,
                           windowTrue: b.trues, windowPresent: b.present, configuration: c)
    }

    static func trueCount(_ x: [Double]) -> (trues: Int, present: Int) {
        var t = 0, n = 0
        x.withUnsafeBufferPointer { b in for v in b where !v.isNaN { n += 1; if v > 0.5 { t += 1 } } }
        return (t, n)
    }
}
