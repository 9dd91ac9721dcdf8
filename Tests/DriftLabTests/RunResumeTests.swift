import DriftCore
import DriftSim
import Foundation
import Testing
@testable import DriftLab

@Suite("Lab run resumed from the world snapshot", .serialized)
struct RunResumeTests {
    /// Cells resume production from the snapshot the prepared reference took at day 0; a run whose
    /// world is generated from scratch (pilot, burn-in, reference days) must give the same bytes.
    @Test func runResumedFromTheSnapshotEqualsTheRunFromScratch() throws {
        let ref = try #require(RunFixtures.reference)
        for name in ["dq-stale", "label-delay-outage"] {
            var s = try RunFixtures.scenario(name)
            s.productionDays = 56
            let resumed = try LabRunner.traced(s, reference: ref, options: LabOptions(), resume: true).result.json().serialized()
            let scratch = try LabRunner.traced(s, reference: ref, options: LabOptions(), resume: false).result.json().serialized()
            #expect(resumed == scratch, "\(name)")
        }
    }
}
