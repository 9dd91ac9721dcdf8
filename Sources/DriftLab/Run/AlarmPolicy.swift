import DriftCore

/// Turns a detector's raw rule into an alarm (docs/lab.md, "Alarm policy"): an alarm is raised on a
/// step when the raw rule has fired on `persistence` consecutive monitoring steps (this one
/// included). Schema signatures are deterministic step changes (a round scale factor, unseen
/// categories, a swap, a time-zone offset, a boolean flip, parse failures, a definition skew), so
/// their detectors alarm on the first step (`immediate`). The diagnosis needs the same kind on
/// `persistence` consecutive steps (one for a schema change; `AlarmState`).
public struct AlarmPolicy: Sendable, Equatable {
    public var persistence = 2
    /// Detectors whose raw rule alarms at once.
    public var immediate: Set<String> = ["unit_scale", "unseen_categories", "category_permutation", "column_swap",
                                         "timezone", "boolean_flip", "parse_failures", "definition_skew", "duplicates"]
    public init() {}

    /// Steps of consecutive raw firing needed by `detector`.
    public func required(_ detector: String) -> Int { immediate.contains(detector) ? 1 : max(1, persistence) }

    /// Alarm given the current run of consecutive raw firings (this step included).
    public func alarm(detector: String, consecutive: Int) -> Bool { consecutive >= required(detector) }

    public func json() -> JSON {
        .object([("rule", .string("raw rule on consecutive steps")), ("persistence", .number(Double(persistence))),
                 ("diagnosis", .string("the same kind on consecutive steps (schema_change: one step)")),
                 ("immediate", .array(immediate.sorted().map { .string($0) }))])
    }
}
