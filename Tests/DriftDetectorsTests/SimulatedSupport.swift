import Foundation
import Testing
import DriftCore
import DriftSim
@testable import DriftDetectors

/// Shared helpers of the simulated power and calibration tests: load a bundled scenario, force its
/// severity, shrink it, simulate, and turn day batches into detector tables.
enum Simulated {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The bundled scenario `name` at `severity`, resolved again so severity-derived parameters follow,
    /// with a smaller population and `productionDays` of production.
    static func scenario(_ name: String, severity: Double = 0.5, customers: Int = 3_000, perDay: Double = 1_500,
                         referenceDays: Int = 21, productionDays: Int? = nil, fastLabels: Bool = false,
                         maxRamp: Int = 7, edit: (inout Scenario) -> Void = { _ in }) throws -> Scenario {
        var s = try ScenarioFile.load(root.appendingPathComponent("scenarios/\(name).json").path)
        s.population.customers = customers
        s.population.merchants = Swift.max(300, customers / 8)
        s.population.transactionsPerDay = perDay
        s.referenceDays = referenceDays
        if fastLabels {
            s.labelDelay.medianDays = 4; s.labelDelay.tailDays = 20; s.labelDelay.chargebackWindowDays = 30
        }
        var last = 0
        for i in s.failures.indices {
            s.failures[i].severity = severity
            // Drop the parameters that severity derives, so they follow the new severity; keep the
            // scenario's choices (segment, channel, factor, mode).
            let f = s.failures[i]
            s.failures[i].parameters = f.parameters.filter { name, _ in
                guard let p = FailureCatalog.parameter(kind: f.kind, subkind: f.subkind, name: name) else { return true }
                return p.defaultValue(0) == p.defaultValue(1)
            }
            s.failures[i].startDay = Swift.min(s.failures[i].startDay, 7)
            s.failures[i].rampDays = Swift.min(s.failures[i].rampDays, maxRamp)
            last = Swift.max(last, s.failures[i].startDay + s.failures[i].rampDays)
        }
        s.productionDays = productionDays ?? (last + 14)
        for i in s.failures.indices { s.failures[i].endDay = nil }  // the failure lasts to the end of the shortened run
        edit(&s)
        return try ScenarioFile.resolve(s)
    }

    static func batches(_ s: Scenario) throws -> [DayBatch] {
        Array(try TransactionSimulator(scenario: s).days(jobs: 2))
    }

    static let roles: [String: MonitoredRole] = {
        var r: [String: MonitoredRole] = [:]
        for (f, name) in FeatureSchema.names.enumerated() {
            switch FeatureSchema.roles[f] {
            case .numeric: r[name] = name == "hour" ? .hourOfDay : .numeric
            case .boolean: r[name] = .boolean
            case .velocity: r[name] = .velocity
            case .categorical: r[name] = .categorical
            }
        }
        return r
    }()

    /// Served features of the batches with `day` in `days` (optionally subsampled rows), as a table.
    static func table(_ batches: [DayBatch], days: Range<Int>, rows: [(Int, Int)]? = nil) -> Table {
        let chosen = batches.filter { days.contains($0.day) }
        var t = Table()
        for f in 0..<FeatureSchema.count {
            if FeatureSchema.isCategorical[f] {
                var codes: [Int32] = []
                if let rows { codes = rows.map { batches[$0.0].served.codes[f][$0.1] } }
                else { for b in chosen { codes += b.served.codes[f] } }
                try? t.append(FeatureSchema.names[f], .categorical(CategoricalColumn(codes: codes, levels: FeatureSchema.levels[f])))
            } else {
                var v: [Double] = []
                if let rows { v = rows.map { batches[$0.0].served.numeric[f][$0.1] } }
                else { for b in chosen { v += b.served.numeric[f] } }
                try? t.append(FeatureSchema.names[f], .numeric(v))
            }
        }
        return t
    }

    /// Label-monitor log of the batches: days, scores, chargeback day (never for legitimate rows).
    static func log(_ batches: [DayBatch], scores: [Double], threshold: Double) -> LabelledLog {
        var days: [Int32] = [], report: [Int32] = []
        for b in batches {
            days += Array(repeating: Int32(b.day), count: b.count)
            report += b.chargebackDay.map { $0 == TransactionSimulator.never ? LabelledLog.never : $0 }
        }
        return LabelledLog(days: days, scores: scores, reportDays: report, threshold: threshold)
    }

    static func labels(_ batches: [DayBatch]) -> [Double] { batches.flatMap { $0.isFraud.map(Double.init) } }

    static func ids(_ batches: [DayBatch], days: Range<Int>) -> [UInt64] {
        batches.filter { days.contains($0.day) }.flatMap { $0.transactionID.map { UInt64(bitPattern: $0) } }
    }
}
