import DriftCore
import DriftSim

/// What a results folder's `sweep.json` records: the sweep's name, hash and every cell's place in
/// the grid with its scenario hash. Resume, merge and the summary work from it alone, so a shard
/// folder can be merged and summarised without the sweep file.
public struct SweepManifest: Sendable, Equatable {
    /// One cell's place in the grid.
    public struct Cell: Sendable, Equatable {
        /// Position in the expanded list (shards take index % N == K - 1).
        public var index: Int
        /// Stable, file-safe id, e.g. `schema_change.unit_scale.s0.50.on21.seed3.w14`; names `runs/<id>.json`.
        public var id: String
        public var kind: FailureKind
        /// The sub-kind, or the cell's `label` when given; `control` for controls.
        public var label: String
        public var subkind: String
        /// nil for a control.
        public var severity: Double?
        public var onsetDay: Int?
        public var windowDays: Int
        public var seedIndex: Int
        /// Which control of its seed and window (nil for failure cells).
        public var controlIndex: Int?
        /// `ScenarioFile.contentHash(scenario)`: what a finished run file's manifest must hold.
        public var scenarioHash: String
        public var isControl: Bool { controlIndex != nil }
    }

    public var name: String
    public var description: String
    public var cells: [Cell]

    public init(name: String, description: String, cells: [Cell]) {
        self.name = name; self.description = description; self.cells = cells
    }

    public init(sweep: Sweep) {
        name = sweep.name
        description = sweep.description
        cells = sweep.cells.map(\.place)
    }

    /// FNV-1a 64 of the name and each cell's id and scenario hash, as 16 hex digits.
    public var hash: String {
        var text = name
        for c in cells { text += "\n\(c.id) \(c.scenarioHash)" }
        let h = String(ScenarioFile.fnv1a64(Array(text.utf8)), radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h
    }

    public func json() -> JSON {
        .object([
            ("sweep", .string(name)), ("sweep_hash", .string(hash)), ("tool_version", .string(DriftLabVersion.current)),
            ("description", .string(description)), ("cell_count", .number(Double(cells.count))),
            ("cells", .array(cells.map { c in
                .object([("index", .number(Double(c.index))), ("id", .string(c.id)), ("kind", .string(c.kind.rawValue)),
                         ("label", .string(c.label)), ("subkind", .string(c.subkind)),
                         ("severity", c.severity.map(JSON.number) ?? .null), ("onset_day", c.onsetDay.map { .number(Double($0)) } ?? .null),
                         ("window_days", .number(Double(c.windowDays))), ("seed_index", .number(Double(c.seedIndex))),
                         ("control", c.controlIndex.map { .number(Double($0)) } ?? .null), ("scenario_hash", .string(c.scenarioHash))])
            })),
        ])
    }

    /// Reads a `sweep.json`; checks its recorded hash against its cells (a hand-edited file is refused).
    public init(json: JSON, file: String) throws {
        var r = try ConfigReader(json, file: file, path: "")
        name = try r.string("sweep")
        let recorded = try r.string("sweep_hash")
        _ = try r.string("tool_version", default: "")
        description = try r.string("description", default: "")
        let cellCount = try r.optionalInt("cell_count")
        cells = try (r.array("cells") ?? []).enumerated().map { i, item in
            var c = try ConfigReader(item, file: file, path: "cells[\(i)]")
            let kindText = try c.string("kind", oneOf: FailureKind.allCases.map(\.rawValue))
            let cell = Cell(index: try c.int("index"), id: try c.string("id"), kind: FailureKind(rawValue: kindText) ?? .none,
                            label: try c.string("label"), subkind: try c.string("subkind"), severity: try c.optionalDouble("severity", in: 0...1),
                            onsetDay: try c.optionalInt("onset_day"), windowDays: try c.int("window_days"),
                            seedIndex: try c.int("seed_index"), controlIndex: try c.optionalInt("control"),
                            scenarioHash: try c.string("scenario_hash"))
            try c.finish()
            if cell.index != i { throw ConfigError(file: file, path: "cells[\(i)].index", message: "expected \(i), got \(cell.index)") }
            if let problem = ScenarioFile.nameProblem(cell.id) { throw ConfigError(file: file, path: "cells[\(i)].id", message: problem) }
            return cell
        }
        try r.finish()
        if let cellCount, cellCount != cells.count {
            throw ConfigError(file: file, path: "cell_count", message: "is \(cellCount) but \(cells.count) cells are listed; the file was edited or damaged: rerun the sweep")
        }
        if recorded != hash {
            throw ConfigError(file: file, path: "sweep_hash", message: "does not match the cells listed (\(hash)); the file was edited or damaged: rerun the sweep")
        }
    }

    /// Reads `<folder>/sweep.json`.
    public static func read(folder: String) throws -> SweepManifest {
        let path = folder + "/sweep.json"
        guard FileManager.default.fileExists(atPath: path) else {
            throw SweepError.notAResultsFolder(folder)
        }
        let text: String
        do { text = try AtomicFile.readText(path) } catch let e as FileError { throw ConfigError(file: path, path: "", message: e.reason) }
        do { return try SweepManifest(json: try JSON.parse(text), file: path) } catch let e as JSONSyntaxError {
            throw ConfigError(file: path, path: "", message: "not valid JSON: \(e)")
        }
    }
}

import Foundation

/// Problems running, resuming or merging a sweep.
public enum SweepError: Error, CustomStringConvertible, Equatable {
    case notAResultsFolder(String)
    case otherSweep(folder: String, found: String, foundHash: String, expected: String, expectedHash: String)
    case badShard(String)
    case conflictingRuns(cell: String, first: String, second: String)
    case missingCells(count: Int, first: [String])
    case cellFailed(cell: String, error: String)
    case unsafeName(String)
    case mixedFolder(folder: String, summaryHash: String, manifestHash: String)
    case damagedManifest(path: String, reason: String)
    case unusableRun(String)

    public var description: String {
        switch self {
        case .notAResultsFolder(let f):
            return "\(f): not a sweep results folder (no sweep.json); name folders written by 'driftlab sweep'"
        case .otherSweep(let folder, let found, let foundHash, let expected, let expectedHash):
            return "\(folder): holds results of sweep '\(found)' (hash \(foundHash)), not of '\(expected)' (hash \(expectedHash)); choose another folder or remove it"
        case .badShard(let s):
            return "--shard '\(s)' is not K/N with 1 <= K <= N (e.g. 1/4 for the first of four shards)"
        case .conflictingRuns(let cell, let a, let b):
            return "cell \(cell): \(a) and \(b) differ; shards of one sweep must give identical runs (were they run with different tool versions?)"
        case .missingCells(let n, let first):
            return "\(n) cell(s) have no finished run, e.g. \(first.joined(separator: ", ")); run the missing shards, or pass --partial to summarise what exists"
        case .cellFailed(let cell, let error):
            return "cell \(cell) failed: \(error)"
        case .unsafeName(let problem):
            return problem
        case .mixedFolder(let folder, let summaryHash, let manifestHash):
            return "\(folder): summary.json is of sweep hash \(summaryHash) but sweep.json of \(manifestHash), so the folder mixes two sweeps; rerun the sweep (or merge) into a clean folder"
        case .unusableRun(let problem):
            return "\(problem); rerun its shard (the sweep skips finished cells and redoes this one), or pass --partial to summarise without it"
        case .damagedManifest(let path, let reason):
            return "\(path): \(reason); the folder's sweep is unknown, so it is not resumed: remove sweep.json to let this sweep adopt the runs that match its cells, or choose another folder"
        }
    }
}
