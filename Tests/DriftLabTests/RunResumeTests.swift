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
            // dq-stale resumes from the shared replay before its onset; the outage replays from day 0.
            let s = try RunFixtures.scenario(name)
            let resumed = try LabRunner.traced(s, reference: ref, options: LabOptions(), resume: true).result.json().serialized()
            let scratch = try LabRunner.traced(s, reference: ref, options: LabOptions(), resume: false).result.json().serialized()
            #expect(resumed == scratch, "\(name)")
        }
    }
}

@Suite("Lab benchmark")
struct LabBenchmarkTests {
    /// `driftlab bench --only lab` measures cells of the standard sweep: its inline base is the bundled one.
    @Test func benchmarkCellsAreStandardSweepCells() throws {
        let bench = try SweepFile.decode(try JSON.parse(LabBenchmarks.sweepText), file: "bench-lab")
        let standard = try SweepFile.load(RunFixtures.packageRoot.appendingPathComponent("scenarios/standard-sweep.json").path)
        #expect(PreparedReference.baseKey(bench.base) == PreparedReference.baseKey(standard.base))
        #expect(bench.cells.count == 7)
        for cell in bench.cells where !cell.isControl {
            #expect(cell.scenario.failures.first?.startDay == standard.cells[0].scenario.failures.first?.startDay)
        }
    }
}
