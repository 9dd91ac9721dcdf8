import Foundation
import Testing
@testable import DriftCore
@testable import DriftSim

/// A small world for tests: 3,000 customers, 1,500 transactions a day.
func smallScenario(seed: UInt64 = 11, referenceDays: Int = 14, productionDays: Int = 28, failures: [FailureSpec] = []) -> Scenario {
    var s = Scenario(name: "test", seed: seed)
    s.population.customers = 3000
    s.population.merchants = 400
    s.population.transactionsPerDay = 1500
    s.referenceDays = referenceDays
    s.productionDays = productionDays
    s.failures = failures
    return s
}

/// Every field of two batches, bit for bit (doubles by bit pattern).
func sameBatch(_ a: DayBatch, _ b: DayBatch) -> Bool {
    func bits(_ c: FeatureColumns) -> [[UInt64]] { c.numeric.map { $0.map(\.bitPattern) } }
    return a.day == b.day && a.count == b.count && a.transactionID == b.transactionID && a.secondOfDay == b.secondOfDay
        && a.customerID == b.customerID && bits(a.served) == bits(b.served) && a.served.codes == b.served.codes
        && bits(a.clean) == bits(b.clean) && a.clean.codes == b.clean.codes && a.alteredMask == b.alteredMask
        && a.textMask == b.textMask && a.isFraud == b.isFraud && a.riskLogit.map(\.bitPattern) == b.riskLogit.map(\.bitPattern)
        && a.chargebackDay == b.chargebackDay && a.isDuplicate == b.isDuplicate && a.isCompromised == b.isCompromised
        && a.isResampled == b.isResampled && a.activeFailures == b.activeFailures && a.activeKindsMask == b.activeKindsMask
}

func allDays(_ s: Scenario, jobs: Int = 2) throws -> (TransactionSimulator, [DayBatch]) {
    let sim = try TransactionSimulator(scenario: s)
    return (sim, Array(sim.days(jobs: jobs)))
}

/// Two-sample Kolmogorov-Smirnov statistic and its asymptotic p-value (Kolmogorov distribution
/// with Stephens' small-sample correction), enough to check "does not reject" in tests.
func ksTest(_ a: [Double], _ b: [Double]) -> (d: Double, p: Double) {
    let x = a.sorted(), y = b.sorted()
    var i = 0, j = 0, d = 0.0
    while i < x.count && j < y.count {
        let v = Swift.min(x[i], y[j])
        while i < x.count && x[i] == v { i += 1 }
        while j < y.count && y[j] == v { j += 1 }
        d = Swift.max(d, Swift.abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
    }
    let ne = Double(x.count * y.count) / Double(x.count + y.count)
    let lambda = (ne.squareRoot() + 0.12 + 0.11 / ne.squareRoot()) * d
    var p = 0.0
    for k in 1...100 { p += 2 * (k % 2 == 1 ? 1 : -1) * exp(-2 * Double(k * k) * lambda * lambda) }
    return (d, Swift.min(1, Swift.max(0, p)))
}

/// Row i of a batch's clean features as the 20 values the hidden risk reads.
func cleanRow(_ b: DayBatch, _ i: Int) -> [Double] {
    (0..<FeatureSchema.count).map { b.clean.value($0, i) }
}

/// True when |observed - expected| is within z binomial standard deviations of a rate p over n trials.
func withinBinomial(_ observed: Double, _ p: Double, _ n: Int, z: Double = 4.5) -> Bool {
    abs(observed - p) <= z * (p * (1 - p) / Double(Swift.max(1, n))).squareRoot() + 1e-12
}
