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
    private(set) var labelLog: [(day: Int32, scores: [Double], reports: [Int32])] = []
    let labelHistoryDays: Int
    /// Chargebacks of production frauds by arrival day: (id, missed by the primary model).
    private var pending: [Int32: [(id: Int64, missed: Bool)]] = [:]
    private var referencePendingIndex = 0
    var streams = StreamBattery()
    /// Rows and primary-model alerts of every production day so far (BBSE's change-point scan).
    private(set) var alertDays: [AlertRateChange.Day] = []
    /// Greatest ring size seen (memory test).
    private(set) var maxRingDays = 0

    init(scenario: Scenario, reference: PreparedReference, options: LabOptions, windowDays: Int) {
        self.scenario = scenario; self.reference = reference; self.options = options; self.windowDays = windowDays
        labelHistoryDays = scenario.labelDelay.chargebackWindowDays + 28
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
        labelLog.append((Int32(b.day), scores[p], b.chargebackDay))
        let oldest = Int32(b.day - labelHistoryDays)
        while let first = labelLog.first, first.day < oldest { labelLog.removeFirst() }
        for i in 0..<b.count where b.chargebackDay[i] != TransactionSimulator.never {
            pending[b.chargebackDay[i], default: []].append((b.transactionID[i], decisions[p][i] == 0))
        }
        // Chargebacks arriving today, in id order: reference frauds first (older ids), then production.
        let t = Int32(b.day)
        var arrivals: [(id: Int64, missed: Bool)] = []
        let refPending = reference.pendingArrivals
        while referencePendingIndex < refPending.count, refPending[referencePendingIndex].day <= t {
            if refPending[referencePendingIndex].day == t { arrivals.append((refPending[referencePendingIndex].id, refPending[referencePendingIndex].missed)) }
            referencePendingIndex += 1
        }
        if let today = pending.removeValue(forKey: t) { arrivals.append(contentsOf: today.sorted { $0.id < $1.id }) }
        streams.feed(arrivals.map { $0.missed ? 1.0 : 0.0 })
    }

    /// The label log as known on day t: reference and production cohorts within the history, with
    /// every chargeback that arrives after t masked as not (yet) arrived.
    func labelledLog(asOf t: Int) -> LabelledLog {
        let oldest = Int32(t - labelHistoryDays), tt = Int32(t)
        var days: [Int32] = [], scores: [Double] = [], reports: [Int32] = []
        let ref = reference
        for i in 0..<ref.labelDays.count where ref.labelDays[i] >= oldest {
            days.append(ref.labelDays[i]); scores.append(ref.labelScores[i])
            reports.append(ref.labelReports[i] <= tt ? ref.labelReports[i] : LabelledLog.never)
        }
        for d in labelLog where d.day <= tt {
            days.append(contentsOf: [Int32](repeating: d.day, count: d.scores.count))
            scores.append(contentsOf: d.scores)
            for r in d.reports { reports.append(r <= tt ? r : LabelledLog.never) }
        }
        return LabelledLog(days: days, scores: scores, reportDays: reports, threshold: reference.primary.calibratedThreshold)
    }
}

/// DDM, EDDM, ADWIN, Page-Hinkley and CUSUM on the stream of model errors in label-arrival order
/// (a chargeback the primary model missed = 1, one it alerted on = 0). Legitimate labels are only
/// known once the chargeback window closes, so on a production horizon the stream is the miss stream.
struct StreamBattery {
    var ddm = DDM(), eddm = EDDM(), adwin = ADWIN(), pageHinkley = PageHinkley(), cusum = CUSUM()
    /// Detections since the last step, per detector (ids in `StreamBattery.ids` order).
    var fired = [Bool](repeating: false, count: 5)
    var seen = 0
    static let ids = ["ddm", "eddm", "adwin", "page_hinkley", "cusum"]

    mutating func feed(_ errors: [Double]) {
        for x in errors {
            seen += 1
            ddm.update(x); if ddm.driftDetected { fired[0] = true }
            eddm.update(x); if eddm.driftDetected { fired[1] = true }
            adwin.update(x); if adwin.driftDetected { fired[2] = true }
            pageHinkley.update(x); if pageHinkley.driftDetected { fired[3] = true }
            cusum.update(x); if cusum.driftDetected { fired[4] = true }
        }
    }

    /// The detections since the last call, then cleared.
    mutating func take() -> [Bool] {
        defer { fired = [Bool](repeating: false, count: 5) }
        return fired
    }
}
