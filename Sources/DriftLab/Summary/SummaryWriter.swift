import DriftCore
import DriftSim
import Foundation

/// Writes a sweep's summary files, each atomically: `summary.json`, `metrics.csv`, `power.csv`,
/// and `confusion/<detector>.scenario|window.csv|md`. Every byte is a function of the summary
/// (numbers in fixed or shortest round-trip form), so equal inputs give equal files.
public enum SummaryWriter {
    public static func write(_ s: SweepSummary, to folder: String) throws {
        try AtomicFile.write(json(s).serialized(), to: folder + "/summary.json")
        try AtomicFile.write(metricsCSV(s), to: folder + "/metrics.csv")
        try AtomicFile.write(powerCSV(s), to: folder + "/power.csv")
        for d in s.detectors {
            let base = folder + "/confusion/" + fileName(d.detector)
            try AtomicFile.write(csv(d.scenario), to: base + ".scenario.csv")
            try AtomicFile.write(markdown(d.scenario, title: "\(d.detector): run level (injected kind by diagnosed kind), sweep \(s.sweep)"), to: base + ".scenario.md")
            try AtomicFile.write(csv(d.window), to: base + ".window.csv")
            try AtomicFile.write(markdown(d.window, title: "\(d.detector): window level (active kind by kind said at the step), sweep \(s.sweep)"), to: base + ".window.md")
        }
    }

    /// A detector id as a file name: characters outside A-Z a-z 0-9 . _ - become '_'.
    public static func fileName(_ id: String) -> String {
        var out = String(id.unicodeScalars.map { s -> Character in
            let ok = s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "_" || s == "-" || s == ".")
            return ok ? Character(s) : "_"
        })
        if out.isEmpty || out.hasPrefix(".") { out = "_" + out }
        return out
    }

    static func number(_ v: Double) -> JSON { v.isFinite ? .number(v) : .null }

    static func matrixJSON(_ m: ConfusionMatrix) -> JSON {
        .object([
            ("labels", .array(ConfusionMatrix.kinds.map { .string($0.rawValue) })),
            ("counts", .array(m.counts.map { .array($0.map { .number(Double($0)) }) })),
            ("runs", .number(Double(m.total))),
            ("accuracy", number(m.accuracy)),
            ("macro_f1", number(m.macroF1)),
            ("kinds_present", .array(m.present.map { .string($0.rawValue) })),
            ("recall", .object(ConfusionMatrix.kinds.filter { !m.recall($0).isNaN }.map { ($0.rawValue, number(m.recall($0))) })),
        ])
    }

    public static func json(_ s: SweepSummary) -> JSON {
        let diagnosis = s.diagnosis
        return .object([
            ("sweep", .string(s.sweep)),
            ("sweep_hash", .string(s.sweepHash)),
            ("runs", .number(Double(s.runs))),
            ("controls", .number(Double(s.controls))),
            ("missing_cells", .array(s.missing.map(JSON.string))),
            ("headline", .object([
                ("diagnosis_macro_f1_severity_0_5_plus", number(diagnosis?.scenarioSevere.macroF1 ?? .nan)),
                ("diagnosis_false_alarms_per_180_days", number(diagnosis?.falseAlarms(perDays: 180) ?? .nan)),
                ("definition", .string("macro-F1 of the diagnosis's run-level kind over failure runs with severity >= 0.5 and the controls (kinds present as truth or prediction); false alarms are alarm steps on controls per 180 monitored production days")),
            ])),
            ("detectors", .array(s.detectors.map { d in
                .object([
                    ("detector", .string(d.detector)),
                    ("scenario", matrixJSON(d.scenario)),
                    ("scenario_severity_0_5_plus", matrixJSON(d.scenarioSevere)),
                    ("window", matrixJSON(d.window)),
                    ("failure_runs", .number(Double(d.failureRuns))),
                    ("detected_runs", .number(Double(d.delays.count))),
                    ("detection_delay_days", .object([("median", number(d.delayMedian)), ("p90", number(d.delayP90)),
                                                        ("values", .array(d.delays.map(number)))])),
                    ("mean_time_to_detection_days", number(d.meanTimeToDetection)),
                    ("missed_detection_rate", number(d.missedDetectionRate)),
                    ("control_runs", .number(Double(d.controlRuns))),
                    ("control_days", .number(Double(d.controlDays))),
                    ("control_false_alarms", .number(Double(d.controlFalseAlarms))),
                    ("false_alarms_per_30_days", number(d.falseAlarms(perDays: 30))),
                    ("false_alarms_per_180_days", number(d.falseAlarms(perDays: 180))),
                    ("mean_time_between_false_alarms_days", number(d.meanTimeBetweenFalseAlarms)),
                    ("feature_accuracy", number(d.featureAccuracy)),
                    ("feature_judged_runs", .number(Double(d.featureJudged))),
                    ("power", .array(d.power.map { p in
                        .object([("kind", .string(p.kind.rawValue)), ("severity", .number(p.severity)), ("runs", .number(Double(p.runs))),
                                 ("right_kind", .number(Double(p.hits))), ("power", number(p.power))])
                    })),
                ])
            })),
        ])
    }

    /// Fixed four decimals; empty for NaN, `inf` for infinity (MTFA without a false alarm).
    static func cell(_ v: Double) -> String {
        if v.isNaN { return "" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return String(format: "%.4f", v)
    }

    public static func metricsCSV(_ s: SweepSummary) -> String {
        let kinds = ConfusionMatrix.kinds
        var header = ["detector", "runs", "accuracy", "macro_f1", "macro_f1_severity_0_5_plus", "window_accuracy", "window_macro_f1",
                      "delay_median_days", "delay_p90_days", "mtd_days", "mtfa_days", "mdr", "false_alarms_per_30_days",
                      "false_alarms_per_180_days", "feature_accuracy"]
        header += kinds.map { "recall_\($0.rawValue)" }
        var out = header.joined(separator: ",") + "\n"
        for d in s.detectors {
            var row = [csvField(d.detector), String(d.scenario.total), cell(d.scenario.accuracy), cell(d.scenario.macroF1),
                       cell(d.scenarioSevere.macroF1), cell(d.window.accuracy), cell(d.window.macroF1), cell(d.delayMedian),
                       cell(d.delayP90), cell(d.meanTimeToDetection), cell(d.meanTimeBetweenFalseAlarms), cell(d.missedDetectionRate),
                       cell(d.falseAlarms(perDays: 30)), cell(d.falseAlarms(perDays: 180)), cell(d.featureAccuracy)]
            row += kinds.map { cell(d.scenario.recall($0)) }
            out += row.joined(separator: ",") + "\n"
        }
        return out
    }

    public static func powerCSV(_ s: SweepSummary) -> String {
        var out = "detector,kind,severity,runs,right_kind,power\n"
        for d in s.detectors {
            for p in d.power {
                out += "\(csvField(d.detector)),\(p.kind.rawValue),\(JSON.format(p.severity)),\(p.runs),\(p.hits),\(cell(p.power))\n"
            }
        }
        return out
    }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Rows: injected (or active) kind; columns: diagnosed kind.
    public static func csv(_ m: ConfusionMatrix) -> String {
        var out = "injected," + ConfusionMatrix.kinds.map(\.rawValue).joined(separator: ",") + "\n"
        for (i, k) in ConfusionMatrix.kinds.enumerated() {
            out += k.rawValue + "," + m.counts[i].map(String.init).joined(separator: ",") + "\n"
        }
        return out
    }

    public static func markdown(_ m: ConfusionMatrix, title: String) -> String {
        let kinds = ConfusionMatrix.kinds
        var out = "### \(title)\n\n"
        out += "| injected \\ diagnosed | " + kinds.map(\.rawValue).joined(separator: " | ") + " | recall |\n"
        out += "|---|" + kinds.map { _ in "---:" }.joined(separator: "|") + "|---:|\n"
        for (i, k) in kinds.enumerated() {
            let r = m.recall(k)
            out += "| \(k.rawValue) | " + m.counts[i].map(String.init).joined(separator: " | ") + " | " + (r.isNaN ? "" : String(format: "%.2f", r)) + " |\n"
        }
        out += "\nRuns \(m.total); accuracy \(cell(m.accuracy)); macro-F1 \(cell(m.macroF1)) over \(m.present.map(\.rawValue).joined(separator: ", "))\n"
        return out
    }
}
