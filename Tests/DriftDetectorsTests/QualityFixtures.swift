import Foundation
import DriftCore
@testable import DriftDetectors

/// A small synthetic transaction table for the monitor tests, drawn with the project's RNG:
/// the shapes of the served features (heavy-tailed amounts, counters, a daily hour cycle,
/// unbalanced booleans, a Zipf-like merchant category), without the simulator.
struct QualityFixture {
    static let numericNames = ["amount", "distance_from_home_km", "account_age_days", "device_risk_score",
                               "ip_risk_score", "txn_count_24h", "hour"]
    static let categories = ["grocery", "restaurant", "fuel", "travel", "electronics", "fashion", "gaming",
                             "digital_goods", "pharmacy", "utilities", "entertainment", "jewelry"]
    static let hourWeights: [Double] = (0..<24).map { (h: Int) -> Double in
        let x = Double(h)
        let day: Double = exp(-(x - 13) * (x - 13) / 18)
        let evening: Double = 0.5 * exp(-(x - 20) * (x - 20) / 4)
        return 0.2 + day + evening
    }

    var numeric: [String: [Double]] = [:]
    var cvvMatch: [Double] = []
    var isForeign: [Double] = []
    var category = CategoricalColumn(codes: [], levels: categories)
    var ids: [UInt64] = []
    var rows: Int

    init(rows n: Int, seed: UInt64, stream: String) {
        rows = n
        var rng = Xoshiro256StarStar(seed: seed, stream: streamID(stream))
        let hours = AliasTable(weights: Self.hourWeights)
        let cats = AliasTable(weights: (1...12).map { 1 / Double($0) })
        var amount = [Double](), distance = [Double](), age = [Double](), device = [Double](), ip = [Double]()
        var count = [Double](), hour = [Double](), codes = [Int32]()
        for _ in 0..<n {
            amount.append((rng.lognormal(mu: 3.5, sigma: 1.1) * 100).rounded() / 100)
            distance.append(rng.lognormal(mu: 2, sigma: 1.5))
            age.append(Foundation.floor(rng.uniform() * 3650))
            device.append(rng.bernoulli(0.01) ? .nan : rng.uniform() * rng.uniform())
            ip.append(rng.uniform())
            count.append(Double(rng.poisson(2)))
            hour.append(Double(hours.sample(using: &rng)))
            cvvMatch.append(rng.bernoulli(0.97) ? 1 : 0)
            isForeign.append(rng.bernoulli(0.05) ? 1 : 0)
            codes.append(Int32(cats.sample(using: &rng)))
            ids.append(rng.next())
        }
        numeric = ["amount": amount, "distance_from_home_km": distance, "account_age_days": age, "device_risk_score": device,
                   "ip_risk_score": ip, "txn_count_24h": count, "hour": hour]
        category = CategoricalColumn(codes: codes, levels: Self.categories)
    }

    func references() -> [NumericReference] { Self.numericNames.map { NumericReference(name: $0, values: numeric[$0]!) } }
    func windows() -> [NumericWindow] { Self.numericNames.map { NumericWindow(values: numeric[$0]!) } }

    /// Every data-quality and schema check of this file's features against a reference fixture.
    static func allChecks(reference: QualityFixture, window: QualityFixture, unparseable: [String: Int] = [:]) -> [DetectorResult] {
        let refs = reference.rows == Self.reference.rows && reference.ids == Self.reference.ids ? Self.referenceProfiles : reference.references()
        let wins = numericNames.map { NumericWindow(values: window.numeric[$0]!, unparseable: unparseable[$0] ?? 0) }
        var out: [DetectorResult] = []
        for (r, w) in zip(refs, wins) {
            out.append(DataQualityChecks.missingRate(reference: r, window: w))
            out.append(DataQualityChecks.stuckValue(reference: r, window: w))
            out.append(DataQualityChecks.varianceCollapse(reference: r, window: w))
            out.append(DataQualityChecks.rangeViolations(reference: r, window: w))
            out.append(SchemaChecks.parseFailures(reference: r, window: w))
            out.append(SchemaChecks.unitScale(reference: r, window: w))
        }
        out += SchemaChecks.columnSwap(references: refs, windows: wins)
        out.append(SchemaChecks.timezoneShift(feature: "hour", referenceHours: SchemaChecks.hourHistogram(reference.numeric["hour"]!),
                                              windowHours: SchemaChecks.hourHistogram(window.numeric["hour"]!)))
        out.append(SchemaChecks.booleanFlip(feature: "cvv_match", reference: reference.cvvMatch, window: window.cvvMatch))
        out.append(SchemaChecks.booleanFlip(feature: "is_foreign", reference: reference.isForeign, window: window.isForeign))
        let cr = CategoricalProfile(name: "merchant_category", column: reference.category)
        let cw = CategoricalWindow(column: window.category)
        out.append(DataQualityChecks.missingRate(reference: cr, window: cw))
        out.append(SchemaChecks.unseenCategories(reference: cr, window: cw))
        out.append(SchemaChecks.categoryPermutation(reference: cr, window: cw))
        out.append(DataQualityChecks.duplicates(ids: window.ids))
        return out
    }

    /// The reference shared by the tests (built once).
    static let reference = QualityFixture(rows: 100_000, seed: 11, stream: "reference")
    static let referenceProfiles = reference.references()
}
