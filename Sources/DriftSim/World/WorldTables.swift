import DriftCore
import Foundation

/// The fixed behaviour tables of the simulated world: how each customer segment spends, which
/// channels and merchant categories it uses, when each category trades, and how a fraudster on a
/// compromised card behaves. Changing a number here changes the world, not the failure injection.
enum WorldTables {
    // Segments: standard, premium, student, business.
    static let segmentShare: [Double] = [0.60, 0.15, 0.15, 0.10]
    /// Relative transactions per day of a segment's customer.
    static let segmentActivity: [Double] = [1.0, 1.3, 0.9, 1.8]
    /// Median amount of a segment's customer (per-customer lognormal spread 0.35 around it).
    static let segmentMedianAmount: [Double] = [45, 90, 22, 120]
    /// Channel habits (card_present, online, mobile) before per-customer perturbation.
    static let segmentChannels: [[Double]] = [[0.60, 0.25, 0.15], [0.50, 0.35, 0.15], [0.35, 0.25, 0.40], [0.40, 0.50, 0.10]]
    /// Card type weights (credit, debit, prepaid).
    static let segmentCardTypes: [[Double]] = [[0.50, 0.45, 0.05], [0.90, 0.10, 0.0], [0.20, 0.55, 0.25], [0.85, 0.15, 0.0]]
    /// Probability that a new-merchant pick is abroad.
    static let segmentForeign: [Double] = [0.03, 0.08, 0.04, 0.12]
    /// Mean account age in days; the daily churn probability is its inverse, so ages stay stationary.
    static let segmentAccountAge: [Double] = [1500, 2500, 400, 1800]
    /// Relative chance that a segment's card is compromised.
    static let segmentCompromise: [Double] = [1.0, 1.3, 1.5, 0.8]
    /// Merchant category weights per segment (FeatureSchema.categories order).
    static let segmentCategories: [[Double]] = [
        [30, 18, 12, 2, 4, 7, 2, 5, 6, 6, 7, 1],
        [20, 22, 8, 8, 6, 10, 1, 5, 4, 5, 8, 3],
        [25, 22, 5, 2, 5, 8, 8, 12, 3, 2, 8, 0.5],
        [10, 20, 15, 20, 10, 3, 0.5, 8, 2, 8, 3, 0.5],
    ]
    static let fraudsterCategories: [Double] = [5, 3, 3, 8, 20, 8, 12, 18, 1, 1, 4, 17]
    /// Log-amount offset per category.
    static let categoryAmountOffset: [Double] = [0, -0.3, 0.1, 1.6, 1.4, 0.6, -0.5, -0.8, -0.4, 0.7, -0.2, 1.9]
    /// Categories that cannot be paid with a card present (a card-present pick becomes online).
    static let onlineOnly: [Bool] = [false, false, false, false, false, false, true, true, false, true, false, false]
    static let countryWeights: [Double] = [0.45, 0.12, 0.10, 0.08, 0.05, 0.05, 0.04, 0.05, 0.03, 0.03]

    /// Hour-of-day profile per category: a night floor plus daytime, lunch/dinner or evening bumps.
    static let categoryHours: [[Double]] = (0..<12).map { c in
        (0..<24).map { h -> Double in
            let x = Double(h)
            func bump(_ mu: Double, _ sd: Double, _ w: Double) -> Double { w * exp(-0.5 * (x - mu) * (x - mu) / (sd * sd)) }
            let night = h < 6 ? 0.15 : 0.3
            switch c {
            case 1: return night + bump(12.5, 1.2, 3) + bump(19.5, 1.5, 4)              // restaurant
            case 6, 7, 10: return night + 0.6 + bump(20.5, 2.5, 4)                        // gaming, digital, entertainment
            case 2: return night + bump(8, 1.5, 2) + bump(17.5, 2, 2.5)                   // fuel
            default: return night + bump(14, 4, 3)                                         // daytime
            }
        }
    }
    /// Fraudsters trade around the clock with a night bulge.
    static let fraudsterHours: [Double] = (0..<24).map { h in h < 6 ? 1.6 : 1.0 }

    /// Fraudster transactions per compromised day, and how long an episode lasts (1 to 3 days).
    static let burstPerDay = 4.0
    /// Share of transactions made by fraudsters that the compromise rate aims at.
    static let fraudsterShare = 0.008
}

/// The merchants: a category and a country each, indexed by (category, country) for O(1) picks.
struct Merchants: Sendable {
    /// Merchants sorted by category * countries + country; `offsets[k] ..< offsets[k + 1]`.
    let byCell: [Int32]
    let offsets: [Int32]
    /// Merchants of category c in any country: `categoryStart[c] ..< categoryStart[c + 1]` into `byCell`.
    let categoryStart: [Int32]
    /// Category and country of each merchant, in 2 bytes (the row loop reads them: fewer cache lines).
    struct Place { var category: UInt8; var country: UInt8 }
    let places: [Place]

    init(count: Int, seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed, stream: streamID("merchants"))
        let n = Swift.max(count, 12)
        let mean = (0..<12).map { c in WorldTables.segmentCategories.indices.reduce(0.0) { $0 + WorldTables.segmentShare[$1] * WorldTables.segmentCategories[$1][c] } }
        let catTable = AliasTable(weights: mean)
        let countryTable = AliasTable(weights: WorldTables.countryWeights)
        var cat = [Int32](repeating: 0, count: n), cty = [Int32](repeating: 0, count: n)
        for m in 0..<n {
            cat[m] = Int32(m < 12 ? m : catTable.sample(using: &rng))
            cty[m] = Int32(m < 12 ? 0 : countryTable.sample(using: &rng))
        }
        let cells = 12 * FeatureSchema.countries.count
        var counts = [Int32](repeating: 0, count: cells + 1)
        for m in 0..<n { counts[Int(cat[m]) * FeatureSchema.countries.count + Int(cty[m]) + 1] += 1 }
        for k in 0..<cells { counts[k + 1] += counts[k] }
        var fill = counts
        var byCell = [Int32](repeating: 0, count: n)
        for m in 0..<n {
            let k = Int(cat[m]) * FeatureSchema.countries.count + Int(cty[m])
            byCell[Int(fill[k])] = Int32(m); fill[k] += 1
        }
        self.byCell = byCell; offsets = counts
        categoryStart = (0...12).map { counts[$0 * FeatureSchema.countries.count] }
        places = (0..<n).map { Place(category: UInt8(cat[$0]), country: UInt8(cty[$0])) }
    }

    /// A merchant of category `c` in country `k`, or of category `c` anywhere when none is there.
    @inline(__always)
    func pick(category c: Int, country k: Int, using rng: inout Xoshiro256StarStar) -> Int32 {
        let cell = c * FeatureSchema.countries.count + k
        let lo = Int(offsets[cell]), hi = Int(offsets[cell + 1])
        if hi > lo { return byCell[lo + rng.index(hi - lo)] }
        let a = Int(categoryStart[c]), b = Int(categoryStart[c + 1])
        return byCell[a + rng.index(b - a)]
    }
}
