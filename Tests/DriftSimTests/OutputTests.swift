import Foundation
import Testing
@testable import DriftCore
@testable import DriftSim

@Suite struct OutputTests {
    func folder(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("driftsim-\(name)-\(getpid())").path
    }

    func scenario(seed: UInt64) -> Scenario {
        var s = smallScenario(seed: seed, referenceDays: 4, productionDays: 130, failures: [
            FailureSpec(kind: .schemaChange, subkind: "type_change", features: ["amount"], startDay: 120, severity: 1),
        ])
        s.population.customers = 400; s.population.transactionsPerDay = 150
        return s
    }

    @Test func sameSeedWritesIdenticalBytesOnAnyThreadCountAnotherSeedDiffers() throws {
        let a = folder("a"), b = folder("b"), c = folder("c")
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(atPath: d) } }
        _ = try ScenarioOutput.write(try TransactionSimulator(scenario: scenario(seed: 5)), resolvedJSON: "{}\n", to: a, jobs: 1)
        _ = try ScenarioOutput.write(try TransactionSimulator(scenario: scenario(seed: 5)), resolvedJSON: "{}\n", to: b, jobs: 2)
        _ = try ScenarioOutput.write(try TransactionSimulator(scenario: scenario(seed: 6)), resolvedJSON: "{}\n", to: c, jobs: 2)
        for name in ["reference.csv", "production.csv", "truth.csv"] {
            let x = try AtomicFile.read(a + "/" + name), y = try AtomicFile.read(b + "/" + name), z = try AtomicFile.read(c + "/" + name)
            #expect(x == y && !x.isEmpty, "\(name) differs between 1 and 2 threads")
            #expect(x != z, "\(name) is the same for another seed")
        }
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: a)).contains { $0.contains(".tmp") })
    }

    @Test("days of several formatting slices (3,000 rows a day, 1,024-row slices) give the same bytes on 1 and 2 threads")
    func slicedDaysWriteTheSameBytes() throws {
        var s = smallScenario(seed: 9, referenceDays: 2, productionDays: 3, failures: [
            FailureSpec(kind: .dataQuality, subkind: "missing", features: ["device_risk_score"], startDay: 1, severity: 1),
        ])
        s.population.customers = 4_000; s.population.transactionsPerDay = 3_000
        let a = folder("sliced-a"), b = folder("sliced-b")
        defer { for d in [a, b] { try? FileManager.default.removeItem(atPath: d) } }
        let sim = try TransactionSimulator(scenario: s)
        let one = try ScenarioOutput.write(sim, resolvedJSON: "{}\n", to: a, jobs: 1)
        _ = try ScenarioOutput.write(sim, resolvedJSON: "{}\n", to: b, jobs: 2)
        #expect(one.productionRows > 3 * 2_048, "days must span several slices")
        for name in ["reference.csv", "production.csv", "truth.csv"] {
            #expect(try AtomicFile.read(a + "/" + name) == AtomicFile.read(b + "/" + name), "\(name) differs between 1 and 2 threads")
        }
    }

    @Test func productionLabelsAreThoseKnownAtTheEndAndTypeChangesAreText() throws {
        let dir = folder("labels")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try TransactionSimulator(scenario: scenario(seed: 5))
        let summary = try ScenarioOutput.write(sim, resolvedJSON: "{}\n", to: dir, jobs: 2)
        let log = try CSVReader(path: dir + "/production.csv"), truth = try CSVReader(path: dir + "/truth.csv")
        let truthRef = try CSVReader(path: dir + "/reference.csv")
        while try truthRef.next() { _ = try truth.next() }  // truth.csv covers the reference rows first
        #expect(log.header == ScenarioOutput.logHeader)
        let fraudCol = log.header.firstIndex(of: "is_fraud")!, arrivalCol = log.header.firstIndex(of: "label_arrival_day")!
        let amountCol = log.header.firstIndex(of: "amount")!
        let trueCol = truth.header.firstIndex(of: "is_fraud")!, cbCol = truth.header.firstIndex(of: "chargeback_day")!
        let cleanAmount = truth.header.firstIndex(of: "clean_amount")!
        var rows = 0, texts = 0, hiddenFrauds = 0
        while try log.next() {
            #expect(try truth.next())
            rows += 1
            let day = Int(log.field(1))!, observed = log.field(fraudCol), arrival = log.field(arrivalCol)
            let y = truth.field(trueCol), cb = Int(truth.field(cbCol))
            if let cb, cb <= 129 { #expect(observed == "1" && Int(arrival) == cb) }
            else {
                #expect(observed == "0")
                #expect(arrival == (day + 120 <= 129 ? String(day + 120) : ""))
                if y == "1" { hiddenFrauds += 1 }
            }
            if day >= 120 {
                // "$1,234.50": not a number to the model's parser, the clean value to a person.
                let text = log.field(amountCol)
                #expect(log.double(amountCol) == nil && text.hasPrefix("$"))
                let clean = Double(truth.field(cleanAmount))!
                #expect(Double(text.dropFirst().replacingOccurrences(of: ",", with: "")) == clean)
                texts += 1
            } else {
                #expect(log.field(amountCol) == truth.field(cleanAmount))
            }
        }
        #expect(rows == summary.productionRows && texts > 500 && hiddenFrauds > 0)
        #expect(!(try truth.next()))
        #expect(ScenarioOutput.groupedText(1234.5) == "$1,234.50" && ScenarioOutput.groupedText(-1234567.891) == "-$1,234,567.89")
        #expect(ScenarioOutput.groupedText(0.07) == "$0.07")
    }

    @Test func anUnwritableFolderGivesAClearErrorAndLeavesNoFile() throws {
        let file = folder("afile")
        try AtomicFile.write("x", to: file)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let sim = try TransactionSimulator(scenario: scenario(seed: 5))
        do {
            _ = try ScenarioOutput.write(sim, resolvedJSON: "{}", to: file + "/out", jobs: 1)
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains(file))
        }
        #expect(!FileManager.default.fileExists(atPath: file + "/out"))
    }

    /// The four files are renamed one after another, so scenario.resolved.json marks a whole set: a
    /// writer removes the previous one before it replaces anything and writes its own last.
    @Test func theResolvedScenarioMarksAWholeSet() throws {
        let dir = folder("marker")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try TransactionSimulator(scenario: scenario(seed: 5))
        _ = try ScenarioOutput.write(sim, resolvedJSON: "{\"run\": 1}\n", to: dir, jobs: 1)
        do {
            let writer = try ScenarioOutput.Writer(scenario: sim.scenario, directory: dir, jobs: 1)
            _ = writer  // interrupted: dropped before finish
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/scenario.resolved.json"))
        #expect(FileManager.default.fileExists(atPath: dir + "/production.csv"))  // the previous set, now unmarked
        _ = try ScenarioOutput.write(sim, resolvedJSON: "{\"run\": 2}\n", to: dir, jobs: 1)
        #expect(try AtomicFile.readText(dir + "/scenario.resolved.json") == "{\"run\": 2}\n")
    }
}

@Suite struct BundledScenarioTests {
    /// Every bundled scenario runs (shrunk to a small population): no trap, ground truth marks
    /// exactly the injected kinds after their start, nothing before.
    @Test func everyBundledScenarioRuns() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("scenarios").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") && !$0.contains("sweep") && $0 != "schema.json" }
        #expect(files.count >= 10)
        for file in files.sorted() {
            guard var s = try? ScenarioFile.load(folder + "/" + file) else { continue }  // not a scenario (e.g. a sweep)
            s.population.customers = 400; s.population.merchants = 100; s.population.transactionsPerDay = 150; s.referenceDays = 7
            let sim = try TransactionSimulator(scenario: s)
            var seen = Set<FailureKind>(), rows = 0
            for b in sim.days(jobs: 2) {
                rows += b.count
                if b.day < 0 { #expect(b.activeKinds == 0, "\(file) day \(b.day)") }
                seen.formUnion(b.kinds)
            }
            #expect(rows > 0)
            #expect(seen == Set(s.failures.map(\.kind)), "\(file): \(seen)")
        }
    }
}
