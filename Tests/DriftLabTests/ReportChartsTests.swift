import DriftCharts
import DriftCore
import Foundation
import Testing
@testable import DriftLab

// Every chart kind drawn from real lab output and checked by parsing its SVG: well-formed, the
// expected elements and labels, no overlapping text. The run charts come from a real (shrunk) run;
// the sweep charts from the standard sweep's committed summary (540 real runs). SVGInspector.swift
// is a link to the one in DriftChartsTests, so both suites check layout the same way.

/// The inline `<svg>` documents of an HTML report, each parsed on its own (so its canvas is known).
func inlineCharts(_ html: String) throws -> [XMLDocument] {
    var out: [XMLDocument] = []
    var rest = html[...]
    while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
        out.append(try XMLDocument(String(rest[start.lowerBound..<end.upperBound])))
        rest = rest[end.upperBound...]
    }
    return out
}

/// The chart whose first title text starts with `prefix`.
func chart(_ charts: [XMLDocument], titled prefix: String) throws -> XMLDocument {
    try #require(charts.first { doc in doc.all("text").first { ["title", "figure-title"].contains($0.attributes["class"] ?? "") }?.label.hasPrefix(prefix) ?? false },
                 "no chart titled '\(prefix)...'")
}

/// Geometry is finite and no two labels overlap or leave the canvas.
func expectClean(_ doc: XMLDocument, _ name: String) {
    let geometric: Set<String> = ["x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r", "d", "transform", "font-size"]
    var bad: [String] = []
    func walk(_ n: Node) {
        for (k, v) in n.attributes where geometric.contains(k) && (v.lowercased().contains("nan") || v.lowercased().contains("inf")) { bad.append("\(n.name) \(k)=\(v)") }
        n.children.forEach(walk)
    }
    walk(doc.root)
    #expect(bad.isEmpty, "\(name): \(bad.prefix(3))")
    #expect(layoutProblems(doc) == [], "\(name)")
}

@Suite("Charts from real lab output", .serialized)
struct ReportChartsTests {
    /// One real run on the shrunk bundled `dq-missing` scenario (device and IP risk scores go missing from day 28).
    static let run: (RunResult, RunTrace)? = {
        guard let ref = RunFixtures.reference, let s = try? RunFixtures.scenario("dq-missing") else { return nil }
        return try? LabRunner.traced(s, reference: ref)
    }()

    @Test("run report: timeline with onset shaded and alarms marked, PSI and missing-rate heatmaps")
    func runCharts() throws {
        let (result, trace) = try #require(ReportChartsTests.run)
        let html = RunReport.html(result, trace: trace)
        _ = try XMLDocument(html)   // the whole page is well-formed too
        let charts = try inlineCharts(html)
        #expect(charts.count == 3)

        let timeline = try chart(charts, titled: "Recall per model")
        expectClean(timeline, "timeline")
        let series = timeline.elements(withClass: "series").compactMap { $0.attributes["data-series"] }
        #expect(series == ["logistic realised", "logistic measured", "logistic estimated", "stumps realised", "stumps measured", "stumps estimated"])
        // Realised recall is drawn from the run's steps: one vertex per step with a value.
        let realised = try #require(timeline.elements(withClass: "series").first)
        let vertices = (realised.attributes["d"] ?? "").filter { $0 == "M" || $0 == "L" }.count
        #expect(vertices == result.steps.filter { $0.models.first?.realisedRecall.isFinite ?? false }.count)
        // The failure's onset and ramp are shaded, from day 28.
        let span = try #require(timeline.elements(withClass: "spans").first?.all("rect").first)
        #expect(span.title == "data_quality onset + ramp" || span.title == "data_quality onset")
        // Each alarm step of each detector is a marker in that detector's row; the rows are labelled.
        let alarms = result.steps.reduce(0) { $0 + $1.detectors.filter(\.alarm).count + ($1.diagnosis.kind == .none ? 0 : 1) }
        #expect(alarms > 0)
        #expect(timeline.elements(withClass: "marker").count == alarms)
        let rowLabels = timeline.elements(withClass: "marker-row").map(\.label)
        #expect(rowLabels.first == "diagnosis" && rowLabels.contains("missing_rate"))
        #expect(timeline.texts.contains("production day") && timeline.texts.contains("recall"))
        #expect(timeline.elements(withClass: "legend-label").map(\.label).contains("alarm (one row per detector)"))

        for (title, legend) in [("Feature drift per step", "PSI"), ("Missing rate per feature", "missing share")] {
            let heat = try chart(charts, titled: title)
            expectClean(heat, title)
            #expect(heat.elements(withClass: "cell").count == trace.features.count * trace.days.count)
            #expect(heat.elements(withClass: "legend-label").map(\.label) == [legend])
            #expect(heat.texts.contains("device_risk_score") || heat.all("title").contains { $0.text.hasPrefix("device_risk_score") })
        }
        // The missing-rate heatmap shows the injected fault: device_risk_score is missing after the onset, not before.
        let missing = try chart(charts, titled: "Missing rate per feature")
        let tips = missing.elements(withClass: "cell").compactMap(\.title).filter { $0.hasPrefix("device_risk_score, ") }
        let values = tips.map { Double($0.split(separator: " ").last ?? "") ?? .nan }
        #expect(values.count == trace.days.count)
        #expect((values.first ?? 1) < 0.05 && (values.last ?? 0) > 0.2, "\(values)")
    }

    /// The standard sweep's summary (540 real runs) and cell list, as committed under results/standard.
    static func standard() throws -> (SweepSummary, SweepManifest) {
        let folder = RunFixtures.packageRoot.appendingPathComponent("results/standard").path
        return (try SweepSummary.read(folder), try SweepManifest.read(folder: folder))
    }

    @Test("summary.json reads back to the summary that wrote it")
    func summaryRoundTrip() throws {
        let path = RunFixtures.packageRoot.appendingPathComponent("results/standard/summary.json").path
        let json = try JSON.parse(try AtomicFile.readText(path))
        let summary = try SweepSummary(json: json, file: path)
        #expect(SummaryWriter.json(summary) == json)
        #expect(summary.diagnosis?.delays.count == summary.diagnosis.map { $0.failureRuns - $0.missedRuns })
        // A damaged file names the field.
        let bad = JSON.object([("sweep", .string("x")), ("sweep_hash", .string("h")), ("runs", .number(1)), ("controls", .number(0)),
                               ("detectors", .array([.object([("detector", .string("d")), ("scenario", .object([("labels", .array([.string("nope")]))]))])]))])
        #expect(throws: ConfigError.self) { try SweepSummary(json: bad, file: "s.json") }
        do { _ = try SweepSummary(json: bad, file: "s.json") } catch { #expect("\(error)" == "s.json: detectors[0].scenario.labels[0]: unknown kind 'nope'") }
    }

    @Test("sweep report: confusion heatmaps, power curves, delay boxes, false-alarm and feature bars, run links")
    func sweepCharts() throws {
        let (s, manifest) = try ReportChartsTests.standard()
        let html = SweepReport.html(s, manifest: manifest)
        #expect(html.utf8.count < 1_000_000, "small enough to commit")
        let page = try XMLDocument(html)
        let charts = try inlineCharts(html)
        for (i, c) in charts.enumerated() { expectClean(c, "chart \(i)") }
        let d = try #require(s.diagnosis)

        // The diagnosis's two matrices side by side: 7 x 7 cells each, the printed counts add up to the runs and the steps.
        let matrices = try chart(charts, titled: "The diagnosis")
        let panels = matrices.elements(withClass: "panel")
        #expect(panels.count == 2)
        for (panel, m) in zip(panels, [d.scenario, d.window]) {
            #expect(panel.all("rect").filter { $0.attributes["class"] == "cell" }.count == 49)
            let printed = panel.all("text").filter { $0.attributes["class"] == "annotation" }.compactMap { Int($0.label) }
            #expect(printed.reduce(0, +) == m.total)
            #expect(panel.all("text").map(\.label).contains("injected kind") && panel.all("text").map(\.label).contains("diagnosed kind"))
        }
        // One run-level and one window-level matrix per detector.
        let small = charts.first { $0.elements(withClass: "panel").count == 2 * (s.detectors.count - 1) }
        #expect(small != nil)

        // Power against severity: one panel per failure kind, the diagnosis in each, ticks at the severities.
        let power = try chart(charts, titled: "Power against severity")
        let powerPanels = power.elements(withClass: "panel")
        #expect(powerPanels.count == 6)
        for p in powerPanels {
            let names = p.all("path").filter { $0.attributes["class"] == "series" }.compactMap { $0.attributes["data-series"] }
            #expect(names.first == "diagnosis")
            #expect(p.all("text").filter { $0.attributes["class"] == "tick" }.map(\.label).suffix(4) == ["0.25", "0.50", "0.75", "1.00"])
        }

        // Detection delays: a box per detector that detected something, labelled with its n.
        let delays = try chart(charts, titled: "Detection delay")
        #expect(delays.elements(withClass: "box").count == s.detectors.filter { !$0.delays.isEmpty }.count)
        #expect(delays.texts.contains("diagnosis (n=\(d.delays.count))") && delays.texts.contains("delay (days)"))

        // False alarms per 30 days: one bar per detector, of height > 0 where it alarmed on a control; the diagnosis's is its rate.
        let bars = try chart(charts, titled: "False alarms on the controls")
        #expect(bars.elements(withClass: "bar").count == s.detectors.count)
        #expect(bars.elements(withClass: "bar").filter { $0.number("height") > 0 }.count == s.detectors.filter { $0.controlFalseAlarms > 0 }.count)
        let first = try #require(bars.elements(withClass: "bar").first?.title)
        #expect(first == "alarm steps on controls per 30 monitored days, diagnosis: \(Markup.number(d.falseAlarms(perDays: 30), decimals: 4))")
        #expect(bars.texts.contains("false alarms per 30 days"))

        let feature = try chart(charts, titled: "Root-cause feature accuracy")
        #expect(feature.elements(withClass: "bar").first?.title?.hasSuffix(Markup.number(d.featureAccuracy, decimals: 4)) == true)

        // Links to every run's report, relative, with how to make them.
        let hrefs = page.all("a").compactMap { $0.attributes["href"] }.filter { $0.hasPrefix("runs/") }
        #expect(hrefs.count == manifest.cells.count)
        #expect(hrefs.first == "runs/\(manifest.cells[0].id)/report.html")
        #expect(html.contains("driftlab run --sweep scenarios/standard-sweep.json --cell \(manifest.cells[0].id)"))
        // The headline in the summary table is the summary's.
        #expect(page.all("td").map(\.text).contains(HTMLReport.formatNumber(d.scenarioSevere.macroF1, decimals: 3)))
    }

    @Test("README block: the diagnosis's figures and the link to the report")
    func readmeBlock() throws {
        let (s, _) = try ReportChartsTests.standard()
        let block = SweepReport.readmeBlock(s, folder: "results/standard")
        let d = try #require(s.diagnosis)
        let met = d.scenarioSevere.macroF1 >= 0.85 ? "met" : "not met"
        #expect(block.contains("| macro-F1, run level, severity >= 0.5 and controls (target >= 0.85) | **\(HTMLReport.formatNumber(d.scenarioSevere.macroF1, decimals: 3))** (\(met)) |"))
        #expect(block.contains("[results/standard/report.html](results/standard/report.html)"))
    }
}
