import DriftCore
import Foundation

/// How a feature's drift becomes an alarm (docs/detectors.md explains the choice).
public enum DriftRule: String, Sendable, CaseIterable {
    /// Adjusted p-value below alpha. Calibrated, but on large windows it fires on trivial effects.
    case significance
    /// Effect size above a bar that respects sample size: PSI >= max(0.25, its no-drift 95% quantile
    /// χ²_{k-1}(0.95)·(1/n + 1/N)) or JS >= max(0.2, the same for JS). No p-value needed; it ignores
    /// trivial differences in large windows and sampling noise in small ones.
    case effectSize = "effect_size"
    /// The lab's default: significant after correction AND an effect above a floor
    /// (PSI >= 0.1 or normalised W1 >= 0.1 or JS >= 0.1).
    case combined
}

/// Settings of the per-feature drift battery. Defaults are the lab's.
public struct DriftConfiguration: Sendable {
    public var alpha = 0.05
    public var correction: MultipleTesting.Method = .benjaminiHochberg
    public var rule: DriftRule = .combined
    public var ksMethod: KolmogorovSmirnov.Method = .auto
    /// Quantile bins of the reference for PSI and Jensen–Shannon on numeric features.
    public var psiBins = 10
    /// Effect-size rule bars (raised to the sampling-noise quantile on small samples).
    public var psiAlarm = 0.25, jensenShannonAlarm = 0.2
    /// Combined rule floors.
    public var psiFloor = 0.1, wassersteinFloor = 0.1, jensenShannonFloor = 0.1
    /// Chi-squared cells with an expected count below this are pooled.
    public var minExpected = 5.0
    /// A numeric feature with at most this many distinct reference values is tested with
    /// chi-squared on its values (KS is conservative under heavy ties).
    public var discreteLevels = 20
    /// Features to test (nil: every column present in both tables).
    public var features: [String]? = nil
    /// Model feature importance (any non-negative scale); drift is ranked by PSI x importance share.
    public var importance: [String: Double] = [:]
    /// An alarm pages only when the feature's importance share is at least this (with importances given).
    public var minImportanceShare = 0.02

    public init() {}
}

/// One feature's row of the drift report.
public struct FeatureDrift: Sendable, Equatable {
    public var feature: String
    public var type: ColumnType
    /// "ks" (numeric) or "chi2" (categorical, or numeric with few distinct values).
    public var test: String
    public var statistic: Double
    public var pValue: Double
    public var adjustedPValue: Double
    public var populationStabilityIndex: Double
    public var jensenShannon: Double
    /// W1 and W1 divided by the reference IQR (SD if the IQR is 0); NaN for categorical features.
    public var wasserstein: Double
    public var normalizedWasserstein: Double
    /// Welch t-test and Brown–Forsythe p-values (NaN for categorical features).
    public var meanShiftPValue: Double
    public var varianceShiftPValue: Double
    /// Share of window values never seen in the reference (categories, or values of a discrete numeric).
    public var unseenRate: Double
    public var referenceCount: Int
    /// Missing (NaN or empty) values skipped in the reference.
    public var referenceMissing: Int
    public var currentCount: Int
    public var currentMissing: Int
    public var significant: Bool
    public var effect: Bool
    public var alarm: Bool
    /// Importance share (nil without importances), PSI x share (PSI without), and whether the alarm pages.
    public var importanceShare: Double?
    public var weightedSeverity: Double
    public var pages: Bool
    /// Why the feature could not be tested, when it could not (empty window, all missing, ...).
    public var note: String?
    /// Normalised W1's no-drift (1 - alpha) quantile at these sample sizes
    /// (`TwoSampleStatistics.WassersteinNoise`); the combined rule's W1 floor rises to it. NaN for categorical features.
    public var wassersteinNoise: Double = .nan
}

/// A mistake in a drift request (unknown feature names).
public enum DriftReportError: Error, CustomStringConvertible, Equatable {
    case unknownFeature(String, available: [String])
    public var description: String {
        switch self {
        case let .unknownFeature(name, available):
            var s = "no feature '\(name)' in both files"
            if let g = closestMatch(to: name, in: available) { s += " (did you mean '\(g)'?)" }
            return s + "; the shared columns are: " + available.joined(separator: ", ")
        }
    }
}

/// The drift battery on every shared feature of a reference and a current table.
public struct DriftReport: Sendable, Equatable {
    /// Rows sorted by severity: alarms first, then importance-weighted PSI, then name.
    public var features: [FeatureDrift]
    public var onlyInReference: [String]
    public var onlyInCurrent: [String]
    /// Columns numeric in one table and categorical in the other (not tested; a schema problem).
    public var typeMismatches: [String]
    public var referenceRows: Int
    public var currentRows: Int
    public var alpha: Double
    public var rule: DriftRule
    public var correction: MultipleTesting.Method

    /// Runs the battery; `configuration.features` restricts the features (unknown names throw).
    public static func compute(reference: Table, current: Table, configuration: DriftConfiguration = DriftConfiguration()) throws -> DriftReport {
        try DriftBaseline(reference: reference, configuration: configuration).compare(current, configuration: configuration)
    }

    /// One `DetectorResult` per feature in report order: the feature's test ("ks"/"chi2") with its
    /// adjusted p-value, threshold alpha, the configured rule's alarm, `indicates: .covariateShift`,
    /// and effect sizes in `details`.
    public var results: [DetectorResult] {
        features.map { f in
            var details: [String: Double] = [
                "p_value_raw": f.pValue, "psi": f.populationStabilityIndex, "jensen_shannon": f.jensenShannon,
                "unseen_rate": f.unseenRate, "weighted_severity": f.weightedSeverity,
                "reference_count": Double(f.referenceCount), "reference_missing": Double(f.referenceMissing),
                "current_count": Double(f.currentCount),
                "current_missing": Double(f.currentMissing),
            ]
            if f.type == .numeric {
                details["wasserstein"] = f.wasserstein
                details["wasserstein_normalized"] = f.normalizedWasserstein
                details["wasserstein_noise"] = f.wassersteinNoise
                details["mean_shift_p_value"] = f.meanShiftPValue
                details["variance_shift_p_value"] = f.varianceShiftPValue
            }
            if let s = f.importanceShare { details["importance_share"] = s }
            return DetectorResult(detector: f.test, features: [f.feature], statistic: f.statistic, pValue: f.adjustedPValue,
                                  threshold: alpha, alarm: f.alarm, indicates: .covariateShift, details: details)
        }
    }

    /// The report as JSON with a fixed key order (deterministic output).
    public func json() -> JSON {
        func num(_ x: Double) -> JSON { x.isFinite ? .number(x) : .null }
        let rows: [JSON] = features.map { f in
            var members: [(String, JSON)] = [
                ("feature", .string(f.feature)), ("type", .string(f.type.rawValue)), ("test", .string(f.test)),
                ("statistic", num(f.statistic)), ("p_value", num(f.pValue)), ("p_value_adjusted", num(f.adjustedPValue)),
                ("psi", num(f.populationStabilityIndex)), ("jensen_shannon", num(f.jensenShannon)),
                ("wasserstein", num(f.wasserstein)), ("wasserstein_normalized", num(f.normalizedWasserstein)),
                ("wasserstein_noise", num(f.wassersteinNoise)),
                ("mean_shift_p_value", num(f.meanShiftPValue)), ("variance_shift_p_value", num(f.varianceShiftPValue)),
                ("unseen_rate", num(f.unseenRate)), ("reference_count", .number(Double(f.referenceCount))),
                ("reference_missing", .number(Double(f.referenceMissing))),
                ("current_count", .number(Double(f.currentCount))), ("current_missing", .number(Double(f.currentMissing))),
                ("significant", .bool(f.significant)), ("effect", .bool(f.effect)), ("alarm", .bool(f.alarm)),
                ("importance_share", f.importanceShare.map { num($0) } ?? .null),
                ("weighted_severity", num(f.weightedSeverity)), ("pages", .bool(f.pages)),
            ]
            members.append(("note", f.note.map { .string($0) } ?? .null))
            return .object(members)
        }
        return .object([
            ("reference_rows", .number(Double(referenceRows))), ("current_rows", .number(Double(currentRows))),
            ("alpha", .number(alpha)), ("correction", .string(correction.rawValue)), ("rule", .string(rule.rawValue)),
            ("features", .array(rows)),
            ("only_in_reference", .array(onlyInReference.map { .string($0) })),
            ("only_in_current", .array(onlyInCurrent.map { .string($0) })),
            ("type_mismatches", .array(typeMismatches.map { .string($0) })),
        ])
    }
}

/// Everything the battery needs from the reference, computed once (sorted values, PSI bins,
/// spreads, category counts) and reused for every window: the lab compares many windows with one reference.
public struct DriftBaseline: Sendable {
    enum Feature: Sendable {
        case numeric(NumericBaseline)
        case categorical(CategoricalReference)
    }
    struct NumericBaseline: Sendable {
        var moments: TwoSampleStatistics.Moments  // finite values, for the mean-shift test
        var sample: NumericSample
        var deviations: TwoSampleStatistics.AbsoluteDeviations  // for Brown-Forsythe
        var psi: PSIReference
        var spread: Double
        var wassersteinNoise: TwoSampleStatistics.WassersteinNoise
        /// Distinct finite reference values and their counts when the feature is discrete.
        var levels: [Double]?
        var levelCounts: [Double]
    }

    public let columnNames: [String]
    let features: [Feature]
    public let rowCount: Int

    public init(reference: Table, configuration: DriftConfiguration = DriftConfiguration()) {
        columnNames = reference.columnNames
        rowCount = reference.rowCount
        let numericCount = reference.columns.filter { if case .numeric = $0 { return true } else { return false } }.count
        let tableLookup = numericCount <= PSIReference.tableLookupFeatureLimit
        features = reference.columns.map { column in
            switch column {
            case .categorical(let c): return .categorical(CategoricalReference(c))
            case .numeric(let v):
                let sample = NumericSample(v)
                var levels: [Double] = [], counts: [Double] = []
                for x in sample.sorted where x.isFinite {
                    if levels.last == x { counts[counts.count - 1] += 1 } else {
                        levels.append(x); counts.append(1)
                        if levels.count > configuration.discreteLevels { break }
                    }
                }
                // Discrete: at most `discreteLevels` distinct values, each seen twice on average. A
                // small sample of a continuous feature also has few distinct values, but no repeats
                // (11 reference rows against 11 of the same distribution read as a perfect
                // separation under chi-squared; found by a differential test against SciPy).
                let discrete = !levels.isEmpty && levels.count <= configuration.discreteLevels
                    && 2 * levels.count <= Int(counts.reduce(0, +))
                return .numeric(NumericBaseline(moments: TwoSampleStatistics.Moments(sample.sorted), sample: sample, deviations: TwoSampleStatistics.AbsoluteDeviations(sorted: sample.sorted),
                                                psi: PSIReference(sortedReference: sample.sorted, bins: configuration.psiBins, tableLookup: tableLookup),
                                                spread: TwoSampleStatistics.spread(sortedReference: sample.sorted),
                                                wassersteinNoise: .init(sortedReference: sample.sorted, alpha: configuration.alpha),
                                                levels: discrete ? levels : nil, levelCounts: discrete ? counts : []))
            }
        }
    }

    /// Runs the battery on `current` (columns matched by name). `samples`: numeric columns of
    /// `current` already sorted (`NumericSample` by column name), reused instead of sorting again.
    public func compare(_ current: Table, configuration: DriftConfiguration = DriftConfiguration(),
                        samples: [String: NumericSample] = [:]) throws -> DriftReport {
        let shared = columnNames.filter { current.index(of: $0) != nil }
        var names = shared
        if let wanted = configuration.features {
            for w in wanted where !shared.contains(w) { throw DriftReportError.unknownFeature(w, available: shared) }
            names = shared.filter { wanted.contains($0) }
        }
        var rows: [FeatureDrift] = []
        var mismatches: [String] = []
        for name in names {
            guard let ri = columnNames.firstIndex(of: name), let column = current[name] else { continue }
            switch (features[ri], column) {
            case let (.numeric(base), .numeric(values)):
                rows.append(DriftBaseline.numericRow(name, base, values, configuration, sample: samples[name]))
            case let (.categorical(base), .categorical(values)):
                rows.append(DriftBaseline.categoricalRow(name, base, values, configuration))
            // A column with no values has no type of its own (type inference reads it as numeric):
            // it is the other side's type, all missing, not a type mismatch.
            case let (.categorical(base), .numeric(values)) where !values.contains(where: { !$0.isNaN }):
                rows.append(DriftBaseline.categoricalRow(name, base, CategoricalColumn(codes: [Int32](repeating: -1, count: values.count), levels: []), configuration))
            case let (.numeric(base), .categorical(values)) where !values.codes.contains(where: { $0 >= 0 }):
                rows.append(DriftBaseline.numericRow(name, base, [Double](repeating: .nan, count: values.count), configuration))
            case let (.numeric(base), .categorical):
                if base.sample.count == 0 {
                    var row = DriftBaseline.numericRow(name, base, [], configuration)
                    row.type = .categorical
                    rows.append(row)
                } else {
                    mismatches.append(name)
                }
            default:
                mismatches.append(name)
            }
        }
        // Multiple testing across the tested features, then the alarm rule and the ranking.
        let adjusted = MultipleTesting.adjust(rows.map(\.pValue), method: configuration.correction)
        let totalImportance = rows.reduce(0.0) { $0 + Swift.max(configuration.importance[$1.feature] ?? 0, 0) }
        for i in rows.indices {
            rows[i].adjustedPValue = adjusted[i]
            rows[i].significant = adjusted[i] < configuration.alpha
            switch configuration.rule {
            case .significance: rows[i].alarm = rows[i].significant
            case .effectSize: rows[i].alarm = rows[i].effect
            case .combined: rows[i].alarm = rows[i].significant && DriftBaseline.aboveFloor(rows[i], configuration)
            }
            if rows[i].note != nil { rows[i].alarm = false }
            let psi = rows[i].populationStabilityIndex.isNaN ? 0 : rows[i].populationStabilityIndex  // undefined: ranks last
            if !configuration.importance.isEmpty {
                let share = totalImportance > 0 ? Swift.max(configuration.importance[rows[i].feature] ?? 0, 0) / totalImportance : 0
                rows[i].importanceShare = share
                rows[i].weightedSeverity = psi * share
                rows[i].pages = rows[i].alarm && share >= configuration.minImportanceShare
            } else {
                rows[i].weightedSeverity = psi
                rows[i].pages = rows[i].alarm
            }
        }
        rows.sort { a, b in
            if a.alarm != b.alarm { return a.alarm }
            if a.weightedSeverity != b.weightedSeverity { return a.weightedSeverity > b.weightedSeverity }
            return a.feature < b.feature
        }
        return DriftReport(features: rows,
                           onlyInReference: columnNames.filter { current.index(of: $0) == nil },
                           onlyInCurrent: current.columnNames.filter { !columnNames.contains($0) },
                           typeMismatches: mismatches, referenceRows: rowCount, currentRows: current.rowCount,
                           alpha: configuration.alpha, rule: configuration.rule, correction: configuration.correction)
    }

    /// The effect-size rule: PSI or JS above both its fixed bar and its sampling-noise bar.
    static func effectAboveBar(psi: Double, js: Double, bins: Int, n: Int, m: Int, _ c: DriftConfiguration) -> Bool {
        let psiBar = Swift.max(c.psiAlarm, TwoSampleStatistics.psiNoiseBar(bins: bins, n: n, m: m, alpha: c.alpha))
        let jsBar = Swift.max(c.jensenShannonAlarm, TwoSampleStatistics.jensenShannonNoiseBar(bins: bins, n: n, m: m, alpha: c.alpha))
        return psi >= psiBar || js >= jsBar
    }

    /// The combined rule's effect floor. The W1 floor rises to W1's sampling noise: on a heavy-tailed
    /// feature a few rows more in the far tail move W1 by a tenth of the IQR (docs/detectors.md).
    static func aboveFloor(_ f: FeatureDrift, _ c: DriftConfiguration) -> Bool {
        let w1Floor = f.wassersteinNoise.isNaN ? c.wassersteinFloor : Swift.max(c.wassersteinFloor, f.wassersteinNoise)
        return f.populationStabilityIndex >= c.psiFloor || f.normalizedWasserstein >= w1Floor || f.jensenShannon >= c.jensenShannonFloor
    }

    static func numericRow(_ name: String, _ base: NumericBaseline, _ values: [Double], _ c: DriftConfiguration,
                           sample: NumericSample? = nil) -> FeatureDrift {
        let cur = sample ?? NumericSample(values)
        // Statistic and PSI stay NaN (undefined, null in JSON) when either side has no values.
        var row = FeatureDrift(feature: name, type: .numeric, test: base.levels == nil ? "ks" : "chi2", statistic: .nan, pValue: .nan,
                               adjustedPValue: .nan, populationStabilityIndex: .nan, jensenShannon: .nan, wasserstein: .nan,
                               normalizedWasserstein: .nan, meanShiftPValue: .nan, varianceShiftPValue: .nan, unseenRate: 0,
                               referenceCount: base.sample.count, referenceMissing: base.sample.missingCount, currentCount: cur.count, currentMissing: cur.missingCount,
                               significant: false, effect: false, alarm: false, importanceShare: nil, weightedSeverity: 0,
                               pages: false, note: nil)
        if base.sample.count == 0 { row.note = "reference has no values"; return row }
        if cur.count == 0 { row.note = values.isEmpty ? "empty window" : "window has no values (all missing)"; return row }
        let counts = base.psi.counts(cur.sorted)
        row.populationStabilityIndex = base.psi.populationStabilityIndex(currentCounts: counts)
        row.jensenShannon = TwoSampleStatistics.jensenShannonDistance(base.psi.referenceCounts, counts)
        row.wasserstein = TwoSampleStatistics.wasserstein(sortedA: base.sample.sorted, sortedB: cur.sorted)
        row.normalizedWasserstein = row.wasserstein / base.spread
        row.wassersteinNoise = base.wassersteinNoise.bar(n: cur.count, m: base.sample.count, alpha: c.alpha) / base.spread
        row.meanShiftPValue = TwoSampleStatistics.skewCorrectedWelchTest(base.moments, TwoSampleStatistics.Moments(cur.sorted)).pValue ?? .nan
        row.varianceShiftPValue = TwoSampleStatistics.brownForsythe(base.deviations, TwoSampleStatistics.AbsoluteDeviations(sorted: cur.sorted)).pValue ?? .nan
        if let levels = base.levels {
            // Counts of the window on the reference's distinct values, unseen values in one extra cell.
            var curCounts = [Double](repeating: 0, count: levels.count + 1)
            var j = 0
            for x in cur.sorted {
                while j < levels.count && levels[j] < x { j += 1 }
                if j < levels.count && levels[j] == x { curCounts[j] += 1 } else { curCounts[levels.count] += 1 }
            }
            let refCounts = base.levelCounts + [0]
            let (table, _) = CategoricalComparison.pooledTable(reference: refCounts, current: curCounts, minExpected: c.minExpected)
            let chi = CategoricalComparison.chiSquaredContingency(table)
            row.statistic = chi.statistic; row.pValue = chi.pValue
            row.unseenRate = curCounts[levels.count] / Double(cur.count)
        } else {
            let ks = KolmogorovSmirnov(method: c.ksMethod).test(sortedReference: base.sample.sorted, sortedCurrent: cur.sorted)
            row.statistic = ks.statistic; row.pValue = ks.pValue ?? .nan
        }
        row.effect = DriftBaseline.effectAboveBar(psi: row.populationStabilityIndex, js: row.jensenShannon,
                                                  bins: base.psi.binCount, n: cur.count, m: base.sample.count, c)
        return row
    }

    static func categoricalRow(_ name: String, _ base: CategoricalReference, _ column: CategoricalColumn, _ c: DriftConfiguration) -> FeatureDrift {
        let cmp = CategoricalComparison.compare(reference: base, current: column, minExpected: c.minExpected)
        var row = FeatureDrift(feature: name, type: .categorical, test: "chi2", statistic: cmp.chiSquared, pValue: cmp.pValue,
                               adjustedPValue: .nan, populationStabilityIndex: cmp.populationStabilityIndex,
                               jensenShannon: cmp.jensenShannon, wasserstein: .nan, normalizedWasserstein: .nan,
                               meanShiftPValue: .nan, varianceShiftPValue: .nan, unseenRate: cmp.unseenRate,
                               referenceCount: Int(base.counts.reduce(0, +)), referenceMissing: base.missingCount, currentCount: cmp.currentCount,
                               currentMissing: cmp.currentMissing, significant: false, effect: false, alarm: false,
                               importanceShare: nil, weightedSeverity: 0, pages: false, note: nil)
        if row.referenceCount == 0 { row.note = "reference has no values" }
        else if cmp.currentCount == 0 { row.note = column.count == 0 ? "empty window" : "window has no values (all missing)" }
        if row.note != nil {  // undefined without values on both sides (null in JSON)
            row.statistic = .nan; row.pValue = .nan; row.populationStabilityIndex = .nan; row.jensenShannon = .nan
        }
        row.effect = row.note == nil && DriftBaseline.effectAboveBar(psi: row.populationStabilityIndex, js: row.jensenShannon,
                                                                     bins: base.levels.count + 1, n: cmp.currentCount, m: row.referenceCount, c)
        return row
    }
}

/// Ranks features by drift weighted by the model's importance, so drift that cannot hurt the
/// model comes last: score = effect x importance / Σ importance.
public enum DriftRanking {
    /// Features ordered by `effect[f] * importance share` (descending, ties by name). Features
    /// without an importance get share 0; negative importances count as 0.
    public static func rank(effect: [String: Double], importance: [String: Double]) -> [(feature: String, score: Double)] {
        let total = effect.keys.reduce(0.0) { $0 + Swift.max(importance[$1] ?? 0, 0) }
        let scored = effect.map { (k, v) -> (feature: String, score: Double) in
            let share = total > 0 ? Swift.max(importance[k] ?? 0, 0) / total : 0
            return (k, (v.isFinite ? v : 0) * share)
        }
        return scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.feature < $1.feature }
    }

    /// The same with importances given as an array aligned with `features`.
    public static func rank(effect: [String: Double], features: [String], importance: [Double]) -> [(feature: String, score: Double)] {
        var map: [String: Double] = [:]
        for (f, w) in zip(features, importance) { map[f] = w }
        return rank(effect: effect, importance: map)
    }
}
