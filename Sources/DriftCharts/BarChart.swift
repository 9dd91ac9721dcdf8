/// Grouped bars: one group per category (e.g. detector), one bar per series within it
/// (e.g. scenario), on a value axis that always includes zero.
public struct BarChart: Chart {
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        public init(name: String, values: [Double]) { self.name = name; self.values = values }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var categories: [String]
    public var series: [Series]
    public var width: Double = 760
    public var height: Double = 380

    public init(title: String, xLabel: String, yLabel: String, categories: [String], series: [Series],
                width: Double = 760, height: Double = 380) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.categories = categories
        self.series = series; self.width = width; self.height = height
    }

    public func draw(into svg: inout SVGWriter) {
        let m = ChartStyle.margin
        let legend = LegendLayout(items: series.enumerated().map { LegendItem(.box(colour: Palette.category($0.offset)), $0.element.name) }, width: width - 2 * m)
        let top = headerHeight(legend: legend) + 6
        let range = dataRange(series.flatMap(\.values), include: [0])
        let (lo, hi, ticks) = NiceTicks.extended(range.lo, range.hi, target: 5)
        let left = yAxisMargin(ticks)
        let right = width - m - 8
        let slot = categories.isEmpty ? right - left : (right - left) / Double(categories.count)
        let axis = CategoryAxisLayout(labels: categories, slot: slot)
        let bottom = max(top + 40, height - (m + ChartStyle.labelSize + 6 + axis.height))
        let ys = LinearScale(lo: lo, hi: hi, a: bottom, b: top)

        _ = drawHeader(&svg, title: title, legend: legend, width: width)
        drawValueAxis(&svg, ticks: ticks, scale: ys, left: left, right: right)
        drawYAxisTitle(&svg, yLabel, x: m, top: top, bottom: bottom)
        drawXAxisTitle(&svg, xLabel, left: left, right: right, baseline: height - m - ChartStyle.labelSize * TextMetrics.descent)
        let zero = ys(0)
        svg.element("line", [("x1", .number(left)), ("y1", .number(zero)), ("x2", .number(right)), ("y2", .number(zero)), ("stroke", .text(ChartStyle.axisColour))])
        guard !categories.isEmpty, !series.isEmpty else {
            drawNoData(&svg, x: (left + right) / 2, y: (top + bottom) / 2)
            return
        }
        let groupWidth = slot * 0.8
        let barWidth = groupWidth / Double(series.count)
        for (i, s) in series.enumerated() {
            svg.open("g", [("class", .text("bars")), ("fill", .text(Palette.category(i))), ("data-series", .text(s.name))])
            for (c, category) in categories.enumerated() {
                let v = c < s.values.count ? s.values[c] : .nan
                guard v.isFinite else { continue }
                let x = left + Double(c) * slot + (slot - groupWidth) / 2 + Double(i) * barWidth
                let y = ys(v)
                svg.element("rect", [("x", .number(x)), ("y", .number(min(y, zero))), ("width", .number(max(0.5, barWidth - 1))), ("height", .number(Swift.abs(zero - y))), ("class", .text("bar"))],
                            tooltip: "\(s.name), \(category): \(Markup.number(v, decimals: 4))")
            }
            svg.close("g")
        }
        svg.open("g", [("class", .text("x-axis"))])
        axis.draw(&svg, centres: (0..<categories.count).map { left + (Double($0) + 0.5) * slot }, axisY: bottom, original: categories)
        svg.close("g")
    }
}
