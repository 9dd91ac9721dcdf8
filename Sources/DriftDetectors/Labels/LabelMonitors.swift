import Foundation
import DriftCore
import DriftModels

/// A scored log with chargeback arrival, as a monitoring team holds it: per row the transaction
/// day (its cohort), the calibrated score, and the day its chargeback arrived (`never` when none
/// arrived in the data). A row is an alert when score >= threshold.
///
/// No-peeking rule: every monitor takes the monitoring day `t` and uses only rows with day <= t and
/// chargebacks with arrival day <= t; a chargeback that arrives later is, on day t, an unlabelled row.
public struct LabelledLog: Sendable, Equatable {
    public static let never = Int32.max
    public var days: [Int32]
    public var scores: [Double]
    public var reportDays: [Int32]
    public var threshold: Double
    /// Optional feature slices (`FeatureSlices`): per row, bit j set where the row is in slice 1 of
    /// `sliceFeatures[j]`; empty when the log carries no features (the slice check then stays silent).
    public var sliceFeatures: [String]
    public var slices: [UInt32]

    public init(days: [Int32], scores: [Double], reportDays: [Int32], threshold: Double,
                sliceFeatures: [String] = [], slices: [UInt32] = []) {
        self.days = days; self.scores = scores; self.reportDays = reportDays; self.threshold = threshold
        self.sliceFeatures = sliceFeatures; self.slices = slices
    }

    /// Rows usable at all (the three columns' common length).
    public var count: Int { Swift.min(days.count, scores.count, reportDays.count) }
}

/// Realised performance of one cohort range on the labels that had arrived by day t.
public struct RealisedPerformance: Sendable, Equatable {
    /// Cohort days covered (first ... last), and the monitoring day.
    public var firstDay: Int32
    public var lastDay: Int32
    public var asOf: Int32
    public var rows: Int
    public var alerts: Int
    /// Chargebacks arrived by t (known frauds) and those among alerts.
    public var arrivedFrauds: Int
    public var alertedFrauds: Int
    public var recall: Double
    public var recallInterval: (lower: Double, upper: Double)
    public var precision: Double
    public var precisionInterval: (lower: Double, upper: Double)
    /// ROC AUC with arrived chargebacks as positives, every other row negative (nil with one class).
    public var auc: Double?
    /// Calibration: arrived frauds against Σ scores (expected frauds).
    public var observed: Int
    public var expected: Double
    /// Fraud rate among rows with its Wilson interval (meaningful on matured cohorts).
    public var fraudRate: Double
    public var fraudRateInterval: (lower: Double, upper: Double)
    /// All covered cohorts are at least the chargeback window old.
    public var matured: Bool

    public static func == (a: RealisedPerformance, b: RealisedPerformance) -> Bool {
        a.firstDay == b.firstDay && a.lastDay == b.lastDay && a.asOf == b.asOf && a.rows == b.rows && a.alerts == b.alerts
            && a.arrivedFrauds == b.arrivedFrauds && a.alertedFrauds == b.alertedFrauds && a.auc == b.auc
            && a.observed == b.observed && a.expected == b.expected && a.matured == b.matured
            && a.recall == b.recall && a.precision == b.precision
    }
}

/// What the label monitors learn from the reference log (where every label has matured): the
/// arrival curve, the reporting ratio and the model's realised vs label-free recall.
public struct LabelReference: Sendable, Equatable {
    /// coverage[a]: share of eventually reported frauds reported within a days (a = 0 ... window).
    public let coverage: [Double]
    /// Reported frauds per expected fraud (Σ scores): below 1 when some frauds are never charged back.
    public let reportRatio: Double
    public let realisedRecall: Double
    public let expectedRecall: Double
    public let fraudRate: Double
    public let rows: Int
    public let frauds: Int
    public let chargebackWindow: Int
    /// The reference's reported frauds by band of calibrated score (its score deciles, 95th and 99th
    /// percentiles), for the score-band calibration check.
    public let bands: ScoreBands
    /// Its reported frauds by feature slice within those bands (nil when the log has no slices).
    public let slices: SliceReference?

    /// Fits on the reference rows using only chargebacks arrived by `asOf` (the reference should
    /// be older than the chargeback window so that its labels have matured). `hits`: each row's
    /// alert flag when the rows were scored by several models with thresholds of their own (the
    /// out-of-fold rows of cross-fitted fold models, docs/lab.md); nil = score >= `log.threshold`.
    public init(log: LabelledLog, asOf t: Int32, chargebackWindow: Int = 120, hits: [Bool]? = nil) {
        self.chargebackWindow = Swift.min(3_650, Swift.max(1, chargebackWindow))  // at most ten years of curve
        var delays = [Int](repeating: 0, count: self.chargebackWindow + 1)
        var frauds = 0, rows = 0, alertedFrauds = 0
        var sumScores = 0.0, expectedTP = 0.0
        var clipped: [Double] = [], reported: [Bool] = [], bits: [UInt32] = []
        let sliced = !log.sliceFeatures.isEmpty && log.slices.count >= log.count
        for i in 0..<log.count where log.days[i] <= t && log.scores[i].isFinite {
            rows += 1
            if sliced { bits.append(log.slices[i]) }
            let s = Swift.min(1, Swift.max(0, log.scores[i]))
            clipped.append(s)
            reported.append(log.reportDays[i] != LabelledLog.never && log.reportDays[i] <= t)
            sumScores += s
            let alert = hits.map { i < $0.count && $0[i] } ?? (log.scores[i] >= log.threshold)
            if alert { expectedTP += s }
            let r = log.reportDays[i]
            if r != LabelledLog.never && r <= t {
                frauds += 1
                if alert { alertedFrauds += 1 }
                let d = Swift.min(self.chargebackWindow, Swift.max(0, Int(r) - Int(log.days[i])))
                delays[d] += 1
            }
        }
        var running = 0
        coverage = delays.map { running += $0; return frauds > 0 ? Double(running) / Double(frauds) : 1 }
        reportRatio = sumScores > 0 ? Double(frauds) / sumScores : 1
        realisedRecall = frauds > 0 ? Double(alertedFrauds) / Double(frauds) : 0
        expectedRecall = sumScores > 0 ? expectedTP / sumScores : 0
        fraudRate = rows > 0 ? Double(frauds) / Double(rows) : 0
        self.rows = rows
        self.frauds = frauds
        bands = ScoreBands(scores: clipped, reported: reported)
        let bands = self.bands
        slices = sliced ? SliceReference(features: log.sliceFeatures, bits: bits, bandOf: clipped.map { bands.band(of: $0) },
                                         reported: reported, bands: bands.rows.count) : nil
    }

    /// Coverage at a cohort age (1 beyond the window, 0 for negative ages).
    public func coverage(age: Int) -> Double {
        if age < 0 { return 0 }
        return coverage[Swift.min(age, coverage.count - 1)]
    }

    /// The smallest age at which coverage reaches `share`.
    public func age(reaching share: Double) -> Int {
        coverage.firstIndex { $0 >= share } ?? chargebackWindow
    }

    /// Median reporting delay of the reference's reported frauds, in days.
    public var medianDelay: Int { age(reaching: 0.5) }
}

/// Bands of calibrated score cut at the reference's score quantiles, with the reference's rows and
/// reported frauds in each: what the score-band calibration check compares production against.
public struct ScoreBands: Sendable, Equatable {
    /// The deciles, then the 95th and 99th percentiles: most frauds score in the top decile.
    public static let defaultQuantiles: [Double] = (1...9).map { Double($0) / 10 } + [0.95, 0.99]
    /// Ascending cut points; band b holds the scores s with edges[b - 1] <= s < edges[b].
    public let edges: [Double]
    public let rows: [Int]
    public let frauds: [Int]
    /// Σ s and Σ s² of the band's calibrated scores: the mean score is the model's risk scale, and
    /// Σ s²/Σ s the mean score of the band's frauds (what a prior shift's odds factor acts on).
    public let scoreSums: [Double]
    public let squareSums: [Double]

    /// Cuts at the given quantiles (ascending) of `scores`, each the order statistic x_(⌊p·n⌋) (0-based),
    /// a score itself, so every band holds at least its own cut point; equal cuts merge.
    public init(scores: [Double], reported: [Bool], quantiles: [Double] = ScoreBands.defaultQuantiles) {
        let sorted = RadixSort.sortedDroppingNaN(scores).sorted
        var edges: [Double] = []
        for p in quantiles where !sorted.isEmpty && p.isFinite {
            let q = sorted[Swift.min(sorted.count - 1, Int(Swift.min(1, Swift.max(0, p)) * Double(sorted.count)))]
            if q > sorted[0] && q > (edges.last ?? -.infinity) { edges.append(q) }
        }
        self.edges = edges
        var rows = [Int](repeating: 0, count: edges.count + 1), frauds = rows
        var scoreSums = [Double](repeating: 0, count: edges.count + 1), squareSums = scoreSums
        for (s, y) in zip(scores, reported) where !s.isNaN {
            let b = Self.band(s, edges: edges)
            rows[b] += 1
            scoreSums[b] += s
            squareSums[b] += s * s
            if y { frauds[b] += 1 }
        }
        self.rows = rows; self.frauds = frauds; self.scoreSums = scoreSums; self.squareSums = squareSums
    }

    /// The band of score s: the number of cut points at or below it.
    public func band(of s: Double) -> Int { Self.band(s, edges: edges) }

    static func band(_ s: Double, edges: [Double]) -> Int {
        edges.withUnsafeBufferPointer { MonitorStatistics.countAtMost($0, s) }
    }
}

/// Thresholds of the label monitors (defaults documented in docs/monitors.md).
public struct LabelConfiguration: Sendable, Equatable {
    public var alpha: Double = 1e-3
    /// Latency: mean truncated-PIT must exceed 0.5 by this much.
    public var latencyMinimumEffect: Double = 0.05
    /// Coverage: observed/expected arrivals must fall below 1 - this.
    public var coverageMinimumDrop: Double = 0.25
    /// Outage: at least this many days without any chargeback.
    public var outageMinimumDays: Int = 3
    /// Cohorts used for recall/calibration comparisons: those whose reference coverage reached this.
    public var maturedCoverage: Double = 0.8
    /// Concept drift: realised recall must fall this far below the label-free expectation.
    public var recallMinimumGap: Double = 0.05
    /// Concept drift reads cohorts aged from this many days up to the chargeback window, each one's
    /// label-free recall weighted by its reference arrival coverage (docs/detectors.md, "realised
    /// recall"); nil reads only cohorts whose coverage reached `maturedCoverage` (the former rule).
    public var conceptMinimumAge: Int? = 1
    /// ... and cohorts at most this many days old (nil: the chargeback window).
    public var conceptLookback: Int? = nil
    /// The first cohort those checks read: a log that also holds the reference's own rows (the lab's,
    /// for the arrival curve) must not count them on the production side of a comparison with it.
    public var firstCohort: Int32 = .min
    /// Score-band calibration: the arrived frauds' share over the score bands must move at least this
    /// far (total variation) from what the reference's band rates predict.
    public var bandMinimumShift: Double = 0.02
    /// Slice calibration: a feature's slices must change their fraud odds against each other by at
    /// least this factor (either way).
    public var sliceMinimumOddsRatio: Double = 1.25
    /// Calibration / matured fraud rate: observed/expected outside 1 ± this.
    public var calibrationRelativeEffect: Double = 0.25
    /// Variance inflation (design effect, >= 1) of fraud counts: frauds come in bursts on one card,
    /// so counts (and the recall over them) vary E[K²]/E[K] times more than independent rows would
    /// (K = frauds per card and burst). 1 = independent; the lab measures it on the reference.
    public var dispersion: Double = 1
    /// √dispersion, the factor every z statistic of counts of frauds is divided by.
    var dispersionScale: Double { Swift.max(1, dispersion).squareRoot() }
    /// Variance inflation of a recall (alerted frauds among frauds) under clustering; nil = `dispersion`.
    /// A burst's frauds share a card but not all their scores, so it is usually below the count's.
    public var recallDispersion: Double? = nil
    var recallDispersionScale: Double { Swift.max(1, recallDispersion ?? dispersion).squareRoot() }
    public init() {}
}

/// Monitors of labels: realised performance per cohort, matured fraud rate, label arrival
/// (latency, coverage, outage) and the concept-drift comparison of realised vs label-free recall.
public enum LabelMonitors {
    /// Realised performance of cohorts `firstDay...lastDay` on labels arrived by `t` (cohorts after
    /// t are ignored). Recall = alerted arrived frauds / arrived frauds; precision = alerted arrived
    /// frauds / alerts; Wilson 95 % intervals.
    public static func realised(log: LabelledLog, asOf t: Int32, firstDay: Int32, lastDay: Int32,
                                chargebackWindow: Int = 120) -> RealisedPerformance {
        let last = Swift.min(lastDay, t)
        var rows: [Int] = []
        for i in 0..<log.count where log.days[i] >= firstDay && log.days[i] <= last { rows.append(i) }
        return performance(log: log, rows: rows, asOf: t, firstDay: firstDay, lastDay: last, chargebackWindow: chargebackWindow)
    }

    /// Metrics over the given rows (all of whose days are <= t).
    static func performance(log: LabelledLog, rows indices: [Int], asOf t: Int32, firstDay: Int32, lastDay last: Int32,
                            chargebackWindow: Int) -> RealisedPerformance {
        var rows = 0, alerts = 0, frauds = 0, alertedFrauds = 0
        var expected = 0.0
        var scores: [Double] = [], labels: [Bool] = []
        scores.reserveCapacity(indices.count); labels.reserveCapacity(indices.count)
        for i in indices where log.scores[i].isFinite {
            let s = log.scores[i]
            let arrived = log.reportDays[i] != LabelledLog.never && log.reportDays[i] <= t
            rows += 1
            expected += Swift.min(1, Swift.max(0, s))
            let alert = s >= log.threshold
            if alert { alerts += 1 }
            if arrived { frauds += 1; if alert { alertedFrauds += 1 } }
            scores.append(s); labels.append(arrived)
        }
        return RealisedPerformance(
            firstDay: firstDay, lastDay: last, asOf: t, rows: rows, alerts: alerts, arrivedFrauds: frauds, alertedFrauds: alertedFrauds,
            recall: frauds > 0 ? Double(alertedFrauds) / Double(frauds) : 0,
            recallInterval: MonitorStatistics.wilsonInterval(successes: alertedFrauds, trials: frauds),
            precision: alerts > 0 ? Double(alertedFrauds) / Double(alerts) : 0,
            precisionInterval: MonitorStatistics.wilsonInterval(successes: alertedFrauds, trials: alerts),
            auc: Self.rocAUC(scores: scores, arrived: labels), observed: frauds, expected: expected,
            fraudRate: rows > 0 ? Double(frauds) / Double(rows) : 0,
            fraudRateInterval: MonitorStatistics.wilsonInterval(successes: frauds, trials: rows),
            matured: Int(t) - Int(last) >= chargebackWindow)
    }

    /// One `RealisedPerformance` per cohort day from max(firstDay, the log's first day) to
    /// min(lastDay, t), rows bucketed by day in one pass over the log.
    public static func perCohort(log: LabelledLog, asOf t: Int32, firstDay: Int32, lastDay: Int32,
                                 chargebackWindow: Int = 120) -> [RealisedPerformance] {
        let last = Swift.min(lastDay, t)
        guard firstDay <= last else { return [] }
        // Cohorts before the log's first day are empty: start there (keeps a wide request cheap).
        var earliest = last
        for d in log.days.prefix(log.count) where d >= firstDay && d < earliest { earliest = d }
        let firstDay = Swift.max(firstDay, earliest)
        let span = Int(last) - Int(firstDay) + 1
        var buckets = [[Int]](repeating: [], count: span)
        for i in 0..<log.count {
            let d = log.days[i]
            if d >= firstDay && d <= last { buckets[Int(d) - Int(firstDay)].append(i) }
        }
        return (0..<span).map { k in
            let day = Int32(clamping: Int(firstDay) + k)
            return performance(log: log, rows: buckets[k], asOf: t, firstDay: day, lastDay: day, chargebackWindow: chargebackWindow)
        }
    }

    /// Fraud rate on matured labels (cohorts at least the chargeback window old on day t, within
    /// `lookbackDays` of that age) against the reference's: two-sided two-proportion z-test, p < alpha
    /// and ratio outside 1 ± `calibrationRelativeEffect`. Indicates `.priorShift`.
    public static func maturedFraudRate(log: LabelledLog, asOf t: Int32, reference: LabelReference, lookbackDays: Int = 28,
                                        configuration c: LabelConfiguration = .init()) -> DetectorResult {
        let last = Int32(clamping: Int(t) - reference.chargebackWindow)
        let first = Int32(clamping: Int(last) - lookbackDays + 1)
        let perf = realised(log: log, asOf: t, firstDay: first, lastDay: last, chargebackWindow: reference.chargebackWindow)
        let test = MonitorStatistics.twoProportionZTest(successes1: reference.frauds, trials1: reference.rows,
                                                        successes2: perf.arrivedFrauds, trials2: perf.rows)
        let pValue = Swift.min(1, 2 * SpecialFunctions.normalSurvival(Swift.abs(test.z) / c.dispersionScale))
        let ratio = reference.fraudRate > 0 ? perf.fraudRate / reference.fraudRate : 0
        let alarm = perf.rows > 0 && reference.fraudRate > 0 && pValue < c.alpha && Swift.abs(ratio - 1) >= c.calibrationRelativeEffect
        return DetectorResult(detector: "matured_fraud_rate", features: ["label"], statistic: perf.fraudRate, pValue: pValue,
                              threshold: reference.fraudRate, alarm: alarm, indicates: .priorShift,
                              subkind: ratio > 1 ? "fraud_wave" : "fraud_drop",
                              details: ["ratio": ratio, "rows": Double(perf.rows), "ci_lower": perf.fraudRateInterval.lower,
                                        "ci_upper": perf.fraudRateInterval.upper])
    }

    /// Per-cohort sums on day t for cohorts t - window ... t: rows, Σ scores, alerts, expected TP.
    struct CohortSums {
        var first: Int32
        var scoreSum: [Double]
        var expectedTP: [Double]
    }

    static func cohortSums(log: LabelledLog, asOf t: Int32, window: Int) -> CohortSums {
        let first = Int32(clamping: Int(t) - window)
        var sums = CohortSums(first: first, scoreSum: [Double](repeating: 0, count: window + 1),
                              expectedTP: [Double](repeating: 0, count: window + 1))
        for i in 0..<log.count {
            let d = log.days[i]
            guard d >= first, d <= t, log.scores[i].isFinite else { continue }
            let s = Swift.min(1, Swift.max(0, log.scores[i]))
            let k = Int(d) - Int(first)
            sums.scoreSum[k] += s
            if s >= log.threshold { sums.expectedTP[k] += s }
        }
        return sums
    }

    /// Latency of chargebacks (subkind "slower"): for each chargeback arrived by t from a cohort of
    /// age A in 1 ... window, with delay d, u = (cov(d-1) + cov(d))/2 / cov(A) is about Uniform(0, 1)
    /// under the reference arrival curve truncated at the cohort's age (a mid-p probability
    /// integral transform), whatever the fraud prior. Slower arrival pushes u up: one-sided z-test
    /// of mean(u) against 1/2 with variance 1/(12m), p < alpha and mean(u) - 1/2 >= `latencyMinimumEffect`.
    public static func latency(log: LabelledLog, asOf t: Int32, reference: LabelReference,
                               configuration c: LabelConfiguration = .init()) -> DetectorResult {
        let window = reference.chargebackWindow
        var sum = 0.0, m = 0
        var delays: [Double] = []
        for i in 0..<log.count {
            let r = log.reportDays[i], d = log.days[i]
            guard r != LabelledLog.never, r <= t, d <= t else { continue }
            let age = Int(t) - Int(d)
            guard age >= 1, age <= window else { continue }
            let delay = Swift.max(0, Int(r) - Int(d))
            let top = reference.coverage(age: age)
            guard top > 0 else { continue }
            let u = 0.5 * (reference.coverage(age: delay - 1) + reference.coverage(age: delay)) / top
            sum += Swift.min(1, u); m += 1
            delays.append(Double(delay))
        }
        guard m > 0 else {
            return DetectorResult(detector: "label_latency", features: ["label"], statistic: 0.5, pValue: 1,
                                  threshold: 0.5 + c.latencyMinimumEffect, alarm: false, indicates: .labelDelay,
                                  details: ["arrived": 0])
        }
        let mean = sum / Double(m)
        let z = (mean - 0.5) / (1 / (12 * Double(m))).squareRoot()
        let p = SpecialFunctions.normalSurvival(z)
        return DetectorResult(detector: "label_latency", features: ["label"], statistic: mean, pValue: p,
                              threshold: 0.5 + c.latencyMinimumEffect, alarm: p < c.alpha && mean - 0.5 >= c.latencyMinimumEffect,
                              indicates: .labelDelay, subkind: "slower",
                              details: ["arrived": Double(m), "median_delay_days": Descriptive.medianIgnoringNaN(delays),
                                        "reference_median_delay_days": Double(reference.medianDelay)])
    }

    /// Coverage by cohort age (subkind "coverage_drop"): observed chargebacks arrived by t from
    /// cohorts aged 1 ... window against the expectation E = Σ_c (Σ scores in c)·reportRatio·cov(t - c)
    /// from the reference curve. One-sided Poisson z = (O - E)/sqrt(E), p < alpha and
    /// O/E <= 1 - `coverageMinimumDrop`.
    public static func coverage(log: LabelledLog, asOf t: Int32, reference: LabelReference,
                                configuration c: LabelConfiguration = .init()) -> DetectorResult {
        let window = reference.chargebackWindow
        let sums = cohortSums(log: log, asOf: t, window: window)
        var expected = 0.0
        for k in 0..<sums.scoreSum.count {
            let age = Int(t) - (Int(sums.first) + k)
            if age >= 1 { expected += sums.scoreSum[k] * reference.reportRatio * reference.coverage(age: age) }
        }
        var observed = 0
        for i in 0..<log.count {
            let r = log.reportDays[i], d = log.days[i]
            guard r != LabelledLog.never, r <= t, d <= t else { continue }
            let age = Int(t) - Int(d)
            if age >= 1 && age <= window && log.scores[i].isFinite { observed += 1 }
        }
        let ratio = expected > 0 ? Double(observed) / expected : 1
        // No design effect: delays are drawn per fraud, so a burst's chargebacks spread over weeks.
        let z = expected > 0 ? (Double(observed) - expected) / expected.squareRoot() : 0
        let p = SpecialFunctions.normalCDF(z)
        return DetectorResult(detector: "label_coverage", features: ["label"], statistic: ratio, pValue: p,
                              threshold: 1 - c.coverageMinimumDrop, alarm: expected > 0 && p < c.alpha && ratio <= 1 - c.coverageMinimumDrop,
                              indicates: .labelDelay, subkind: "coverage_drop",
                              details: ["observed": Double(observed), "expected": expected])
    }

    /// Outage (subkind "outage"): Q = days since the last chargeback arrived (by t); the expected
    /// arrivals in those quiet days from the reference curve are
    /// E = Σ_c (Σ scores in c)·reportRatio·(cov(t - c) - cov(t - Q - c)); with none observed the
    /// Poisson p-value is exp(-E). Alarm when Q >= `outageMinimumDays` and p < alpha.
    public static func outage(log: LabelledLog, asOf t: Int32, reference: LabelReference,
                              configuration c: LabelConfiguration = .init()) -> DetectorResult {
        let window = reference.chargebackWindow
        var lastArrival = Int32.min
        for i in 0..<log.count {
            let r = log.reportDays[i]
            if r != LabelledLog.never && r <= t && log.days[i] <= t && r > lastArrival { lastArrival = r }
        }
        let sums = cohortSums(log: log, asOf: t, window: window)
        let earliest = Int(sums.first)
        let quiet = lastArrival == Int32.min ? window : Swift.min(window, Int(t) - Int(lastArrival))
        var expected = 0.0
        for k in 0..<sums.scoreSum.count {
            let cohort = earliest + k
            let now = reference.coverage(age: Int(t) - cohort), before = reference.coverage(age: Int(t) - quiet - cohort)
            expected += sums.scoreSum[k] * reference.reportRatio * Swift.max(0, now - before)
        }
        let p = exp(-expected)
        return DetectorResult(detector: "label_outage", features: ["label"], statistic: Double(quiet), pValue: p,
                              threshold: Double(c.outageMinimumDays), alarm: quiet >= c.outageMinimumDays && p < c.alpha,
                              indicates: .labelDelay, subkind: "outage", details: ["expected_arrivals": expected])
    }

    /// The label-arrival reading in one result: outage when the feed is silent, else slower when
    /// latency moved, else coverage_drop when fewer chargebacks arrive than the curve predicts.
    public static func labelArrival(log: LabelledLog, asOf t: Int32, reference: LabelReference,
                                    configuration c: LabelConfiguration = .init()) -> DetectorResult {
        let o = outage(log: log, asOf: t, reference: reference, configuration: c)
        if o.alarm { return o }
        let l = latency(log: log, asOf: t, reference: reference, configuration: c)
        if l.alarm { return l }
        return coverage(log: log, asOf: t, reference: reference, configuration: c)
    }

    /// Cohorts whose labels are mature enough on day t: aged from the age where the reference
    /// coverage reaches `maturedCoverage` up to the chargeback window.
    static func maturedRange(asOf t: Int32, reference: LabelReference, configuration c: LabelConfiguration) -> (first: Int32, last: Int32) {
        let youngest = reference.age(reaching: c.maturedCoverage)
        return (Int32(clamping: Int(t) - reference.chargebackWindow), Int32(clamping: Int(t) - youngest))
    }

    /// Cohorts the recall gap reads on day t: aged `conceptMinimumAge` ... chargeback window (or the
    /// mature-enough range when that is nil).
    static func conceptRange(asOf t: Int32, reference: LabelReference, configuration c: LabelConfiguration) -> (first: Int32, last: Int32) {
        guard let age = c.conceptMinimumAge else { return maturedRange(asOf: t, reference: reference, configuration: c) }
        let oldest = Swift.min(reference.chargebackWindow, Swift.max(0, c.conceptLookback ?? reference.chargebackWindow))
        return (Swift.max(c.firstCohort, Int32(clamping: Int(t) - oldest)), Int32(clamping: Int(t) - Swift.max(0, age)))
    }

    /// Concept drift: on the cohorts aged `conceptMinimumAge` ... chargeback window, realised recall on
    /// the chargebacks arrived by t against r* = min(label-free (CBPE) expected recall of the same rows,
    /// each weighted by its cohort's reference coverage cov(age), scaled by the reference's
    /// realised/expected ratio; the reference's realised recall): below what a covariate shift (CBPE)
    /// or a prior shift (unchanged class-conditional recall) would give. A young cohort's arrived
    /// frauds are a fair sample of its frauds when the delay does not depend on the score, and a row
    /// of score s is an arrived fraud with probability s·cov(age), hence the weights. The young
    /// cohorts add the most recent frauds (10–15 % more at fast labels; docs/detectors.md). One-sided
    /// z = (r̂ - r*)/sqrt(D·r*(1-r*)·(1/m + 1/m_ref)) over m arrived frauds and the m_ref reference
    /// frauds the target was measured on (a recall drop pages, a rise does not); alarm when p < alpha and
    /// r* - r̂ >= `recallMinimumGap`. Indicates `.conceptDrift`. Details: the calibration ratio
    /// observed/(expected·reportRatio·coverage).
    public static func conceptDrift(log: LabelledLog, asOf t: Int32, reference: LabelReference,
                                    configuration c: LabelConfiguration = .init()) -> DetectorResult {
        let range = conceptRange(asOf: t, reference: reference, configuration: c)
        var m = 0, hit = 0
        var sumS = 0.0, tpS = 0.0, expectedArrived = 0.0
        for i in 0..<log.count {
            let d = log.days[i]
            guard d >= range.first, d <= range.last, log.scores[i].isFinite else { continue }
            let s = Swift.min(1, Swift.max(0, log.scores[i]))
            let w = reference.coverage(age: Int(t) - Int(d))
            sumS += w * s
            if s >= log.threshold { tpS += w * s }
            expectedArrived += s * reference.reportRatio * w
            let r = log.reportDays[i]
            if r != LabelledLog.never && r <= t { m += 1; if log.scores[i] >= log.threshold { hit += 1 } }
        }
        let expectedRecall = sumS > 0 ? tpS / sumS : 0
        let scale = reference.expectedRecall > 0 ? reference.realisedRecall / reference.expectedRecall : 1
        // The recall either benign explanation predicts: a covariate shift moves it as CBPE says; a
        // prior shift keeps P(score | fraud) and so the reference's realised recall. Concept drift
        // is realised recall below both.
        let target = Swift.min(1, expectedRecall * scale, reference.realisedRecall)
        guard m > 0, target > 0, target < 1 else {
            return DetectorResult(detector: "concept_recall_gap", features: ["label"], statistic: 0, pValue: 1,
                                  threshold: target - c.recallMinimumGap, alarm: false, indicates: .conceptDrift,
                                  details: ["arrived": Double(m)])
        }
        let realised = Double(hit) / Double(m)
        // The target carries the reference's own sampling error (its realised recall, or the
        // realised/expected scale, from m_ref reference frauds): Var(r̂ - r*) = D·r*(1 - r*)·(1/m + 1/m_ref).
        let unitVariance = 1 / Double(m) + 1 / Double(Swift.max(1, reference.frauds))
        let z = (realised - target) / (target * (1 - target) * unitVariance).squareRoot() / c.recallDispersionScale
        let p = SpecialFunctions.normalCDF(z)
        let interval = MonitorStatistics.wilsonInterval(successes: hit, trials: m)
        return DetectorResult(detector: "concept_recall_gap", features: ["label"], statistic: realised, pValue: p,
                              threshold: target - c.recallMinimumGap,
                              alarm: p < c.alpha && target - realised >= c.recallMinimumGap, indicates: .conceptDrift,
                              details: ["expected_recall": target, "cbpe_recall": expectedRecall * scale, "arrived": Double(m), "ci_lower": interval.lower,
                                        "ci_upper": interval.upper,
                                        "calibration_ratio": expectedArrived > 0 ? Double(m) / expectedArrived : 1])
    }

    /// Calibration on mature-enough cohorts: observed chargebacks O against the expectation
    /// E = Σ s_i·reportRatio·cov(age) from the calibrated scores; two-sided Poisson z = (O - E)/sqrt(φ·E·(1 + E/m_ref)),
    /// the reference's report ratio carrying the error of its m_ref frauds;
    /// p < alpha and O/E outside 1 ± `calibrationRelativeEffect`. Indicates `.conceptDrift`
    /// (a prior shift moves it too: read it with BBSE).
    public static func calibration(log: LabelledLog, asOf t: Int32, reference: LabelReference,
                                   configuration c: LabelConfiguration = .init()) -> DetectorResult {
        let range = maturedRange(asOf: t, reference: reference, configuration: c)
        var observed = 0
        var expected = 0.0
        for i in 0..<log.count {
            let d = log.days[i]
            guard d >= range.first, d <= range.last, log.scores[i].isFinite else { continue }
            expected += Swift.min(1, Swift.max(0, log.scores[i])) * reference.reportRatio * reference.coverage(age: Int(t) - Int(d))
            let r = log.reportDays[i]
            if r != LabelledLog.never && r <= t { observed += 1 }
        }
        guard expected > 0 else {
            return DetectorResult(detector: "calibration", features: ["label"], statistic: 1, pValue: 1,
                                  threshold: c.calibrationRelativeEffect, alarm: false, indicates: .conceptDrift)
        }
        let ratio = Double(observed) / expected
        // E scales with the reference's report ratio, measured on m_ref reference frauds: its relative
        // error adds, Var(O - E) = φ·(E + E²/m_ref).
        let variance = expected * (1 + expected / Double(Swift.max(1, reference.frauds)))
        let z = (Double(observed) - expected) / variance.squareRoot() / c.dispersionScale
        let p = Swift.min(1, 2 * SpecialFunctions.normalSurvival(Swift.abs(z)))
        return DetectorResult(detector: "calibration", features: ["label"], statistic: ratio, pValue: p,
                              threshold: c.calibrationRelativeEffect,
                              alarm: p < c.alpha && Swift.abs(ratio - 1) >= c.calibrationRelativeEffect, indicates: .conceptDrift,
                              details: ["observed": Double(observed), "expected": expected])
    }
}

extension LabelMonitors {
    /// Score-band calibration (concept drift where the model looks): on the cohorts aged
    /// `conceptMinimumAge` ... chargeback window, the chargebacks arrived by t in each band of score
    /// (the reference's deciles, 95th and 99th percentiles) against the reference's reported frauds in
    /// the same band. Production band b has exposure W_b = Σ cov(age) over its rows and O_b arrivals,
    /// the reference N_b rows and F_b frauds. Given T_b = F_b + O_b, O_b is binomial with
    /// logit π_b = ln(W_b/N_b) + γ - ln(1 + (k - 1)·q_b) + β·x_b: γ takes slower or fewer chargebacks and
    /// any common change of rate; k is a prior shift's odds factor, which raises a band's fraud rate by
    /// k/(1 + (k - 1)·q_b), q_b the band's mean fraud score (Σ s²/Σ s), so less in the top bands; a
    /// covariate shift moves the W_b. The test is the likelihood ratio of β = 0 (x_b the log of the band's
    /// mean reference score; 1 degree of freedom, one-sided: β < 0, frauds slipping toward scores the
    /// model calls safe, as new fraud in a region it scores low or a weakened risk effect make), divided
    /// by the dispersion. Bands with fewer than `minimumBandCount` frauds in both samples together are
    /// merged with the next. Alarm when p < alpha and the arrived frauds' share over the bands is at
    /// least `bandMinimumShift` (total variation) from the β = 0 fit. Details: `g2`, that fit's deviance
    /// against every band free (χ² on bands - 2 degrees of freedom, any change of shape), `prior_odds` k.
    /// Indicates `.conceptDrift`.
    public static func scoreBandCalibration(log: LabelledLog, asOf t: Int32, reference: LabelReference,
                                            configuration c: LabelConfiguration = .init()) -> DetectorResult {
        let bands = reference.bands
        var exposure = [Double](repeating: 0, count: bands.rows.count)
        var arrived = [Int](repeating: 0, count: bands.rows.count)
        forEachCohortRow(log: log, asOf: t, reference: reference, configuration: c) { _, b, w, hit in
            exposure[b] += w
            if hit { arrived[b] += 1 }
        }
        let m = arrived.reduce(0, +)
        guard m > 0, let test = BandTrend(reference: bands, exposure: exposure, arrived: arrived, minimumBandCount: minimumBandCount) else {
            return DetectorResult(detector: "score_band_calibration", features: ["label"], statistic: 0, pValue: 1,
                                  threshold: c.bandMinimumShift, alarm: false, indicates: .conceptDrift,
                                  details: ["arrived": Double(m)])
        }
        let phi = Swift.max(1, c.dispersion)
        let z = (test.trendLR / phi).squareRoot() * (test.beta < 0 ? -1 : 1)
        let p = SpecialFunctions.normalCDF(z)
        let omnibus = test.bands > 2 ? SpecialFunctions.chiSquaredSurvival(test.g2 / phi, degreesOfFreedom: Double(test.bands - 2)) : 1
        return DetectorResult(detector: "score_band_calibration", features: ["label"], statistic: test.shift, pValue: p,
                              threshold: c.bandMinimumShift, alarm: p < c.alpha && test.shift >= c.bandMinimumShift,
                              indicates: .conceptDrift,
                              details: ["beta": test.beta, "trend_lr": test.trendLR, "g2": test.g2, "g2_p": omnibus,
                                        "prior_odds": test.priorOdds, "bands": Double(test.bands), "arrived": Double(m)])
    }

    /// Visits the rows of the cohorts the band and slice checks read (`conceptRange`, finite scores) with
    /// each row's index, score band, exposure cov(age) and whether its chargeback had arrived by t.
    static func forEachCohortRow(log: LabelledLog, asOf t: Int32, reference: LabelReference, configuration c: LabelConfiguration,
                                 _ body: (_ row: Int, _ band: Int, _ exposure: Double, _ arrived: Bool) -> Void) {
        let range = conceptRange(asOf: t, reference: reference, configuration: c)
        for i in 0..<log.count {
            let d = log.days[i], s = log.scores[i]
            guard d >= range.first, d <= range.last, s.isFinite else { continue }
            let r = log.reportDays[i]
            body(i, reference.bands.band(of: Swift.min(1, Swift.max(0, s))), reference.coverage(age: Int(t) - Int(d)),
                 r != LabelledLog.never && r <= t)
        }
    }

    /// Frauds (reference and production together) a band needs to stand alone in the band test.
    static let minimumBandCount = 10

    /// The score-band test's fits (`scoreBandCalibration`) on the merged bands.
    struct BandTrend {
        var bands = 0
        /// The null fit's prior odds factor k, the trend fit's β and the likelihood ratio between them.
        var priorOdds = 1.0, beta = 0.0, trendLR = 0.0
        /// The null fit's deviance (G²) and the total variation between the observed and its fitted
        /// shares of arrivals over the bands.
        var g2 = 0.0, shift = 0.0

        /// Per band the reference rows, frauds, Σ s and Σ s², production exposure and arrivals.
        struct Band {
            var rows = 0.0, frauds = 0.0, scores = 0.0, squares = 0.0, exposure = 0.0, arrived = 0.0

            /// Merges another band into this one.
            mutating func add(_ o: Band) {
                rows += o.rows; frauds += o.frauds; scores += o.scores; squares += o.squares
                exposure += o.exposure; arrived += o.arrived
            }
        }

        init?(reference: ScoreBands, exposure: [Double], arrived: [Int], minimumBandCount: Int) {
            let bands = reference.rows.indices.map {
                Band(rows: Double(reference.rows[$0]), frauds: Double(reference.frauds[$0]), scores: reference.scoreSums[$0],
                     squares: reference.squareSums[$0], exposure: exposure[$0], arrived: Double(arrived[$0]))
            }
            self.init(bands: bands, minimumBandCount: minimumBandCount)
        }

        /// Merges adjacent bands from the lowest up until each holds `minimumBandCount` frauds of both
        /// samples (the remainder joins the band below) and fits the null (γ, k) and the trend (γ, k, β)
        /// by Fisher scoring; nil when fewer than two bands are left or either sample has no fraud.
        init?(bands input: [Band], minimumBandCount: Int) {
            var merged: [Band] = [], acc = Band()
            for b in input {
                acc.add(b)
                if acc.frauds + acc.arrived >= Double(minimumBandCount) && acc.rows > 0 && acc.exposure > 0 && acc.scores > 0 {
                    merged.append(acc); acc = Band()
                }
            }
            if acc.rows > 0 || acc.frauds + acc.arrived > 0 {
                if merged.isEmpty { merged.append(acc) } else { merged[merged.count - 1].add(acc) }
            }
            let totalF = merged.reduce(0) { $0 + $1.frauds }, totalO = merged.reduce(0) { $0 + $1.arrived }
            guard merged.count >= 2, totalF > 0, totalO > 0,
                  merged.allSatisfy({ $0.rows > 0 && $0.exposure > 0 && $0.scores > 0 }) else { return nil }
            let model = Model(total: merged.map { $0.frauds + $0.arrived }, arrived: merged.map(\.arrived),
                              offset: merged.map { log($0.exposure / $0.rows) },
                              fraudScore: merged.map { Swift.min(1 - 1e-9, $0.squares / $0.scores) },
                              x: { () -> [Double] in
                                  // x_b centred on the arrivals' mean, so γ and β are nearly orthogonal.
                                  let raw = merged.map { log($0.scores / $0.rows) }
                                  let mean = zip(raw, merged).reduce(0) { $0 + $1.0 * $1.1.arrived } / totalO
                                  return raw.map { $0 - mean }
                              }())
            let null = model.fit(withSlope: false), trend = model.fit(withSlope: true)
            self.bands = merged.count
            priorOdds = exp(null.theta[1])
            beta = trend.theta[2]
            g2 = null.deviance
            trendLR = Swift.max(0, null.deviance - trend.deviance)
            var tv = 0.0
            for b in merged.indices { tv += Swift.abs(model.arrived[b] - model.total[b] * null.pi[b]) }
            shift = tv / (2 * totalO)
        }

        /// O_b out of T_b with logit π_b = offset_b + γ - ln(1 + (e^κ - 1)·q_b) (+ β·x_b), θ = (γ, κ, β).
        struct Model {
            let total: [Double], arrived: [Double], offset: [Double], fraudScore: [Double], x: [Double]
            /// Quasi-likelihood weight 1/(1 - q_b): a band's fraud count is a sum of Bernoulli draws, whose
            /// variance Σ s(1 - s) is (1 - q_b) times the Poisson variance Σ s the binomial split assumes.
            let weight: [Double]

            init(total: [Double], arrived: [Double], offset: [Double], fraudScore: [Double], x: [Double]) {
                self.total = total; self.arrived = arrived; self.offset = offset; self.fraudScore = fraudScore; self.x = x
                weight = fraudScore.map { 1 / (1 - $0) }
            }

            /// The linear predictor and its gradient in θ for band b.
            func eta(_ b: Int, _ theta: [Double]) -> (value: Double, gradient: [Double]) {
                let k = exp(theta[1]), q = fraudScore[b]
                let value = offset[b] + theta[0] - log1p((k - 1) * q) + theta[2] * x[b]
                return (value, [1, -k * q / (1 + (k - 1) * q), x[b]])
            }

            func probabilities(_ theta: [Double]) -> [Double] { total.indices.map { 1 / (1 + exp(-eta($0, theta).value)) } }

            func logLikelihood(_ pi: [Double]) -> Double {
                var l = 0.0
                for b in pi.indices {
                    if arrived[b] > 0 { l += weight[b] * arrived[b] * log(pi[b]) }
                    if total[b] > arrived[b] { l += weight[b] * (total[b] - arrived[b]) * log1p(-pi[b]) }
                }
                return l
            }

            /// Fisher scoring with step halving from θ = 0 (β held at 0 unless `withSlope`), κ kept in
            /// [-5, 5]; returns θ, each band's π and the quasi-deviance 2 Σ w [O ln(O/Tπ) + (T - O) ln((T - O)/(T(1 - π)))].
            func fit(withSlope: Bool) -> (theta: [Double], pi: [Double], deviance: Double) {
                let free = withSlope ? [0, 1, 2] : [0, 1]
                var theta = [0.0, 0.0, 0.0]
                var pi = probabilities(theta), current = logLikelihood(pi)
                for _ in 0..<200 {
                    var score = [Double](repeating: 0, count: free.count)
                    var information = [[Double]](repeating: [Double](repeating: 0, count: free.count), count: free.count)
                    for b in total.indices {
                        let g = eta(b, theta).gradient
                        let r = weight[b] * (arrived[b] - total[b] * pi[b]), v = weight[b] * total[b] * pi[b] * (1 - pi[b])
                        for (i, p) in free.enumerated() {
                            score[i] += r * g[p]
                            for (j, q) in free.enumerated() { information[i][j] += v * g[p] * g[q] }
                        }
                    }
                    let step = Self.solve(information, score)
                    var length = 1.0, improved = false
                    while length > 1e-8 {
                        var candidate = theta
                        for (i, p) in free.enumerated() { candidate[p] += length * step[i] }
                        candidate[1] = Swift.min(5, Swift.max(-5, candidate[1]))
                        let cpi = probabilities(candidate), l = logLikelihood(cpi)
                        if l.isFinite && l >= current {
                            improved = l > current + 1e-13 * Swift.max(1, Swift.abs(current))
                            theta = candidate; pi = cpi; current = l
                            break
                        }
                        length /= 2
                    }
                    if !improved { break }
                }
                var deviance = 0.0
                for b in pi.indices {
                    let o = arrived[b], t = total[b]
                    if o > 0 { deviance += weight[b] * o * log(o / (t * pi[b])) }
                    if t > o { deviance += weight[b] * (t - o) * log((t - o) / (t * (1 - pi[b]))) }
                }
                return (theta, pi, Swift.max(0, 2 * deviance))
            }

            /// A·s = b by Gaussian elimination with partial pivoting; a direction with no information
            /// (pivot near zero) gets no step.
            static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
                let n = b.count
                var m = a, v = b
                let scale = Swift.max(1e-300, (0..<n).map { Swift.abs(a[$0][$0]) }.max() ?? 0)
                var skip = [Bool](repeating: false, count: n)
                for col in 0..<n {
                    let pivot = (col..<n).max { Swift.abs(m[$0][col]) < Swift.abs(m[$1][col]) } ?? col
                    m.swapAt(col, pivot); v.swapAt(col, pivot)
                    guard Swift.abs(m[col][col]) > 1e-12 * scale else { skip[col] = true; continue }
                    for r in (col + 1)..<n {
                        let f = m[r][col] / m[col][col]
                        for c in col..<n { m[r][c] -= f * m[col][c] }
                        v[r] -= f * v[col]
                    }
                }
                var s = [Double](repeating: 0, count: n)
                for col in stride(from: n - 1, through: 0, by: -1) where !skip[col] {
                    var sum = v[col]
                    for c in (col + 1)..<n { sum -= m[col][c] * s[c] }
                    s[col] = sum / m[col][col]
                }
                return s
            }
        }
    }

    /// ROC AUC on arrived labels (DriftModels' Mann-Whitney metric); nil when a class is absent.
    static func rocAUC(scores: [Double], arrived: [Bool]) -> Double? {
        let auc = Metrics.rocAUC(scores: scores, labels: arrived.map { $0 ? 1 : 0 })
        return auc.isNaN ? nil : auc
    }
}
