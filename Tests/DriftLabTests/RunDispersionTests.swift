import DriftCore
import Testing
@testable import DriftLab

/// The reference's design effect of clustered counts (docs/lab.md, "Clustered counts").
@Suite struct RunDispersionTests {
    @Test func designEffectIsTheSecondOverTheFirstMomentOfClusterSizes() {
        // Clusters (customer, 14-day block): c1 {-20}, c2 {-3}, c3 {-5, -1}, c4 {-14, -13, -10, -8}
        // (floor blocks: -28...-15, -14...-1), and c3 again on day -15 (an earlier block): sizes 1, 1, 2, 4, 1.
        let customers: [Int32] = [1, 2, 3, 3, 4, 4, 4, 4, 3, 9]
        let days: [Int32] = [-20, -3, -5, -1, -14, -13, -10, -8, -15, -2]
        let events = [true, true, true, true, true, true, true, true, true, false]
        let phi = CountDispersion.designEffect(customers: customers, days: days, events: events)
        #expect(abs(phi - Double(1 + 1 + 4 + 16 + 1) / 9) < 1e-12)
        // Independent events: 1; no events: 1.
        #expect(CountDispersion.designEffect(customers: [1, 2, 3], days: [0, 0, 0], events: [true, true, true]) == 1)
        #expect(CountDispersion.designEffect(customers: [], days: [], events: []) == 1)
        // The reference's value is the larger of frauds' and alerts'.
        let r = CountDispersion.reference(customers: customers, days: days, frauds: events.map { $0 ? 1 : 0 },
                                          alerts: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(abs(r - 23.0 / 9) < 1e-12)
    }

    /// The fixtures' world: frauds come in bursts, and the prepared reference records it.
    @Test func preparedReferenceMeasuresBurstsAndWritesThemToTheManifest() throws {
        let ref = try #require(RunFixtures.reference)
        #expect(ref.dispersion > 1.5 && ref.dispersion < 6, "\(ref.dispersion)")
        let json = ref.manifestJSON(options: LabOptions()).serialized()
        #expect(json.contains("count_dispersion"))
    }
}
