import DriftCore
import Foundation
import Testing
@testable import DriftCharts

@Suite struct HTMLReportTests {
    func sampleReport() -> HTMLReport {
        HTMLReport(
            title: "Run <concept-gradual> & friends",
            subtitle: "Seed **7**, scenario `concept-gradual`, see [the sweep](../index.html)",
            navigation: [.init("sweep", href: "../report.html"), .init("evil", href: "javascript:alert(1)"), .init("remote", href: "https://example.com/x")],
            summary: .init(columns: ["detector", "alarms", "delay (days)", "recall"],
                           rows: [[.text("ADWIN"), .integer(3), .number(4.25, decimals: 1), .number(0.8123, decimals: 3)],
                                  [.text("DDM"), .integer(0), .number(.nan, decimals: 1)],
                                  [.link(.init("run 2", href: "run-2/report.html")), .integer(1), .number(.infinity, decimals: 1), .number(0.5, decimals: 3)]]),
            sections: [
                .init("Timeline", [.paragraph("Recall fell after day 30 < 40 & rose."), .chart(timeline())]),
                .init("Drift", [.chart(psiHeatmap(features: 4, days: 30)), .links([.init("previous run", href: "../run-1/report.html")])]),
            ])
    }

    @Test func wellFormedWithTableChartsAndEscapedText() throws {
        let html = sampleReport().html()
        let doc = try XMLDocument(html)
        #expect(doc.all("title").first?.text == "Run <concept-gradual> & friends")
        #expect(doc.all("svg").count == 2)
        #expect(doc.all("script").isEmpty && doc.all("img").isEmpty && doc.all("link").isEmpty)
        let rows = doc.all("tr")
        #expect(rows.count == 4)
        let cells = rows[1].all("td").map(\.text)
        #expect(cells == ["ADWIN", "3", "4.3", "0.812"])
        #expect(rows[2].all("td").map(\.text) == ["DDM", "0", "–", ""])
        #expect(rows[3].all("td")[2].text == "∞")
        #expect(doc.all("strong").map(\.text) == ["7"] && doc.all("code").map(\.text) == ["concept-gradual"])
        // Relative links are clickable; schemes and remote addresses are not.
        let hrefs = doc.all("a").compactMap { $0.attributes["href"] }
        #expect(hrefs == ["../index.html", "../report.html", "run-2/report.html", "../run-1/report.html"])
        #expect(html.contains("evil") && !html.contains("javascript:") && !html.contains("https://example.com"))
        #expect(!html.contains("http://") || html.contains("http://www.w3.org/2000/svg"))
    }

    @Test func writesAtomicallyAndDeterministically() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("driftcharts-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/nested/report.html"
        try sampleReport().write(to: path)
        let first = try AtomicFile.readText(path)
        try sampleReport().write(to: path)
        #expect(try AtomicFile.readText(path) == first)
        #expect(first == sampleReport().html())
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/nested") == ["report.html"])
    }

    @Test func sectionsHaveAnchorsAndCellsCanHoldSeveralLinks() throws {
        #expect(HTMLReport.slug("Power against severity") == "power-against-severity")
        #expect(HTMLReport.slug("Root-cause feature (n = 3)!") == "root-cause-feature-n-3")
        #expect(HTMLReport.slug("%%") == "section")
        let report = HTMLReport(title: "t", sections: [
            .init("Runs", [.table(.init(columns: ["cell", "runs"], rows: [[.text("a"), .links([.init("seed 0", href: "runs/a0/report.html"), .init("seed 1", href: "runs/a1/report.html")])]]))]),
            .init("Runs", []),
        ])
        let doc = try XMLDocument(report.html())
        #expect(doc.all("section").compactMap { $0.attributes["id"] } == ["runs", "runs-2"])
        #expect(doc.all("td")[1].all("a").compactMap { $0.attributes["href"] } == ["runs/a0/report.html", "runs/a1/report.html"])
    }

    @Test func markdownSubsetLeavesUnmatchedMarksLiteral() {
        #expect(HTMLReport.inlineMarkdown("a ** b ` c [d](") == "a ** b ` c [d](")
        #expect(HTMLReport.inlineMarkdown("[x](a.html) **<b>**") == "<a href=\"a.html\">x</a> <strong>&lt;b&gt;</strong>")
        #expect(HTMLReport.isSafeRelative("run-1/report.html#timeline"))
        #expect(!HTMLReport.isSafeRelative("JavaScript:alert(1)") && !HTMLReport.isSafeRelative("//host/x") && !HTMLReport.isSafeRelative("file:///etc"))
    }
}
