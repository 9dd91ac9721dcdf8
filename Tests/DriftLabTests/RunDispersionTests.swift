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

    /// The recall's design effect is the ratio estimator's cluster-robust variance over the binomial one.
    @Test func recallDesignEffectMatchesTheClusterRobustVariance() {
        // Reference (numpy, in the oracle virtual environment):
        //   cust=np.array([1,1,1,2,2,3,4,4,5,6,7,7,8,9,9,9]); day=np.array([0,0,1,3,3,5,6,20,8,9,10,10,11,12,12,13])
        //   fraud=np.array([1]*15+[0]); hit=np.array([1,1,0,0,0,1,1,0,0,1,0,0,1,1,1,1]); blk=day//14
        //   M=fraud.sum(); H=(hit*fraud).sum(); r=H/M
        //   s=sum((hit[m].sum()-r*m.sum())**2 for m in [(cust==c)&(blk==b)&(fraud==1) for c,b in sorted(set(zip(cust[fraud==1],blk[fraud==1])))])
        //   max(1, s/(r*(1-r)*M))  -> 1.2714285714285714
        let customers: [Int32] = [1, 1, 1, 2, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 9, 9]
        let days: [Int32] = [0, 0, 1, 3, 3, 5, 6, 20, 8, 9, 10, 10, 11, 12, 12, 13]
        let frauds: [UInt8] = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
        let hits: [UInt8] = [1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1]
        let d = CountDispersion.recallDesignEffect(customers: customers, days: days, frauds: frauds, hits: hits)
        #expect(abs(d - 1.2714285714285714) < 1e-12, "\(d)")
        // Every fraud its own cluster: 1; one outcome only: 1; no frauds: 1.
        #expect(CountDispersion.recallDesignEffect(customers: [1, 2, 3, 4], days: [0, 0, 0, 0], frauds: [1, 1, 1, 1], hits: [1, 0, 1, 0]) == 1)
        #expect(CountDispersion.recallDesignEffect(customers: [1, 1], days: [0, 0], frauds: [1, 1], hits: [1, 1]) == 1)
        #expect(CountDispersion.recallDesignEffect(customers: [], days: [], frauds: [], hits: []) == 1)
    }

    /// The fixtures' world: frauds come in bursts, and the prepared reference records it.
    @Test func preparedReferenceMeasuresBurstsAndWritesThemToTheManifest() throws {
        let ref = try #require(RunFixtures.reference)
        // 6.4 on this world since the 180-day burn-in (docs/simulator.md, "Burn-in"); 4.3-5.7 before.
        #expect(ref.dispersion > 1.5 && ref.dispersion < 8, "\(ref.dispersion)")
        let json = ref.manifestJSON(options: LabOptions()).serialized()
        #expect(json.contains("count_dispersion"))
        // The recall's design effect is measured too (a burst's frauds need not share their alert).
        let recall = try #require(ref.recallDispersion)
        #expect(recall >= 1 && recall < 6, "\(recall) vs \(ref.fraudDispersion)")
        #expect(json.contains("recall_dispersion"))
    }
}
