import DriftCore
import DriftSim
import Foundation

/// A sweep: a base scenario and a grid of failures over it, expanded into an ordered list of cells,
/// each a fully resolved scenario with a stable, file-safe id. Format reference: docs/sweeps.md.
public struct Sweep: Sendable {
    public var name: String
    public var description: String
    /// The base scenario (no failures): every cell is this world plus one failure, or a control.
    public var base: Scenario
    /// Base seed from which every cell's world seed is derived (default: the base scenario's seed).
    public var seed: UInt64
    /// Every cell, in the documented order: failure cells, then controls.
    public var cells: [SweepCell]
    /// Where the base scenario was read (a file, or the sweep file's inline `base`), for errors
    /// about what every cell inherits from it, such as a reference period with no fraud to train on.
    public var baseSource = "the sweep's base field"

    /// FNV-1a 64 over the sweep's name and every cell's id and scenario hash: two folders hold
    /// results of the same sweep exactly when their hashes match.
    public var hash: String { SweepManifest(sweep: self).hash }
}

/// One cell of a sweep: one run's scenario and where it sits in the grid (`place`, the part the
/// results folder's `sweep.json` records; its fields read through, e.g. `cell.id`, `cell.severity`).
@dynamicMemberLookup
public struct SweepCell: Sendable, Equatable {
    /// Index, id, kind, sub-kind, severity, onset, window, seed index, control index and scenario hash.
    public var place: SweepManifest.Cell
    /// The run's scenario, resolved (every parameter filled in).
    public var scenario: Scenario
    /// Cells with equal keys share the reference period (same world without failures, same seed),
    /// so the runner can train the models once: the content hash of the scenario without failures.
    public var referenceKey: String

    public subscript<T>(dynamicMember field: KeyPath<SweepManifest.Cell, T>) -> T { place[keyPath: field] }
}

/// Reads, validates and expands sweep files.
public enum SweepFile {
    public static let keys = ["name", "description", "base", "seed", "seeds", "severities", "onset_days", "window_days",
                              "cells", "controls"]
    public static let cellKeys = ["kind", "subkind", "label", "features", "params", "ramp_days", "end_day"]
    public static let controlKeys = ["count"]
    /// Upper bounds that keep a typo from launching a million runs.
    public static let maxSeeds = 1000
    public static let maxControls = 1000
    /// Every cell is expanded and checked before the first run: 100,000 cells took 13.5 s, a million
    /// more than 2 minutes and 850 MB (measured by the fuzzing of 2026-11-24).
    public static let maxCells = 100_000

    /// Reads, validates and expands the sweep file at `path`; a relative `base` is read beside it.
    public static func load(_ path: String) throws -> Sweep {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(file: path, path: "", message: "file not found; check the path (bundled sweeps are scenarios/*-sweep.json)")
        }
        if isDirectory.boolValue { throw ConfigError(file: path, path: "", message: "is a folder, not a sweep file; name a .json file") }
        let json = try JSON.readFile(path)
        return try decode(json, file: path, folder: (path as NSString).deletingLastPathComponent)
    }

    /// Validates a parsed sweep document and expands it; `folder` resolves a relative `base` path.
    public static func decode(_ json: JSON, file: String, folder: String = ".") throws -> Sweep {
        var r = try ConfigReader(json, file: file, path: "")
        try r.finish(known: keys)
        guard r.has("name") else { throw r.error("name", "is required; add a short file-safe name such as \"standard\" (results go to results/<name>)") }
        let name = try r.string("name")
        if let problem = ScenarioFile.nameProblem(name) { throw r.error("name", problem) }
        let description = try r.string("description", default: "")

        // The base scenario: a path relative to the sweep file, or an inline scenario object.
        guard let baseValue = r.value("base") else {
            throw r.error("base", "is required; name a scenario file relative to this sweep file (e.g. \"sweep-base.json\") or give the scenario inline")
        }
        let base: Scenario
        var baseSource = "\(file), field base"
        switch baseValue {
        case .string(let relative):
            if relative.isEmpty { throw r.error("base", "is empty; name a scenario file such as \"sweep-base.json\"") }
            let path = relative.hasPrefix("/") || folder.isEmpty ? relative : (folder as NSString).appendingPathComponent(relative)
            baseSource = path
            do { base = try ScenarioFile.load(path) } catch let e as ConfigError {
                // Name the sweep file's field for a base that cannot be read, and the sweep for one that is invalid.
                if e.path.isEmpty && e.file == path {
                    throw r.error("base", "'\(relative)' (read beside this sweep file: \(path)): \(e.message.replacingOccurrences(of: "scenario file", with: "base scenario file"))")
                }
                throw ConfigError(file: e.file, path: e.path, message: e.message + " (the base scenario of \(file))")
            }
        case .object:
            do { base = try ScenarioFile.decode(baseValue, file: file) } catch let e as ConfigError {
                throw ConfigError(file: file, path: e.path.isEmpty ? "base" : "base.\(e.path)", message: e.message)
            }
        default:
            throw r.error("base", "expected a scenario file name (string) or an inline scenario (object), found \(baseValue.typeName)")
        }
        if !base.failures.isEmpty {
            throw r.error("base", "the base scenario '\(base.name)' injects \(base.failures.count) failure(s); a sweep's base must have none (the grid adds them): use 'failures': []")
        }

        let seed: UInt64 = r.value("seed") != nil ? try r.seed("seed") : base.seed  // value, not has: it marks a null seed read
        let seeds = try r.int("seeds", default: 1, in: 1...maxSeeds)
        let severities = try uniqueNumbers(&r, "severities", in: 0...1) ?? [1]
        let onsets = try uniqueNumbers(&r, "onset_days", in: 0...Double(base.productionDays - 1), whole: true)?.map { Int($0) }
            ?? [base.productionDays / 3]
        let windows = try uniqueNumbers(&r, "window_days", in: 1...Double(base.productionDays), whole: true)?.map { Int($0) }
            ?? [base.monitoring.windowDays]
        for (k, w) in windows.enumerated() where w < base.monitoring.stepDays {
            throw ConfigError(file: file, path: "window_days[\(k)]",
                              message: "must be at least the base scenario's step_days (\(base.monitoring.stepDays)), or some days would never be monitored; got \(w)")
        }

        var specs: [CellSpec] = []
        for (i, item) in (try r.array("cells") ?? []).enumerated() {
            specs += try CellSpec.decode(item, file: file, path: "cells[\(i)]")
        }
        var controls = 0
        if let c = r.value("controls") {
            if case .number = c {
                controls = try r.int("controls", in: 0...maxControls)
            } else {
                var cr = try ConfigReader(c, file: file, path: "controls")
                try cr.finish(known: controlKeys)
                controls = try cr.int("count", in: 0...maxControls)
                try cr.finish()
            }
        }
        if specs.isEmpty && controls == 0 {
            throw r.error("cells", "the sweep has nothing to run: add failure cells (e.g. {\"kind\": \"prior_shift\", \"subkind\": \"fraud_wave\"}) or controls")
        }
        let total = specs.count * severities.count * onsets.count * windows.count * seeds + controls * windows.count * seeds
        if total > maxCells { throw r.error("cells", "the grid expands to \(total) runs, more than \(maxCells); shrink it") }
        try r.finish()

        var sweep = Sweep(name: name, description: description, base: base, seed: seed, cells: [], baseSource: baseSource)
        sweep.cells = try expand(base: base, seed: seed, specs: specs, severities: severities, onsets: onsets,
                                 windows: windows, seeds: seeds, controls: controls, file: file)
        return sweep
    }

    /// Distinct numbers in a range (whole numbers when `whole`), in the order given.
    static func uniqueNumbers(_ r: inout ConfigReader, _ key: String, in range: ClosedRange<Double>, whole: Bool = false) throws -> [Double]? {
        guard let values = try r.doubles(key, in: range) else { return nil }
        if values.isEmpty { throw r.error(key, "is empty; give at least one value, or leave '\(key)' out for the default") }
        for (k, v) in values.enumerated() {
            if whole && v != v.rounded() {
                throw ConfigError(file: r.file, path: "\(r.fieldPath(key))[\(k)]", message: "expected a whole number of days, got \(JSON.format(v))")
            }
            if values[..<k].contains(v) {
                throw ConfigError(file: r.file, path: "\(r.fieldPath(key))[\(k)]", message: "\(JSON.format(v)) is listed twice; list each value once")
            }
        }
        return values
    }

    /// The world seed of seed index `i`, control `c` (c = 0 for failure cells and the first control,
    /// which share the world): derived from the sweep's seed only, so no result depends on
    /// scheduling. Kept below 2^53 so it is written as a plain JSON number.
    public static func worldSeed(base: UInt64, seedIndex i: Int, control c: Int) -> UInt64 {
        var g = Xoshiro256StarStar(seed: base, stream: streamID("sweep-seed")).derived(stream: UInt64(i) << 20 | UInt64(c))
        return g.next() & ((1 << 53) - 1)
    }

    /// The cells in order: for each cell spec (as listed, sub-kinds in catalog order), severity,
    /// onset, window and seed index; then controls by window, seed index and control index.
    static func expand(base: Scenario, seed: UInt64, specs: [CellSpec], severities: [Double], onsets: [Int], windows: [Int],
                       seeds: Int, controls: Int, file: String) throws -> [SweepCell] {
        var baseJSON = ScenarioFile.resolvedJSON(base).objectValue ?? []
        func set(_ key: String, _ value: JSON, in object: inout [(String, JSON)]) {
            if let i = object.firstIndex(where: { $0.0 == key }) { object[i].1 = value } else { object.append((key, value)) }
        }
        set("failures", .array([]), in: &baseJSON)
        var cells: [SweepCell] = []
        var seen: [String: String] = [:]

        func makeCell(id: String, origin: String, failure: JSON?, window: Int, seedIndex: Int, control: Int?,
                      kind: FailureKind, label: String, subkind: String, severity: Double?, onset: Int?) throws {
            if let problem = ScenarioFile.nameProblem(id) {
                throw ConfigError(file: file, path: origin, message: "gives the cell id '\(id)', which \(problem); shorten or simplify the label")
            }
            if let earlier = seen[id] {
                // Within one spec only the rounded severity or onset can collide: ids carry severity to two decimals.
                let fix = earlier == origin ? "give severities that differ in the first two decimals (ids round them, e.g. s0.50)"
                                            : "add a distinct 'label' to one of them"
                throw ConfigError(file: file, path: origin, message: "gives the cell id '\(id)' already given by \(earlier); \(fix)")
            }
            seen[id] = origin
            var object = baseJSON
            set("name", .string(id), in: &object)
            let worldSeed = worldSeed(base: seed, seedIndex: seedIndex, control: control ?? 0)
            set("seed", .number(Double(worldSeed)), in: &object)
            var monitoring = object.first { $0.0 == "monitoring" }?.1.objectValue ?? []
            set("window_days", .number(Double(window)), in: &monitoring)
            set("monitoring", .object(monitoring), in: &object)
            if let failure { set("failures", .array([failure]), in: &object) }
            let scenario: Scenario
            do { scenario = try ScenarioFile.decode(.object(object), file: file) } catch let e as ConfigError {
                throw ConfigError(file: file, path: sweepPath(e.path, origin: origin), message: "\(e.message) (in cell \(id))")
            }
            var bare = scenario
            bare.failures = []
            bare.name = "reference"
            let place = SweepManifest.Cell(index: cells.count, id: id, kind: kind, label: label, subkind: subkind, severity: severity,
                                           onsetDay: onset, windowDays: window, seedIndex: seedIndex, controlIndex: control,
                                           scenarioHash: ScenarioFile.contentHash(scenario))
            cells.append(SweepCell(place: place, scenario: scenario, referenceKey: ScenarioFile.contentHash(bare)))
        }

        /// Maps a path inside the generated scenario back to the sweep file's own fields.
        func sweepPath(_ p: String, origin: String) -> String {
            if p == "failures[0].start_day" { return "onset_days" }
            if p == "failures[0].severity" { return "severities" }
            if p.hasPrefix("failures[0].") { return origin + "." + p.dropFirst("failures[0].".count) }
            if p == "monitoring.window_days" { return "window_days" }
            return p.isEmpty ? origin : origin + " (scenario field \(p))"
        }

        for spec in specs {
            for severity in severities {
                for onset in onsets {
                    for window in windows {
                        for s in 0..<seeds {
                            let id = "\(spec.kind.rawValue).\(spec.label).s\(String(format: "%.2f", severity)).on\(onset).seed\(s).w\(window)"
                            try makeCell(id: id, origin: spec.origin, failure: spec.failureJSON(severity: severity, onset: onset),
                                         window: window, seedIndex: s, control: nil, kind: spec.kind, label: spec.label,
                                         subkind: spec.subkind, severity: severity, onset: onset)
                        }
                    }
                }
            }
        }
        for window in windows {
            for s in 0..<seeds {
                for c in 0..<controls {
                    try makeCell(id: "none.control.c\(c).seed\(s).w\(window)", origin: "controls", failure: nil, window: window,
                                 seedIndex: s, control: c, kind: .none, label: "control", subkind: "control", severity: nil, onset: nil)
                }
            }
        }
        return cells
    }
}

/// One member of `cells`, for one sub-kind (a member without `subkind` stands for every sub-kind of its kind).
struct CellSpec {
    var kind: FailureKind
    var subkind: String
    var label: String
    var features: [String]?
    var params: JSON?
    var rampDays: Int?
    var endDay: Int?
    /// JSON path of the member, for errors (`cells[3]`).
    var origin: String

    static func decode(_ json: JSON, file: String, path: String) throws -> [CellSpec] {
        var r = try ConfigReader(json, file: file, path: path)
        try r.finish(known: SweepFile.cellKeys)
        let injectable = FailureKind.allCases.filter { $0 != .none }.map(\.rawValue)
        guard r.has("kind") else { throw r.error("kind", "is required; add one of: \(injectable.joined(separator: ", "))") }
        let kindText = try r.string("kind")
        guard let kind = FailureKind(rawValue: kindText), kind != .none else {
            let hint = closestMatch(to: kindText, in: injectable).map { " (did you mean '\($0)'?)" } ?? ""
            let extra = kindText == "none" ? "; controls are set with the top-level 'controls'" : ""
            throw r.error("kind", "'\(kindText)' is not a failure kind\(hint)\(extra); the kinds are: \(injectable.joined(separator: ", "))")
        }
        let all = FailureCatalog.subkinds(of: kind)
        var subkinds = all
        if let s = try r.optionalString("subkind") {
            guard all.contains(s) else {
                let hint = closestMatch(to: s, in: all).map { " (did you mean '\($0)'?)" } ?? ""
                throw r.error("subkind", "unknown sub-kind '\(s)' of \(kind.rawValue)\(hint); its sub-kinds are: \(all.joined(separator: ", ")) (leave 'subkind' out for all of them)")
            }
            subkinds = [s]
        }
        let label = try r.optionalString("label")
        if let label {
            if subkinds.count > 1 { throw r.error("label", "needs a single 'subkind' (a label names one cell family)") }
            if let problem = ScenarioFile.nameProblem(label) { throw r.error("label", problem) }
        }
        let features = try r.strings("features")
        let params = r.value("params")
        if let params, params.objectValue == nil { throw r.error("params", "expected an object of parameter values, found \(params.typeName)") }
        let ramp = try r.optionalInt("ramp_days", in: 0...ScenarioFile.maxDays)
        let end = try r.optionalInt("end_day", in: 0...ScenarioFile.maxDays)
        try r.finish()
        return subkinds.map {
            CellSpec(kind: kind, subkind: $0, label: label ?? $0, features: features, params: params, rampDays: ramp, endDay: end,
                     origin: path)
        }
    }

    /// The failure as scenario JSON: severity and onset from the grid, overrides from the cell.
    /// Parameters not overridden are left out, so the decoder derives them from this severity.
    func failureJSON(severity: Double, onset: Int) -> JSON {
        var members: [(String, JSON)] = [("kind", .string(kind.rawValue)), ("subkind", .string(subkind))]
        if let features { members.append(("features", .array(features.map(JSON.string)))) }
        members.append(("start_day", .number(Double(onset))))
        if let rampDays { members.append(("ramp_days", .number(Double(rampDays)))) }
        if let endDay { members.append(("end_day", .number(Double(endDay)))) }
        members.append(("severity", .number(severity)))
        if let params { members.append(("params", params)) }
        return .object(members)
    }
}
