import Testing
import Foundation
import DriftCore
@testable import DriftDetectors

/// A transaction log with customers and timestamps (hours); served 24-hour counters and
/// amount sums, optionally stale: for a share of rows the counter is read from a cache
/// `lagHours` old (the customer's count as it was then).
struct VelocityLog {
    var customers: [UInt64] = []
    var times: [Double] = []
    var count24h: [Double] = []
    var amountSum24h: [Double] = []

    init(customers n: Int, hours: Double, seed: UInt64, staleShare: Double = 0, lagHours: Double = 36,
         skewShare: Double = 0, skewHorizon: Double = 1) {
        var rng = Xoshiro256StarStar(seed: seed, stream: streamID("velocity"))
        for c in 0..<n {
            let rate = rng.lognormal(mu: log(1.5 / 24), sigma: 0.8)  // transactions per hour
            var t = rng.exponential(rate: rate)
            var mine: [(Double, Double)] = []
            while t < hours { mine.append((t, rng.lognormal(mu: 3.5, sigma: 1))); t += rng.exponential(rate: rate) }
            for (k, (now, _)) in mine.enumerated() {
                let stale = rng.bernoulli(staleShare)
                let asOf = stale ? now - lagHours : now
                let window = rng.bernoulli(skewShare) ? skewHorizon : 24
                var count = 0.0, sum = 0.0
                for j in 0..<k where mine[j].0 >= asOf - window && mine[j].0 < asOf { count += 1; sum += mine[j].1 }
                var freshSum = 0.0
                for j in 0..<k where mine[j].0 >= now - 24 { freshSum += mine[j].1 }
                customers.append(UInt64(c) &* 0x9E37_79B9_7F4A_7C15)
                times.append(now)
                count24h.append(count)
                amountSum24h.append(freshSum)
                _ = sum
            }
        }
    }
}

@Suite struct QualityStalenessTests {
    @Test func frozenCountersLagTheLog() {
        let reference = VelocityLog(customers: 3_000, hours: 240, seed: 1)
        let ref = VelocityStaleness.consistency(customers: reference.customers, times: reference.times, served: reference.count24h, horizon: 24)
        #expect(ref.eligible > 5_000)
        #expect(ref.lagging == 0)  // fresh counters never lag
        let clean = VelocityLog(customers: 3_000, hours: 240, seed: 2)
        let cleanC = VelocityStaleness.consistency(customers: clean.customers, times: clean.times, served: clean.count24h, horizon: 24)
        #expect(!VelocityStaleness.consistencyCheck(feature: "txn_count_24h", reference: ref, window: cleanC).alarm)
        let stale = VelocityLog(customers: 3_000, hours: 240, seed: 3, staleShare: 0.7)
        let staleC = VelocityStaleness.consistency(customers: stale.customers, times: stale.times, served: stale.count24h, horizon: 24)
        let result = VelocityStaleness.consistencyCheck(feature: "txn_count_24h", reference: ref, window: staleC)
        #expect(result.alarm && result.subkind == "stale" && result.indicates == .dataQuality, "\(result)")
        // Edge cases: empty log and mismatched lengths give no eligible rows.
        #expect(VelocityStaleness.consistency(customers: [], times: [], served: [], horizon: 24).eligible == 0)
        #expect(VelocityStaleness.consistency(customers: [1, 2], times: [0], served: [0, 0], horizon: 24).eligible == 0)
    }

    @Test func definitionSkewIsASchemaChangeNotStaleness() {
        let skewed = VelocityLog(customers: 3_000, hours: 240, seed: 4, skewShare: 0.7)
        let skew = VelocityStaleness.definitionSkew(feature: "txn_count_24h", customers: skewed.customers, times: skewed.times,
                                                    served: skewed.count24h, horizon: 24, alternative: 1)
        #expect(skew.alarm && skew.indicates == .schemaChange && skew.subkind == "definition_skew", "\(skew)")
        for log in [VelocityLog(customers: 3_000, hours: 240, seed: 2), VelocityLog(customers: 3_000, hours: 240, seed: 3, staleShare: 0.7)] {
            let r = VelocityStaleness.definitionSkew(feature: "txn_count_24h", customers: log.customers, times: log.times,
                                                     served: log.count24h, horizon: 24, alternative: 1)
            #expect(!r.alarm, "\(r)")
        }
        #expect(!VelocityStaleness.definitionSkew(feature: "x", customers: [], times: [], served: [], horizon: 24, alternative: 1).alarm)
    }

    /// A cache frozen at zero (quiet customers) matches the 1-hour count wherever that count is 0:
    /// with those rows counted, 70 % frozen zeros read as a definition skew (the simulator's stale
    /// counters at severity 1 matched on 58 % of rows). Rows whose alternative count is 0 are left out.
    @Test func countersFrozenAtZeroAreNotADefinitionSkew() {
        let log = VelocityLog(customers: 3_000, hours: 240, seed: 5)
        var rng = Xoshiro256StarStar(seed: 6)
        let frozen = log.count24h.map { rng.bernoulli(0.7) ? 0 : $0 }
        let r = VelocityStaleness.definitionSkew(feature: "txn_count_24h", customers: log.customers, times: log.times,
                                                 served: frozen, horizon: 24, alternative: 1)
        #expect(!r.alarm && r.statistic < 0.2, "\(r)")
        // A window where the skew started part-way (60 % of rows skewed) still alarms.
        let partial = VelocityLog(customers: 3_000, hours: 240, seed: 7, skewShare: 0.6)
        let p = VelocityStaleness.definitionSkew(feature: "txn_count_24h", customers: partial.customers, times: partial.times,
                                                 served: partial.count24h, horizon: 24, alternative: 1)
        #expect(p.alarm, "\(p)")
    }

    @Test func staleCounterDecouplesFromAFreshCompanion() {
        let reference = VelocityLog(customers: 3_000, hours: 240, seed: 1)
        let clean = VelocityLog(customers: 3_000, hours: 240, seed: 2)
        let stale = VelocityLog(customers: 3_000, hours: 240, seed: 3, staleShare: 0.7)
        let r = VelocityStaleness.logCorrelation(reference.count24h, reference.amountSum24h)
        #expect(r.r > 0.8)
        let quiet = VelocityStaleness.correlationCheck(feature: "txn_count_24h", companion: "amount_sum_24h", reference: r,
                                                       window: VelocityStaleness.logCorrelation(clean.count24h, clean.amountSum24h))
        #expect(!quiet.alarm, "\(quiet)")
        let fired = VelocityStaleness.correlationCheck(feature: "txn_count_24h", companion: "amount_sum_24h", reference: r,
                                                       window: VelocityStaleness.logCorrelation(stale.count24h, stale.amountSum24h))
        #expect(fired.alarm && fired.subkind == "stale", "\(fired)")
        #expect(VelocityStaleness.logCorrelation([1, 1, 1], [1, 2, 3]).r == 0)
    }
}
