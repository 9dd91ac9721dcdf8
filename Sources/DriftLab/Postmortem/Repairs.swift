import DriftCore
import DriftDetectors
import DriftModels
import Foundation

/// One repair replayed on the logs: what it changes, the kind of failure it would undo, and the
/// recall it gives on the matured labels of the period after the change, at the alert budget.
public struct RepairResult: Sendable {
    public enum Action: Sendable, Equatable {
        /// Recalibrate the threshold to the alert budget on recent logs (nothing else changes).
        case threshold
        /// Take the feature out of the score on the rows where it looks broken (missing or the
        /// stuck/default value): its contribution replaced by its reference mean.
        case neutralise(String)
        /// Score the rows where the feature looks broken with a fallback model trained on the
        /// reference without it (calibrated probabilities of both models, one threshold).
        case fallback(String)
        /// Divide a feature by a detected round unit factor.
        case rescale(String, Double)
        /// Divide several features by their detected unit factors at once (one ingestion bug on several columns).
        case rescaleAll([String], [Double])
        /// Swap two columns back.
        case swap(String, String)
        /// Re-weight the feature's bins (or categories) to their reference shares (no rescoring).
        case reweight(String)
        /// Count only cohorts old enough for their labels to have matured.
        case waitOut(Int)
    }
    public var action: Action
    public var kind: FailureKind
    public var subkind: String?
    public var feature: String?
    public var description: String
    /// Recall at the alert budget on the matured labels after the change (point and interval).
    public var recall: Rate
    /// Recall gained over the model as it ran (same rows).
    public var recovered: Double
}

/// Replays repairs on the rows after the change-point: the model's logits are recomputed with the
/// repaired columns and thresholded at the alert budget chosen on `fit` rows (docs/postmortem.md).
struct RepairBench {
    let log: LogData
    let reference: LogData
    let model: TrainedModel
    /// Rows of the period after the change (absolute row range of the log).
    let rows: Range<Int>
    let table: Table
    let logits: [Double]
    let budget: Double
    let asOf: Int32
    /// Threads for fitting fallback and retrained models.
    let jobs: Int

    init(log: LogData, reference: LogData, model: TrainedModel, rows: Range<Int>, budget: Double, jobs: Int = 1) throws {
        self.log = log; self.reference = reference; self.model = model; self.rows = rows; self.budget = budget; self.jobs = jobs
        let idx = Array(rows)
        table = try Table(columns: log.features.columnNames.enumerated().map { ($0.element, log.features.columns[$0.offset].selecting(idx)) })
        logits = model.logits(table).0
        asOf = Int32(log.lastDay)
    }

    /// Logits with some columns replaced.
    func logits(replacing: [(String, Column)]) throws -> [Double] {
        var cols: [(String, Column)] = []
        for (name, c) in zip(table.columnNames, table.columns) { cols.append((name, replacing.first { $0.0 == name }?.1 ?? c)) }
        return model.logits(try Table(columns: cols)).0
    }

    /// The logit threshold flagging the top `budget` share of `values` (ties at it flagged too).
    static func budgetThreshold(_ values: [Double], budget: Double) -> Double {
        let finite = values.filter { $0.isFinite }
        guard !finite.isEmpty else { return .infinity }
        let sorted = RadixSort.sorted(finite)
        let k = Int((budget * Double(sorted.count)).rounded(.down))
        return k >= 1 ? sorted[sorted.count - k] : sorted[sorted.count - 1].nextUp
    }

    /// Recall and precision (known frauds alerted / alerts, a lower bound) on `local` rows (indices into `rows`).
    func metrics(_ values: [Double], threshold: Double, local: Range<Int>) -> (recall: Rate, precision: Rate) {
        var h = 0, f = 0, a = 0
        for k in local {
            let alert = values[k] >= threshold
            if alert { a += 1 }
            if log.knownFraud(rows.lowerBound + k, asOf: asOf) { f += 1; if alert { h += 1 } }
        }
        return (Rate(h, of: f), Rate(h, of: a))
    }

    /// Recall of the model as it ran (its own threshold) on `local` rows.
    func asRun(local: Range<Int>) -> (recall: Rate, precision: Rate) {
        let cut = logit(model.threshold)
        return metrics(logits, threshold: cut, local: local)
    }

    func logit(_ p: Double) -> Double { p <= 0 ? -.infinity : (p >= 1 ? .infinity : Foundation.log(p / (1 - p))) }

    /// Mean over reference rows of the model's logit change when the feature is set to its
    /// reference value `v0`: E_ref[g(x)] - g(v0) for an additive model (both of ours are).
    func referenceOffset(_ name: String, constant: Column) throws -> Double {
        let n = reference.rowCount, m = min(n, 4_000)
        let idx = (0..<m).map { $0 * n / m }
        let cols = reference.features.columnNames.enumerated().map { ($0.element, reference.features.columns[$0.offset].selecting(idx)) }
        let a = model.logits(try Table(columns: cols)).0
        let b = model.logits(try Table(columns: cols.map { $0.0 == name ? ($0.0, constantColumn(constant, count: m)) : $0 })).0
        var s = 0.0, k = 0
        for i in 0..<m where a[i].isFinite && b[i].isFinite { s += a[i] - b[i]; k += 1 }
        return k > 0 ? s / Double(k) : 0
    }

    func constantColumn(_ c: Column, count: Int) -> Column {
        switch c {
        case .numeric(let v): return .numeric([Double](repeating: v.first ?? .nan, count: count))
        case .categorical(let cc): return .categorical(CategoricalColumn(codes: [Int32](repeating: cc.codes.first ?? -1, count: count), levels: cc.levels))
        }
    }

    /// Rows (local) where `name` looks broken: missing, or equal to a value whose share is at least
    /// three times its reference share and above 20 % (a stuck or default fill). Nil: every row.
    func brokenRows(_ name: String) -> [Bool]? {
        guard let col = table[name], let ref = reference.features[name] else { return nil }
        switch (col, ref) {
        case let (.numeric(v), .numeric(r)):
            var counts: [Double: Int] = [:]
            var missing = 0
            for x in v { if x.isNaN { missing += 1 } else { counts[x, default: 0] += 1 } }
            guard let (mode, c) = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else { return v.map { _ in true } }
            let share = Double(c) / Double(max(1, v.count))
            let refShare = Double(r.reduce(0) { $0 + ($1 == mode ? 1 : 0) }) / Double(max(1, r.count))
            let stuck = share > 0.2 && share >= 3 * refShare
            let missingShare = Double(missing) / Double(max(1, v.count))
            let refMissing = Descriptive.missingRate(r)
            if !stuck && !(missingShare > 0.05 && missingShare > 3 * refMissing) { return nil }
            return v.map { $0.isNaN || (stuck && $0 == mode) }
        case let (.categorical(cc), _):
            return cc.codes.map { $0 < 0 }
        default: return nil
        }
    }

    /// The repaired logits of an action (nil for actions that do not rescore).
    func repairedLogits(_ action: RepairResult.Action) throws -> [Double]? {
        switch action {
        case .threshold: return logits
        case .neutralise(let name):
            guard let ref = reference.features[name], let col = table[name] else { return nil }
            let v0: Column
            switch ref {
            case .numeric(let r): v0 = .numeric([Descriptive.medianIgnoringNaN(r)])
            case .categorical(let c):
                var counts = [Int](repeating: 0, count: c.levels.count)
                for x in c.codes where x >= 0 { counts[Int(x)] += 1 }
                let top = counts.indices.max { counts[$0] < counts[$1] } ?? 0
                if case .categorical(let lc) = col { v0 = .categorical(CategoricalColumn(codes: [Int32(top)], levels: lc.levels)) } else { return nil }
            }
            let offset = try referenceOffset(name, constant: v0)
            let neutral = try logits(replacing: [(name, constantColumn(v0, count: table.rowCount))]).map { $0 + offset }
            guard let mask = brokenRows(name) else { return neutral }
            return (0..<logits.count).map { mask[$0] ? neutral[$0] : logits[$0] }
        case let .rescale(name, k):
            guard case .numeric(let v)? = table[name], k.isFinite, k != 0 else { return nil }
            return try logits(replacing: [(name, .numeric(v.map { $0 / k }))])
        case let .rescaleAll(names, factors):
            var replacing: [(String, Column)] = []
            for (name, k) in zip(names, factors) {
                guard case .numeric(let v)? = table[name], k.isFinite, k != 0 else { return nil }
                replacing.append((name, .numeric(v.map { $0 / k })))
            }
            return try logits(replacing: replacing)
        case let .swap(a, b):
            guard let ca = table[a], let cb = table[b], ca.isNumeric, cb.isNumeric else { return nil }
            return try logits(replacing: [(a, cb), (b, ca)])
        case .fallback(let name):
            guard let mask = brokenRows(name) else { return nil }
            let (fallback, stride) = try fallbackModel(without: name)
            let own = model.calibrator.probabilities(logits)
            // Prior correction for the thinned legitimate rows: odds / stride.
            let k = Double(stride)
            let other = fallback.calibrator.probabilities(fallback.logits(table).0).map { $0 / ($0 + (1 - $0) * k) }
            return (0..<logits.count).map { mask[$0] ? other[$0] : own[$0] }
        case .reweight, .waitOut: return nil
        }
    }

    /// Rows a fallback model is trained on at most (legitimate rows thinned by a fixed stride; every fraud kept).
    static let fallbackRows = 150_000

    /// A model of the same kind trained on the reference without `name` (Platt-calibrated, time-ordered validation).
    func fallbackModel(without name: String) throws -> (TrainedModel, Int) {
        let n = reference.rowCount
        let legit = reference.label.reduce(0) { $0 + ($1 == 1 ? 0 : 1) }
        let stride = max(1, legit / RepairBench.fallbackRows)
        var keep: [Int] = [], seen = 0
        for i in 0..<n {
            if reference.label[i] == 1 { keep.append(i) } else { if seen % stride == 0 { keep.append(i) }; seen += 1 }
        }
        var cols = reference.features.columnNames.enumerated().filter { $0.element != name }
            .map { ($0.element, reference.features.columns[$0.offset].selecting(keep)) }
        cols.append(("__day", .numeric(keep.map { Double(reference.day[$0]) })))
        cols.append(("__label", .numeric(keep.map { reference.label[$0] == 1 ? 1 : 0 })))
        var options = TrainingOptions(kind: model.kind)
        options.label = "__label"; options.timeColumn = "__day"; options.excluded = ["__day"]
        options.validationFraction = PreparedReference.validationShare; options.calibration = .platt; options.seed = 1; options.bootstrapResamples = 0
        options.stumps.jobs = jobs
        return (try Trainer.train(try Table(columns: cols), options: options), stride)
    }

    /// Recall of the model as it ran with the feature's bins re-weighted to their reference shares.
    func reweightedRecall(_ name: String) -> Rate? {
        guard let col = table[name], let ref = reference.features[name] else { return nil }
        let bins: (Column) -> [Int]
        var edges: [Double] = []
        switch ref {
        case .numeric(let r):
            let sorted = RadixSort.sorted(r.filter { !$0.isNaN })
            guard !sorted.isEmpty else { return nil }
            for q in 1..<10 { edges.append(Descriptive.quantile(sorted: sorted, Double(q) / 10)) }
            bins = { c in (c.numericValues ?? []).map { x in x.isNaN ? 10 : edges.firstIndex { x <= $0 } ?? 9 } }
        case .categorical:
            bins = { c in (c.categoricalValues?.codes ?? []).map { Int($0) + 1 } }
        }
        let lb = bins(col), rb = bins(ref)
        let size = (max(lb.max() ?? 0, rb.max() ?? 0)) + 1
        var refShare = [Double](repeating: 0, count: size), logShare = refShare, hits = refShare, frauds = refShare
        for b in rb { refShare[b] += 1 / Double(rb.count) }
        for b in lb { logShare[b] += 1 / Double(max(1, lb.count)) }
        let cut = logit(model.threshold)
        for k in 0..<lb.count where log.knownFraud(rows.lowerBound + k, asOf: asOf) {
            let w = logShare[lb[k]] > 0 ? refShare[lb[k]] / logShare[lb[k]] : 0
            frauds[lb[k]] += w; if logits[k] >= cut { hits[lb[k]] += w }
        }
        let f = frauds.reduce(0, +), h = hits.reduce(0, +)
        guard f > 0 else { return nil }
        let trials = Int(f.rounded())
        return Rate(Int((h / f * Double(trials)).rounded()), of: trials)
    }
}
