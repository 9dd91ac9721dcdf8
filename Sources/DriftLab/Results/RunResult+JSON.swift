import DriftCore
import DriftSim

// JSON form of a run. Keys are snake_case; the manifest comes first. Decoding uses ConfigReader,
// so a damaged run file gives an error naming the file and the JSON path.

private func num(_ v: Double?) -> JSON { v.map { .number($0) } ?? .null }
private func int(_ v: Int?) -> JSON { v.map { .number(Double($0)) } ?? .null }
private func str(_ v: String?) -> JSON { v.map { .string($0) } ?? .null }
private func strs(_ v: [String]) -> JSON { .array(v.map { .string($0) }) }


extension RunResult {
    public func json() -> JSON {
        .object([
            ("manifest", manifest.json()),
            ("injected", .array(injected.map { $0.json() })),
            ("verdicts", .array(verdicts.map { $0.json() })),
            ("steps", .array(steps.map { $0.json() })),
        ])
    }

    /// Decodes a run file's JSON; `file` names it in errors.
    public init(json: JSON, file: String) throws {
        var r = try ConfigReader(json, file: file, path: "")
        manifest = try RunManifest(json: r.value("manifest") ?? .null, file: file, path: "manifest")
        func required(_ key: String) throws -> [JSON] {
            guard let items = try r.array(key) else { throw r.error(key, "is required: a run file lists it even when empty") }
            return items
        }
        injected = try required("injected").enumerated().map { try InjectedFailureRecord(json: $1, file: file, path: "injected[\($0)]") }
        verdicts = try required("verdicts").enumerated().map { try RunVerdict(json: $1, file: file, path: "verdicts[\($0)]") }
        steps = try required("steps").enumerated().map { try StepRecord(json: $1, file: file, path: "steps[\($0)]") }
        try r.finish()
        try checkWhole(file: file)
    }

    /// Rejects a run that decodes but is not whole: a step per monitoring day of the manifest's
    /// schedule (window end days `window_days - 1`, then every `step_days`), and one verdict per
    /// detector of the steps plus `diagnosis`. A resumed sweep or a merge would otherwise count it.
    func checkWhole(file: String) throws {
        let m = manifest
        let schedule = Array(Monitoring.stepDays(window: m.windowDays, step: m.stepDays, productionDays: m.productionDays))
        if steps.count != schedule.count {
            throw ConfigError(file: file, path: "steps", message: "holds \(steps.count) steps; the manifest's schedule has \(schedule.count): the run is incomplete or damaged, run it again")
        }
        for (k, (step, scheduled)) in zip(steps, schedule).enumerated() where step.day != scheduled {
            throw ConfigError(file: file, path: "steps[\(k)].day", message: "is \(step.day), the schedule says \(scheduled): run it again")
        }
        let ids = ((steps.first?.detectors.map(\.detector) ?? []) + ["diagnosis"]).sorted()
        let found = verdicts.map(\.detector).sorted()
        if !steps.isEmpty && found != ids {
            throw ConfigError(file: file, path: "verdicts", message: "holds verdicts for \(found.count) detectors, the steps name \(ids.count) (with diagnosis): the run is incomplete or damaged, run it again")
        }
    }
}

extension RunManifest {
    public func json() -> JSON {
        .object([
            ("tool_version", .string(toolVersion)), ("scenario", .string(scenarioName)), ("scenario_hash", .string(scenarioHash)),
            ("seed", .number(Double(seed))), ("reference_days", .number(Double(referenceDays))),
            ("production_days", .number(Double(productionDays))), ("window_days", .number(Double(windowDays))),
            ("step_days", .number(Double(stepDays))), ("models", models), ("detectors", detectors),
        ])
    }

    init(json: JSON, file: String, path: String) throws {
        var r = try ConfigReader(json, file: file, path: path)
        toolVersion = try r.string("tool_version")
        scenarioName = try r.string("scenario")
        scenarioHash = try r.string("scenario_hash")
        seed = try r.seed("seed")
        referenceDays = try r.int("reference_days")
        productionDays = try r.int("production_days")
        windowDays = try r.int("window_days")
        stepDays = try r.int("step_days")
        models = r.value("models") ?? .null
        detectors = r.value("detectors") ?? .null
        try r.finish()
    }
}

extension InjectedFailureRecord {
    public func json() -> JSON {
        .object([("kind", .string(kind.rawValue)), ("subkind", .string(subkind)), ("features", strs(features)),
                 ("start_day", .number(Double(startDay))), ("ramp_days", .number(Double(rampDays))),
                 ("end_day", int(endDay)), ("severity", .number(severity))])
    }

    init(json: JSON, file: String, path: String) throws {
        var r = try ConfigReader(json, file: file, path: path)
        kind = try DriftLab.kind(&r, "kind")
        subkind = try r.string("subkind")
        features = try r.strings("features") ?? []
        startDay = try r.int("start_day")
        rampDays = try r.int("ramp_days")
        endDay = try r.optionalInt("end_day")
        severity = try r.double("severity")
        try r.finish()
    }
}

extension StepDetector {
    public func json() -> JSON {
        .object([("detector", .string(detector)), ("raw_alarm", .bool(rawAlarm)), ("alarm", .bool(alarm)),
                 ("indicates", .string(indicates.rawValue)), ("subkind", str(subkind)), ("features", strs(features)),
                 ("statistic", .number(statistic)), ("p_value", num(pValue)), ("threshold", .number(threshold))])
    }

    init(json: JSON, file: String, path: String) throws {
        var r = try ConfigReader(json, file: file, path: path)
        detector = try r.string("detector")
        rawAlarm = try r.bool("raw_alarm", default: false)
        alarm = try r.bool("alarm", default: false)
        indicates = try DriftLab.kind(&r, "indicates")
        subkind = try r.optionalString("subkind")
        features = try r.strings("features") ?? []
        statistic = try r.optionalDouble("statistic") ?? .nan
        pValue = try r.optionalDouble("p_value")
        threshold = try r.optionalDouble("threshold") ?? .nan
        try r.finish()
    }
}

extension DiagnosisRecord {
    public func json() -> JSON {
        .object([("kind", .string(kind.rawValue)), ("subkind", str(subkind)), ("features", strs(features)),
                 ("confidence", .number(confidence)), ("evidence", strs(evidence))])
    }

    init(json: JSON, file: String, path: String) throws {
        var r = try ConfigReader(json, file: file, path: path)
        kind = try DriftLab.kind(&r, "kind")
        subkind = try r.optionalString("subkind")
        features = try r.strings("features") ?? []
        confidence = try r.double("confidence")
        evidence = try r.strings("evidence") ?? []
        try r.finish()
    }
}

extension ModelImpact {
    public func json() -> JSON {
        .object([("model", .string(model)), ("alert_rate", .number(alertRate)),
                 ("realised_recall", .number(realisedRecall)), ("realised_precision", .number(realisedPrecision)),
                 ("measured_recall", .number(measuredRecall)), ("measured_precision", .number(measuredPrecision)),
                 ("estimated_recall", .number(estimatedRecall)), ("estimated_precision", .number(estimatedPrecision))])
    }

    init(json: JSON, file: String, path: String) throws {
        var r = try ConfigReader(json, file: file, path: path)
        model = try r.string("model")
        // NaN is written as null (no labels yet, empty window): read it back as NaN.
        alertRate = try r.optionalDouble("alert_rate") ?? .nan
        realisedRecall = try r.optionalDouble("realised_recall") ?? .nan
        realisedPrecision = try r.optionalDouble("realised_precision") ?? .nan
        measuredRecall = try r.optionalDouble("measured_recall") ?? .nan
        measuredPrecision = try r.optionalDouble("measured_precision") ?? .nan
        estimatedRecall = try r.optionalDouble("estimated_recall") ?? .nan
        estimatedPrecision = try r.optionalDouble("estimated_precision") ?? .nan
        try r.finish()
    }
}

extension StepRecord {
    public func json() -> JSON {
        .object([("day", .number(Double(day))), ("window_start", .number(Double(windowStart))),
                 ("truth", .array(truth.map { .string($0.rawValue) })), ("diagnosis", diagnosis.json()),
                 ("models", .array(models.map { $0.json() })), ("detectors", .array(detectors.map { $0.json() }))])
    }

    init(json: JSON, file: String, path: String) throws {
        var r = try ConfigReader(json, file: file, path: path)
        day = try r.int("day")
        windowStart = try r.int("window_start")
        truth = try (r.strings("truth") ?? []).enumerated().map { k, text in
            guard let kind = FailureKind(rawValue: text) else {
                throw ConfigError(file: file, path: "\(path).truth[\(k)]", message: "unknown failure kind '\(text)'")
            }
            return kind
        }
        diagnosis = try DiagnosisRecord(json: r.value("diagnosis") ?? .null, file: file, path: "\(path).diagnosis")
        models = try (r.array("models") ?? []).enumerated().map { try ModelImpact(json: $1, file: file, path: "\(path).models[\($0)]") }
        detectors = try (r.array("detectors") ?? []).enumerated().map { try StepDetector(json: $1, file: file, path: "\(path).detectors[\($0)]") }
        try r.finish()
    }
}

extension RunVerdict {
    public func json() -> JSON {
        .object([("detector", .string(detector)), ("injected_kind", .string(injectedKind.rawValue)),
                 ("first_alarm_day", int(firstAlarmDay)), ("detection_delay_days", int(detectionDelayDays)),
                 ("diagnosed_kind", .string(diagnosedKind.rawValue)), ("diagnosed_subkind", str(diagnosedSubkind)),
                 ("diagnosed_features", strs(diagnosedFeatures)), ("kind_correct", .bool(kindCorrect)),
                 ("feature_correct", featureCorrect.map { .bool($0) } ?? .null), ("false_alarms", .number(Double(falseAlarms))),
                 ("days_before_onset", .number(Double(daysBeforeOnset)))])
    }

    init(json: JSON, file: String, path: String) throws {
        var r = try ConfigReader(json, file: file, path: path)
        detector = try r.string("detector")
        injectedKind = try DriftLab.kind(&r, "injected_kind")
        firstAlarmDay = try r.optionalInt("first_alarm_day")
        detectionDelayDays = try r.optionalInt("detection_delay_days")
        diagnosedKind = try DriftLab.kind(&r, "diagnosed_kind")
        diagnosedSubkind = try r.optionalString("diagnosed_subkind")
        diagnosedFeatures = try r.strings("diagnosed_features") ?? []
        kindCorrect = try r.bool("kind_correct", default: false)
        featureCorrect = r.value("feature_correct")?.boolValue
        falseAlarms = try r.int("false_alarms")
        daysBeforeOnset = try r.int("days_before_onset")
        try r.finish()
    }
}

/// Namespace for module-level helpers (kind parsing above refers to it).
public enum DriftLab {
    fileprivate static func kind(_ r: inout ConfigReader, _ key: String) throws -> FailureKind {
        let text = try r.string(key, oneOf: FailureKind.allCases.map(\.rawValue))
        return FailureKind(rawValue: text)!
    }
}
