import DriftCore
import Foundation

/// Reads, validates and writes scenario files. `scenarios/README.md` is the field reference; every
/// rule enforced here is stated there. A decoded `Scenario` is resolved: every default is filled in,
/// including every failure parameter of its sub-kind (derived from the severity where not given).
public enum ScenarioFile {
    /// The keys of a scenario file, in the order `resolvedJSON` writes them.
    public static let keys = ["name", "seed", "description", "population", "reference_days", "production_days",
                              "label_delay", "monitoring", "failures"]
    /// The largest world `generate` runs in memory on a 24 GB machine: about 2.2 KB per customer
    /// (10 million customers peaked at 21.8 GB), and a day's rows held at once (about 300 bytes each).
    public static let maxCustomers = 2_000_000
    public static let maxTransactionsPerDay = 10_000_000.0
    /// The largest fraud share a prior shift may reach (base_fraud_rate × prior_multiplier): a wave
    /// draws (m - 1)/(1 - share) extra candidates per transaction, at most 98 here.
    public static let maxFraudShare = 0.5
    /// The largest mean number of transactions per customer a day (the simulator's cards make 0.5).
    public static let maxTransactionsPerCustomer = 50.0
    public static let populationKeys = ["customers", "merchants", "transactions_per_day", "weekly_seasonality", "base_fraud_rate"]
    public static let labelDelayKeys = ["median_days", "tail_days", "never_reported_share", "chargeback_window_days"]
    public static let monitoringKeys = ["window_days", "step_days"]
    public static let failureKeys = ["kind", "subkind", "features", "start_day", "ramp_days", "end_day", "severity", "params"]

    /// The longest day count any period or delay may have (ten years).
    public static let maxDays = 3650
    /// Largest seed written as a JSON number, 2^53 - 1: every whole number up to it has its own
    /// double, so a number above it is refused rather than rounded to a neighbour's seed (2^53 + 1
    /// reads as 2^53). Larger seeds are written as a string of digits.
    static let maxNumericSeed: UInt64 = (1 << 53) - 1

    // MARK: Reading

    /// Reads and validates the scenario file at `path`.
    public static func load(_ path: String) throws -> Scenario {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(file: path, path: "", message: "file not found; check the path (bundled scenarios are in scenarios/)")
        }
        if isDirectory.boolValue {
            throw ConfigError(file: path, path: "", message: "is a folder, not a scenario file; name a .json file")
        }
        let json = try JSON.readFile(path)
        return try decode(json, file: path)
    }

    /// Validates a parsed scenario document; `file` names it in errors.
    public static func decode(_ json: JSON, file: String) throws -> Scenario {
        var r = try ConfigReader(json, file: file, path: "")
        try r.finish(known: keys)  // unknown keys first, so a typo is reported as a typo, not as a missing key

        guard r.has("name") else { throw r.error("name", "is required; add a short file-safe name such as \"my-scenario\"") }
        let name = try r.string("name")
        if let problem = nameProblem(name) { throw r.error("name", problem) }
        let seed = try readSeed(&r, "seed")
        let description = try r.string("description", default: "")

        var population = Population()
        if var p = try r.object("population") {
            try p.finish(known: populationKeys)
            population.customers = try p.int("customers", default: population.customers, in: 1...ScenarioFile.maxCustomers)
            population.merchants = try p.int("merchants", default: population.merchants, in: 1...1_000_000)
            population.transactionsPerDay = try p.double("transactions_per_day", default: population.transactionsPerDay,
                                                         in: 1...ScenarioFile.maxTransactionsPerDay)
            population.weeklySeasonality = try p.double("weekly_seasonality", default: population.weeklySeasonality,
                                                        in: 0...0.9)
            population.baseFraudRate = try p.double("base_fraud_rate", default: population.baseFraudRate, in: 0...0.5)
            if population.baseFraudRate <= 0 || population.baseFraudRate >= 0.5 {
                throw p.error("base_fraud_rate", "must be above 0 (a world without fraud has nothing to learn) and below 0.5 (fraud is the minority class); got \(JSON.format(population.baseFraudRate))")
            }
            // A customer's day is generated in one piece, in time order; one customer with 40,000 a day
            // took 19 s (found by fuzzing), and the velocity counters keep only the last 48 anyway.
            let perCustomer = population.transactionsPerDay / Double(population.customers)
            if perCustomer > maxTransactionsPerCustomer {
                let customers = p.has("customers") ? "" : " (the default; set population.customers)"
                throw p.error("transactions_per_day", "must be at most \(Int(maxTransactionsPerCustomer)) per customer a day, on average: "
                              + "\(JSON.format(population.transactionsPerDay)) for \(population.customers) customers\(customers) is "
                              + "\(String(format: "%.4g", perCustomer)); add customers or lower the volume")
            }
        }

        let referenceDays = try r.int("reference_days", default: 60, in: 1...maxDays)
        let productionDays = try r.int("production_days", default: 180, in: 1...maxDays)

        var labelDelay = LabelDelay()
        if var l = try r.object("label_delay") {
            try l.finish(known: labelDelayKeys)
            labelDelay.medianDays = try l.double("median_days", default: labelDelay.medianDays, in: 0...Double(maxDays))
            if labelDelay.medianDays <= 0 { throw l.error("median_days", "must be above 0 days; got 0") }
            labelDelay.tailDays = try l.double("tail_days", default: labelDelay.tailDays, in: 0...Double(maxDays))
            if labelDelay.tailDays <= labelDelay.medianDays {
                throw l.error("tail_days", "must be above median_days (\(JSON.format(labelDelay.medianDays))): it is the 99th percentile of the delay; got \(JSON.format(labelDelay.tailDays))")
            }
            labelDelay.neverReportedShare = try l.double("never_reported_share", default: labelDelay.neverReportedShare, in: 0...1)
            if labelDelay.neverReportedShare >= 1 {
                throw l.error("never_reported_share", "must be below 1 (with 1 no fraud is ever labelled); got 1")
            }
            labelDelay.chargebackWindowDays = try l.int("chargeback_window_days", default: labelDelay.chargebackWindowDays, in: 1...maxDays)
            if Double(labelDelay.chargebackWindowDays) <= labelDelay.medianDays {
                throw l.error("chargeback_window_days", "must be above median_days (\(JSON.format(labelDelay.medianDays))), or most chargebacks would arrive after the window closed; got \(labelDelay.chargebackWindowDays)")
            }
        }

        var monitoring = Monitoring()
        var windowGiven = false
        if var m = try r.object("monitoring") {
            try m.finish(known: monitoringKeys)
            windowGiven = m.has("window_days")
            monitoring.windowDays = try m.int("window_days", default: monitoring.windowDays, in: 1...maxDays)
            monitoring.stepDays = try m.int("step_days", default: monitoring.stepDays, in: 1...maxDays)
            if monitoring.stepDays > monitoring.windowDays {
                throw m.error("step_days", "must be at most window_days (\(monitoring.windowDays)), or some days would never be monitored; got \(monitoring.stepDays)")
            }
        }
        if monitoring.windowDays > productionDays {
            let given = windowGiven ? "" : " (the default)"
            throw ConfigError(file: file, path: "monitoring.window_days",
                              message: "must be at most production_days (\(productionDays)), or no window ever fills; got \(monitoring.windowDays)\(given)")
        }

        var failures: [FailureSpec] = []
        for (i, item) in (try r.array("failures") ?? []).enumerated() {
            failures.append(try decodeFailure(item, file: file, path: "failures[\(i)]",
                                              productionDays: productionDays, population: population))
        }
        try checkCompounding(failures, file: file, productionDays: productionDays)
        // The lab monitors on days window_days - 1, then every step_days: a failure that starts after
        // the last of them is never looked at, and a run would count it as missed.
        let lastStep = Monitoring.stepDays(window: monitoring.windowDays, step: monitoring.stepDays, productionDays: productionDays)
            .reversed().first ?? monitoring.windowDays - 1
        for (i, f) in failures.enumerated() where f.startDay > lastStep {
            throw ConfigError(file: file, path: "failures[\(i)].start_day",
                              message: "starts after the last monitoring step (day \(lastStep): a window of \(monitoring.windowDays) days every "
                              + "\(monitoring.stepDays) over \(productionDays) production days), so no monitor would see it; start it by day "
                              + "\(lastStep), or change monitoring.step_days or production_days; got \(f.startDay)")
        }
        try r.finish()
        return Scenario(name: name, seed: seed, description: description, population: population,
                        referenceDays: referenceDays, productionDays: productionDays, labelDelay: labelDelay,
                        monitoring: monitoring, failures: failures)
    }

    /// What a failure changes that another failure active the same day would compound with: their
    /// multipliers multiply (or shifts compose, boosts add) past the range one failure may take, or
    /// (segment and channel mixes, which the world draws one at a time, and stale counters, which share
    /// one frozen cache) one of them is lost or spread to the other's features. Empty for
    /// the failures that combine as they are (data-quality faults, most schema changes, outages).
    static func compoundingTargets(_ f: FailureSpec) -> [String] {
        switch (f.kind, f.subkind) {
        case (.covariateShift, "segment_mix"): return ["a segment mix"]
        case (.covariateShift, "channel_mix"): return ["a channel mix"]
        case (.covariateShift, "category_mix"): return ["the share of category '\(f.text("category"))'"]
        case (.covariateShift, "feature_shift"): return f.features.map { "a feature shift of '\($0)'" }
        case (.priorShift, _): return ["the fraud prior"]
        case (.conceptDrift, "weight_change"): return f.features.map { "the weight of '\($0)'" }
        case (.conceptDrift, _): return ["the new pattern's risk_boost"]
        case (.labelDelay, "slower"): return ["the chargeback delay"]
        case (.labelDelay, "coverage_drop"): return ["the chargeback coverage"]
        case (.schemaChange, "unit_scale"): return f.features.map { "the units of '\($0)'" }
        case (.dataQuality, "stale"): return ["the velocity cache (one share of frozen customers)"]
        default: return []
        }
    }

    /// Refuses two failures that compound (`compoundingTargets`) and are active on a common day: 154
    /// stacked category mixes overflowed the category weights, 160 feature shifts of `hour` made its
    /// value infinite, and three segment mixes multiplied the day's volume 48-fold.
    static func checkCompounding(_ failures: [FailureSpec], file: String, productionDays: Int) throws {
        // Each failure is compared only with the earlier ones sharing one of its targets, so a long
        // list of failures that do not compound costs one pass.
        let targetsOf = failures.map(compoundingTargets)
        var earlierOn: [String: [Int]] = [:]
        for (j, later) in failures.enumerated() {
            let targets = targetsOf[j]
            for i in Set(targets.flatMap { earlierOn[$0] ?? [] }).sorted() {
                let earlier = failures[i]
                let first = Swift.max(earlier.startDay, later.startDay)
                let last = Swift.min(earlier.endDay ?? productionDays, later.endDay ?? productionDays) - 1
                guard first <= last, let shared = targets.first(where: targetsOf[i].contains) else { continue }
                let (a, b) = earlier.startDay <= later.startDay ? (i, j) : (j, i)
                let end = earlier.startDay == later.startDay ? ""
                    : ", or set failures[\(a)].end_day to at most \(failures[b].startDay) (the first day without it)"
                throw ConfigError(file: file, path: "failures[\(j)]",
                                  message: "changes \(shared) on days \(first)...\(last), as failures[\(i)] does; two failures at once would "
                                  + "compound past the range one may take. Make them one failure with the combined parameters\(end)")
            }
            for shared in targets { earlierOn[shared, default: []].append(j) }
        }
    }

    /// Validates one member of `failures` and fills in its defaults.
    static func decodeFailure(_ json: JSON, file: String, path: String, productionDays: Int,
                              population: Population) throws -> FailureSpec {
        var r = try ConfigReader(json, file: file, path: path)
        try r.finish(known: failureKeys)
        let injectable = FailureKind.allCases.filter { $0 != .none }.map(\.rawValue)

        guard r.has("kind") else { throw r.error("kind", "is required; add one of: \(injectable.joined(separator: ", "))") }
        let kindText = try r.string("kind")
        guard let kind = FailureKind(rawValue: kindText) else {
            throw r.error("kind", "unknown kind '\(kindText)'\(didYouMean(kindText, injectable)); the kinds are: \(injectable.joined(separator: ", "))")
        }
        if kind == .none {
            throw r.error("kind", "'none' is not a failure; a control scenario has an empty 'failures' list")
        }
        let subkinds = FailureCatalog.subkinds(of: kind)
        guard r.has("subkind") else {
            throw r.error("subkind", "is required; \(kind.rawValue) has the sub-kinds: \(subkinds.joined(separator: ", "))")
        }
        let subkind = try r.string("subkind")
        guard let entry = FailureCatalog.entry(kind: kind, subkind: subkind) else {
            if let other = FailureCatalog.entries.first(where: { $0.subkind == subkind }) {
                throw r.error("subkind", "'\(subkind)' is a sub-kind of \(other.kind.rawValue), not \(kind.rawValue); \(kind.rawValue) has the sub-kinds: \(subkinds.joined(separator: ", "))")
            }
            throw r.error("subkind", "unknown sub-kind '\(subkind)' of \(kind.rawValue)\(didYouMean(subkind, subkinds)); its sub-kinds are: \(subkinds.joined(separator: ", "))")
        }
        let label = "\(kind.rawValue)/\(subkind)"

        var features = entry.defaultFeatures
        if let given = try r.strings("features") {
            try checkFeatures(given, entry: entry, label: label, reader: r)
            features = given
        }

        guard r.has("start_day") else {
            throw r.error("start_day", "is required; add the production day the failure starts (0 to \(productionDays - 1))")
        }
        let startDay = try r.int("start_day")
        if startDay < 0 {
            throw r.error("start_day", "must be 0 or later (failure days count from the first production day, 0); got \(startDay)")
        }
        if startDay >= productionDays {
            throw r.error("start_day", "the failure starts after production ends: production days are 0 to \(productionDays - 1); got \(startDay)")
        }
        let rampDays = try r.int("ramp_days", default: entry.defaultRampDays, in: 0...maxDays)
        let endDay = try r.optionalInt("end_day")
        if let end = endDay {
            if end <= startDay {
                throw r.error("end_day", "must be after start_day (\(startDay)); end_day is the first day without the failure; got \(end)")
            }
            if end > productionDays {
                throw r.error("end_day", "is after production ends (production_days is \(productionDays)); use at most \(productionDays), or leave end_day out for a failure that lasts; got \(end)")
            }
        }
        guard r.has("severity") else { throw r.error("severity", "is required; add a number in [0, 1]") }
        let severity = try r.double("severity", in: 0...1)

        var parameters: [String: FailureParameterValue] = [:]
        let given = try r.object("params")
        if let p = given {
            let names = entry.parameters.map(\.name)
            for (key, _) in p.members where !names.contains(key) {
                throw p.error(key, "\(label) has no parameter '\(key)'\(didYouMean(key, names)); its parameters are: \(names.joined(separator: ", "))")
            }
        }
        for parameter in entry.parameters {
            if let p = given, let raw = p.members.first(where: { $0.0 == parameter.name })?.1, raw != .null {
                parameters[parameter.name] = try readParameter(raw, parameter, reader: p)
            } else {
                parameters[parameter.name] = parameter.defaultValue(severity)
            }
        }
        let spec = FailureSpec(kind: kind, subkind: subkind, features: features, startDay: startDay, rampDays: rampDays,
                               endDay: endDay, severity: severity, parameters: parameters)
        if kind == .priorShift {
            // A wave adds frauds by drawing (m - 1)/(1 - share) extra candidates per transaction: at a
            // share of 0.9996 that was 1,000 per row and generate ran for minutes on a small world.
            let share = population.baseFraudRate * spec.number("prior_multiplier")
            if share > maxFraudShare {
                throw ConfigError(file: file, path: "\(path).params.prior_multiplier",
                                  message: "base_fraud_rate × prior_multiplier = \(String(format: "%.4g", share)) must be at most \(maxFraudShare) "
                                  + "(a fraud share the world can reach in bounded time); lower the multiplier or the severity")
            }
        }
        try r.finish()
        return spec
    }

    static func checkFeatures(_ given: [String], entry: FailureCatalog.Entry, label: String, reader r: ConfigReader) throws {
        let path = r.fieldPath("features")
        if entry.featureCount.upperBound == 0 {
            if given.isEmpty { return }
            throw ConfigError(file: r.file, path: path, message: "\(label) takes no features; remove 'features'")
        }
        let allowed = entry.allowedFeatureNames
        for (k, name) in given.enumerated() {
            let itemPath = "\(path)[\(k)]"
            guard let role = ServedFeatures.role(of: name) else {
                throw ConfigError(file: r.file, path: itemPath,
                                  message: "unknown feature '\(name)'\(didYouMean(name, ServedFeatures.names)); the served features are: \(ServedFeatures.names.joined(separator: ", "))")
            }
            if !allowed.contains(name) {
                throw ConfigError(file: r.file, path: itemPath,
                                  message: "\(label) cannot act on '\(name)' (a \(role.rawValue) feature); it accepts: \(allowed.joined(separator: ", "))")
            }
            if given[..<k].contains(name) {
                throw ConfigError(file: r.file, path: itemPath, message: "'\(name)' is listed twice; list each feature once")
            }
        }
        let count = entry.featureCount
        if !count.contains(given.count) {
            let need = count.lowerBound == count.upperBound
                ? "exactly \(count.lowerBound) distinct feature\(count.lowerBound == 1 ? "" : "s")"
                : "\(count.lowerBound) to \(count.upperBound) features"
            throw ConfigError(file: r.file, path: path, message: "\(label) needs \(need); got \(given.count)")
        }
    }

    static func readParameter(_ raw: JSON, _ parameter: FailureCatalog.Parameter, reader p: ConfigReader) throws -> FailureParameterValue {
        if let choices = parameter.choices {
            guard let word = raw.stringValue else {
                throw p.error(parameter.name, "expected a string (one of: \(choices.joined(separator: ", "))), found \(raw.typeName)")
            }
            guard choices.contains(word) else {
                throw p.error(parameter.name, "'\(word)' is not one of: \(choices.joined(separator: ", "))\(didYouMean(word, choices))")
            }
            return .text(word)
        }
        guard let value = raw.doubleValue else {
            throw p.error(parameter.name, "expected a number, found \(raw.typeName)")
        }
        if let range = parameter.range, !range.contains(value) {
            throw p.error(parameter.name, "must be in [\(JSON.format(range.lowerBound)), \(JSON.format(range.upperBound))]; got \(JSON.format(value))")
        }
        if parameter.wholeNumber, value != value.rounded() {
            throw p.error(parameter.name, "expected a whole number, got \(JSON.format(value))")
        }
        return .number(value)
    }

    /// A 64-bit seed: a whole JSON number from 0 to 2^53 - 1, or a string of decimal digits for any UInt64.
    static func readSeed(_ r: inout ConfigReader, _ key: String) throws -> UInt64 {
        guard let v = r.value(key) else {
            throw r.error(key, "is required; add a whole number (0 to 2^53 - 1, or a string of digits for a larger 64-bit seed)")
        }
        switch v {
        case .number(let d):
            guard d >= 0, d == d.rounded(), d <= Double(maxNumericSeed) else {
                throw r.error(key, "must be a whole number from 0 to 2^53 - 1 (write larger 64-bit seeds as a string of digits); got \(JSON.format(d))")
            }
            return UInt64(d)
        case .string(let s):
            // Digits only: UInt64("+5") reads 5, which the schema's pattern refuses.
            guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let seed = UInt64(s) else {
                throw r.error(key, "'\(s)' is not a whole number from 0 to 18446744073709551615 written in digits only")
            }
            return seed
        default:
            throw r.error(key, "expected a whole number, found \(v.typeName)")
        }
    }

    /// Why `name` is not a safe file name, or nil when it is: it names the run's results folder, so
    /// it must never reach outside it.
    public static func nameProblem(_ name: String) -> String? {
        let rule = "use 1 to 100 of the characters A-Z a-z 0-9 . _ - (the name becomes a file name)"
        if name.isEmpty { return "is empty; \(rule)" }
        if name.unicodeScalars.count > 100 { return "is \(name.unicodeScalars.count) characters long; \(rule)" }
        if name.hasPrefix(".") { return "must not start with '.'; \(rule)" }
        for scalar in name.unicodeScalars {
            let ok = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "_" || scalar == "-")
            if !ok { return "contains '\(scalar.escaped(asASCII: true))'; \(rule)" }
        }
        return nil
    }

    static func didYouMean(_ word: String, _ candidates: [String]) -> String {
        closestMatch(to: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    // MARK: Writing

    /// The scenario with every default written out, keys in the documented order: what
    /// `scenario.resolved.json` holds. `decode(resolvedJSON(s))` gives back `s` for any valid
    /// scenario. Failure parameters absent from `s` are written with their severity defaults.
    public static func resolvedJSON(_ s: Scenario) -> JSON {
        let p = s.population, l = s.labelDelay, m = s.monitoring
        let seed: JSON = s.seed <= maxNumericSeed ? .number(Double(s.seed)) : .string(String(s.seed))
        return .object([
            ("name", .string(s.name)),
            ("seed", seed),
            ("description", .string(s.description)),
            ("population", .object([
                ("customers", .number(Double(p.customers))),
                ("merchants", .number(Double(p.merchants))),
                ("transactions_per_day", .number(p.transactionsPerDay)),
                ("weekly_seasonality", .number(p.weeklySeasonality)),
                ("base_fraud_rate", .number(p.baseFraudRate)),
            ])),
            ("reference_days", .number(Double(s.referenceDays))),
            ("production_days", .number(Double(s.productionDays))),
            ("label_delay", .object([
                ("median_days", .number(l.medianDays)),
                ("tail_days", .number(l.tailDays)),
                ("never_reported_share", .number(l.neverReportedShare)),
                ("chargeback_window_days", .number(Double(l.chargebackWindowDays))),
            ])),
            ("monitoring", .object([
                ("window_days", .number(Double(m.windowDays))),
                ("step_days", .number(Double(m.stepDays))),
            ])),
            ("failures", .array(s.failures.map(failureJSON))),
        ])
    }

    static func failureJSON(_ f: FailureSpec) -> JSON {
        let entry = FailureCatalog.entry(kind: f.kind, subkind: f.subkind)
        var params: [(String, JSON)] = []
        for parameter in entry?.parameters ?? [] {
            params.append((parameter.name, parameterJSON(f.parameters[parameter.name] ?? parameter.defaultValue(f.severity))))
        }
        for (name, value) in f.parameters.sorted(by: { $0.key < $1.key }) where !params.contains(where: { $0.0 == name }) {
            params.append((name, parameterJSON(value)))  // not in the catalog: decode will name it
        }
        var features = f.features
        if features.isEmpty, let e = entry, e.featureCount.lowerBound > 0 { features = e.defaultFeatures }
        return .object([
            ("kind", .string(f.kind.rawValue)),
            ("subkind", .string(f.subkind)),
            ("features", .array(features.map { .string($0) })),
            ("start_day", .number(Double(f.startDay))),
            ("ramp_days", .number(Double(f.rampDays))),
            ("end_day", f.endDay.map { .number(Double($0)) } ?? .null),
            ("severity", .number(f.severity)),
            ("params", .object(params)),
        ])
    }

    static func parameterJSON(_ v: FailureParameterValue) -> JSON {
        switch v {
        case .number(let d): return .number(d)
        case .text(let t): return .string(t)
        }
    }

    /// Writes `resolvedJSON(s)` to `path` atomically (`scenario.resolved.json` beside generated data).
    public static func writeResolved(_ s: Scenario, to path: String) throws {
        try AtomicFile.write(resolvedJSON(s).serialized(), to: path)
    }

    /// Validates a scenario built in code (a sweep cell, a test) and fills in whatever is missing:
    /// failure parameters from the severity, features from the catalog. To change a failure's
    /// severity, clear its `parameters` too, or the old severity's values are kept.
    public static func resolve(_ s: Scenario, file: String? = nil) throws -> Scenario {
        try decode(resolvedJSON(s), file: file ?? "<scenario \(s.name)>")
    }

    /// A stable digest of the resolved scenario: FNV-1a 64 of `resolvedJSON(s)` serialised compactly,
    /// as 16 lowercase hex digits. Run manifests record it; any change of content changes it.
    public static func contentHash(_ s: Scenario) -> String {
        let hash = fnv1a64(Array(resolvedJSON(s).serialized(pretty: false).utf8))
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// FNV-1a, 64-bit (Fowler, Noll, Vo; offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    public static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }
}
