import Foundation
import Testing
import DriftCore
import DriftSim
import DriftModels
@testable import DriftDetectors

/// Power on the bundled scenarios at severity 0.5 (issue 4, "must show"): each scenario is loaded,
/// forced to severity 0.5 (severity-derived parameters re-derived), shrunk to 3,000 customers and
/// 1,500 transactions a day with the onset on day 7 and a ramp of at most 7 days, and the detectors
/// built for its failure run on the reference (21 days) against the last 7 production days, when
/// the failure is at full strength. Figures print with the prefix "POWER".
@Suite("Power on simulated scenarios at severity 0.5")
struct SimulatedPowerTests {
    static let window = 7

    struct Simulation {
        let scenario: Scenario
        let batches: [DayBatch]
        var reference: Table { Simulated.table(batches, days: -scenario.referenceDays..<0) }
        var lastDays: Range<Int> { (scenario.productionDays - SimulatedPowerTests.window)..<scenario.productionDays }
        var window: Table { Simulated.table(batches, days: lastDays) }
    }

    static func simulate(_ name: String, severity: Double = 0.5, edit: (inout Scenario) -> Void = { _ in }) throws -> Simulation {
        let s = try Simulated.scenario(name, severity: severity, edit: edit)
        return Simulation(scenario: s, batches: try Simulated.batches(s))
    }

    // MARK: covariate shift -> the drift battery (default combined rule)

    @Test("covariate shift: the default drift rule flags the shifted or re-mixed feature",
          arguments: [("covariate-feature-shift", ["amount", "distance_from_home_km"]),
                      ("covariate-segment-mix", ["customer_segment"]),
                      ("covariate-channel-mix", ["channel"])])
    func covariate(_ name: String, _ expected: [String]) throws {
        let sim = try Self.simulate(name)
        let report = try DriftBaseline(reference: sim.reference).compare(sim.window)
        let alarms = report.features.filter(\.alarm).map(\.feature)
        for f in expected {
            let row = try #require(report.features.first { $0.feature == f })
            print("POWER covariate \(name) \(f): p_adj=\(row.adjustedPValue) psi=\(row.populationStabilityIndex) w1n=\(row.normalizedWasserstein) alarm=\(row.alarm)")
            #expect(row.alarm, "\(name): \(f) should alarm; alarms: \(alarms)")
        }
    }

    /// category_mix has no bundled scenario: it is the segment-mix scenario with the sub-kind changed.
    /// At severity 0.5 (electronics x2.5 on new-merchant picks) the chi-squared test is overwhelming
    /// but PSI (0.035) and JS (0.078) stay under the default rule's 0.1 effect floor: documented limit;
    /// the default rule fires at severity 1.
    @Test("covariate category_mix: significant at 0.5, default rule alarm at 1.0", arguments: [0.5, 1.0])
    func categoryMix(_ severity: Double) throws {
        let sim = try Self.simulate("covariate-segment-mix", severity: severity) { s in
            s.failures[0].subkind = "category_mix"
            s.failures[0].parameters = [:]
            s = (try? ScenarioFile.resolve(s)) ?? s
        }
        #expect(sim.scenario.failures[0].subkind == "category_mix")
        let report = try DriftBaseline(reference: sim.reference).compare(sim.window)
        let row = try #require(report.features.first { $0.feature == "merchant_category" })
        print("POWER covariate category_mix severity \(severity) merchant_category: p_adj=\(row.adjustedPValue) psi=\(row.populationStabilityIndex) js=\(row.jensenShannon) alarm=\(row.alarm)")
        #expect(row.significant)
        if severity >= 1 { #expect(row.alarm) }
    }

    // MARK: schema change and data quality -> QualityMonitor with the right subkind

    static func qualityAlarms(_ sim: Simulation) throws -> [DetectorResult] {
        let monitor = try QualityMonitor(reference: sim.reference, roles: Simulated.roles)
        var unparseable: [String: Int] = [:]
        for b in sim.batches where sim.lastDays.contains(b.day) {
            for m in b.textMask where m != 0 {
                for f in 0..<FeatureSchema.count where m & (1 << UInt32(f)) != 0 { unparseable[FeatureSchema.names[f], default: 0] += 1 }
            }
        }
        return try monitor.check(window: sim.window, unparseable: unparseable).filter(\.alarm)
    }

    @Test("schema change: the matching schema check fires with its subkind",
          arguments: [("schema-unit-scale", "unit_scale", "unit_scale"), ("schema-category-recode", "category_recode", "category_recode"),
                      ("schema-column-swap", "column_swap", "column_swap"), ("schema-timezone", "timezone", "timezone"),
                      ("schema-boolean-flip", "boolean_flip", "boolean_flip"), ("schema-unit-scale", "type_change", "type_change")])
    func schema(_ name: String, _ subkind: String, _ expected: String) throws {
        let sim = try Self.simulate(name) { s in
            if s.failures[0].subkind != subkind {
                s.failures[0].subkind = subkind; s.failures[0].parameters = [:]
                s = (try? ScenarioFile.resolve(s)) ?? s
            }
        }
        #expect(sim.scenario.failures[0].subkind == subkind)
        let alarms = try Self.qualityAlarms(sim)
        let features = sim.scenario.failures[0].features
        let hit = alarms.first { $0.indicates == .schemaChange && $0.subkind == expected && !Set($0.features).isDisjoint(with: features) }
        print("POWER schema \(subkind) \(features): \(hit.map { "\($0.detector) stat=\($0.statistic) \($0.details)" } ?? "MISSED; alarms \(alarms.map { "\($0.detector)/\($0.subkind ?? "")/\($0.features)" })")")
        #expect(hit != nil)
    }

    @Test("data quality: the matching check fires with its subkind",
          arguments: [("dq-missing", "missing"), ("dq-stuck", "stuck"), ("dq-dropped", "dropped"), ("dq-missing", "out_of_range")])
    func dataQuality(_ name: String, _ subkind: String) throws {
        let sim = try Self.simulate(name) { s in
            if s.failures[0].subkind != subkind {
                s.failures[0].subkind = subkind; s.failures[0].parameters = [:]
                s = (try? ScenarioFile.resolve(s)) ?? s
            }
        }
        #expect(sim.scenario.failures[0].subkind == subkind)
        let alarms = try Self.qualityAlarms(sim)
        let features = sim.scenario.failures[0].features
        for f in features {
            // A null-filled drop of 70 % of rows (severity 0.5) reads as `missing`: `dropped` needs a
            // whole feature gone (>= 99 % missing, or >= 95 % stuck at the default). Documented limit;
            // `droppedWhole` checks the sub-kind at severity 1.
            let accepted = subkind == "dropped" ? ["dropped", "missing"] : [subkind]
            let hit = alarms.first { $0.indicates == .dataQuality && accepted.contains($0.subkind ?? "") && $0.features.contains(f) }
            print("POWER data_quality \(subkind) \(f): \(hit.map { "\($0.detector) stat=\($0.statistic)" } ?? "MISSED; alarms \(alarms.map { "\($0.detector)/\($0.subkind ?? "")/\($0.features)" })")")
            #expect(hit != nil, "\(subkind) on \(f)")
        }
    }

    /// Null fill: `dropped` needs a whole feature gone (>= 99 % missing), so severity 1. Default fill
    /// (the simulator's pilot median, which is not this reference's median to the last digit): named
    /// `dropped` when the stuck value sits at the reference median's rank (±2 points) on a continuous
    /// feature, at severity 0.5 (70 % of rows) and 1.
    @Test("data quality dropped: named dropped (null fill at 1, default fill at 0.5 and 1)",
          arguments: [("null", 1.0), ("default", 0.5), ("default", 1.0)])
    func droppedWhole(_ fill: String, _ severity: Double) throws {
        let sim = try Self.simulate("dq-dropped", severity: severity) { s in
            s.failures[0].parameters["fill"] = .text(fill)
            s = (try? ScenarioFile.resolve(s)) ?? s
        }
        let alarms = try Self.qualityAlarms(sim)
        let hit = alarms.first { $0.indicates == .dataQuality && $0.subkind == "dropped" && $0.features.contains("device_risk_score") }
        print("POWER data_quality dropped (fill \(fill), severity \(severity)): \(hit.map { "\($0.detector) stat=\($0.statistic)" } ?? "MISSED")")
        #expect(hit != nil)
    }

    @Test("data quality duplicates: the duplicate check fires")
    func duplicates() throws {
        let sim = try Self.simulate("dq-missing") { s in
            s.failures[0].subkind = "duplicates"; s.failures[0].features = []; s.failures[0].parameters = [:]
            s = (try? ScenarioFile.resolve(s)) ?? s
        }
        let result = DataQualityChecks.duplicates(ids: Simulated.ids(sim.batches, days: sim.lastDays))
        let quiet = DataQualityChecks.duplicates(ids: Simulated.ids(sim.batches, days: -7..<0))
        print("POWER data_quality duplicates: share=\(result.statistic) alarm=\(result.alarm); reference share=\(quiet.statistic)")
        #expect(result.alarm && result.subkind == "duplicates")
        #expect(!quiet.alarm)
    }

    /// Customer keys and times in hours of the batches in `days`, for the log-based velocity checks.
    static func velocityLog(_ sim: Simulation, days: Range<Int>, feature: Int) -> (customers: [UInt64], hours: [Double], served: [Double]) {
        var c: [UInt64] = [], h: [Double] = [], v: [Double] = []
        for b in sim.batches where days.contains(b.day) {
            for i in 0..<b.count {
                c.append(UInt64(b.customerID[i])); h.append(Double(b.day) * 24 + Double(b.secondOfDay[i]) / 3600)
                v.append(b.served.numeric[feature][i])
            }
        }
        return (c, h, v)
    }

    @Test("data quality stale and schema definition_skew: the log-based velocity checks fire")
    func velocity() throws {
        let stale = try Self.simulate("dq-stale")
        let f = FeatureSchema.count24h
        let ref = Self.velocityLog(stale, days: -stale.scenario.referenceDays..<0, feature: f)
        let win = Self.velocityLog(stale, days: stale.lastDays, feature: f)
        let result = VelocityStaleness.consistencyCheck(
            feature: "txn_count_24h",
            reference: VelocityStaleness.consistency(customers: ref.customers, times: ref.hours, served: ref.served, horizon: 24),
            window: VelocityStaleness.consistency(customers: win.customers, times: win.hours, served: win.served, horizon: 24))
        print("POWER data_quality stale txn_count_24h: lagging share=\(result.statistic) reference=\(result.details["reference_share"] ?? .nan) alarm=\(result.alarm)")
        #expect(result.alarm && result.subkind == "stale")

        let skew = try Self.simulate("dq-stale") { s in
            s.failures[0] = FailureSpec(kind: .schemaChange, subkind: "definition_skew", features: ["txn_count_24h"],
                                        startDay: s.failures[0].startDay, rampDays: s.failures[0].rampDays, endDay: nil,
                                        severity: 0.5, parameters: [:])
            s = (try? ScenarioFile.resolve(s)) ?? s
        }
        // The reference's modal offset between the served counter and the log-derived 24 h count.
        let rl = Self.velocityLog(skew, days: -skew.scenario.referenceDays..<0, feature: f)
        let derived = VelocityStaleness.derivedCounts(customers: rl.customers, times: rl.hours, horizon: 24)
        var offsets: [Int: Int] = [:]
        for i in derived.indices where derived[i] >= 0 && rl.served[i].isFinite { offsets[Int(rl.served[i]) - derived[i], default: 0] += 1 }
        let offset = Double(offsets.max { $0.value < $1.value }?.key ?? 0)
        let w = Self.velocityLog(skew, days: skew.lastDays, feature: f)
        let r = VelocityStaleness.definitionSkew(feature: "txn_count_24h", customers: w.customers, times: w.hours, served: w.served,
                                                 horizon: 24, alternative: 1, offset: offset)
        print("POWER schema definition_skew txn_count_24h: match share=\(r.statistic) declared=\(r.details["declared_match"] ?? .nan) alarm=\(r.alarm)")
        #expect(r.alarm)
    }
}
