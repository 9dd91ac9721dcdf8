import DriftCore

/// Every sub-kind the simulator can inject: its meaning, default features, which features it may
/// act on, and its parameters with their defaults as functions of severity s in [0, 1].
/// This table is the single source for the validator, `scenario.resolved.json`, the injectors
/// and scenarios/README.md.
public enum FailureCatalog {
    public struct Parameter: Sendable {
        public let name: String
        public let meaning: String
        /// The default at severity s.
        public let defaultValue: @Sendable (Double) -> FailureParameterValue
        /// The formula of the default, as written in the docs.
        public let defaultText: String
        /// Allowed numeric range, or allowed words for a text parameter.
        public let range: ClosedRange<Double>?
        public let choices: [String]?
        /// True when only whole numbers make sense (hours, days).
        public var wholeNumber: Bool = false
    }

    public struct Entry: Sendable {
        public let kind: FailureKind
        public let subkind: String
        public let meaning: String
        /// Features used when the scenario names none (empty: the sub-kind takes no features).
        public let defaultFeatures: [String]
        /// Roles of the features it may act on (empty: takes no features).
        public let allowedRoles: [ServedFeatures.Role]
        /// How many features it needs (e.g. exactly 2 for a column swap).
        public let featureCount: ClosedRange<Int>
        /// Default ramp in days when the scenario gives none.
        public let defaultRampDays: Int
        public let parameters: [Parameter]
        /// When set, the only feature names it may act on (e.g. `hour` for a time-zone change),
        /// on top of `allowedRoles`.
        public var allowedFeatures: [String]? = nil
    }

    static func number(_ name: String, _ meaning: String, _ text: String, _ range: ClosedRange<Double>,
                       whole: Bool = false, _ f: @escaping @Sendable (Double) -> Double) -> Parameter {
        Parameter(name: name, meaning: meaning, defaultValue: { .number(f($0)) }, defaultText: text, range: range,
                  choices: nil, wholeNumber: whole)
    }

    static func word(_ name: String, _ meaning: String, _ value: String, _ choices: [String]) -> Parameter {
        Parameter(name: name, meaning: meaning, defaultValue: { _ in .text(value) }, defaultText: "\"\(value)\"", range: nil, choices: choices)
    }

    static let numericRoles: [ServedFeatures.Role] = [.numeric, .velocity]
    static let anyRole: [ServedFeatures.Role] = [.numeric, .velocity, .boolean, .categorical]
    static let segments = ["standard", "premium", "student", "business"]
    static let channels = ["card_present", "online", "mobile"]
    static let categories = ["grocery", "restaurant", "fuel", "travel", "electronics", "fashion", "gaming",
                             "digital_goods", "pharmacy", "utilities", "entertainment", "jewelry"]
    /// Share of rows an upstream change reaches: 0.4 + 0.6 s, so s = 1 is every row.
    static let affectedShare = number("affected_share", "share of rows the change reaches", "0.4 + 0.6·s", 0...1) { 0.4 + 0.6 * $0 }

    /// The features some term of the hidden risk reads (`RiskFunction.termFeatures`): a weight change
    /// on any other (`merchant_country`) would change nothing and still mark every row as drifted.
    static let riskFeatures: [String] = FeatureSchema.names.indices
        .filter { f in RiskFunction.termFeatures.contains { $0.contains(f) } }.map { FeatureSchema.names[$0] }

    public static let entries: [Entry] = [
        // covariate shift: P(x) moves, f is untouched.
        Entry(kind: .covariateShift, subkind: "segment_mix", meaning: "a customer segment's share of transactions grows (e.g. students on a budget plan)",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 14, parameters: [
                word("segment", "the segment that grows", "student", segments),
                number("share_multiplier", "factor on the segment's share of transactions", "1 + 4·s", 0.01...100) { 1 + 4 * $0 },
              ]),
        Entry(kind: .covariateShift, subkind: "feature_shift", meaning: "a numeric feature's location and spread move (drawn differently by the world)",
              defaultFeatures: ["amount"], allowedRoles: [.numeric], featureCount: 1...4, defaultRampDays: 14, parameters: [
                number("shift_sd", "location shift in reference standard deviations (log scale for amount and distance)", "1.0·s", -10...10) { 1.0 * $0 },
                number("scale", "factor on the spread", "1 + 0.5·s", 0.01...100) { 1 + 0.5 * $0 },
              ]),
        Entry(kind: .covariateShift, subkind: "channel_mix", meaning: "a channel's share of transactions grows (a new acquisition channel)",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 14, parameters: [
                word("channel", "the channel that grows", "mobile", channels),
                number("share_multiplier", "factor on the channel's share", "1 + 3·s", 0.01...100) { 1 + 3 * $0 },
              ]),
        Entry(kind: .covariateShift, subkind: "category_mix", meaning: "a merchant category's share grows (seasonal shopping)",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 14, parameters: [
                word("category", "the category that grows", "electronics", categories),
                number("share_multiplier", "factor on the category's share", "1 + 3·s", 0.01...100) { 1 + 3 * $0 },
              ]),
        // prior shift: class-conditional resampling, P(x | y) untouched.
        Entry(kind: .priorShift, subkind: "fraud_wave", meaning: "the fraud share rises (a fraud wave)",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 0, parameters: [
                number("prior_multiplier", "factor on the fraud share", "1 + 2·s", 1...50) { 1 + 2 * $0 },
              ]),
        Entry(kind: .priorShift, subkind: "fraud_drop", meaning: "the fraud share falls (a fraud ring shut down)",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 0, parameters: [
                number("prior_multiplier", "factor on the fraud share", "1 - 0.8·s", 0...1) { 1 - 0.8 * $0 },
              ]),
        // concept drift: f changes, P(x) untouched.
        Entry(kind: .conceptDrift, subkind: "new_pattern", meaning: "a new fraud pattern in a region that used to be safe (card-present, low amounts, known device)",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 0, parameters: [
                number("risk_boost", "log-odds added to the hidden risk inside the pattern's region", "5·s", 0...20) { 5 * $0 },
              ]),
        Entry(kind: .conceptDrift, subkind: "weight_change", meaning: "features' effects on fraud weaken or flip",
              defaultFeatures: ["device_risk_score", "cvv_match"], allowedRoles: anyRole, featureCount: 1...6, defaultRampDays: 0, parameters: [
                number("multiplier", "factor on the features' terms in the hidden risk (0 removes, -1 flips)", "1 - 2·s", -5...5) { 1 - 2 * $0 },
              ], allowedFeatures: riskFeatures),
        Entry(kind: .conceptDrift, subkind: "sudden", meaning: "new_pattern that appears at once",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 0, parameters: [
                number("risk_boost", "log-odds added inside the pattern's region", "5·s", 0...20) { 5 * $0 },
              ]),
        Entry(kind: .conceptDrift, subkind: "gradual", meaning: "new_pattern that grows over the ramp",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 45, parameters: [
                number("risk_boost", "log-odds added inside the pattern's region", "5·s", 0...20) { 5 * $0 },
              ]),
        // schema change: the served encoding changes; the truth comes from the clean world.
        Entry(kind: .schemaChange, subkind: "unit_scale", meaning: "a number is sent in other units (cents instead of units)",
              defaultFeatures: ["amount"], allowedRoles: numericRoles, featureCount: 1...4, defaultRampDays: 0, parameters: [
                number("factor", "multiplier applied upstream", "100", 1e-6...1e6) { _ in 100 },
                affectedShare,
              ]),
        Entry(kind: .schemaChange, subkind: "category_recode", meaning: "category codes renamed (unseen labels) or permuted among themselves",
              defaultFeatures: ["merchant_category"], allowedRoles: [.categorical], featureCount: 1...3, defaultRampDays: 0, parameters: [
                word("mode", "rename: new labels; permute: existing labels swapped", "rename", ["rename", "permute"]),
                affectedShare,
              ]),
        Entry(kind: .schemaChange, subkind: "column_swap", meaning: "two columns arrive swapped",
              defaultFeatures: ["txn_count_24h", "distance_from_home_km"], allowedRoles: numericRoles, featureCount: 2...2, defaultRampDays: 0, parameters: [
                affectedShare,
              ]),
        Entry(kind: .schemaChange, subkind: "timezone", meaning: "the hour is sent in another time zone",
              defaultFeatures: ["hour"], allowedRoles: [.numeric], featureCount: 1...1, defaultRampDays: 0, parameters: [
                number("offset_hours", "hours added modulo 24", "round(2 + 8·s)", -23...23, whole: true) { (2 + 8 * $0).rounded() },
                affectedShare,
              ], allowedFeatures: ["hour"]),
        Entry(kind: .schemaChange, subkind: "boolean_flip", meaning: "a boolean arrives inverted",
              defaultFeatures: ["cvv_match"], allowedRoles: [.boolean], featureCount: 1...3, defaultRampDays: 0, parameters: [
                affectedShare,
              ]),
        Entry(kind: .schemaChange, subkind: "type_change", meaning: "a number arrives as text (\"1,234.50\") that the model's parser cannot read: served as missing, written as text in the logs",
              defaultFeatures: ["amount"], allowedRoles: numericRoles, featureCount: 1...2, defaultRampDays: 0, parameters: [
                affectedShare,
              ]),
        Entry(kind: .schemaChange, subkind: "definition_skew", meaning: "a velocity feature computed online with another window (1 hour instead of 24)",
              defaultFeatures: ["txn_count_24h"], allowedRoles: [.velocity], featureCount: 1...2, defaultRampDays: 0, parameters: [
                affectedShare,
              ]),
        // data quality: part of the served values are wrong or absent.
        Entry(kind: .dataQuality, subkind: "missing", meaning: "values arrive null",
              defaultFeatures: ["device_risk_score"], allowedRoles: anyRole, featureCount: 1...6, defaultRampDays: 0, parameters: [
                number("rate", "share of rows with the value missing", "0.6·s", 0...1) { 0.6 * $0 },
              ]),
        Entry(kind: .dataQuality, subkind: "noise", meaning: "values arrive with added noise",
              defaultFeatures: ["amount"], allowedRoles: numericRoles, featureCount: 1...6, defaultRampDays: 0, parameters: [
                number("rate", "share of rows made noisy", "0.5", 0...1) { _ in 0.5 },
                number("noise_sd", "noise in reference standard deviations", "2·s", 0...100) { 2 * $0 },
              ]),
        Entry(kind: .dataQuality, subkind: "out_of_range", meaning: "impossible values (negative ages, sentinel 99999)",
              defaultFeatures: ["account_age_days"], allowedRoles: numericRoles, featureCount: 1...6, defaultRampDays: 0, parameters: [
                number("rate", "share of rows with an impossible value", "0.3·s", 0...1) { 0.3 * $0 },
              ]),
        Entry(kind: .dataQuality, subkind: "stuck", meaning: "a feature stuck at one constant value",
              defaultFeatures: ["ip_risk_score"], allowedRoles: anyRole, featureCount: 1...6, defaultRampDays: 0, parameters: [
                number("rate", "share of rows that get the stuck value", "0.3 + 0.7·s", 0...1) { 0.3 + 0.7 * $0 },
              ]),
        Entry(kind: .dataQuality, subkind: "dropped", meaning: "a whole feature dropped: null, or filled with a default",
              defaultFeatures: ["device_risk_score"], allowedRoles: anyRole, featureCount: 1...6, defaultRampDays: 0, parameters: [
                word("fill", "null: served missing; default: served as the reference median (or mode)", "default", ["null", "default"]),
                affectedShare,
              ]),
        Entry(kind: .dataQuality, subkind: "stale", meaning: "velocity counters served from a cache that stopped refreshing",
              defaultFeatures: ["txn_count_1h", "txn_count_24h", "amount_sum_24h"], allowedRoles: [.velocity], featureCount: 1...4, defaultRampDays: 0, parameters: [
                affectedShare,
              ]),
        Entry(kind: .dataQuality, subkind: "duplicates", meaning: "a join bug repeats rows (same transaction id)",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 0, parameters: [
                number("rate", "share of rows that appear twice", "0.3·s", 0...1) { 0.3 * $0 },
              ]),
        // label delay: when and whether chargebacks arrive.
        Entry(kind: .labelDelay, subkind: "slower", meaning: "chargebacks take longer to arrive",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 0, parameters: [
                number("delay_multiplier", "factor on every fraud's chargeback delay", "1 + 3·s", 1...100) { 1 + 3 * $0 },
              ]),
        Entry(kind: .labelDelay, subkind: "coverage_drop", meaning: "fewer frauds are ever charged back",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 0, parameters: [
                number("coverage_multiplier", "factor on the share of frauds charged back", "1 - 0.8·s", 0...1) { 1 - 0.8 * $0 },
              ]),
        Entry(kind: .labelDelay, subkind: "outage", meaning: "the chargeback feed stops, then delivers the backlog at once",
              defaultFeatures: [], allowedRoles: [], featureCount: 0...0, defaultRampDays: 0, parameters: [
                number("outage_days", "days with no chargeback delivered; the backlog arrives the day after", "round(14 + 46·s)", 1...365, whole: true) { (14 + 46 * $0).rounded() },
              ]),
    ]

    public static func entry(kind: FailureKind, subkind: String) -> Entry? {
        entries.first { $0.kind == kind && $0.subkind == subkind }
    }

    public static func subkinds(of kind: FailureKind) -> [String] {
        entries.filter { $0.kind == kind }.map(\.subkind)
    }

    public static func parameter(kind: FailureKind, subkind: String, name: String) -> Parameter? {
        entry(kind: kind, subkind: subkind)?.parameters.first { $0.name == name }
    }
}
