import DriftCore
@testable import DriftSim
import Foundation
import Testing
@testable import DriftLab

/// Small fast scenarios built in code from the bundled ones: 1,500 transactions a day, 28 reference
/// days, 84 production days, onset on day 28, window 14, step 7. They share (population, seed), so
/// one prepared reference serves them all, as in a sweep.
enum RunFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The bundled scenario `name` with reduced volume, onset on day 28 and the given severity.
    static func scenario(_ name: String, severity: Double = 1.0, seed: UInt64 = 4242) throws -> Scenario {
        var s = try ScenarioFile.load(packageRoot.appendingPathComponent("scenarios/\(name).json").path)
        s.seed = seed
        s.population.transactionsPerDay = 1_500
        s.population.customers = 3_000
        s.population.merchants = 800
        s.referenceDays = 28
        s.productionDays = 84
        s.failures = s.failures.map { f in
            var g = f
            g.startDay = 28; g.severity = severity; g.parameters = [:]
            g.rampDays = min(f.rampDays, 14)
            g.endDay = f.endDay.map { _ in 70 }
            return g
        }
        return try ScenarioFile.resolve(s)
    }

    /// One prepared reference for the fixtures' (population, seed), built once.
    static let reference: PreparedReference? = try? LabRunner.prepareReference(scenario("control"))
}

@Suite("Lab run", .serialized)
struct RunTests {
    @Test func sameScenarioGivesByteIdenticalRunJSONAndOtherSeedDiffers() throws {
        let ref = try #require(RunFixtures.reference)
        let s = try RunFixtures.scenario("schema-unit-scale")
        let a = try LabRunner.run(s, reference: ref).json().serialized()
        let b = try LabRunner.run(s, reference: ref).json().serialized()
        #expect(a == b)
        // A fresh reference (not the cached one) gives the same bytes too.
        let c = try LabRunner.run(s).json().serialized()
        #expect(a == c)
        let other = try RunFixtures.scenario("schema-unit-scale", seed: 99)
        let d = try LabRunner.run(other).json().serialized()
        #expect(a != d)
        // The manifest opens the JSON and records the scenario's content hash and seed.
        #expect(a.drop { $0 == "{" || $0 == " " || $0 == "\n" }.hasPrefix("\"manifest\""))
        #expect(a.contains(ScenarioFile.contentHash(s)))
    }

    /// The models learn the labels the team holds (found by fuzzing): a fraud whose chargeback never
    /// arrives is legitimate to the lab, as in reference.csv; the lab used to train on the true labels.
    @Test func theReferenceIsLabelledByTheChargebacksThatArrive() throws {
        var s = try RunFixtures.scenario("control")
        s.labelDelay.neverReportedShare = 0.5
        let ref = try LabRunner.prepareReference(s)
        var base = s
        base.failures = []
        let batches = Array(try TransactionSimulator(scenario: base).days().prefix { $0.day < 0 })
        #expect(batches.count == s.referenceDays)
        var truth = 0, reported = 0
        for b in batches {
            for i in 0..<b.count where b.isFraud[i] == 1 {
                truth += 1
                if b.chargebackDay[i] != TransactionSimulator.never { reported += 1 }
            }
        }
        #expect(ref.frauds == reported && reported > 0 && reported < truth * 3 / 4, "\(ref.frauds) \(reported) \(truth)")

        // Every fraud unreported: nothing to train on, a clear error.
        s.labelDelay.neverReportedShare = 0.999999
        #expect {
            _ = try LabRunner.prepareReference(s)
        } throws: { error in
            "\(error)".contains("the reference period has no charged-back fraud to train on")
        }
    }

    @Test func referenceOfAnotherBaseIsRefused() throws {
        let ref = try #require(RunFixtures.reference)
        var s = try RunFixtures.scenario("control")
        s.seed = 5
        #expect(throws: LabError.self) { try LabRunner.run(s, reference: ref) }
    }

    @Test func ringHoldsAtMostTheWindowAndLabelHistoryIsBounded() throws {
        let ref = try #require(RunFixtures.reference)
        let s = try RunFixtures.scenario("control")
        let (result, trace) = try LabRunner.traced(s, reference: ref)
        #expect(trace.maxRingDays == s.monitoring.windowDays)
        #expect(result.steps.count == (s.productionDays - s.monitoring.windowDays) / s.monitoring.stepDays + 1)
        // Replay directly: the ring never exceeds the window, the label log never the history.
        var replay = Replay(scenario: s, reference: ref, options: LabOptions(), windowDays: 7)
        var short = s
        short.productionDays = 20
        let sim = try TransactionSimulator(scenario: short)
        for b in sim.days() where b.day >= 0 {
            replay.add(b)
            #expect(replay.ring.count <= 7)
            #expect(replay.labelLog.count <= replay.labelHistoryDays + 1)
        }
    }

    /// The label log the battery reads carries every row's feature slices: the reference rows' bits
    /// as fitted, each production day's from its served features, named as the reference names them.
    @Test func labelLogCarriesTheFeatureSlices() throws {
        let ref = try #require(RunFixtures.reference)
        #expect(ref.slices.features.count >= 10 && ref.labelSlices.count == ref.labelDays.count)
        let s = try RunFixtures.scenario("control")
        var replay = Replay(scenario: s, reference: ref, options: LabOptions(), windowDays: 7)
        var short = s
        short.productionDays = 3
        var served: [UInt32] = []
        for b in try TransactionSimulator(scenario: short).days() where b.day >= 0 {
            replay.add(b)
            served += ref.slices.membership(try LabRunner.featureTable([(b.served, b.count)], extra: []))
        }
        let log = replay.labelledLog(asOf: 2)
        #expect(log.sliceFeatures == ref.slices.features && log.slices.count == log.count)
        #expect(Array(log.slices.suffix(served.count)) == served)
        // Slices are not constant: some production rows sit in slice 1 of some feature, some in none.
        #expect(served.contains { $0 != 0 } && Set(served).count > 1)
    }

    /// No peeking: the battery on day t is the same whether or not labels arriving after t exist.
    /// Moving every chargeback that arrives after t to "never" changes nothing on day t; moving
    /// them to day t changes the label monitors.
    @Test func labelsArrivingAfterTheStepNeverInfluenceIt() throws {
        let ref = try #require(RunFixtures.reference)
        let s = try RunFixtures.scenario("label-delay-slower")
        var full = s
        full.productionDays = 56
        let t = 55
        func replay(_ edit: (inout DayBatch) -> Void) throws -> Reading {
            var r = Replay(scenario: full, reference: ref, options: LabOptions(), windowDays: 14)
            let sim = try TransactionSimulator(scenario: full)
            for var b in sim.days() where b.day >= 0 {
                edit(&b)
                r.add(b)
            }
            return try r.battery(asOf: t)
        }
        let asIs = try replay { _ in }
        let futureErased = try replay { b in
            for i in 0..<b.count where b.chargebackDay[i] != TransactionSimulator.never && b.chargebackDay[i] > Int32(t) {
                b.chargebackDay[i] = TransactionSimulator.never
            }
        }
        let futureToday = try replay { b in
            for i in 0..<b.count where b.chargebackDay[i] != TransactionSimulator.never && b.chargebackDay[i] > Int32(t) {
                b.chargebackDay[i] = Int32(t)
            }
        }
        func label(_ r: Reading) -> [Double] {
            ["label_arrival", "concept_drift", "concept_recall_gap", "calibration"].map { r.detector($0)?.statistic ?? .nan }
        }
        #expect(label(asIs) == label(futureErased))
        #expect(asIs.impact.map { $0.measuredRecall } == futureErased.impact.map { $0.measuredRecall })
        #expect(label(asIs) != label(futureToday))
    }

    @Test func verdictsOfAControlCountEveryAlarmAsFalse() {
        func step(_ day: Int, _ kind: FailureKind) -> StepRecord {
            StepRecord(day: day, windowStart: day - 13, truth: [.none],
                       detectors: [StepDetector(detector: "ks", rawAlarm: kind != .none, alarm: kind != .none, indicates: kind,
                                                subkind: nil, features: ["amount"], statistic: 0, pValue: nil, threshold: 0)],
                       diagnosis: DiagnosisRecord(kind: kind, subkind: nil, features: ["amount"], confidence: 0.5, evidence: []),
                       models: [])
        }
        let steps = [step(13, .none), step(20, .covariateShift), step(27, .none), step(34, .covariateShift)]
        let control = Verdicts.score(steps: steps, injected: [], productionDays: 84)
        let d = control.first { $0.detector == "diagnosis" }!
        #expect(d.falseAlarms == 2 && d.daysBeforeOnset == 84 && d.firstAlarmDay == nil && !d.kindCorrect)
        let injected = [InjectedFailureRecord(kind: .covariateShift, subkind: "feature_shift", features: ["amount"], startDay: 28,
                                              rampDays: 0, endDay: nil, severity: 1)]
        let v = Verdicts.score(steps: steps, injected: injected, productionDays: 84).first { $0.detector == "diagnosis" }!
        #expect(v.falseAlarms == 1 && v.firstAlarmDay == 34 && v.detectionDelayDays == 6 && v.kindCorrect && v.featureCorrect == true)
    }

    /// A compound scenario's verdict does not depend on the order of its failures (found by fuzzing): the
    /// earliest sets the kind and onset, and an alarm naming another kind active in its window is right.
    @Test func compoundVerdictsDoNotDependOnTheOrderOfTheFailures() {
        func step(_ day: Int, _ truth: [FailureKind], _ kind: FailureKind) -> StepRecord {
            StepRecord(day: day, windowStart: day - 13, truth: truth, detectors: [],
                       diagnosis: DiagnosisRecord(kind: kind, subkind: nil, features: [], confidence: 0.5, evidence: []), models: [])
        }
        let missing = InjectedFailureRecord(kind: .dataQuality, subkind: "missing", features: ["amount"], startDay: 0, rampDays: 0, endDay: nil, severity: 1)
        let scale = InjectedFailureRecord(kind: .schemaChange, subkind: "unit_scale", features: ["amount"], startDay: 20, rampDays: 0, endDay: nil, severity: 1)
        let steps = [step(13, [.dataQuality], .dataQuality), step(20, [.dataQuality, .schemaChange], .schemaChange), step(27, [.dataQuality, .schemaChange], .none)]
        for injected in [[missing, scale], [scale, missing]] {
            let v = Verdicts.score(steps: steps, injected: injected, productionDays: 84).first { $0.detector == "diagnosis" }!
            #expect(v.injectedKind == .dataQuality && v.firstAlarmDay == 13 && v.detectionDelayDays == 13 && v.kindCorrect && v.falseAlarms == 0)
        }
        // Another kind active in the window counts as right; a kind active in none does not.
        let later = [step(13, [.none], .none), step(20, [.dataQuality, .schemaChange], .schemaChange)]
        let onMissing = InjectedFailureRecord(kind: .dataQuality, subkind: "missing", features: ["amount"], startDay: 14, rampDays: 0, endDay: nil, severity: 1)
        #expect(Verdicts.score(steps: later, injected: [onMissing, scale], productionDays: 84).first { $0.detector == "diagnosis" }!.kindCorrect)
        let wrong = [step(13, [.none], .none), step(20, [.dataQuality, .schemaChange], .priorShift)]
        #expect(!Verdicts.score(steps: wrong, injected: [onMissing, scale], productionDays: 84).first { $0.detector == "diagnosis" }!.kindCorrect)
    }
}
