import Foundation

/// The hidden "true risk" f(x): log-odds of fraud given the CLEAN features x. A sum of terms with
/// thresholds and interactions (device risk above 0.8, a new device on a large amount, a foreign
/// merchant far from home, IP risk only online, ...), so neither a linear model nor additive
/// stumps is exactly right. Concept drift acts here and only here: `weights` multiply terms
/// (`weight_change`), `boost` is added inside the new-pattern region (`new_pattern`, `sudden`,
/// `gradual`). P(y = 1 | x) = sigmoid(intercept + f(x)).
public enum RiskFunction {
    public static let termCount = 17

    /// The served features each term reads: a `weight_change` naming any of them multiplies the term.
    public static let termFeatures: [[Int]] = {
        typealias S = FeatureSchema
        return [
            [S.deviceRisk], [S.ipRisk, S.channel], [S.cvvMatch, S.channel], [S.avsMatch],
            [S.newDevice, S.amount], [S.newMerchant], [S.isForeign, S.distance], [S.count1h], [S.count24h],
            [S.ratio30d], [S.merchantCategory], [S.hour, S.channel], [S.accountAge], [S.amount],
            [S.cardType], [S.customerSegment], [S.sum24h],
        ]
    }()

    /// Log-odds offset per merchant category (FeatureSchema.categories order).
    static let categoryRisk: [Double] = [-0.4, -0.2, -0.1, 0.3, 0.6, 0.1, 0.5, 0.7, -0.3, -0.6, 0.0, 0.8]
    static let logAmountKnee = log(150.0)
    /// Overall contrast of the terms: sets how separable fraud is (the Bayes ROC AUC, about 0.95).
    static let contrast = 1.7

    /// f(x) without the intercept: x is one row of 20 clean feature values (codes as Doubles).
    @inline(__always)
    public static func risk(_ x: UnsafePointer<Double>, weights w: UnsafePointer<Double>, boost: Double) -> Double {
        typealias S = FeatureSchema
        let online = x[S.channel] != 0
        let dev = x[S.deviceRisk], ip = x[S.ipRisk], amount = x[S.amount]
        var z = 0.0
        z += w[0] * (2.4 * Swift.max(0, dev - 0.5) + (dev > 0.8 ? 0.8 : 0))
        z += w[1] * (online ? 1.6 * ip : 0.3 * ip)
        z += w[2] * ((1 - x[S.cvvMatch]) * (online ? 1.5 : 0.7))
        z += w[3] * ((1 - x[S.avsMatch]) * 0.6)
        z += w[4] * (x[S.newDevice] * (amount > 200 ? 1.4 : 0.7))
        z += w[5] * (0.35 * x[S.newMerchant])
        z += w[6] * (x[S.isForeign] * (x[S.distance] > 2000 ? 0.9 : 0.4))
        let c1 = x[S.count1h]
        z += w[7] * (c1 >= 2 ? 0.6 + 0.3 * Swift.min(c1 - 2, 4) : 0)
        z += w[8] * (x[S.count24h] >= 6 ? 0.5 : 0)
        let ratio = x[S.ratio30d]
        z += w[9] * (ratio > 3 ? 0.45 * Swift.min(log(ratio), 3) : 0)
        z += w[10] * categoryRisk[Int(x[S.merchantCategory])]
        z += w[11] * (x[S.hour] < 5 ? (online ? 0.6 : 0.2) : 0)
        let age = x[S.accountAge]
        z += w[12] * (age < 30 ? 0.7 : (age < 180 ? 0.25 : 0))
        z += w[13] * (amount > 150 ? 0.25 * (log(amount) - logAmountKnee) : 0)
        z += w[14] * (x[S.cardType] == 2 ? 0.5 : 0)
        let seg = x[S.customerSegment]
        z += w[15] * (seg == 2 ? 0.15 : (seg == 3 ? -0.1 : 0))
        z += w[16] * (x[S.sum24h] > 1500 ? 0.3 : 0)
        z *= contrast
        if boost != 0 && inNewPatternRegion(x) { z += boost }
        return z
    }

    /// The formerly safe region where `new_pattern` fraud appears: card present, amount under 50,
    /// a known device, at a grocery, fuel or pharmacy merchant (about a tenth of the traffic).
    @inline(__always)
    public static func inNewPatternRegion(_ x: UnsafePointer<Double>) -> Bool {
        let cat = x[FeatureSchema.merchantCategory]
        return x[FeatureSchema.channel] == 0 && x[FeatureSchema.amount] < 50 && x[FeatureSchema.newDevice] == 0
            && (cat == 0 || cat == 2 || cat == 8)
    }

    @inline(__always)
    public static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    /// f on a row given as a Swift array (tests and diagnostics; the generator uses pointers).
    public static func risk(row: [Double], weights: [Double] = Array(repeating: 1, count: termCount), boost: Double = 0) -> Double {
        row.withUnsafeBufferPointer { x in weights.withUnsafeBufferPointer { w in risk(x.baseAddress!, weights: w.baseAddress!, boost: boost) } }
    }
}
