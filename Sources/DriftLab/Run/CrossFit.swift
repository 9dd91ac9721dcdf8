import DriftCore
import DriftModels

/// Cross-fitted out-of-fold scores of a reference (docs/lab.md, "The benign recall target"): the
/// reference's days cut into `folds` consecutive blocks; for each block a model of the same kind and
/// `TrainingOptions` is trained on the other blocks (the trainer holds out its own most recent 25 %
/// for early stopping, calibration and threshold, as for the deployed model) and scores the block with
/// its own calibration and threshold. Every reference row is then scored out of sample, about 4x the
/// frauds of the validation split alone, for the recall target of the label monitors.
struct OutOfFold: Sendable {
    /// Per reference row (input order): the fold model's calibrated score and alert flag (raw >= its threshold).
    let calibrated: [Double]
    let hits: [Bool]
    /// Per fold: frauds and alerted frauds of the held-out block (the fold-to-fold spread).
    let foldFrauds: [Int]
    let foldHits: [Int]

    var folds: Int { foldFrauds.count }
    /// One fold model's held-out rows with their calibrated scores and alert flags.
    struct Fold: Sendable {
        let rows: [Int]
        let calibrated: [Double]
        let hits: [Bool]
    }
    var frauds: Int { foldFrauds.reduce(0, +) }
    /// Pooled out-of-fold recall (0 without frauds).
    var recall: Double { frauds > 0 ? Double(foldHits.reduce(0, +)) / Double(frauds) : 0 }

    /// Fold of each row: consecutive blocks of days, fold k = the days with (day - first)·K/span == k.
    static func foldOf(days: [Int32], folds k: Int) -> [Int] {
        guard let lo = days.min(), let hi = days.max() else { return [] }
        let span = Int(hi) - Int(lo) + 1
        return days.map { Swift.min(k - 1, (Int($0) - Int(lo)) * k / span) }
    }

    /// Held-out frauds from which the validation split alone is a precise enough target: at 1,000
    /// its own error (±1.6 recall points at r = 0.5) is below production's in any window the monitors
    /// read, and the extra fits would only cost time (the capstone's 613 k reference rows: 20 s of CPU).
    static let enoughValidationFrauds = 1_000

    /// Cross-fits `folds` models on `table` (rows aligned with `days` and the 0/1 `labels`). Nil when
    /// cross-fitting is off (folds < 2), the validation split already holds `enoughValidationFrauds`,
    /// the reference spans fewer days than folds, or a fold cannot be trained (one class in its
    /// training part): the caller falls back to the validation split.
    /// Fold models train on `jobs` threads (deterministic: each fold is independent).
    static func fit(_ table: Table, days: [Int32], labels: [UInt8], options: TrainingOptions, folds: Int, jobs: Int) -> OutOfFold? {
        let n = table.rowCount
        guard folds >= 2, days.count == n, labels.count == n, let lo = days.min(), let hi = days.max(),
              Int(hi) - Int(lo) + 1 >= folds else { return nil }
        let heldOutFrauds = labels[PreparedReference.validationStart(rows: n)...].reduce(0) { $0 + Int($1) }
        guard heldOutFrauds < enoughValidationFrauds else { return nil }
        let fold = foldOf(days: days, folds: folds)
        let parts = try? Parallel.map(folds, jobs: jobs) { k -> Fold in
            var train: [Int] = [], held: [Int] = []
            for i in 0..<n { if fold[i] == k { held.append(i) } else { train.append(i) } }
            let model = try Trainer.train(table.selectingRows(train), options: options)
            let s = model.score(table.selectingRows(held))
            return Fold(rows: held, calibrated: s.calibrated, hits: s.raw.map { $0 >= model.threshold })
        }
        guard let parts else { return nil }
        var calibrated = [Double](repeating: .nan, count: n), hits = [Bool](repeating: false, count: n)
        var foldFrauds = [Int](repeating: 0, count: folds), foldHits = foldFrauds
        for (k, p) in parts.enumerated() {
            for (j, i) in p.rows.enumerated() {
                calibrated[i] = p.calibrated[j]; hits[i] = p.hits[j]
                if labels[i] == 1 { foldFrauds[k] += 1; if hits[i] { foldHits[k] += 1 } }
            }
        }
        return OutOfFold(calibrated: calibrated, hits: hits, foldFrauds: foldFrauds, foldHits: foldHits)
    }
}
