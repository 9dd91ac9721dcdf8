import DriftCore

/// Over-dispersion of fraud and alert counts (docs/lab.md, "Clustered counts"). Frauds come in
/// bursts on one compromised card, so a window's count of frauds (or of alerts, which follow them)
/// is a compound Poisson sum: Var = E[K²]/E[K] · mean, with K the events per card and burst. Every
/// binomial or Poisson z-test over such counts must divide z by √(E[K²]/E[K]) or it fires on
/// ordinary fluctuation (the control world measures about 3 with 14-day windows).
enum CountDispersion {
    /// Design effect E[K²]/E[K] (at least 1) of the rows flagged in `events`, clustered by
    /// (customer, block of `blockDays` days): 1 when every event is its own cluster.
    static func designEffect(customers: [Int32], days: [Int32], events: [Bool], blockDays: Int = 14) -> Double {
        var clusters: [UInt64: Int] = [:]
        let n = min(customers.count, days.count, events.count)
        for i in 0..<n where events[i] {
            let block = Int64(days[i]).quotientAndRemainder(dividingBy: Int64(max(1, blockDays)))
            let b = days[i] < 0 && block.remainder != 0 ? block.quotient - 1 : block.quotient
            let key = UInt64(UInt32(bitPattern: customers[i])) << 32 | UInt64(UInt32(truncatingIfNeeded: b))
            clusters[key, default: 0] += 1
        }
        var k = 0.0, k2 = 0.0
        for (_, c) in clusters { k += Double(c); k2 += Double(c * c) }
        return k > 0 ? max(1, k2 / k) : 1
    }

    /// The reference's dispersion: the larger of the frauds' and the primary model's alerts'.
    static func reference(customers: [Int32], days: [Int32], frauds: [UInt8], alerts: [UInt8]) -> Double {
        max(designEffect(customers: customers, days: days, events: frauds.map { $0 == 1 }),
            designEffect(customers: customers, days: days, events: alerts.map { $0 == 1 }))
    }

    /// Quasi-Poisson dispersion φ = Σ_d (c_d − n_d·p)² / (n_d·p) / (D − 1) of daily event counts
    /// against their volume-proportional expectation (at least 1). For logs without a customer
    /// column (the postmortem), where `designEffect` cannot cluster by card; bursts within a day
    /// are caught, bursts that span days are not, so it is a lower bound on the window's φ.
    static func daily(days: [Int32], events: [Bool]) -> Double {
        guard let lo = days.min(), let hi = days.max(), days.count == events.count else { return 1 }
        var rows = [Double](repeating: 0, count: Int(hi - lo) + 1), hits = rows
        for (d, e) in zip(days, events) {
            rows[Int(d - lo)] += 1
            if e { hits[Int(d - lo)] += 1 }
        }
        let total = rows.reduce(0, +), p = hits.reduce(0, +) / max(1, total)
        var chi2 = 0.0, used = 0
        for d in rows.indices where rows[d] > 0 && p > 0 {
            let expected = rows[d] * p
            chi2 += (hits[d] - expected) * (hits[d] - expected) / expected
            used += 1
        }
        return used > 1 ? max(1, chi2 / Double(used - 1)) : 1
    }
}
