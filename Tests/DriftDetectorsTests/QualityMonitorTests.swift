import Testing
import Foundation
import DriftCore
@testable import DriftDetectors

@Suite struct QualityMonitorTests {
    static let roles: [String: MonitoredRole] = ["hour": .hourOfDay, "txn_count_24h": .velocity,
                                                 "cvv_match": .boolean, "is_foreign": .boolean]

    func table(_ f: QualityFixture) throws -> Table {
        var t = Table()
        for name in QualityFixture.numericNames { try t.append(name, .numeric(f.numeric[name]!)) }
        try t.append("cvv_match", .numeric(f.cvvMatch))
        try t.append("is_foreign", .numeric(f.isForeign))
        try t.append("merchant_category", .categorical(f.category))
        return t
    }

    @Test func cleanWindowQuietFaultyWindowNamesEachFault() throws {
        let monitor = try QualityMonitor(reference: table(QualityFixture.reference), roles: Self.roles)
        let clean = QualityFixture(rows: 10_000, seed: 11, stream: "monitor-clean")
        let quiet = try monitor.check(window: table(clean), ids: clean.ids)
        #expect(monitorAlarms(quiet).isEmpty, "\(monitorSummary(quiet))")
        #expect(quiet.count > 40)

        var faulty = QualityFixture(rows: 10_000, seed: 11, stream: "monitor-faulty")
        faulty.numeric["amount"] = faulty.numeric["amount"]!.map { $0 * 100 }
        faulty.numeric["hour"] = faulty.numeric["hour"]!.map { ($0 + 6).truncatingRemainder(dividingBy: 24) }
        faulty.cvvMatch = faulty.cvvMatch.map { 1 - $0 }
        faulty.category = CategoricalColumn(codes: [Int32](repeating: 0, count: 10_000), levels: QualityFixture.categories)
        let hits = monitorAlarms(try monitor.check(window: table(faulty)))
        let found = Set(hits.map { "\($0.detector):\($0.features[0]):\($0.subkind ?? "")" })
        for expected in ["unit_scale:amount:unit_scale", "timezone:hour:timezone", "boolean_flip:cvv_match:boolean_flip",
                         "stuck_value:merchant_category:dropped"] {
            #expect(found.contains(expected), "\(expected) not in \(found)")
        }
        // The stuck category also moves the label shares, but it is not a permutation.
        #expect(!found.contains { $0.hasPrefix("category_permutation") })
    }

    @Test func badWindowsGiveClearErrors() throws {
        let monitor = try QualityMonitor(reference: table(QualityFixture.reference), roles: Self.roles)
        let small = QualityFixture(rows: 50, seed: 1, stream: "small")
        let missing = try table(small).removingColumns(["amount"])
        #expect(throws: TableError.self) { try monitor.check(window: missing) }
        var kind = try table(small).removingColumns(["merchant_category"])
        try kind.append("merchant_category", .numeric([Double](repeating: 1, count: 50)))
        do {
            _ = try monitor.check(window: kind)
            Issue.record("expected an error")
        } catch let error as MonitorError {
            #expect(error.description.contains("merchant_category"))
        }
        // An empty window: defined results, no alarm.
        let empty = QualityFixture(rows: 0, seed: 1, stream: "empty")
        #expect(monitorAlarms(try monitor.check(window: table(empty), ids: [])).isEmpty)
    }

    @Test func benchmarkBatteryRunsOnASmallFixture() throws {
        let f = MonitorBenchmarks.fixture(referenceRows: 2_000, windowRows: 500)
        let t = MonitorBenchmarks.tables(f)
        let monitor = try QualityMonitor(reference: t.reference, roles: t.roles)
        let count = MonitorBenchmarks.runBattery(monitor: monitor, window: t.window, f: f,
                                                 scoreReference: ScoreReference(scores: f.referenceScores, labels: f.referenceLabels, threshold: 0.5),
                                                 bbse: BlackBoxShiftEstimator(predicted: f.referenceScores.map { $0 >= 0.5 }, labels: f.referenceLabels),
                                                 cbpeReference: ConfidenceBasedPerformance.estimate(scores: f.referenceScores, threshold: 0.5))
        #expect(count > 100)
    }
}
