import Foundation
import Testing
@testable import DriftCore
@testable import DriftSim

@Suite struct QualityAndLabelTests {
    typealias S = FeatureSchema

    @Test func dataQualityRatesLandWithinBinomialTolerance() throws {
        let s = smallScenario(productionDays: 8, failures: [
            FailureSpec(kind: .dataQuality, subkind: "missing", features: ["device_risk_score", "channel"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .dataQuality, subkind: "noise", features: ["distance_from_home_km"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .dataQuality, subkind: "out_of_range", features: ["account_age_days"], startDay: 0, severity: 1),
            FailureSpec(kind: .dataQuality, subkind: "stuck", features: ["ip_risk_score"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .dataQuality, subkind: "dropped", features: ["avs_match"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .dataQuality, subkind: "stale", features: ["txn_count_24h"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .dataQuality, subkind: "duplicates", features: [], startDay: 0, severity: 0.5),
        ])
        let (sim, days) = try allDays(s)
        let st = sim.referenceStats
        var n = 0, originals = 0, copies = 0
        var missingDevice = 0, missingChannel = 0, noisy = 0, outOfRange = 0, stuck = 0, dropped = 0, staleRows = 0, staleCustomers = Set<Int32>(), customers = Set<Int32>()
        for b in days where b.day >= 0 {
            for i in 0..<b.count {
                n += 1
                if b.isDuplicate[i] == 1 {
                    copies += 1
                    #expect(b.transactionID[i] == b.transactionID[i - 1] && b.served.numeric[S.amount][i].bitPattern == b.served.numeric[S.amount][i - 1].bitPattern)
                    continue
                }
                originals += 1
                let m = b.alteredMask[i]
                func hit(_ f: Int) -> Bool { m & (1 << UInt32(f)) != 0 }
                if hit(S.deviceRisk) { missingDevice += 1; #expect(b.served.numeric[S.deviceRisk][i].isNaN) }
                else { #expect(b.served.numeric[S.deviceRisk][i] == b.clean.numeric[S.deviceRisk][i]) }
                if hit(S.channel) { missingChannel += 1; #expect(b.served.codes[S.channel][i] == -1) }
                if hit(S.distance) { noisy += 1 } else { #expect(b.served.numeric[S.distance][i] == b.clean.numeric[S.distance][i]) }
                if hit(S.accountAge) {
                    outOfRange += 1
                    let v = b.served.numeric[S.accountAge][i]
                    #expect(v == 99999 || v < 0)
                }
                if hit(S.ipRisk) { stuck += 1; #expect(b.served.numeric[S.ipRisk][i] == st.stuckValue[S.ipRisk]) }
                if hit(S.avsMatch) { dropped += 1; #expect(b.served.numeric[S.avsMatch][i] == st.median[S.avsMatch]) }
                customers.insert(b.customerID[i])
                if hit(S.count24h) {
                    staleRows += 1; staleCustomers.insert(b.customerID[i])
                    #expect(b.served.numeric[S.count24h][i] == b.cached[1][i])
                }
            }
        }
        #expect(withinBinomial(Double(missingDevice) / Double(originals), 0.3, originals))
        #expect(withinBinomial(Double(missingChannel) / Double(originals), 0.3, originals))
        #expect(withinBinomial(Double(noisy) / Double(originals), 0.5, originals))
        #expect(withinBinomial(Double(outOfRange) / Double(originals), 0.3, originals))
        #expect(withinBinomial(Double(stuck) / Double(originals), 0.65, originals))
        #expect(withinBinomial(Double(dropped) / Double(originals), 0.7, originals))
        #expect(withinBinomial(Double(copies) / Double(originals), 0.15, originals))
        // Stale caches freeze per customer: the share of customers, not of rows.
        #expect(withinBinomial(Double(staleCustomers.count) / Double(customers.count), 0.7, customers.count))
        // Noise has the configured spread: noise_sd (2·0.5 = 1) reference standard deviations.
        var diffs: [Double] = []
        for b in days where b.day >= 0 { for i in 0..<b.count where b.isDuplicate[i] == 0 && b.alteredMask[i] & (1 << UInt32(S.distance)) != 0 {
            diffs.append(b.served.numeric[S.distance][i] - b.clean.numeric[S.distance][i]) } }
        let sd = Descriptive.meanVarianceIgnoringNaN(diffs).variance.squareRoot()
        #expect(abs(sd / st.sd[S.distance] - 1) < 0.05, "noise sd \(sd / st.sd[S.distance]) reference sds")
        _ = n
    }

    /// Days from transaction to chargeback for the frauds of a period.
    func delays(_ days: [DayBatch], _ range: Range<Int>) -> (delays: [Double], frauds: Int) {
        var d: [Double] = [], frauds = 0
        for b in days where range.contains(b.day) {
            for i in 0..<b.count where b.isFraud[i] == 1 {
                frauds += 1
                if b.chargebackDay[i] != TransactionSimulator.never { d.append(Double(Int(b.chargebackDay[i]) - b.day)) }
            }
        }
        return (d, frauds)
    }

    @Test func labelDelayMediansAndCoverageMoveByTheConfiguredFactor() throws {
        var s = smallScenario(referenceDays: 30, productionDays: 30, failures: [
            FailureSpec(kind: .labelDelay, subkind: "slower", features: [], startDay: 0, severity: 2.0 / 3.0),  // x3
            FailureSpec(kind: .labelDelay, subkind: "coverage_drop", features: [], startDay: 0, severity: 0.5),  // x0.6
        ])
        s.population.baseFraudRate = 0.03
        let (_, days) = try allDays(s)
        let ref = delays(days, -30..<0), prod = delays(days, 0..<30)
        let m0 = Descriptive.medianIgnoringNaN(ref.delays), m1 = Descriptive.medianIgnoringNaN(prod.delays)
        // Delays are whole days (rounded up), so the median ratio is about (3·21 + 0.5) / (21 + 0.5).
        #expect(abs(m1 / m0 - 3) < 0.3, "median delay \(m0) -> \(m1)")
        #expect(abs(m0 - 21.5) < 2.5, "reference median delay \(m0)")
        let c0 = Double(ref.delays.count) / Double(ref.frauds), c1 = Double(prod.delays.count) / Double(prod.frauds)
        #expect(withinBinomial(c0, 0.9, ref.frauds) && withinBinomial(c1, 0.9 * 0.6, prod.frauds), "coverage \(c0) -> \(c1)")
        // The tail: the 99th percentile of the lognormal is tail_days (120).
        let sorted = ref.delays.sorted()
        #expect(Descriptive.quantile(sorted: sorted, 0.99) > 60 && Descriptive.quantile(sorted: sorted, 0.99) < 200)
    }

    @Test func anOutageHoldsLabelsAndDeliversTheBacklogTheDayAfter() throws {
        var s = smallScenario(referenceDays: 30, productionDays: 40, failures: [
            FailureSpec(kind: .labelDelay, subkind: "outage", features: [], startDay: 10, severity: 1, parameters: ["outage_days": .number(15)]),
        ])
        s.population.baseFraudRate = 0.03
        let (_, days) = try allDays(s)
        var perDay = [Int: Int]()
        for b in days { for i in 0..<b.count where b.chargebackDay[i] != TransactionSimulator.never { perDay[Int(b.chargebackDay[i]), default: 0] += 1 } }
        for d in 10..<25 { #expect(perDay[d] == nil, "a chargeback delivered on outage day \(d)") }
        let usual = (30..<40).map { perDay[$0] ?? 0 }.reduce(0, +) / 10
        #expect((perDay[25] ?? 0) > 8 * usual, "backlog \(perDay[25] ?? 0) against \(usual) a day")
    }

    /// Overlapping outages in any order hold a label until the last of them ends (found by fuzzing: a
    /// label held by the second-listed outage was delivered inside the first).
    @Test func overlappingOutagesAreMergedWhateverTheirOrder() {
        func outage(_ start: Int, _ days: Int) -> FailureSpec {
            FailureSpec(kind: .labelDelay, subkind: "outage", features: [], startDay: start, severity: 1, parameters: ["outage_days": .number(Double(days))])
        }
        var s = Scenario(name: "t", seed: 1)
        for failures in [[outage(10, 10), outage(5, 7)], [outage(5, 7), outage(10, 10)], [outage(5, 5), outage(10, 10)]] {
            s.failures = failures
            let o = Outages(s)
            #expect(o.ranges.count == 1 && o.ranges[0].start == 5 && o.ranges[0].end == 20, "\(o.ranges)")
            #expect([4, 5, 6, 12, 19, 20, 25].map { o.deliver(Int32($0)) } == [4, 20, 20, 20, 20, 20, 25])
        }
        s.failures = [outage(30, 5), outage(10, 5)]  // apart: kept apart, in time order
        #expect(Outages(s).ranges.map { [$0.start, $0.end] } == [[10, 15], [30, 35]])
        #expect([12, 15, 32].map { Outages(s).deliver(Int32($0)) } == [15, 15, 35])
    }

    @Test func theReferencePeriodIsUntouchedByFailures() throws {
        let failures = [
            FailureSpec(kind: .covariateShift, subkind: "feature_shift", features: ["amount"], startDay: 0, severity: 1),
            FailureSpec(kind: .priorShift, subkind: "fraud_wave", features: [], startDay: 0, severity: 1),
            FailureSpec(kind: .schemaChange, subkind: "unit_scale", features: ["amount"], startDay: 0, severity: 1),
            FailureSpec(kind: .labelDelay, subkind: "slower", features: [], startDay: 0, severity: 1),
        ]
        let a = Array(try TransactionSimulator(scenario: smallScenario(referenceDays: 5, productionDays: 2, failures: failures)).days(jobs: 2))
        let b = Array(try TransactionSimulator(scenario: smallScenario(referenceDays: 5, productionDays: 2)).days(jobs: 2))
        for (x, y) in zip(a, b) where x.day < 0 {
            #expect(x.served == y.served && x.riskLogit == y.riskLogit && x.isFraud == y.isFraud && x.chargebackDay == y.chargebackDay)
            #expect(x.activeKinds == 0 && x.alteredMask.allSatisfy { $0 == 0 })
        }
        #expect(a.last?.served.numeric[0] != b.last?.served.numeric[0])
    }
}
