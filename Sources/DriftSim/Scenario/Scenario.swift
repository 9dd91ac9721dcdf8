import DriftCore

/// A whole scenario: the world's population, the periods, the label delay, monitoring cadence
/// and the failures injected into production. Every field has a documented default
/// (scenarios/README.md); `scenario.resolved.json` writes them all out.
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var seed: UInt64
    public var description: String
    public var population: Population
    /// Days of the training period, numbered -referenceDays ..< 0 in the CSV files; labels are mature.
    public var referenceDays: Int
    /// Days of production, numbered 0 ..< productionDays.
    public var productionDays: Int
    public var labelDelay: LabelDelay
    public var monitoring: Monitoring
    public var failures: [FailureSpec]

    public init(name: String, seed: UInt64, description: String = "", population: Population = .init(),
                referenceDays: Int = 60, productionDays: Int = 180, labelDelay: LabelDelay = .init(),
                monitoring: Monitoring = .init(), failures: [FailureSpec] = []) {
        self.name = name; self.seed = seed; self.description = description
        self.population = population; self.referenceDays = referenceDays; self.productionDays = productionDays
        self.labelDelay = labelDelay; self.monitoring = monitoring; self.failures = failures
    }

    /// The kinds injected (none for a control), sorted and unique.
    public var injectedKinds: [FailureKind] {
        let kinds = Set(failures.map(\.kind))
        return kinds.isEmpty ? [.none] : kinds.sorted()
    }
}

/// Who transacts and how much.
public struct Population: Sendable, Equatable {
    public var customers: Int = 20_000
    public var merchants: Int = 2_000
    /// Mean transactions per day before the weekly cycle.
    public var transactionsPerDay: Double = 10_000
    /// Amplitude of the weekly cycle: volume on day d is scaled by 1 + a·cos(2π(d - 5)/7) (peak on weekends).
    public var weeklySeasonality: Double = 0.2
    /// Target share of fraudulent transactions in the unshifted world; the hidden risk function's
    /// intercept is tuned to reach it.
    public var baseFraudRate: Double = 0.01
    public init() {}
}

/// When chargebacks arrive. A fraud's delay is lognormal with the given median and 99th
/// percentile (`tailDays`); a share of frauds is never charged back; a legitimate transaction is
/// known to be legitimate only once `chargebackWindowDays` have passed.
public struct LabelDelay: Sendable, Equatable {
    public var medianDays: Double = 21
    public var tailDays: Double = 120
    public var neverReportedShare: Double = 0.1
    public var chargebackWindowDays: Int = 120
    public init() {}
}

/// Monitoring cadence: each step evaluates the last `windowDays` days.
public struct Monitoring: Sendable, Equatable {
    public var windowDays: Int = 14
    public var stepDays: Int = 7
    public init() {}

    /// The production days the lab takes a monitoring step on: the last day of the first full window
    /// (window - 1), then every `step` days while production lasts. The days after the last are
    /// never monitored.
    public static func stepDays(window: Int, step: Int, productionDays: Int) -> StrideTo<Int> {
        stride(from: window - 1, to: productionDays, by: Swift.max(1, step))
    }
}

/// One injected failure. Days count from the first production day (0). Strength on day d is
/// min(1, (d - startDay + 1) / rampDays): 1/rampDays on `startDay`, full from `startDay + rampDays - 1`
/// (at once when rampDays is 0); it holds, and drops to 0 on `endDay` (exclusive).
public struct FailureSpec: Sendable, Equatable {
    public var kind: FailureKind
    public var subkind: String
    /// Affected features (served-feature names); the catalog's default when not given.
    public var features: [String]
    public var startDay: Int
    public var rampDays: Int
    public var endDay: Int?
    /// In [0, 1]; maps to the sub-kind's parameters through `FailureCatalog`.
    public var severity: Double
    /// Every parameter of the sub-kind, defaults filled in from the severity (see `FailureCatalog`).
    public var parameters: [String: FailureParameterValue]

    public init(kind: FailureKind, subkind: String, features: [String], startDay: Int, rampDays: Int = 0,
                endDay: Int? = nil, severity: Double, parameters: [String: FailureParameterValue] = [:]) {
        self.kind = kind; self.subkind = subkind; self.features = features; self.startDay = startDay
        self.rampDays = rampDays; self.endDay = endDay; self.severity = severity; self.parameters = parameters
    }

    /// Strength in [0, 1] on production day `day`: the ramp, then full strength until `endDay`.
    public func strength(onDay day: Int) -> Double {
        if day < startDay { return 0 }
        if let end = endDay, day >= end { return 0 }
        if rampDays <= 0 { return 1 }
        return Swift.min(1, Double(day - startDay + 1) / Double(rampDays))
    }

    /// A numeric parameter (resolved scenarios hold every parameter of the sub-kind).
    public func number(_ name: String) -> Double {
        if case .number(let v)? = parameters[name] { return v }
        if let p = FailureCatalog.parameter(kind: kind, subkind: subkind, name: name),
           case .number(let v) = p.defaultValue(severity) { return v }
        preconditionFailure("no numeric parameter '\(name)' for \(kind.rawValue)/\(subkind)")
    }

    /// A text parameter (resolved scenarios hold every parameter of the sub-kind).
    public func text(_ name: String) -> String {
        if case .text(let v)? = parameters[name] { return v }
        if let p = FailureCatalog.parameter(kind: kind, subkind: subkind, name: name),
           case .text(let v) = p.defaultValue(severity) { return v }
        preconditionFailure("no text parameter '\(name)' for \(kind.rawValue)/\(subkind)")
    }
}

/// A failure parameter's value: a number or a word.
public enum FailureParameterValue: Sendable, Equatable {
    case number(Double)
    case text(String)
}
