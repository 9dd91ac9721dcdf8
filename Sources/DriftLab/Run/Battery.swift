import DriftCore
import DriftDetectors
import DriftModels
import DriftSim

/// One detector's raw reading at one step (before the alarm policy), aggregated over features:
/// it fires when any feature's rule fires; features are the firing ones, strongest first.
struct RawDetector {
    var id: String
    var fired: Bool
    var indicates: FailureKind
    var subkind: String?
    var features: [String]
    var statistic: Double
    var pValue: Double?
    var threshold: Double
    var details: [String: Double]
    /// Statistic of each firing feature (aggregated detectors).
    var perFeature: [String: Double] = [:]
}

/// Everything the battery saw at one step: raw detectors (stable order), the drift report, the
/// models' impact and the window's ground truth (kept apart: the diagnosis never reads it).
struct Reading {
    var detectors: [RawDetector]
    var drift: DriftReport
    var impact: [ModelImpact]
    var truth: [FailureKind]
    /// Design effects on the reference (`CountDispersion`): alerts and frauds, frauds alone.
    var dispersion: Double = 1
    var fraudDispersion: Double = 1

    func detector(_ id: String) -> RawDetector? { detectors.first { $0.id == id } }
    func fired(_ id: String) -> Bool { detector(id)?.fired ?? false }
}

/// The lab's detector battery (docs/lab.md, "The battery").
enum Battery {
    /// Stable detector ids in the order they appear in a step record.
    static let ids: [String] = [
        "ks", "chi2", "psi",
    ] + monitors.map(\.id) + [
        "prediction_drift", "alert_rate", "bbse", "cbpe",
        "label_arrival", "label_arrival_cohorts", "matured_fraud_rate", "calibration", "concept_recall_gap", "concept_drift",
        "score_band_calibration", "slice_calibration",
    ] + StreamBattery.ids

    /// Data-quality and schema monitors in step-record order, with the kind each one's alarm points to.
    static let monitors: [(id: String, indicates: FailureKind)] =
        ["missing_rate", "stuck_value", "variance_collapse", "range", "duplicates", "stale_counter"].map { ($0, .dataQuality) } +
        ["parse_failures", "unseen_categories", "category_permutation", "unit_scale", "column_swap", "timezone",
         "boolean_flip", "definition_skew"].map { ($0, .schemaChange) }

    /// The per-feature drift report as the `ks`, `chi2` and `psi` readings (PSI as an effect size at `psiAlarm`).
    static func driftReadings(_ report: DriftReport, psiAlarm: Double) -> [RawDetector] {
        let psi = report.features.map { f in
            DetectorResult(detector: "psi", features: [f.feature], statistic: f.populationStabilityIndex, threshold: psiAlarm,
                           alarm: f.populationStabilityIndex >= psiAlarm, indicates: .covariateShift)
        }
        return [aggregate("ks", report.results.filter { $0.detector == "ks" }, indicates: .covariateShift),
                aggregate("chi2", report.results.filter { $0.detector == "chi2" }, indicates: .covariateShift),
                aggregate("psi", psi, indicates: .covariateShift)]
    }

    /// The data-quality and schema monitors' results as one reading per monitor id.
    static func monitorReadings(_ results: [DetectorResult]) -> [RawDetector] {
        monitors.map { m in aggregate(m.id, results.filter { $0.detector == m.id }, indicates: m.indicates) }
    }

    /// Monitor-library ids renamed to the lab's ids.
    static let rename: [String: String] = ["score_psi": "prediction_drift", "bbse_prior": "bbse", "cbpe_recall": "cbpe",
                                           "concept_recall_gap": "concept_recall_gap"]

    /// A monitor library's result as the lab reads it: under the lab's id (`rename`), pointing at a
    /// failure kind only when it fired.
    static func reading(_ r: DetectorResult) -> RawDetector {
        let id = rename[r.detector] ?? r.detector
        return RawDetector(id: id, fired: r.alarm, indicates: r.alarm ? r.indicates : .none, subkind: r.subkind, features: r.features,
                           statistic: r.statistic, pValue: r.pValue, threshold: r.threshold, details: r.details)
    }

    /// Prediction drift and alert rate of the primary model's scores on a window (the lab's battery and
    /// the postmortem's replay alike); the drift reading carries the diagnosis' class-mixture inputs:
    /// the effective sample size 1 / (1/n_window + 1/n_reference) and the bins' degrees of freedom.
    static func scoreReadings(_ primary: LabModel, windowScores: [Double], configuration outputs: OutputConfiguration) -> [RawDetector] {
        var scoreDrift = reading(OutputMonitors.predictionDrift(reference: primary.scores, windowScores: windowScores, configuration: outputs))
        scoreDrift.details["n_eff"] = 1 / (1 / Double(max(1, windowScores.count)) + 1 / Double(max(1, primary.scores.count)))
        scoreDrift.details["bins"] = Double(primary.scores.binCounts.count)
        return [scoreDrift, reading(OutputMonitors.alertRate(reference: primary.scores, windowScores: windowScores, configuration: outputs))]
    }

    /// Aggregates per-feature results of one detector id into one raw reading.
    static func aggregate(_ id: String, _ results: [DetectorResult], indicates fallback: FailureKind) -> RawDetector {
        let firing = results.filter(\.alarm).sorted { ($0.statistic, $1.features.first ?? "") > ($1.statistic, $0.features.first ?? "") }
        let strongest = firing.first ?? results.filter { !$0.statistic.isNaN }.max { $0.statistic < $1.statistic }
        var features: [String] = []
        for r in firing { for f in r.features where !features.contains(f) { features.append(f) } }
        var perFeature: [String: Double] = [:]
        for r in firing { for f in r.features where perFeature[f] == nil { perFeature[f] = r.statistic } }
        return RawDetector(id: id, fired: !firing.isEmpty, indicates: firing.first?.indicates ?? fallback,
                           subkind: firing.first?.subkind, features: features,
                           statistic: strongest?.statistic ?? 0, pValue: results.compactMap(\.pValue).min(),
                           threshold: strongest?.threshold ?? 0, details: strongest?.details ?? [:], perFeature: perFeature)
    }

    /// Stale-counter consistency and the counters' served-minus-derived modal offsets on reference days.
    static func velocityReference(_ days: [DayBatch]) -> ([Int: VelocityStaleness.Consistency], [Int: Double]) {
        var customers: [UInt64] = [], times: [Double] = []
        for b in days {
            customers.append(contentsOf: b.customerID.map { UInt64(UInt32(bitPattern: $0)) })
            for s in b.secondOfDay { times.append(Double(b.day) * 24 + Double(s) / 3600) }
        }
        var consistency: [Int: VelocityStaleness.Consistency] = [:], offsets: [Int: Double] = [:]
        for (f, horizon) in counters {
            let served = days.flatMap { $0.served.numeric[f] }
            consistency[f] = VelocityStaleness.consistency(customers: customers, times: times, served: served, horizon: horizon)
            let derived = VelocityStaleness.derivedCounts(customers: customers, times: times, horizon: horizon)
            var histogram: [Int: Int] = [:]
            for i in 0..<min(served.count, derived.count) where derived[i] >= 0 && served[i].isFinite {
                histogram[Int((served[i] - Double(derived[i])).rounded()), default: 0] += 1
            }
            offsets[f] = Double(histogram.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key ?? 0)
        }
        return (consistency, offsets)
    }

    /// Cohorts of the young-cohort concept check: ages conceptMinimumAge ... conceptLookback days.
    static let conceptLookback = 56, conceptMinimumAge = 7
    /// Grid of candidate change days of the BBSE alert-rate scan (`AlertRateChange`).
    static let priorScanStepDays = 7

    /// Velocity counters checked for staleness and definition skew: (feature, declared horizon in hours).
    static let counters: [(Int, Double)] = [(FeatureSchema.count1h, 1), (FeatureSchema.count24h, 24)]
}

extension Replay {
    /// Runs the battery on the window ending on day t (the ring) and the labels arrived by t.
    mutating func battery(asOf t: Int) throws -> Reading {
        let days = ring
        let window = try LabRunner.featureTable(days.map { ($0.served, $0.count) }, extra: [])
        var results: [RawDetector] = []
        // Each numeric column sorted once, for the drift tests and the quality checks.
        var samples: [String: NumericSample] = [:]
        for (name, column) in zip(window.columnNames, window.columns) {
            if case .numeric(let v) = column { samples[name] = NumericSample(v) }
        }

        // Per-feature drift tests (KS / chi-squared with BH and the effect floor), PSI as an effect size.
        var drift = options.drift
        drift.importance = reference.importance
        let report = try reference.drift.compare(window, configuration: drift, samples: samples)
        results += Battery.driftReadings(report, psiAlarm: options.drift.psiAlarm)

        // Data quality and schema.
        var unparseable: [String: Int] = [:]
        for f in 0..<FeatureSchema.count where !FeatureSchema.isCategorical[f] {
            var k = 0
            for d in days { for m in d.textMask where m & (1 << UInt32(f)) != 0 { k += 1 } }
            if k > 0 { unparseable[FeatureSchema.names[f]] = k }
        }
        let ids = days.flatMap { $0.ids.map { UInt64(bitPattern: $0) } }
        let quality = try reference.quality.check(window: window, unparseable: unparseable, ids: ids, samples: samples)
        var customers: [UInt64] = [], times: [Double] = []
        for d in days {
            customers.append(contentsOf: d.customers.map { UInt64(UInt32(bitPattern: $0)) })
            for s in d.seconds { times.append(Double(d.day) * 24 + Double(s) / 3600) }
        }
        var velocity: [DetectorResult] = []
        // The log-derived counts of every horizon the checks use, from one ordering of the window's log.
        var horizons: [Double] = []
        for (_, h) in Battery.counters { for x in [h, h == 1 ? 24 : 1] where !horizons.contains(x) { horizons.append(x) } }
        let derived = VelocityStaleness.derivedCounts(customers: customers, times: times, horizons: horizons)
        func counts(_ h: Double) -> [Int] { derived[horizons.firstIndex(of: h) ?? 0] }
        for (f, horizon) in Battery.counters {
            let served = days.flatMap { $0.served.numeric[f] }
            let name = FeatureSchema.names[f]
            let alternative: Double = horizon == 1 ? 24 : 1
            if let r = reference.staleness[f] {
                let w = VelocityStaleness.consistency(derived: counts(horizon), served: served)
                velocity.append(VelocityStaleness.consistencyCheck(feature: name, reference: r, window: w, configuration: options.quality.quality))
            }
            velocity.append(VelocityStaleness.definitionSkew(feature: name, declared: counts(horizon), other: counts(alternative),
                                                             served: served, alternative: alternative,
                                                             offset: reference.counterOffset[f] ?? 0))
        }
        results += Battery.monitorReadings(quality + velocity)

        // Model outputs (primary model). Fraud and alert counts are over-dispersed (CountDispersion).
        var outputs = options.outputs
        outputs.dispersion = reference.dispersion
        let p = reference.models.count - 1
        let primary = reference.primary
        let scores = days.flatMap { $0.scores[p] }
        let cut = primary.calibratedThreshold
        let alerts = scores.reduce(0) { $0 + ($1 >= cut ? 1 : 0) }
        results += Battery.scoreReadings(primary, windowScores: scores, configuration: outputs)
        // BBSE over a change-point of the alert rate (production's own earlier days are a reference
        // too); the window's own estimate against the split is kept for the diagnosis' nearest-
        // prediction readings (`window_prior`): the scan's estimate is the most extreme split's.
        let windowBBSE = primary.shiftEstimator.check(windowPredictedPositive: alerts, windowCount: scores.count, configuration: outputs)
        var bbse = Battery.reading(primary.shiftEstimator.checkChange(days: alertDays, minimumRecentDays: windowDays, minimumBaselineDays: windowDays,
                                                            stepDays: Battery.priorScanStepDays, configuration: outputs))
        bbse.details["window_prior"] = windowBBSE.statistic
        bbse.details["window_defined"] = windowBBSE.details["defined"] ?? 0
        results.append(bbse)
        let estimate = ConfidenceBasedPerformance.estimate(scores: scores, threshold: cut)
        results.append(Battery.reading(ConfidenceBasedPerformance.check(reference: primary.expected, window: estimate, configuration: outputs)))

        results += labelReadings(log: labelledLog(asOf: t), asOf: t)

        // Stream detectors on the error stream.
        let fired = streams.fired(asOf: t, windowDays: windowDays)
        for (k, id) in StreamBattery.ids.enumerated() {
            results.append(RawDetector(id: id, fired: fired[k], indicates: .conceptDrift, subkind: nil, features: [],
                                       statistic: fired[k] ? 1 : 0, pValue: nil, threshold: 1,
                                       details: ["errors_seen": Double(streams.seen), "errors": Double(streams.errors)]))
        }

        var truthMask: UInt8 = 0
        for d in days { truthMask |= d.activeKinds }
        let truth = DayBatch.kinds(truthMask)
        return Reading(detectors: results, drift: report, impact: impact(asOf: t), truth: truth.isEmpty ? [.none] : truth,
                       dispersion: reference.dispersion, fraudDispersion: reference.fraudDispersion)
    }

    /// The label monitors on the labels arrived by t, in step-record order (the lab's battery and the
    /// postmortem's replay read the same): cohort latency and coverage, the window's arrivals against
    /// the arrival curve, the matured fraud rate, calibration and the recall gap against the model's
    /// out-of-sample reference rows (`LabModel.heldOutLabels`: cross-fitted out of fold, or the
    /// validation split; the monitors add those rows' own sampling error), and the young-cohort
    /// concept check. Counts of frauds are over-dispersed (CountDispersion).
    func labelReadings(log: LabelledLog, asOf t: Int, firstCohort: Int = 0) -> [RawDetector] {
        var labels = options.labels
        labels.dispersion = reference.fraudDispersion
        labels.recallDispersion = reference.recallVarianceInflation
        let primary = reference.primary, tt = Int32(t)
        var arrival = LabelMonitors.labelArrival(log: log, asOf: tt, reference: primary.labels, configuration: labels)
        arrival.detector = "label_arrival_cohorts"
        return [Battery.reading(arrival), labelFlow(log: log, asOf: t, latency: arrival),
                Battery.reading(LabelMonitors.maturedFraudRate(log: log, asOf: tt, reference: primary.labels, configuration: labels))]
            + [Battery.reading(LabelMonitors.calibration(log: log, asOf: tt, reference: primary.heldOutLabels, configuration: labels)),
               Battery.reading(LabelMonitors.conceptDrift(log: log, asOf: tt, reference: primary.heldOutLabels, configuration: labels)),
               conceptCheck(log: log, asOf: t),
               Battery.reading(LabelMonitors.scoreBandCalibration(log: log, asOf: tt, reference: primary.heldOutLabels,
                                                                  configuration: bandConfiguration)),
               Battery.reading(LabelMonitors.sliceCalibration(log: log, asOf: tt, reference: primary.heldOutLabels,
                                                              configuration: sliceConfiguration(firstCohort: firstCohort)))]
    }

    /// The score-band test's configuration: the lab's, without the fraud count's design effect. A
    /// burst's frauds share a card and score high, so they land in the top bands, whose common rate
    /// the fit absorbs; the test's contrast rests on the low bands' scattered frauds (on the
    /// simulator's failure-free worlds its p-values run conservative without it: docs/detectors.md).
    var bandConfiguration: LabelConfiguration {
        var c = options.labels
        c.dispersion = 1
        return c
    }

    /// The slice test's configuration: the band test's (its contrast is between rows of equal score,
    /// which a burst's common rate does not move either), on the production cohorts from `firstCohort`
    /// (the log also holds reference rows) aged 1 to `conceptLookback` days, so that a change is not
    /// diluted by months of cohorts from before it (docs/detectors.md).
    func sliceConfiguration(firstCohort: Int) -> LabelConfiguration {
        var c = bandConfiguration
        c.firstCohort = Int32(clamping: firstCohort)
        c.conceptLookback = Battery.conceptLookback
        return c
    }

    /// Concept drift on young cohorts (docs/lab.md): recall on the chargebacks arrived by t from the
    /// cohorts t-56 ... t-7 against r* = min(the CBPE expected recall of the same cohorts, weighted by
    /// the reference arrival curve (the Platt-calibrated model's own estimate), the reference recall
    /// `LabModel.recallTarget`: cross-fitted out of fold, or the validation split's). Arrival does not
    /// depend on the score, so arrived frauds are a fair sample of a cohort's frauds whatever their age.
    /// One-sided z = (r - r*)/sqrt(D·r*(1 - r*)·(1/m + 1/m_ref)), the m_ref reference frauds' term only
    /// when their recall is the target; raw alarm when p < alpha and r* - r >= the minimum gap.
    func conceptCheck(log: LabelledLog, asOf t: Int) -> RawDetector {
        let primary = reference.primary
        let cut = primary.calibratedThreshold, tt = Int32(t)
        let first = Int32(t - Battery.conceptLookback), last = Int32(t - Battery.conceptMinimumAge)
        var eArrived = 0.0, eHit = 0.0, m = 0, hit = 0
        for i in 0..<log.count where log.days[i] >= first && log.days[i] <= last {
            let s = min(1, max(0, log.scores[i]))
            let w = primary.labels.coverage(age: t - Int(log.days[i]))
            eArrived += w * s
            if s >= cut { eHit += w * s }
            if log.reportDays[i] <= tt { m += 1; if s >= cut { hit += 1 } }
        }
        let cbpe = eArrived > 0 ? eHit / eArrived : 0
        // r* = min(CBPE, the reference's out-of-sample recall): under a prior shift recall stays at
        // the reference's while CBPE rises with the share of high scores (DriftDetectors' rule).
        let target = primary.recallTarget > 0 ? min(cbpe, primary.recallTarget) : cbpe
        let recall = m > 0 ? Double(hit) / Double(m) : 0
        // When the reference recall is the binding target, its own sampling error (m_ref frauds: the
        // out-of-fold rows, or the validation split) adds: Var(r - r*) = D·r*(1 - r*)·(1/m + 1/m_ref).
        let targetFrauds = target < cbpe ? Double(max(1, primary.recallTargetFrauds)) : Double.infinity
        var p = 1.0
        if m >= 20, target > 0, target < 1 {
            let variance = reference.recallVarianceInflation * target * (1 - target) * (1 / Double(m) + 1 / targetFrauds)
            let z = (recall - target) / variance.squareRoot()
            p = SpecialFunctions.normalCDF(z)
        }
        let fired = m >= 20 && p < options.labels.alpha && target - recall >= options.labels.recallMinimumGap
        return RawDetector(id: "concept_drift", fired: fired, indicates: fired ? .conceptDrift : .none, subkind: nil, features: [],
                           statistic: recall, pValue: p, threshold: target,
                           details: ["cbpe_recall": cbpe, "arrived_frauds": Double(m)])
    }

    /// Label arrival over the monitoring window (docs/lab.md): chargebacks that arrived in
    /// (t - W, t] against E = sum over cohorts of (sum of scores) x report ratio x (coverage(t - d) -
    /// coverage(t - W - d)) from the reference arrival curve. One-sided Poisson z on O - E; raw alarm
    /// when p < alpha and O/E <= 1 - the minimum drop. Sub-kind: `outage` when O/E < 0.25, else
    /// the cohort monitor's reading (`slower` when latency moved), else `coverage_drop`.
    /// Details: `cohort_prior`, BBSE's prior from the alert rate of the cohorts the window's
    /// chargebacks come from (rows weighted by the same arrival shares as E), which the diagnosis'
    /// chargeback-surplus reading compares with p and O/E·p: after a fraud wave ends its late
    /// chargebacks still arrive, and they come from cohorts whose alerts rose with them, whatever
    /// today's alert rate is.
    func labelFlow(log: LabelledLog, asOf t: Int, latency: DetectorResult) -> RawDetector {
        let primary = reference.primary
        let w = windowDays, tt = Int32(t), from = Int32(t - w)
        let cut = primary.calibratedThreshold
        var expected = 0.0, observed = 0, cohortRows = 0.0, cohortAlerts = 0.0
        for i in 0..<log.count where log.days[i] <= tt {
            let age = t - Int(log.days[i])
            let share = primary.labels.coverage(age: age) - primary.labels.coverage(age: age - w)
            if share > 0 {
                expected += min(1, max(0, log.scores[i])) * share
                cohortRows += share
                if log.scores[i] >= cut { cohortAlerts += share }
            }
            if log.reportDays[i] <= tt && log.reportDays[i] > from { observed += 1 }
        }
        // BBSE reads counts: the weighted ones scaled by 100 keep its rounding under 1 % of an alert.
        let cohort = primary.shiftEstimator.estimate(windowPredictedPositive: Int((100 * cohortAlerts).rounded()),
                                                     windowCount: Int((100 * cohortRows).rounded()))
        expected *= primary.labels.reportRatio
        let ratio = expected > 0 ? Double(observed) / expected : 1
        // No design effect here: delays are drawn per transaction, so a burst's chargebacks spread over
        // weeks and the window's arrival count stays close to Poisson.
        let z = expected > 0 ? (Double(observed) - expected) / expected.squareRoot() : 0
        let p = SpecialFunctions.normalCDF(z)
        let fired = expected >= 10 && p < options.labels.alpha && ratio <= 1 - options.labels.coverageMinimumDrop
        let sub = ratio < 0.25 ? "outage" : (latency.alarm && latency.subkind == "slower" ? "slower" : "coverage_drop")
        return RawDetector(id: "label_arrival", fired: fired, indicates: fired ? .labelDelay : .none, subkind: fired ? sub : nil,
                           features: ["label"], statistic: ratio, pValue: p, threshold: 1 - options.labels.coverageMinimumDrop,
                           details: ["observed": Double(observed), "expected": expected, "cohort_prior": cohort.prior,
                                     "cohort_defined": cohort.defined ? 1 : 0])
    }

    /// Recall, precision and alert rate of each model on the window: realised on the truth, measured
    /// on chargebacks arrived by t, estimated without labels (CBPE on calibrated scores).
    func impact(asOf t: Int) -> [ModelImpact] {
        let tt = Int32(t)
        return reference.models.enumerated().map { k, m in
            var n = 0, alerts = 0, frauds = 0, tp = 0, arrived = 0, arrivedAlerted = 0
            var scores: [Double] = []
            let cut = m.calibratedThreshold
            for d in ring {
                n += d.count
                scores.append(contentsOf: d.scores[k])
                let dec = d.decisions[k]
                for i in 0..<d.count {
                    let a = dec[i] == 1
                    if a { alerts += 1 }
                    if d.isFraud[i] == 1 { frauds += 1; if a { tp += 1 } }
                    if d.chargeback[i] <= tt { arrived += 1; if a { arrivedAlerted += 1 } }
                }
            }
            let e = ConfidenceBasedPerformance.estimate(scores: scores, threshold: cut)
            func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : 0 }
            return ModelImpact(model: m.name, alertRate: ratio(alerts, n), realisedRecall: ratio(tp, frauds),
                               realisedPrecision: ratio(tp, alerts), measuredRecall: ratio(arrivedAlerted, arrived),
                               measuredPrecision: ratio(arrivedAlerted, alerts), estimatedRecall: e.expectedRecall,
                               estimatedPrecision: e.expectedPrecision)
        }
    }
}
