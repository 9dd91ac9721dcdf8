import Foundation
import Testing
@testable import DriftCore
@testable import DriftSim

/// Each injector's semantics, checked statistically or exactly on small worlds.
@Suite struct InjectorTests {
    typealias S = FeatureSchema

    /// Rows of the reference and of production at full strength (day >= start).
    func split(_ days: [DayBatch], from start: Int = 0) -> (ref: [DayBatch], prod: [DayBatch]) {
        (days.filter { $0.day < 0 }, days.filter { $0.day >= start })
    }

    @Test func covariateShiftMovesXAndKeepsTheRiskFunction() throws {
        let s = smallScenario(failures: [
            FailureSpec(kind: .covariateShift, subkind: "feature_shift", features: ["amount"], startDay: 0, severity: 1),
        ])
        let (sim, days) = try allDays(s)
        let (ref, prod) = split(days)
        // f unchanged: every production row's log-odds is intercept + f(clean x) with the reference weights.
        var worst = 0.0
        for b in prod { for i in 0..<b.count { worst = Swift.max(worst, abs(b.riskLogit[i] - sim.intercept - RiskFunction.risk(row: cleanRow(b, i)))) } }
        #expect(worst < 1e-12)
        // P(y | x) unchanged: realised fraud matches the recorded probability (calibration on production).
        let n = prod.reduce(0) { $0 + $1.count }
        let y = prod.reduce(0) { $0 + $1.isFraud.reduce(0) { $0 + Int($1) } }
        let p = prod.reduce(0.0) { $0 + $1.fraudProbability.reduce(0, +) }
        #expect(abs(Double(y) - p) < 4.5 * p.squareRoot() + 5, "frauds \(y), expected \(p)")
        // P(x) moved: mean log amount by shift_sd (1.0) reference standard deviations, spread x1.5.
        func logAmounts(_ bs: [DayBatch]) -> [Double] { bs.flatMap { $0.clean.numeric[S.amount].map { log($0) } } }
        let a = Descriptive.meanVarianceIgnoringNaN(logAmounts(ref)), b = Descriptive.meanVarianceIgnoringNaN(logAmounts(prod))
        let sd = sim.referenceStats.logSD[S.amount]
        #expect(abs((b.mean - a.mean) / sd - 1.0) < 0.1, "shift \((b.mean - a.mean) / sd) sd")
        #expect(abs((b.variance / a.variance).squareRoot() - 1.5) < 0.1)
        // The ramp: nothing before start, and the reference period is untouched.
        #expect(ref.allSatisfy { $0.activeKinds == 0 } && prod.allSatisfy { $0.kinds == [.covariateShift] })
    }

    @Test func segmentAndChannelMixMoveSharesAndKeepTheRiskFunction() throws {
        let s = smallScenario(failures: [
            FailureSpec(kind: .covariateShift, subkind: "segment_mix", features: [], startDay: 0, severity: 1),
            FailureSpec(kind: .covariateShift, subkind: "channel_mix", features: [], startDay: 0, severity: 1),
        ])
        let (sim, days) = try allDays(s)
        let (ref, prod) = split(days)
        var worst = 0.0
        for b in prod { for i in 0..<b.count { worst = Swift.max(worst, abs(b.riskLogit[i] - sim.intercept - RiskFunction.risk(row: cleanRow(b, i)))) } }
        #expect(worst < 1e-12)
        // segment_mix: students' share of transactions grows by odds-free factor 5: p' = 5p / (5p + 1 - p).
        func studentShare(_ bs: [DayBatch]) -> Double {
            Double(bs.reduce(0) { $0 + $1.clean.codes[S.customerSegment].filter { $0 == 2 }.count }) / Double(bs.reduce(0) { $0 + $1.count })
        }
        let p0 = studentShare(ref), p1 = studentShare(prod)
        #expect(abs(p1 - 5 * p0 / (5 * p0 + 1 - p0)) < 0.03, "student share \(p0) -> \(p1)")
        // channel_mix: mobile grows by factor 4 on the customers' own habits, so its share rises well above.
        func mobileShare(_ bs: [DayBatch]) -> Double {
            Double(bs.reduce(0) { $0 + $1.clean.codes[S.channel].filter { $0 == 2 }.count }) / Double(bs.reduce(0) { $0 + $1.count })
        }
        #expect(mobileShare(prod) > 1.8 * mobileShare(ref), "mobile share \(mobileShare(ref)) -> \(mobileShare(prod))")
    }

    @Test func priorShiftMovesTheFraudShareAndKeepsClassConditionals() throws {
        for (subkind, multiplier) in [("fraud_wave", 3.0), ("fraud_drop", 0.2)] {
            var s = smallScenario(referenceDays: 28, failures: [FailureSpec(kind: .priorShift, subkind: subkind, features: [], startDay: 0, severity: 1)])
            s.population.baseFraudRate = 0.02
            let (_, days) = try allDays(s)
            let (ref, prod) = split(days)
            func share(_ bs: [DayBatch]) -> (Double, Int) {
                let n = bs.reduce(0) { $0 + $1.count }
                return (Double(bs.reduce(0) { $0 + $1.isFraud.reduce(0) { $0 + Int($1) } }) / Double(n), n)
            }
            let (r, _) = share(ref), (q, nq) = share(prod)
            #expect(withinBinomial(q, 0.02 * multiplier, nq) || abs(q / r - multiplier) < 0.15 * multiplier,
                    "\(subkind): fraud share \(r) -> \(q), expected x\(multiplier)")
            #expect(abs(q / (0.02 * multiplier) - 1) < 0.2, "\(subkind): \(q)")
            // P(x | y) unchanged, by two-sample KS tests. Legitimate rows: reference against production.
            // Frauds: fraud_drop thins frauds at random, so production frauds are compared with the
            // reference; fraud_wave adds frauds, compared with the world's own frauds of the same days
            // (frauds cluster in compromised-card episodes, which makes periods differ more than iid).
            func values(_ bs: [DayBatch], _ f: Int, _ keep: (DayBatch, Int) -> Bool) -> [Double] {
                bs.flatMap { b in (0..<b.count).filter { keep(b, $0) }.map { b.clean.numeric[f][$0] } }
            }
            var added = 0
            for f in [S.amount, S.deviceRisk, S.ipRisk, S.count1h, S.distance, S.ratio30d] {
                let legit = ksTest(values(ref, f) { $0.isFraud[$1] == 0 }, values(prod, f) { $0.isFraud[$1] == 0 })
                #expect(legit.p > 0.001, "\(subkind) legitimate \(S.names[f]): KS D=\(legit.d) p=\(legit.p)")
                let fraud: (d: Double, p: Double)
                if multiplier > 1 {
                    let a = values(prod, f) { $0.isFraud[$1] == 1 && $0.isResampled[$1] == 1 }
                    added = a.count
                    fraud = ksTest(a, values(prod, f) { $0.isFraud[$1] == 1 && $0.isResampled[$1] == 0 })
                } else {
                    fraud = ksTest(values(ref, f) { $0.isFraud[$1] == 1 }, values(prod, f) { $0.isFraud[$1] == 1 })
                }
                #expect(fraud.p > 0.001, "\(subkind) fraud \(S.names[f]): KS D=\(fraud.d) p=\(fraud.p)")
            }
            if multiplier > 1 { #expect(added > 500) }
        }
    }

    @Test func conceptDriftChangesTheRiskFunctionOnlyAsIntended() throws {
        let s = smallScenario(productionDays: 10, failures: [
            FailureSpec(kind: .conceptDrift, subkind: "new_pattern", features: [], startDay: 0, severity: 0.5),
            FailureSpec(kind: .conceptDrift, subkind: "weight_change", features: ["device_risk_score"], startDay: 5, severity: 1),
        ])
        let (sim, days) = try allDays(s)
        let control = Array(try TransactionSimulator(scenario: smallScenario(productionDays: 10)).days(jobs: 2))
        var inRegion = 0
        for b in days where b.day >= 0 {
            var w = [Double](repeating: 1, count: RiskFunction.termCount)
            if b.day >= 5 { w[0] = -1 }  // multiplier 1 - 2·1 on the device-risk term
            for i in 0..<b.count {
                let x = cleanRow(b, i)
                let region = x.withUnsafeBufferPointer { RiskFunction.inNewPatternRegion($0.baseAddress!) }
                inRegion += region ? 1 : 0
                let expected = sim.intercept + RiskFunction.risk(row: x, weights: w) + (region ? 2.5 : 0)
                #expect(abs(b.riskLogit[i] - expected) < 1e-9)
            }
        }
        #expect(inRegion > 500)
        // P(x) untouched: the features are exactly those of the control world (same seed).
        for (a, c) in zip(days, control) { #expect(a.clean == c.clean) }
    }

    @Test func schemaChangesAreExactTransformations() throws {
        let share = 0.4 + 0.6 * 0.5
        let s = smallScenario(productionDays: 8, failures: [
            FailureSpec(kind: .schemaChange, subkind: "unit_scale", features: ["amount"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .schemaChange, subkind: "category_recode", features: ["merchant_category"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .schemaChange, subkind: "category_recode", features: ["channel"], startDay: 0, severity: 0.5, parameters: ["mode": .text("permute")]),
            FailureSpec(kind: .schemaChange, subkind: "column_swap", features: ["txn_count_24h", "distance_from_home_km"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .schemaChange, subkind: "timezone", features: ["hour"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .schemaChange, subkind: "boolean_flip", features: ["cvv_match"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .schemaChange, subkind: "type_change", features: ["ip_risk_score"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .schemaChange, subkind: "definition_skew", features: ["amount_sum_24h"], startDay: 0, severity: 0.5),
        ])
        let (_, days) = try allDays(s)
        var n = 0
        var reached = [Int](repeating: 0, count: S.count)
        for b in days {
            for i in 0..<b.count {
                let m = b.alteredMask[i]
                if b.day < 0 { #expect(m == 0 && b.textMask[i] == 0); continue }
                n += 1
                func hit(_ f: Int) -> Bool { m & (1 << UInt32(f)) != 0 }
                for f in 0..<S.count where hit(f) { reached[f] += 1 }
                let c = b.clean, v = b.served
                #expect(v.numeric[S.amount][i] == c.numeric[S.amount][i] * (hit(S.amount) ? 100 : 1))
                let k = c.codes[S.merchantCategory][i]
                #expect(v.codes[S.merchantCategory][i] == (hit(S.merchantCategory) ? k + 12 : k))
                let ch = c.codes[S.channel][i]
                #expect(v.codes[S.channel][i] == (hit(S.channel) ? (ch + 1) % 3 : ch))
                #expect(hit(S.count24h) == hit(S.distance))
                #expect(v.numeric[S.count24h][i] == (hit(S.count24h) ? c.numeric[S.distance][i] : c.numeric[S.count24h][i]))
                #expect(v.numeric[S.distance][i] == (hit(S.distance) ? c.numeric[S.count24h][i] : c.numeric[S.distance][i]))
                let h = c.numeric[S.hour][i]
                #expect(v.numeric[S.hour][i] == (hit(S.hour) ? (h + 6).truncatingRemainder(dividingBy: 24) : h))  // offset round(2 + 8·0.5) = 6
                #expect(v.numeric[S.cvvMatch][i] == (hit(S.cvvMatch) ? 1 - c.numeric[S.cvvMatch][i] : c.numeric[S.cvvMatch][i]))
                #expect(hit(S.ipRisk) == v.numeric[S.ipRisk][i].isNaN && (b.textMask[i] != 0) == hit(S.ipRisk))
                #expect(v.numeric[S.sum24h][i] == (hit(S.sum24h) ? b.alternative[2][i] : c.numeric[S.sum24h][i]))
            }
        }
        for f in [S.amount, S.merchantCategory, S.channel, S.count24h, S.hour, S.cvvMatch, S.ipRisk, S.sum24h] {
            #expect(withinBinomial(Double(reached[f]) / Double(n), share, n), "\(S.names[f]): \(Double(reached[f]) / Double(n)) vs \(share)")
        }
    }
}
