import Testing
import Foundation
import DriftCore
@testable import DriftDetectors

@Suite struct QualitySchemaTests {
    let reference = QualityFixture.reference

    /// Applies `change` to a share of rows chosen with the test RNG.
    func affect(_ x: [Double], share: Double, seed: UInt64, _ change: (Double) -> Double) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed, stream: 99)
        return x.map { rng.bernoulli(share) ? change($0) : $0 }
    }

    @Test(arguments: [(100.0, 1.0), (100.0, 0.7), (100.0, 0.4), (1000.0, 1.0), (0.01, 1.0)])
    func unitScaleFindsTheRoundFactor(factor: Double, share: Double) {
        var window = QualityFixture(rows: 5_000, seed: 11, stream: "scale")
        window.numeric["amount"] = affect(window.numeric["amount"]!, share: share, seed: 1) { $0 * factor }
        let hits = monitorAlarms(QualityFixture.allChecks(reference: reference, window: window))
        let scale = hits.filter { $0.detector == "unit_scale" }
        #expect(scale.map(\.features) == [["amount"]], "\(monitorSummary(hits))")
        #expect(scale.first?.subkind == "unit_scale" && scale.first?.indicates == .schemaChange)
        #expect(scale.first?.details["factor"] == factor)
        #expect(Swift.abs((scale.first?.details["affected_share"] ?? 0) - share) < 0.05)
        #expect(!hits.contains { $0.detector == "column_swap" })
        if share == 1 { #expect(Swift.abs(log10(scale.first?.details["median_ratio"] ?? 1) - log10(factor)) < 0.05) }
    }

    @Test func unitScaleIgnoresALocationAndSpreadShift() {
        // A covariate shift of log-amount by 1 sd with 1.5x spread moves the distribution a lot, but is no unit change.
        var window = QualityFixture(rows: 5_000, seed: 11, stream: "shift")
        var rng = Xoshiro256StarStar(seed: 8)
        window.numeric["amount"] = (0..<5_000).map { _ in rng.lognormal(mu: 3.5 + 1.1, sigma: 1.1 * 1.5) }
        let result = SchemaChecks.unitScale(reference: reference.references()[0], window: NumericWindow(values: window.numeric["amount"]!))
        #expect(result.statistic > 0.2)
        #expect(!result.alarm, "\(result)")
    }

    @Test(arguments: [1.0, 0.7, 0.4])
    func columnSwapNamesBothColumns(share: Double) {
        var window = QualityFixture(rows: 5_000, seed: 11, stream: "swap")
        var rng = Xoshiro256StarStar(seed: 2)
        let a = window.numeric["txn_count_24h"]!, b = window.numeric["distance_from_home_km"]!
        var x = a, y = b
        for i in 0..<a.count where rng.bernoulli(share) { x[i] = b[i]; y[i] = a[i] }
        window.numeric["txn_count_24h"] = x
        window.numeric["distance_from_home_km"] = y
        let hits = monitorAlarms(QualityFixture.allChecks(reference: reference, window: window))
        let swaps = hits.filter { $0.detector == "column_swap" }
        #expect(Set(swaps.map { Set($0.features) }) == [["txn_count_24h", "distance_from_home_km"]], "\(monitorSummary(hits))")
        #expect(swaps.count == 2)
        #expect(swaps.allSatisfy { $0.subkind == "column_swap" && $0.indicates == .schemaChange })
        #expect(!hits.contains { $0.detector == "unit_scale" })
    }

    @Test(arguments: [1.0, 0.7, 0.4])
    func timezoneShiftFindsTheOffset(share: Double) {
        var window = QualityFixture(rows: 3_000, seed: 11, stream: "tz")
        window.numeric["hour"] = affect(window.numeric["hour"]!, share: share, seed: 3) { ($0 + 6).truncatingRemainder(dividingBy: 24) }
        let hits = monitorAlarms(QualityFixture.allChecks(reference: reference, window: window))
        let tz = hits.filter { $0.detector == "timezone" }
        #expect(tz.count == 1, "\(monitorSummary(hits))")
        #expect(tz.first?.details["offset_hours"] == 6 && tz.first?.subkind == "timezone")
    }

    @Test func flippedBooleans() {
        var window = QualityFixture(rows: 1_000, seed: 11, stream: "flip")
        window.cvvMatch = affect(window.cvvMatch, share: 0.7, seed: 4) { 1 - $0 }
        window.isForeign = window.isForeign.map { 1 - $0 }
        let hits = monitorAlarms(QualityFixture.allChecks(reference: reference, window: window))
        let flips = hits.filter { $0.detector == "boolean_flip" }
        #expect(Set(flips.flatMap(\.features)) == ["cvv_match", "is_foreign"], "\(monitorSummary(hits))")
        #expect(flips.allSatisfy { $0.subkind == "boolean_flip" })
        let cvv = flips.first { $0.features == ["cvv_match"] }
        #expect(Swift.abs((cvv?.statistic ?? 0) - 0.7) < 0.08)
    }

    @Test func permutedAndRenamedCategories() {
        // Permute: every code moves to another label (a derangement by frequency rank).
        var window = QualityFixture(rows: 5_000, seed: 11, stream: "perm")
        let permutation: [Int32] = [3, 7, 0, 11, 9, 1, 10, 4, 2, 5, 8, 6]
        window.category = CategoricalColumn(codes: window.category.codes.map { permutation[Int($0)] }, levels: QualityFixture.categories)
        var hits = monitorAlarms(QualityFixture.allChecks(reference: reference, window: window))
        #expect(hits.map(\.detector) == ["category_permutation"], "\(monitorSummary(hits))")
        #expect(hits.first?.subkind == "category_recode")
        // The same permutation reaching 70 % of rows.
        var partial = QualityFixture(rows: 5_000, seed: 11, stream: "perm-partial")
        var pick = Xoshiro256StarStar(seed: 12)
        partial.category = CategoricalColumn(codes: partial.category.codes.map { pick.bernoulli(0.7) ? permutation[Int($0)] : $0 },
                                             levels: QualityFixture.categories)
        #expect(SchemaChecks.categoryPermutation(reference: CategoricalProfile(name: "merchant_category", column: reference.category),
                                                 window: CategoricalWindow(column: partial.category)).alarm)
        // Rename: 70 % of rows arrive with new labels.
        var renamed = QualityFixture(rows: 5_000, seed: 11, stream: "rename")
        var rng = Xoshiro256StarStar(seed: 6)
        let levels = QualityFixture.categories + QualityFixture.categories.map { "MCC_" + $0.uppercased() }
        renamed.category = CategoricalColumn(codes: renamed.category.codes.map { rng.bernoulli(0.7) ? $0 + 12 : $0 }, levels: levels)
        hits = monitorAlarms(QualityFixture.allChecks(reference: reference, window: renamed))
        let unseen = hits.filter { $0.detector == "unseen_categories" }
        #expect(unseen.count == 1 && unseen.first?.subkind == "category_recode", "\(monitorSummary(hits))")
        #expect(unseen.first?.details["new_levels"] == 12)
        #expect(Swift.abs((unseen.first?.statistic ?? 0) - 0.7) < 0.05)
    }

    @Test func aCategoryMixChangeIsNoRecode() {
        // Electronics share x2.5 (a seasonal covariate shift): the category moved, no permutation alarm.
        var window = QualityFixture(rows: 20_000, seed: 11, stream: "mix")
        var rng = Xoshiro256StarStar(seed: 7)
        var weights = (1...12).map { 1 / Double($0) }
        weights[4] *= 2.5
        let table = AliasTable(weights: weights)
        window.category = CategoricalColumn(codes: (0..<20_000).map { _ in Int32(table.sample(using: &rng)) }, levels: QualityFixture.categories)
        let r = SchemaChecks.categoryPermutation(reference: CategoricalProfile(name: "merchant_category", column: reference.category),
                                                 window: CategoricalWindow(column: window.category))
        #expect(r.pValue! < 1e-6)
        #expect(!r.alarm, "\(r)")
    }
}
