import DriftCore
import Foundation

extension SweepSummary {
    /// Reads back a `summary.json` written by `SummaryWriter`, so a report can be drawn from a results
    /// folder without its run files (they are not committed). Matrices come back from their counts;
    /// derived figures (accuracy, F1, delays' median) are recomputed, so they equal the written ones.
    /// Keys it does not know are ignored (a newer tool may add figures).
    /// A summary written before the delay values were recorded reads with no delays (box plots empty).
    public init(json: JSON, file: String) throws {
        var r = try ConfigReader(json, file: file, path: "")
        let sweep = try r.string("sweep")
        let hash = try r.string("sweep_hash")
        let runs = try r.int("runs", in: 0...Int.max)
        let controls = try r.int("controls", in: 0...Int.max)
        let missing = try r.strings("missing_cells") ?? []
        _ = try r.object("headline")
        guard let items = try r.array("detectors") else {
            throw ConfigError(file: file, path: "detectors", message: "missing: not a sweep summary written by 'driftlab sweep'")
        }
        var detectors: [DetectorSummary] = []
        for (i, item) in items.enumerated() {
            let path = "detectors[\(i)]"
            var d = try ConfigReader(item, file: file, path: path)
            var s = DetectorSummary(detector: try d.string("detector"))
            s.scenario = try Self.matrix(item["scenario"], file: file, path: path + ".scenario")
            s.scenarioSevere = try Self.matrix(item["scenario_severity_0_5_plus"], file: file, path: path + ".scenario_severity_0_5_plus")
            s.window = try Self.matrix(item["window"], file: file, path: path + ".window")
            s.failureRuns = try d.int("failure_runs", in: 0...Int.max)
            let detected = try d.int("detected_runs", in: 0...Int.max)
            s.missedRuns = s.failureRuns - detected
            if var delays = try d.object("detection_delay_days") {
                s.delays = RadixSort.sorted(try delays.doubles("values") ?? [])
            }
            s.controlRuns = try d.int("control_runs", in: 0...Int.max)
            s.controlDays = try d.int("control_days", in: 0...Int.max)
            s.controlFalseAlarms = try d.int("control_false_alarms", in: 0...Int.max)
            s.featureJudged = try d.int("feature_judged_runs", in: 0...Int.max)
            let accuracy = try d.optionalDouble("feature_accuracy", in: 0...1)
            s.featureCorrect = Int(((accuracy ?? 0) * Double(s.featureJudged)).rounded())
            for (k, p) in (try d.array("power") ?? []).enumerated() {
                var q = try ConfigReader(p, file: file, path: path + ".power[\(k)]")
                let kind = try q.string("kind", oneOf: FailureKind.allCases.map(\.rawValue))
                s.power.append(PowerPoint(kind: FailureKind(rawValue: kind) ?? .none, severity: try q.double("severity"),
                                          runs: try q.int("runs", in: 0...Int.max), hits: try q.int("right_kind", in: 0...Int.max)))
            }
            try Self.checkConsistent(s, detected: detected, runs: runs, controls: controls, file: file, path: path)
            detectors.append(s)
        }
        self.init(sweep: sweep, sweepHash: hash, runs: runs, controls: controls, missing: missing, detectors: detectors)
    }

    init(sweep: String, sweepHash: String, runs: Int, controls: Int, missing: [String], detectors: [DetectorSummary]) {
        self.sweep = sweep; self.sweepHash = sweepHash; self.runs = runs; self.controls = controls
        self.missing = missing; self.detectors = detectors
    }

    /// Reads `<folder>/summary.json`, or the file itself when given one.
    public static func read(_ input: String) throws -> SweepSummary {
        try readDocument(input).summary
    }

    /// Reads and checks `<folder>/summary.json` (or the file itself): the summary and the JSON it came
    /// from, for readers that show figures as written (`driftlab compare`).
    public static func readDocument(_ input: String) throws -> (summary: SweepSummary, json: JSON) {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory)
        let path = (exists && isDirectory.boolValue) || (!exists && !input.hasSuffix(".json")) ? input + "/summary.json" : input
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(file: path, path: "", message: "not found; name a sweep results folder (with summary.json) or a summary.json")
        }
        let json = try JSON.readFile(path)
        return (try SweepSummary(json: json, file: path), json)
    }

    /// Rejects a detector entry whose counts contradict each other or the sweep's run count, as an
    /// edited or damaged summary would (every run is one row of the run-level matrix, and so on).
    static func checkConsistent(_ s: DetectorSummary, detected: Int, runs: Int, controls: Int, file: String, path: String) throws {
        func fail(_ key: String, _ message: String) -> ConfigError { ConfigError(file: file, path: "\(path).\(key)", message: message + "; the file was edited or damaged: rewrite it with 'driftlab sweep' or 'driftlab merge'") }
        if s.scenario.total != runs { throw fail("scenario.counts", "hold \(s.scenario.total) runs, the sweep \(runs)") }
        if s.scenarioSevere.total > runs { throw fail("scenario_severity_0_5_plus.counts", "hold \(s.scenarioSevere.total) runs, more than the sweep's \(runs)") }
        if s.controlRuns != controls { throw fail("control_runs", "is \(s.controlRuns), the sweep has \(controls) controls") }
        if s.failureRuns + s.controlRuns != runs { throw fail("failure_runs", "\(s.failureRuns) failure runs and \(s.controlRuns) controls do not make the sweep's \(runs) runs") }
        if detected > s.failureRuns { throw fail("detected_runs", "\(detected) detected of \(s.failureRuns) failure runs") }
        if s.featureJudged > s.failureRuns { throw fail("feature_judged_runs", "\(s.featureJudged) judged of \(s.failureRuns) failure runs") }
        if !s.delays.isEmpty && s.delays.count != detected { throw fail("detection_delay_days.values", "hold \(s.delays.count) delays for \(detected) detected runs") }
        let powerRuns = s.power.reduce(0) { $0 + $1.runs }
        if !s.power.isEmpty && powerRuns != s.failureRuns { throw fail("power", "counts \(powerRuns) runs, not the \(s.failureRuns) failure runs") }
        if let p = s.power.firstIndex(where: { $0.hits > $0.runs }) { throw fail("power[\(p)].right_kind", "exceeds its runs") }
    }

    /// A confusion matrix from its `labels` and `counts` (labels in any order, unknown ones refused).
    static func matrix(_ json: JSON?, file: String, path: String) throws -> ConfusionMatrix {
        guard let json else { throw ConfigError(file: file, path: path, message: "missing") }
        var r = try ConfigReader(json, file: file, path: path)
        let labels = try r.strings("labels") ?? []
        let kinds = try labels.enumerated().map { i, l -> FailureKind in
            guard let k = FailureKind(rawValue: l) else {
                throw ConfigError(file: file, path: path + ".labels[\(i)]", message: "unknown kind '\(l)'")
            }
            return k
        }
        var m = ConfusionMatrix()
        for (i, row) in (try r.array("counts") ?? []).enumerated() {
            guard i < kinds.count, let cells = row.arrayValue, cells.count == kinds.count else {
                throw ConfigError(file: file, path: path + ".counts[\(i)]", message: "expected a row of \(kinds.count) counts")
            }
            for (j, cell) in cells.enumerated() {
                guard let v = cell.doubleValue, v >= 0, v == v.rounded(), v < 1e12 else {
                    throw ConfigError(file: file, path: path + ".counts[\(i)][\(j)]", message: "expected a whole count")
                }
                m.add(truth: kinds[i], predicted: kinds[j], count: Int(v))
            }
        }
        return m
    }
}
