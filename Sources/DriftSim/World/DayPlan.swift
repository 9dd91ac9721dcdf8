import DriftCore
import Foundation

/// Reference statistics of the clean features, measured on the pilot sample at construction:
/// the centre and spread used by `feature_shift` and `noise`, and the fill values of `stuck` and
/// `dropped`.
public struct ReferenceStats: Sendable, Equatable {
    /// Mean and standard deviation per feature (raw scale; codes for categorical features).
    public var mean = [Double](repeating: 0, count: FeatureSchema.count)
    public var sd = [Double](repeating: 1, count: FeatureSchema.count)
    /// Mean and standard deviation of log(x) for amount and distance (the scale `feature_shift` uses there).
    public var logMean = [Double](repeating: 0, count: FeatureSchema.count)
    public var logSD = [Double](repeating: 1, count: FeatureSchema.count)
    /// Median (numeric) or most frequent value (categorical, boolean): the `dropped` default.
    public var median = [Double](repeating: 0, count: FeatureSchema.count)
    /// 75th percentile (numeric) or most frequent value: the `stuck` constant.
    public var stuckValue = [Double](repeating: 0, count: FeatureSchema.count)

    /// Features shifted on the log scale by `feature_shift`.
    public static func usesLogScale(_ f: Int) -> Bool { f == FeatureSchema.amount || f == FeatureSchema.distance }
}

/// Everything the world needs to know about one day, resolved from the scenario's failures at
/// their strength that day: a read-only value shared by all shards. Strength s scales each
/// effect from neutral to full (a multiplier m acts as 1 + (m - 1)·s, a shift or boost as ·s).
struct DayPlan: Sendable {
    let day: Int
    let volumeFactor: Double
    /// Factor on each segment's customers' transaction rates (segment_mix keeps the total volume).
    var segmentRate: [Double] = [1, 1, 1, 1]
    /// Category picks per segment (category_mix).
    var categoryTables: [AliasTable]
    /// channel_mix: the channel that grows and its factor (on the odds-free share p·m / (p·m + 1 - p)).
    var channelTarget = -1
    var channelMultiplier = 1.0
    /// feature_shift as an affine map per feature, v' = a·v + b (on log scale for amount and distance).
    var shiftA = [Double](repeating: 1, count: FeatureSchema.count)
    var shiftB = [Double](repeating: 0, count: FeatureSchema.count)
    var anyShift = false
    /// Concept drift: per-term weights of the hidden risk and the new-pattern boost.
    var riskWeights = [Double](repeating: 1, count: RiskFunction.termCount)
    var boost = 0.0
    var intercept: Double
    /// Prior shift: probability of keeping a fraud (fraud_drop) and the rate of extra candidate
    /// transactions, kept only when fraudulent (fraud_wave).
    var fraudKeep = 1.0
    var shadowRate = 0.0
    /// Labels: the chargeback share and the delay factor for this day's transactions.
    var reportProbability: Double
    var delayMultiplier = 1.0
    /// Stale velocity cache: share of customers whose cache is frozen (0 = none).
    var staleShare = 0.0
    var compromiseProbability: Double

    /// The production failures active on `day` with their strength (empty in the reference period).
    static func active(_ scenario: Scenario, day: Int) -> [(index: Int, spec: FailureSpec, strength: Double)] {
        if day < 0 { return [] }
        return scenario.failures.enumerated().compactMap { i, f in
            let s = f.strength(onDay: day)
            return s > 0 ? (i, f, s) : nil
        }
    }
}

/// Builds day plans from the scenario (the failure injection of the world-side kinds).
struct DayPlanner: Sendable {
    let scenario: Scenario
    let stats: ReferenceStats
    let intercept: Double
    let baseCategoryTables: [AliasTable]
    let segmentRateShare: [Double]
    let compromiseProbability: Double

    func plan(day: Int) -> DayPlan {
        let a = scenario.population.weeklySeasonality
        let volume = Swift.max(0, 1 + a * cos(2 * Double.pi * Double(day - 5) / 7))
        var p = DayPlan(day: day, volumeFactor: volume, categoryTables: baseCategoryTables, intercept: intercept,
                        reportProbability: 1 - scenario.labelDelay.neverReportedShare, compromiseProbability: compromiseProbability)
        var categoryWeights = WorldTables.segmentCategories
        var categoryChanged = false
        for (_, f, s) in DayPlan.active(scenario, day: day) {
            func ramp(_ m: Double) -> Double { 1 + (m - 1) * s }
            switch (f.kind, f.subkind) {
            case (.covariateShift, "segment_mix"):
                guard let g = FeatureSchema.segments.firstIndex(of: f.text("segment")) else { continue }
                let m = ramp(f.number("share_multiplier")), share = segmentRateShare[g]
                let norm = share * m + 1 - share
                for k in 0..<4 { p.segmentRate[k] *= (k == g ? m : 1) / norm }
            case (.covariateShift, "channel_mix"):
                guard let c = FeatureSchema.channels.firstIndex(of: f.text("channel")) else { continue }
                p.channelTarget = c; p.channelMultiplier *= ramp(f.number("share_multiplier"))
            case (.covariateShift, "category_mix"):
                guard let c = FeatureSchema.categories.firstIndex(of: f.text("category")) else { continue }
                let m = ramp(f.number("share_multiplier"))
                for g in 0..<4 { categoryWeights[g][c] *= m }
                categoryChanged = true
            case (.covariateShift, "feature_shift"):
                let shift = f.number("shift_sd") * s, scale = ramp(f.number("scale"))
                for name in TransactionSimulator.features(of: f) {
                    guard let j = FeatureSchema.index(of: name), !FeatureSchema.isCategorical[j] else { continue }
                    let log = ReferenceStats.usesLogScale(j)
                    let centre = log ? stats.logMean[j] : stats.mean[j], spread = log ? stats.logSD[j] : stats.sd[j]
                    // v' = centre + scale·(v - centre) + shift·spread, composed with any earlier shift.
                    let a2 = scale, b2 = centre * (1 - scale) + shift * spread
                    p.shiftA[j] = a2 * p.shiftA[j]; p.shiftB[j] = a2 * p.shiftB[j] + b2
                    p.anyShift = true
                }
            case (.priorShift, _):
                let m = ramp(f.number("prior_multiplier"))
                let pi = scenario.population.baseFraudRate
                if m < 1 {
                    // Keep each fraud with k so that k·pi / (k·pi + 1 - pi) = m·pi.
                    p.fraudKeep *= m * (1 - pi) / (1 - m * pi)
                } else if m > 1 {
                    // Add frauds from r extra candidates per transaction: (pi + r·pi) / (1 + r·pi) = m·pi.
                    p.shadowRate += (m - 1) / Swift.max(1e-9, 1 - Swift.min(m * pi, 0.999))
                }
            case (.conceptDrift, "weight_change"):
                let m = ramp(f.number("multiplier"))
                let named = Set(TransactionSimulator.features(of: f).compactMap { FeatureSchema.index(of: $0) })
                for t in 0..<RiskFunction.termCount where RiskFunction.termFeatures[t].contains(where: named.contains) {
                    p.riskWeights[t] *= m
                }
            case (.conceptDrift, _):
                p.boost += f.number("risk_boost") * s
            case (.labelDelay, "slower"):
                p.delayMultiplier *= ramp(f.number("delay_multiplier"))
            case (.labelDelay, "coverage_drop"):
                p.reportProbability *= ramp(f.number("coverage_multiplier"))
            case (.dataQuality, "stale"):
                p.staleShare = Swift.max(p.staleShare, f.number("affected_share") * s)
            default:
                break  // schema changes, the other data-quality faults and outages act elsewhere
            }
        }
        if categoryChanged { p.categoryTables = categoryWeights.map { AliasTable(weights: $0) } }
        return p
    }
}

/// The chargeback-feed outages of the scenario as day ranges [start, end): a label due inside one
/// is held and delivered on `end`, the day after the outage. Overlapping or adjacent outages are
/// merged, in time order, so a held label never lands inside another outage and the order of the
/// failures in the file does not matter.
struct Outages: Sendable {
    let ranges: [(start: Int32, end: Int32)]

    init(_ scenario: Scenario) {
        let given: [(start: Int32, end: Int32)] = scenario.failures.compactMap { f in
            guard f.kind == .labelDelay, f.subkind == "outage" else { return nil }
            var end = f.startDay + Swift.max(1, Int(f.number("outage_days")))
            if let e = f.endDay { end = Swift.min(end, e) }
            return end > f.startDay ? (Int32(clamping: f.startDay), Int32(clamping: end)) : nil
        }
        var merged: [(start: Int32, end: Int32)] = []
        for r in given.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
            if let last = merged.last, r.start <= last.end {
                merged[merged.count - 1].end = Swift.max(last.end, r.end)
            } else {
                merged.append(r)
            }
        }
        ranges = merged
    }

    @inline(__always) func deliver(_ day: Int32) -> Int32 {
        var d = day
        for r in ranges where d >= r.start && d < r.end { d = r.end }
        return d
    }
}
