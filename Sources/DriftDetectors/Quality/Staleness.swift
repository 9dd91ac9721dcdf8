import Foundation
import DriftCore

/// Staleness of velocity counters (served from a cache that stopped refreshing).
///
/// The sound test needs what a transaction log holds: customer ids and timestamps. A counter such
/// as txn_count_24h must be at least the number of the same customer's earlier transactions that
/// the log itself shows in the previous 24 hours. A stale counter lags that lower bound. Rows in
/// the first `horizon` of the log are skipped (their history is not in the log). The share of
/// lagging rows is compared with the same share on the reference log (which absorbs definitional
/// differences at the window's edge) by a one-sided two-proportion z-test with a minimum effect.
///
/// Without ids the fallback is the correlation of the counter with a fresh companion feature
/// (e.g. txn_count_24h with amount_sum_24h when only one of them is cached): a stale counter
/// decouples from it. Fisher z-test on log1p values with a minimum drop; blind when every
/// velocity feature is frozen together (then only the id-based test can see it).
public enum VelocityStaleness {
    /// Rows that can be checked and rows whose served counter lags the log-derived count.
    public struct Consistency: Sendable, Equatable {
        public var eligible: Int
        public var lagging: Int
        public var share: Double { eligible > 0 ? Double(lagging) / Double(eligible) : 0 }
    }

    /// The log-derived counter per row: the number of the same customer's transactions strictly
    /// earlier and within `horizon` of the row's time; -1 where the row cannot be checked (its
    /// history starts before the log, or its time is not finite). Empty on mismatched lengths.
    public static func derivedCounts(customers: [UInt64], times: [Double], horizon: Double) -> [Int] {
        derivedCounts(customers: customers, times: times, horizons: [horizon])[0]
    }

    /// `derivedCounts` for each of `horizons` over one log, ordering the rows once.
    public static func derivedCounts(customers: [UInt64], times: [Double], horizons: [Double]) -> [[Int]] {
        let n = customers.count
        guard n > 0, times.count == n else { return horizons.map { _ in [] } }
        var start = Double.infinity
        for t in times where t.isFinite { start = Swift.min(start, t) }
        guard start.isFinite else { return horizons.map { $0 > 0 ? [Int](repeating: -1, count: n) : [] } }
        var order: [Int]
        if times.allSatisfy(\.isFinite) {
            order = customerTimeOrder(customers: customers, times: times)
        } else {
            order = Array(0..<n)
            customers.withUnsafeBufferPointer { c in
                times.withUnsafeBufferPointer { t in
                    order.sort { c[$0] != c[$1] ? c[$0] < c[$1] : (t[$0] != t[$1] ? t[$0] < t[$1] : $0 < $1) }
                }
            }
        }
        return horizons.map { horizon in
            guard horizon > 0 else { return [] }
            var derived = [Int](repeating: -1, count: n)
            customers.withUnsafeBufferPointer { c in
                times.withUnsafeBufferPointer { t in
                    var left = 0
                    for k in 0..<n {
                        let row = order[k]
                        if k == 0 || c[order[k - 1]] != c[row] { left = k }
                        let now = t[row]
                        guard now.isFinite else { continue }
                        while left < k && !(t[order[left]] >= now - horizon) { left += 1 }
                        // Earlier rows of the same customer strictly before `now` (ties at `now` excluded).
                        var earlier = k - left
                        var back = k - 1
                        while back >= left && t[order[back]] == now { earlier -= 1; back -= 1 }
                        if now >= start + horizon { derived[row] = earlier }
                    }
                }
            }
            return derived
        }
    }

    /// Rows ordered by (customer, time, row) for finite times: a stable LSD radix sort by time
    /// (skipped when the log is already in time order, as a day-by-day log is), then stably by customer.
    static func customerTimeOrder(customers: [UInt64], times: [Double]) -> [Int] {
        var order = Array(0..<customers.count)
        var inTimeOrder = true
        times.withUnsafeBufferPointer { t in
            for i in t.indices.dropFirst() where t[i] < t[i - 1] { inTimeOrder = false; break }
        }
        if !inTimeOrder {
            // Order-preserving bit keys; -0 and +0 are one key (they compare equal).
            let keys = times.map { x -> UInt64 in
                let b = (x == 0 ? 0.0 : x).bitPattern
                return (b >> 63) == 0 ? b | 0x8000_0000_0000_0000 : ~b
            }
            stableRadixSort(&order, keys: keys)
        }
        stableRadixSort(&order, keys: customers)
        return order
    }

    /// Reorders `order` (row indices) stably by `keys[row]`, 8 bits a pass, skipping bytes every key shares.
    static func stableRadixSort(_ order: inout [Int], keys: [UInt64]) {
        let n = order.count
        guard n > 1 else { return }
        var k = order.map { keys[$0] }, idx = order
        var k2 = [UInt64](repeating: 0, count: n), i2 = [Int](repeating: 0, count: n)
        var any: UInt64 = 0, all: UInt64 = ~0
        for x in k { any |= x; all &= x }
        let varying = any ^ all
        var count = [Int](repeating: 0, count: 257)
        for pass in 0..<8 {
            let shift = UInt64(8 * pass)
            if (varying >> shift) & 0xFF == 0 { continue }
            for b in count.indices { count[b] = 0 }
            k.withUnsafeBufferPointer { kb in
                idx.withUnsafeBufferPointer { ib in
                    k2.withUnsafeMutableBufferPointer { k2b in
                        i2.withUnsafeMutableBufferPointer { i2b in
                            count.withUnsafeMutableBufferPointer { cb in
                                for x in kb { cb[Int((x >> shift) & 0xFF) + 1] += 1 }
                                for b in 0..<256 { cb[b + 1] += cb[b] }
                                for j in 0..<n {
                                    let b = Int((kb[j] >> shift) & 0xFF)
                                    k2b[cb[b]] = kb[j]; i2b[cb[b]] = ib[j]; cb[b] += 1
                                }
                            }
                        }
                    }
                }
            }
            swap(&k, &k2); swap(&idx, &i2)
        }
        order = idx
    }

    /// Counts rows whose served counter is below the number of the same customer's transactions in
    /// the log within `horizon` before the row's time (strictly earlier). Times and `horizon` share
    /// a unit (e.g. hours). Mismatched lengths or an empty log give zero eligible rows.
    public static func consistency(customers: [UInt64], times: [Double], served: [Double], horizon: Double) -> Consistency {
        consistency(derived: derivedCounts(customers: customers, times: times, horizon: horizon), served: served)
    }

    /// `consistency` from the log-derived counts (`derivedCounts`) of the same rows.
    public static func consistency(derived: [Int], served: [Double]) -> Consistency {
        guard derived.count == served.count else { return Consistency(eligible: 0, lagging: 0) }
        var eligible = 0, lagging = 0
        for i in 0..<derived.count where derived[i] >= 0 && !served[i].isNaN {
            eligible += 1
            if served[i] < Double(derived[i]) { lagging += 1 }
        }
        return Consistency(eligible: eligible, lagging: lagging)
    }

    /// Definition skew (a counter computed online with another window, e.g. 1 hour instead of 24):
    /// among checkable rows where the two definitions give different log-derived counts, the share
    /// whose served value matches the declared horizon's count and the share matching the
    /// alternative's (both after the reference's modal offset `offset`, e.g. 1 when the counter
    /// includes the current transaction). Only rows whose alternative count is not zero count (zero
    /// is also what a stale cache of a quiet customer serves). Alarm when at least 20 such rows
    /// exist and the alternative matches at least half of them and more than the declared one.
    /// Indicates `.schemaChange` / "definition_skew".
    public static func definitionSkew(feature: String, customers: [UInt64], times: [Double], served: [Double],
                                      horizon: Double, alternative: Double, offset: Double = 0) -> DetectorResult {
        let counts = derivedCounts(customers: customers, times: times, horizons: [horizon, alternative])
        return definitionSkew(feature: feature, declared: counts[0], other: counts[1], served: served,
                              alternative: alternative, offset: offset)
    }

    /// `definitionSkew` from the log-derived counts of the declared and the alternative horizon.
    public static func definitionSkew(feature: String, declared: [Int], other: [Int], served: [Double],
                                      alternative: Double, offset: Double = 0) -> DetectorResult {
        var informative = 0, matchDeclared = 0, matchOther = 0
        if declared.count == served.count && other.count == served.count {
            // Rows where the definitions differ and the alternative count is not zero: zero is what a
            // frozen cache of a quiet customer serves too, so it cannot tell a skew from staleness.
            for i in 0..<served.count where declared[i] >= 0 && other[i] > 0 && declared[i] != other[i] && served[i].isFinite {
                informative += 1
                if served[i] == Double(declared[i]) + offset { matchDeclared += 1 }
                if served[i] == Double(other[i]) + offset { matchOther += 1 }
            }
        }
        let share = informative > 0 ? Double(matchOther) / Double(informative) : 0
        let declaredShare = informative > 0 ? Double(matchDeclared) / Double(informative) : 0
        let alarm = informative >= 20 && share >= 0.5 && share > declaredShare
        return DetectorResult(detector: "definition_skew", features: [feature], statistic: share, threshold: 0.5, alarm: alarm,
                              indicates: .schemaChange, subkind: "definition_skew",
                              details: ["declared_match": declaredShare, "informative_rows": Double(informative),
                                        "alternative_horizon": alternative])
    }

    /// Alarm when the lagging share rose over the reference's: one-sided z-test p < alpha and a rise
    /// of at least `staleMinimumEffect`. Indicates `.dataQuality` / "stale".
    public static func consistencyCheck(feature: String, reference: Consistency, window: Consistency,
                                        configuration c: QualityConfiguration = .init()) -> DetectorResult {
        let rule = MonitorStatistics.proportionIncrease(referenceCount: reference.lagging, referenceTotal: reference.eligible,
                                                         windowCount: window.lagging, windowTotal: window.eligible,
                                                         alpha: c.alpha, minimumEffect: c.staleMinimumEffect)
        return DetectorResult(detector: "stale_counter", features: [feature], statistic: window.share, pValue: rule.pValue,
                              threshold: reference.share + c.staleMinimumEffect, alarm: rule.alarm, indicates: .dataQuality,
                              subkind: "stale", details: ["reference_share": reference.share, "eligible": Double(window.eligible)])
    }

    /// Pearson correlation of log1p(|x|)·sign(x) between paired columns, skipping rows with a
    /// non-finite value; returns (r, rows used). r = 0 when either side is constant.
    public static func logCorrelation(_ x: [Double], _ y: [Double]) -> (r: Double, count: Int) {
        let n = Swift.min(x.count, y.count)
        var k = 0.0, mx = 0.0, my = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
        @inline(__always) func f(_ v: Double) -> Double { v < 0 ? -log1p(-v) : log1p(v) }
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                for i in 0..<n {
                    let a0 = xb[i], b0 = yb[i]
                    guard a0.isFinite, b0.isFinite else { continue }
                    let a = f(a0), b = f(b0)
                    k += 1
                    let dx = a - mx, dy = b - my
                    mx += dx / k; my += dy / k
                    sxx += dx * (a - mx); syy += dy * (b - my); sxy += dx * (b - my)
                }
            }
        }
        guard sxx > 0, syy > 0 else { return (0, Int(k)) }
        return (sxy / (sxx * syy).squareRoot(), Int(k))
    }

    /// Correlation drop of a counter against a fresh companion: Fisher z-test
    /// z = (atanh r_ref - atanh r_win)/sqrt(1/(n_ref-3) + 1/(n_win-3)), one-sided; alarm when
    /// p < alpha and r_ref - r_win >= `correlationMinimumDrop`. Indicates `.dataQuality` / "stale".
    public static func correlationCheck(feature: String, companion: String,
                                        reference: (r: Double, count: Int), window: (r: Double, count: Int),
                                        configuration c: QualityConfiguration = .init()) -> DetectorResult {
        guard reference.count > 3, window.count > 3 else {
            return DetectorResult(detector: "stale_correlation", features: [feature, companion], statistic: window.r,
                                  pValue: 1, threshold: reference.r - c.correlationMinimumDrop, alarm: false, indicates: .dataQuality)
        }
        let clip = { (r: Double) in Swift.min(0.999999, Swift.max(-0.999999, r)) }
        let z = (atanh(clip(reference.r)) - atanh(clip(window.r))) /
            (1 / Double(reference.count - 3) + 1 / Double(window.count - 3)).squareRoot()
        let p = SpecialFunctions.normalSurvival(z)
        let drop = reference.r - window.r
        return DetectorResult(detector: "stale_correlation", features: [feature, companion], statistic: window.r, pValue: p,
                              threshold: reference.r - c.correlationMinimumDrop,
                              alarm: p < c.alpha && drop >= c.correlationMinimumDrop, indicates: .dataQuality,
                              subkind: "stale", details: ["reference_correlation": reference.r, "drop": drop])
    }
}
