/// A shaded stretch of the x axis, e.g. a failure from onset to full strength.
public struct ShadedSpan: Sendable {
    public var from: Double
    public var to: Double
    public var label: String
    public init(from: Double, to: Double, label: String) { self.from = from; self.to = to; self.label = label }
}

/// An event at `x` (e.g. an alarm) drawn as a triangle in the row named `series` under the plot
/// (one row per detector); `label` is its tooltip.
public struct Marker: Sendable {
    public var x: Double
    public var label: String
    public var series: String
    public init(x: Double, label: String, series: String) { self.x = x; self.label = label; self.series = series }
}

/// Lines over a shared x axis (days), with optional confidence bands, shaded spans and rows of
/// event markers. NaN values break a line; isolated points are drawn as dots.
public struct LineChart: Chart {
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        /// Optional band (same length as `values`), drawn translucent in the series colour.
        public var lower: [Double]?
        public var upper: [Double]?
        public init(name: String, values: [Double], lower: [Double]? = nil, upper: [Double]? = nil) {
            self.name = name; self.values = values; self.lower = lower; self.upper = upper
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var x: [Double]
    public var series: [Series]
    public var spans: [ShadedSpan] = []
    public var markers: [Marker] = []
    /// Marker rows in this order (rows without markers still show); rows only named by markers follow.
    public var markerRows: [String] = []
    /// Legend text for the band, e.g. "90% interval"; nil leaves bands out of the legend.
    public var bandLabel: String? = nil
    /// A fixed y range (e.g. 0...1 for recall); nil fits the data with nice bounds.
    public var yRange: ClosedRange<Double>? = nil
    /// Draw a dot at every point (for few x values, e.g. power against severity).
    public var showPoints = false
    /// Tick the x axis at each distinct x value instead of round numbers (few values, e.g. severities).
    public var ticksAtData = false
    public var width: Double = 760
    public var height: Double = 380

    public init(title: String, xLabel: String, yLabel: String, x: [Double], series: [Series],
                spans: [ShadedSpan] = [], markers: [Marker] = [], markerRows: [String] = [],
                yRange: ClosedRange<Double>? = nil, showPoints: Bool = false,
                width: Double = 760, height: Double = 380) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.x = x; self.series = series
        self.spans = spans; self.markers = markers; self.markerRows = markerRows
        self.yRange = yRange; self.showPoints = showPoints; self.width = width; self.height = height
    }

    static let spanColour = "#999999"
    static let markerRowHeight = 14.0

    /// Marker rows: `markerRows` first, then new names in order of appearance.
    var rows: [String] {
        var out = markerRows
        for m in markers where !out.contains(m.series) { out.append(m.series) }
        return out
    }

    var legendItems: [LegendItem] {
        var items: [LegendItem] = series.enumerated().map { i, s in
            LegendItem(showPoints ? .point(colour: Palette.category(i)) : .line(colour: Palette.category(i), dash: Palette.dash(i)), s.name)
        }
        if let bandLabel, series.contains(where: { $0.lower != nil && $0.upper != nil }) {
            items.append(LegendItem(.area(colour: Palette.category(0), opacity: 0.2), bandLabel))
        }
        var seen: [String] = []
        for s in spans where !seen.contains(s.label) {
            seen.append(s.label)
            items.append(LegendItem(.area(colour: LineChart.spanColour, opacity: 0.25), s.label))
        }
        if !rows.isEmpty { items.append(LegendItem(.triangle(colour: ChartStyle.axisColour), "alarm (one row per detector)")) }
        return items
    }

    public func draw(into svg: inout SVGWriter) {
        let m = ChartStyle.margin
        let legend = LegendLayout(items: legendItems, width: width - 2 * m)
        let top = headerHeight(legend: legend) + 6

        // Value axis.
        var allY: [Double] = []
        for s in series {
            allY += s.values
            if let l = s.lower, let u = s.upper { allY += l; allY += u }
        }
        let yTicks: NiceTicks, yLo: Double, yHi: Double
        if let r = yRange, r.upperBound > r.lowerBound, (r.upperBound - r.lowerBound).isFinite {
            yLo = r.lowerBound; yHi = r.upperBound
            yTicks = NiceTicks.inside(yLo, yHi, target: 5)
        } else {
            let range = dataRange(allY)
            (yLo, yHi, yTicks) = NiceTicks.extended(range.lo, range.hi, target: 5)
        }

        // Left margin: tick labels or marker-row labels, whichever is wider (row labels capped).
        let rowNames = rows
        let rowLabelMax = min(140, width * 0.2)
        let rowLabels = rowNames.map { TextMetrics.fit($0, maxWidth: rowLabelMax, size: ChartStyle.tickSize) }
        let rowLabelWidth = rowLabels.map { TextMetrics.width($0.text, size: ChartStyle.tickSize) }.max() ?? 0
        let left = yAxisMargin(yTicks, extra: rowLabelWidth)
        let right = width - m - 8

        // Bottom: marker rows, tick labels, axis title.
        let stripTop: Double
        let markerStrip = Double(rowNames.count) * LineChart.markerRowHeight
        let bottomNeeded = (rowNames.isEmpty ? 0 : markerStrip + 6) + ChartStyle.tickSize + 11 + ChartStyle.labelSize + 8 + m
        let plotBottom = max(top + 40, height - bottomNeeded)
        stripTop = plotBottom + 6

        // Shared x axis over the data range of x (finite values).
        let xRange = dataRange(x)
        let xs = LinearScale(lo: xRange.lo, hi: xRange.hi, a: left, b: right)
        let ys = LinearScale(lo: yLo, hi: yHi, a: plotBottom, b: top)
        var xTicks = NiceTicks.inside(xRange.lo, xRange.hi, target: max(2, Int((right - left) / 70)))
        while xTicks.values.count > 2 {
            let widest = xTicks.labels.map { TextMetrics.width($0, size: ChartStyle.tickSize) }.max() ?? 0
            let spacing = (right - left) * xTicks.step / max(xRange.hi - xRange.lo, .leastNonzeroMagnitude)
            if widest + 8 <= spacing { break }
            xTicks = NiceTicks.inside(xRange.lo, xRange.hi, target: max(1, xTicks.values.count / 2))
        }
        var xTickValues = xTicks.values, xTickLabels = xTicks.labels
        if ticksAtData {
            let distinct = Array(Set(x.filter(\.isFinite))).sorted()
            let gaps = zip(distinct.dropFirst(), distinct).map { $0 - $1 }
            // The fewest decimals (same on every tick) that show each value exactly: 0.25, 0.50, 0.75, 1.00.
            let decimals = (0...6).first { d in distinct.allSatisfy { Swift.abs((Double(Markup.number($0, decimals: d)) ?? .nan) - $0) < 1e-9 } } ?? 6
            let labels = distinct.map { NiceTicks.fixed($0, decimals: decimals) }
            let widest = labels.map { TextMetrics.width($0, size: ChartStyle.tickSize) }.max() ?? 0
            let closest = (gaps.min() ?? .infinity) / max(xRange.hi - xRange.lo, .leastNonzeroMagnitude) * (right - left)
            if widest + 8 <= closest { xTickValues = distinct; xTickLabels = labels }   // else keep the round ticks: no overlap
        }

        // Spans behind everything, labelled inside the plot top when the label has room.
        svg.open("g", [("class", .text("spans"))])
        var placedLabels: [(Double, Double)] = []
        for span in spans {
            let a = xs(min(span.from, span.to)), b = xs(max(span.from, span.to))
            svg.element("rect", [("x", .number(a)), ("y", .number(top)), ("width", .number(max(1, b - a))), ("height", .number(plotBottom - top)),
                                 ("fill", .text(LineChart.spanColour)), ("fill-opacity", .number(0.18))], tooltip: span.label)
            let (text, _) = TextMetrics.fit(span.label, maxWidth: max(0, right - a - 4), size: ChartStyle.annotationSize)
            let w = TextMetrics.width(text, size: ChartStyle.annotationSize)
            let x0 = a + 3
            if !text.isEmpty && x0 + w <= right && !placedLabels.contains(where: { x0 < $0.1 + 4 && $0.0 < x0 + w + 4 }) {
                svg.text(text, x: x0, y: top + 3 + ChartStyle.annotationSize * TextMetrics.ascent, size: ChartStyle.annotationSize,
                         fill: "#555555", tooltip: span.label, cssClass: "span-label")
                placedLabels.append((x0, x0 + w))
            }
        }
        svg.close("g")

        drawValueAxis(&svg, ticks: yTicks, scale: ys, left: left, right: right)

        // X axis: line, ticks and labels below the marker strip.
        let labelY = (rowNames.isEmpty ? plotBottom : stripTop + markerStrip) + 7 + ChartStyle.tickSize * TextMetrics.ascent
        svg.open("g", [("class", .text("x-axis"))])
        svg.element("line", [("x1", .number(left)), ("y1", .number(plotBottom)), ("x2", .number(right)), ("y2", .number(plotBottom)), ("stroke", .text(ChartStyle.axisColour))])
        for (v, label) in zip(xTickValues, xTickLabels) {
            let px = xs(v)
            svg.element("line", [("x1", .number(px)), ("y1", .number(plotBottom)), ("x2", .number(px)), ("y2", .number(plotBottom + 4)), ("stroke", .text(ChartStyle.axisColour))])
            svg.text(label, x: px, y: labelY, size: ChartStyle.tickSize, anchor: .middle, cssClass: "tick")
        }
        svg.close("g")
        drawXAxisTitle(&svg, xLabel, left: left, right: right, baseline: labelY + ChartStyle.tickSize * TextMetrics.descent + 6 + ChartStyle.labelSize * TextMetrics.ascent)
        drawYAxisTitle(&svg, yLabel, x: m, top: top, bottom: rowNames.isEmpty ? plotBottom : labelY)

        // Bands, then lines, then dots.
        let n = x.count
        for (i, s) in series.enumerated() {
            guard let lower = s.lower, let upper = s.upper else { continue }
            var p = PathBuilder()
            for run in finiteRuns(count: min(n, lower.count, upper.count), { x[$0].isFinite && lower[$0].isFinite && upper[$0].isFinite }) {
                p.move(xs(x[run[0]]), ys(upper[run[0]]))
                for j in run.dropFirst() { p.line(xs(x[j]), ys(upper[j])) }
                for j in run.reversed() { p.line(xs(x[j]), ys(lower[j])) }
                p.closePath()
            }
            if !p.d.isEmpty {
                svg.element("path", [("d", .text(p.d)), ("fill", .text(Palette.category(i))), ("fill-opacity", .number(0.18)), ("stroke", .text("none")), ("class", .text("band")), ("data-series", .text(s.name))])
            }
        }
        for (i, s) in series.enumerated() {
            let count = min(n, s.values.count)
            let runs = finiteRuns(count: count, { x[$0].isFinite && s.values[$0].isFinite })
            var p = PathBuilder()
            for run in runs where run.count > 1 {
                p.move(xs(x[run[0]]), ys(s.values[run[0]]))
                for j in run.dropFirst() { p.line(xs(x[j]), ys(s.values[j])) }
            }
            var attrs: [(String, SVGWriter.Value)] = [("d", .text(p.d)), ("fill", .text("none")), ("stroke", .text(Palette.category(i))), ("stroke-width", .number(2)), ("stroke-linejoin", .text("round"))]
            if let dash = Palette.dash(i) { attrs.append(("stroke-dasharray", .text(dash))) }
            attrs += [("class", .text("series")), ("data-series", .text(s.name))]
            svg.element("path", attrs, tooltip: s.name)
            let dots = showPoints ? runs.flatMap { $0 } : runs.filter { $0.count == 1 }.flatMap { $0 }
            if !dots.isEmpty {
                svg.open("g", [("class", .text("points")), ("fill", .text(Palette.category(i))), ("data-series", .text(s.name))])
                for j in dots { svg.element("circle", [("cx", .number(xs(x[j]))), ("cy", .number(ys(s.values[j]))), ("r", .number(3))]) }
                svg.close("g")
            }
        }

        // Marker rows under the plot, one per detector, sharing the plot's x axis.
        if !rowNames.isEmpty {
            svg.open("g", [("class", .text("markers"))])
            for (r, name) in rowNames.enumerated() {
                let rowBase = stripTop + Double(r + 1) * LineChart.markerRowHeight - 2
                svg.element("line", [("x1", .number(left)), ("y1", .number(rowBase)), ("x2", .number(right)), ("y2", .number(rowBase)), ("stroke", .text(ChartStyle.gridColour))])
                svg.text(rowLabels[r].text, x: left - 6, y: rowBase - 1, size: ChartStyle.tickSize, anchor: .end,
                         tooltip: rowLabels[r].truncated ? name : nil, cssClass: "marker-row")
                for marker in markers where marker.series == name && marker.x.isFinite {
                    let px = xs(marker.x)
                    svg.element("path", [("d", .text(trianglePath(cx: px, baseY: rowBase, size: 8))), ("fill", .text(ChartStyle.axisColour)), ("class", .text("marker"))], tooltip: "\(name): \(marker.label)")
                }
            }
            svg.close("g")
        }
        _ = drawHeader(&svg, title: title, legend: legend, width: width)
    }
}

/// Maximal runs of consecutive indices where `ok` holds (NaN gaps split lines).
func finiteRuns(count: Int, _ ok: (Int) -> Bool) -> [[Int]] {
    var runs: [[Int]] = [], current: [Int] = []
    for i in 0..<max(0, count) {
        if ok(i) { current.append(i) } else if !current.isEmpty { runs.append(current); current = [] }
    }
    if !current.isEmpty { runs.append(current) }
    return runs
}
