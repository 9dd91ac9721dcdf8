import DriftCharts
import DriftCore

/// The short text summary `driftlab run` prints and the run's self-contained `report.html`.
public enum RunReport {
    /// A few lines: injected kind, first alarm and delay, diagnosis, false alarms, recall drop.
    public static func summary(_ r: RunResult, directory: String? = nil) -> String {
        var lines: [String] = []
        // Every failure of a compound scenario, in the order of the file.
        let injected = r.injected.isEmpty ? "none (control)" : r.injected.map { f in
            "\(f.kind.rawValue)/\(f.subkind)\(f.features.isEmpty ? "" : " on " + f.features.joined(separator: ", ")) from day \(f.startDay), severity \(f.severity)"
        }.joined(separator: "; ")
        lines.append("run \(r.manifest.scenarioName) (seed \(r.manifest.seed), hash \(r.manifest.scenarioHash))")
        lines.append("injected:       \(injected)")
        if let d = r.verdicts.first(where: { $0.detector == "diagnosis" }) {
            if let day = d.firstAlarmDay {
                lines.append("first alarm:    day \(day) (delay \(d.detectionDelayDays ?? 0) days)")
            } else {
                lines.append("first alarm:    \(r.injected.isEmpty ? "-" : "none after onset")")
            }
            let features = d.diagnosedFeatures.prefix(3).joined(separator: ", ")
            lines.append("diagnosis:      \(d.diagnosedKind.rawValue)\(d.diagnosedSubkind.map { "/" + $0 } ?? "")\(features.isEmpty ? "" : " on " + features)"
                         + " (\(d.kindCorrect ? "correct" : "wrong")\(d.featureCorrect.map { $0 ? ", feature correct" : ", feature wrong" } ?? ""))")
            lines.append("false alarms:   \(d.falseAlarms) in \(d.daysBeforeOnset) days before onset")
        }
        if let first = r.steps.first?.models.last, let last = r.steps.last?.models.last {
            lines.append("recall (\(last.model)): \(HTMLReport.formatNumber(first.realisedRecall, decimals: 3)) at the first step, "
                         + "\(HTMLReport.formatNumber(last.realisedRecall, decimals: 3)) at the last (realised)")
        }
        let detectors = r.verdicts.filter { $0.detector != "diagnosis" && $0.kindCorrect && $0.firstAlarmDay != nil }.map(\.detector)
        if !r.injected.isEmpty { lines.append("detectors right on their own: \(detectors.isEmpty ? "none" : detectors.joined(separator: ", "))") }
        if let directory { lines.append("wrote \(directory)/run.json and \(directory)/report.html") }
        return lines.joined(separator: "\n")
    }

    /// The run report: summary table, recall timeline with onset shaded and alarms marked, the
    /// per-feature PSI heatmap and the missing-rate heatmap.
    public static func html(_ r: RunResult, trace: RunTrace) -> String {
        let x = r.steps.map { Double($0.day) }
        var series: [LineChart.Series] = []
        for model in r.steps.first?.models.map(\.model) ?? [] {
            func values(_ f: (ModelImpact) -> Double) -> [Double] {
                r.steps.map { s in s.models.first { $0.model == model }.map(f) ?? .nan }
            }
            series.append(.init(name: "\(model) realised", values: values(\.realisedRecall)))
            series.append(.init(name: "\(model) measured", values: values(\.measuredRecall)))
            series.append(.init(name: "\(model) estimated", values: values(\.estimatedRecall)))
        }
        let spans = r.injected.map { f -> ShadedSpan in
            let end = Double(f.endDay ?? r.manifest.productionDays)
            return ShadedSpan(from: Double(f.startDay), to: min(end, Double(f.startDay + max(f.rampDays, 1))),
                              label: "\(f.kind.rawValue) onset\(f.rampDays > 1 ? " + ramp" : "")")
        }
        var markers: [Marker] = []
        var rows: [String] = ["diagnosis"]
        for s in r.steps {
            if s.diagnosis.kind != .none { markers.append(Marker(x: Double(s.day), label: s.diagnosis.kind.rawValue, series: "diagnosis")) }
            for d in s.detectors where d.alarm {
                if !rows.contains(d.detector) { rows.append(d.detector) }
                markers.append(Marker(x: Double(s.day), label: d.indicates.rawValue, series: d.detector))
            }
        }
        let timeline = LineChart(title: "Recall per model: realised, measured on arrived labels, estimated without labels",
                                 xLabel: "production day", yLabel: "recall", x: x, series: series, spans: spans,
                                 markers: markers, markerRows: rows, yRange: 0...1, height: 380 + 14 * Double(rows.count))
        let columns = trace.days.map { "\($0)" }
        func transpose(_ m: [[Double]]) -> [[Double]] {
            trace.features.indices.map { f in m.map { f < $0.count ? $0[f] : .nan } }
        }
        let heat = Heatmap(title: "Feature drift per step (PSI against the reference)", xLabel: "production day (window end)",
                           yLabel: "feature", rowLabels: trace.features, columnLabels: columns, values: transpose(trace.psi),
                           valueLabel: "PSI", height: 560)
        let missing = Heatmap(title: "Missing rate per feature and step", xLabel: "production day (window end)", yLabel: "feature",
                              rowLabels: trace.features, columnLabels: columns, values: transpose(trace.missing),
                              shading: .value(domain: 0...1), valueLabel: "missing share", height: 560)
        let verdictRows: [[HTMLReport.Cell]] = r.verdicts.map { v in
            [.text(v.detector), .text(v.firstAlarmDay.map { "\($0)" } ?? "-"), .text(v.detectionDelayDays.map { "\($0)" } ?? "-"),
             .text(v.diagnosedKind.rawValue + (v.diagnosedSubkind.map { "/" + $0 } ?? "")), .text(v.diagnosedFeatures.prefix(3).joined(separator: ", ")),
             .text(v.kindCorrect ? "yes" : "no"), .text("\(v.falseAlarms)")]
        }
        let report = HTMLReport(
            title: "Run \(r.manifest.scenarioName)",
            subtitle: "seed \(r.manifest.seed), scenario hash `\(r.manifest.scenarioHash)`, tool \(r.manifest.toolVersion)",
            summary: HTMLReport.Table(columns: ["summary"], rows: summary(r).split(separator: "\n").map { [.text(String($0))] }),
            sections: [
                .init("Timeline", [.chart(timeline)]),
                .init("Feature drift", [.chart(heat), .chart(missing)]),
                .init("Verdicts", [.table(HTMLReport.Table(columns: ["detector", "first alarm", "delay", "diagnosed", "features", "kind correct", "false alarms"],
                                                           rows: verdictRows))]),
            ])
        return report.html()
    }
}
