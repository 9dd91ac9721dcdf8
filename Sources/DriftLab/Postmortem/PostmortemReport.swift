import DriftCharts
import DriftCore
import Foundation

/// report.html (self-contained, DriftCharts' HTMLReport): the recall drop with the change-point,
/// the root-cause feature before and after, and each fix's recovery.
enum PostmortemReport {
    static func html(_ r: PostmortemResult) -> HTMLReport {
        let rc = r.rootCause
        var sections: [HTMLReport.Section] = []
        let weeks = r.weeks
        if !weeks.isEmpty, let s = r.symptom {
            let x = weeks.map { Double($0.from) }
            var recall = LineChart.Series(name: "recall (matured labels)", values: weeks.map { $0.recall.value })
            recall.lower = weeks.map { $0.recall.interval.lower }; recall.upper = weeks.map { $0.recall.interval.upper }
            let card = LineChart.Series(name: "model card recall", values: weeks.map { _ in s.cardRecall.value })
            let precision = LineChart.Series(name: "precision (lower bound)", values: weeks.map { $0.precision.value })
            var markers: [Marker] = []
            var spans: [ShadedSpan] = []
            if let c = s.changePoint, c.isDrop {
                markers.append(Marker(x: Double(c.day), label: "change-point day \(c.day)", series: "recall"))
                spans.append(ShadedSpan(from: Double(c.day), to: Double(r.logs.lastDay), label: "after the change"))
            }
            if let v = s.visibleDay { markers.append(Marker(x: Double(v), label: "visible day \(v)", series: "recall")) }
            var chart = LineChart(title: "Weekly recall and precision on matured labels (95 % Wilson band)", xLabel: "cohort week (first day)",
                                  yLabel: "share", x: x, series: [recall, card, precision], spans: spans, markers: markers,
                                  markerRows: ["recall"], yRange: 0...1, showPoints: true)
            chart.bandLabel = "95 % interval"
            var text = "Weekly cohorts as known on day \(r.logs.lastDay) (`weekly.csv`)."
            if let c = s.changePoint, c.isDrop { text += " Recall fell on day **\(c.day)**: \(Fmt.rate(c.before)) before, \(Fmt.rate(c.after)) after." }
            sections.append(.init("The symptom", [.paragraph(text), .chart(chart)]))
        } else {
            let x = r.labelFree.map { Double($0.day) }
            let chart = LineChart(title: "Label-free expected recall (CBPE) per step", xLabel: "day", yLabel: "recall",
                                  x: x, series: [LineChart.Series(name: "CBPE expected recall", values: r.labelFree.map(\.cbpeRecall))], yRange: 0...1)
            sections.append(.init("The symptom (no matured labels)", [.paragraph("No fraud label had arrived: label-free estimates only (`steps.csv`)."), .chart(chart)]))
        }
        if let d = r.rootFeatureDistribution {
            let chart = BarChart(title: "`\(d.feature)`: reference, before and after day \(rc.from)", xLabel: "bin", yLabel: "share of rows",
                                 categories: d.bins, series: [BarChart.Series(name: "reference", values: d.reference),
                                                               BarChart.Series(name: "logs before", values: d.before),
                                                               BarChart.Series(name: "logs after", values: d.after)])
            sections.append(.init("Root cause: \(PostmortemText.kindText(rc))", [
                .paragraph(PostmortemText.causeText(rc.cause).prefix(1).uppercased() + PostmortemText.causeText(rc.cause).dropFirst() + ". Source: `root_feature.csv`."),
                .chart(chart),
            ]))
        }
        if !rc.repairs.isEmpty {
            let rows: [[HTMLReport.Cell]] = rc.repairs.prefix(10).enumerated().map { k, x in
                [.integer(k + 1), .text(x.description), .text(x.kind.rawValue), .number(x.recall.value, decimals: 3), .number(x.recovered, decimals: 3)]
            }
            sections.append(.init("Candidate causes ranked by recall recovered", [
                .table(HTMLReport.Table(columns: ["rank", "repair", "would undo", "recall", "recovered"], rows: rows, caption: "repairs.csv")),
            ]))
        }
        if let f = r.fixes {
            let names = ["before the change", "as run"] + f.fixes.map(\.title)
            let values = [f.before.value, f.asRun.recall.value] + f.fixes.map(\.recall.value)
            let precision = [Double.nan, f.asRun.precision.value] + f.fixes.map(\.precision.value)
            let chart = BarChart(title: "Recall on held-out days \(f.evalDays.lowerBound)...\(f.evalDays.upperBound) at the alert budget",
                                 xLabel: "", yLabel: "share", categories: names,
                                 series: [BarChart.Series(name: "recall", values: values),
                                          BarChart.Series(name: "precision (lower bound)", values: precision.map { $0.isFinite ? $0 : 0 })])
            let rows: [[HTMLReport.Cell]] = f.fixes.map { x in
                [.text(x.horizon), .text(x.title), .text(Fmt.rate(x.recall)), .text(Fmt.rate(x.precision)), .text(Fmt.p(x.recoveredShare, 0))]
            }
            sections.append(.init("Fixes and their recovery", [
                .chart(chart),
                .table(HTMLReport.Table(columns: ["horizon", "fix", "recall", "precision", "share of lost recall recovered"], rows: rows, caption: "fixes.csv")),
            ]))
        }
        let detectorRows: [[HTMLReport.Cell]] = r.detectors.filter { $0.firstAlarm != nil }.map { d in
            [.text(d.detector), .integer(d.firstAlarm!), .text(d.kind.rawValue), .text(d.features.joined(separator: ", ")),
             d.falseAlarmsPer30Days.map { .number($0, decimals: 3) } ?? .text("not available")]
        }
        sections.append(.init("What would have caught it earlier", [
            .paragraph("First alarm of each detector replayed over the logs; the drop became visible on matured labels on day "
                       + (r.symptom?.visibleDay.map(String.init) ?? "(never)") + ". False-alarm rates: the standard sweep's control runs."),
            .table(HTMLReport.Table(columns: ["detector", "first alarm", "reads", "features", "false alarms / 30 days"], rows: detectorRows, caption: "detectors.csv")),
        ]))
        let summary = HTMLReport.Table(columns: ["finding", "value"], rows: [
            ["root cause", .text(PostmortemText.kindText(rc))], ["class", .text(rc.cause.rawValue)],
            ["change-point", .text(r.symptom?.changePoint.flatMap { $0.isDrop ? "day \($0.day)" : nil } ?? "none")],
            ["logs", .text("\(r.logs.rowCount) rows, days \(r.logs.firstDay)...\(r.logs.lastDay)")],
        ])
        return HTMLReport(title: "Postmortem", subtitle: "`driftlab diagnose` on `\(r.options.logs)`, as of day \(r.logs.lastDay)",
                          navigation: [HTMLReport.Link("postmortem.md", href: "postmortem.md"), HTMLReport.Link("monitoring.md", href: "monitoring.md")],
                          summary: summary, sections: sections)
    }
}
