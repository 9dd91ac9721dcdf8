import DriftCore
import DriftSim

/// The JSON Schema (draft 2020-12) of sweep files, generated from the decoder's key lists and the
/// failure catalog, so `scenarios/sweep.schema.json` cannot drift from `SweepFile` (a test compares
/// them). An inline base scenario refers to the scenario schema beside it (`schema.json`). Rules
/// between fields (onsets inside production, cell ids unique) are only in the decoder.
public enum SweepSchema {
    public static func json() -> JSON {
        let kinds = FailureKind.allCases.filter { $0 != .none }
        var subkinds: [String] = []
        for e in FailureCatalog.entries where !subkinds.contains(e.subkind) { subkinds.append(e.subkind) }
        let maxDays = Double(ScenarioFile.maxDays)
        let namePattern = "^[A-Za-z0-9_-][A-Za-z0-9._-]*$"
        func o(_ m: [(String, JSON)]) -> JSON { .object(m) }
        func uniqueNumbers(_ type: String, _ lo: Double, _ hi: Double, _ text: String) -> JSON {
            o([("type", .string("array")), ("minItems", .number(1)), ("uniqueItems", .bool(true)),
               ("items", o([("type", .string(type)), ("minimum", .number(lo)), ("maximum", .number(hi))])), ("description", .string(text))])
        }
        let top: [(String, JSON)] = [
            ("name", o([("type", .string("string")), ("minLength", .number(1)), ("maxLength", .number(100)), ("pattern", .string(namePattern)),
                        ("description", .string("Names the sweep and its results folder (results/<name>): 1 to 100 characters from A-Z a-z 0-9 . _ -, not starting with '.'."))])),
            ("description", o([("type", .string("string")), ("default", .string("")), ("description", .string("What the sweep measures."))])),
            ("base", o([("description", .string("The base scenario without failures: a scenario file path relative to this sweep file, or the scenario inline.")),
                        ("oneOf", .array([o([("type", .string("string")), ("minLength", .number(1))]), o([("$ref", .string("schema.json"))])]))])),
            ("seed", o([("type", .string("integer")), ("minimum", .number(0)), ("maximum", .number(9007199254740991)),
                        ("description", .string("Base seed from which each seed index's world seed is derived; default: the base scenario's seed."))])),
            ("seeds", o([("type", .string("integer")), ("minimum", .number(1)), ("maximum", .number(Double(SweepFile.maxSeeds))), ("default", .number(1)),
                         ("description", .string("Number of seed indices (independent worlds) per grid point."))])),
            ("severities", uniqueNumbers("number", 0, 1, "Severities of every failure cell; parameters not overridden follow each severity. Default [1].")),
            ("onset_days", uniqueNumbers("integer", 0, maxDays - 1, "Production days the failures start; default production_days / 3.")),
            ("window_days", uniqueNumbers("integer", 1, maxDays, "Monitoring window sizes in days; default the base scenario's window.")),
            ("cells", o([("type", .string("array")), ("items", o([("$ref", .string("#/$defs/cell"))])),
                         ("description", .string("Failure families: one per kind and sub-kind (a member without subkind stands for all sub-kinds of its kind)."))])),
            ("controls", o([("description", .string("Control runs (no failure) per seed index and window size: a count, or {\"count\": N}.")),
                            ("oneOf", .array([
                                o([("type", .string("integer")), ("minimum", .number(0)), ("maximum", .number(Double(SweepFile.maxControls)))]),
                                o([("type", .string("object")), ("additionalProperties", .bool(false)), ("required", .array([.string("count")])),
                                   ("properties", o([("count", o([("type", .string("integer")), ("minimum", .number(0)), ("maximum", .number(Double(SweepFile.maxControls)))]))]))]),
                            ]))])),
        ]
        let cell: [(String, JSON)] = [
            ("kind", o([("enum", .array(kinds.map { .string($0.rawValue) })), ("description", .string("The taxonomy kind injected."))])),
            ("subkind", o([("enum", .array(subkinds.map(JSON.string))), ("description", .string("One sub-kind of the kind; leave out for all of them."))])),
            ("label", o([("type", .string("string")), ("minLength", .number(1)), ("maxLength", .number(100)), ("pattern", .string(namePattern)),
                         ("description", .string("Replaces the sub-kind in cell ids, to tell apart two cells of one sub-kind with other overrides."))])),
            ("features", o([("type", .string("array")), ("uniqueItems", .bool(true)), ("items", o([("enum", .array(ServedFeatures.names.map(JSON.string)))])),
                            ("description", .string("Features the failure acts on; default the sub-kind's."))])),
            ("params", o([("type", .string("object")), ("description", .string("Parameter overrides, fixed at every severity (scenarios/README.md lists each sub-kind's)."))])),
            ("ramp_days", o([("type", .string("integer")), ("minimum", .number(0)), ("maximum", .number(maxDays)), ("description", .string("Days until full strength; default the sub-kind's ramp."))])),
            ("end_day", o([("type", .string("integer")), ("minimum", .number(1)), ("maximum", .number(maxDays)), ("description", .string("First production day without the failure; must be after every onset."))])),
        ]
        return o([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("title", .string("DriftLab sweep")),
            ("description", .string("A DriftLab sweep file: a base scenario and a grid of failures, severities, onsets, seeds and windows, plus controls. Reference: docs/sweeps.md.")),
            ("type", .string("object")),
            ("required", .array([.string("name"), .string("base")])),
            ("additionalProperties", .bool(false)),
            ("properties", o(SweepFile.keys.compactMap { k in top.first { $0.0 == k } })),
            ("$defs", o([("cell", o([("type", .string("object")), ("required", .array([.string("kind")])), ("additionalProperties", .bool(false)),
                                     ("properties", o(SweepFile.cellKeys.compactMap { k in cell.first { $0.0 == k } }))]))])),
        ])
    }
}
