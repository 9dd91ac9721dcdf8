import DriftCore

/// The JSON Schema (draft 2020-12) of scenario files, generated from the same key lists, defaults
/// and `FailureCatalog` the decoder uses, so `scenarios/schema.json` cannot drift from it (a test
/// compares them). Editors use it to validate and complete scenario files. Rules between fields
/// (tail_days above median_days, start_day before production_days, ...) are only in the decoder.
/// The sweep file schema will join this one when sweeps exist.
public enum ScenarioSchema {
    /// The schema document; `json().serialized()` is what scenarios/schema.json holds.
    public static func json() -> JSON {
        let population = Population(), delay = LabelDelay(), monitoring = Monitoring()
        let maxDays = Double(ScenarioFile.maxDays)
        let top: [(String, JSON)] = [
            ("name", object([("type", .string("string")), ("minLength", .number(1)), ("maxLength", .number(100)),
                             ("pattern", .string("^[A-Za-z0-9_-][A-Za-z0-9._-]*$")),
                             ("description", .string("Names the run and its results folder: 1 to 100 characters from A-Z a-z 0-9 . _ -, not starting with '.'; by convention the file name without .json."))])),
            ("seed", object([("description", .string("Seeds every random stream of the world: a whole number from 0 to 2^53 - 1, or a string of digits for any 64-bit value.")),
                             ("oneOf", .array([
                                object([("type", .string("integer")), ("minimum", .number(0)), ("maximum", .number(9007199254740991))]),
                                object([("type", .string("string")), ("pattern", .string("^[0-9]{1,20}$"))]),
                             ]))])),
            ("description", object([("type", nullable("string")), ("default", .string("")),
                                    ("description", .string("What the scenario shows and what a good monitor should conclude."))])),
            ("population", section(ScenarioFile.populationKeys, "Who transacts and how much.", [
                "customers": integer(1, Double(ScenarioFile.maxCustomers), Double(population.customers), "Cardholders in the world."),
                "merchants": integer(1, 1_000_000, Double(population.merchants), "Merchants in the world."),
                "transactions_per_day": number(1, ScenarioFile.maxTransactionsPerDay, population.transactionsPerDay, "Expected daily volume of the population before the weekly cycle: each customer draws a rate (activity, segment) scaled to it and a Poisson count a day, so a world of few customers realises its own draws' volume (a single customer: typically from a sixth to four times this)."),
                "weekly_seasonality": number(0, 0.9, population.weeklySeasonality, "Amplitude a of the weekly cycle: volume on day d is scaled by 1 + a·cos(2π(d − 5)/7)."),
                "base_fraud_rate": number(0, 0.5, population.baseFraudRate, "Fraud share of the unshifted world, above 0 and below 0.5.", exclusiveMinimum: true, exclusiveMaximum: true),
            ])),
            ("reference_days", integer(1, maxDays, 60, "Length of the training period in days.")),
            ("production_days", integer(1, maxDays, 180, "Length of the production period in days.")),
            ("label_delay", section(ScenarioFile.labelDelayKeys, "When fraud labels (chargebacks) arrive: a lognormal delay with the given median and 99th percentile.", [
                "median_days": number(0, maxDays, delay.medianDays, "Median chargeback delay of a fraud in days (above 0).", exclusiveMinimum: true),
                "tail_days": number(0, maxDays, delay.tailDays, "99th percentile of the delay in days; must be above median_days."),
                "never_reported_share": number(0, 1, delay.neverReportedShare, "Share of frauds never charged back (below 1).", exclusiveMaximum: true),
                "chargeback_window_days": integer(1, maxDays, Double(delay.chargebackWindowDays), "Days after a transaction when its chargeback window closes; must be above median_days."),
            ])),
            ("monitoring", section(ScenarioFile.monitoringKeys, "Monitoring window and step.", [
                "window_days": integer(1, maxDays, Double(monitoring.windowDays), "Each monitoring step looks at the last this-many days (at most production_days)."),
                "step_days": integer(1, maxDays, Double(monitoring.stepDays), "Days between monitoring steps (at most window_days)."),
            ])),
            ("failures", object([("type", nullable("array")), ("default", .array([])), ("items", object([("$ref", .string("#/$defs/failure"))])),
                                 ("description", .string("The failures injected into production; empty for a control run."))])),
        ]
        let properties = ScenarioFile.keys.compactMap { key in top.first { $0.0 == key } }
        return object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("title", .string("DriftLab scenario")),
            ("description", .string("A DriftLab scenario file: the simulated world and the failures injected into it. Field reference: scenarios/README.md.")),
            ("type", .string("object")),
            ("required", .array(["name", "seed"].map(JSON.string))),
            ("additionalProperties", .bool(false)),
            ("properties", object(properties)),
            ("$defs", object([("failure", failure())])),
        ])
    }

    /// One member of `failures`: the common keys, then per kind its sub-kinds, per sub-kind its
    /// features, default ramp and parameters (if/then on kind and subkind).
    static func failure() -> JSON {
        let kinds = FailureKind.allCases.filter { $0 != .none }
        let allSubkinds = uniqueInOrder(FailureCatalog.entries.map(\.subkind))
        let maxDays = Double(ScenarioFile.maxDays)
        let common: [String: JSON] = [
            "kind": object([("enum", .array(kinds.map { .string($0.rawValue) })), ("description", .string("The taxonomy kind of the failure."))]),
            "subkind": object([("enum", .array(allSubkinds.map(JSON.string))), ("description", .string("What exactly breaks; the sub-kinds depend on the kind (scenarios/README.md)."))]),
            "features": object([("type", nullable("array")), ("items", object([("enum", .array(ServedFeatures.names.map(JSON.string)))])), ("uniqueItems", .bool(true)),
                                ("description", .string("Served features the failure acts on, each once; leave out for the sub-kind's defaults."))]),
            "start_day": object([("type", .string("integer")), ("minimum", .number(0)), ("maximum", .number(maxDays - 1)),
                                 ("description", .string("First production day with the failure (0 to production_days − 1)."))]),
            "ramp_days": integer(0, maxDays, nil, "Days until full strength (0: at once); default: the sub-kind's ramp."),
            "end_day": object([("type", .array([.string("integer"), .string("null")])), ("minimum", .number(1)), ("maximum", .number(maxDays)), ("default", .null),
                               ("description", .string("First day without the failure (after start_day, at most production_days); null: lasts to the end."))]),
            "severity": number(0, 1, nil, "How bad, 0 to 1: every parameter left out is derived from it.", nullable: false),
            "params": object([("type", nullable("object")), ("description", .string("Parameters of the sub-kind; each one left out (or null) is derived from the severity."))]),
        ]
        var rules: [JSON] = []
        for kind in kinds {
            rules.append(object([
                ("if", object([("properties", object([("kind", object([("const", .string(kind.rawValue))]))])), ("required", .array([.string("kind")]))])),
                ("then", object([("properties", object([("subkind", object([("enum", .array(FailureCatalog.subkinds(of: kind).map(JSON.string)))]))]))])),
            ]))
        }
        for entry in FailureCatalog.entries {
            var features: [(String, JSON)] = [("maxItems", .number(Double(entry.featureCount.upperBound)))]
            if entry.featureCount.upperBound > 0 {
                features = [("items", object([("enum", .array(entry.allowedFeatureNames.map(JSON.string)))])),
                            ("minItems", .number(Double(entry.featureCount.lowerBound))),
                            ("maxItems", .number(Double(entry.featureCount.upperBound))),
                            ("default", .array(entry.defaultFeatures.map(JSON.string)))]
            }
            let params: [(String, JSON)] = entry.parameters.map { p in
                var schema: [(String, JSON)]
                if let choices = p.choices {
                    schema = [("enum", .array(choices.map(JSON.string) + [.null]))]
                } else {
                    schema = [("type", .array([.string(p.wholeNumber ? "integer" : "number"), .string("null")]))]
                    if let r = p.range { schema += [("minimum", .number(r.lowerBound)), ("maximum", .number(r.upperBound))] }
                }
                schema.append(("description", .string("\(capitalised(p.meaning)); default at severity s: \(p.defaultText).")))
                return (p.name, object(schema))
            }
            rules.append(object([
                ("if", object([("properties", object([("kind", object([("const", .string(entry.kind.rawValue))])),
                                                      ("subkind", object([("const", .string(entry.subkind))]))])),
                               ("required", .array([.string("kind"), .string("subkind")]))])),
                ("then", object([("properties", object([
                    ("features", object(features)),
                    ("ramp_days", object([("default", .number(Double(entry.defaultRampDays)))])),
                    ("params", object([("additionalProperties", .bool(false)), ("properties", object(params))])),
                ])), ("description", .string("\(entry.kind.rawValue)/\(entry.subkind): \(entry.meaning)"))])),
            ]))
        }
        return object([
            ("type", .string("object")),
            ("required", .array(["kind", "subkind", "start_day", "severity"].map(JSON.string))),
            ("additionalProperties", .bool(false)),
            ("properties", object(ScenarioFile.failureKeys.compactMap { k in common[k].map { (k, $0) } })),
            ("allOf", .array(rules)),
        ])
    }

    // MARK: Building blocks

    static func object(_ members: [(String, JSON)]) -> JSON { .object(members) }

    /// The type of an optional key: null is the same as leaving it out (scenarios/README.md), so the
    /// schema allows it wherever the reader does (required keys: `name`, `seed`, `kind`, `subkind`,
    /// `start_day`, `severity`, which refuse null).
    static func nullable(_ type: String) -> JSON { .array([.string(type), .string("null")]) }

    /// A nested object of known keys (in the decoder's order), each optional with a default.
    static func section(_ keys: [String], _ description: String, _ properties: [String: JSON]) -> JSON {
        object([("type", nullable("object")), ("additionalProperties", .bool(false)), ("description", .string(description)),
                ("properties", object(keys.compactMap { k in properties[k].map { (k, $0) } }))])
    }

    static func integer(_ lo: Double, _ hi: Double, _ fallback: Double?, _ description: String) -> JSON {
        var m: [(String, JSON)] = [("type", nullable("integer")), ("minimum", .number(lo)), ("maximum", .number(hi))]
        if let fallback { m.append(("default", .number(fallback))) }
        m.append(("description", .string(description)))
        return object(m)
    }

    static func number(_ lo: Double, _ hi: Double, _ fallback: Double?, _ description: String,
                       exclusiveMinimum: Bool = false, exclusiveMaximum: Bool = false, nullable optional: Bool = true) -> JSON {
        var m: [(String, JSON)] = [("type", optional ? nullable("number") : .string("number"))]
        m.append((exclusiveMinimum ? "exclusiveMinimum" : "minimum", .number(lo)))
        m.append((exclusiveMaximum ? "exclusiveMaximum" : "maximum", .number(hi)))
        if let fallback { m.append(("default", .number(fallback))) }
        m.append(("description", .string(description)))
        return object(m)
    }

    static func uniqueInOrder(_ items: [String]) -> [String] {
        var seen: [String] = []
        for i in items where !seen.contains(i) { seen.append(i) }
        return seen
    }

    static func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
}
