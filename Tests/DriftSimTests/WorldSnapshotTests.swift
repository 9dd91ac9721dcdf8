import Foundation
import Testing
@testable import DriftCore
@testable import DriftSim

@Suite struct WorldSnapshotTests {
    @Test func resumedDaysEqualTheDaysGeneratedFromScratch() throws {
        // The snapshot is taken on the failure-free world; the cells resume it with failures that
        // act on customer state (stale cache), on the label stream (outage) and on volume (fraud wave).
        let base = smallScenario(referenceDays: 3, productionDays: 5)
        let stream = try TransactionSimulator(scenario: base).days(jobs: 2)
        for _ in 0..<base.referenceDays { _ = stream.next() }
        let snapshot = stream.snapshot()
        #expect(snapshot.day == 0)
        let cells: [[FailureSpec]] = [
            [],
            [FailureSpec(kind: .dataQuality, subkind: "stale", features: [], startDay: 1, severity: 1)],
            [FailureSpec(kind: .labelDelay, subkind: "outage", features: [], startDay: 0, severity: 1)],
            [FailureSpec(kind: .priorShift, subkind: "fraud_wave", features: [], startDay: 2, severity: 1)],
        ]
        for failures in cells {
            var s = base
            s.failures = failures
            s.name = "cell"
            let fresh = try TransactionSimulator(scenario: s).days(jobs: 1).filter { $0.day >= 0 }
            let resumed = Array(try snapshot.resume(s, jobs: 2))
            #expect(resumed.count == 5 && fresh.count == 5)
            for (a, b) in zip(fresh, resumed) { #expect(sameBatch(a, b), "day \(a.day) of \(failures.map(\.subkind))") }
        }
        // A snapshot can be resumed any number of times: it is never generated from.
        let again = Array(try snapshot.resume(base))
        #expect(zip(again, Array(try snapshot.resume(base))).allSatisfy { sameBatch($0, $1) })
    }

    @Test func resumeRefusesAnotherWorldOrAnEarlierFailure() throws {
        let base = smallScenario(referenceDays: 2, productionDays: 4)
        let stream = try TransactionSimulator(scenario: base).days()
        for _ in 0..<3 { _ = stream.next() }  // the snapshot is at day 1
        let snapshot = stream.snapshot()
        var other = base
        other.seed = 12
        #expect(throws: SimulationError.self) { try snapshot.resume(other) }
        var early = base
        early.failures = [FailureSpec(kind: .dataQuality, subkind: "missing", features: ["amount"], startDay: 0, severity: 1)]
        #expect(throws: SimulationError.self) { try snapshot.resume(early) }
    }
}
