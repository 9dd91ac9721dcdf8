/// DriftCharts: SVG charts and self-contained HTML reports, written by the project (no dependency).
/// Charts take plain data (arrays of Double and String), so any module can draw them:
///
///     let chart = LineChart(title: "Recall", xLabel: "day of production", yLabel: "recall (share of fraud caught)",
///                           x: days, series: [.init(name: "realised", values: recall)],
///                           spans: [ShadedSpan(from: 30, to: 50, label: "onset to full strength")],
///                           markers: [Marker(x: 33, label: "day 33", series: "ADWIN")], yRange: 0...1)
///     try HTMLReport(title: "Run", sections: [.init("Timeline", [.chart(chart)])]).write(to: "report.html")
///
/// Kinds: `LineChart`, `Heatmap` (values or row shares), `BarChart` (grouped), `BoxPlot`, and
/// `Figure` (a grid of charts). Layout measures text as characters x size x 0.6 and reserves
/// margins, wraps, rotates, thins or cuts labels so no two labels overlap; the same input gives
/// the same bytes. Colours: Okabe–Ito for categories, computed Blues/viridis for heatmaps.
public enum DriftCharts {}
