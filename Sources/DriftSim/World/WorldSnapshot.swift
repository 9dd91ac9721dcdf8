import DriftCore
import Foundation

/// A world frozen at the start of a day: copies of every customer's state, the next transaction id
/// and the simulator's pilot results (intercept, reference statistics). Failures start in
/// production, so runs of one world that differ only in their failures resume the production days
/// from one snapshot instead of each replaying the pilot, the burn-in and the reference days; the
/// resumed days are identical to those of a stream generated from scratch.
///
/// Usage: `let stream = sim.days(); (take the days before production); let snap = stream.snapshot()`,
/// then `for batch in try snap.resume(cellScenario) { ... }` for every cell.
public struct WorldSnapshot: Sendable {
    /// The first day a resumed stream yields.
    public let day: Int
    /// The simulator the snapshot was taken from (its scenario without the failures is the world).
    public let simulator: TransactionSimulator
    let nextID: Int64
    /// Frozen copies; never generated from (each resumed stream copies them again).
    let shards: [Shard]

    /// The days `day ..< productionDays` of `scenario`, which must be the snapshot's world (same seed,
    /// population, reference period and label delay) with failures starting no earlier than `day`.
    public func resume(_ scenario: Scenario, jobs: Int = 1) throws -> DayStream {
        try TransactionSimulator.check(scenario)
        let w = simulator.scenario
        guard scenario.seed == w.seed, scenario.population == w.population, scenario.referenceDays == w.referenceDays,
              scenario.labelDelay == w.labelDelay else {
            throw SimulationError.invalid(path: "", message: "scenario '\(scenario.name)' is not the world of the snapshot (seed, population, reference_days and label_delay must match)")
        }
        for (i, f) in scenario.failures.enumerated() where f.startDay < day {
            throw SimulationError.invalid(path: "failures[\(i)].start_day", message: "starts on day \(f.startDay), before the snapshot's day \(day)")
        }
        let s = simulator
        let sim = TransactionSimulator(scenario: scenario, merchants: s.merchants, rateScale: s.rateScale,
                                       segmentRateShare: s.segmentRateShare, compromiseProbability: s.compromiseProbability,
                                       intercept: s.intercept, stats: s.referenceStats)
        let copies = shards.map { $0.copy(scenario: scenario, rateScale: s.rateScale) }
        return DayStream(simulator: sim, jobs: jobs, shards: copies, day: day, nextID: nextID)
    }
}

extension DayStream {
    /// The world as it stands before the next day (the day `next()` would generate).
    public func snapshot() -> WorldSnapshot {
        WorldSnapshot(day: day, simulator: simulator, nextID: nextID, shards: frozen().shards)
    }

    /// Copies of the customers' state before the next day (burn-in days take no transaction ids).
    func frozen() -> TransactionSimulator.BurnIn {
        TransactionSimulator.BurnIn(day: day, shards: shards.map { $0.copy(scenario: simulator.scenario, rateScale: simulator.rateScale) })
    }
}

extension Shard {
    /// A shard with the same customers and the same state (attributes, velocity rings, spending
    /// buckets, merchant memory, compromise episodes); its scratch buffers are its own.
    func copy(scenario: Scenario, rateScale: Double) -> Shard {
        let c = Shard(index: index, first: first, count: n, scenario: scenario, merchants: merchants, firstDay: firstDay,
                      rateScale: rateScale)
        c.state.copyMemory(from: state, byteCount: Swift.max(1, n) * Shard.L.size)
        c.hot.update(from: hot, count: Swift.max(1, n))
        return c
    }
}
