import DriftCore

/// Column indices of the 20 served features (the order of `ServedFeatures.all`), their fixed
/// category level lists and how each is written to CSV. Level lists are FIXED for a run and
/// include the renamed labels a `category_recode` may serve, so codes mean the same on every day.
public enum FeatureSchema {
    public static let count = 20
    public static let amount = 0, merchantCategory = 1, channel = 2, cardType = 3, customerSegment = 4
    public static let merchantCountry = 5, isForeign = 6, distance = 7, newMerchant = 8, newDevice = 9
    public static let accountAge = 10, hour = 11, cvvMatch = 12, avsMatch = 13, deviceRisk = 14
    public static let ipRisk = 15, count1h = 16, count24h = 17, sum24h = 18, ratio30d = 19

    public static let names: [String] = ServedFeatures.names
    public static let roles: [ServedFeatures.Role] = ServedFeatures.all.map(\.role)

    /// True for the five categorical features (served as Int32 codes, -1 = missing).
    public static let isCategorical: [Bool] = roles.map { $0 == .categorical }

    public static let categories = FailureCatalog.categories
    public static let channels = FailureCatalog.channels
    public static let cardTypes = ["credit", "debit", "prepaid"]
    public static let segments = FailureCatalog.segments
    public static let countries = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "CA", "MX", "BR"]

    /// The labels a `category_recode` in `rename` mode serves instead of the base level:
    /// merchant categories become ISO 18245 MCC codes, countries ISO alpha-3, others upper case.
    public static let renamed: [[String]] = [
        [], ["5411", "5812", "5541", "4722", "5732", "5651", "7994", "5815", "5912", "4900", "7832", "5944"],
        ["CP", "ECOM", "MOBILE"], ["CREDIT", "DEBIT", "PREPAID"], ["STANDARD", "PREMIUM", "STUDENT", "BUSINESS"],
        ["USA", "GBR", "DEU", "FRA", "ESP", "ITA", "NLD", "CAN", "MEX", "BRA"],
    ] + Array(repeating: [], count: 14)

    /// Base levels per feature (empty for non-categorical features).
    public static let baseLevels: [[String]] = [[], categories, channels, cardTypes, segments, countries] + Array(repeating: [], count: 14)

    /// The fixed level list per feature: base levels, then renamed ones. Code k < base count is a
    /// base level; code base + k is the renamed form of level k.
    public static let levels: [[String]] = (0..<count).map { baseLevels[$0] + renamed[$0] }

    /// Decimals used when writing each numeric feature to CSV.
    public static let decimals: [Int] = [2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4, 4, 0, 0, 2, 4]

    /// Index of a served feature by name.
    public static func index(of name: String) -> Int? { names.firstIndex(of: name) }
}

/// Columns of the 20 served features for one day's rows: `numeric[f]` for numeric, boolean and
/// velocity features (NaN = missing), `codes[f]` for categorical ones (codes into
/// `FeatureSchema.levels[f]`, -1 = missing). The unused slot of each feature is empty.
public struct FeatureColumns: Sendable, Equatable {
    public var numeric: [[Double]]
    public var codes: [[Int32]]

    public init(count: Int) {
        numeric = (0..<FeatureSchema.count).map { FeatureSchema.isCategorical[$0] ? [] : [Double](repeating: 0, count: count) }
        codes = (0..<FeatureSchema.count).map { FeatureSchema.isCategorical[$0] ? [Int32](repeating: 0, count: count) : [] }
    }

    /// The numeric column of a feature by name (nil for unknown or categorical names).
    public func numeric(_ name: String) -> [Double]? {
        guard let f = FeatureSchema.index(of: name), !FeatureSchema.isCategorical[f] else { return nil }
        return numeric[f]
    }

    /// The code column of a categorical feature by name.
    public func codes(_ name: String) -> [Int32]? {
        guard let f = FeatureSchema.index(of: name), FeatureSchema.isCategorical[f] else { return nil }
        return codes[f]
    }

    /// Feature f of row i as a Double (codes converted; -1 stays -1).
    @inlinable public func value(_ f: Int, _ i: Int) -> Double {
        FeatureSchema.isCategorical[f] ? Double(codes[f][i]) : numeric[f][i]
    }
}
