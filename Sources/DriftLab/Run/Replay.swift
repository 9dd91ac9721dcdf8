import DriftCore
import DriftDetectors
import DriftModels
import DriftSim

/// One production day as a monitor keeps it: the served features (what the logs hold), the ids and
/// times, each model's scores and decisions, and, for the lab's realised figures only, the truth.
struct DayRecord {
    let day: Int
    let count: Int
    let served: FeatureColumns
    /// Bit f set where feature f arrived as text (counted as a parse failure).
    let textMask: [UInt32]
    let ids: [Int64]
    let customers: [Int32]
    let seconds: [Int32]
    /// Ground truth (realised impact only; never read by a detector).
    let isFraud: [UInt8]
    /// Chargeback arrival day (`TransactionSimulator.never` when none): read only where <= t.
    let chargeback: [Int32]
    /// Per model (LabModel order): calibrated scores and decisions.
    let scores: [[Double]]
    let decisions: [[UInt8]]
    let activeKinds: UInt8
}

/// The replay state: a ring of the current window's days, the label log of the cohorts the label
/// monitors can still use (bounded by the chargeback window plus 28 days), the chargebacks pending
/// arrival, and the stream detectors fed with model errors in arrival order.
struct Replay {
    let scenario: Scenario
    let reference: PreparedReference
    let options: LabOptions
    let windowDays: Int
    /// The current window, oldest first; never more than `windowDays` days.
    private(set) var ring: [DayRecord] = []
    /// Label log of production cohorts (primary model): per day (scores, chargeback days).
    private(set) var labelLog: [(day: Int32, scores: [Double], reports: [Int32], slices: [UInt32])] = []
    let labelHistoryDays: Int
    /// Chargebacks of production frauds by arrival day: (id, the primary model's calibrated score).
    private var pending: [Int32: [(id: Int64, score: Double)]] = [:]
    var streams: StreamBattery
    /// Rows and primary-model alerts of every production day so far (BBSE's change-point scan).
    private(set) var alertDays: [AlertRateChange.Day] = []
    /// Greatest ring size seen (memory test).
    private(set) var maxRingDays = 0

    init(scenario: Scenario, reference: PreparedReference, options: LabOptions, windowDays: Int) {
        self.scenario = scenario; self.reference = reference; self.options = options; self.windowDays = windowDays
        labelHistoryDays = scenario.labelDelay.chargebackWindowDays + 28
        streams = StreamBattery(reference: reference)
    }

    /// Adds production day `b`: scores it with every model, updates the ring, the label log and
    /// feeds the stream detectors with the chargebacks arriving on that day.
    mutating func add(_ b: DayBatch) {
        let table = (try? LabRunner.featureTable([(b.served, b.count)], extra: [])) ?? Table()
        var scores: [[Double]] = [], decisions: [[UInt8]] = []
        for m in reference.models {
            let s = m.model.score(table)
            scores.append(s.calibrated); decisions.append(s.decisions)
        }
        let record = DayRecord(day: b.day, count: b.count, served: b.served, textMask: b.textMask, ids: b.transactionID,
                               customers: b.customerID, seconds: b.secondOfDay, isFraud: b.isFraud, chargeback: b.chargebackDay,
                               scores: scores, decisions: decisions, activeKinds: b.activeKinds)
        ring.append(record)
        if ring.count > windowDays { ring.removeFirst(ring.count - windowDays) }
        maxRingDays = max(maxRingDays, ring.count)

        let p = reference.models.count - 1
        alertDays.append(AlertRateChange.Day(rows: b.count, alerts: decisions[p].reduce(0) { $0 + Int($1) }))
        labelLog.append((Int32(b.day), scores[p], b.chargebackDay, reference.slices.membership(table)))
        let oldest = Int32(b.day - labelHistoryDays)
        while let first = labelLog.first, first.day < oldest { labelLog.removeFirst() }
        for i in 0..<b.count where b.chargebackDay[i] != TransactionSimulator.never {
            pending[b.chargebackDay[i], default: []].append((b.transactionID[i], scores[p][i]))
        }
        // Chargebacks arriving today, in id order.
        let today = pending.removeValue(forKey: Int32(b.day))?.sorted { $0.id < $1.id } ?? []
        streams.feed(day: b.day, scores: today.map(\.score))
    }

    /// The label log as known on day t: reference and production cohorts within the history, with
    /// every chargeback that arrives after t masked as not (yet) arrived.
    func labelledLog(asOf t: Int) -> LabelledLog {
        let oldest = Int32(t - labelHistoryDays), tt = Int32(t)
        var days: [Int32] = [], scores: [Double] = [], reports: [Int32] = [], bits: [UInt32] = []
        let ref = reference
        let sliced = !ref.slices.splits.isEmpty && ref.labelSlices.count == ref.labelDays.count
        for i in 0..<ref.labelDays.count where ref.labelDays[i] >= oldest {
            days.append(ref.labelDays[i]); scores.append(ref.labelScores[i])
            reports.append(ref.labelReports[i] <= tt ? ref.labelReports[i] : LabelledLog.never)
            if sliced { bits.append(ref.labelSlices[i]) }
        }
        for d in labelLog where d.day <= tt {
            days.append(contentsOf: [Int32](repeating: d.day, count: d.scores.count))
            scores.append(contentsOf: d.scores)
            for r in d.reports { reports.append(r <= tt ? r : LabelledLog.never) }
            // A day whose feature table could not be built has no slices: slice 0 keeps the rows aligned.
            if sliced { bits.append(contentsOf: d.slices.count == d.scores.count ? d.slices : [UInt32](repeating: 0, count: d.scores.count)) }
        }
        return LabelledLog(days: days, scores: scores, reportDays: reports, threshold: reference.primary.calibratedThreshold,
                           sliceFeatures: sliced ? ref.slices.features : [], slices: bits)
    }
}

/// DDM, EDDM, ADWIN, Page-Hinkley and CUSUM on the stream of the primary model's gross errors in
/// label-arrival order (`GrossErrorStream`, DriftDetectors; docs/detectors.md, "Stream detectors in the
/// lab"). Only the monitored period's frauds enter; the validation split's out-of-sample frauds set the
/// error cut (the training period's are scored in sample, miss rate 0.44 against 0.53). The raw
/// reading fires while a detection lies in the step's window, so one detection is one alarm under the
/// 2-step alarm policy.
typealias StreamBattery = GrossErrorStream

extension GrossErrorStream {
    /// The cut from the reference's label log: rows from `reference.validationStart` on are the
    /// out-of-sample validation split; its reported frauds' scores set it.
    init(reference: PreparedReference) {
        var scores: [Double] = []
        for i in Swift.max(0, reference.validationStart)..<reference.rows where reference.labelReports[i] != LabelledLog.never {
            scores.append(reference.labelScores[i])
        }
        self.init(validationFraudScores: scores)
    }
}
