import Testing
import Foundation
import DriftCore
@testable import DriftDetectors

func monitorAlarms(_ results: [DetectorResult]) -> [DetectorResult] { results.filter(\.alarm) }

func monitorSummary(_ results: [DetectorResult]) -> String {
    monitorAlarms(results).map { "\($0.detector)[\($0.features.joined(separator: ","))] \($0.subkind ?? "") stat=\($0.statistic)" }
        .joined(separator: "; ")
}

@Suite struct QualityChecksTests {
    let reference = QualityFixture.reference

    @Test(arguments: [100, 1_000, 100_000])
    func cleanWindowsStayQuiet(rows: Int) {
        let window = QualityFixture(rows: rows, seed: 11, stream: "clean-\(rows)")
        let results = QualityFixture.allChecks(reference: reference, window: window)
        #expect(monitorAlarms(results).isEmpty, "\(monitorSummary(results))")
    }

    @Test func missingRateFiresOnThirtyPercentMissing() {
        var window = QualityFixture(rows: 5_000, seed: 11, stream: "missing")
        var rng = Xoshiro256StarStar(seed: 3)
        window.numeric["device_risk_score"] = window.numeric["device_risk_score"]!.map { rng.bernoulli(0.3) ? .nan : $0 }
        let results = QualityFixture.allChecks(reference: reference, window: window)
        let hits = monitorAlarms(results)
        #expect(hits.count == 1, "\(monitorSummary(results))")
        #expect(hits.first?.detector == "missing_rate" && hits.first?.subkind == "missing" && hits.first?.indicates == .dataQuality)
        #expect(hits.first?.features == ["device_risk_score"])
    }

    @Test func missingRateNeedsTheMinimumEffectAtLargeWindows() {
        // 1 % -> 1.5 % missing on 100,000 rows: significant (p ~ 1e-20) but below the 2-point floor.
        let r = DataQualityChecks.missingRate(feature: "x", referenceMissing: 1_000, referenceCount: 100_000,
                                              windowMissing: 1_500, windowCount: 100_000)
        #expect(r.pValue! < 1e-10)
        #expect(!r.alarm)
        let dropped = DataQualityChecks.missingRate(feature: "x", referenceMissing: 10, referenceCount: 1_000,
                                                    windowMissing: 500, windowCount: 500)
        #expect(dropped.alarm && dropped.subkind == "dropped")
    }

    @Test func stuckValuesAndVarianceCollapse() {
        var window = QualityFixture(rows: 2_000, seed: 11, stream: "stuck")
        var rng = Xoshiro256StarStar(seed: 4)
        window.numeric["ip_risk_score"] = window.numeric["ip_risk_score"]!.map { rng.bernoulli(0.6) ? 0.42 : $0 }
        window.numeric["distance_from_home_km"] = [Double](repeating: 3.5, count: 2_000)
        let hits = monitorAlarms(QualityFixture.allChecks(reference: reference, window: window))
        let stuck = hits.filter { $0.detector == "stuck_value" }
        #expect(Set(stuck.flatMap(\.features)) == ["ip_risk_score", "distance_from_home_km"])
        #expect(stuck.allSatisfy { $0.subkind == "stuck" && $0.indicates == .dataQuality })
        let collapse = hits.filter { $0.detector == "variance_collapse" }
        #expect(collapse.map(\.features) == [["distance_from_home_km"]])
        // A default fill (the reference median everywhere) reads as a dropped feature.
        let r = NumericReference(name: "ip", values: reference.numeric["ip_risk_score"]!)
        let filled = DataQualityChecks.stuckValue(reference: r, window: NumericWindow(values: [Double](repeating: r.median, count: 500)))
        #expect(filled.alarm && filled.subkind == "dropped")
    }

    @Test func rangeViolationsAndImpossibleValues() {
        var window = QualityFixture(rows: 3_000, seed: 11, stream: "range")
        var rng = Xoshiro256StarStar(seed: 5)
        window.numeric["account_age_days"] = window.numeric["account_age_days"]!.map {
            rng.bernoulli(0.15) ? (rng.bernoulli(0.5) ? -1 : 99_999) : $0
        }
        let hits = monitorAlarms(QualityFixture.allChecks(reference: reference, window: window))
        let range = hits.filter { $0.detector == "range" }
        #expect(range.map(\.features) == [["account_age_days"]], "\(monitorSummary(hits))")
        #expect(range.first?.subkind == "out_of_range")
        #expect(Swift.abs((range.first?.statistic ?? 0) - 0.15) < 0.03)
        // Negative values in a never-negative feature are impossible even when the widened range would allow them.
        let r = NumericReference(name: "count", values: reference.numeric["txn_count_24h"]!)
        #expect(DataQualityChecks.acceptedRange(reference: r, margin: 0.1).lower == 0)
    }

    @Test func duplicatedTransactionIds() {
        var window = QualityFixture(rows: 2_000, seed: 11, stream: "dups")
        window.ids += window.ids.prefix(200)
        let hits = monitorAlarms(QualityFixture.allChecks(reference: reference, window: window))
        #expect(hits.map(\.detector) == ["duplicates"])
        #expect(Swift.abs(hits[0].statistic - 200.0 / 2_200) < 1e-12)
    }

    @Test func parseFailuresReadAsTypeChange() {
        let window = QualityFixture(rows: 1_000, seed: 11, stream: "type")
        var amount = window.numeric["amount"]!
        for i in stride(from: 0, to: 1_000, by: 2) { amount[i] = .nan }  // text cells served as missing
        var w = window
        w.numeric["amount"] = amount
        let hits = monitorAlarms(QualityFixture.allChecks(reference: reference, window: w, unparseable: ["amount": 500]))
        #expect(hits.contains { $0.detector == "parse_failures" && $0.subkind == "type_change" && $0.indicates == .schemaChange })
        #expect(hits.contains { $0.detector == "missing_rate" && $0.features == ["amount"] })
    }

    @Test func edgeCasesGiveDefinedResults() {
        let empty = NumericWindow(values: [])
        let allMissing = NumericWindow(values: [Double](repeating: .nan, count: 50))
        let withInfinity = NumericWindow(values: [1, 2, .infinity, -.infinity, 3])
        let refEmpty = NumericReference(name: "e", values: [])
        let refConstant = NumericReference(name: "c", values: [Double](repeating: 2, count: 100))
        let refAllMissing = NumericReference(name: "m", values: [Double](repeating: .nan, count: 100))
        let c = QualityConfiguration()
        for r in [refEmpty, refConstant, refAllMissing, reference.references()[0]] {
            for w in [empty, allMissing, withInfinity] {
                let results = [DataQualityChecks.missingRate(reference: r, window: w, configuration: c),
                               DataQualityChecks.stuckValue(reference: r, window: w, configuration: c),
                               DataQualityChecks.varianceCollapse(reference: r, window: w, configuration: c),
                               DataQualityChecks.rangeViolations(reference: r, window: w, configuration: c),
                               SchemaChecks.parseFailures(reference: r, window: w),
                               SchemaChecks.unitScale(reference: r, window: w)]
                    + SchemaChecks.columnSwap(references: [r, r], windows: [w, w])
                for result in results { #expect(!result.statistic.isNaN || result.detector == "variance_collapse") }
            }
        }
        #expect(DataQualityChecks.missingRate(reference: refEmpty, window: allMissing).alarm)  // all missing against nothing
        #expect(!DataQualityChecks.duplicates(ids: []).alarm)
        #expect(!SchemaChecks.booleanFlip(feature: "b", reference: [], window: [1, 0]).alarm)
        #expect(!SchemaChecks.timezoneShift(feature: "h", referenceHours: [], windowHours: []).alarm)
        let catEmpty = CategoricalWindow(column: CategoricalColumn(codes: [], levels: []))
        let catRef = CategoricalProfile(name: "c", column: reference.category)
        #expect(!SchemaChecks.unseenCategories(reference: catRef, window: catEmpty).alarm)
        #expect(!SchemaChecks.categoryPermutation(reference: catRef, window: catEmpty).alarm)
        #expect(!SchemaChecks.categoryPermutation(reference: CategoricalProfile(name: "z", column: CategoricalColumn(codes: [], levels: [])),
                                                  window: CategoricalWindow(column: reference.category)).alarm)
    }
}
