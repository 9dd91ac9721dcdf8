import DriftCore
import DriftDetectors
import Foundation
import Testing
@testable import driftlab

@Suite("driftlab drift")
struct DriftCommandTests {
    static func write(_ name: String, _ text: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drift-cli-\(name)-\(getpid()).csv").path
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    static func csv(rows: Int, seed: UInt64, shift: Double) -> String {
        var rng = Xoshiro256StarStar(seed: seed)
        var text = "amount,merchant,score\n"
        for _ in 0..<rows {
            let merchant = ["grocery", "fuel", "online"][rng.index(3)]
            text += "\(rng.lognormal(mu: 3 + shift, sigma: 1)),\(merchant),\(rng.normal())\n"
        }
        return text
    }

    @Test func tableIsSortedBySeverityAndListsUnmatchedColumns() throws {
        let ref = DriftCommandTests.write("ref", DriftCommandTests.csv(rows: 2000, seed: 1, shift: 0))
        let cur = DriftCommandTests.write("cur", DriftCommandTests.csv(rows: 2000, seed: 2, shift: 0.5).replacingOccurrences(of: "score", with: "score2"))
        defer { try? FileManager.default.removeItem(atPath: ref); try? FileManager.default.removeItem(atPath: cur) }
        let report = try DriftReport.compute(reference: try readDriftTable(ref), current: try readDriftTable(cur))
        let text = driftTable(report)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("feature") && $0.contains("p-value") && $0.contains("PSI") && $0.contains("alarm") })
        let amountLine = lines.firstIndex { $0.hasPrefix("amount ") }, merchantLine = lines.firstIndex { $0.hasPrefix("merchant ") }
        #expect(amountLine != nil && merchantLine != nil && amountLine! < merchantLine!)
        #expect(lines.first { $0.hasPrefix("amount ") }?.hasSuffix("ALARM") == true)
        #expect(text.contains("only in reference (not tested): score") && text.contains("only in current (not tested): score2"))
    }

    @Test func commandRunsAndReportsClearErrors() throws {
        let ref = DriftCommandTests.write("ref2", DriftCommandTests.csv(rows: 300, seed: 3, shift: 0))
        let empty = DriftCommandTests.write("empty", "")
        let header = DriftCommandTests.write("header", "amount,merchant\n")
        defer { for p in [ref, empty, header] { try? FileManager.default.removeItem(atPath: p) } }
        var ok = Arguments(command: "drift", ["--reference", ref, "--current", ref, "--json", "--features", "amount"])
        try driftCommand.run(&ok)
        var missing = Arguments(command: "drift", ["--reference", ref, "--current", ref + ".nope"])
        #expect(throws: (any Error).self) { try driftCommand.run(&missing) }
        do { _ = try readDriftTable(ref + ".nope"); Issue.record("no error") } catch { #expect("\(error)".contains("no such file")) }
        do { _ = try readDriftTable(empty); Issue.record("no error") } catch { #expect("\(error)".contains("empty")) }
        do { _ = try readDriftTable(header); Issue.record("no error") } catch { #expect("\(error)".contains("no rows")) }
        var unknown = Arguments(command: "drift", ["--reference", ref, "--current", ref, "--features", "amout"])
        do { try driftCommand.run(&unknown); Issue.record("no error") } catch {
            #expect("\(error)".contains("did you mean 'amount'") && "\(error)".contains("amount, merchant, score"))
        }
        var badRule = Arguments(command: "drift", ["--reference", ref, "--current", ref, "--rule", "loud"])
        #expect(throws: UsageError.self) { try driftCommand.run(&badRule) }
    }
}
