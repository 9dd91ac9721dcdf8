import DriftCore
import DriftModels
import Foundation

/// A proportion with its 95 % Wilson interval (successes of trials).
public struct Rate: Sendable, Equatable {
    public var successes: Int
    public var trials: Int
    public var value: Double { trials > 0 ? Double(successes) / Double(trials) : .nan }
    public var interval: (lower: Double, upper: Double) { Metrics.wilsonInterval(successes: successes, trials: trials) }
    public init(_ successes: Int, of trials: Int) { self.successes = successes; self.trials = trials }
    public static func == (a: Rate, b: Rate) -> Bool { a.successes == b.successes && a.trials == b.trials }
}

/// Per-cohort-day counts of the logs as known on one day t: rows, alerts, frauds whose label
/// arrived by t, the alerted ones among them, and the amount of the missed ones. Flat arrays
/// indexed by day - firstDay.
public struct DailyCounts: Sendable {
    public var firstDay: Int
    public var asOf: Int
    public var rows: [Int]
    public var alerts: [Int]
    public var frauds: [Int]
    public var hits: [Int]
    public var missedAmount: [Double]
    public var days: Int { rows.count }

    /// Counts over the logs with `decisions`, labels masked to arrival <= asOf.
    init(_ log: LogData, decisions: [UInt8], asOf: Int) {
        firstDay = log.firstDay; self.asOf = asOf
        let n = log.dayStart.count - 1
        rows = [Int](repeating: 0, count: n); alerts = rows; frauds = rows; hits = rows
        missedAmount = [Double](repeating: 0, count: n)
        let t = Int32(asOf)
        for d in 0..<n {
            rows[d] = log.dayStart[d + 1] - log.dayStart[d]
            var a = 0, f = 0, h = 0, m = 0.0
            for i in log.dayStart[d]..<log.dayStart[d + 1] {
                let alert = decisions[i] == 1
                if alert { a += 1 }
                if log.knownFraud(i, asOf: t) {
                    f += 1
                    if alert { h += 1 } else if let amt = log.amount?[i], amt.isFinite { m += amt }
                }
            }
            alerts[d] = a; frauds[d] = f; hits[d] = h; missedAmount[d] = m
        }
    }

    /// Recall over cohort days `from ... to` (absolute days).
    /// Day indices of `from ... to` within the counts (empty when they do not overlap).
    func indices(from: Int, to: Int) -> Range<Int> {
        let a = max(0, from - firstDay), b = min(days, to - firstDay + 1)
        return a < b ? a..<b : 0..<0
    }

    func recall(from: Int, to: Int) -> Rate {
        var h = 0, f = 0
        for d in indices(from: from, to: to) { h += hits[d]; f += frauds[d] }
        return Rate(h, of: f)
    }
    /// Precision lower bound (known frauds alerted / alerts) over cohort days `from ... to`.
    func precision(from: Int, to: Int) -> Rate {
        var h = 0, a = 0
        for d in indices(from: from, to: to) { h += hits[d]; a += alerts[d] }
        return Rate(h, of: a)
    }
    func alertRate(from: Int, to: Int) -> Rate {
        var a = 0, n = 0
        for d in indices(from: from, to: to) { a += alerts[d]; n += rows[d] }
        return Rate(a, of: n)
    }
}

/// The single change-point of the daily recall: the split day c maximising the binomial
/// log-likelihood ratio 2[LL(before) + LL(after) - LL(all)] over cohort days with known frauds;
/// p = chi-squared(1) survival x number of candidate days (Bonferroni). Each side needs at least
/// `minimumSegmentDays` days and a tenth of the known frauds (at least 30): the youngest cohorts
/// have few matured labels and would otherwise attract spurious splits.
public struct ChangePoint: Sendable, Equatable {
    public var day: Int
    public var statistic: Double
    public var pValue: Double
    public var before: Rate
    public var after: Rate
    public var isDrop: Bool { pValue < 0.01 && after.value < before.value }

    static func find(hits: [Int], frauds: [Int], firstDay: Int, minimumSegmentDays: Int = 7) -> ChangePoint? {
        let n = hits.count
        guard n >= 2 * minimumSegmentDays else { return nil }
        func ll(_ h: Int, _ f: Int) -> Double {
            guard f > 0 else { return 0 }
            let p = Double(h) / Double(f)
            var v = 0.0
            if h > 0 { v += Double(h) * log(p) }
            if f - h > 0 { v += Double(f - h) * log(1 - p) }
            return v
        }
        let totalH = hits.reduce(0, +), totalF = frauds.reduce(0, +)
        guard totalF > 0 else { return nil }
        let all = ll(totalH, totalF)
        var best: (Int, Double, Int, Int) = (-1, -1, 0, 0)
        var h = 0, f = 0, candidates = 0
        for c in 0..<n {
            // Split before day c: [0, c) and [c, n).
            let minimumFrauds = max(30, totalF / 10)
            if c >= minimumSegmentDays && c <= n - minimumSegmentDays && f >= minimumFrauds && totalF - f >= minimumFrauds {
                candidates += 1
                let s = 2 * (ll(h, f) + ll(totalH - h, totalF - f) - all)
                if s > best.1 { best = (c, s, h, f) }
            }
            h += hits[c]; f += frauds[c]
        }
        guard best.0 >= 0 else { return nil }
        let p = min(1, SpecialFunctions.chiSquaredSurvival(max(0, best.1), degreesOfFreedom: 1) * Double(candidates))
        return ChangePoint(day: firstDay + best.0, statistic: best.1, pValue: p, before: Rate(best.2, of: best.3),
                           after: Rate(totalH - best.2, of: totalF - best.3))
    }
}

/// The symptom (docs/postmortem.md): recall, precision and alert rate over time on matured labels
/// against the model card, the change-point, the day the drop became visible, and the loss.
public struct Symptom: Sendable {
    /// The model card's figures on its validation split (out of sample, labels matured).
    public var cardRecall: Rate
    public var cardPrecision: Rate
    public var cardAlertRate: Double
    /// Daily counts as of the last log day.
    public var daily: DailyCounts
    public var changePoint: ChangePoint?
    /// First day t (from the change-point on) on which recall of the cohorts since the change, with
    /// the labels arrived by t, was significantly below recall of the cohorts before it.
    public var visibleDay: Int?
    /// Extra frauds missed after the change-point among those whose label arrived:
    /// frauds after x (recall before - recall after), and the amount they carried.
    public var extraMissedFrauds: Double
    public var extraMissedAmount: Double?

    static func measure(_ log: LogData, decisions: [UInt8], model: TrainedModel) -> Symptom {
        let last = log.lastDay
        let daily = DailyCounts(log, decisions: decisions, asOf: last)
        let v = model.validation.atThreshold
        let cardRecall = Rate(v?.truePositives ?? 0, of: (v?.truePositives ?? 0) + (v?.falseNegatives ?? 0))
        let cardPrecision = Rate(v?.truePositives ?? 0, of: (v?.truePositives ?? 0) + (v?.falsePositives ?? 0))
        let cp = ChangePoint.find(hits: daily.hits, frauds: daily.frauds, firstDay: daily.firstDay)

        // Visibility: the first day t >= the change-point on which recall of the cohorts since the
        // change, with the labels arrived by t, is significantly below recall of the cohorts before
        // it (one-sided two-proportion z-test, p < 0.01, at least 20 frauds after). Frauds only: few rows.
        var visible: Int?
        if let c = cp, c.isDrop {
            var fraudRows: [(cohort: Int, arrival: Int32, hit: Bool)] = []
            for i in 0..<log.rowCount where log.label[i] == 1 && log.arrival[i] != Int32.max {
                fraudRows.append((Int(log.day[i]), log.arrival[i], decisions[i] == 1))
            }
            for t in c.day...max(c.day, last) {
                var hb = 0, fb = 0, ha = 0, fa = 0
                for r in fraudRows where r.arrival <= Int32(t) && r.cohort <= t {
                    if r.cohort < c.day { fb += 1; if r.hit { hb += 1 } } else { fa += 1; if r.hit { ha += 1 } }
                }
                guard fa >= 20, fb >= 20 else { continue }
                let pb = Double(hb) / Double(fb), pa = Double(ha) / Double(fa), pool = Double(hb + ha) / Double(fb + fa)
                let se = (pool * (1 - pool) * (1 / Double(fb) + 1 / Double(fa))).squareRoot()
                if se > 0, SpecialFunctions.normalCDF((pa - pb) / se) < 0.01 { visible = t; break }
            }
        }
        var extra = 0.0, amount: Double?
        if let c = cp, c.isDrop {
            let rb = c.before.value, ra = c.after.value
            extra = Double(c.after.trials) * (rb - ra)
            if log.amount != nil {
                var missed = 0.0
                for d in daily.indices(from: c.day, to: last) { missed += daily.missedAmount[d] }
                amount = ra < 1 ? missed * (rb - ra) / (1 - ra) : 0
            }
        }
        return Symptom(cardRecall: cardRecall, cardPrecision: cardPrecision, cardAlertRate: v?.alertRate ?? .nan, daily: daily,
                       changePoint: cp, visibleDay: visible, extraMissedFrauds: extra, extraMissedAmount: amount)
    }
}
