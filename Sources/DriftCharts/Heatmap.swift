/// A grid of coloured cells (rows x columns) with row and column labels and a colour legend bar:
/// per-feature drift over time, or a confusion matrix (counts shaded by their share of the row).
public struct Heatmap: Chart {
    /// What the colour of a cell shows.
    public enum Shading: Sendable {
        /// The value itself, over `domain` (nil: the finite data range, from 0 if all values are >= 0).
        case value(domain: ClosedRange<Double>?)
        /// The value's share of its row's sum (confusion matrices: recall per actual class).
        case rowShare
    }

    public var title: String
    /// Axis titles with units, e.g. "day" and "feature", or "predicted" and "actual".
    public var xLabel: String
    public var yLabel: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// `values[row][column]`; NaN cells are drawn grey ("missing").
    public var values: [[Double]]
    public var shading: Shading = .value(domain: nil)
    /// Legend bar title, e.g. "PSI" or "share of row".
    public var valueLabel: String
    /// Print each value in its cell when it fits, with this many decimals (nil: no numbers).
    public var annotationDecimals: Int? = nil
    /// Leave cells holding exactly 0 unannotated (sparse confusion matrices read faster, files stay small).
    public var annotateZeros = true
    /// Draw the colour bar at the right; small multiples sharing one scale can leave it out.
    public var colourLegend = true
    public var scale: ColourScale = .blues
    public var width: Double = 760
    public var height: Double = 380

    public init(title: String, xLabel: String, yLabel: String, rowLabels: [String], columnLabels: [String],
                values: [[Double]], shading: Shading = .value(domain: nil), valueLabel: String,
                annotationDecimals: Int? = nil, scale: ColourScale = .blues, width: Double = 760, height: Double = 380) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.rowLabels = rowLabels
        self.columnLabels = columnLabels; self.values = values; self.shading = shading; self.valueLabel = valueLabel
        self.annotationDecimals = annotationDecimals; self.scale = scale; self.width = width; self.height = height
    }

    static let missingColour = "#d9d9d9"

    var rowCount: Int { values.count }
    var columnCount: Int { values.map(\.count).max() ?? 0 }

    func value(_ r: Int, _ c: Int) -> Double { c < values[r].count ? values[r][c] : .nan }

    /// The colour domain and the number in 0...1 a cell maps to.
    func shadeDomain() -> (lo: Double, hi: Double) {
        switch shading {
        case .rowShare: return (0, 1)
        case .value(let domain):
            if let d = domain, d.upperBound > d.lowerBound, (d.upperBound - d.lowerBound).isFinite { return (d.lowerBound, d.upperBound) }
            let all = values.flatMap { $0 }
            let nonNegative = !all.contains { $0.isFinite && $0 < 0 }
            return dataRange(all, include: nonNegative ? [0] : [])
        }
    }

    func shadeValue(_ r: Int, _ c: Int, lo: Double, hi: Double) -> Double {
        let v = value(r, c)
        switch shading {
        case .rowShare:
            let sum = values[r].filter(\.isFinite).reduce(0, +)
            return sum > 0 && v.isFinite ? v / sum : .nan
        case .value:
            return v.isFinite ? (min(max(v, lo), hi) - lo) / (hi - lo) : .nan
        }
    }

    public func draw(into svg: inout SVGWriter) {
        let m = ChartStyle.margin
        let size = ChartStyle.tickSize
        let top = headerHeight(legend: nil) + 4
        let (lo, hi) = shadeDomain()
        let legendTicks = NiceTicks.inside(lo, hi, target: 5)

        // Right: colour bar, its tick labels and its rotated title.
        let legendTickWidth = legendTicks.labels.map { TextMetrics.width($0, size: size) }.max() ?? 0
        let barWidth = 12.0
        let rightMargin = colourLegend ? m + ChartStyle.labelSize + 6 + legendTickWidth + 6 + barWidth + 14 : m
        // Left: the rotated axis title, then row labels (capped at 30% of the width, cut with an ellipsis).
        let rowLabelMax = max(30, width * 0.3)
        let rows = (0..<rowCount).map { TextMetrics.fit($0 < rowLabels.count ? rowLabels[$0] : "", maxWidth: rowLabelMax, size: size) }
        let rowLabelWidth = rows.map { TextMetrics.width($0.text, size: size) }.max() ?? 0
        let left = m + ChartStyle.labelSize + 6 + rowLabelWidth + 6
        let right = width - rightMargin
        let columns = columnCount
        let slot = columns > 0 ? (right - left) / Double(columns) : right - left
        let colLabels = (0..<columns).map { $0 < columnLabels.count ? columnLabels[$0] : "" }
        let axis = CategoryAxisLayout(labels: colLabels, slot: slot)
        let bottom = height - (m + ChartStyle.labelSize + 6 + axis.height)
        _ = drawHeader(&svg, title: title, legend: nil, width: width)
        drawYAxisTitle(&svg, yLabel, x: m, top: top, bottom: max(top, bottom))
        drawXAxisTitle(&svg, xLabel, left: left, right: right, baseline: height - m - ChartStyle.labelSize * TextMetrics.descent)

        guard rowCount > 0, columns > 0, bottom > top else {
            drawNoData(&svg, x: (left + right) / 2, y: (top + max(top, bottom)) / 2)
            return
        }
        let cellHeight = (bottom - top) / Double(rowCount)

        // Cells with tooltips; numbers when they fit.
        let decimals = annotationDecimals
        let annotationSize = min(ChartStyle.annotationSize, cellHeight - 2)
        // White separators only where cells are big enough; dense grids would turn into stripes.
        let separated = slot >= 10 && cellHeight >= 10
        var groupAttributes: [(String, SVGWriter.Value)] = [("class", .text("cells")), ("shape-rendering", .text("crispEdges"))]
        if separated { groupAttributes += [("stroke", .text("#ffffff")), ("stroke-width", .number(0.5))] }
        svg.open("g", groupAttributes)
        var annotations: [(text: String, x: Double, y: Double, fill: String)] = []
        for r in 0..<rowCount {
            for c in 0..<columns {
                let v = value(r, c)
                let t = shadeValue(r, c, lo: lo, hi: hi)
                let colour = t.isNaN ? RGB(hex: Heatmap.missingColour) : scale.colour(t)
                let x = left + Double(c) * slot, y = top + Double(r) * cellHeight
                let tip = "\(r < rowLabels.count ? rowLabels[r] : "row \(r + 1)"), \(colLabels[c]): " + (v.isFinite ? Markup.number(v, decimals: 4) : "missing")
                let attrs: [(String, SVGWriter.Value)] = [("x", .number(x)), ("y", .number(y)), ("width", .number(slot)), ("height", .number(cellHeight)), ("fill", .text(colour.hex))]
                // A blank zero cell needs no tooltip: blank means zero.
                svg.element("rect", attrs + [("class", .text("cell"))], tooltip: !annotateZeros && v == 0 ? nil : tip)
                if let decimals, v.isFinite, annotationSize >= 6, annotateZeros || v != 0 {
                    let text = NiceTicks.fixed(v, decimals: decimals)
                    if TextMetrics.width(text, size: annotationSize) + 2 <= slot {
                        annotations.append((text, x + slot / 2, y + cellHeight / 2 + annotationSize * 0.35, textColour(on: colour)))
                    }
                }
            }
        }
        svg.close("g")
        // Numbers after the cells, outside their group (which carries the separators' stroke).
        if !annotations.isEmpty {
            svg.open("g", [("class", .text("annotations"))])
            for a in annotations {
                svg.text(a.text, x: a.x, y: a.y, size: annotationSize, anchor: .middle, fill: a.fill, cssClass: "annotation")
            }
            svg.close("g")
        }

        // Row labels (thinned when rows are shorter than a line of text).
        let everyRow = max(1, Int((size * 1.1 / cellHeight).rounded(.up)))
        svg.open("g", [("class", .text("row-labels"))])
        for r in stride(from: 0, to: rowCount, by: everyRow) {
            let y = top + (Double(r) + 0.5) * cellHeight + size * 0.35
            svg.text(rows[r].text, x: left - 6, y: y, size: size, anchor: .end, tooltip: rows[r].truncated ? rowLabels[r] : nil, cssClass: "tick")
        }
        svg.close("g")
        svg.open("g", [("class", .text("column-labels"))])
        axis.draw(&svg, centres: (0..<columns).map { left + (Double($0) + 0.5) * slot }, axisY: bottom, original: colLabels)
        svg.close("g")

        guard colourLegend else { return }
        // Colour bar: 40 steps from the scale, ticks on the right, title rotated beside them.
        let barX = right + 14
        let steps = 40
        let barTop = top, barBottom = bottom
        svg.open("g", [("class", .text("colour-legend"))])
        let stepHeight = (barBottom - barTop) / Double(steps)
        for k in 0..<steps {
            let t = (Double(k) + 0.5) / Double(steps)
            svg.element("rect", [("x", .number(barX)), ("y", .number(barBottom - Double(k + 1) * stepHeight)), ("width", .number(barWidth)),
                                 ("height", .number(stepHeight + 0.3)), ("fill", .text(scale.colour(t).hex))])
        }
        svg.element("rect", [("x", .number(barX)), ("y", .number(barTop)), ("width", .number(barWidth)), ("height", .number(barBottom - barTop)),
                             ("fill", .text("none")), ("stroke", .text("#888888")), ("stroke-width", .number(0.5))])
        let barScale = LinearScale(lo: lo, hi: hi, a: barBottom, b: barTop)
        let everyTick = max(1, Int((size * 1.2 / max(0.001, (barBottom - barTop) / Double(max(1, legendTicks.values.count)))).rounded(.up)))
        for (k, (v, label)) in zip(legendTicks.values, legendTicks.labels).enumerated() where k % everyTick == 0 {
            let y = barScale(v)
            svg.element("line", [("x1", .number(barX + barWidth)), ("y1", .number(y)), ("x2", .number(barX + barWidth + 3)), ("y2", .number(y)), ("stroke", .text("#555555"))])
            svg.text(label, x: barX + barWidth + 5, y: y + size * 0.35, size: size, cssClass: "tick")
        }
        let titleX = barX + barWidth + 5 + legendTickWidth + 6
        let (legendTitle, cut) = TextMetrics.fit(valueLabel, maxWidth: barBottom - barTop, size: ChartStyle.labelSize)
        svg.text(legendTitle, x: titleX + ChartStyle.labelSize * TextMetrics.ascent, y: (barTop + barBottom) / 2, size: ChartStyle.labelSize,
                 anchor: .middle, rotation: -90, tooltip: cut ? valueLabel : nil, cssClass: "legend-label")
        if values.contains(where: { $0.contains(where: { !$0.isFinite }) }) || columns > values.map(\.count).min() ?? columns {
            svg.element("rect", [("x", .number(barX)), ("y", .number(barBottom + 6)), ("width", .number(barWidth)), ("height", .number(8)), ("fill", .text(Heatmap.missingColour))], tooltip: "missing")
        }
        svg.close("g")
    }
}
