import DriftCore
import DriftLab
import Foundation

/// `driftlab compare <results>...`: detectors or whole sweeps side by side, from their summary.json.
let compareCommand = Command(
    name: "compare",
    summary: "Compare detectors or sweeps side by side (metrics and confusion matrices)",
    help: """
    USAGE: driftlab compare <results-dir-or-summary.json>... [--detectors a,b] [--window] [--json]

    Reads each sweep's summary.json and prints one metrics row per sweep and detector (run-level
    accuracy and macro-F1, macro-F1 on severity >= 0.5 with controls, window-level accuracy and
    macro-F1, detection delay median and 90th percentile, mean time to detection, mean time between
    false alarms, missed detection rate, false alarms per 30 and 180 days on controls, root-cause
    feature accuracy), then their confusion matrices side by side (injected kind rows, diagnosed
    kind columns; kinds abbreviated as none cov prior concept schema dq label).

    OPTIONS:
      --detectors a,b  only these detector ids (default: all; 'diagnosis' is the combined diagnosis)
      --window         show the window-level confusion matrices instead of the run-level ones
      --json           machine-readable output: the selected detectors' entries of each summary

    EXAMPLE: driftlab compare results/standard results/validation --detectors diagnosis
    EXAMPLE: driftlab compare results/standard/summary.json --json
    """,
    run: { args in
        let detectorList = try args.option("detectors")
        let window = args.flag("window")
        let asJSON = args.flag("json")
        var inputs = [try args.positional("results folder or summary.json")]
        while let more = try? args.positional("results folder or summary.json") { inputs.append(more) }
        try args.finish(knownFlags: ["detectors", "window", "json"])

        var entries: [(sweep: String, detector: JSON)] = []
        var available: [String] = []
        let wanted = detectorList.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        if wanted?.isEmpty == true { throw UsageError("--detectors names no detector; give ids separated by commas, e.g. diagnosis,ks") }
        for input in inputs {
            // Checked as report checks it (counts whole, consistent with the run count), shown as written.
            let (summary, json) = try SweepSummary.readDocument(input)
            let sweep = summary.sweep
            for d in json["detectors"]?.arrayValue ?? [] {
                let id = d["detector"]?.stringValue ?? "?"
                if !available.contains(id) { available.append(id) }
                if wanted == nil || wanted!.contains(id) { entries.append((sweep, d)) }
            }
        }
        for id in wanted ?? [] where !available.contains(id) {
            var m = "no detector '\(id)' in these results"
            if let g = closestMatch(to: id, in: available) { m += " (did you mean '\(g)'?)" }
            throw UsageError(m + "; the detectors are: \(available.joined(separator: ", "))")
        }
        if asJSON {
            let doc = JSON.array(entries.map { .object([("sweep", .string($0.sweep))] + ($0.detector.objectValue ?? [])) })
            print(doc.serialized(), terminator: "")
            return
        }
        print(metricsTable(entries))
        print(confusionBlocks(entries, level: window ? "window" : "scenario"))
    })

private func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
    if s.count >= n { return s }
    let fill = String(repeating: " ", count: n - s.count)
    return right ? fill + s : s + fill
}

private func figure(_ v: JSON?, _ digits: Int = 3) -> String {
    guard let d = v?.doubleValue, d.isFinite else { return v == .null || v == nil ? "-" : "?" }
    return String(format: "%.\(digits)f", d)
}

func metricsTable(_ entries: [(sweep: String, detector: JSON)]) -> String {
    let columns: [(String, (JSON) -> String)] = [
        ("runs", { figure($0["scenario"]?["runs"], 0) }),
        ("acc", { figure($0["scenario"]?["accuracy"]) }),
        ("F1", { figure($0["scenario"]?["macro_f1"]) }),
        ("F1>=0.5", { figure($0["scenario_severity_0_5_plus"]?["macro_f1"]) }),
        ("win-acc", { figure($0["window"]?["accuracy"]) }),
        ("win-F1", { figure($0["window"]?["macro_f1"]) }),
        ("delay-med", { figure($0["detection_delay_days"]?["median"], 1) }),
        ("delay-p90", { figure($0["detection_delay_days"]?["p90"], 1) }),
        ("MTD", { figure($0["mean_time_to_detection_days"], 1) }),
        ("MTFA", { d in d["control_false_alarms"]?.doubleValue == 0 && (d["control_days"]?.doubleValue ?? 0) > 0 ? "inf" : figure(d["mean_time_between_false_alarms_days"], 1) }),
        ("MDR", { figure($0["missed_detection_rate"]) }),
        ("FA/30d", { figure($0["false_alarms_per_30_days"]) }),
        ("FA/180d", { figure($0["false_alarms_per_180_days"]) }),
        ("feat-acc", { figure($0["feature_accuracy"]) }),
    ]
    let sweepWidth = max(5, entries.map(\.sweep.count).max() ?? 0) + 2
    let detWidth = max(8, entries.map { ($0.detector["detector"]?.stringValue ?? "").count }.max() ?? 0) + 2
    var out = pad("sweep", sweepWidth) + pad("detector", detWidth) + columns.map { pad($0.0, 10, right: true) }.joined() + "\n"
    for e in entries {
        out += pad(e.sweep, sweepWidth) + pad(e.detector["detector"]?.stringValue ?? "?", detWidth)
        out += columns.map { pad($0.1(e.detector), 10, right: true) }.joined() + "\n"
    }
    return out
}

/// Confusion matrices as text blocks, three side by side.
func confusionBlocks(_ entries: [(sweep: String, detector: JSON)], level: String) -> String {
    let short = ["none", "cov", "prior", "concept", "schema", "dq", "label"]
    var blocks: [[String]] = []
    for e in entries {
        let counts = (e.detector[level]?["counts"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).map { Int($0.doubleValue ?? 0) } }
        var lines = ["\(e.sweep) / \(e.detector["detector"]?.stringValue ?? "?") (\(level == "window" ? "window" : "run") level)"]
        lines.append(pad("", 8) + short.map { pad($0, 8, right: true) }.joined())
        for (i, row) in counts.enumerated() where i < short.count {
            lines.append(pad(short[i], 8) + row.map { pad(String($0), 8, right: true) }.joined())
        }
        blocks.append(lines)
    }
    var out = "\nConfusion matrices (rows: injected kind, columns: diagnosed kind)\n"
    let width = 8 + 8 * short.count + 4
    var start = 0
    while start < blocks.count {
        let group = blocks[start..<min(start + 3, blocks.count)]
        let height = group.map(\.count).max() ?? 0
        for row in 0..<height {
            out += group.map { pad(row < $0.count ? $0[row] : "", width) }.joined().replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        out += "\n"
        start += 3
    }
    return out
}
