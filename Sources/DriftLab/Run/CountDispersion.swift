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

    /// Design effect of a recall (the share of frauds that were alerts) under clustering: the ratio
    /// estimator's cluster-robust variance Σ_c (H_c − r·M_c)² over its binomial one r(1 − r)·M
    /// (Cochran 1977, §6.13), with M_c frauds and H_c alerted frauds per (customer, block of
    /// `blockDays` days). A burst's frauds share a card but not all their scores, so this is usually
    /// well under the count design effect E[K²]/E[K]: only the part of a burst's hits that moves
    /// together inflates the recall's variance. At least 1; 1 without both outcomes.
    static func recallDesignEffect(customers: [Int32], days: [Int32], frauds: [UInt8], hits: [UInt8], blockDays: Int = 14) -> Double {
        var clusters: [UInt64: (m: Int, h: Int)] = [:]
        let n = min(customers.count, days.count, frauds.count, hits.count)
        for i in 0..<n where frauds[i] == 1 {
            let block = Int64(days[i]).quotientAndRemainder(dividingBy: Int64(max(1, blockDays)))
            let b = days[i] < 0 && block.remainder != 0 ? block.quotient - 1 : block.quotient
            let key = UInt64(UInt32(bitPattern: customers[i])) << 32 | UInt64(UInt32(truncatingIfNeeded: b))
            let h = hits[i] == 1 ? 1 : 0
            clusters[key, default: (0, 0)].m += 1
            clusters[key, default: (0, 0)].h += h
        }
        // Integer sums (exact in any dictionary order): Σ(H_c − r·M_c)² = ΣH_c² − 2r·ΣH_c·M_c + r²·ΣM_c².
        var m = 0, h = 0, hh = 0, hm = 0, mm = 0
        for (_, c) in clusters { m += c.m; h += c.h; hh += c.h * c.h; hm += c.h * c.m; mm += c.m * c.m }
        guard m > 0, h > 0, h < m else { return 1 }
        let r = Double(h) / Double(m)
        let s = Double(hh) - 2 * r * Double(hm) + r * r * Double(mm)
        return max(1, s / (r * (1 - r) * Double(m)))
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
