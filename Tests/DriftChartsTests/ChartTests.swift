import Foundation
import Testing
@testable import DriftCharts

/// Deterministic sample data: a recall-like curve that drops after day 30.
func sampleRecall(_ n: Int, phase: Double) -> [Double] {
    (0..<n).map { (d: Int) -> Double in
        let drop: Double = d > 30 ? 0.25 * min(1.0, Double(d - 30) / 20.0) : 0.0
        let wiggle: Double = 0.03 * sin(Double(d) * 0.7 + phase)
        return 0.8 - drop + wiggle
    }
}

func timeline(days: Int = 90) -> LineChart {
    let x = (0..<days).map(Double.init)
    var measured = sampleRecall(days, phase: 1)
    for d in 40..<45 where d < days { measured[d] = .nan }      // a label outage: a gap in the line
    let estimated = sampleRecall(days, phase: 2)
    var chart = LineChart(
        title: "Recall over time, scenario concept-gradual",
        xLabel: "day of production", yLabel: "recall (share of fraud caught)",
        x: x,
        series: [
            .init(name: "realised", values: sampleRecall(days, phase: 0)),
            .init(name: "measured (arrived labels)", values: measured),
            .init(name: "estimated (label-free)", values: estimated, lower: estimated.map { $0 - 0.05 }, upper: estimated.map { $0 + 0.05 }),
        ],
        spans: [ShadedSpan(from: 30, to: 50, label: "failure: onset to full strength")],
        markers: [Marker(x: 33, label: "day 33", series: "ADWIN"), Marker(x: 41, label: "day 41", series: "ADWIN"),
                  Marker(x: 36, label: "day 36", series: "Page-Hinkley"), Marker(x: 70, label: "day 70", series: "KS on amount")],
        markerRows: ["ADWIN", "Page-Hinkley", "KS on amount", "DDM"],
        yRange: 0...1)
    chart.bandLabel = "90% interval"
    return chart
}

func psiHeatmap(features: Int = 8, days: Int = 90) -> Heatmap {
    let names = ["amount", "merchant_category", "channel", "hour_of_day", "distance_from_home_km",
                 "card_age_days", "transactions_last_24h", "country_mismatch", "device_score", "velocity"]
    let values: [[Double]] = (0..<features).map { (f: Int) -> [Double] in
        (0..<days).map { (d: Int) -> Double in
            if f == 2 && d > 30 { return 0.05 + Double(d - 30) * 0.01 }
            return 0.01 + 0.005 * Double((f * 7 + d * 3) % 5)
        }
    }
    return Heatmap(title: "Population stability index per feature and day", xLabel: "day of production", yLabel: "feature",
                   rowLabels: (0..<features).map { names[$0 % names.count] }, columnLabels: (0..<days).map { String($0) },
                   values: values, valueLabel: "PSI (unitless)")
}

func confusion(_ title: String, counts: [[Double]]) -> Heatmap {
    let classes = ["none", "covariate", "concept", "prior", "data quality"].prefix(counts.count)
    return Heatmap(title: title, xLabel: "diagnosed kind", yLabel: "injected kind", rowLabels: Array(classes), columnLabels: Array(classes),
                   values: counts, shading: .rowShare, valueLabel: "share of row", annotationDecimals: 0, width: 420, height: 340)
}

func parse(_ chart: some Chart) throws -> XMLDocument {
    let doc = try XMLDocument(chart.svg())
    // Every geometric attribute is a plain finite number list.
    let geometric: Set<String> = ["x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r", "d", "transform", "font-size"]
    func walk(_ n: Node) {
        for (k, v) in n.attributes where geometric.contains(k) {
            #expect(!v.lowercased().contains("nan") && !v.lowercased().contains("inf"), "\(n.name) \(k)=\(v)")
        }
        n.children.forEach(walk)
    }
    walk(doc.root)
    return doc
}

@Suite struct MarkupTests {
    @Test func escapesTextAndAttributes() {
        #expect(Markup.escapeText("a < b & c > d \"q\"") == "a &lt; b &amp; c &gt; d \"q\"")
        #expect(Markup.escapeAttribute("say \"hi\" & 'bye'\n") == "say &quot;hi&quot; &amp; &#39;bye&#39;&#10;")
        #expect(Markup.escapeText("bell\u{7}tab\t") == "bell tab\t")
    }

    @Test func formatsNumbersWithFixedDecimals() {
        #expect(Markup.number(12.5) == "12.5")
        #expect(Markup.number(3) == "3")
        #expect(Markup.number(-0.25) == "-0.25")
        #expect(Markup.number(1.0 / 3.0) == "0.33")
        #expect(Markup.number(-0.001) == "0")
        #expect(Markup.number(0.005, decimals: 2) == "0.01")
        #expect(Markup.number(.nan) == "0")
        #expect(Markup.number(.infinity) == "0")
        #expect(Markup.number(123456.789, decimals: 1) == "123456.8")
        #expect(Markup.number(1e20) == "100000000000000000000")
    }
}

@Suite struct TickTests {
    @Test func oneTwoFiveSteps() {
        #expect(NiceTicks.niceStep(range: 1, target: 5) == 0.2)
        #expect(NiceTicks.niceStep(range: 90, target: 6) == 20)
        #expect(NiceTicks.niceStep(range: 3, target: 6) == 0.5)
        #expect(NiceTicks.niceStep(range: 7000, target: 7) == 1000)
    }

    @Test func ticksInsideAndExtended() {
        let t = NiceTicks.inside(0, 1, target: 5)
        #expect(t.values == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(t.labels == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let days = NiceTicks.inside(0, 89, target: 6)
        #expect(days.labels == ["0", "20", "40", "60", "80"])
        let e = NiceTicks.extended(0.13, 0.87, target: 5)
        #expect(e.lo == 0 && e.hi == 1)
        let negative = NiceTicks.extended(-3.2, 7.1, target: 5)
        #expect(negative.lo == -5 && negative.hi == 10 && negative.ticks.labels == ["-5", "0", "5", "10"])
    }

    @Test func hugeAndTinyValuesUseScientificNotation() {
        #expect(NiceTicks.inside(1e6, 5e6, target: 4).labels == ["1e6", "2e6", "3e6", "4e6", "5e6"])
        #expect(NiceTicks.inside(0, 2e-9, target: 4).labels == ["0", "5e-10", "1e-9", "1.5e-9", "2e-9"])
        let e = NiceTicks.extended(-1e300, 1e300, target: 5)
        #expect(e.ticks.values.count >= 2 && e.ticks.values.allSatisfy(\.isFinite))
    }
}

@Suite struct LineChartTests {
    @Test func ticksAtTheDataWhenTheyFitElseRoundTicks() throws {
        var power = LineChart(title: "Power", xLabel: "severity", yLabel: "power", x: [0.25, 0.5, 0.75, 1],
                              series: [.init(name: "diagnosis", values: [0.2, 0.6, 0.9, 1])], yRange: 0...1, showPoints: true, width: 590, height: 380)
        power.ticksAtData = true
        let ticks = { (doc: XMLDocument) in doc.elements(withClass: "x-axis").first?.all("text").map(\.label) ?? [] }
        var doc = try parse(power)
        #expect(ticks(doc) == ["0.25", "0.50", "0.75", "1.00"])
        #expect(layoutProblems(doc) == [])
        // 200 distinct x values cannot all be labelled: the round ticks stay, without overlaps.
        power.x = (0..<200).map { Double($0) / 199 }
        power.series = [.init(name: "diagnosis", values: power.x)]
        doc = try parse(power)
        #expect(ticks(doc) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(layoutProblems(doc) == [])
    }

    @Test func drawsSeriesBandsSpansMarkersAndLabels() throws {
        let chart = timeline()
        let doc = try parse(chart)
        let series = doc.elements(withClass: "series")
        #expect(series.map { $0.attributes["data-series"] ?? "" } == ["realised", "measured (arrived labels)", "estimated (label-free)"])
        // The label outage splits the measured line into two subpaths.
        #expect(series[1].attributes["d"]?.filter { $0 == "M" }.count == 2)
        #expect(series[0].attributes["d"]?.filter { $0 == "M" }.count == 1)
        #expect(doc.elements(withClass: "band").count == 1)
        #expect(doc.elements(withClass: "marker").count == 4)
        let texts = doc.texts
        for label in ["day of production", "recall (share of fraud caught)", "realised", "90% interval", "ADWIN", "Page-Hinkley", "DDM", "0.0", "1.0", "Recall over time, scenario concept-gradual"] {
            #expect(texts.contains(label), "missing text '\(label)'")
        }
        #expect(doc.all("rect").contains { $0.title == "failure: onset to full strength" })
        #expect(layoutProblems(doc) == [])
    }

    @Test func sameInputGivesSameBytes() {
        #expect(timeline().svg() == timeline().svg())
        #expect(psiHeatmap().svg() == psiHeatmap().svg())
    }

    @Test(arguments: [
        ("empty", [Double](), [Double]()),
        ("all NaN", [0.0, 1, 2], [Double.nan, .nan, .nan]),
        ("single point", [5.0], [0.4]),
        ("constant", [0.0, 1, 2, 3], [2.0, 2, 2, 2]),
        ("huge", [0.0, 1, 2], [1e12, 3e12, 2e12]),
        ("tiny", [0.0, 1, 2], [1e-9, 3e-9, 2e-9]),
        ("infinite", [0.0, 1, 2], [1, Double.infinity, -Double.infinity]),
    ])
    func edgeCases(name: String, x: [Double], y: [Double]) throws {
        let chart = LineChart(title: "Edge case: \(name)", xLabel: "day", yLabel: "value (units)", x: x, series: [.init(name: name, values: y)])
        let doc = try parse(chart)
        #expect(doc.elements(withClass: "series").count == 1)
        #expect(layoutProblems(doc) == [], "\(name)")
        if name == "single point" { #expect(doc.all("circle").count == 1) }
    }

    @Test func longLabelsAreCutWithTooltips() throws {
        let long = String(repeating: "very long detector name ", count: 6)
        var chart = timeline()
        chart.title = String(repeating: "A long title that goes on ", count: 8)
        chart.markers.append(Marker(x: 10, label: "day 10", series: long))
        chart.series[0].name = long
        let doc = try parse(chart)
        #expect(doc.all("text").contains { $0.label.hasSuffix("…") && $0.title == long })
        #expect(layoutProblems(doc) == [])
    }
}

@Suite struct HeatmapTests {
    @Test func oneRectPerCellWithLabelsAndLegend() throws {
        let chart = psiHeatmap()
        let doc = try parse(chart)
        #expect(doc.elements(withClass: "cell").count == 8 * 90)
        let texts = doc.texts
        for label in ["amount", "channel", "PSI (unitless)", "day of production", "feature"] { #expect(texts.contains(label), "missing '\(label)'") }
        #expect(doc.elements(withClass: "colour-legend").first?.all("rect").count ?? 0 >= 40)
        #expect(layoutProblems(doc) == [])
    }

    @Test func confusionMatrixShadesByRowShareAndPrintsCounts() throws {
        let chart = confusion("Diagnosis", counts: [[90, 10], [1, 1]])
        let doc = try parse(chart)
        let cells = doc.elements(withClass: "cell")
        #expect(cells.count == 4)
        #expect(cells[0].attributes["fill"] == ColourScale.blues.colour(0.9).hex)
        #expect(cells[2].attributes["fill"] == ColourScale.blues.colour(0.5).hex)
        #expect(doc.elements(withClass: "annotation").map(\.label) == ["90", "10", "1", "1"])
        // Dark cells get white numbers, light cells dark ones.
        #expect(doc.elements(withClass: "annotation")[0].attributes["fill"] == "#ffffff")
        #expect(doc.elements(withClass: "annotation")[1].attributes["fill"] == "#111111")
        #expect(layoutProblems(doc) == [])
    }

    @Test func sparseSmallMultiplesLeaveZerosBlankAndCanDropTheColourBar() throws {
        var chart = confusion("Detector", counts: [[5, 0], [0, 3]])
        chart.annotateZeros = false
        chart.colourLegend = false
        let doc = try parse(chart)
        #expect(doc.elements(withClass: "annotation").map(\.label) == ["5", "3"])
        // Blank means zero: no tooltip on those cells; the others keep theirs.
        #expect(doc.elements(withClass: "cell").map { $0.title != nil } == [true, false, false, true])
        #expect(doc.elements(withClass: "colour-legend").isEmpty)
        // Without the bar the grid takes the width it left: the last cell ends at the right margin.
        let last = try #require(doc.elements(withClass: "cell").last)
        #expect(Swift.abs(last.number("x") + last.number("width") - (chart.width - ChartStyle.margin)) < 0.02)
        // Numbers are outside the cells' group, which carries the white separators' stroke.
        #expect(doc.elements(withClass: "annotation").allSatisfy { $0.parent?.attributes["class"] == "annotations" })
        #expect(layoutProblems(doc) == [])
    }

    @Test func longRowLabelsAndManyRowsStayReadable() throws {
        let long = "a feature with a remarkably long descriptive name that nobody would abbreviate"
        var chart = psiHeatmap(features: 40, days: 200)
        chart.rowLabels[0] = long
        let doc = try parse(chart)
        #expect(doc.elements(withClass: "cell").count == 40 * 200)
        #expect(doc.all("text").contains { $0.label.hasSuffix("…") && $0.title == long })
        #expect(layoutProblems(doc) == [])
    }

    @Test func degenerateInputs() throws {
        let empty = Heatmap(title: "No rows", xLabel: "day", yLabel: "feature", rowLabels: [], columnLabels: [], values: [], valueLabel: "PSI")
        let doc = try parse(empty)
        #expect(doc.elements(withClass: "cell").isEmpty && doc.texts.contains("no data"))
        let constant = Heatmap(title: "Constant", xLabel: "day", yLabel: "feature", rowLabels: ["a"], columnLabels: ["1", "2"], values: [[0.2, 0.2]], valueLabel: "PSI", annotationDecimals: 2)
        let nanCells = Heatmap(title: "Missing", xLabel: "day", yLabel: "feature", rowLabels: ["a", "b"], columnLabels: ["1", "2"], values: [[.nan, 1], [2]], valueLabel: "PSI")
        for chart in [constant, nanCells] {
            let d = try parse(chart)
            #expect(layoutProblems(d) == [])
        }
        #expect(try parse(nanCells).elements(withClass: "cell")[0].attributes["fill"] == Heatmap.missingColour)
    }
}

@Suite struct BarAndBoxTests {
    @Test func groupedBars() throws {
        let chart = BarChart(title: "False alarms per 30 days in the control scenario", xLabel: "detector", yLabel: "false alarms per 30 days",
                             categories: ["ADWIN", "Page-Hinkley", "DDM", "KS on amount", "PSI on every feature"],
                             series: [.init(name: "control", values: [0.4, 1.2, 0, 2.5, 0.8]), .init(name: "seasonal", values: [0.9, 2.2, .nan, 3.1, 1.5])])
        let doc = try parse(chart)
        #expect(doc.elements(withClass: "bar").count == 9)
        for label in ["control", "seasonal", "ADWIN", "false alarms per 30 days", "detector"] { #expect(doc.texts.contains(label)) }
        #expect(layoutProblems(doc) == [])
        let many = BarChart(title: "Many categories", xLabel: "scenario", yLabel: "count", categories: (0..<40).map { "scenario-number-\($0)" },
                            series: [.init(name: "n", values: (0..<40).map { Double($0 % 7) - 2 })])
        #expect(layoutProblems(try parse(many)) == [])
    }

    @Test func tukeySummaryMatchesNumPy() throws {
        // numpy.percentile([1..10, 100], [25, 50, 75]) -> [3.5, 6, 8.5]; fences 3.5-7.5, 8.5+7.5
        let s = try #require(BoxPlot.summary((1...10).map(Double.init) + [100, .nan]))
        #expect(s == BoxPlot.Summary(q1: 3.5, median: 6, q3: 8.5, whiskerLow: 1, whiskerHigh: 10, outliers: [100], count: 11))
        // numpy.percentile([2,4,4,5,7,9,30,-20], [25,50,75]) -> [3.5, 4.5, 7.5]; fences -2.5, 13.5
        let t = try #require(BoxPlot.summary([2, 4, 4, 5, 7, 9, 30, -20]))
        #expect(t == BoxPlot.Summary(q1: 3.5, median: 4.5, q3: 7.5, whiskerLow: 2, whiskerHigh: 9, outliers: [-20, 30], count: 8))
        #expect(BoxPlot.summary([.nan]) == nil)
    }

    @Test func boxPlotDrawsOneBoxPerNonEmptyGroup() throws {
        let chart = BoxPlot(title: "Detection delay", xLabel: "detector", yLabel: "delay (days)",
                            groups: [.init(label: "ADWIN", values: [3, 4, 5, 6, 20]), .init(label: "DDM", values: []), .init(label: "KS", values: [7])])
        let doc = try parse(chart)
        #expect(doc.elements(withClass: "box").count == 2)
        #expect(doc.texts.contains("DDM (n=0)") && doc.texts.contains("delay (days)"))
        #expect(layoutProblems(doc) == [])
    }

    @Test func figureLaysChartsSideBySide() throws {
        let figure = Figure(title: "Confusion matrices", charts: [
            confusion("ADWIN", counts: [[50, 3, 2], [4, 30, 6], [1, 2, 40]]),
            confusion("Diagnosis", counts: [[55, 0, 0], [2, 38, 0], [0, 3, 40]]),
            confusion("KS", counts: [[40, 10, 5], [10, 20, 10], [5, 5, 33]]),
        ], columns: 2)
        #expect(figure.width == 420 * 2 + Figure.gap)
        let doc = try parse(figure)
        #expect(doc.elements(withClass: "panel").count == 3)
        #expect(doc.elements(withClass: "cell").count == 27)
        #expect(layoutProblems(doc) == [])
    }
}

@Suite struct EdgeCaseTests {
    @Test func emptyAndDegenerateChartsOfEveryKind() throws {
        let charts: [any Chart] = [
            BarChart(title: "No categories", xLabel: "detector", yLabel: "count", categories: [], series: []),
            BarChart(title: "All NaN", xLabel: "detector", yLabel: "count", categories: ["a", "b"], series: [.init(name: "s", values: [.nan, .nan])]),
            BarChart(title: "Huge", xLabel: "detector", yLabel: "transactions", categories: ["a", "b"], series: [.init(name: "s", values: [3e12, -1e12])]),
            BarChart(title: "Short series", xLabel: "detector", yLabel: "count", categories: ["a", "b", "c"], series: [.init(name: "s", values: [1])]),
            BoxPlot(title: "No groups", xLabel: "detector", yLabel: "delay (days)", groups: []),
            BoxPlot(title: "One value", xLabel: "detector", yLabel: "delay (days)", groups: [.init(label: "a", values: [4])]),
            BoxPlot(title: "Tiny", xLabel: "detector", yLabel: "delay (days)", groups: [.init(label: "a", values: [1e-9, 2e-9, 5e-9])]),
            Heatmap(title: "Huge", xLabel: "day", yLabel: "feature", rowLabels: ["a"], columnLabels: ["1", "2"], values: [[1e12, 4e12]], valueLabel: "count", annotationDecimals: 0),
            Heatmap(title: "Negative", xLabel: "day", yLabel: "feature", rowLabels: ["a"], columnLabels: ["1", "2"], values: [[-0.5, 0.5]], valueLabel: "change"),
            Heatmap(title: "Zero row sums", xLabel: "predicted", yLabel: "actual", rowLabels: ["a", "b"], columnLabels: ["a", "b"], values: [[0, 0], [0, 3]], shading: .rowShare, valueLabel: "share of row", annotationDecimals: 0),
            Figure(title: "Empty figure", charts: []),
            LineChart(title: "Mismatched lengths", xLabel: "day", yLabel: "recall", x: [0, 1, 2, 3], series: [.init(name: "short", values: [0.5, 0.6]), .init(name: "long", values: [1, 2, 3, 4, 5, 6])]),
            LineChart(title: "No series", xLabel: "day", yLabel: "recall", x: [0, 1], series: [], markers: [Marker(x: .nan, label: "bad", series: "ADWIN")]),
        ]
        for chart in charts {
            let doc = try parse(chart)
            #expect(layoutProblems(doc) == [], "\(type(of: chart))")
            #expect(chart.svg() == chart.svg())
        }
    }

    @Test func categoryLabelsWrapRotateOrThin() {
        let wrapped = CategoryAxisLayout(labels: ["ADWIN", "PSI on every feature"], slot: 80)
        #expect(!wrapped.rotated && wrapped.labels[1].lines == ["PSI on every", "feature"])
        let rotated = CategoryAxisLayout(labels: ["a-very-long-unbreakable-name"], slot: 40)
        #expect(rotated.rotated && rotated.every == 1)
        let thinned = CategoryAxisLayout(labels: (0..<200).map(String.init), slot: 4)
        #expect(!thinned.rotated && thinned.every == 6)   // "199" is 18 px wide: (18 + 6) / 4 slots
    }

    @Test func paletteAndScales() {
        #expect(Set(Palette.okabeIto).count == 8)
        #expect(Palette.category(9) == Palette.category(1) && Palette.dash(9) != nil && Palette.dash(3) == nil)
        #expect(ColourScale.blues.colour(0).hex == "#f7fbff" && ColourScale.blues.colour(1).hex == "#08306b")
        #expect(ColourScale.viridis.colour(0.5).hex == "#21918c" && ColourScale.viridis.colour(.nan).hex == "#440154")
        // Sequential: luminance falls steadily from the lightest to the darkest blue.
        let luminance = (0...20).map { ColourScale.blues.colour(Double($0) / 20).luminance }
        #expect(zip(luminance, luminance.dropFirst()).allSatisfy { $0 > $1 })
        #expect(TextMetrics.fit("abcdefghij", maxWidth: 30, size: 10) == ("abcd…", true))
    }
}

@Suite struct InspectorSelfTests {
    @Test func overlapCheckFindsCollisionsRotationAndClipping() throws {
        func problems(_ body: String) throws -> [String] {
            layoutProblems(try XMLDocument("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"100\">\(body)</svg>"))
        }
        // Two 10 px labels 30 px apart: "abcdefgh" is 48 px wide, so they collide.
        #expect(try problems("<text x=\"10\" y=\"50\" font-size=\"10\">abcdefgh</text><text x=\"40\" y=\"50\" font-size=\"10\">x</text>").count == 1)
        #expect(try problems("<text x=\"10\" y=\"50\" font-size=\"10\">abc</text><text x=\"40\" y=\"50\" font-size=\"10\">x</text>").isEmpty)
        // Rotated a quarter turn, the long label runs down the page and clears its neighbour.
        #expect(try problems("<text x=\"10\" y=\"20\" font-size=\"10\" text-anchor=\"end\" transform=\"rotate(-90 10 20)\">abcdefgh</text><text x=\"40\" y=\"30\" font-size=\"10\">x</text>").isEmpty)
        // A group translation counts; so does leaving the canvas.
        #expect(try problems("<g transform=\"translate(30 0)\"><text x=\"0\" y=\"50\" font-size=\"10\">x</text></g><text x=\"30\" y=\"50\" font-size=\"10\">y</text>").count == 1)
        #expect(try problems("<text x=\"190\" y=\"50\" font-size=\"10\">abcdef</text>").count == 1)
        #expect(throws: XMLDocument.NotWellFormed.self) { try XMLDocument("<svg><text>a & b</text></svg>") }
    }
}
