import DriftCore
import DriftDetectors
import DriftSim
import Foundation

/// The combined diagnosis (docs/lab.md, "Diagnosis"): a decision list over one step's raw battery
/// readings, most specific signature first, so that the cases that fool single tests are told apart:
///
/// 1. schema signatures (parse failures, round scale ratio, column swap, time-zone offset, boolean
///    flip, unseen categories or a permutation, definition skew) -> `schema_change` (they also move
///    KS and PSI, so they take precedence over generic drift);
/// 2. data-quality signatures (duplicates, missing/dropped, stuck, variance collapse, stale counters,
///    out-of-range values) -> `data_quality`;
/// 3. realised recall on arrived labels below the label-free estimate with stable inputs ->
///    `concept_drift` (arrival does not depend on the score, so neither a label delay nor a prior
///    shift moves it);
/// 4. label arrival moved (latency, coverage, outage) while inputs are stable and the band and slice
///    tests of rule 5 are quiet -> `label_delay`, or a fraud drop when BBSE's estimate is nearer r·p
///    than p;
/// 5. arrived frauds moved toward the low score bands (`score_band_calibration`, whose null holds a
///    prior shift), or between a feature's slices among rows of equal score (`slice_calibration`: a
///    feature's effect changed), important inputs stable -> `concept_drift`;
/// 6. more chargebacks than the calibrated scores expect -> `prior_shift` / `fraud_wave` when the
///    arriving cohorts' alerts follow, else `concept_drift` (frauds the model misses);
/// 7. BBSE / the matured fraud rate say the prior moved while no feature drifts, or the scores are a
///    mixture of the class-conditional ones -> `prior_shift`. Rules 6 and 7 need every drifted
///    feature within the prior's reach (a prior shift moves a feature's KS distance by at most the
///    prior's change);
/// 8. realised recall below the label-free estimate with only unimportant features drifting ->
///    `concept_drift`;
/// 9. at least two error-stream detectors see more arriving frauds scored as legitimate, inputs
///    stable -> `concept_drift`;
/// 10. feature drift tests fire without the signatures above -> `covariate_shift`, features ranked
///    by drift x model importance, a source feature ahead of the features computed from it;
/// 11. otherwise `none`.
/// A concept-drift reading of rules 3, 6, 8 or 9 names the slice test's features when it fires too.
/// The numbers are docs/lab.md's ("Diagnosis").
public enum Diagnosis {
    /// Schema detectors in precedence order, with the sub-kind each names.
    static let schema: [(String, String)] = [
        ("parse_failures", "type_change"), ("unit_scale", "unit_scale"), ("column_swap", "column_swap"),
        ("timezone", "timezone"), ("boolean_flip", "boolean_flip"), ("unseen_categories", "category_recode"),
        ("category_permutation", "category_recode"), ("definition_skew", "definition_skew"),
    ]
    /// Data-quality detectors in precedence order, with their default sub-kind.
    static let quality: [(String, String)] = [
        ("duplicates", "duplicates"), ("missing_rate", "missing"), ("stale_counter", "stale"), ("stuck_value", "stuck"),
        ("variance_collapse", "stuck"), ("range", "out_of_range"),
    ]

    static func diagnose(_ r: Reading) -> DiagnosisRecord {
        let drifted = r.drift.features.filter(\.alarm)
        let driftedNames = drifted.map(\.feature)
        // Important features drifting: importance share >= 2 % (DriftDetectors' paging rule).
        let importantDrift = drifted.filter { ($0.importanceShare ?? 0) >= 0.02 }
        var evidence: [String] = []

        for (id, sub) in schema {
            guard let d = r.detector(id), d.fired else { continue }
            // A unit change is a factor of at least 50 (cents, thousands, seconds per minute...); a
            // heavy-tailed covariate shift can mimic a small factor.
            if id == "unit_scale", let k = d.details["factor"], k.isFinite, k > 0, abs(log10(k)) < log10(50.0) { continue }
            // A unit change multiplies by the round factor itself: the freely fitted ratio of a large
            // window lands within 0.05 decades (12 %) of it. A log-location shift of a heavy-tailed
            // feature (distance x e^b) is a scale change too, by a factor that is round only by chance.
            if id == "unit_scale", let k = d.details["factor"], let ratio = d.details["scale_ratio"], k > 0, ratio > 0,
               abs(log10(ratio) - log10(k)) > 0.05 { continue }
            evidence.append("\(id) fired on \(d.features.joined(separator: ", ")) (statistic \(fmt(d.statistic)))")
            return DiagnosisRecord(kind: .schemaChange, subkind: sub, features: d.features, confidence: 0.9, evidence: evidence)
        }
        for (id, sub) in quality {
            guard let d = r.detector(id), d.fired else { continue }
            // Out-of-range values from a fault touch a share of rows and leave the rest in place, so
            // the feature's KS distance stays near that share; a shift of the whole distribution
            // pushes its tail out of range and moves KS far more.
            if id == "range" {
                let faulty = d.features.filter { f in
                    let share = d.perFeature[f] ?? 0
                    let ks = r.drift.features.first { $0.feature == f }?.statistic ?? 0
                    return ks <= 1.5 * share + 0.03
                }
                if faulty.isEmpty { continue }
                evidence.append("range: \(faulty.joined(separator: ", ")) out of range while the rest stays in place")
                return DiagnosisRecord(kind: .dataQuality, subkind: "out_of_range", features: faulty, confidence: 0.8, evidence: evidence)
            }
            // A categorical or boolean "stuck" at its own mode is also what a real mix change looks
            // like (more of one level, the others shrunk in proportion). A fault touches one column;
            // a real change of who transacts moves the features that depend on it, so a discrete
            // stuck reading counts only while no other feature drifts.
            if id == "stuck_value" {
                let stuck = d.features.filter { f in
                    let role = ServedFeatures.role(of: f)
                    return (role != .categorical && role != .boolean) || !driftedNames.contains { $0 != f }
                }
                if stuck.isEmpty { continue }
                evidence.append("stuck_value fired on \(stuck.joined(separator: ", ")) (statistic \(fmt(d.statistic)))")
                return DiagnosisRecord(kind: .dataQuality, subkind: d.subkind ?? sub, features: stuck, confidence: 0.85, evidence: evidence)
            }
            evidence.append("\(id) fired on \(d.features.joined(separator: ", ")) (statistic \(fmt(d.statistic)))")
            return DiagnosisRecord(kind: .dataQuality, subkind: d.subkind ?? sub, features: d.features, confidence: 0.85, evidence: evidence)
        }
        let bbse = r.detector("bbse"), matured = r.detector("matured_fraud_rate")
        let priorMoved = (bbse?.fired ?? false) || (matured?.fired ?? false)
        // Realised recall on arrived frauds below the label-free estimate with stable inputs: a prior
        // shift leaves P(score | fraud), hence recall, alone, so a recall gap outranks BBSE (a new
        // fraud pattern also raises the fraud share and the alert rate); and chargebacks arrive
        // whatever the score, so a slower or thinner feed leaves the recall on arrived frauds alone
        // too: a recall gap outranks the label-arrival reading (a weight change that removes
        // frauds the model caught also lowers the chargebacks against the scores' expectation).
        let streamVotes = StreamBattery.ids.filter { r.fired($0) }.count
        let recallGap = r.fired("concept_drift") || r.fired("concept_recall_gap")
        let bands = r.detector("score_band_calibration"), slices = r.detector("slice_calibration")
        /// Concept drift from rules 3, 6, 8 and 9, which name no feature: the slice test's features when
        /// it fires (a feature whose effect changed among rows of equal score), else none.
        func concept(confidence: Double) -> DiagnosisRecord {
            guard let s = slices, s.fired else {
                return DiagnosisRecord(kind: .conceptDrift, subkind: nil, features: [], confidence: confidence, evidence: evidence)
            }
            let named = evidence + ["the slice test names \(s.features.joined(separator: ", ")) (odds ratio \(fmt(s.statistic)) among rows of equal score)"]
            return DiagnosisRecord(kind: .conceptDrift, subkind: nil, features: s.features, confidence: confidence, evidence: named)
        }
        if recallGap && drifted.isEmpty {
            evidence.append("realised recall on arrived labels \(fmt(r.detector("concept_drift")?.statistic ?? 0)) below the label-free estimate; inputs stable")
            if streamVotes > 0 { evidence.append("\(streamVotes) error-stream detectors agree") }
            return concept(confidence: streamVotes > 0 ? 0.8 : 0.65)
        }
        // The band and slice tests' nulls hold any label delay (a chargeback's arrival does not depend on
        // the score or the features) and any prior shift: when one fires, frauds went missing selectively
        // (a weight change removes the frauds the model caught), which rule 5 reads, not this one.
        let selective = (bands?.fired ?? false) || (slices?.fired ?? false)
        if let a = r.detector("label_arrival"), a.fired, importantDrift.isEmpty, !selective {
            let sub = a.subkind ?? "slower"
            // A fraud drop also lowers the coverage O/E r (fewer chargebacks than scores predict), and
            // so does a coverage drop: only the alert rate tells them apart. A coverage drop leaves the
            // prior at p, a fraud drop takes it to about r·p; BBSE's estimate q (even when not
            // significant on its own) is read as the nearer of the two: fraud drop when q < p·(1 + r)/2.
            var fraudDrop = (bbse?.fired ?? false) && bbse?.subkind == "fraud_drop"
            if sub == "coverage_drop", let b = bbse, let q = Diagnosis.windowPrior(b), b.threshold > 0, a.statistic < 1 {
                fraudDrop = fraudDrop || q < b.threshold * (1 + a.statistic) / 2
            }
            if sub == "coverage_drop" && fraudDrop, let b = bbse {
                evidence.append("label arrival O/E \(fmt(a.statistic)) with BBSE prior \(fmt(Diagnosis.windowPrior(b) ?? b.statistic)) nearer \(fmt(b.threshold * a.statistic)) (fraud drop) than \(fmt(b.threshold)) (coverage drop)")
                return DiagnosisRecord(kind: .priorShift, subkind: "fraud_drop", features: [], confidence: 0.6, evidence: evidence)
            }
            if !(sub == "coverage_drop" && fraudDrop) {
                evidence.append("label arrival moved (\(sub), statistic \(fmt(a.statistic))) with stable inputs")
                return DiagnosisRecord(kind: .labelDelay, subkind: sub, features: [], confidence: 0.8, evidence: evidence)
            }
        }
        // Arrived frauds moved toward the score bands the model calls safe, against the reference's
        // band rates, while the important inputs are stable. The test's null holds a prior shift's
        // odds factor and any common change of the chargeback rate, so it outranks the prior readings
        // (a new pattern's surplus of chargebacks with the alerts following reads as a fraud wave
        // otherwise), and a label-arrival reading (rule 4 defers to it: a label delay leaves it quiet).
        // The slice test reads the same arrivals by feature slice within each score band (its null
        // holds any change common to a band): a feature whose effect changed, named.
        if selective && importantDrift.isEmpty {
            if let b = bands, b.fired {
                evidence.append("arrived frauds moved toward low score bands (share \(fmt(b.statistic)) off the reference's band rates); important inputs stable")
            }
            if let s = slices, s.fired {
                evidence.append("arrived frauds moved between slices of \(s.features.joined(separator: ", ")) among rows of equal score (odds ratio \(fmt(s.statistic))); important inputs stable")
            }
            if streamVotes > 0 { evidence.append("\(streamVotes) error-stream detectors agree") }
            return DiagnosisRecord(kind: .conceptDrift, subkind: nil, features: slices.flatMap { $0.fired ? $0.features : nil } ?? [],
                                   confidence: streamVotes > 0 ? 0.75 : 0.6, evidence: evidence)
        }
        // A prior shift leaves P(x | y) alone: the inputs move by at most the change in the fraud
        // share (a percent or two of the rows), under every drift test's effect floor. A drift
        // alarm on any feature means P(x) itself moved, and BBSE (which assumes label shift) then
        // reads the covariate shift's alert-rate change as a prior change.
        // More chargebacks arrive than the calibrated scores predict (O/E = r >= 1.25, one-sided
        // Poisson z over the dispersion-inflated variance, p < 1e-3): more fraud than the model
        // expects. A fraud wave brings frauds the model scores as usual, so the alert rate follows
        // and BBSE reads about r·p; a new fraud pattern brings frauds the model misses, so alerts
        // stay and BBSE reads about p. The nearer prediction names the kind. BBSE is read on the
        // cohorts the chargebacks come from (`cohort_prior`), not on today's window: a wave's late
        // chargebacks keep arriving after it ends, when today's alert rate is back to normal.
        // Neither reading holds when a feature moved further than any prior change the readings allow
        // (`unexplainedByPriorShift`): then P(x | y) moved, and a far-out covariate shift also makes the
        // model's calibrated scores expect too few frauds, a surplus that is not a wave.
        let unexplained = Diagnosis.unexplainedByPriorShift(r, drifted: drifted)
        let mixtureOrStable = drifted.isEmpty || Diagnosis.scoresAreAClassMixture(r)
        var surplus: (ratio: Double, q: Double, p: Double)?
        if let a = r.detector("label_arrival"), let o = a.details["observed"], let e = a.details["expected"], e >= 10,
           let b = bbse, let q = Diagnosis.cohortPrior(a) ?? Diagnosis.windowPrior(b), b.threshold > 0, mixtureOrStable {
            let ratio = o / e
            let z = (o - e) / (max(1, r.fraudDispersion) * e).squareRoot()
            if ratio >= 1.25 && SpecialFunctions.normalSurvival(z) < 1e-3 { surplus = (ratio, q, b.threshold) }
        }
        // The bound's evidence only where it turned a prior reading (rule 6 or 7) down.
        if !unexplained.isEmpty && (surplus != nil || (priorMoved && mixtureOrStable)) {
            evidence.append("\(unexplained.map(\.feature).joined(separator: ", ")) moved further than a prior shift can move a feature (KS distance above the largest prior change read): P(x | y) moved")
        }
        if let (ratio, q, p) = surplus, unexplained.isEmpty {
            let wave = q > p * (1 + ratio) / 2
            evidence.append("chargebacks arrive at \(fmt(ratio)) x the calibrated scores' expectation; BBSE prior of the arriving cohorts \(fmt(q)) nearer \(fmt(wave ? p * ratio : p)) (\(wave ? "the alerts follow: fraud wave" : "the alerts do not: frauds the model misses"))")
            return wave ? DiagnosisRecord(kind: .priorShift, subkind: "fraud_wave", features: [], confidence: 0.6, evidence: evidence)
                        : concept(confidence: 0.55)
        }
        // Some features may still pass a drift floor under a strong fraud wave (fraud amounts are far
        // out in the tail); then the score distribution decides: under a prior shift it is exactly
        // the mixture (1 - π)·h₀ + π·h₁ of the reference's class-conditional score histograms, so
        // n_eff·PSI(window, fitted mixture) stays under φ·χ²₀.₉₉₉(B - 2); a covariate shift moves
        // the scores of the bulk, which no mixture explains.
        if priorMoved && mixtureOrStable && unexplained.isEmpty {
            let d = (bbse?.fired ?? false) ? bbse! : matured!
            evidence.append("\(d.id): fraud prior \(fmt(d.statistic)) against \(fmt(d.threshold)); " +
                            (drifted.isEmpty ? "no feature drifts" : "scores a mixture of the class-conditional ones"))
            return DiagnosisRecord(kind: .priorShift, subkind: d.subkind, features: [], confidence: 0.75, evidence: evidence)
        }
        if recallGap && importantDrift.isEmpty {
            evidence.append("realised recall on matured labels \(fmt(r.detector("concept_drift")?.statistic ?? 0)) below the label-free estimate; inputs stable")
            if streamVotes > 0 { evidence.append("\(streamVotes) error-stream detectors agree") }
            return concept(confidence: streamVotes > 0 ? 0.8 : 0.65)
        }
        // The sequential version of the same evidence: the share of arriving frauds the model scored
        // as clearly legitimate (the gross-error stream, docs/detectors.md) rose, as at least two of
        // the calibrated error-stream detectors say, while the important inputs are stable. It pools
        // every arrival since the change instead of one window, so it sees smaller recall losses;
        // it comes after the label-arrival and prior readings, which it cannot explain away.
        if streamVotes >= 2 && importantDrift.isEmpty {
            evidence.append("\(streamVotes) error-stream detectors: more arriving frauds scored as legitimate; inputs stable")
            return concept(confidence: 0.6)
        }
        if !drifted.isEmpty {
            let ranked = (importantDrift.isEmpty ? drifted : importantDrift).map(\.feature)
            // A source left out of the ranking (under the importance share or the effect floor) whose
            // test is significant is named ahead of the features computed from it.
            let moved = Set(r.drift.features.filter(\.significant).map(\.feature))
            let features = Diagnosis.sourcesFirst(ranked, significant: moved)
            let sub: String
            if features.first == "customer_segment" { sub = "segment_mix" } else if features.first == "channel" { sub = "channel_mix" } else { sub = "feature_shift" }
            evidence.append("drift tests fire on \(driftedNames.joined(separator: ", ")) without schema or quality signatures")
            for f in features where !ranked.contains(f) {
                let derived = ranked.filter { ServedFeatures.source(of: $0) == f }
                evidence.append("\(f) moved too (significant; unimportant to the model or under the effect floor): \(derived.joined(separator: ", ")) computed from it")
            }
            return DiagnosisRecord(kind: .covariateShift, subkind: sub, features: features, confidence: importantDrift.isEmpty ? 0.5 : 0.7,
                                   evidence: evidence)
        }
        return DiagnosisRecord(kind: .none, subkind: nil, features: [], confidence: 0, evidence: [])
    }

    /// BBSE's estimate for the nearest-prediction readings (compared with p and r·p): the change-point
    /// scan's when it alarms, else the window's own against the split (`window_prior`). The scan's
    /// estimate is the most extreme split's, biased away from p when nothing changed, and a world's
    /// alert rate wanders more than its clustered noise (a dev control reached Bonferroni p = 0.004),
    /// so it counts only with the detector's own alarm.
    static func windowPrior(_ b: RawDetector) -> Double? {
        if (b.details["defined"] ?? 0) == 1, b.fired { return b.statistic }
        if let q = b.details["window_prior"] { return (b.details["window_defined"] ?? 0) == 1 ? q : nil }
        return (b.details["defined"] ?? 0) == 1 ? b.statistic : nil
    }

    /// BBSE's prior on the cohorts whose chargebacks arrived in the window (details of `label_arrival`),
    /// nil when undefined.
    static func cohortPrior(_ a: RawDetector) -> Double? {
        (a.details["cohort_defined"] ?? 0) == 1 ? a.details["cohort_prior"] : nil
    }

    /// `features` (ranked by drift x importance) with each source feature moved ahead of the first
    /// feature computed from it (`ServedFeatures.source(of:)`): when `amount` and the
    /// 30-day ratio computed from it both drift, the root cause is the amount, however the model
    /// weighs the two. A source missing from `features` but in `significant` (its test significant,
    /// but under the importance share or the effect floor) is put ahead of the first feature
    /// computed from it: the model weighs the 30-day ratio more than the amount, and an amount shift
    /// passes the ratio's effect floor first (the ratio divides out the customers' spending scale,
    /// which widens the amount's spread). Otherwise a derived feature keeps its place.
    static func sourcesFirst(_ features: [String], significant: Set<String> = []) -> [String] {
        var out = features
        var i = 0
        while i < out.count {
            if let source = ServedFeatures.source(of: out[i]) {
                if let s = out.firstIndex(of: source) {
                    if s > i { out.remove(at: s); out.insert(source, at: i) }
                } else if significant.contains(source) {
                    out.insert(source, at: i)
                }
            }
            i += 1
        }
        return out
    }

    /// Drifted numeric features that no prior shift explains. Under label shift P(x) moves from
    /// (1 − π)·P₀ + π·P₁ to (1 − π′)·P₀ + π′·P₁, so each feature's CDF moves by (π′ − π)(F₁ − F₀) and
    /// its KS distance is at most |π′ − π| (Lipton et al. 2018's assumption, read one feature at a
    /// time). A distance beyond the largest prior change the readings allow plus the KS test's 0.1 %
    /// critical value at the window's sizes (c = 1.949), inflated by √φ for customers' repeated rows,
    /// means P(x | y) moved: BBSE then reads a covariate shift's alert-rate change as a prior change.
    static func unexplainedByPriorShift(_ r: Reading, drifted: [FeatureDrift]) -> [FeatureDrift] {
        guard let change = largestPriorChange(r) else { return [] }
        let inflation = max(1, r.dispersion).squareRoot()
        return drifted.filter { f in
            let n = Double(f.referenceCount), m = Double(f.currentCount)
            guard f.test == "ks", f.statistic.isFinite, n > 0, m > 0 else { return false }
            return f.statistic > change + 1.949 * ((n + m) / (n * m)).squareRoot() * inflation
        }
    }

    /// The largest change of the fraud prior that BBSE (its estimate, and the window's own) and the
    /// matured fraud rate (its interval) read, against their reference priors; nil without a reading.
    static func largestPriorChange(_ r: Reading) -> Double? {
        var change: Double? = nil
        func consider(_ x: Double?, _ p: Double) {
            guard let x, x.isFinite, p.isFinite, p > 0 else { return }
            change = max(change ?? 0, abs(x - p))
        }
        if let b = r.detector("bbse"), (b.details["defined"] ?? 0) == 1 {
            consider(b.statistic, b.threshold)
            if (b.details["window_defined"] ?? 0) == 1 { consider(b.details["window_prior"], b.threshold) }
        }
        if let m = r.detector("matured_fraud_rate"), (m.details["rows"] ?? 0) > 0 {
            consider(m.statistic, m.threshold)
            consider(m.details["ci_lower"], m.threshold); consider(m.details["ci_upper"], m.threshold)
        }
        return change
    }

    /// True when the window's score histogram is explained by a mixture of the reference's
    /// class-conditional ones: n_eff·residual PSI <= dispersion·χ²₀.₉₉₉(B - 2) (details of `prediction_drift`).
    static func scoresAreAClassMixture(_ r: Reading) -> Bool {
        guard let d = r.detector("prediction_drift"), let residual = d.details["mixture_residual_psi"],
              let n = d.details["n_eff"], let bins = d.details["bins"], bins > 2, residual.isFinite else { return false }
        let limit = MonitorStatistics.chiSquaredQuantile(upperTail: 1e-3, degreesOfFreedom: bins - 2)
        return n * residual <= max(1, r.dispersion) * limit
    }

    static func fmt(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        let r = (x * 10_000).rounded() / 10_000
        return "\(r)"
    }
}
