import DriftCore
import DriftDetectors
import Foundation
import Testing
@testable import driftlab

@Suite("driftlab drift")
struct DriftCommandTests {
    static func write(_ name: String, _ text: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drift-cli-\(name)-\(getpid()).csv").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
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

    /// Small and odd files a user may hand over (each a trap or a misread until 2026-11-24): a
    /// reference of two rows (W1's noise bands had no width), "NA" and "null" in a numeric column
    /// (read as text, so the column went categorical and alarmed), and a huge W1 (printed in full, up to 300 digits).
    @Test func smallAndOddFilesGiveAReport() throws {
        let two = DriftCommandTests.write("two", "a,b\n1,x\n2,y\n")
        let swapped = DriftCommandTests.write("swapped", "a,b\nq,1\nr,2\n")
        let huge = DriftCommandTests.write("huge", "a,b\n1e12,x\n-inf,y\nNaN,x\n2e12,y\n")
        var rng = Xoshiro256StarStar(seed: 11)
        var na = "score,country\n", null = "score,country\n"
        for i in 0..<400 {
            na += (i % 20 == 0 ? "NA" : "\(rng.uniform())") + ",\(["de", "fr"][rng.index(2)])\n"
            null += (i % 20 == 0 ? "null" : "\(rng.uniform())") + ",\(["de", "fr"][rng.index(2)])\n"
        }
        let naPath = DriftCommandTests.write("na", na), nullPath = DriftCommandTests.write("null", null)
        defer { for p in [two, swapped, huge, naPath, nullPath] { try? FileManager.default.removeItem(atPath: p) } }
        let a = try DriftReport.compute(reference: try readDriftTable(two), current: try readDriftTable(two))
        #expect(a.features.count == 2 && !a.features.contains { $0.alarm })
        let mismatch = try DriftReport.compute(reference: try readDriftTable(two), current: try readDriftTable(swapped))
        #expect(mismatch.typeMismatches == ["a", "b"])
        let text = driftTable(try DriftReport.compute(reference: try readDriftTable(two), current: try readDriftTable(huge)))
        #expect(text.contains("e+12") && !text.contains("000000000"))
        let scores = try DriftReport.compute(reference: try readDriftTable(naPath), current: try readDriftTable(nullPath))
        let score = try #require(scores.features.first { $0.feature == "score" })
        #expect(score.type == .numeric && !score.alarm)
        let asText = try DriftReport.compute(reference: try readDriftTable(naPath, missing: .none), current: try readDriftTable(nullPath, missing: .none))
        #expect(asText.features.first { $0.feature == "score" }?.type == .categorical)
    }

    /// Random small files (seeded): 1 to 30 rows, 1 to 4 columns of numbers, constants, empty cells,
    /// categories, missing markers and texts such as inf, 1e308, 5e-324 and a quoted comma, compared
    /// under every rule. None may trap, and every report must hold together: p-values in [0, 1] (or
    /// NaN where there is nothing to test), PSI and JS not negative, no alarm on a feature with a note.
    @Test func randomSmallFilesGiveReportsThatHoldTogether() throws {
        var rng = Xoshiro256StarStar(seed: 2026, stream: streamID("drift-cli-fuzz"))
        let tokens = ["NA", "null", "1", "2", "0", "-1", "1.5", "1e308", "-1e308", "inf", "-inf", "nan", "", "x", "y",
                      "5e-324", "-0", "\"a,b\"", "3", "1e-300", "99999999999999999999"]
        func column(_ n: Int) -> [String] {
            switch rng.index(6) {
            case 0: return (0..<n).map { _ in ["1", "2", "3.5", "-4", "0", "1e5", "7"][rng.index(7)] }
            case 1: return [String](repeating: "3", count: n)
            case 2: return [String](repeating: "", count: n)
            case 3: return (0..<n).map { _ in ["a", "b", "c"][rng.index(3)] }
            case 4: return (0..<n).map { _ in tokens[rng.index(tokens.count)] }
            default: return (0..<n).map { _ in ["1", "2"][rng.index(2)] }
            }
        }
        func file(_ name: String, columns k: Int) -> String {
            let n = [1, 2, 3, 4, 5, 10, 30][rng.index(7)]
            let cells = (0..<k).map { _ in column(n) }
            var text = (0..<k).map { "c\($0)" }.joined(separator: ",") + "\n"
            for i in 0..<n { text += cells.map { $0[i] }.joined(separator: ",") + "\n" }
            return DriftCommandTests.write(name, text)
        }
        var reports = 0
        for _ in 0..<150 {
            let k = 1 + rng.index(4)
            let ref = file("fuzz-ref", columns: k), cur = file("fuzz-cur", columns: k)
            defer { try? FileManager.default.removeItem(atPath: ref); try? FileManager.default.removeItem(atPath: cur) }
            for rule in DriftRule.allCases {
                var configuration = DriftConfiguration()
                configuration.rule = rule
                guard let report = try? DriftReport.compute(reference: try readDriftTable(ref), current: try readDriftTable(cur),
                                                           configuration: configuration) else { continue }
                reports += 1
                _ = driftTable(report)
                _ = report.json().serialized()
                for f in report.features {
                    #expect(f.pValue.isNaN || (0...1).contains(f.pValue), "\(f)")
                    #expect(f.adjustedPValue.isNaN || (0...1).contains(f.adjustedPValue), "\(f)")
                    #expect(!(f.populationStabilityIndex < 0) && !(f.jensenShannon < 0), "\(f)")
                    #expect(f.note == nil || !f.alarm, "\(f)")
                }
            }
        }
        #expect(reports > 300)  // most pairs share a column and are compared
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
        // --missing takes a list ("" for none) and needs a value.
        var noMarkers = Arguments(command: "drift", ["--reference", ref, "--current", ref, "--json", "--missing", ""])
        try driftCommand.run(&noMarkers)
        var bare = Arguments(command: "drift", ["--reference", ref, "--current", ref, "--missing"])
        do { try driftCommand.run(&bare); Issue.record("no error") } catch {
            #expect(error is UsageError && "\(error)".contains("--missing needs a value"))
        }
    }
}
