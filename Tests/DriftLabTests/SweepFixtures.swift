import DriftCore
import DriftSim
import Foundation
@testable import DriftLab

/// A fast stand-in for the lab runner: a deterministic function of the scenario that produces a
/// plausible RunResult (steps with truth, three detectors, a diagnosis, verdicts), so the sweep's
/// mechanics can be tested in milliseconds. Detection odds grow with severity; controls get rare
/// false alarms. Not a model of anything: only its determinism and shape matter.
enum FakeRunner {
    static let detectors: [(String, FailureKind)] = [("feature_ks", .covariateShift), ("schema_check", .schemaChange),
                                                     ("label_arrival", .labelDelay)]

    /// A uniform number in [0, 1) from the seed and two salts.
    static func u(_ seed: UInt64, _ a: Int, _ b: Int) -> Double {
        var g = Xoshiro256StarStar(seed: seed, stream: UInt64(a) << 32 | UInt64(b))
        return g.uniform()
    }

    static func run(_ s: Scenario) -> RunResult {
        let failure = s.failures.first
        let severity = failure?.severity ?? 0
        let w = s.monitoring.windowDays, stepDays = s.monitoring.stepDays
        var steps: [StepRecord] = []
        var day = w - 1
        while day < s.productionDays {
            let start = day - w + 1
            var truth: [FailureKind] = []
            for f in s.failures where (start...day).contains(where: { f.strength(onDay: $0) > 0 }) && !truth.contains(f.kind) { truth.append(f.kind) }
            if truth.isEmpty { truth = [.none] }
            let active = truth != [.none]
            var readings: [StepDetector] = []
            for (k, (id, kind)) in detectors.enumerated() {
                let x = u(s.seed, day, k + 1)
                let alarm = active ? (truth.contains(kind) ? x < 0.3 + 0.7 * severity : x < 0.1) : x < 0.02
                readings.append(StepDetector(detector: id, rawAlarm: alarm, alarm: alarm, indicates: alarm ? kind : .none, subkind: nil,
                                             features: [], statistic: x, pValue: nil, threshold: 0.5))
            }
            let x = u(s.seed, day, 0)
            var kind = FailureKind.none
            if active && x < 0.2 + 0.8 * severity { kind = x < 0.1 ? .covariateShift : truth[0] }
            if !active && x < 0.015 { kind = .priorShift }
            let features = kind == failure?.kind ? (failure?.features ?? []) : (kind == .none ? [] : ["amount"])
            steps.append(StepRecord(day: day, windowStart: start, truth: truth, detectors: readings,
                                    diagnosis: DiagnosisRecord(kind: kind, subkind: nil, features: features, confidence: x, evidence: []),
                                    models: [ModelImpact(model: "logistic", alertRate: x, realisedRecall: .nan, realisedPrecision: 0.5,
                                                         measuredRecall: 0.4, measuredPrecision: 0.5, estimatedRecall: 0.45, estimatedPrecision: 0.5)]))
            day += stepDays
        }
        let onset = failure?.startDay ?? s.productionDays
        var verdicts: [RunVerdict] = []
        for (k, id) in (["diagnosis"] + detectors.map(\.0)).enumerated() {
            func said(_ step: StepRecord) -> (FailureKind, [String]) {
                if k == 0 { return (step.diagnosis.kind, step.diagnosis.features) }
                let d = step.detectors[k - 1]
                return (d.alarm ? d.indicates : .none, d.features)
            }
            let alarms = steps.filter { said($0).0 != .none }
            let before = alarms.filter { $0.day < onset }
            let after = failure == nil ? alarms.first : alarms.first { $0.day >= onset }
            let (kind, features) = after.map(said) ?? (.none, [])
            let injected = failure?.kind ?? .none
            verdicts.append(RunVerdict(detector: id, injectedKind: injected, firstAlarmDay: failure == nil ? nil : after?.day,
                                       detectionDelayDays: failure == nil ? nil : after.map { $0.day - onset },
                                       diagnosedKind: kind, diagnosedSubkind: nil, diagnosedFeatures: features,
                                       kindCorrect: kind == injected,
                                       featureCorrect: (failure?.features.isEmpty ?? true) || after == nil ? nil : features.first.map { failure!.features.contains($0) } ?? false,
                                       falseAlarms: failure == nil ? alarms.count : before.count,
                                       daysBeforeOnset: failure == nil ? s.productionDays : onset))
        }
        let manifest = RunManifest(scenarioName: s.name, scenarioHash: ScenarioFile.contentHash(s), seed: s.seed,
                                   referenceDays: s.referenceDays, productionDays: s.productionDays, windowDays: w,
                                   stepDays: stepDays, models: .object([]), detectors: .object([("fake", .bool(true))]))
        let injected = s.failures.map {
            InjectedFailureRecord(kind: $0.kind, subkind: $0.subkind, features: $0.features, startDay: $0.startDay,
                                  rampDays: $0.rampDays, endDay: $0.endDay, severity: $0.severity)
        }
        return RunResult(manifest: manifest, injected: injected, steps: steps, verdicts: verdicts)
    }

    /// The fake as a reference-caching backend: `prepare` returns the reference key it was asked
    /// for, and `run` checks that the reference it is handed belongs to its scenario.
    static func backend(prepared: PrepareCounter? = nil) -> SweepBackend<String> {
        SweepBackend(prepare: { s in
            prepared?.increment()
            var bare = s; bare.failures = []; bare.name = "reference"
            return ScenarioFile.contentHash(bare)
        }, run: { s, reference in
            var bare = s; bare.failures = []; bare.name = "reference"
            precondition(reference == ScenarioFile.contentHash(bare), "handed another cell's reference")
            return run(s)
        })
    }
}

final class PrepareCounter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLock()
    func increment() { lock.lock(); n += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return n }
}

/// A small sweep over an inline base: 5 failure families x 2 severities x 2 windows x 2 seeds + 2
/// controls per seed and window = 48 cells.
let smallSweepText = """
{
  "name": "small",
  "description": "test sweep",
  "base": {"name": "base", "seed": 11, "population": {"customers": 500, "merchants": 50, "transactions_per_day": 100},
           "reference_days": 20, "production_days": 60, "monitoring": {"window_days": 14, "step_days": 7}, "failures": []},
  "seed": 5,
  "seeds": 2,
  "severities": [0.5, 1],
  "onset_days": [21],
  "window_days": [7, 14],
  "cells": [
    {"kind": "schema_change", "subkind": "unit_scale", "params": {"factor": 1000}},
    {"kind": "prior_shift"},
    {"kind": "covariate_shift", "subkind": "feature_shift", "features": ["amount"], "ramp_days": 7},
    {"kind": "label_delay", "subkind": "outage", "end_day": 50}
  ],
  "controls": {"count": 2}
}
"""

func smallSweep() throws -> Sweep { try SweepFile.decode(try JSON.parse(smallSweepText), file: "small.json") }

func scratchFolder(_ label: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("driftlab-\(label)-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

/// Every file under `folder` (relative path -> bytes), for byte-for-byte comparisons.
func folderContents(_ folder: String) throws -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    let e = FileManager.default.enumerator(atPath: folder)
    while let name = e?.nextObject() as? String {
        var isDir: ObjCBool = false
        let path = folder + "/" + name
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue { out[name] = try AtomicFile.read(path) }
    }
    return out
}
