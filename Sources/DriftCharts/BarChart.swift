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
        let legend = LegendLayout(items: series.enumerated().map { LegendItem(.box(colour: Palette.category($0.offset)), $0.element.name) }, width: width - 2 * ChartStyle.margin)
        let frame = CategoryFrame(width: width, height: height, legend: legend, values: series.flatMap(\.values), include: [0], labels: categories)
        let ys = frame.scale, slot = frame.slot, left = frame.left
        let zero = ys(0)
        frame.drawAxes(&svg, title: title, legend: legend, width: width, height: height, xLabel: xLabel, yLabel: yLabel, baseline: zero)
        guard !categories.isEmpty, !series.isEmpty else {
            drawNoData(&svg, x: (left + frame.right) / 2, y: (frame.top + frame.bottom) / 2)
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
        frame.drawCategoryLabels(&svg)
    }
}
