import DriftCore
import DriftSim
import Testing
@testable import DriftDetectors
@testable import DriftLab

/// The diagnosis on a small fast scenario of every kind at high severity (RunFixtures: 1,500
/// transactions a day, onset on day 28 of 84) names the right kind, and the feature where the
/// failure names one; on the control it stays quiet. All cells share one prepared reference.
@Suite("Diagnosis per kind", .serialized)
struct DiagnosisTests {
    static func verdict(_ name: String) throws -> RunVerdict {
        try run(name).verdict
    }

    /// The diagnosis verdict and the evidence of every step whose diagnosis is not `none` (for messages).
    static func run(_ name: String) throws -> (verdict: RunVerdict, evidence: String) {
        let ref = try #require(RunFixtures.reference)
        let result = try LabRunner.run(RunFixtures.scenario(name), reference: ref)
        let evidence = result.steps.filter { $0.diagnosis.kind != .none }
            .map { "day \($0.day): \($0.diagnosis.kind.rawValue)/\($0.diagnosis.subkind ?? "") \($0.diagnosis.evidence.joined(separator: "; "))" }
            .joined(separator: "\n")
        return (try #require(result.verdicts.first { $0.detector == "diagnosis" }), evidence)
    }

    @Test func controlStaysQuiet() throws {
        // Formerly a known issue: BBSE read the control's alert-rate dip as a fraud drop. Fixed by
        // fitting BBSE on the validation split's own counts and inflating every count test's variance
        // by the reference's design effect of bursty frauds (docs/lab.md, "Clustered counts").
        let (v, evidence) = try DiagnosisTests.run("control")
        #expect(v.falseAlarms == 0, "\(evidence)")
        #expect(v.diagnosedKind == .none && v.kindCorrect)
    }

    @Test(arguments: [
        ("covariate-feature-shift", FailureKind.covariateShift),
        ("covariate-segment-mix", .covariateShift),
        ("prior-fraud-wave", .priorShift),
        ("concept-new-pattern", .conceptDrift),
        ("concept-weight-change", .conceptDrift),
        ("schema-unit-scale", .schemaChange),
        ("schema-category-recode", .schemaChange),
        ("dq-missing", .dataQuality),
        ("dq-stuck", .dataQuality),
        ("label-delay-outage", .labelDelay),
    ])
    func namesTheInjectedKind(_ name: String, _ kind: FailureKind) throws {
        // Resolved: the concept run was read as a fraud wave by BBSE (now a recall gap, or a chargeback
        // surplus that the alerts do not follow, names concept drift before any prior reading).
        // Kept (docs/lab.md, "Known limits"): a severity-1 shift of distance_from_home_km is a shift of
        // its log by one reference SD with the spread x1.5, i.e. a multiplicative change of the whole
        // column, and the unit-scale check fits it as a round factor even with the fitted ratio
        // required within 0.05 decades of that factor; the diagnosis then says schema_change/unit_scale.
        // The weight change (device risk and CVV terms removed) is read by the slice calibration test,
        // the one concept rule that names features: its feature check below is that test's reading.
        // Kept as a known issue since the 180-day burn-in (docs/lab.md, "Known limits"): on this world
        // the slice test reaches p < 1e-3 on cvv_match only on the last step (day 83: odds ratio 2.6,
        // p 2e-4; day 76: p 0.01), one step short of the two the alarm policy needs.
        let (v, evidence) = try DiagnosisTests.run(name)
        withKnownIssue("a log-scale shift of distance reads as a unit factor; the weight change is seen one step late", isIntermittent: true) {
            #expect(v.diagnosedKind == kind, "\(name): diagnosed \(v.diagnosedKind) \(v.diagnosedSubkind ?? "")\n\(evidence)")
        } when: { name == "covariate-feature-shift" || name == "concept-weight-change" }
        #expect(v.falseAlarms == 0, "\(name)")
        if let f = v.featureCorrect, kind != .covariateShift, v.diagnosedKind == kind { #expect(f, "\(name): features \(v.diagnosedFeatures)") }
    }

    /// BBSE over a change-point of the alert rate (docs/lab.md) names a fraud wave with its own alarm,
    /// which the one-window BBSE against the validation split never did at this volume; on the control
    /// it stays quiet. Severity 0.5 (q/p = 2) is found in about half the runs of the dev sweep with 120
    /// production days (power table in docs/lab.md); the fixture's 84 days are run at severity 1.
    @Test func bbseNamesAFraudWaveAndStaysQuietOnTheControl() throws {
        let ref = try #require(RunFixtures.reference)
        let wave = try LabRunner.run(RunFixtures.scenario("prior-fraud-wave"), reference: ref)
        let b = try #require(wave.verdicts.first { $0.detector == "bbse" })
        #expect(b.diagnosedKind == .priorShift && b.diagnosedSubkind == "fraud_wave", "\(b.diagnosedKind) \(b.diagnosedSubkind ?? "")")
        #expect(b.falseAlarms == 0)
        let control = try LabRunner.run(RunFixtures.scenario("control"), reference: ref)
        let c = try #require(control.verdicts.first { $0.detector == "bbse" })
        #expect(c.falseAlarms == 0 && c.diagnosedKind == .none)
    }

    /// A unit-scale change also moves KS and PSI on the feature: the single drift tests read it as
    /// covariate shift, the diagnosis as a schema change.
    @Test func schemaSignatureTakesPrecedenceOverGenericDrift() throws {
        let ref = try #require(RunFixtures.reference)
        let r = try LabRunner.run(RunFixtures.scenario("schema-unit-scale"), reference: ref)
        let ks = try #require(r.verdicts.first { $0.detector == "ks" })
        let d = try #require(r.verdicts.first { $0.detector == "diagnosis" })
        #expect(ks.diagnosedKind == .covariateShift)
        #expect(d.diagnosedKind == .schemaChange && d.diagnosedSubkind == "unit_scale" && d.diagnosedFeatures.first == "amount")
    }
}

/// Hand-made drift reports for the rule tests below.
enum DiagnosisFixtures {
    /// A report over `features` (in that order, the report's ranking) of `rows` reference and window rows.
    static func report(_ features: [FeatureDrift], rows: Int = 20_000) -> DriftReport {
        DriftReport(features: features, onlyInReference: [], onlyInCurrent: [], typeMismatches: [], referenceRows: rows,
                    currentRows: rows, alpha: 1e-3, rule: .combined, correction: .benjaminiHochberg)
    }

    /// A numeric feature whose KS test alarmed at distance `ks` between 20,000 reference and 20,000
    /// window values, with importance share `share`.
    static func drifted(_ name: String, ks: Double, share: Double) -> FeatureDrift {
        FeatureDrift(feature: name, type: .numeric, test: "ks", statistic: ks, pValue: 0, adjustedPValue: 0,
                     populationStabilityIndex: 0.2, jensenShannon: 0.1, wasserstein: 1, normalizedWasserstein: 0.2,
                     meanShiftPValue: 0, varianceShiftPValue: 0, unseenRate: 0, referenceCount: 20_000, referenceMissing: 0,
                     currentCount: 20_000, currentMissing: 0, significant: true, effect: true, alarm: true,
                     importanceShare: share, weightedSeverity: 0.2 * share, pages: true, note: nil)
    }

    /// The diagnosis of a step whose only readings are these drift rows (no other detector fired).
    static func diagnose(drift features: [FeatureDrift]) -> DiagnosisRecord {
        Diagnosis.diagnose(Reading(detectors: [], drift: report(features), impact: [], truth: [.none]))
    }
}

/// Diagnosis rule 6 on hand-made readings: more chargebacks than the calibrated scores expect
/// (O/E = 2 over 100 expected) with stable inputs. The kind follows BBSE read on the cohorts the
/// chargebacks come from (`cohort_prior` of `label_arrival`), not today's window: after a fraud
/// wave ends, today's alert rate is back at p while the wave's cohorts, whose chargebacks are the
/// surplus, had their alerts rise with them.
@Suite("Diagnosis: the chargeback surplus reads the arriving cohorts' alerts")
struct ChargebackSurplusTests {
    static func reading(cohortPrior: Double?) -> Reading {
        let report = DiagnosisFixtures.report([], rows: 10_000)
        var arrival: [String: Double] = ["observed": 200, "expected": 100]
        if let q = cohortPrior { arrival["cohort_prior"] = q; arrival["cohort_defined"] = 1 }
        let detectors = [
            RawDetector(id: "label_arrival", fired: false, indicates: .none, subkind: nil, features: ["label"], statistic: 2,
                        pValue: 1, threshold: 0.75, details: arrival),
            // Today's window: the alert rate is back to the reference's (BBSE reads p = 0.01).
            RawDetector(id: "bbse", fired: false, indicates: .none, subkind: nil, features: [], statistic: 0.0101, pValue: 0.5,
                        threshold: 0.01, details: ["defined": 1, "window_prior": 0.0102, "window_defined": 1]),
        ]
        return Reading(detectors: detectors, drift: report, impact: [], truth: [.none])
    }

    @Test func alertsThatRoseWithTheArrivingCohortsNameAFraudWave() {
        // r·p = 0.02: the arriving cohorts' BBSE prior 0.019 is nearer it than p.
        let d = Diagnosis.diagnose(Self.reading(cohortPrior: 0.019))
        #expect(d.kind == .priorShift && d.subkind == "fraud_wave", "\(d.kind) \(d.subkind ?? "") \(d.evidence)")
    }

    /// Rule 5: a slice calibration alarm with stable inputs names concept drift and the features whose
    /// effect changed.
    @Test func aSliceAlarmNamesConceptDriftAndItsFeatures() {
        var r = Self.reading(cohortPrior: nil)
        r.detectors = [RawDetector(id: "slice_calibration", fired: true, indicates: .conceptDrift, subkind: nil,
                                   features: ["cvv_match", "amount"], statistic: 1.7, pValue: 1e-5, threshold: 1.25, details: [:])]
        let d = Diagnosis.diagnose(r)
        #expect(d.kind == .conceptDrift && d.features == ["cvv_match", "amount"], "\(d.kind) \(d.features) \(d.evidence)")
        #expect(d.evidence.contains { $0.contains("slices of cvv_match, amount") })
    }

    /// Rule 4 defers to rule 5: fewer chargebacks than the scores expect (coverage O/E 0.6) read as a
    /// label delay, unless the arrivals also moved between slices of equal score, which no label delay
    /// does (the standard sweep's weight changes at 1.0, seeds 1 and 2, day 76).
    @Test func aSliceAlarmOutranksTheLabelArrivalReading() {
        var r = Self.reading(cohortPrior: nil)
        let arrival = RawDetector(id: "label_arrival", fired: true, indicates: .labelDelay, subkind: "coverage_drop", features: ["label"],
                                  statistic: 0.6, pValue: 1e-5, threshold: 0.75, details: ["observed": 60, "expected": 100])
        let slice = RawDetector(id: "slice_calibration", fired: true, indicates: .conceptDrift, subkind: nil,
                                features: ["cvv_match"], statistic: 2.1, pValue: 1e-5, threshold: 1.25, details: [:])
        r.detectors = [arrival]
        let delay = Diagnosis.diagnose(r)
        #expect(delay.kind == .labelDelay && delay.subkind == "coverage_drop", "\(delay.kind) \(delay.evidence)")
        r.detectors = [arrival, slice]
        let concept = Diagnosis.diagnose(r)
        #expect(concept.kind == .conceptDrift && concept.features == ["cvv_match"], "\(concept.kind) \(concept.evidence)")
    }

    /// Rule 3 names no feature itself: a recall gap with stable inputs names the slice test's features
    /// when that test fires too (the standard sweep's weight change at 1.0, seed 4, named none before).
    @Test func aRecallGapNamesTheSliceTestsFeatures() {
        var r = Self.reading(cohortPrior: nil)
        let gap = RawDetector(id: "concept_drift", fired: true, indicates: .conceptDrift, subkind: nil, features: ["label"],
                              statistic: 0.31, pValue: 1e-6, threshold: 0.45, details: [:])
        let slice = RawDetector(id: "slice_calibration", fired: true, indicates: .conceptDrift, subkind: nil,
                                features: ["cvv_match"], statistic: 2.1, pValue: 1e-5, threshold: 1.25, details: [:])
        r.detectors = [gap]
        let plain = Diagnosis.diagnose(r)
        #expect(plain.kind == .conceptDrift && plain.features.isEmpty, "\(plain.features)")
        r.detectors = [gap, slice]
        let named = Diagnosis.diagnose(r)
        #expect(named.kind == .conceptDrift && named.features == ["cvv_match"], "\(named.features)")
        #expect(named.evidence.first?.hasPrefix("realised recall") == true && named.evidence.contains { $0.contains("slice test names cvv_match") },
                "\(named.evidence)")
    }

    @Test func alertsThatDidNotFollowNameConceptDrift() {
        #expect(Diagnosis.diagnose(Self.reading(cohortPrior: 0.0105)).kind == .conceptDrift)
        // Without the cohorts' reading, today's window decides (p here: concept drift).
        #expect(Diagnosis.diagnose(Self.reading(cohortPrior: nil)).kind == .conceptDrift)
    }
}

/// Diagnosis rule 7 on hand-made readings: BBSE says the prior doubled (0.01 -> 0.02) and the scores
/// are a class mixture, while one numeric feature drifts. A prior shift moves a feature's CDF by at
/// most the prior's change, so a KS distance beyond 0.01 + 1.949·√((n + m)/(n·m))·√φ (here
/// 0.01 + 1.949 · 0.01 · 2 = 0.04898 at n = m = 20,000 and φ = 4) is a covariate shift.
@Suite("Diagnosis: a feature that moved further than the prior can is a covariate shift")
struct PriorShiftBoundTests {
    static func reading(ks: Double) -> Reading {
        let report = DiagnosisFixtures.report([DiagnosisFixtures.drifted("amount", ks: ks, share: 0.3)])
        let detectors = [
            RawDetector(id: "bbse", fired: true, indicates: .priorShift, subkind: "fraud_wave", features: ["score"], statistic: 0.02,
                        pValue: 1e-6, threshold: 0.01, details: ["defined": 1]),
            // The window's score histogram is the fitted class mixture (residual n_eff·PSI 5 under χ²₀.₉₉₉(8) = 26.1).
            RawDetector(id: "prediction_drift", fired: false, indicates: .none, subkind: nil, features: ["score"], statistic: 0.01,
                        pValue: nil, threshold: 0.1, details: ["mixture_residual_psi": 5e-4, "n_eff": 10_000, "bins": 10]),
        ]
        var r = Reading(detectors: detectors, drift: report, impact: [], truth: [.none])
        r.dispersion = 4
        return r
    }

    @Test func aDistanceWithinThePriorsReachIsAPriorShift() {
        let d = Diagnosis.diagnose(Self.reading(ks: 0.0485))
        #expect(d.kind == .priorShift && d.subkind == "fraud_wave", "\(d.kind) \(d.evidence)")
    }

    @Test func aDistanceBeyondItIsACovariateShift() {
        let d = Diagnosis.diagnose(Self.reading(ks: 0.0495))
        #expect(d.kind == .covariateShift && d.features == ["amount"], "\(d.kind) \(d.evidence)")
        #expect(d.evidence.contains { $0.contains("amount moved further than a prior shift can move a feature") })
        // With no prior reading to turn down (BBSE quiet, no chargeback surplus) the bound says nothing.
        var quiet = Self.reading(ks: 0.0495)
        quiet.detectors[0].fired = false
        let plain = Diagnosis.diagnose(quiet)
        #expect(plain.kind == .covariateShift && !plain.evidence.contains { $0.contains("moved further than a prior shift") }, "\(plain.evidence)")
        // The largest change the readings allow counts: the matured fraud rate's interval reaching 0.0215
        // widens the bound to 0.0115 + 0.03898 = 0.05048.
        var r = Self.reading(ks: 0.0495)
        r.detectors.append(RawDetector(id: "matured_fraud_rate", fired: false, indicates: .none, subkind: nil, features: ["label"],
                                       statistic: 0.018, pValue: 0.01, threshold: 0.01,
                                       details: ["rows": 50_000, "ci_lower": 0.0145, "ci_upper": 0.0215]))
        #expect(Diagnosis.diagnose(r).kind == .priorShift)
        // Only KS distances are bounded this way: a chi-squared statistic is not a distance.
        let wide = Self.reading(ks: 0.2)
        var chi2 = wide.drift.features[0]
        chi2.test = "chi2"
        #expect(Diagnosis.unexplainedByPriorShift(wide, drifted: wide.drift.features).map(\.feature) == ["amount"])
        #expect(Diagnosis.unexplainedByPriorShift(wide, drifted: [chi2]).isEmpty)
    }

    /// Rule 6 too: a chargeback surplus (O/E 2 over 100 expected) whose arriving cohorts' alerts rose
    /// reads a fraud wave, unless a feature moved further than the prior can (a far-out covariate
    /// shift also leaves the calibrated scores expecting too few frauds).
    @Test func aSurplusWithAFeatureBeyondThePriorsReachIsACovariateShift() {
        func surplus(ks: Double) -> Reading {
            var r = Self.reading(ks: ks)
            r.detectors.append(RawDetector(id: "label_arrival", fired: false, indicates: .none, subkind: nil, features: ["label"],
                                           statistic: 2, pValue: 1, threshold: 0.75,
                                           details: ["observed": 200, "expected": 100, "cohort_prior": 0.02, "cohort_defined": 1]))
            return r
        }
        let wave = Diagnosis.diagnose(surplus(ks: 0.0485))
        #expect(wave.kind == .priorShift && wave.evidence.contains { $0.contains("chargebacks arrive at 2.0") }, "\(wave.evidence)")
        #expect(Diagnosis.diagnose(surplus(ks: 0.0495)).kind == .covariateShift)
    }
}

/// Rule 10's feature list: a source feature goes ahead of the features computed from it, whatever
/// their drift x importance rank; a derived feature drifting alone keeps its place.
@Suite("Diagnosis: the source of derived features is named first")
struct SourceFeatureTests {
    @Test func amountGoesAheadOfItsRatioAndSum() {
        #expect(Diagnosis.sourcesFirst(["amount_ratio_30d", "amount", "amount_sum_24h"]) == ["amount", "amount_ratio_30d", "amount_sum_24h"])
        #expect(Diagnosis.sourcesFirst(["hour", "amount_sum_24h", "distance_from_home_km", "amount"])
                == ["hour", "amount", "amount_sum_24h", "distance_from_home_km"])
        #expect(Diagnosis.sourcesFirst(["amount_ratio_30d", "txn_count_24h"]) == ["amount_ratio_30d", "txn_count_24h"])
        #expect(Diagnosis.sourcesFirst(["amount", "amount_ratio_30d"]) == ["amount", "amount_ratio_30d"])
        #expect(Diagnosis.sourcesFirst([]) == [])
        // A source that moved significantly under the effect floor goes ahead of what is computed from it.
        #expect(Diagnosis.sourcesFirst(["hour", "amount_ratio_30d", "amount_sum_24h"], significant: ["amount", "distance_from_home_km"])
                == ["hour", "amount", "amount_ratio_30d", "amount_sum_24h"])
        #expect(Diagnosis.sourcesFirst(["amount_ratio_30d"], significant: ["hour"]) == ["amount_ratio_30d"])
        #expect(Diagnosis.sourcesFirst(["amount_ratio_30d", "amount"], significant: ["amount"]) == ["amount", "amount_ratio_30d"])
    }

    /// The standard sweep's amount shifts named by the ratio alone: the amount drifted too but under the
    /// 2 % importance share (the model weighs the ratio), or its test was significant but its effect
    /// under the floor (the amount's spread holds the customers' spending scale, which the ratio
    /// divides out).
    @Test func anUnimportantSourceIsNamedFirst() {
        let d = DiagnosisFixtures.diagnose(drift: [DiagnosisFixtures.drifted("amount_ratio_30d", ks: 0.15, share: 0.3),
                                                   DiagnosisFixtures.drifted("amount", ks: 0.15, share: 0.01),
                                                   DiagnosisFixtures.drifted("amount_sum_24h", ks: 0.05, share: 0.01)])
        #expect(d.kind == .covariateShift && d.features == ["amount", "amount_ratio_30d"], "\(d.features)")
    }

    @Test func aSourceUnderTheEffectFloorIsNamedFirst() {
        var amount = DiagnosisFixtures.drifted("amount", ks: 0.03, share: 0.1)
        amount.effect = false; amount.alarm = false; amount.pages = false
        let ratio = DiagnosisFixtures.drifted("amount_ratio_30d", ks: 0.08, share: 0.3)
        let d = DiagnosisFixtures.diagnose(drift: [ratio, amount])
        #expect(d.kind == .covariateShift && d.features == ["amount", "amount_ratio_30d"], "\(d.features)")
        #expect(d.evidence.contains { $0.hasPrefix("amount moved too") }, "\(d.evidence)")
        // Not significant either: the ratio keeps its name.
        amount.significant = false
        let quiet = DiagnosisFixtures.diagnose(drift: [ratio, amount])
        #expect(quiet.kind == .covariateShift && quiet.features == ["amount_ratio_30d"], "\(quiet.features)")
    }

    @Test func aCovariateShiftNamesTheSource() {
        // The drift report ranks the ratio first (the model weighs it more).
        let d = DiagnosisFixtures.diagnose(drift: [DiagnosisFixtures.drifted("amount_ratio_30d", ks: 0.2, share: 0.3),
                                                   DiagnosisFixtures.drifted("amount", ks: 0.18, share: 0.1)])
        #expect(d.kind == .covariateShift && d.subkind == "feature_shift" && d.features == ["amount", "amount_ratio_30d"], "\(d.features)")
    }
}
