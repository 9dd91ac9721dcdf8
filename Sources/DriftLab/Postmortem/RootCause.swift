import DriftCore
import DriftDetectors
import DriftModels
import Foundation

/// Whether the failure is in the world, in the pipeline, or in the labels.
public enum CauseClass: String, Sendable {
    case drift, pipelineBug = "pipeline_bug", labellingArtefact = "labelling_artefact", none
    init(_ kind: FailureKind) {
        switch kind {
        case .covariateShift, .priorShift, .conceptDrift: self = .drift
        case .schemaChange, .dataQuality: self = .pipelineBug
        case .labelDelay: self = .labellingArtefact
        case .none: self = .none
        }
    }
}

/// The root cause: the kind the lab's diagnosis reads on the steps after the change, the feature
/// confirmed by the repair that recovers most recall, and the ranked repairs as evidence.
public struct RootCause: Sendable {
    public var kind: FailureKind
    public var subkind: String?
    public var feature: String?
    public var cause: CauseClass
    /// Diagnosis counts per kind over the steps read (most frequent first).
    public var diagnosisVotes: [(FailureKind, Int)]
    public var evidence: [String]
    public var repairs: [RepairResult]
    /// First day of the period the diagnosis and the repairs were read on.
    public var from: Int

    /// Steps read: those whose window ends within six weeks after `from` (all steps when there is no change).
    /// When none of those names a kind, every later step is read: the label-based tests see a concept
    /// drift only once its chargebacks have arrived, often more than six weeks after the recall fell.
    static let stepsAfterChange = 42

    static func diagnose(steps: [StepRecord], from: Int?, raw: [[RawDetector]]) -> (FailureKind, String?, [String], [(FailureKind, Int)]) {
        var chosen = steps.indices.filter { k in
            guard let c = from else { return true }
            return steps[k].day >= c && steps[k].day < c + stepsAfterChange + 14
        }
        if let c = from, chosen.allSatisfy({ steps[$0].diagnosis.kind == .none }) {
            chosen = steps.indices.filter { steps[$0].day >= c }
        }
        var votes: [FailureKind: Int] = [:], sub: [FailureKind: [String: Int]] = [:], features: [FailureKind: [String: Int]] = [:]
        for k in chosen {
            let d = steps[k].diagnosis
            guard d.kind != .none else { continue }
            votes[d.kind, default: 0] += 1
            if let s = d.subkind { sub[d.kind, default: [:]][s, default: 0] += 1 }
            for (r, f) in d.features.enumerated() { features[d.kind, default: [:]][f, default: 0] += max(1, 3 - r) }
        }
        let order = FailureKind.allCases
        let ranked = votes.sorted { a, b in a.value != b.value ? a.value > b.value : (order.firstIndex(of: a.key) ?? 0) < (order.firstIndex(of: b.key) ?? 0) }
        guard let top = ranked.first, top.value >= 2 || (from != nil && top.value >= 1) else { return (.none, nil, [], ranked.map { ($0.key, $0.value) }) }
        let s = sub[top.key]?.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        let f = (features[top.key] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        return (top.key, s, f, ranked.map { ($0.key, $0.value) })
    }

    /// Candidate repairs from the detectors that alarmed after `from`: a feature named by a
    /// quality or schema signature, the diagnosis' features and the top drifting ones.
    static func candidates(steps: [StepRecord], raw: [[RawDetector]], from: Int, diagnosed: [String], labelMoved: Bool)
        -> [RepairResult.Action] {
        var actions: [RepairResult.Action] = [.threshold]
        var names: [String] = []
        func add(_ f: String) { if !names.contains(f) { names.append(f) } }
        for f in diagnosed { add(f) }
        for (k, s) in steps.enumerated() where s.day >= from {
            for d in raw[k] where d.fired {
                switch d.id {
                case "unit_scale":
                    // The aggregate names every firing feature; its factor is the top one's (one bug, one factor).
                    if let k = d.details["factor"], k.isFinite, k > 0 {
                        for f in d.features where !actions.contains(.rescale(f, k)) { actions.append(.rescale(f, k)) }
                    }
                case "column_swap":
                    if d.features.count >= 2, !actions.contains(.swap(d.features[0], d.features[1])) { actions.append(.swap(d.features[0], d.features[1])) }
                case "missing_rate", "stuck_value", "variance_collapse", "range", "unseen_categories", "category_permutation", "boolean_flip", "timezone":
                    for f in d.features { add(f) }
                default: break
                }
            }
        }
        // One ingestion bug often rescales several columns: undo every detected unit factor together too.
        let rescales = actions.compactMap { a -> (String, Double)? in if case let .rescale(f, k) = a { return (f, k) }; return nil }
        if rescales.count >= 2 { actions.append(.rescaleAll(rescales.map(\.0), rescales.map(\.1))) }
        // The most drifting important features (PSI x importance) at the first step after `from`.
        if let k = steps.firstIndex(where: { $0.day >= from }), let psi = raw[k].first(where: { $0.id == "psi" }) {
            for (f, _) in psi.perFeature.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }).prefix(3) { add(f) }
        }
        for f in names.prefix(6) { actions.append(.neutralise(f)); actions.append(.reweight(f)) }
        if labelMoved { actions.append(.waitOut(60)) }
        return actions
    }

    /// The kind a repair would undo, given what the battery said about its feature.
    static func kindOf(_ a: RepairResult.Action, raw: [[RawDetector]]) -> (FailureKind, String?) {
        func signature(_ f: String) -> (FailureKind, String?) {
            for step in raw { for d in step where d.fired && d.features.contains(f) {
                if let q = Diagnosis.quality.first(where: { $0.0 == d.id }) { return (.dataQuality, d.subkind ?? q.1) }
                if let s = Diagnosis.schema.first(where: { $0.0 == d.id }) { return (.schemaChange, s.1) }
            } }
            return (.covariateShift, "feature_shift")
        }
        switch a {
        case .threshold: return (.priorShift, nil)
        case .neutralise(let f), .fallback(let f): return signature(f)
        case .rescale, .rescaleAll: return (.schemaChange, "unit_scale")
        case .swap: return (.schemaChange, "column_swap")
        case .reweight: return (.covariateShift, "segment_mix")
        case .waitOut: return (.labelDelay, nil)
        }
    }

    static func describe(_ a: RepairResult.Action) -> (String?, String) {
        switch a {
        case .threshold: return (nil, "recalibrate the threshold to the alert budget on recent logs")
        case .neutralise(let f): return (f, "take `\(f)` out of the score where it looks broken (its contribution set to the reference mean)")
        case .fallback(let f): return (f, "score the rows where `\(f)` looks broken with a fallback model trained on the reference without it")
        case let .rescale(f, k): return (f, "undo a unit factor: `\(f)` / \(JSON.format(k))")
        case let .rescaleAll(fs, ks):
            return (fs.first, "undo unit factors: " + zip(fs, ks).map { "`\($0)` / \(JSON.format($1))" }.joined(separator: ", "))
        case let .swap(a, b): return (a, "swap `\(a)` and `\(b)` back")
        case .reweight(let f): return (f, "re-weight `\(f)` to its reference mix")
        case .waitOut(let d): return (nil, "wait out the label delay: count only cohorts at least \(d) days old")
        }
    }

    /// Replays every candidate on the rows after `from` and ranks them by recall recovered.
    static func rank(_ actions: [RepairResult.Action], bench: RepairBench, raw: [[RawDetector]], log: LogData) throws -> [RepairResult] {
        let all = 0..<bench.rows.count
        let base = bench.asRun(local: all).recall
        var out: [RepairResult] = []
        for a in actions {
            let recall: Rate?
            switch a {
            case .reweight(let f): recall = bench.reweightedRecall(f)
            case .waitOut(let age):
                let cutDay = log.lastDay - age
                let local = 0..<max(0, log.rows(from: log.firstDay, to: cutDay).upperBound - bench.rows.lowerBound)
                recall = local.isEmpty ? nil : bench.asRun(local: local).recall
            default:
                guard let v = try bench.repairedLogits(a) else { recall = nil; break }
                recall = bench.metrics(v, threshold: RepairBench.budgetThreshold(v, budget: bench.budget), local: all).recall
            }
            guard let r = recall, r.trials > 0 else { continue }
            let (kind, sub) = kindOf(a, raw: raw)
            let (feature, text) = describe(a)
            out.append(RepairResult(action: a, kind: kind, subkind: sub, feature: feature, description: text, recall: r,
                                    recovered: r.value - base.value))
        }
        return out.sorted { ($0.recovered, $1.description) > ($1.recovered, $0.description) }
    }
}
