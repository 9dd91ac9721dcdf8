import DriftCharts
import DriftCore
import Foundation

/// `driftlab charts-demo --out DIR`: a report with every chart kind drawn from synthetic data, for
/// checking the charts by eye in a browser (docs/render-check.sh). Not part of the lab's workflow.
let chartsDemoCommand = Command(
    name: "charts-demo",
    summary: "Write a demo report with every chart kind from synthetic data",
    help: """
    USAGE: driftlab charts-demo --out DIR [--quiet]

    Writes DIR/report.html: a self-contained page with a run timeline, drift and missing-rate
    heatmaps, confusion matrices side by side, power against severity, false alarms and detection
    delays, all from synthetic data (seeded, so the file is the same every time). Used by
    docs/render-check.sh to look at the charts in a real browser.

    OPTIONS:
      --out DIR    folder for report.html (created if missing)
      --quiet      print nothing on stdout

    EXAMPLE: driftlab charts-demo --out results/charts-demo && xdg-open results/charts-demo/report.html
    """,
    hidden: true,
    run: { args in
        let out = try args.requiredOption("out")
        let quiet = args.flag("quiet")
        try args.finish(knownFlags: ["out", "quiet"])
        let path = (out as NSString).appendingPathComponent("report.html")
        try chartsDemoReport().write(to: path)
        if !quiet { print("wrote \(path)") }
    })

/// The demo page; every number comes from a seeded generator.
func chartsDemoReport() -> HTMLReport {
    var rng = Xoshiro256StarStar(seed: 2024, stream: streamID("charts-demo"))
    let days = 120
    let x = (0..<days).map(Double.init)
    func recall(level: Double, drop: Double, noise: Double) -> [Double] {
        (0..<days).map { d in
            let ramp = d < 40 ? 0 : min(1, Double(d - 40) / 25)
            return level - drop * ramp + noise * rng.normal()
        }
    }
    let realised = recall(level: 0.82, drop: 0.3, noise: 0.015)
    var measured = recall(level: 0.82, drop: 0.3, noise: 0.04)
    for d in 0..<days where d > days - 20 || (70..<76).contains(d) { measured[d] = .nan }   // labels not yet arrived, an outage
    let estimated = recall(level: 0.8, drop: 0.26, noise: 0.02)
    let detectors = ["ADWIN", "Page-Hinkley", "DDM", "KS on amount", "PSI on every feature", "label-free recall estimate"]
    var markers: [Marker] = []
    for (i, name) in detectors.enumerated() {
        let first = 42 + 4 * i
        for day in [first, first + 9 + i, first + 30] where day < days {
            markers.append(Marker(x: Double(day), label: "alarm on day \(day)", series: name))
        }
    }
    var timeline = LineChart(
        title: "Run timeline: recall of the production model, scenario concept-gradual (seed 7)",
        xLabel: "day of production", yLabel: "recall (share of fraud caught)", x: x,
        series: [.init(name: "realised", values: realised),
                 .init(name: "measured (arrived labels)", values: measured),
                 .init(name: "estimated (label-free)", values: estimated, lower: estimated.map { $0 - 0.06 }, upper: estimated.map { $0 + 0.06 })],
        spans: [ShadedSpan(from: 40, to: 65, label: "concept drift: onset to full strength")],
        markers: markers, markerRows: detectors, yRange: 0...1, width: 1000, height: 460)
    timeline.bandLabel = "90% interval of the estimate"

    let features = ["amount", "merchant_category", "channel", "hour_of_day", "distance_from_home_km",
                    "card_age_days", "transactions_last_24h", "country_mismatch_with_billing_address"]
    let psi = features.indices.map { f in
        (0..<days).map { d -> Double in
            let base = 0.01 + 0.01 * rng.uniform()
            return f == 2 && d >= 40 ? base + min(0.35, Double(d - 40) * 0.012) : base
        }
    }
    let drift = Heatmap(title: "Per-feature drift: population stability index against the training window",
                        xLabel: "day of production", yLabel: "feature", rowLabels: features, columnLabels: x.map { String(Int($0)) },
                        values: psi, valueLabel: "PSI (unitless)", width: 1000, height: 320)
    let missing = Heatmap(title: "Missing rate per feature", xLabel: "day of production", yLabel: "feature",
                          rowLabels: features, columnLabels: x.map { String(Int($0)) },
                          values: features.indices.map { f in (0..<days).map { d in f == 4 && d >= 60 && d < 90 ? 0.4 : 0.002 * rng.uniform() } },
                          shading: .value(domain: 0...1), valueLabel: "share missing", scale: .viridis, width: 1000, height: 320)

    let kinds = ["none", "covariate", "concept", "prior", "data quality", "label delay"]
    func confusion(_ name: String, accuracy: Double) -> Heatmap {
        let counts = kinds.indices.map { r in
            kinds.indices.map { c -> Double in
                let correct = 40.0 * accuracy
                return r == c ? (correct + Double(rng.index(6))).rounded() : Double(rng.index(Int(12 * (1 - accuracy)) + 1))
            }
        }
        return Heatmap(title: name, xLabel: "diagnosed kind", yLabel: "injected kind", rowLabels: kinds, columnLabels: kinds,
                       values: counts, shading: .rowShare, valueLabel: "share of row", annotationDecimals: 0, width: 480, height: 400)
    }
    let matrices = Figure(title: "Confusion matrices: injected failure kind against diagnosis", charts: [
        confusion("Diagnosis (all detectors)", accuracy: 0.9), confusion("ADWIN alone", accuracy: 0.5),
        confusion("KS per feature alone", accuracy: 0.65), confusion("Page-Hinkley alone", accuracy: 0.4),
    ], columns: 2)

    let severities = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0]
    let power = LineChart(title: "Detection power against severity, covariate shift", xLabel: "severity (standard deviations of shift)",
                          yLabel: "power (share of runs detected)", x: severities,
                          series: detectors.prefix(4).enumerated().map { i, name in
                              .init(name: name, values: severities.map { s in min(1, 0.05 + (1 - exp(-s * (0.8 + 0.5 * Double(i))))) })
                          }, yRange: 0...1, showPoints: true, width: 640, height: 360)
    let falseAlarms = BarChart(title: "False alarms in failure-free runs", xLabel: "detector", yLabel: "false alarms per 30 days",
                               categories: detectors,
                               series: ["control", "seasonal control"].map { name in .init(name: name, values: detectors.map { _ in (rng.uniform() * 3 * 10).rounded() / 10 }) },
                               width: 640, height: 360)
    let delays = BoxPlot(title: "Detection delay after onset", xLabel: "detector", yLabel: "delay (days)",
                         groups: detectors.enumerated().map { i, name in
                             .init(label: name, values: (0..<(i == 2 ? 0 : 40)).map { _ in rng.exponential(rate: 1 / (3 + Double(i) * 2)) })
                         }, width: 1000, height: 380)

    let summary = HTMLReport.Table(columns: ["detector", "alarms", "first alarm (day)", "delay (days)", "false alarms per 30 days"],
                                   rows: detectors.enumerated().map { i, name in
                                       [.text(name), .integer(3), .integer(42 + 4 * i), .number(Double(2 + 4 * i), decimals: 1), .number(Double(i) * 0.37, decimals: 2)]
                                   })
    return HTMLReport(
        title: "DriftLab charts demo",
        subtitle: "Synthetic data, every chart kind. Written by `driftlab charts-demo`; see [the sweep report](../sweep/report.html).",
        navigation: [.init("previous run", href: "../run-1/report.html"), .init("next run", href: "../run-3/report.html")],
        summary: summary,
        sections: [
            .init("Timeline", [.paragraph("Recall **realised** (all labels), **measured** (labels arrived so far) and **estimated** without labels; the shaded span is the failure's ramp and the triangles below the plot are each detector's alarms."), .chart(timeline)]),
            .init("Data drift", [.chart(drift), .chart(missing)]),
            .init("Diagnosis", [.chart(matrices)]),
            .init("Detectors", [.chart(power), .chart(falseAlarms), .chart(delays)]),
            .init("Other reports", [.links([.init("run 1", href: "../run-1/report.html"), .init("run 3", href: "../run-3/report.html")])]),
        ])
}
