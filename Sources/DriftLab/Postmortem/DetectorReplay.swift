import DriftCore
import DriftDetectors
import DriftModels
import DriftSim
import Foundation

/// The lab's reference fitted from the user's reference file and model instead of the simulator
/// (a thin adapter: the same `PreparedReference`, `LabModel`, drift baseline and quality monitor
/// the lab's battery reads; docs/postmortem.md, "Detector replay").
enum LogReference {
    /// The prepared reference: the lab's `LabModel` fitted on the user's reference rows (time order,
    /// the last `PreparedReference.validationShare` held out, as the trainer held them out). With
    /// `crossFit` (the model was trained here, on that table with those options) the recall target is
    /// cross-fitted out of fold as in the lab (`OutOfFold`); a loaded model's training cannot be
    /// repeated, so its target stays on the validation split. The fold models train on `jobs` threads.
    static func prepare(_ reference: LogData, model: TrainedModel, options: LabOptions, chargebackWindow: Int,
                        crossFit: (table: Table, training: TrainingOptions)? = nil, jobs: Int = 1) throws -> PreparedReference {
        let n = reference.rowCount
        let scored = model.score(reference.features)
        let labels: [UInt8] = reference.label.map { $0 == 1 ? 1 : 0 }
        let from = PreparedReference.validationStart(rows: n)
        let allFrauds = labels.reduce(0) { $0 + Int($1) }
        // Only frauds have a report day (a legitimate row's "arrival" is the window closing).
        let reports = (0..<n).map { reference.label[$0] == 1 ? reference.arrival[$0] : LabelledLog.never }
        let oof = crossFit.flatMap {
            OutOfFold.fit($0.table, days: reference.day, labels: labels, options: $0.training, folds: options.crossFitFolds, jobs: jobs)
        }
        let (slices, sliceBits) = FeatureSlices.reference(reference.features, reports: reports)
        let lab = LabModel(name: model.kind.rawValue, model: model, calibrated: scored.calibrated, labels: labels,
                           days: reference.day, reports: reports, validationStart: from, chargebackWindow: chargebackWindow,
                           outOfFold: oof, slices: (slices.features, sliceBits))
        var importance: [String: Double] = [:]
        for (name, w) in zip(model.featureNames, model.featureImportance) { importance[name] = w }
        var drift = options.drift
        drift.importance = importance
        let baseline = DriftBaseline(reference: reference.features, configuration: drift)
        let quality = try QualityMonitor(reference: reference.features, roles: roles(reference.features), configuration: options.quality)
        var prepared = PreparedReference(baseHash: "logs", models: [lab], drift: baseline, quality: quality, importance: importance,
                                         staleness: [:], counterOffset: [:], labelDays: reference.day, labelScores: scored.calibrated,
                                         labelReports: reports, validationStart: from, rows: n, frauds: allFrauds, world: nil)
        prepared.slices = slices
        prepared.labelSlices = sliceBits
        // Fraud bursts over-disperse fraud and alert counts (CountDispersion). Logs carry no customer
        // column to cluster by, so the daily quasi-Poisson φ stands in for the lab's design effect.
        let alerts = scored.decisions.map { $0 != 0 }
        prepared.fraudDispersion = CountDispersion.daily(days: reference.day, events: labels.map { $0 == 1 })
        prepared.dispersion = max(prepared.fraudDispersion, CountDispersion.daily(days: reference.day, events: alerts))
        return prepared
    }

    /// Monitor roles: the lab's for the simulator's feature names when the column has the type the
    /// lab gives it (a user's `channel` coded 0/1/2 is numeric), otherwise boolean for 0/1 columns,
    /// hour of day for `hour`, numeric or categorical by type.
    static func roles(_ table: Table) -> [String: MonitoredRole] {
        var out: [String: MonitoredRole] = [:]
        for (name, column) in zip(table.columnNames, table.columns) {
            if let r = LabRunner.monitoredRoles[name], (r == .categorical) == !column.isNumeric { out[name] = r; continue }
            switch column {
            case .categorical: out[name] = .categorical
            case .numeric(let v):
                var binary = true, any = false
                for x in v where !x.isNaN { any = true; if x != 0 && x != 1 { binary = false; break } }
                out[name] = name == "hour" ? .hourOfDay : (binary && any ? .boolean : .numeric)
            }
        }
        return out
    }
}

/// The detector battery replayed over the user's logs: the lab's detectors, alarm policy and
/// diagnosis, on windows of `windowDays` days every `stepDays` days, each step seeing only the
/// rows of its window and the labels arrived by its last day. Stale counters and definition skew
/// need customer ids and times the logs do not carry, so they do not fire here.
struct LogReplay {
    let log: LogData
    let reference: PreparedReference
    let options: LabOptions
    let windowDays: Int
    let stepDays: Int
    let chargebackWindow: Int
    /// The primary model's calibrated scores and decisions on the logs.
    let scores: [Double]
    let decisions: [UInt8]
    /// Each log row's feature slices (`PreparedReference.slices`), for the slice calibration check.
    var sliceBits: [UInt32] = []

    struct Output {
        var steps: [StepRecord] = []
        /// Each step's raw readings (the repairs read their details: scale factor, swapped partner).
        var raw: [[RawDetector]] = []
        var trace = RunTrace()
    }

    /// Threads for the steps (each step's battery is independent; the alarm policy runs in order after).
    var jobs = 1

    func run() throws -> Output {
        var scenario = Scenario(name: "logs", seed: 0)
        scenario.labelDelay.chargebackWindowDays = chargebackWindow
        // The log's chargebacks in arrival order.
        var logArrivals: [(day: Int32, id: Int64, score: Double)] = []
        for i in 0..<log.rowCount where log.label[i] == 1 && log.arrival[i] != LabelledLog.never {
            logArrivals.append((log.arrival[i], Int64(bitPattern: log.ids?[i] ?? UInt64(i)), scores[i]))
        }
        logArrivals.sort { ($0.day, $0.id) < ($1.day, $1.id) }
        // The stream detectors in day order, on the log's own frauds.
        var streams = StreamBattery(reference: reference)
        var next = 0
        while next < logArrivals.count, logArrivals[next].day < Int32(log.firstDay) { next += 1 }
        var stepDays: [(day: Int, fired: [Bool], seen: Int)] = []
        for t in log.firstDay...log.lastDay {
            var today: [Double] = []
            while next < logArrivals.count, logArrivals[next].day == Int32(t) { today.append(logArrivals[next].score); next += 1 }
            streams.feed(day: t, scores: today)
            let elapsed = t - log.firstDay + 1 - windowDays
            guard elapsed >= 0, elapsed % self.stepDays == 0 else { continue }
            stepDays.append((t, streams.fired(asOf: t, windowDays: windowDays), streams.seen))
        }
        let this = self, steps = stepDays, base = scenario
        let readings = try Parallel.map(steps.count, jobs: jobs) { k in
            let replay = Replay(scenario: base, reference: this.reference, options: this.options, windowDays: this.windowDays)
            return try this.battery(asOf: steps[k].day, replay: replay, fired: steps[k].fired, errorsSeen: steps[k].seen)
        }
        var policy = AlarmState(policy: options.alarms)
        var out = Output()
        out.trace.features = log.features.columnNames
        for (k, reading) in readings.enumerated() {
            let t = stepDays[k].day
            out.steps.append(policy.record(reading, day: t, windowStart: t - windowDays + 1))
            out.trace.append(reading, day: t)
            out.raw.append(reading.detectors)
        }
        return out
    }

    /// The label log as known on day t (reference and log cohorts within the label history),
    /// every report after t masked as not arrived.
    func labelledLog(asOf t: Int) -> LabelledLog {
        let oldest = Int32(t - chargebackWindow - 28), tt = Int32(t)
        var days: [Int32] = [], s: [Double] = [], reports: [Int32] = [], bits: [UInt32] = []
        let sliced = reference.labelSlices.count == reference.labelDays.count && sliceBits.count == log.rowCount
            && !reference.slices.splits.isEmpty
        for i in 0..<reference.labelDays.count where reference.labelDays[i] >= oldest && reference.labelDays[i] <= tt {
            days.append(reference.labelDays[i]); s.append(reference.labelScores[i])
            reports.append(reference.labelReports[i] <= tt ? reference.labelReports[i] : LabelledLog.never)
            if sliced { bits.append(reference.labelSlices[i]) }
        }
        for i in log.rows(from: Int(oldest), to: t) {
            days.append(log.day[i]); s.append(scores[i])
            reports.append(log.label[i] == 1 && log.arrival[i] <= tt ? log.arrival[i] : LabelledLog.never)
            if sliced { bits.append(sliceBits[i]) }
        }
        return LabelledLog(days: days, scores: s, reportDays: reports, threshold: reference.primary.calibratedThreshold,
                           sliceFeatures: sliced ? reference.slices.features : [], slices: bits)
    }

    /// One step of the battery (the same detectors, ids and aggregation as `Replay.battery`).
    func battery(asOf t: Int, replay: Replay, fired: [Bool], errorsSeen: Int) throws -> Reading {
        let range = log.rows(from: t - windowDays + 1, to: t)
        let rows = Array(range)
        let window = try Table(columns: log.features.columnNames.enumerated().map { ($0.element, log.features.columns[$0.offset].selecting(rows)) })
        var results: [RawDetector] = []
        var drift = options.drift
        drift.importance = reference.importance
        let report = try reference.drift.compare(window, configuration: drift)
        results += Battery.driftReadings(report, psiAlarm: options.drift.psiAlarm)
        let ids = log.ids.map { Array($0[range]) }
        let quality = try reference.quality.check(window: window, unparseable: [:], ids: ids)
        results += Battery.monitorReadings(quality)
        // Model outputs (primary model), as the lab's battery reads them: fraud and alert counts are
        // over-dispersed, so every count test divides its z by the reference's √φ (CountDispersion).
        var outputs = options.outputs
        outputs.dispersion = reference.dispersion
        let primary = reference.primary
        let windowScores = Array(scores[range])
        let cut = primary.calibratedThreshold
        let alerts = windowScores.reduce(0) { $0 + ($1 >= cut ? 1 : 0) }
        results += Battery.scoreReadings(primary, windowScores: windowScores, configuration: outputs)
        results.append(Battery.reading(primary.shiftEstimator.check(windowPredictedPositive: alerts, windowCount: windowScores.count, configuration: outputs)))
        let estimate = ConfidenceBasedPerformance.estimate(scores: windowScores, threshold: cut)
        results.append(Battery.reading(ConfidenceBasedPerformance.check(reference: primary.expected, window: estimate, configuration: outputs)))

        results += replay.labelReadings(log: labelledLog(asOf: t), asOf: t, firstCohort: log.firstDay)
        for (k, id) in StreamBattery.ids.enumerated() {
            results.append(RawDetector(id: id, fired: fired[k], indicates: .conceptDrift, subkind: nil, features: [],
                                       statistic: fired[k] ? 1 : 0, pValue: nil, threshold: 1, details: ["errors_seen": Double(errorsSeen)]))
        }
        // Impact: measured on labels arrived by t, estimated without labels; no truth in user logs.
        let tt = Int32(t)
        var hits = 0, frauds = 0
        for i in range where log.knownFraud(i, asOf: tt) { frauds += 1; if decisions[i] == 1 { hits += 1 } }
        let n = max(1, range.count)
        let measuredRecall = frauds > 0 ? Double(hits) / Double(frauds) : 0
        let measuredPrecision = alerts > 0 ? Double(hits) / Double(alerts) : 0
        let impact = ModelImpact(model: primary.name, alertRate: Double(alerts) / Double(n), realisedRecall: measuredRecall,
                                 realisedPrecision: measuredPrecision, measuredRecall: measuredRecall, measuredPrecision: measuredPrecision,
                                 estimatedRecall: estimate.expectedRecall, estimatedPrecision: estimate.expectedPrecision)
        return Reading(detectors: results, drift: report, impact: [impact], truth: [.none],
                       dispersion: reference.dispersion, fraudDispersion: reference.fraudDispersion)
    }
}
