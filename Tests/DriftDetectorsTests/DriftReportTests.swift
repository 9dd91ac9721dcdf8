import DriftCore
import Foundation
import Testing
@testable import DriftDetectors

@Suite("Drift report, ranking and bad input")
struct DriftReportTests {
    static func table(_ columns: [(String, Column)]) -> Table { try! Table(columns: columns) }

    @Test func mismatchedColumnsAreReportedNotFatal() throws {
        let reference = DriftReportTests.table([("a", .numeric([1, 2, 3, 4])), ("b", .numeric([1, 1, 2, 2])),
                                                ("c", .categorical(CategoricalColumn(strings: ["x", "y", "x", "y"])))])
        let current = DriftReportTests.table([("a", .numeric([1, 2, 3, 5])), ("d", .numeric([0, 0, 0, 0])),
                                              ("c", .numeric([1, 2, 3, 4]))])
        let report = try DriftReport.compute(reference: reference, current: current)
        #expect(report.features.map(\.feature) == ["a"])
        #expect(report.onlyInReference == ["b"] && report.onlyInCurrent == ["d"] && report.typeMismatches == ["c"])
        var configuration = DriftConfiguration()
        configuration.features = ["a", "zz"]
        #expect(throws: DriftReportError.unknownFeature("zz", available: ["a", "c"])) {
            try DriftReport.compute(reference: reference, current: current, configuration: configuration)
        }
    }

    @Test func badInputGivesDefinedResults() throws {
        let reference = DriftReportTests.table([
            ("empty", .numeric([1, 2, 3, 4, 5, 6])), ("allNaN", .numeric([1, 2, 3, 4, 5, 6])),
            ("single", .numeric([1, 2, 3, 4, 5, 6])), ("inf", .numeric([1, 2, 3, 4, 5, 6])),
            ("constant", .numeric([7, 7, 7, 7, 7, 7])), ("refNaN", .numeric([.nan, .nan, .nan, .nan, .nan, .nan])),
            ("cat", .categorical(CategoricalColumn(strings: ["a", "b", "a", "b", "a", "b"]))),
        ])
        // An empty window: every feature gets a note, no alarm, no trap.
        let emptyWindow = DriftReportTests.table([("empty", .numeric([])), ("cat", .categorical(CategoricalColumn(strings: [])))])
        let empty = try DriftReport.compute(reference: reference, current: emptyWindow)
        #expect(empty.features.allSatisfy { $0.note == "empty window" && !$0.alarm && $0.pValue.isNaN })

        // Windows of different lengths, so one single-column table each.
        let windows: [(String, Column)] = [
            ("allNaN", .numeric([.nan, .nan])), ("single", .numeric([3.5])),
            ("inf", .numeric([1, .infinity, -.infinity, 2, 3])), ("constant", .numeric([7, 7, 8])),
            ("refNaN", .numeric([1, 2])), ("cat", .categorical(CategoricalColumn(strings: ["", "", "c"]))),
        ]
        var all: [FeatureDrift] = []
        var results: [DetectorResult] = []
        for (name, column) in windows {
            let report = try DriftReport.compute(reference: reference, current: DriftReportTests.table([(name, column)]))
            all += report.features
            results += report.results
        }
        let rows = Dictionary(uniqueKeysWithValues: all.map { ($0.feature, $0) })
        #expect(rows["allNaN"]?.note == "window has no values (all missing)" && rows["allNaN"]?.currentMissing == 2)
        #expect(rows["refNaN"]?.note == "reference has no values" && rows["refNaN"]?.referenceMissing == 6)
        #expect(rows["single"]?.pValue.isFinite == true && rows["single"]?.currentCount == 1)
        // Infinite values are counted in KS (as the extreme values they are) but skipped by W1.
        #expect(rows["inf"]?.statistic.isFinite == true && rows["inf"]?.wasserstein.isFinite == true)
        // A constant reference gets "below / at / above" bins; a new value above it moves PSI.
        #expect((rows["constant"]?.populationStabilityIndex ?? 0) > 0.1 && rows["constant"]?.unseenRate == 1.0 / 3)
        #expect(rows["cat"]?.currentMissing == 2 && rows["cat"]?.unseenRate == 1)
        for f in all { #expect(!f.statistic.isNaN || f.note != nil, "\(f.feature)") }
        // Results carry the detector contract.
        for r in results {
            #expect(r.threshold == 0.05 && (r.alarm ? r.indicates == .covariateShift : r.indicates == FailureKind.none))
        }
        // Direct calls on degenerate input do not trap either.
        #expect(KolmogorovSmirnov().test(reference: [], current: [1]).pValue?.isNaN == true)
        #expect(TwoSampleStatistics.welchTest([1], [2]).pValue?.isNaN == true)
        #expect(TwoSampleStatistics.brownForsythe([1, 1, 1], [1, 1]).pValue == 1)
        #expect(TwoSampleStatistics.wasserstein(sortedA: [], sortedB: [1]).isNaN)
        #expect(PSIReference(sortedReference: []).binCount == 1)
    }

    /// Found by a differential test of `driftlab drift` against SciPy 1.17.1 (2026-11-25).
    @Test("a small continuous reference gets KS, not chi-squared on exact values; an all-missing side has undefined statistics and keeps its type")
    func smallContinuousReferenceAndAllMissingColumns() throws {
        // 11 vs 11 interleaved values of one distribution: chi-squared on exact values read them as a
        // perfect separation (22.0, p 2.7e-6, alarm). Oracle (SciPy 1.17.1):
        //   a = [0.009, 0.100, 0.191, 0.282, 0.373, 0.464, 0.555, 0.645, 0.736, 0.827, 0.918]
        //   b = [0.055, 0.145, 0.236, 0.327, 0.418, 0.509, 0.600, 0.691, 0.782, 0.873, 0.964]
        //   scipy.stats.ks_2samp(a, b) -> statistic 0.09090909090909091, pvalue 1.0
        let a = [0.009, 0.100, 0.191, 0.282, 0.373, 0.464, 0.555, 0.645, 0.736, 0.827, 0.918]
        let b = [0.055, 0.145, 0.236, 0.327, 0.418, 0.509, 0.600, 0.691, 0.782, 0.873, 0.964]
        let small = try DriftReport.compute(reference: Self.table([("x", .numeric(a))]), current: Self.table([("x", .numeric(b))]))
        let row = try #require(small.features.first)
        #expect(row.test == "ks" && !row.alarm)
        #expect(abs(row.statistic - 0.09090909090909091) < 1e-12 && abs(row.pValue - 1.0) < 1e-9)
        // A discrete feature with repeats still gets chi-squared.
        let flags = try DriftReport.compute(reference: Self.table([("x", .numeric([0, 1, 0, 1, 1, 0]))]),
                                            current: Self.table([("x", .numeric([1, 1, 0]))]))
        #expect(flags.features.first?.test == "chi2")

        // All missing on one side: statistic and PSI undefined (null in JSON), like p and JS; a
        // categorical column with no values in the window (read as numeric) is that column, all missing.
        let reference = Self.table([("x", .numeric([1, 2, 3])), ("y", .categorical(CategoricalColumn(strings: ["a", "b", "c"])))])
        let window = Self.table([("x", .numeric([.nan, .nan])), ("y", .numeric([.nan, .nan]))])
        let report = try DriftReport.compute(reference: reference, current: window)
        #expect(report.typeMismatches.isEmpty)
        let rows = Dictionary(uniqueKeysWithValues: report.features.map { ($0.feature, $0) })
        for name in ["x", "y"] {
            let r = try #require(rows[name])
            #expect(r.note == "window has no values (all missing)" && r.currentMissing == 2 && !r.alarm, "\(name)")
            #expect(r.statistic.isNaN && r.populationStabilityIndex.isNaN && r.pValue.isNaN && r.jensenShannon.isNaN, "\(name)")
        }
        #expect(rows["y"]?.type == .categorical)
        guard case .object(let members) = report.json(), case .array(let features)? = members.first(where: { $0.0 == "features" })?.1,
              case .object(let first)? = features.first else { Issue.record("no features in JSON"); return }
        #expect(first.first(where: { $0.0 == "psi" })?.1 == .null && first.first(where: { $0.0 == "statistic" })?.1 == .null)
        // The other way round: a reference with no values, a categorical window.
        let reversed = try DriftReport.compute(reference: Self.table([("y", .numeric([.nan, .nan]))]),
                                               current: Self.table([("y", .categorical(CategoricalColumn(strings: ["a", "b"])))]))
        #expect(reversed.typeMismatches.isEmpty && reversed.features.first?.note == "reference has no values")
        #expect(reversed.features.first?.type == .categorical)
    }

    @Test("a numeric column with a few texts in the other table is tested on its numbers, the texts read as missing and named")
    func strayTextsInANumericColumn() throws {
        let reference = Self.table([("x", .numeric([1, 2, 3, 4, 5, 6])), ("c", .categorical(CategoricalColumn(strings: ["a", "b", "a", "b", "a", "b"]))),
                                    ("y", .numeric([1, 2, 3, 4, 5, 6]))])
        var current = Self.table([("x", .categorical(CategoricalColumn(strings: ["1.5", "unknown", "2.5", "-", "unknown", "7", ""]))),
                                  ("c", .categorical(CategoricalColumn(strings: ["a", "b", "a", "b", "a", "b", "a"]))),
                                  ("y", .categorical(CategoricalColumn(strings: ["low", "high", "low", "3", "low", "high", "low"])))])
        var ref = reference
        let coerced = DriftReport.coerceNumbers(reference: &ref, current: &current)
        #expect(coerced == [NumberCoercion(feature: "x", inReference: false, rows: 3, nonMissing: 6, examples: ["unknown", "-"])])
        let x = try #require(current["x"]?.numericValues)
        #expect(x[0] == 1.5 && x[1].isNaN && x[5] == 7 && x[6].isNaN)
        let report = try DriftReport.compute(reference: ref, current: current)
        #expect(report.typeMismatches == ["y"])  // mostly text: a real mismatch
        #expect(report.features.first { $0.feature == "x" }?.currentMissing == 4)
    }

    @Test("the mean- and variance-shift tests are scale-free: samples near 1e-300 or 1e300 give the p-values of the same samples near 1")
    func locationAndSpreadTestsAreScaleFree() throws {
        // Before: the variance of values near 1e-300 underflowed to 0, so t was infinite and p 0.
        // The second pair: a sample without spread against one with it (the scale is the spread's).
        for (a, b) in [([1.0, 2, 3, 4, 5], [1.5, 2.5, 3.5, 4.5, 5.5, 9]), ([0.0, 0, 0, 0], [-1.5, 0.5, 1, 2.5, 0.25])] {
            let unit = TwoSampleStatistics.skewCorrectedWelchTest(.init(a), .init(b)).pValue ?? .nan
            let spread = TwoSampleStatistics.brownForsythe(a, b).pValue ?? .nan
            #expect(unit > 0.05 && unit < 1 && spread > 0 && spread < 1, "\(unit) \(spread)")
            for scale in [1e-300, 1e-310, 1e300] {
                let p = TwoSampleStatistics.skewCorrectedWelchTest(.init(a.map { $0 * scale }), .init(b.map { $0 * scale })).pValue ?? .nan
                #expect(abs(p - unit) < 1e-6 * unit, "scale \(scale): \(p) against \(unit)")
                let q = TwoSampleStatistics.brownForsythe(a.map { $0 * scale }, b.map { $0 * scale }).pValue ?? .nan
                #expect(abs(q - spread) < 1e-6 * spread, "scale \(scale): \(q) against \(spread)")
            }
        }
    }

    @Test func rankingWeightsDriftByImportance() throws {
        var rng = Xoshiro256StarStar(seed: 3)
        let n = 4000
        let refA = (0..<n).map { _ in rng.normal() }, refB = (0..<n).map { _ in rng.normal() }, refC = (0..<n).map { _ in rng.normal() }
        let curA = (0..<n).map { _ in rng.normal() + 0.5 }, curB = (0..<n).map { _ in rng.normal() + 1.0 }, curC = (0..<n).map { _ in rng.normal() }
        let reference = DriftReportTests.table([("a", .numeric(refA)), ("b", .numeric(refB)), ("c", .numeric(refC))])
        let current = DriftReportTests.table([("a", .numeric(curA)), ("b", .numeric(curB)), ("c", .numeric(curC))])
        var configuration = DriftConfiguration()
        // b drifts most but the model barely uses it: it alarms but does not page, and a ranks first.
        configuration.importance = ["a": 0.6, "b": 0.01, "c": 0.39]
        let report = try DriftReport.compute(reference: reference, current: current, configuration: configuration)
        #expect(report.features.map(\.feature) == ["a", "b", "c"])
        let b = report.features[1]
        #expect(b.alarm && !b.pages && b.populationStabilityIndex > report.features[0].populationStabilityIndex)
        #expect(report.features[0].pages && !report.features[2].alarm)
        // Without importances the bigger drift ranks first.
        let plain = try DriftReport.compute(reference: reference, current: current)
        #expect(plain.features.map(\.feature) == ["b", "a", "c"])
        // The free-standing ranking with an importance array.
        let ranked = DriftRanking.rank(effect: ["a": 0.3, "b": 1.2, "c": 0.0], features: ["a", "b", "c"], importance: [0.6, 0.01, 0.39])
        #expect(ranked.map(\.feature) == ["a", "b", "c"])
    }

    @Test func jsonIsDeterministicAndRulesDiffer() throws {
        var rng = Xoshiro256StarStar(seed: 5)
        // Huge windows: a trivial shift of 0.03 SD is significant but below every effect floor.
        let n = 200_000
        let ref = (0..<n).map { _ in rng.normal() }, cur = (0..<n).map { _ in rng.normal() + 0.03 }
        let reference = DriftReportTests.table([("x", .numeric(ref))]), current = DriftReportTests.table([("x", .numeric(cur))])
        var configuration = DriftConfiguration()
        configuration.rule = .significance
        let significance = try DriftReport.compute(reference: reference, current: current, configuration: configuration)
        configuration.rule = .combined
        let combined = try DriftReport.compute(reference: reference, current: current, configuration: configuration)
        configuration.rule = .effectSize
        let effect = try DriftReport.compute(reference: reference, current: current, configuration: configuration)
        #expect(significance.features[0].alarm && !combined.features[0].alarm && !effect.features[0].alarm)
        #expect(combined.json().serialized() == (try DriftReport.compute(reference: reference, current: current)).json().serialized())
        let json = try JSON.parse(combined.json().serialized())
        #expect(json["features"]?.arrayValue?.first?["test"]?.stringValue == "ks")
    }
}
