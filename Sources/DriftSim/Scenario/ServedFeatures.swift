/// The model features the simulated world serves, in CSV column order. Scenario files name
/// features by these names; the validator rejects any other name.
public enum ServedFeatures {
    public enum Role: String, Sendable {
        /// A real-valued measurement (amount, distance, a risk score).
        case numeric
        /// 0 or 1.
        case boolean
        /// A per-customer counter computed from the customer's recent history.
        case velocity
        /// A label from a fixed set of categories.
        case categorical
    }

    /// Name, role and a one-line meaning of every served feature.
    public static let all: [(name: String, role: Role, meaning: String)] = [
        ("amount", .numeric, "transaction amount in currency units"),
        ("merchant_category", .categorical, "merchant category (about a dozen)"),
        ("channel", .categorical, "card_present, online or mobile"),
        ("card_type", .categorical, "credit, debit or prepaid"),
        ("customer_segment", .categorical, "standard, premium, student or business"),
        ("merchant_country", .categorical, "the merchant's country"),
        ("is_foreign", .boolean, "1 when the merchant's country is not the customer's home country"),
        ("distance_from_home_km", .numeric, "distance between the customer's home and the merchant"),
        ("new_merchant", .boolean, "1 when the customer never paid this merchant before"),
        ("new_device", .boolean, "1 when the device was never seen for this customer"),
        ("account_age_days", .numeric, "age of the customer's account"),
        ("hour", .numeric, "hour of day, 0 to 23, in the customer's time zone"),
        ("cvv_match", .boolean, "1 when the card verification value matched"),
        ("avs_match", .boolean, "1 when the address verification matched"),
        ("device_risk_score", .numeric, "upstream device-fingerprint risk, 0 to 1"),
        ("ip_risk_score", .numeric, "upstream IP-reputation risk, 0 to 1"),
        ("txn_count_1h", .velocity, "the customer's transactions in the previous hour"),
        ("txn_count_24h", .velocity, "the customer's transactions in the previous 24 hours"),
        ("amount_sum_24h", .velocity, "the customer's spending in the previous 24 hours"),
        ("amount_ratio_30d", .velocity, "amount divided by the customer's 30-day average amount"),
    ]

    public static var names: [String] { all.map(\.name) }

    public static func role(of name: String) -> Role? { all.first { $0.name == name }?.role }

    /// The served feature a velocity feature is computed from, when it is one: the 24-hour sum and the
    /// 30-day ratio are sums and ratios of past and current amounts, so a shift of `amount` moves them
    /// too (the counts depend on how often a customer pays, not on what).
    public static func source(of name: String) -> String? {
        name == "amount_sum_24h" || name == "amount_ratio_30d" ? "amount" : nil
    }
}
