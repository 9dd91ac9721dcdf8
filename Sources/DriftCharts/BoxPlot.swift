import DriftCore

/// Distributions side by side (e.g. detection delay per detector): a box from the first to the
/// third quartile, the median, whiskers to the furthest point within 1.5 IQR (Tukey), outliers as
/// dots. Quartiles by `Descriptive.quantile(sorted:)`; NaN values are ignored, n is shown in the label.
public struct BoxPlot: Chart {
    public struct Group: Sendable {
        public var label: String
        public var values: [Double]
        public init(label: String, values: [Double]) { self.label = label; self.values = values }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var groups: [Group]
    public var width: Double = 760
    public var height: Double = 380

    public init(title: String, xLabel: String, yLabel: String, groups: [Group], width: Double = 760, height: Double = 380) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.groups = groups; self.width = width; self.height = height
    }

    /// Tukey's five numbers of a group, nil when it has no finite value.
    public struct Summary: Sendable, Equatable {
        public var q1: Double, median: Double, q3: Double, whiskerLow: Double, whiskerHigh: Double
        public var outliers: [Double]
        public var count: Int
    }

    public static func summary(_ values: [Double]) -> Summary? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let q1 = Descriptive.quantile(sorted: sorted, 0.25), q3 = Descriptive.quantile(sorted: sorted, 0.75)
        let iqr = q3 - q1
        let lowFence = q1 - 1.5 * iqr, highFence = q3 + 1.5 * iqr
        let inside = sorted.filter { $0 >= lowFence && $0 <= highFence }
        return Summary(q1: q1, median: Descriptive.quantile(sorted: sorted, 0.5), q3: q3,
                       whiskerLow: inside.first ?? q1, whiskerHigh: inside.last ?? q3,
                       outliers: sorted.filter { $0 < lowFence || $0 > highFence }, count: sorted.count)
    }

    public func draw(into svg: inout SVGWriter) {
        let colour = Palette.category(0)
        let legend = LegendLayout(items: [LegendItem(.box(colour: colour), "quartiles and median"),
                                          LegendItem(.line(colour: colour, dash: nil), "whiskers: 1.5 IQR"),
                                          LegendItem(.point(colour: colour), "outliers")], width: width - 2 * ChartStyle.margin)
        let summaries = groups.map { BoxPlot.summary($0.values) }
        let labels = zip(groups, summaries).map { "\($0.0.label) (n=\($0.1?.count ?? 0))" }
        let frame = CategoryFrame(width: width, height: height, legend: legend, values: groups.flatMap(\.values), labels: labels)
        let ys = frame.scale, slot = frame.slot
        frame.drawAxes(&svg, title: title, legend: legend, width: width, height: height, xLabel: xLabel, yLabel: yLabel, baseline: frame.bottom)
        guard !groups.isEmpty else {
            drawNoData(&svg, x: (frame.left + frame.right) / 2, y: (frame.top + frame.bottom) / 2)
            return
        }
        let boxWidth = min(60, slot * 0.5)
        for (g, summary) in summaries.enumerated() {
            guard let s = summary else { continue }
            let cx = frame.centre(g)
            let tip = "\(groups[g].label): n=\(s.count), median \(Markup.number(s.median, decimals: 3)), quartiles \(Markup.number(s.q1, decimals: 3))–\(Markup.number(s.q3, decimals: 3))"
            svg.open("g", [("class", .text("box")), ("stroke", .text(colour)), ("data-group", .text(groups[g].label))])
            svg.element("line", [("x1", .number(cx)), ("y1", .number(ys(s.whiskerLow))), ("x2", .number(cx)), ("y2", .number(ys(s.q1)))])
            svg.element("line", [("x1", .number(cx)), ("y1", .number(ys(s.q3))), ("x2", .number(cx)), ("y2", .number(ys(s.whiskerHigh)))])
            for w in [s.whiskerLow, s.whiskerHigh] {
                svg.element("line", [("x1", .number(cx - boxWidth / 4)), ("y1", .number(ys(w))), ("x2", .number(cx + boxWidth / 4)), ("y2", .number(ys(w)))])
            }
            svg.element("rect", [("x", .number(cx - boxWidth / 2)), ("y", .number(ys(s.q3))), ("width", .number(boxWidth)), ("height", .number(max(1, ys(s.q1) - ys(s.q3)))),
                                 ("fill", .text(colour)), ("fill-opacity", .number(0.3))], tooltip: tip)
            svg.element("line", [("x1", .number(cx - boxWidth / 2)), ("y1", .number(ys(s.median))), ("x2", .number(cx + boxWidth / 2)), ("y2", .number(ys(s.median))), ("stroke-width", .number(2.5))])
            for o in s.outliers {
                svg.element("circle", [("cx", .number(cx)), ("cy", .number(ys(o))), ("r", .number(2.5)), ("fill", .text(colour)), ("stroke", .text("none"))])
            }
            svg.close("g")
        }
        frame.drawCategoryLabels(&svg)
    }
}
