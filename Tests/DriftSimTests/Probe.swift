import Testing
import Foundation
@testable import DriftSim
@testable import DriftCore

@Test func probe() throws {
    var s = Scenario(name: "probe", seed: 7)
    s.population.customers = 4000; s.population.transactionsPerDay = 2000
    s.referenceDays = 20; s.productionDays = 10
    let t0 = Date()
    let sim = try TransactionSimulator(scenario: s)
    print("intercept", sim.intercept, "init", Date().timeIntervalSince(t0))
    var rows = 0, frauds = 0, comp = 0, pSum = 0.0
    var scores: [(Double, UInt8)] = []
    for b in sim.days(jobs: 2) {
        rows += b.count
        for i in 0..<b.count { frauds += Int(b.isFraud[i]); comp += Int(b.isCompromised[i]); pSum += b.fraudProbability[i]; scores.append((b.fraudProbability[i], b.isFraud[i])) }
    }
    print("rows", rows, "fraud", Double(frauds)/Double(rows), "meanp", pSum/Double(rows), "compromised", Double(comp)/Double(rows))
    scores.sort { $0.0 < $1.0 }
    var rankSum = 0.0; var pos = 0.0
    for (r, e) in scores.enumerated() where e.1 == 1 { rankSum += Double(r + 1); pos += 1 }
    let neg = Double(scores.count) - pos
    print("bayes AUC", (rankSum - pos * (pos + 1) / 2) / (pos * neg))
    print(sim.referenceStats.mean, sim.referenceStats.median)
}

@Test func benchProbe() throws {
    for r in SimulatorBenchmarks.run(jobs: 2) { print(r.name, r.value, r.unit, r.note) }
}

@Test func profileProbe() throws {
    let sim = try TransactionSimulator(scenario: SimulatorBenchmarks.benchScenario(days: 8))
    let r = SimulatorBenchmarks.generationRate(sim, jobs: 1)
    print("rate", r.rate, r.rows)
}
