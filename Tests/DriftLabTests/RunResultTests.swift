import DriftCore
import Testing
@testable import DriftLab

@Suite struct RunResultCodingTests {
    static func sample() -> RunResult {
        let manifest = RunManifest(scenarioName: "s", scenarioHash: "00ff", seed: 7, referenceDays: 30, productionDays: 20,
                                   windowDays: 14, stepDays: 7, models: .object([("logistic", .object([("c", .number(1))]))]),
                                   detectors: .object([("alpha", .number(0.01))]))
        let step = StepRecord(
            day: 13, windowStart: 0, truth: [.schemaChange],
            detectors: [StepDetector(detector: "ks", rawAlarm: true, alarm: false, indicates: .covariateShift, subkind: nil,
                                     features: ["amount"], statistic: 0.2, pValue: nil, threshold: 0.1)],
            diagnosis: DiagnosisRecord(kind: .schemaChange, subkind: "unit_scale", features: ["amount"], confidence: 0.9,
                                       evidence: ["amount: scale ratio 100"]),
            models: [ModelImpact(model: "logistic", alertRate: 0.01, realisedRecall: 0.5, realisedPrecision: 0.4,
                                 measuredRecall: .nan, measuredPrecision: 0.3, estimatedRecall: 0.6, estimatedPrecision: 0.45)])
        let ks = RunVerdict(detector: "ks", injectedKind: .schemaChange, firstAlarmDay: nil, detectionDelayDays: nil,
                            diagnosedKind: .none, diagnosedSubkind: nil, diagnosedFeatures: [],
                            kindCorrect: false, featureCorrect: nil, falseAlarms: 0, daysBeforeOnset: 17)
        let verdict = RunVerdict(detector: "diagnosis", injectedKind: .schemaChange, firstAlarmDay: 20, detectionDelayDays: 3,
                                 diagnosedKind: .schemaChange, diagnosedSubkind: "unit_scale", diagnosedFeatures: ["amount"],
                                 kindCorrect: true, featureCorrect: true, falseAlarms: 0, daysBeforeOnset: 17)
        return RunResult(manifest: manifest,
                         injected: [InjectedFailureRecord(kind: .schemaChange, subkind: "unit_scale", features: ["amount"],
                                                          startDay: 17, rampDays: 0, endDay: nil, severity: 0.5)],
                         steps: [step], verdicts: [ks, verdict])
    }

    @Test func roundTripsThroughJSONText() throws {
        let run = Self.sample()
        let text = run.json().serialized()
        #expect(text.hasPrefix("{\n  \"manifest\": {\n    \"tool_version\""))
        let back = try RunResult(json: JSON.parse(text), file: "run.json")
        // NaN does not compare equal; compare the re-serialised text instead.
        #expect(back.json().serialized() == text)
        #expect(back.steps[0].models[0].measuredRecall.isNaN)
        #expect(back.primaryKind == .schemaChange)
    }

    @Test func damagedFilesNameThePath() throws {
        var json = Self.sample().json().serialized()
        json = json.replacingOccurrences(of: "\"indicates\": \"covariate_shift\"", with: "\"indicates\": \"covariate\"")
        do {
            _ = try RunResult(json: JSON.parse(json), file: "run.json")
            Issue.record("no error")
        } catch let e as ConfigError {
            #expect(e.path == "steps[0].detectors[0].indicates")
            #expect(e.message.contains("is not one of") && e.message.contains("covariate_shift"))
        }
    }

    /// A run that decodes but is not whole (the schedule's steps or a detector's verdict gone) is
    /// refused, so a resumed sweep reruns it and a merge does not count it.
    @Test func incompleteRunsAreRefused() throws {
        let whole = Self.sample().json()
        guard case .object(let members) = whole else { Issue.record("not an object"); return }
        func damaged(_ key: String, _ value: JSON?) -> String {
            JSON.object(members.compactMap { $0.0 == key ? value.map { v in (key, v) } : $0 }).serialized()
        }
        let cases: [(String, String, String)] = [
            (damaged("steps", nil), "steps", "is required"),
            (damaged("steps", .array([])), "steps", "the manifest's schedule has 1"),
            (damaged("verdicts", .array([])), "verdicts", "incomplete"),
            (damaged("injected", nil), "injected", "is required"),
        ]
        for (text, path, message) in cases {
            do {
                _ = try RunResult(json: JSON.parse(text), file: "run.json")
                Issue.record("accepted a run without a whole \(path)")
            } catch let e as ConfigError {
                #expect(e.file == "run.json" && e.path == path && e.message.contains(message), "\(e)")
            }
        }
        // One step on the wrong day (the schedule's first window ends on day 13).
        let moved = whole.serialized().replacingOccurrences(of: "\"day\": 13", with: "\"day\": 14")
        #expect(throws: ConfigError.self) { try RunResult(json: JSON.parse(moved), file: "run.json") }
    }
}
