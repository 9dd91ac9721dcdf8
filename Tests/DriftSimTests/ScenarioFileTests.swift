import DriftCore
import Foundation
import Testing
@testable import DriftSim

/// The package root, found from this file's path (Tests/DriftSimTests/ScenarioFileTests.swift).
private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
private let scenariosFolder = packageRoot.appendingPathComponent("scenarios")

private func bundledScenarioFiles() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: scenariosFolder.path)
        .filter { $0.hasSuffix(".json") && !$0.hasSuffix("schema.json") && !$0.hasSuffix("-sweep.json") && !$0.hasSuffix("-base.json") }.sorted()
        .map { scenariosFolder.appendingPathComponent($0).path }
}

/// Decodes JSON text as a scenario named "test.json".
private func decode(_ text: String) throws -> Scenario {
    try ScenarioFile.decode(try JSON.parse(text), file: "test.json")
}

/// The ConfigError that decoding `text` throws (nil when it decodes).
private func configError(_ text: String) throws -> ConfigError? {
    do { _ = try decode(text); return nil } catch let e as ConfigError { return e }
}

/// A minimal valid scenario with `failures` spliced in.
private func withFailures(_ failures: String, extra: String = "") -> String {
    "{\"name\": \"t\", \"seed\": 1, \(extra) \"failures\": [\(failures)]}"
}

@Suite("Scenario files")
struct ScenarioFileTests {
    @Test("every bundled scenario loads, resolves and fills every parameter")
    func bundledScenariosLoad() throws {
        let files = try bundledScenarioFiles()
        let names = Set(files.map { URL(fileURLWithPath: $0).lastPathComponent })
        for required in ["control.json", "compound.json", "capstone.json", "covariate-segment-mix.json",
                         "covariate-feature-shift.json", "prior-fraud-wave.json", "prior-fraud-drop.json",
                         "concept-new-pattern.json", "concept-weight-change.json", "schema-unit-scale.json",
                         "schema-category-recode.json", "schema-column-swap.json", "schema-timezone.json",
                         "dq-missing.json", "dq-stale.json", "dq-stuck.json", "label-delay-slower.json",
                         "label-delay-outage.json"] {
            #expect(names.contains(required), "scenarios/\(required) is missing")
        }
        var kindsCovered = Set<FailureKind>()
        for file in files {
            let s = try ScenarioFile.load(file)
            #expect(s.name + ".json" == URL(fileURLWithPath: file).lastPathComponent, "name matches the file name")
            #expect(s.description.count >= 60, "\(file) needs a real description")
            for f in s.failures {
                let entry = try #require(FailureCatalog.entry(kind: f.kind, subkind: f.subkind))
                #expect(Set(f.parameters.keys) == Set(entry.parameters.map(\.name)), "\(file): all parameters resolved")
                #expect(f.features.isEmpty == (entry.featureCount.upperBound == 0))
                kindsCovered.insert(f.kind)
            }
            if s.name == "capstone" {
                #expect(s.population.transactionsPerDay == 10_000 && s.productionDays == 180)
                #expect(Set(s.failures.map(\.kind)).count == 2)
            } else {
                #expect(s.population.transactionsPerDay == 4_000, "\(file): per-kind scenarios stay small")
            }
        }
        #expect(kindsCovered == Set(FailureKind.allCases.filter { $0 != .none }))
        let control = try ScenarioFile.load(scenariosFolder.appendingPathComponent("control.json").path)
        #expect(control.failures.isEmpty && control.injectedKinds == [.none])
    }

    @Test("resolvedJSON then decode gives back the same scenario, and the same text")
    func roundTrip() throws {
        for file in try bundledScenarioFiles() {
            let s = try ScenarioFile.load(file)
            let json = ScenarioFile.resolvedJSON(s)
            let again = try ScenarioFile.decode(try JSON.parse(json.serialized()), file: "resolved")
            #expect(again == s, "\(file)")
            #expect(ScenarioFile.resolvedJSON(again).serialized() == json.serialized())
        }
    }

    @Test("defaults: an empty scenario takes Scenario's defaults; a failure takes the catalog's")
    func defaults() throws {
        let empty = try decode(#"{"name": "d", "seed": 7}"#)
        #expect(empty == Scenario(name: "d", seed: 7))
        #expect(empty.productionDays == 180 && empty.referenceDays == 60 && empty.population.baseFraudRate == 0.01)

        let s = try decode(withFailures(#"{"kind": "schema_change", "subkind": "timezone", "start_day": 3, "severity": 0.25}"#))
        let f = try #require(s.failures.first)
        #expect(f.features == ["hour"])
        #expect(f.rampDays == 0 && f.endDay == nil)
        #expect(f.parameters["offset_hours"] == .number(4))  // round(2 + 8 · 0.25)
        #expect(f.parameters["affected_share"] == .number(0.4 + 0.6 * 0.25))

        let g = try decode(withFailures(#"{"kind": "concept_drift", "subkind": "gradual", "start_day": 0, "severity": 1, "params": {"risk_boost": 3}}"#))
        #expect(g.failures[0].rampDays == 45)
        #expect(g.failures[0].parameters == ["risk_boost": .number(3)])  // given values win over the severity default
        #expect(g.failures[0].number("risk_boost") == 3)
    }

    @Test("a large 64-bit seed is written as a string and read back")
    func largeSeed() throws {
        var s = Scenario(name: "big", seed: UInt64.max - 5)
        s.failures = []
        let json = ScenarioFile.resolvedJSON(s)
        #expect(json["seed"] == .string("18446744073709551610"))
        #expect(try ScenarioFile.decode(json, file: "x") == s)
        #expect(try decode(#"{"name": "n", "seed": 9007199254740991}"#).seed == (1 << 53) - 1)
    }

    struct BadCase: CustomStringConvertible, Sendable {
        let json: String
        let path: String
        let fragment: String
        var description: String { "\(path): \(fragment)" }
    }

    static let badCases: [BadCase] = [
        // unknown keys at every level, with did-you-mean
        .init(json: #"{"name": "t", "seed": 1, "populaton": {}}"#, path: "populaton", fragment: "did you mean 'population'?"),
        .init(json: #"{"name": "t", "seed": 1, "population": {"customer": 5}}"#, path: "population.customer", fragment: "did you mean 'customers'?"),
        .init(json: #"{"name": "t", "seed": 1, "label_delay": {"median": 5}}"#, path: "label_delay.median", fragment: "unknown key 'median'"),
        .init(json: withFailures(#"{"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 1, "severty": 0.5}"#), path: "failures[0].severty", fragment: "did you mean 'severity'?"),
        .init(json: withFailures(#"{"kind": "schema_change", "subkind": "unit_scale", "start_day": 1, "severity": 0.5, "params": {"facter": 10}}"#), path: "failures[0].params.facter", fragment: "has no parameter 'facter' (did you mean 'factor'?); its parameters are: factor, affected_share"),
        // wrong types
        .init(json: #"{"name": "t", "seed": 1, "production_days": "180"}"#, path: "production_days", fragment: "expected a whole number, found a string"),
        .init(json: #"{"name": "t", "seed": 1, "reference_days": 10.5}"#, path: "reference_days", fragment: "expected a whole number, got 10.5"),
        .init(json: #"{"name": "t", "seed": 1, "population": []}"#, path: "population", fragment: "expected an object, found an array"),
        .init(json: #"{"name": "t", "seed": 1, "failures": {}}"#, path: "failures", fragment: "expected an array"),
        .init(json: withFailures(#"{"kind": "data_quality", "subkind": "missing", "features": "amount", "start_day": 1, "severity": 0.5}"#), path: "failures[0].features", fragment: "expected an array, found a string"),
        .init(json: withFailures(#"{"kind": "schema_change", "subkind": "unit_scale", "start_day": 1, "severity": 0.5, "params": {"factor": "100"}}"#), path: "failures[0].params.factor", fragment: "expected a number, found a string"),
        .init(json: #"{"name": 5, "seed": 1}"#, path: "name", fragment: "expected a string, found a number"),
        .init(json: #"{"name": "t", "seed": "abc"}"#, path: "seed", fragment: "'abc' is not a whole number"),
        .init(json: #"{"name": "t", "seed": -1}"#, path: "seed", fragment: "must be a whole number from 0 to 2^53 - 1"),
        // 2^53 + 1 reads as the double 2^53, the same as another seed: refused, not rounded.
        .init(json: #"{"name": "t", "seed": 9007199254740993}"#, path: "seed", fragment: "must be a whole number from 0 to 2^53 - 1"),
        .init(json: #"{"name": "t"}"#, path: "seed", fragment: "is required"),
        .init(json: #"{"seed": 1}"#, path: "name", fragment: "is required"),
        .init(json: "[1, 2]", path: "", fragment: "expected an object, found an array"),
        .init(json: #"{"name": "t", "seed": 1, "failures": [3]}"#, path: "failures[0]", fragment: "expected an object, found a number"),
        // out-of-range values
        .init(json: withFailures(#"{"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 1, "severity": 0.5}, {"kind": "prior_shift", "subkind": "fraud_drop", "start_day": 1, "severity": 1.5}"#), path: "failures[1].severity", fragment: "must be in [0, 1]; got 1.5"),
        .init(json: #"{"name": "t", "seed": 1, "production_days": 0}"#, path: "production_days", fragment: "must be in [1, 3650]; got 0"),
        .init(json: #"{"name": "t", "seed": 1, "production_days": 4000}"#, path: "production_days", fragment: "must be in [1, 3650]; got 4000"),
        .init(json: #"{"name": "t", "seed": 1, "population": {"base_fraud_rate": 0}}"#, path: "population.base_fraud_rate", fragment: "must be above 0"),
        .init(json: #"{"name": "t", "seed": 1, "population": {"base_fraud_rate": 0.6}}"#, path: "population.base_fraud_rate", fragment: "must be in [0, 0.5]; got 0.6"),
        // Beyond the largest world generate runs in memory (10 million customers peaked at 21.8 GB).
        .init(json: #"{"name": "t", "seed": 1, "population": {"customers": 2000001}}"#, path: "population.customers", fragment: "must be in [1, 2000000]"),
        .init(json: #"{"name": "t", "seed": 1, "population": {"transactions_per_day": 2e7}}"#, path: "population.transactions_per_day", fragment: "must be in [1, 10000000]"),
        // The generator refuses 0.5 (fraud must stay the minority class); the validator says so first.
        .init(json: #"{"name": "t", "seed": 1, "population": {"base_fraud_rate": 0.5}}"#, path: "population.base_fraud_rate", fragment: "below 0.5 (fraud is the minority class); got 0.5"),
        .init(json: #"{"name": "t", "seed": 1, "population": {"weekly_seasonality": -0.1}}"#, path: "population.weekly_seasonality", fragment: "must be in [0, 0.9]"),
        .init(json: #"{"name": "t", "seed": 1, "population": {"customers": 0}}"#, path: "population.customers", fragment: "must be in [1, 2000000]; got 0"),
        .init(json: #"{"name": "t", "seed": 1, "label_delay": {"median_days": 30, "tail_days": 20}}"#, path: "label_delay.tail_days", fragment: "must be above median_days (30)"),
        .init(json: #"{"name": "t", "seed": 1, "label_delay": {"median_days": 0}}"#, path: "label_delay.median_days", fragment: "must be above 0"),
        .init(json: #"{"name": "t", "seed": 1, "label_delay": {"never_reported_share": 1}}"#, path: "label_delay.never_reported_share", fragment: "must be below 1"),
        .init(json: #"{"name": "t", "seed": 1, "label_delay": {"chargeback_window_days": 10}}"#, path: "label_delay.chargeback_window_days", fragment: "must be above median_days (21)"),
        .init(json: #"{"name": "t", "seed": 1, "monitoring": {"window_days": 7, "step_days": 14}}"#, path: "monitoring.step_days", fragment: "must be at most window_days (7)"),
        .init(json: #"{"name": "t", "seed": 1, "monitoring": {"step_days": 0}}"#, path: "monitoring.step_days", fragment: "must be in [1, 3650]; got 0"),
        .init(json: #"{"name": "t", "seed": 1, "production_days": 10, "monitoring": {"window_days": 14}}"#, path: "monitoring.window_days", fragment: "must be at most production_days (10)"),
        .init(json: #"{"name": "t", "seed": 1, "production_days": 10}"#, path: "monitoring.window_days", fragment: "no window ever fills; got 14 (the default)"),
        .init(json: #"{"name": "t", "seed": 1, "population": {"transactions_per_day": 1000001}}"#, path: "population.transactions_per_day",
              fragment: "must be at most 50 per customer a day, on average: 1000001 for 20000 customers (the default; set population.customers) is 50"),
        .init(json: withFailures(#"{"kind": "schema_change", "subkind": "unit_scale", "start_day": 1, "severity": 0.5, "params": {"factor": 0}}"#), path: "failures[0].params.factor", fragment: "must be in [1e-06, 1000000]; got 0"),
        .init(json: withFailures(#"{"kind": "schema_change", "subkind": "timezone", "start_day": 1, "severity": 0.5, "params": {"offset_hours": 2.5}}"#), path: "failures[0].params.offset_hours", fragment: "expected a whole number, got 2.5"),
        .init(json: withFailures(#"{"kind": "schema_change", "subkind": "timezone", "start_day": 1, "ramp_days": -2, "severity": 0.5}"#), path: "failures[0].ramp_days", fragment: "must be in [0, 3650]; got -2"),
        .init(json: withFailures(#"{"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 1, "severity": 1, "params": {"prior_multiplier": 3}}"#, extra: #""population": {"base_fraud_rate": 0.4},"#), path: "failures[0].params.prior_multiplier", fragment: "base_fraud_rate × prior_multiplier = 1.2"),
        // unknown kind or sub-kind
        .init(json: withFailures(#"{"kind": "covariate_shfit", "subkind": "segment_mix", "start_day": 1, "severity": 0.5}"#), path: "failures[0].kind", fragment: "unknown kind 'covariate_shfit' (did you mean 'covariate_shift'?); the kinds are: covariate_shift, prior_shift"),
        .init(json: withFailures(#"{"kind": "none", "subkind": "x", "start_day": 1, "severity": 0.5}"#), path: "failures[0].kind", fragment: "'none' is not a failure"),
        .init(json: withFailures(#"{"kind": "covariate_shift", "subkind": "segmnt_mix", "start_day": 1, "severity": 0.5}"#), path: "failures[0].subkind", fragment: "unknown sub-kind 'segmnt_mix' of covariate_shift (did you mean 'segment_mix'?); its sub-kinds are: segment_mix, feature_shift, channel_mix, category_mix"),
        .init(json: withFailures(#"{"kind": "data_quality", "subkind": "unit_scale", "start_day": 1, "severity": 0.5}"#), path: "failures[0].subkind", fragment: "'unit_scale' is a sub-kind of schema_change, not data_quality"),
        .init(json: withFailures(#"{"kind": "data_quality", "start_day": 1, "severity": 0.5}"#), path: "failures[0].subkind", fragment: "is required; data_quality has the sub-kinds: missing, noise"),
        // features
        .init(json: withFailures(#"{"kind": "data_quality", "subkind": "missing", "features": ["amout"], "start_day": 1, "severity": 0.5}"#), path: "failures[0].features[0]", fragment: "unknown feature 'amout' (did you mean 'amount'?); the served features are: amount, merchant_category"),
        .init(json: withFailures(#"{"kind": "schema_change", "subkind": "boolean_flip", "features": ["amount"], "start_day": 1, "severity": 0.5}"#), path: "failures[0].features[0]", fragment: "schema_change/boolean_flip cannot act on 'amount' (a numeric feature); it accepts: is_foreign, new_merchant, new_device, cvv_match, avs_match"),
        .init(json: withFailures(#"{"kind": "schema_change", "subkind": "timezone", "features": ["amount"], "start_day": 1, "severity": 0.5}"#), path: "failures[0].features[0]", fragment: "it accepts: hour"),
        .init(json: withFailures(#"{"kind": "schema_change", "subkind": "column_swap", "features": ["amount"], "start_day": 1, "severity": 0.5}"#), path: "failures[0].features", fragment: "needs exactly 2 distinct features; got 1"),
        .init(json: withFailures(#"{"kind": "schema_change", "subkind": "column_swap", "features": ["amount", "amount"], "start_day": 1, "severity": 0.5}"#), path: "failures[0].features[1]", fragment: "'amount' is listed twice"),
        .init(json: withFailures(#"{"kind": "data_quality", "subkind": "stale", "features": [], "start_day": 1, "severity": 0.5}"#), path: "failures[0].features", fragment: "needs 1 to 4 features; got 0"),
        .init(json: withFailures(#"{"kind": "concept_drift", "subkind": "weight_change", "features": ["amount", "hour", "channel", "cvv_match", "avs_match", "is_foreign", "new_device"], "start_day": 1, "severity": 0.5}"#), path: "failures[0].features", fragment: "needs 1 to 6 features; got 7"),
        .init(json: withFailures(#"{"kind": "covariate_shift", "subkind": "segment_mix", "features": ["amount"], "start_day": 1, "severity": 0.5}"#), path: "failures[0].features", fragment: "takes no features; remove 'features'"),
        .init(json: withFailures(#"{"kind": "data_quality", "subkind": "missing", "features": [3], "start_day": 1, "severity": 0.5}"#), path: "failures[0].features[0]", fragment: "expected a string, found a number"),
        // parameters
        .init(json: withFailures(#"{"kind": "data_quality", "subkind": "dropped", "start_day": 1, "severity": 0.5, "params": {"fill": "zero"}}"#), path: "failures[0].params.fill", fragment: "'zero' is not one of: null, default"),
        .init(json: withFailures(#"{"kind": "covariate_shift", "subkind": "segment_mix", "start_day": 1, "severity": 0.5, "params": {"segment": "students"}}"#), path: "failures[0].params.segment", fragment: "(did you mean 'student'?)"),
        .init(json: withFailures(#"{"kind": "covariate_shift", "subkind": "segment_mix", "start_day": 1, "severity": 0.5, "params": []}"#), path: "failures[0].params", fragment: "expected an object, found an array"),
        // timing
        .init(json: withFailures(#"{"kind": "label_delay", "subkind": "outage", "start_day": 180, "severity": 0.5}"#), path: "failures[0].start_day", fragment: "the failure starts after production ends: production days are 0 to 179; got 180"),
        .init(json: withFailures(#"{"kind": "label_delay", "subkind": "outage", "start_day": -1, "severity": 0.5}"#), path: "failures[0].start_day", fragment: "must be 0 or later"),
        .init(json: withFailures(#"{"kind": "label_delay", "subkind": "outage", "severity": 0.5}"#), path: "failures[0].start_day", fragment: "is required"),
        .init(json: withFailures(#"{"kind": "label_delay", "subkind": "slower", "start_day": 50, "end_day": 50, "severity": 0.5}"#), path: "failures[0].end_day", fragment: "must be after start_day (50)"),
        .init(json: withFailures(#"{"kind": "label_delay", "subkind": "slower", "start_day": 50, "end_day": 181, "severity": 0.5}"#), path: "failures[0].end_day", fragment: "is after production ends (production_days is 180)"),
        .init(json: withFailures(#"{"kind": "label_delay", "subkind": "slower", "start_day": 50}"#), path: "failures[0].severity", fragment: "is required; add a number in [0, 1]"),
        // failures that compound on the same target on a common day (found by fuzzing: stacked mixes and
        // shifts overflowed to a trap, three segment mixes multiplied the day's volume 48-fold)
        .init(json: withFailures(#"{"kind": "covariate_shift", "subkind": "category_mix", "start_day": 10, "severity": 1, "params": {"category": "fuel"}}, {"kind": "covariate_shift", "subkind": "category_mix", "start_day": 20, "end_day": 30, "severity": 1, "params": {"category": "fuel"}}"#),
              path: "failures[1]", fragment: "changes the share of category 'fuel' on days 20...29, as failures[0] does"),
        .init(json: withFailures(#"{"kind": "covariate_shift", "subkind": "feature_shift", "features": ["hour"], "start_day": 40, "severity": 1}, {"kind": "covariate_shift", "subkind": "feature_shift", "features": ["amount", "hour"], "start_day": 10, "end_day": 50, "severity": 1}"#),
              path: "failures[1]", fragment: "or set failures[1].end_day to at most 40 (the first day without it)"),
        .init(json: withFailures(#"{"kind": "covariate_shift", "subkind": "segment_mix", "start_day": 5, "severity": 1, "params": {"segment": "student"}}, {"kind": "covariate_shift", "subkind": "segment_mix", "start_day": 5, "severity": 1, "params": {"segment": "premium"}}"#),
              path: "failures[1]", fragment: "changes a segment mix on days 5...179, as failures[0] does; two failures at once would compound past the range one may take. Make them one failure with the combined parameters"),
        .init(json: withFailures(#"{"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 5, "severity": 1}, {"kind": "label_delay", "subkind": "slower", "start_day": 5, "severity": 1}, {"kind": "prior_shift", "subkind": "fraud_drop", "start_day": 100, "severity": 1}"#),
              path: "failures[2]", fragment: "changes the fraud prior on days 100...179, as failures[0] does"),
        .init(json: withFailures(#"{"kind": "schema_change", "subkind": "unit_scale", "features": ["amount"], "start_day": 5, "severity": 1}, {"kind": "schema_change", "subkind": "unit_scale", "features": ["amount"], "start_day": 6, "severity": 1}"#),
              path: "failures[1]", fragment: "changes the units of 'amount' on days 6...179"),
        // a weight change on a feature no risk term reads changed nothing but marked every row drifted (fuzzing)
        .init(json: withFailures(#"{"kind": "concept_drift", "subkind": "weight_change", "features": ["merchant_country"], "start_day": 1, "severity": 1}"#),
              path: "failures[0].features[0]", fragment: "concept_drift/weight_change cannot act on 'merchant_country'"),
        .init(json: #"{"name": "t", "seed": "+5"}"#, path: "seed", fragment: "'+5' is not a whole number from 0 to 18446744073709551615 written in digits only"),
        // a wave near a fraud share of 1 drew 1,000 candidates per row (found by fuzzing): at most 0.5
        .init(json: withFailures(#"{"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 1, "severity": 1, "params": {"prior_multiplier": 2.04}}"#, extra: #""population": {"base_fraud_rate": 0.25},"#), path: "failures[0].params.prior_multiplier", fragment: "= 0.51 must be at most 0.5"),
        // a failure after the last monitoring step (day 174 of 180 with a 14-day window every 7 days) is never monitored
        .init(json: withFailures(#"{"kind": "data_quality", "subkind": "missing", "start_day": 175, "severity": 1}"#), path: "failures[0].start_day",
              fragment: "starts after the last monitoring step (day 174: a window of 14 days every 7 over 180 production days)"),
        .init(json: withFailures(#"{"kind": "data_quality", "subkind": "missing", "start_day": 14, "severity": 1}"#, extra: #""production_days": 27, "monitoring": {"window_days": 14, "step_days": 14},"#),
              path: "failures[0].start_day", fragment: "start it by day 13"),
        // names that could write outside a results folder
        .init(json: #"{"name": "runs/../../etc", "seed": 1}"#, path: "name", fragment: "contains '/'"),
        .init(json: #"{"name": "../../etc", "seed": 1}"#, path: "name", fragment: "must not start with '.'"),
        .init(json: #"{"name": ".hidden", "seed": 1}"#, path: "name", fragment: "must not start with '.'"),
        .init(json: #"{"name": "", "seed": 1}"#, path: "name", fragment: "is empty"),
        .init(json: #"{"name": "a b", "seed": 1}"#, path: "name", fragment: "contains ' '"),
        .init(json: #"{"name": "caf\u00e9", "seed": 1}"#, path: "name", fragment: "contains '\\u{00E9}'"),
        .init(json: "{\"name\": \"\(String(repeating: "x", count: 101))\", \"seed\": 1}", path: "name", fragment: "is 101 characters long"),
    ]

    @Test("each invalid scenario fails with its JSON path and what to fix", arguments: badCases)
    func invalidScenario(_ c: BadCase) throws {
        let e = try #require(try configError(c.json), "expected an error for \(c.json)")
        #expect(e.file == "test.json")
        #expect(e.path == c.path, "\(e)")
        #expect(e.message.contains(c.fragment), "\(e)")
    }

    @Test("failures that do not compound may overlap; those that do may follow each other")
    func failuresThatCombine() throws {
        // Other categories, other features, one after the other (end_day is the first day without it),
        // and the kinds that combine as they are (data quality on one feature, outages).
        let s = try decode(withFailures(#"""
            {"kind": "covariate_shift", "subkind": "category_mix", "start_day": 10, "severity": 1, "params": {"category": "fuel"}},
            {"kind": "covariate_shift", "subkind": "category_mix", "start_day": 10, "severity": 1, "params": {"category": "jewelry"}},
            {"kind": "covariate_shift", "subkind": "feature_shift", "features": ["amount"], "start_day": 10, "end_day": 40, "severity": 1},
            {"kind": "covariate_shift", "subkind": "feature_shift", "features": ["amount"], "start_day": 40, "severity": 1},
            {"kind": "covariate_shift", "subkind": "feature_shift", "features": ["hour"], "start_day": 10, "severity": 1},
            {"kind": "data_quality", "subkind": "missing", "features": ["amount"], "start_day": 10, "severity": 1},
            {"kind": "data_quality", "subkind": "stuck", "features": ["amount"], "start_day": 10, "severity": 1},
            {"kind": "label_delay", "subkind": "outage", "start_day": 10, "severity": 1},
            {"kind": "label_delay", "subkind": "outage", "start_day": 12, "severity": 1}
            """#))
        #expect(s.failures.count == 9)
        // The last monitoring step's day, and the largest fraud share, are allowed.
        #expect(try decode(withFailures(#"{"kind": "data_quality", "subkind": "missing", "start_day": 174, "severity": 1}"#)).failures[0].startDay == 174)
        let wave = try decode(withFailures(#"{"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 1, "severity": 1, "params": {"prior_multiplier": 2}}"#,
                                           extra: #""population": {"base_fraud_rate": 0.25},"#))
        #expect(wave.failures[0].number("prior_multiplier") == 2)
    }

    @Test("names at the limits are accepted")
    func safeNames() {
        #expect(ScenarioFile.nameProblem("a.b_c-D9") == nil)
        #expect(ScenarioFile.nameProblem(String(repeating: "x", count: 100)) == nil)
        #expect(ScenarioFile.nameProblem("..") != nil)
        #expect(ScenarioFile.nameProblem("a\\b") != nil)
    }

    @Test("load: missing file, a folder, syntax errors with line and column")
    func loadErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-tests-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let missing = folder.appendingPathComponent("nope.json").path
        #expect(throws: ConfigError(file: missing, path: "", message: "file not found; check the path (bundled scenarios are in scenarios/)")) {
            try ScenarioFile.load(missing)
        }
        #expect(throws: ConfigError(file: folder.path, path: "", message: "is a folder, not a scenario file; name a .json file")) {
            try ScenarioFile.load(folder.path)
        }
        let broken = folder.appendingPathComponent("broken.json").path
        try AtomicFile.write("{\n  \"name\": \"t\",\n  \"seed\": 1,\n}\n", to: broken)
        #expect(throws: ConfigError(file: broken, path: "", message: "not valid JSON: line 4, column 1: expected a quoted key")) {
            try ScenarioFile.load(broken)
        }
        let binary = folder.appendingPathComponent("binary.json").path
        try AtomicFile.write([0x7B, 0xFF, 0xFE, 0x7D], to: binary)
        #expect(throws: ConfigError.self) { try ScenarioFile.load(binary) }
        let good = folder.appendingPathComponent("good.json").path
        try AtomicFile.write(#"{"name": "good", "seed": 5}"#, to: good)
        #expect(try ScenarioFile.load(good) == Scenario(name: "good", seed: 5))

        let capstone = try ScenarioFile.load(scenariosFolder.appendingPathComponent("capstone.json").path)
        let resolved = folder.appendingPathComponent("out/scenario.resolved.json").path
        try ScenarioFile.writeResolved(capstone, to: resolved)
        #expect(try ScenarioFile.load(resolved) == capstone)
        #expect(throws: FileError.self) { try ScenarioFile.writeResolved(capstone, to: good + "/under-a-file.json") }
    }

    @Test("FNV-1a 64 matches the published test vectors")
    func fnvVectors() {
        // Reference: the FNV specification's vectors, recomputed with Python:
        //   def f(b):
        //       h = 0xcbf29ce484222325
        //       for x in b: h = ((h ^ x) * 0x100000001b3) % 2**64
        //       return '%016x' % h
        //   f(b'') -> cbf29ce484222325, f(b'a') -> af63dc4c8601ec8c, f(b'foobar') -> 85944171f73967e8
        #expect(ScenarioFile.fnv1a64([]) == 0xcbf2_9ce4_8422_2325)
        #expect(ScenarioFile.fnv1a64(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(ScenarioFile.fnv1a64(Array("foobar".utf8)) == 0x8594_4171_f739_67e8)
    }

    @Test("contentHash is stable, ignores formatting and spelled-out defaults, and changes with content")
    func contentHash() throws {
        let terse = try decode(withFailures(#"{"kind": "schema_change", "subkind": "timezone", "start_day": 10, "severity": 0.5}"#))
        let spelled = try decode("""
            {
              "name": "t", "seed": 1, "description": "", "production_days": 180,
              "population": {"base_fraud_rate": 0.01},
              "failures": [{"kind": "schema_change", "subkind": "timezone", "features": ["hour"], "start_day": 10,
                            "ramp_days": 0, "severity": 0.5, "params": {"offset_hours": 6, "affected_share": 0.7}}]
            }
            """)
        let hash = ScenarioFile.contentHash(terse)
        #expect(hash.count == 16 && hash.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(hash == ScenarioFile.contentHash(terse))
        #expect(hash == ScenarioFile.contentHash(spelled))
        let compact = ScenarioFile.resolvedJSON(terse).serialized(pretty: false)
        #expect(hash == String(format: "%016llx", ScenarioFile.fnv1a64(Array(compact.utf8))))

        var other = terse
        other.failures[0].severity = 0.51
        #expect(ScenarioFile.contentHash(other) != hash)
        other = terse
        other.seed = 2
        #expect(ScenarioFile.contentHash(other) != hash)
        other = terse
        other.failures[0].parameters["offset_hours"] = .number(5)
        #expect(ScenarioFile.contentHash(other) != hash)

        let hashes = try bundledScenarioFiles().map { ScenarioFile.contentHash(try ScenarioFile.load($0)) }
        #expect(Set(hashes).count == hashes.count)
    }

    @Test("resolve fills a scenario built in code and rejects an invalid one")
    func resolveInCode() throws {
        var s = Scenario(name: "sweep-cell", seed: 3, productionDays: 100)
        s.failures = [FailureSpec(kind: .dataQuality, subkind: "missing", features: [], startDay: 20, severity: 0.5)]
        let r = try ScenarioFile.resolve(s)
        #expect(r.failures[0].features == ["device_risk_score"])
        #expect(r.failures[0].parameters == ["rate": .number(0.3)])

        s.failures[0].startDay = 100
        #expect(throws: ConfigError.self) { try ScenarioFile.resolve(s) }
        do { _ = try ScenarioFile.resolve(s) } catch let e as ConfigError {
            #expect(e.file == "<scenario sweep-cell>" && e.path == "failures[0].start_day")
        }
    }

    @Test("strength ramps from 1/ramp on the start day to 1, and ends on end_day")
    func strength() {
        let f = FailureSpec(kind: .covariateShift, subkind: "segment_mix", features: [], startDay: 10, rampDays: 4,
                            endDay: 20, severity: 0.5)
        #expect([9, 10, 11, 12, 13, 14, 19, 20].map { f.strength(onDay: $0) } == [0, 0.25, 0.5, 0.75, 1, 1, 1, 0])
        let sudden = FailureSpec(kind: .priorShift, subkind: "fraud_wave", features: [], startDay: 5, severity: 1)
        #expect([4, 5, 1000].map { sudden.strength(onDay: $0) } == [0, 1, 1])
    }
}

@Suite("Scenario field reference")
struct ScenarioReadmeTests {
    static let readmePath = scenariosFolder.appendingPathComponent("README.md").path

    /// The text between `<!-- name:begin -->` and `<!-- name:end -->` (without the marker lines).
    static func block(_ name: String, in text: String) -> String? {
        guard let begin = text.range(of: "<!-- \(name):begin -->\n"),
              let end = text.range(of: "<!-- \(name):end -->", range: begin.upperBound..<text.endIndex) else { return nil }
        return String(text[begin.upperBound..<end.lowerBound])
    }

    @Test("scenarios/README.md embeds exactly the tables rendered from FailureCatalog and ServedFeatures")
    func generatedTables() throws {
        let text = try AtomicFile.readText(Self.readmePath)
        // Set DRIFTLAB_UPDATE_DOCS=1 to rewrite the blocks after changing the catalog.
        if ProcessInfo.processInfo.environment["DRIFTLAB_UPDATE_DOCS"] == "1" {
            var updated = text
            for (name, table) in [("catalog", FailureCatalog.markdownTable()), ("features", ServedFeatures.markdownTable())] {
                if let old = Self.block(name, in: updated) {
                    updated = updated.replacingOccurrences(of: "<!-- \(name):begin -->\n" + old, with: "<!-- \(name):begin -->\n" + table)
                }
            }
            try AtomicFile.write(updated, to: Self.readmePath)
        }
        let now = try AtomicFile.readText(Self.readmePath)
        for (name, table) in [("catalog", FailureCatalog.markdownTable()), ("features", ServedFeatures.markdownTable())] {
            let block = try #require(Self.block(name, in: now), "markers <!-- \(name):begin --> / <!-- \(name):end --> missing")
            #expect(block == table, "scenarios/README.md's \(name) table is out of date (first difference: \(Self.firstDifference(block, table))); run the tests once with DRIFTLAB_UPDATE_DOCS=1")
        }
    }

    /// The first line where two texts differ, as "line N: 'a' vs 'b'".
    static func firstDifference(_ a: String, _ b: String) -> String {
        let x = a.components(separatedBy: "\n"), y = b.components(separatedBy: "\n")
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? x[i] : "<none>", r = i < y.count ? y[i] : "<none>"
            if l != r { return "line \(i + 1): README '\(l)' vs code '\(r)'" }
        }
        return "none"
    }

    @Test("the rendered catalog has a row per sub-kind and every parameter")
    func catalogTableContent() {
        let table = FailureCatalog.markdownTable()
        let rows = table.split(separator: "\n").dropFirst(2)
        #expect(rows.count == FailureCatalog.entries.count)
        for (row, e) in zip(rows, FailureCatalog.entries) {
            #expect(row.hasPrefix("| `\(e.kind.rawValue)` | `\(e.subkind)` |"))
            for p in e.parameters { #expect(row.contains("`\(p.name)` = \(p.defaultText)")) }
        }
        #expect(table.contains("`offset_hours` = round(2 + 8·s), [-23, 23], whole"))
        #expect(table.contains("exactly 2 numeric or velocity features"))
    }

    @Test("every key, kind and bundled scenario is documented in scenarios/README.md")
    func everyKeyDocumented() throws {
        let text = try AtomicFile.readText(Self.readmePath)
        let allKeys = ScenarioFile.keys + ScenarioFile.populationKeys + ScenarioFile.labelDelayKeys
            + ScenarioFile.monitoringKeys + ScenarioFile.failureKeys
        for key in allKeys { #expect(text.contains("`\(key)`"), "`\(key)` is not documented") }
        for kind in FailureKind.allCases { #expect(text.contains("`\(kind.rawValue)`")) }
        for file in try bundledScenarioFiles() {
            let name = URL(fileURLWithPath: file).lastPathComponent
            #expect(text.contains("| `\(name)` |"), "bundled scenario \(name) is not in the README's list")
        }
    }
}
