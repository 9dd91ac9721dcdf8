/// Several charts laid out in a grid under one title (e.g. confusion matrices side by side).
/// Each chart keeps its own size; a cell is as wide as the widest chart in its column.
public struct Figure: Chart {
    public var title: String
    public var charts: [any Chart]
    public var columns: Int
    public static let gap = 12.0

    public init(title: String, charts: [any Chart], columns: Int = 2) {
        self.title = title; self.charts = charts; self.columns = max(1, columns)
    }

    var columnWidths: [Double] {
        (0..<columns).map { c in stride(from: c, to: charts.count, by: columns).map { charts[$0].width }.max() ?? 0 }
    }
    var rowHeights: [Double] {
        stride(from: 0, to: charts.count, by: columns).map { start in charts[start..<min(charts.count, start + columns)].map(\.height).max() ?? 0 }
    }
    var headerHeight: Double { title.isEmpty ? 0 : ChartStyle.margin + ChartStyle.titleSize + 8 }

    public var width: Double {
        max(200, columnWidths.reduce(0, +) + Figure.gap * Double(max(0, min(columns, charts.count) - 1)))
    }
    public var height: Double {
        headerHeight + rowHeights.reduce(0, +) + Figure.gap * Double(max(0, rowHeights.count - 1))
    }

    public func draw(into svg: inout SVGWriter) {
        if !title.isEmpty {
            let (text, cut) = TextMetrics.fit(title, maxWidth: width - 2 * ChartStyle.margin, size: ChartStyle.titleSize)
            svg.text(text, x: ChartStyle.margin, y: ChartStyle.margin + ChartStyle.titleSize * TextMetrics.ascent, size: ChartStyle.titleSize,
                     weight: "bold", tooltip: cut ? title : nil, cssClass: "figure-title")
        }
        let widths = columnWidths, heights = rowHeights
        var y = headerHeight
        for (r, h) in heights.enumerated() {
            var x = 0.0
            for c in 0..<columns {
                let i = r * columns + c
                guard i < charts.count else { break }
                svg.open("g", [("transform", .text("translate(\(Markup.number(x)) \(Markup.number(y)))")), ("class", .text("panel"))])
                charts[i].draw(into: &svg)
                svg.close("g")
                x += widths[c] + Figure.gap
            }
            y += h + Figure.gap
        }
    }
}
