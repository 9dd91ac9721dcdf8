import DriftCore
import Foundation
import Testing
@testable import DriftSim

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let schemaPath = root.appendingPathComponent("scenarios/schema.json").path

/// A validator for the subset of JSON Schema 2020-12 that scenarios/schema.json uses. Any other
/// keyword is reported as unsupported, so the schema cannot silently use something unchecked here.
struct SchemaValidator {
    let root: JSON
    static let annotations: Set<String> = ["$schema", "$defs", "title", "description", "default"]

    /// Problems found in `value`, as "path: what"; empty when it validates.
    func validate(_ value: JSON, _ schema: JSON, path: String = "$") -> [String] {
        guard let members = schema.objectValue else { return ["\(path): schema is not an object"] }
        var problems: [String] = []
        let keys = Set(members.map(\.0))
        for (key, rule) in members {
            switch key {
            case _ where SchemaValidator.annotations.contains(key): continue
            case "type":
                let types = rule.arrayValue?.compactMap(\.stringValue) ?? [rule.stringValue ?? ""]
                if !types.contains(where: { matches(value, type: $0) }) { problems.append("\(path): expected \(types.joined(separator: " or ")), found \(value.typeName)") }
            case "enum":
                if !(rule.arrayValue ?? []).contains(value) { problems.append("\(path): \(value.serialized(pretty: false)) is not one of the allowed values") }
            case "const":
                if value != rule { problems.append("\(path): expected \(rule.serialized(pretty: false))") }
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
                guard let v = value.doubleValue, let bound = rule.doubleValue else { continue }
                let ok = key == "minimum" ? v >= bound : key == "maximum" ? v <= bound : key == "exclusiveMinimum" ? v > bound : v < bound
                if !ok { problems.append("\(path): \(JSON.format(v)) violates \(key) \(JSON.format(bound))") }
            case "minLength", "maxLength":
                guard let s = value.stringValue, let bound = rule.doubleValue else { continue }
                let n = Double(s.unicodeScalars.count)
                if key == "minLength" ? n < bound : n > bound { problems.append("\(path): length \(Int(n)) violates \(key)") }
            case "pattern":
                guard let s = value.stringValue, let p = rule.stringValue else { continue }
                let regex = try? NSRegularExpression(pattern: p)
                if regex?.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) == nil { problems.append("\(path): '\(s)' does not match \(p)") }
            case "required":
                guard let object = value.objectValue else { continue }
                for name in rule.arrayValue?.compactMap(\.stringValue) ?? [] where !object.contains(where: { $0.0 == name }) {
                    problems.append("\(path): '\(name)' is required")
                }
            case "properties":
                guard let object = value.objectValue else { continue }
                for (name, sub) in rule.objectValue ?? [] {
                    if let v = object.first(where: { $0.0 == name })?.1 { problems += validate(v, sub, path: "\(path).\(name)") }
                }
            case "additionalProperties":
                guard let object = value.objectValue else { continue }
                guard rule == .bool(false) else { problems.append("\(path): unsupported additionalProperties"); continue }
                let known = Set((schema["properties"]?.objectValue ?? []).map(\.0))
                for (name, _) in object where !known.contains(name) { problems.append("\(path): unknown key '\(name)'") }
            case "items":
                for (i, item) in (value.arrayValue ?? []).enumerated() { problems += validate(item, rule, path: "\(path)[\(i)]") }
            case "minItems", "maxItems":
                guard let a = value.arrayValue, let bound = rule.doubleValue else { continue }
                if key == "minItems" ? Double(a.count) < bound : Double(a.count) > bound { problems.append("\(path): \(a.count) items violates \(key) \(JSON.format(bound))") }
            case "uniqueItems":
                guard rule == .bool(true), let a = value.arrayValue else { continue }
                for i in a.indices where a[..<i].contains(a[i]) { problems.append("\(path)[\(i)]: repeated") }
            case "oneOf":
                let passing = (rule.arrayValue ?? []).filter { validate(value, $0, path: path).isEmpty }.count
                if passing != 1 { problems.append("\(path): matches \(passing) of the oneOf alternatives, not exactly one") }
            case "allOf":
                for sub in rule.arrayValue ?? [] { problems += validate(value, sub, path: path) }
            case "if":
                if validate(value, rule, path: path).isEmpty, let then = schema["then"] { problems += validate(value, then, path: path) }
            case "then":
                if !keys.contains("if") { problems.append("\(path): then without if") }
            case "$ref":
                guard let ref = rule.stringValue, ref.hasPrefix("#/$defs/"), let target = root["$defs"]?[String(ref.dropFirst(8))] else {
                    problems.append("\(path): unresolvable $ref"); continue
                }
                problems += validate(value, target, path: path)
            default:
                problems.append("\(path): unsupported schema keyword '\(key)'")
            }
        }
        return problems
    }

    func matches(_ value: JSON, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): return true
        case ("integer", .number(let v)): return v == v.rounded() && v.isFinite
        default: return false
        }
    }

    func validate(_ value: JSON) -> [String] { validate(value, root) }
}

@Suite("Scenario JSON Schema")
struct ScenarioSchemaTests {
    static func bundled() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("scenarios").path)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix("schema.json") && !$0.hasSuffix("-sweep.json") && !$0.hasSuffix("-base.json") }.sorted()
            .map { root.appendingPathComponent("scenarios/" + $0).path }
    }

    @Test("scenarios/schema.json is exactly the schema generated from the decoder's keys and catalog")
    func committedSchemaIsGenerated() throws {
        let generated = ScenarioSchema.json().serialized()
        // Set DRIFTLAB_UPDATE_DOCS=1 to rewrite the file after changing the keys or the catalog.
        if ProcessInfo.processInfo.environment["DRIFTLAB_UPDATE_DOCS"] == "1" {
            try AtomicFile.write(generated, to: schemaPath)
        }
        let committed = try AtomicFile.readText(schemaPath)
        #expect(committed == generated, "scenarios/schema.json is out of date (first difference: \(ScenarioReadmeTests.firstDifference(committed, generated))); run the tests once with DRIFTLAB_UPDATE_DOCS=1")
    }

    @Test("the schema uses only keywords the validator checks, and every failure sub-kind has a rule")
    func schemaShape() throws {
        let schema = ScenarioSchema.json()
        let v = SchemaValidator(root: schema)
        // An empty scenario exercises the top level; a failure of each sub-kind exercises every rule.
        #expect(v.validate(.object([("name", .string("x")), ("seed", .number(1))])) == [])
        for entry in FailureCatalog.entries {
            let failure = JSON.object([("kind", .string(entry.kind.rawValue)), ("subkind", .string(entry.subkind)), ("start_day", .number(0)), ("severity", .number(0.5))])
            #expect(v.validate(failure, schema["$defs"]!["failure"]!) == [], "\(entry.subkind)")
        }
        let rules = schema["$defs"]?["failure"]?["allOf"]?.arrayValue ?? []
        #expect(rules.count == FailureKind.allCases.count - 1 + FailureCatalog.entries.count)
        #expect(schema["properties"]?.objectValue?.map(\.0) == ScenarioFile.keys)
        #expect(schema["$defs"]?["failure"]?["properties"]?.objectValue?.map(\.0) == ScenarioFile.failureKeys)
    }

    @Test("every bundled scenario, as written and resolved, validates against the schema")
    func bundledScenariosValidate() throws {
        let v = SchemaValidator(root: ScenarioSchema.json())
        let files = try Self.bundled()
        #expect(files.count >= 20)
        for file in files {
            let json = try JSON.parse(try AtomicFile.readText(file))
            #expect(v.validate(json) == [], "\(file)")
            let resolved = ScenarioFile.resolvedJSON(try ScenarioFile.load(file))
            #expect(v.validate(resolved) == [], "\(file) resolved")
        }
    }

    @Test("files the decoder rejects for a key, type, range, kind, sub-kind, feature or parameter are rejected by the schema too")
    func schemaRejectsWhatTheDecoderRejects() throws {
        let v = SchemaValidator(root: ScenarioSchema.json())
        func scenario(_ failure: String, extra: String = "") -> String {
            #"{"name": "t", "seed": 1\#(extra), "failures": [\#(failure)]}"#
        }
        let bad: [(String, String)] = [
            ("unknown top-level key", #"{"name": "t", "seed": 1, "sede": 2}"#),
            ("missing seed", #"{"name": "t"}"#),
            ("name with a slash", #"{"name": "../x", "seed": 1}"#),
            ("negative seed", #"{"name": "t", "seed": -1}"#),
            ("fractional days", #"{"name": "t", "seed": 1, "production_days": 10.5}"#),
            ("zero fraud rate", #"{"name": "t", "seed": 1, "population": {"base_fraud_rate": 0}}"#),
            ("fraud rate of one half", #"{"name": "t", "seed": 1, "population": {"base_fraud_rate": 0.5}}"#),
            ("unknown population key", #"{"name": "t", "seed": 1, "population": {"customer": 5}}"#),
            ("unknown kind", scenario(#"{"kind": "covariate", "subkind": "segment_mix", "start_day": 1, "severity": 0.5}"#)),
            ("sub-kind of another kind", scenario(#"{"kind": "prior_shift", "subkind": "segment_mix", "start_day": 1, "severity": 0.5}"#)),
            ("unknown feature", scenario(#"{"kind": "data_quality", "subkind": "missing", "features": ["amout"], "start_day": 1, "severity": 0.5}"#)),
            ("feature of the wrong role", scenario(#"{"kind": "covariate_shift", "subkind": "feature_shift", "features": ["channel"], "start_day": 1, "severity": 0.5}"#)),
            ("one feature for a swap", scenario(#"{"kind": "schema_change", "subkind": "column_swap", "features": ["amount"], "start_day": 1, "severity": 0.5}"#)),
            ("features for a sub-kind without", scenario(#"{"kind": "prior_shift", "subkind": "fraud_wave", "features": ["amount"], "start_day": 1, "severity": 0.5}"#)),
            ("severity above 1", scenario(#"{"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 1, "severity": 1.5}"#)),
            ("unknown parameter", scenario(#"{"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 1, "severity": 0.5, "params": {"multiplier": 2}}"#)),
            ("parameter out of range", scenario(#"{"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 1, "severity": 0.5, "params": {"prior_multiplier": 80}}"#)),
            ("word parameter not a choice", scenario(#"{"kind": "covariate_shift", "subkind": "channel_mix", "start_day": 1, "severity": 0.5, "params": {"channel": "fax"}}"#)),
            ("missing start_day", scenario(#"{"kind": "prior_shift", "subkind": "fraud_wave", "severity": 0.5}"#)),
            ("null severity", scenario(#"{"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 1, "severity": null}"#)),
            ("null seed", #"{"name": "t", "seed": null}"#),
        ]
        for (what, text) in bad {
            let json = try JSON.parse(text)
            #expect(!v.validate(json).isEmpty, "schema accepts: \(what)")
            #expect(throws: ConfigError.self, "decoder accepts: \(what)") { try ScenarioFile.decode(json, file: "t.json") }
        }
        let good = try JSON.parse(scenario(#"{"kind": "covariate_shift", "subkind": "channel_mix", "start_day": 1, "end_day": null, "severity": 0.5, "params": {"channel": "online", "share_multiplier": null}}"#))
        #expect(v.validate(good) == [])
        _ = try ScenarioFile.decode(good, file: "t.json")
        // null is the same as leaving a key out, for the schema as for the reader (found by fuzzing: the schema
        // refused null where the reader took the default).
        let nulls = try JSON.parse(#"""
            {"name": "t", "seed": 1, "description": null, "population": null, "reference_days": null, "label_delay": {"median_days": null},
             "monitoring": null, "failures": [{"kind": "data_quality", "subkind": "missing", "features": null, "start_day": 1,
             "ramp_days": null, "end_day": null, "severity": 0.5, "params": null}]}
            """#)
        #expect(v.validate(nulls) == [])
        _ = try ScenarioFile.decode(nulls, file: "t.json")
        #expect(v.validate(try JSON.parse(#"{"name": "t", "seed": 1, "failures": null}"#)) == [])
    }
}
