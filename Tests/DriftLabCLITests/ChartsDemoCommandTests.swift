import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite("driftlab charts-demo")
struct ChartsDemoCommandTests {
    @Test("writes a well-formed, self-contained report with every chart kind, the same bytes each time")
    func writesDemoReport() throws {
        let dir = try makeScratchFolder("charts-demo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runDriftlab(["charts-demo", "--out", dir.path])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let path = dir.appendingPathComponent("report.html")
        let html = try String(contentsOf: path, encoding: .utf8)
        #expect(XMLParser(data: Data(html.utf8)).parse())
        #expect(html.components(separatedBy: "<svg ").count - 1 == 7)
        for kind in ["class=\"series\"", "class=\"cell\"", "class=\"bar\"", "class=\"box\"", "class=\"panel\"", "class=\"marker\""] {
            #expect(html.contains(kind), "no \(kind)")
        }
        #expect(!html.contains("<script") && !html.contains("src="))
        let again = try runDriftlab(["charts-demo", "--out", dir.path])
        #expect(again.exitCode == 0)
        #expect(try String(contentsOf: path, encoding: .utf8) == html)
    }
}
