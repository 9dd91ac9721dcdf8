import DriftCore
import DriftDetectors
import DriftModels
import Foundation

/// Inputs of one postmortem (`driftlab diagnose`).
public struct PostmortemOptions: Sendable {
    public var reference: String
    public var logs: String
    public var model: String?
    public var columns: String?
    /// Alert budget (share of transactions flagged); default: the model's own policy, else 1 %.
    public var budget: Double?
    public var windowDays = 14
    public var stepDays = 7
    public var chargebackWindowDays = 120
    /// The standard sweep's summary, for the monitors' false-alarm rates (read when it exists).
    public var sweepSummary = "results/standard/summary.json"
    public var lab = LabOptions()
    /// Threads for model fitting (the fitted models are identical for any value).
    public var jobs = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))

    public init(reference: String, logs: String) { self.reference = reference; self.logs = logs }
}

/// One detector's replay over the logs: its first alarm, and its false-alarm rate in the standard sweep.
public struct DetectorReplayResult: Sendable {
    public var detector: String
    public var firstAlarm: Int?
    public var kind: FailureKind
    public var features: [String]
    public var threshold: Double
    public var alarmSteps: Int
    /// From the standard sweep (nil when not available).
    public var falseAlarmsPer30Days: Double?
    public var sweepRecall: Double?
}

/// Everything the postmortem found (the writers turn it into files).
public struct PostmortemResult: Sendable {
    public var options: PostmortemOptions
    public var reference: LogData
    public var logs: LogData
    public var model: TrainedModel
    public var modelTrainedHere: Bool
    public var budget: Double
    /// Calibrated scores and decisions of the model on the logs (decisions: the logged ones when the logs have them).
    public var scores: [Double]
    public var decisions: [UInt8]
    public var maturedLabels: Bool
    public var symptom: Symptom?
    /// Label-free estimates per step (CBPE expected recall, BBSE fraud prior), always computed.
    public var labelFree: [(day: Int, cbpeRecall: Double, bbsePrior: Double)]
    public var steps: [StepRecord]
    public var trace: RunTrace
    public var detectors: [DetectorReplayResult]
    public var sweepAvailable: Bool
    public var rootCause: RootCause
    public var fixes: FixEvaluation?
    /// Slices of the period after the change with the largest recall drop against before.
    public var slices: [(feature: String, level: String, before: Rate, after: Rate)]
    public var notes: [String]
    /// Wall seconds per stage (printed with --timings; never written to the files, which stay deterministic).
    public var timings: [(String, Double)] = []
}

/// Wall-clock seconds between marks; each stage's name also carries the process CPU seconds
/// (user + system, all threads) it took, since wall time on a shared machine says little.
struct StageClock {
    var last = DispatchTime.now().uptimeNanoseconds
    var lastCPU = StageClock.processCPU()
    var stages: [(String, Double)] = []
    mutating func mark(_ name: String) {
        let now = DispatchTime.now().uptimeNanoseconds, cpu = StageClock.processCPU()
        stages.append(("\(name) (cpu \(String(format: "%.2f", cpu - lastCPU)) s)", Double(now - last) / 1e9)); last = now; lastCPU = cpu
    }
    static func processCPU() -> Double {
        var u = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
}

/// `driftlab diagnose` as a library call (docs/postmortem.md).
public enum Postmortem {
    public static func run(_ o: PostmortemOptions) throws -> PostmortemResult {
        let map = try o.columns.map(ColumnMap.load) ?? ColumnMap()
        var clock = StageClock()
        let specs = try LogIngest.inferFeatures(reference: o.reference, map: map)
        let (reference, logs) = try LogIngest.readPair(reference: o.reference, logs: o.logs, map: map, specs: specs, jobs: o.jobs)
        var notes = reference.warnings + logs.warnings

        // The model: loaded, or trained on the reference as the lab trains its primary model.
        clock.mark("read")
        let model: TrainedModel
        var trainedHere = false
        var crossFit: (table: Table, training: TrainingOptions)? = nil
        if let path = o.model {
            model = try TrainedModel.load(from: path)
            // The model must find each of its features in both files (a feature absent from the logs
            // would be scored as all missing, silently).
            for f in model.featureNames {
                if !specs.contains(where: { $0.name == f }) {
                    throw PostmortemError.modelFeatureMissing(model: path, feature: f, file: o.reference, available: specs.map(\.name))
                }
                if logs.absentFeatures.contains(f) {
                    throw PostmortemError.modelFeatureMissing(model: path, feature: f, file: o.logs,
                                                              available: specs.map(\.name).filter { !logs.absentFeatures.contains($0) })
                }
            }
        } else {
            var cols = zip(reference.features.columnNames, reference.features.columns).map { ($0.0, $0.1) }
            cols.append(("__day", .numeric(reference.day.map(Double.init))))
            cols.append(("__label", .numeric(reference.label.map { $0 == 1 ? 1 : 0 })))
            var t = LabRunner.trainingOptions(o.lab.primaryModel, options: o.lab)
            t.label = "__label"; t.timeColumn = "__day"; t.excluded = ["__day"]
            if let b = o.budget { t.threshold = .alertBudget(b) }
            t.stumps.jobs = o.jobs
            let table = try Table(columns: cols)
            do { model = try Trainer.train(table, options: t, source: o.reference) } catch let e as ModelError where !e.namesFile {
                throw PostmortemError.invalid("\(o.reference): \(e)")
            }
            trainedHere = true
            crossFit = (table, t)
        }
        let budget: Double
        if let b = o.budget { budget = b } else if case .alertBudget(let b) = model.thresholdPolicy { budget = b } else { budget = 0.01 }
        guard budget > 0, budget < 1 else { throw PostmortemError.invalid("--budget must be in (0, 1); got \(budget)") }

        clock.mark("model")
        let scored = model.score(logs.features)
        let decisions = logs.decision ?? scored.decisions
        if logs.decision != nil { notes.append("decisions are the logged ones (column '\(logs.roles["decision"] ?? "decision")'); repairs rescore with the model") }
        let last = Int32(logs.lastDay)
        var known = 0
        for i in 0..<logs.rowCount where logs.knownFraud(i, asOf: last) { known += 1 }
        let matured = known >= 20
        if !matured {
            notes.append(known == 0 ? "no matured labels yet: no fraud label has arrived in the logs; figures below are label-free estimates (CBPE recall, BBSE fraud prior)"
                                    : "only \(known) fraud labels have arrived: too few to measure recall; figures below are label-free estimates (CBPE, BBSE)")
        }

        // Symptom on matured labels.
        let symptom = matured ? Symptom.measure(logs, decisions: decisions, model: model) : nil
        let change: Int? = symptom?.changePoint.flatMap { $0.isDrop ? $0.day : nil }

        // Detector replay: the lab's battery, alarm policy and diagnosis on windows of the logs.
        let prepared = try LogReference.prepare(reference, model: model, options: o.lab, chargebackWindow: o.chargebackWindowDays,
                                                crossFit: crossFit, jobs: o.jobs)
        var replay = LogReplay(log: logs, reference: prepared, options: o.lab, windowDays: o.windowDays, stepDays: o.stepDays,
                               chargebackWindow: o.chargebackWindowDays, scores: scored.calibrated, decisions: decisions)
        replay.jobs = o.jobs
        replay.sliceBits = prepared.slices.membership(logs.features)
        clock.mark("score+symptom")
        let out = try replay.run()
        clock.mark("detector replay")
        var labelFree: [(day: Int, cbpeRecall: Double, bbsePrior: Double)] = []
        for (k, s) in out.steps.enumerated() {
            let prior = out.raw[k].first { $0.id == "bbse" }?.statistic ?? .nan
            labelFree.append((s.day, s.models.first?.estimatedRecall ?? .nan, prior))
        }

        // Root cause: the diagnosis after the change, confirmed by repair replay.
        let (kind, sub, diagFeatures, votes) = RootCause.diagnose(steps: out.steps, from: change, raw: out.raw)
        // Without a significant drop: from the first window in which the diagnosis read the kind named.
        let from = change ?? out.steps.first { $0.diagnosis.kind == kind && kind != .none }.map { $0.windowStart }
            ?? logs.firstDay + (logs.lastDay - logs.firstDay) / 2
        var root = RootCause(kind: kind, subkind: sub, feature: diagFeatures.first, cause: CauseClass(kind), diagnosisVotes: votes,
                             evidence: [], repairs: [], from: from)
        var fixes: FixEvaluation?
        if matured {
            let rows = logs.rows(from: from, to: logs.lastDay)
            let bench = try RepairBench(log: logs, reference: reference, model: model, rows: rows, budget: budget, jobs: o.jobs)
            let labelMoved = out.steps.contains { s in s.day >= from && s.detectors.contains { $0.detector == "label_arrival" && $0.alarm } }
            let actions = RootCause.candidates(steps: out.steps, raw: out.raw, from: from, diagnosed: diagFeatures, labelMoved: labelMoved)
            root.repairs = try RootCause.rank(actions, bench: bench, raw: out.raw, log: logs)
            // The feature: the best-recovering repair on a feature the diagnosis names.
            if let best = root.repairs.first(where: { r in r.feature.map { diagFeatures.contains($0) } ?? false && r.recovered > 0 }) {
                root.feature = best.feature
            }
            // A schema repair (undoing a unit factor or a swap) that recovers most on a named feature is
            // stronger evidence than the battery's vote: a column divided by 100 piles its values near
            // zero, which the quality checks read as stuck.
            if root.cause == .pipelineBug, let best = root.repairs.first, best.recovered > 0, best.kind == .schemaChange,
               let f = best.feature, diagFeatures.contains(f) || f == root.feature {
                switch best.action {
                case .rescale, .rescaleAll, .swap:
                    if root.kind != .schemaChange || root.subkind != best.subkind {
                        notes.append("the battery read \(root.kind.rawValue)\(root.subkind.map { "/" + $0 } ?? ""); repairing `\(f)` by \(best.description) recovers most recall, so the root cause is \(best.kind.rawValue)/\(best.subkind ?? "")")
                    }
                    root.kind = .schemaChange; root.subkind = best.subkind; root.feature = f
                default: break
                }
            }
            var before = Rate(0, of: 0)
            if let s = symptom { before = s.changePoint.flatMap { $0.isDrop ? $0.before : nil } ?? s.daily.recall(from: logs.firstDay, to: from - 1) }
            fixes = try FixEvaluation.evaluate(log: logs, model: model, bench: bench, from: from, root: root, budget: budget, beforeRecall: before)
        } else {
            notes.append("root cause from the detector battery only: repairs cannot be replayed without matured labels")
        }
        if root.kind == .dataQuality, root.subkind == "stuck", let f = root.feature, let v = defaultFill(f, reference: reference, logs: logs, from: from) {
            root.subkind = "dropped"
            notes.append("`\(f)` is stuck at \(JSON.format(v)), the reference median: a dropped feature filled with a default, not a frozen reading")
        }
        clock.mark("repairs+fixes")
        root.evidence = evidence(root: root, steps: out.steps, diagFeatures: diagFeatures)

        // Slices: the categorical levels whose recall fell most after the change.
        let slices = symptom.map { _ in sliceAnalysis(logs, decisions: decisions, from: from) } ?? []

        // Every detector's first alarm, with the standard sweep's false-alarm rates.
        let sweep = try? JSON.parse(AtomicFile.readText(o.sweepSummary))
        var sweepRates: [String: (Double?, Double?)] = [:]
        for d in sweep?["detectors"]?.arrayValue ?? [] {
            guard let id = d["detector"]?.stringValue else { continue }
            let recalls = d["scenario"]?["recall"]?.objectValue?.filter { $0.0 != "none" }.compactMap { $0.1.doubleValue } ?? []
            sweepRates[id] = (d["false_alarms_per_30_days"]?.doubleValue, recalls.isEmpty ? nil : recalls.reduce(0, +) / Double(recalls.count))
        }
        var detectors: [DetectorReplayResult] = []
        for id in ["diagnosis"] + Battery.ids {
            var first: Int?, count = 0, kindSeen: FailureKind = .none, features: [String] = [], threshold = 0.0
            for s in out.steps {
                if id == "diagnosis" {
                    if s.diagnosis.kind != .none { count += 1; if first == nil { first = s.day; kindSeen = s.diagnosis.kind; features = s.diagnosis.features } }
                } else if let d = s.detectors.first(where: { $0.detector == id }) {
                    threshold = d.threshold
                    if d.alarm { count += 1; if first == nil { first = s.day; kindSeen = d.indicates; features = d.features } }
                }
            }
            detectors.append(DetectorReplayResult(detector: id, firstAlarm: first, kind: kindSeen, features: Array(features.prefix(3)),
                                                  threshold: threshold, alarmSteps: count, falseAlarmsPer30Days: sweepRates[id]?.0 ?? nil,
                                                  sweepRecall: sweepRates[id]?.1 ?? nil))
        }
        if sweep == nil { notes.append("the standard sweep's summary (\(o.sweepSummary)) is not available: false-alarm rates not available") }

        return PostmortemResult(options: o, reference: reference, logs: logs, model: model, modelTrainedHere: trainedHere, budget: budget,
                                scores: scored.calibrated, decisions: decisions, maturedLabels: matured, symptom: symptom, labelFree: labelFree,
                                steps: out.steps, trace: out.trace, detectors: detectors, sweepAvailable: sweep != nil, rootCause: root,
                                fixes: fixes, slices: slices, notes: notes, timings: clock.stages)
    }

    /// The value a numeric feature is stuck at after `from` when it is the reference median (a
    /// default fill: the feature was dropped upstream); nil otherwise.
    static func defaultFill(_ name: String, reference: LogData, logs: LogData, from: Int) -> Double? {
        guard case .numeric(let r)? = reference.features[name], case .numeric(let v)? = logs.features[name] else { return nil }
        var counts: [Double: Int] = [:]
        for i in logs.rows(from: from, to: logs.lastDay) where !v[i].isNaN { counts[v[i], default: 0] += 1 }
        guard let mode = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })?.key else { return nil }
        let sorted = RadixSort.sorted(r.filter { !$0.isNaN })
        guard !sorted.isEmpty else { return nil }
        let median = Descriptive.quantile(sorted: sorted, 0.5)
        let iqr = Descriptive.quantile(sorted: sorted, 0.75) - Descriptive.quantile(sorted: sorted, 0.25)
        return abs(mode - median) <= max(1e-9, 0.01 * iqr) ? mode : nil
    }

    static func evidence(root: RootCause, steps: [StepRecord], diagFeatures: [String]) -> [String] {
        var e: [String] = []
        let votes = root.diagnosisVotes.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", ")
        if !votes.isEmpty { e.append("diagnosis on the steps read (from day \(root.from)): \(votes)") }
        if let s = steps.first(where: { $0.day >= root.from && $0.diagnosis.kind == root.kind }) {
            for line in s.diagnosis.evidence.prefix(3) { e.append("day \(s.day): \(line)") }
        }
        if let top = root.repairs.first {
            e.append("repair recovering most recall: \(top.description) (+\(percent(top.recovered)) recall)")
        }
        return e
    }

    /// Recall before vs after `from` per level of each categorical feature (levels with >= 30 known
    /// frauds on both sides), largest drop first, top 8.
    static func sliceAnalysis(_ log: LogData, decisions: [UInt8], from: Int) -> [(feature: String, level: String, before: Rate, after: Rate)] {
        let t = Int32(log.lastDay)
        var out: [(feature: String, level: String, before: Rate, after: Rate)] = []
        let split = log.rows(from: log.firstDay, to: from - 1).upperBound
        for (name, col) in zip(log.features.columnNames, log.features.columns) {
            guard let c = col.categoricalValues else { continue }
            var hb = [Int](repeating: 0, count: c.levels.count), fb = hb, ha = hb, fa = hb
            for i in 0..<log.rowCount where c.codes[i] >= 0 && log.knownFraud(i, asOf: t) {
                let k = Int(c.codes[i])
                if i < split { fb[k] += 1; if decisions[i] == 1 { hb[k] += 1 } } else { fa[k] += 1; if decisions[i] == 1 { ha[k] += 1 } }
            }
            for k in 0..<c.levels.count where fb[k] >= 30 && fa[k] >= 30 {
                out.append((name, c.levels[k], Rate(hb[k], of: fb[k]), Rate(ha[k], of: fa[k])))
            }
        }
        out.sort { a, b in
            let da = a.before.value - a.after.value, db = b.before.value - b.after.value
            return da != db ? da > db : (a.feature, a.level) < (b.feature, b.level)
        }
        return Array(out.prefix(8))
    }

    static func percent(_ x: Double, decimals: Int = 1) -> String {
        guard x.isFinite else { return "n/a" }
        let p = pow(10.0, Double(decimals))
        return "\(JSON.format((x * 100 * p).rounded() / p)) %"
    }
}
