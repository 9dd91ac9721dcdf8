import DriftCharts
import DriftCore
import Foundation

/// A sweep's self-contained `report.html`, drawn from its `SweepSummary` (and the cell list of
/// `sweep.json` for the links to each run): the summary tables, confusion matrices as heatmaps,
/// power against severity, detection delays, false alarms and root-cause feature accuracy.
/// Every byte is a function of the summary and the manifest, so `driftlab sweep`, `driftlab merge`
/// and `driftlab report` write the same file for the same results.
public enum SweepReport {
    /// "covariate_shift" -> "covariate shift".
    static func kindName(_ k: FailureKind) -> String { k.rawValue.replacingOccurrences(of: "_", with: " ") }
    static let kinds = ConfusionMatrix.kinds
    static let failureKinds = kinds.filter { $0 != .none }

    /// Writes `<folder>/report.html` atomically and returns its path.
    @discardableResult
    public static func write(_ s: SweepSummary, manifest: SweepManifest?, to folder: String) throws -> String {
        let path = folder + "/report.html"
        try AtomicFile.write(html(s, manifest: manifest), to: path)
        return path
    }

    /// The page: a function of the summary and the manifest only (not of where the folder is).
    public static func html(_ s: SweepSummary, manifest: SweepManifest?) -> String {
        report(s, manifest: manifest).html()
    }

    static func report(_ s: SweepSummary, manifest: SweepManifest?) -> HTMLReport {
        let failureRuns = s.diagnosis?.failureRuns ?? 0
        var subtitle = "Runs: \(failureRuns) with an injected failure and \(s.controls) controls; sweep hash `\(s.sweepHash)`, tool \(DriftLabVersion.current)."
        if let d = manifest?.description, !d.isEmpty { subtitle = d + " " + subtitle }
        if !s.missing.isEmpty { subtitle += " **Partial: \(s.missing.count) cells have no run.**" }
        return HTMLReport(
            title: "Sweep \(s.sweep)",
            subtitle: subtitle,
            navigation: [.init("summary.json", href: "summary.json"), .init("metrics.csv", href: "metrics.csv"),
                         .init("power.csv", href: "power.csv"), .init("sweep.json (cells)", href: "sweep.json")],
            summary: headlineTable(s),
            sections: [
                .init("Detectors and the diagnosis", [
                    .paragraph("One row per detector, each alarm read as the kind it indicates; `diagnosis` is the combined diagnosis. Run level: the kind named by the first alarm at or after the onset (on a control, by its first alarm). Definitions: docs/sweeps.md."),
                    .table(metricsTable(s)), .table(recallTable(s)),
                ]),
                .init("Confusion matrices", confusionBlocks(s)),
                .init("Power against severity", [
                    .paragraph("Share of failure runs whose first alarm after the onset names the injected kind, per kind and severity. Each panel shows the diagnosis and the detectors that were right at least once on that kind."),
                    .chart(powerFigure(s)),
                ]),
                .init("Detection delay", [.chart(delayChart(s))]),
                .init("False alarms", [.chart(falseAlarmChart(s))]),
                .init("Root-cause feature", [.chart(featureChart(s))]),
                .init("Runs", runBlocks(manifest)),
            ])
    }

    // MARK: tables

    static func headlineTable(_ s: SweepSummary) -> HTMLReport.Table {
        guard let d = s.diagnosis else { return HTMLReport.Table(columns: ["figure", "value"], rows: [["diagnosis", "no verdicts in the runs"]]) }
        let rows: [[HTMLReport.Cell]] = [
            ["diagnosis macro-F1, run level, severity >= 0.5 and controls (headline)", .number(d.scenarioSevere.macroF1, decimals: 3)],
            ["diagnosis false alarms per 180 days on controls", .number(d.falseAlarms(perDays: 180), decimals: 2)],
            ["diagnosis accuracy / macro-F1, run level, all runs", .text("\(fmt(d.scenario.accuracy, 3)) / \(fmt(d.scenario.macroF1, 3))")],
            ["diagnosis accuracy / macro-F1, window level", .text("\(fmt(d.window.accuracy, 3)) / \(fmt(d.window.macroF1, 3))")],
            ["detection delay, median / 90th percentile (days)", .text("\(fmt(d.delayMedian, 1)) / \(fmt(d.delayP90, 1))")],
            ["MTD (days) / MTFA (days) / MDR", .text("\(fmt(d.meanTimeToDetection, 1)) / \(fmt(d.meanTimeBetweenFalseAlarms, 1)) / \(fmt(d.missedDetectionRate, 3))")],
            ["root-cause feature accuracy", .text("\(fmt(d.featureAccuracy, 3)) (of \(d.featureJudged) runs that name features)")],
        ]
        return HTMLReport.Table(columns: ["figure", "value"], rows: rows)
    }

    static func fmt(_ v: Double, _ decimals: Int) -> String { HTMLReport.formatNumber(v, decimals: decimals) }

    static func metricsTable(_ s: SweepSummary) -> HTMLReport.Table {
        let columns = ["detector", "runs", "accuracy", "macro-F1", "macro-F1 sev >= 0.5", "window accuracy", "window macro-F1",
                       "delay median (days)", "delay p90 (days)", "MTD (days)", "MTFA (days)", "MDR", "false alarms / 30 days", "feature accuracy"]
        let rows: [[HTMLReport.Cell]] = s.detectors.map { d in
            [.text(d.detector), .integer(d.scenario.total), .number(d.scenario.accuracy, decimals: 3), .number(d.scenario.macroF1, decimals: 3),
             .number(d.scenarioSevere.macroF1, decimals: 3), .number(d.window.accuracy, decimals: 3), .number(d.window.macroF1, decimals: 3),
             .number(d.delayMedian, decimals: 1), .number(d.delayP90, decimals: 1), .number(d.meanTimeToDetection, decimals: 1),
             .number(d.meanTimeBetweenFalseAlarms, decimals: 0), .number(d.missedDetectionRate, decimals: 3),
             .number(d.falseAlarms(perDays: 30), decimals: 3), .number(d.featureAccuracy, decimals: 3)]
        }
        return HTMLReport.Table(columns: columns, rows: rows,
                                caption: "Run-level figures; MTD mean time to detection, MTFA mean time between false alarms (∞: none on the controls), MDR missed detection rate; – no value")
    }

    static func recallTable(_ s: SweepSummary) -> HTMLReport.Table {
        let rows: [[HTMLReport.Cell]] = s.detectors.map { d in
            [.text(d.detector)] + kinds.map { .number(d.scenario.recall($0), decimals: 2) }
        }
        return HTMLReport.Table(columns: ["detector"] + kinds.map { $0 == .none ? "none (controls quiet)" : kindName($0) }, rows: rows,
                                caption: "Run-level recall per injected kind (all severities): the share of the kind's runs whose first alarm after the onset names it")
    }

    // MARK: charts

    /// A confusion matrix as a heatmap: counts printed, colour the share of the row (recall per kind).
    static func confusionChart(_ m: ConfusionMatrix, title: String, width: Double, height: Double) -> Heatmap {
        let names = kinds.map(kindName)
        var chart = Heatmap(title: title, xLabel: "diagnosed kind", yLabel: "injected kind", rowLabels: names, columnLabels: names,
                            values: m.counts.map { $0.map(Double.init) }, shading: .rowShare, valueLabel: "share of row",
                            annotationDecimals: 0, width: width, height: height)
        chart.annotateZeros = false
        return chart
    }

    /// Short kind names for the small per-detector matrices (the key is printed above them).
    static let shortNames = ["none", "cov", "prior", "concept", "schema", "dq", "label"]

    static func confusionBlocks(_ s: SweepSummary) -> [HTMLReport.Block] {
        var blocks: [HTMLReport.Block] = [
            .paragraph("Rows: the injected kind (`none` for controls); columns: the kind named by the alarm. The number is the count (blank: none), the shade its share of the row. Run level: one entry per run; window level: one per monitoring step, against the kinds active in the window."),
        ]
        if let d = s.diagnosis {
            blocks.append(.chart(Figure(title: "The diagnosis", charts: [
                confusionChart(d.scenario, title: "diagnosis, run level (\(d.scenario.total) runs)", width: 580, height: 420),
                confusionChart(d.window, title: "diagnosis, window level (\(d.window.total) steps)", width: 580, height: 420),
            ], columns: 2)))
        }
        let single = s.detectors.filter { $0.detector != "diagnosis" }
        if !single.isEmpty {
            blocks.append(.paragraph("Each detector on its own, run level and window level side by side, same shading (share of row, white 0 to dark blue 1). Kinds: none, cov = covariate shift, prior = prior shift, concept = concept drift, schema = schema change, dq = data quality, label = label delay."))
            var charts: [any Chart] = []
            for d in single {
                for (m, level) in [(d.scenario, "run"), (d.window, "window")] {
                    var chart = Heatmap(title: "\(d.detector), \(level)", xLabel: "diagnosed", yLabel: "injected", rowLabels: shortNames,
                                        columnLabels: shortNames, values: m.counts.map { $0.map(Double.init) }, shading: .rowShare,
                                        valueLabel: "share of row", annotationDecimals: 0, width: 292, height: 290)
                    chart.annotateZeros = false
                    chart.colourLegend = false
                    charts.append(chart)
                }
            }
            blocks.append(.chart(Figure(title: "", charts: charts, columns: 4)))
        }
        return blocks
    }

    static func powerFigure(_ s: SweepSummary) -> Figure {
        var charts: [any Chart] = []
        for kind in failureKinds {
            let severities = Array(Set(s.detectors.flatMap { $0.power.filter { $0.kind == kind }.map(\.severity) })).sorted()
            guard !severities.isEmpty else { continue }
            var series: [LineChart.Series] = []
            for d in s.detectors {
                let points = d.power.filter { $0.kind == kind }
                guard d.detector == "diagnosis" || points.contains(where: { $0.hits > 0 }) else { continue }
                series.append(.init(name: d.detector, values: severities.map { sev in points.first { $0.severity == sev }?.power ?? .nan }))
            }
            let runs = s.diagnosis?.power.filter { $0.kind == kind }.map(\.runs).reduce(0, +) ?? 0
            var chart = LineChart(title: "\(kindName(kind)) (\(runs) runs)", xLabel: "severity (0 to 1, the failure's strength)",
                                  yLabel: "power (share named right)", x: severities, series: series, yRange: 0...1,
                                  showPoints: true, width: 590, height: 380)
            chart.ticksAtData = true
            charts.append(chart)
        }
        return Figure(title: "Power against severity, per injected kind", charts: charts, columns: 2)
    }

    static func delayChart(_ s: SweepSummary) -> BoxPlot {
        let groups = s.detectors.filter { !$0.delays.isEmpty }.map { BoxPlot.Group(label: $0.detector, values: $0.delays) }
        return BoxPlot(title: "Detection delay after the onset, failure runs with an alarm (any kind)", xLabel: "detector (n = runs detected)",
                       yLabel: "delay (days)", groups: groups, width: 1180, height: 460)
    }

    static func falseAlarmChart(_ s: SweepSummary) -> BarChart {
        let shown = s.detectors.filter { $0.controlDays > 0 }
        let days = shown.first?.controlDays ?? 0
        return BarChart(title: "False alarms on the controls (\(s.controls) runs, \(days) monitored days)", xLabel: "detector",
                        yLabel: "false alarms per 30 days", categories: shown.map(\.detector),
                        series: [.init(name: "alarm steps on controls per 30 monitored days", values: shown.map { $0.falseAlarms(perDays: 30) })],
                        width: 1180, height: 420)
    }

    static func featureChart(_ s: SweepSummary) -> BarChart {
        // Detectors that never name an injected feature (stream detectors, output monitors) are left out.
        let shown = s.detectors.filter { $0.featureJudged > 0 && ($0.detector == "diagnosis" || $0.featureCorrect > 0) }
        let judged = Set(shown.map(\.featureJudged))
        let n = judged.count == 1 ? "\(judged.first ?? 0)" : ""
        return BarChart(title: "Root-cause feature accuracy: the top implicated feature is an injected one",
                        xLabel: "detector (those that named an injected feature at least once)", yLabel: n.isEmpty ? "share of runs" : "share of runs (n = \(n))",
                        categories: shown.map { judged.count == 1 ? $0.detector : "\($0.detector) (n=\($0.featureJudged))" },
                        series: [.init(name: "top feature is an injected one", values: shown.map(\.featureAccuracy))],
                        width: 1180, height: 400)
    }

    // MARK: links to the runs

    static func runBlocks(_ manifest: SweepManifest?) -> [HTMLReport.Block] {
        guard let manifest else { return [.paragraph("No `sweep.json` in the results folder: the cells are unknown.")] }
        let example = manifest.cells.first?.id ?? "CELL-ID"
        var blocks: [HTMLReport.Block] = [
            .paragraph("Each run's data is `runs/<cell-id>.json` in this folder, and its report (recall timeline, drift and missing-rate heatmaps) `runs/<cell-id>/report.html`. Neither is committed: the run files come back with the sweep command (it skips finished cells), and a run's report with `driftlab run --sweep <sweep file> --cell <cell-id>`, which reruns that one cell (the same run as `runs/<cell-id>.json`) and writes `results/\(manifest.name)/runs/<cell-id>/report.html` (add `--out <this folder>/runs/<cell-id>` when the results are elsewhere), e.g. `driftlab run --sweep scenarios/\(manifest.name)-sweep.json --cell \(example)`. The links below work once that is done."),
        ]
        // One row per grid point, the seeds (and control indices) as links.
        var keys: [String] = []
        var groups: [String: [SweepManifest.Cell]] = [:]
        for c in manifest.cells {
            let key = c.isControl ? "none/control, window \(c.windowDays) days"
                : "\(c.kind.rawValue)/\(c.label), severity \(JSON.format(c.severity ?? 1)), onset day \(c.onsetDay.map(String.init) ?? "-"), window \(c.windowDays) days"
            if groups[key] == nil { keys.append(key) }
            groups[key, default: []].append(c)
        }
        let rows: [[HTMLReport.Cell]] = keys.map { key in
            let cells = groups[key] ?? []
            return [.text(key), .links(cells.map { c in
                HTMLReport.Link(c.isControl ? "c\(c.controlIndex ?? 0).s\(c.seedIndex)" : "seed \(c.seedIndex)", href: "runs/\(c.id)/report.html")
            })]
        }
        blocks.append(.table(HTMLReport.Table(columns: ["grid point", "runs (report of each)"], rows: rows)))
        return blocks
    }

    // MARK: README block

    /// The standard-sweep figures for the README (between `<!-- sweep:begin -->` and `<!-- sweep:end -->`).
    public static func readmeBlock(_ s: SweepSummary, folder: String) -> String {
        guard let d = s.diagnosis else { return "\n_No diagnosis verdicts in \(folder)._\n" }
        var out = "\n_Output of `driftlab report \(folder) --readme README.md` (from `\(folder)/summary.json`: \(s.runs) runs, \(s.controls) controls, tool \(DriftLabVersion.current))._ "
        out += "Charts and every detector: [\(folder)/report.html](\(folder)/report.html).\n\n"
        out += "| diagnosis | value |\n|---|---:|\n"
        let f1 = d.scenarioSevere.macroF1, alarms = d.falseAlarms(perDays: 180)
        out += "| macro-F1, run level, severity >= 0.5 and controls (target >= 0.85) | **\(fmt(f1, 3))** (\(f1 >= 0.85 ? "met" : "not met")) |\n"
        out += "| false alarms per 180 days on controls (target <= 1) | **\(fmt(alarms, 2))** (\(alarms <= 1 ? "met" : "not met")) |\n"
        out += "| accuracy / macro-F1, run level, all runs | \(fmt(d.scenario.accuracy, 3)) / \(fmt(d.scenario.macroF1, 3)) |\n"
        out += "| accuracy / macro-F1, window level | \(fmt(d.window.accuracy, 3)) / \(fmt(d.window.macroF1, 3)) |\n"
        out += "| detection delay, median / 90th percentile | \(fmt(d.delayMedian, 1)) / \(fmt(d.delayP90, 1)) days |\n"
        out += "| MTD / MTFA / MDR | \(fmt(d.meanTimeToDetection, 1)) days / \(fmt(d.meanTimeBetweenFalseAlarms, 0)) days / \(fmt(d.missedDetectionRate, 3)) |\n"
        out += "| root-cause feature accuracy | \(fmt(d.featureAccuracy, 3)) |\n\n"
        let sev = d.scenarioSevere
        out += "Run-level recall per kind (severity >= 0.5): "
        out += kinds.filter { !sev.recall($0).isNaN }.map { "\($0 == .none ? "none (controls quiet)" : $0.rawValue) \(fmt(sev.recall($0), 2))" }.joined(separator: ", ") + ".\n"
        return out
    }
}
