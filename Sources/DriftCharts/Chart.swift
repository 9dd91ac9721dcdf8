/// A chart that draws itself as SVG into a `width` x `height` box at the origin.
public protocol Chart: Sendable {
    var width: Double { get }
    var height: Double { get }
    /// Draws the chart's elements (no `<svg>` wrapper) in its own coordinates.
    func draw(into svg: inout SVGWriter)
}

extension Chart {
    /// A complete standalone SVG document.
    public func svg() -> String {
        var w = SVGWriter()
        w.open("svg", [
            ("xmlns", .text("http://www.w3.org/2000/svg")),
            ("width", .number(width)), ("height", .number(height)),
            ("viewBox", .text("0 0 \(Markup.number(width)) \(Markup.number(height))")),
            ("font-family", .text(ChartStyle.fontFamily)),
            ("fill", .text(ChartStyle.textColour)),
            ("class", .text("chart")),
        ])
        w.element("rect", [("x", .number(0)), ("y", .number(0)), ("width", .number(width)), ("height", .number(height)), ("fill", .text("#ffffff"))])
        draw(into: &w)
        w.close("svg")
        return w.body
    }
}

/// One entry of a chart's legend: a swatch drawn like the mark it explains, and its label.
public struct LegendItem: Sendable {
    public enum Swatch: Sendable {
        case line(colour: String, dash: String?)
        case area(colour: String, opacity: Double)
        case triangle(colour: String)
        case point(colour: String)
        case box(colour: String)
    }
    public var swatch: Swatch
    public var label: String
    public init(_ swatch: Swatch, _ label: String) { self.swatch = swatch; self.label = label }
}

/// A legend laid out in rows that wrap within the available width; labels longer than
/// `maxLabelWidth` are cut with an ellipsis (the full text becomes a tooltip).
struct LegendLayout {
    static let swatchWidth = 18.0
    static let rowHeight = 16.0
    struct Placed { var item: LegendItem; var text: String; var truncated: Bool; var x: Double; var row: Int }
    var placed: [Placed] = []
    var rows = 0
    var height: Double { Double(rows) * LegendLayout.rowHeight }

    init(items: [LegendItem], width: Double) {
        let size = ChartStyle.legendSize
        let maxLabelWidth = max(40, min(width - LegendLayout.swatchWidth - 6, 320))
        var x = 0.0, row = 0
        for item in items {
            let (text, truncated) = TextMetrics.fit(item.label, maxWidth: maxLabelWidth, size: size)
            let w = LegendLayout.swatchWidth + 4 + TextMetrics.width(text, size: size)
            if x > 0 && x + w > width { x = 0; row += 1 }
            placed.append(Placed(item: item, text: text, truncated: truncated, x: x, row: row))
            x += w + 14
        }
        rows = items.isEmpty ? 0 : row + 1
    }

    func draw(into svg: inout SVGWriter, x0: Double, y0: Double) {
        guard !placed.isEmpty else { return }
        svg.open("g", [("class", .text("legend"))])
        for p in placed {
            let x = x0 + p.x
            let mid = y0 + Double(p.row) * LegendLayout.rowHeight + LegendLayout.rowHeight / 2
            let sw = LegendLayout.swatchWidth
            switch p.item.swatch {
            case .line(let colour, let dash):
                var a: [(String, SVGWriter.Value)] = [("x1", .number(x)), ("y1", .number(mid)), ("x2", .number(x + sw)), ("y2", .number(mid)), ("stroke", .text(colour)), ("stroke-width", .number(2.5))]
                if let dash { a.append(("stroke-dasharray", .text(dash))) }
                svg.element("line", a)
            case .area(let colour, let opacity):
                svg.element("rect", [("x", .number(x)), ("y", .number(mid - 5)), ("width", .number(sw)), ("height", .number(10)), ("fill", .text(colour)), ("fill-opacity", .number(opacity))])
            case .triangle(let colour):
                svg.element("path", [("d", .text(trianglePath(cx: x + sw / 2, baseY: mid + 4))), ("fill", .text(colour))])
            case .point(let colour):
                svg.element("circle", [("cx", .number(x + sw / 2)), ("cy", .number(mid)), ("r", .number(3.5)), ("fill", .text(colour))])
            case .box(let colour):
                svg.element("rect", [("x", .number(x + 3)), ("y", .number(mid - 5)), ("width", .number(sw - 6)), ("height", .number(10)), ("fill", .text(colour)), ("fill-opacity", .number(0.35)), ("stroke", .text(colour))])
            }
            svg.text(p.text, x: x + sw + 4, y: mid + ChartStyle.legendSize * 0.35, size: ChartStyle.legendSize,
                     tooltip: p.truncated ? p.item.label : nil, cssClass: "legend-label")
        }
        svg.close("g")
    }
}

/// An upward triangle of side ~8 px standing on `baseY`.
func trianglePath(cx: Double, baseY: Double, size: Double = 8) -> String {
    var p = PathBuilder()
    p.move(cx - size / 2, baseY)
    p.line(cx + size / 2, baseY)
    p.line(cx, baseY - size * 0.87)
    p.closePath()
    return p.d
}

/// The title line and legend at the top of a chart; returns the y where the plot may start.
func drawHeader(_ svg: inout SVGWriter, title: String, legend: LegendLayout?, width: Double) -> Double {
    let m = ChartStyle.margin
    let (text, truncated) = TextMetrics.fit(title, maxWidth: width - 2 * m, size: ChartStyle.titleSize)
    svg.text(text, x: m, y: m + ChartStyle.titleSize * TextMetrics.ascent, size: ChartStyle.titleSize, weight: "bold",
             tooltip: truncated ? title : nil, cssClass: "title")
    var y = m + ChartStyle.titleSize + 6
    if let legend, legend.rows > 0 {
        legend.draw(into: &svg, x0: m, y0: y)
        y += legend.height + 4
    }
    return y
}

/// Header height before drawing, for layout.
func headerHeight(legend: LegendLayout?) -> Double {
    var y = ChartStyle.margin + ChartStyle.titleSize + 6
    if let legend, legend.rows > 0 { y += legend.height + 4 }
    return y
}

/// A vertical axis title, rotated, centred on the plot's vertical extent at the left edge.
func drawYAxisTitle(_ svg: inout SVGWriter, _ label: String, x: Double, top: Double, bottom: Double) {
    guard !label.isEmpty else { return }
    let (text, truncated) = TextMetrics.fit(label, maxWidth: max(0, bottom - top), size: ChartStyle.labelSize)
    let baseline = x + ChartStyle.labelSize * TextMetrics.ascent
    svg.text(text, x: baseline, y: (top + bottom) / 2, size: ChartStyle.labelSize, anchor: .middle, rotation: -90,
             tooltip: truncated ? label : nil, cssClass: "axis-title")
}

/// A horizontal axis title centred under the plot.
func drawXAxisTitle(_ svg: inout SVGWriter, _ label: String, left: Double, right: Double, baseline: Double) {
    guard !label.isEmpty else { return }
    let (text, truncated) = TextMetrics.fit(label, maxWidth: max(0, right - left), size: ChartStyle.labelSize)
    svg.text(text, x: (left + right) / 2, y: baseline, size: ChartStyle.labelSize, anchor: .middle,
             tooltip: truncated ? label : nil, cssClass: "axis-title")
}

/// Width reserved left of the plot for the y tick labels and the y axis title.
func yAxisMargin(_ ticks: NiceTicks, extra: Double = 0) -> Double {
    let tickWidth = ticks.labels.map { TextMetrics.width($0, size: ChartStyle.tickSize) }.max() ?? 0
    return ChartStyle.margin + ChartStyle.labelSize + 6 + max(tickWidth, extra) + 8
}

/// Horizontal grid lines, the y axis line and its right-aligned tick labels.
func drawValueAxis(_ svg: inout SVGWriter, ticks: NiceTicks, scale: LinearScale, left: Double, right: Double) {
    svg.open("g", [("class", .text("y-axis"))])
    for (v, label) in zip(ticks.values, ticks.labels) {
        let y = scale(v)
        svg.element("line", [("x1", .number(left)), ("y1", .number(y)), ("x2", .number(right)), ("y2", .number(y)), ("stroke", .text(ChartStyle.gridColour))])
        svg.text(label, x: left - 6, y: y + ChartStyle.tickSize * 0.35, size: ChartStyle.tickSize, anchor: .end, cssClass: "tick")
    }
    svg.element("line", [("x1", .number(left)), ("y1", .number(scale.b)), ("x2", .number(left)), ("y2", .number(scale.a)), ("stroke", .text(ChartStyle.axisColour))])
    svg.close("g")
}

/// How category labels under an axis are drawn so they never collide: horizontal when they fit
/// their slot, else wrapped onto two lines at a space, else (short labels such as day numbers)
/// every `every`-th label, else rotated a quarter turn (thinned if even that is too dense); long
/// rotated labels are cut to `maxRotatedLength` pixels with an ellipsis and keep a tooltip.
struct CategoryAxisLayout {
    var rotated = false
    var every = 1
    /// Each label as one or two lines, and whether it was cut.
    var labels: [(lines: [String], truncated: Bool)] = []
    /// Height taken below the axis by the labels.
    var height = 0.0
    let size: Double
    static let maxRotatedLength = 150.0
    var lineHeight: Double { size * 1.2 }

    init(labels raw: [String], slot: Double, size: Double = ChartStyle.tickSize) {
        self.size = size
        let widest = raw.map { TextMetrics.width($0, size: size) }.max() ?? 0
        if widest + 4 <= slot {
            labels = raw.map { ([$0], false) }
            height = size + 8
            return
        }
        let wrapped = raw.map { CategoryAxisLayout.twoLines($0, size: size) }
        if wrapped.allSatisfy({ $0.map { TextMetrics.width($0, size: size) }.max() ?? 0 <= slot - 4 }) {
            labels = wrapped.map { ($0, false) }
            height = size * 1.2 + size + 8
            return
        }
        if widest <= 6 * size * TextMetrics.widthFactor {
            every = max(1, Int(((widest + 6) / max(slot, 0.001)).rounded(.up)))
            labels = raw.map { ([$0], false) }
            height = size + 8
            return
        }
        rotated = true
        every = max(1, Int((size * 1.15 / max(slot, 0.001)).rounded(.up)))
        labels = raw.map {
            let (text, cut) = TextMetrics.fit($0, maxWidth: CategoryAxisLayout.maxRotatedLength, size: size)
            return ([text], cut)
        }
        height = (labels.map { TextMetrics.width($0.lines[0], size: size) }.max() ?? 0) + 10
    }

    /// The split at a space that makes the longer of the two lines shortest (one line if no space).
    static func twoLines(_ s: String, size: Double) -> [String] {
        let words = s.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard words.count > 1 else { return [s] }
        var best = [s], bestWidth = Double.infinity
        for k in 1..<words.count {
            let a = words[..<k].joined(separator: " "), b = words[k...].joined(separator: " ")
            let w = max(TextMetrics.width(a, size: size), TextMetrics.width(b, size: size))
            if w < bestWidth { best = [a, b]; bestWidth = w }
        }
        return best
    }

    /// Draws label i at its slot centre `x`, under the axis at `axisY`.
    func draw(_ svg: inout SVGWriter, centres: [Double], axisY: Double, original: [String]) {
        for (i, x) in centres.enumerated() where i < labels.count && i % every == 0 {
            let l = labels[i]
            let tooltip = l.truncated ? original[i] : nil
            if rotated {
                svg.text(l.lines[0], x: x + size * 0.35, y: axisY + 6, size: size, anchor: .end, rotation: -90, tooltip: tooltip, cssClass: "tick")
            } else {
                for (k, line) in l.lines.enumerated() {
                    svg.text(line, x: x, y: axisY + 6 + size * TextMetrics.ascent + Double(k) * lineHeight, size: size, anchor: .middle, tooltip: tooltip, cssClass: "tick")
                }
            }
        }
    }
}

/// A message drawn in place of a plot with nothing to show.
func drawNoData(_ svg: inout SVGWriter, x: Double, y: Double, message: String = "no data") {
    svg.text(message, x: x, y: y, size: ChartStyle.labelSize, anchor: .middle, fill: "#777777", cssClass: "no-data")
}

/// The frame of a chart with one slot per category along x and a value axis along y (bars, boxes):
/// header and legend on top, nice ticks over `values`, labels under the axis laid out to fit.
struct CategoryFrame {
    let top, left, right, bottom, slot: Double
    let ticks: NiceTicks
    let scale: LinearScale
    let axis: CategoryAxisLayout
    let labels: [String]

    init(width: Double, height: Double, legend: LegendLayout, values: [Double], include: [Double] = [], labels: [String]) {
        let m = ChartStyle.margin
        top = headerHeight(legend: legend) + 6
        let range = dataRange(values, include: include)
        let (lo, hi, ticks) = NiceTicks.extended(range.lo, range.hi, target: 5)
        self.ticks = ticks
        left = yAxisMargin(ticks)
        right = width - m - 8
        slot = labels.isEmpty ? right - left : (right - left) / Double(labels.count)
        axis = CategoryAxisLayout(labels: labels, slot: slot)
        bottom = max(top + 40, height - (m + ChartStyle.labelSize + 6 + axis.height))
        scale = LinearScale(lo: lo, hi: hi, a: bottom, b: top)
        self.labels = labels
    }

    /// Centre of category `i`'s slot.
    func centre(_ i: Int) -> Double { left + (Double(i) + 0.5) * slot }

    /// Header, value axis with grid, both axis titles, and a baseline at `baseline` (a y value).
    func drawAxes(_ svg: inout SVGWriter, title: String, legend: LegendLayout, width: Double, height: Double,
                  xLabel: String, yLabel: String, baseline: Double) {
        let m = ChartStyle.margin
        _ = drawHeader(&svg, title: title, legend: legend, width: width)
        drawValueAxis(&svg, ticks: ticks, scale: scale, left: left, right: right)
        drawYAxisTitle(&svg, yLabel, x: m, top: top, bottom: bottom)
        drawXAxisTitle(&svg, xLabel, left: left, right: right, baseline: height - m - ChartStyle.labelSize * TextMetrics.descent)
        svg.element("line", [("x1", .number(left)), ("y1", .number(baseline)), ("x2", .number(right)), ("y2", .number(baseline)), ("stroke", .text(ChartStyle.axisColour))])
    }

    /// The category labels under the axis.
    func drawCategoryLabels(_ svg: inout SVGWriter) {
        svg.open("g", [("class", .text("x-axis"))])
        axis.draw(&svg, centres: (0..<labels.count).map(centre), axisY: bottom, original: labels)
        svg.close("g")
    }
}
