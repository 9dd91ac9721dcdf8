import DriftCore
import DriftDetectors
import DriftModels
import DriftSim
import Foundation

/// One lab run (docs/lab.md): simulate the reference period, train both models, replay production
/// day by day and, on each monitoring step, run the detector battery on exactly what existed that
/// day (served features, scores, decisions, labels arrived by then), apply the alarm policy, diagnose,
/// and finally score every detector and the diagnosis against the injected ground truth.
///
/// Usage: `let result = try LabRunner.run(scenario)`, or for a sweep
/// `let ref = try LabRunner.prepareReference(s)` once per (base scenario, seed), then
/// `try LabRunner.run(cell, reference: ref)` for every cell sharing them.
public enum LabRunner {
    /// Runs `scenario` from scratch (prepares its reference first).
    public static func run(_ scenario: Scenario, options: LabOptions = .init()) throws -> RunResult {
        try run(scenario, reference: prepareReference(scenario, options: options), options: options)
    }

    static func trainingOptions(_ kind: ModelKind, options: LabOptions) -> TrainingOptions {
        var t = TrainingOptions(kind: kind)
        t.label = "is_fraud"
        t.timeColumn = "day"
        t.validationFraction = PreparedReference.validationShare
        t.bootstrapResamples = options.bootstrapResamples
        t.calibration = .platt  // strictly monotone: calibrated >= calibrated threshold exactly when raw >= threshold
        t.seed = 1
        return t
    }

    /// Simulates the reference period of `scenario` (its failures are ignored: they only touch
    /// production) and fits the models and every reference profile.
    public static func prepareReference(_ scenario: Scenario, options: LabOptions = .init()) throws -> PreparedReference {
        var base = scenario
        base.failures = []
        let sim: TransactionSimulator
        do { sim = try TransactionSimulator(scenario: base) } catch { throw LabError.invalidScenario("scenario '\(scenario.name)': \(error)") }
        // The reference days, then the world as it stands at the start of production: every cell resumes there.
        let stream = sim.days(jobs: options.simulatorJobs)
        var batches: [DayBatch] = []
        while batches.count < scenario.referenceDays, let b = stream.next() { batches.append(b) }
        let world = stream.snapshot()
        let n = batches.reduce(0) { $0 + $1.count }
        // The labels the team holds: a fraud is known when its chargeback arrives (the reference's
        // labels are mature); one never charged back looks legitimate, as in reference.csv.
        let reports = batches.flatMap(\.chargebackDay)
        let labels: [UInt8] = zip(batches.flatMap(\.isFraud), reports).map { $0 == 1 && $1 != TransactionSimulator.never ? 1 : 0 }
        let table = try featureTable(batches.map { ($0.served, $0.count) }, extra: [
            ("day", .numeric(batches.flatMap { b in [Double](repeating: Double(b.day), count: b.count) })),
            ("is_fraud", .numeric(labels.map(Double.init))),
        ])
        let frauds = labels.reduce(0) { $0 + Int($1) }
        guard frauds > 0, frauds < n else { throw LabError.noReferenceFrauds(scenario: scenario.name) }
        let days = batches.flatMap { b in [Int32](repeating: Int32(b.day), count: b.count) }
        let window = scenario.labelDelay.chargebackWindowDays

        let featuresOnly = try featureTable(batches.map { ($0.served, $0.count) }, extra: [])
        let (slices, sliceBits) = FeatureSlices.reference(featuresOnly, reports: reports)

        // Both models; the primary (stumps by default) is last.
        let kinds: [ModelKind] = options.primaryModel == .stumps ? [.logistic, .stumps] : [.stumps, .logistic]
        var models: [LabModel] = []
        var primaryScores: [Double] = [], primaryDecisions: [UInt8] = []
        for kind in kinds {
            let training = trainingOptions(kind, options: options)
            let model = try Trainer.train(table, options: training)
            let scored = model.score(table)
            // The primary model's recall target from cross-fitted out-of-fold scores (the label monitors read it).
            let oof = kind == kinds.last ? OutOfFold.fit(table, days: days, labels: labels, options: training, folds: options.crossFitFolds,
                                                         jobs: options.simulatorJobs) : nil
            models.append(LabModel(name: kind.rawValue, model: model, calibrated: scored.calibrated, labels: labels, days: days,
                                   reports: reports, validationStart: PreparedReference.validationStart(rows: n), chargebackWindow: window,
                                   outOfFold: oof, slices: kind == kinds.last ? (slices.features, sliceBits) : ([], [])))
            primaryScores = scored.calibrated; primaryDecisions = scored.raw.map { $0 >= model.threshold ? 1 : 0 }
        }
        guard let primary = models.last else { throw LabError.invalidScenario("no model") }
        var importance: [String: Double] = [:]
        let stumps = models.first { $0.model.kind == .stumps } ?? primary
        for (name, w) in zip(stumps.model.featureNames, stumps.model.featureImportance) { importance[name] = w }
        var drift = options.drift
        drift.importance = importance
        let baseline = DriftBaseline(reference: featuresOnly, configuration: drift)
        let quality = try QualityMonitor(reference: featuresOnly, roles: monitoredRoles, configuration: options.quality)

        // Velocity bookkeeping on the last two reference weeks (stale counters, definition skew).
        let recent = batches.suffix(14)
        let (staleness, offsets) = Battery.velocityReference(Array(recent))

        var prepared = PreparedReference(baseHash: PreparedReference.baseKey(scenario), models: models, drift: baseline, quality: quality,
                                         importance: importance, staleness: staleness, counterOffset: offsets,
                                         labelDays: days, labelScores: primaryScores, labelReports: reports,
                                         validationStart: PreparedReference.validationStart(rows: n), rows: n, frauds: frauds, world: world)
        prepared.slices = slices
        prepared.labelSlices = sliceBits
        // Fraud bursts make fraud and alert counts over-dispersed (quality branch: CountDispersion).
        let customers = batches.flatMap(\.customerID)
        prepared.dispersion = CountDispersion.reference(customers: customers, days: days, frauds: labels, alerts: primaryDecisions)
        prepared.fraudDispersion = CountDispersion.designEffect(customers: customers, days: days, events: labels.map { $0 == 1 })
        prepared.recallDispersion = CountDispersion.recallDesignEffect(customers: customers, days: days, frauds: labels, hits: primaryDecisions)
        return prepared
    }

    /// Monitor roles of the served features (the hour gets the time-zone check).
    static let monitoredRoles: [String: MonitoredRole] = {
        var r: [String: MonitoredRole] = [:]
        for (name, role, _) in ServedFeatures.all {
            switch role {
            case .numeric: r[name] = name == "hour" ? .hourOfDay : .numeric
            case .boolean: r[name] = .boolean
            case .velocity: r[name] = .velocity
            case .categorical: r[name] = .categorical
            }
        }
        return r
    }()

    /// A table of the served features of several days (plus `extra` columns).
    static func featureTable(_ days: [(FeatureColumns, Int)], extra: [(String, Column)]) throws -> Table {
        var cols: [(String, Column)] = []
        for f in 0..<FeatureSchema.count {
            if FeatureSchema.isCategorical[f] {
                var codes: [Int32] = []
                codes.reserveCapacity(days.reduce(0) { $0 + $1.1 })
                for (c, _) in days { codes.append(contentsOf: c.codes[f]) }
                cols.append((FeatureSchema.names[f], .categorical(CategoricalColumn(codes: codes, levels: FeatureSchema.levels[f]))))
            } else {
                var v: [Double] = []
                v.reserveCapacity(days.reduce(0) { $0 + $1.1 })
                for (c, _) in days { v.append(contentsOf: c.numeric[f]) }
                cols.append((FeatureSchema.names[f], .numeric(v)))
            }
        }
        return try Table(columns: cols + extra)
    }

    /// Replays production of `scenario` against a prepared reference of the same base scenario and seed.
    public static func run(_ scenario: Scenario, reference ref: PreparedReference, options: LabOptions = .init()) throws -> RunResult {
        try traced(scenario, reference: ref, options: options).result
    }

    /// `run` plus the per-step, per-feature trace the HTML report draws (PSI and missing rates).
    public static func traced(_ scenario: Scenario, reference ref: PreparedReference, options: LabOptions = .init()) throws
        -> (result: RunResult, trace: RunTrace) {
        try traced(scenario, reference: ref, options: options, resume: true)
    }

    /// `resume`: production days come from the reference's world snapshot (the default, what sweeps
    /// use); false regenerates the world from scratch (pilot, burn-in, reference days): same bytes, slower.
    static func traced(_ scenario: Scenario, reference ref: PreparedReference, options: LabOptions, resume: Bool) throws
        -> (result: RunResult, trace: RunTrace) {
        let key = PreparedReference.baseKey(scenario)
        guard key == ref.baseHash else { throw LabError.referenceMismatch(expected: ref.baseHash, got: key) }
        let windowDays = max(1, scenario.monitoring.windowDays), stepDays = max(1, scenario.monitoring.stepDays)
        // Before the first failure starts, a cell replays the failure-free world: those days and steps
        // are shared by the cells of a world (computed once per onset day). Not with a label outage:
        // it delays chargebacks of transactions made before it starts.
        let onset = scenario.failures.map(\.startDay).min() ?? scenario.productionDays
        let outage = scenario.failures.contains { $0.kind == .labelDelay && $0.subkind == "outage" }
        var state: RunState
        let days: DayStream
        do {
            if resume && !outage && onset > 0 && onset < scenario.productionDays {
                let prefix = try ref.prefixes.prefix("\(onset) \(String(describing: options))") {
                    try LabRunner.prefix(ref, until: onset, options: options, windowDays: windowDays, stepDays: stepDays)
                }
                state = prefix.state
                days = try prefix.world.resume(scenario, jobs: options.simulatorJobs)
            } else {
                state = RunState(replay: Replay(scenario: scenario, reference: ref, options: options, windowDays: windowDays),
                                 policy: AlarmState(policy: options.alarms))
                days = resume ? try ref.resumableWorld().resume(scenario, jobs: options.simulatorJobs)
                              : try TransactionSimulator(scenario: scenario).days(jobs: options.simulatorJobs)
            }
        } catch let e as LabError { throw e } catch { throw LabError.invalidScenario("scenario '\(scenario.name)': \(error)") }
        for batch in days where batch.day >= 0 {
            try state.add(batch, windowDays: windowDays, stepDays: stepDays)
        }
        let injected = scenario.failures.map {
            InjectedFailureRecord(kind: $0.kind, subkind: $0.subkind, features: $0.features, startDay: $0.startDay,
                                  rampDays: $0.rampDays, endDay: $0.endDay, severity: $0.severity)
        }
        let manifest = RunManifest(scenarioName: scenario.name, scenarioHash: ScenarioFile.contentHash(scenario), seed: scenario.seed,
                                   referenceDays: scenario.referenceDays, productionDays: scenario.productionDays,
                                   windowDays: windowDays, stepDays: stepDays, models: ref.manifestJSON(options: options),
                                   detectors: options.json())
        let verdicts = Verdicts.score(steps: state.steps, injected: injected, productionDays: scenario.productionDays)
        var trace = state.trace
        trace.maxRingDays = state.replay.maxRingDays
        return (RunResult(manifest: manifest, injected: injected, steps: state.steps, verdicts: verdicts), trace)
    }

    /// The failure-free world's replay of production days 0 ..< `day` and the world at `day`.
    static func prefix(_ ref: PreparedReference, until day: Int, options: LabOptions, windowDays: Int, stepDays: Int) throws -> ReplayPrefix {
        let world = try ref.resumableWorld()
        let base = world.simulator.scenario
        // The stored replay holds a reference without the prefix cache (no reference cycle).
        var state = RunState(replay: Replay(scenario: base, reference: ref.detached, options: options, windowDays: windowDays),
                             policy: AlarmState(policy: options.alarms))
        let days = try world.resume(base, jobs: options.simulatorJobs)
        for _ in 0..<day {
            guard let batch = days.next() else { break }
            try state.add(batch, windowDays: windowDays, stepDays: stepDays)
        }
        return ReplayPrefix(state: state, world: days.snapshot())
    }
}

/// A run in progress: the replay, the step records, the alarm policy's counters and the report trace.
struct RunState {
    var replay: Replay
    var policy: AlarmState
    var steps: [StepRecord] = []
    var trace = RunTrace()

    init(replay: Replay, policy: AlarmState) { self.replay = replay; self.policy = policy }

    /// Adds one production day; on a step day (t = W-1, W-1+S, ...) runs the battery and the alarm policy.
    mutating func add(_ batch: DayBatch, windowDays: Int, stepDays: Int) throws {
        replay.add(batch)
        let t = batch.day
        let elapsed = t + 1 - windowDays
        guard elapsed >= 0, elapsed % stepDays == 0 else { return }
        let reading = try replay.battery(asOf: t)
        steps.append(policy.record(reading, day: t, windowStart: t - windowDays + 1))
        trace.append(reading, day: t)
    }
}

/// The shared start of a world's cells: the run state after production days 0 ..< d of the
/// failure-free world, and the world at day d.
struct ReplayPrefix {
    let state: RunState
    let world: WorldSnapshot
}

/// Run prefixes of one prepared reference by (onset day, options), built once and shared by its cells.
final class PrefixCache: @unchecked Sendable {
    private let lock = NSLock()
    private var prefixes: [String: ReplayPrefix] = [:]

    func prefix(_ key: String, build: () throws -> ReplayPrefix) throws -> ReplayPrefix {
        lock.lock(); defer { lock.unlock() }
        if let p = prefixes[key] { return p }
        let p = try build()
        prefixes[key] = p
        return p
    }
}

/// Per-step figures for the run report that the run JSON does not carry: each feature's PSI and
/// missing rate per step, and the largest number of days the ring held.
public struct RunTrace: Sendable, Equatable {
    public var features: [String] = FeatureSchema.names
    public var days: [Int] = []
    /// psi[step][feature], missing[step][feature] in `features` order.
    public var psi: [[Double]] = []
    public var missing: [[Double]] = []
    public var maxRingDays = 0

    mutating func append(_ r: Reading, day: Int) {
        days.append(day)
        var p = [Double](repeating: .nan, count: features.count), m = p
        for f in r.drift.features {
            guard let k = features.firstIndex(of: f.feature) else { continue }
            p[k] = f.populationStabilityIndex
            let total = f.currentCount + f.currentMissing
            m[k] = total > 0 ? Double(f.currentMissing) / Double(total) : .nan
        }
        psi.append(p); missing.append(m)
    }
}
