import DriftCore
import DriftSim
import Foundation

/// How a sweep runs one scenario. `prepare` builds what runs sharing a reference period (same world
/// without failures, same seed) can reuse, e.g. trained models and reference profiles; `run` runs
/// one scenario with it. Both must be deterministic functions of their input.
public struct SweepBackend<Reference>: Sendable {
    public let prepare: @Sendable (Scenario) throws -> Reference
    public let run: @Sendable (Scenario, Reference) throws -> RunResult

    public init(prepare: @escaping @Sendable (Scenario) throws -> Reference,
                run: @escaping @Sendable (Scenario, Reference) throws -> RunResult) {
        self.prepare = prepare; self.run = run
    }
}

extension SweepBackend where Reference == Void {
    /// A backend without reference reuse.
    public init(run: @escaping @Sendable (Scenario) throws -> RunResult) {
        self.init(prepare: { _ in () }, run: { scenario, _ in try run(scenario) })
    }
}

/// One slice of a sweep: cells with index % count == number - 1.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let number: Int
    public let count: Int

    /// Parses "K/N" with 1 <= K <= N.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else {
            throw SweepError.badShard(text)
        }
        number = k; count = n
    }

    public init(number: Int, count: Int) throws { try self.init(parsing: "\(number)/\(count)") }

    public func contains(_ index: Int) -> Bool { index % count == number - 1 }
    public var description: String { "\(number)/\(count)" }
}

/// What one invocation of the sweep did.
public struct SweepOutcome: Sendable {
    /// Cells of this shard (all cells without a shard).
    public var selected: Int
    /// Cells run now.
    public var ran: Int
    /// Cells skipped because a valid run file was already there.
    public var skipped: Int
    /// Whether every cell of the sweep has a run and the summary was written.
    public var summaryWritten: Bool
    public var summary: SweepSummary?
}

/// Runs a sweep's cells in parallel into `<out>/runs/<cell-id>.json`, resumably, then writes the summary.
///
/// Layout of a results folder: `sweep.json` (the manifest: every cell and its scenario hash),
/// `runs/<cell-id>.json` (one run each, written atomically), and the summary files of `SummaryWriter`.
/// A finished cell is skipped when its file decodes and its manifest's scenario hash matches the
/// cell; anything else (missing, truncated, stale) is run again. Output bytes do not depend on `jobs`.
public enum SweepRunner {
    public struct Options: Sendable {
        public var jobs: Int
        public var shard: Shard?
        /// Called after each finished cell with (finished, to run in this invocation); from worker threads.
        public var progress: (@Sendable (Int, Int) -> Void)?
        public init(jobs: Int = Parallel.defaultJobs, shard: Shard? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil) {
            self.jobs = jobs; self.shard = shard; self.progress = progress
        }
    }

    public static func run<R>(_ sweep: Sweep, out: String, backend: SweepBackend<R>, options: Options = .init()) throws -> SweepOutcome {
        let manifest = SweepManifest(sweep: sweep)
        let runsFolder = out + "/runs"
        try prepareFolder(out, manifest: manifest)
        try AtomicFile.ensureDirectory(runsFolder)
        removeStaleTemporaries(resultsFolder: out)

        let selected = sweep.cells.filter { options.shard?.contains($0.index) ?? true }
        var digests = [RunDigest?](repeating: nil, count: sweep.cells.count)
        var todo: [SweepCell] = []
        for cell in selected {
            if let digest = finishedRun(cell.id, hash: cell.scenarioHash, in: runsFolder) {
                digests[cell.index] = digest
            } else {
                todo.append(cell)
            }
        }
        // Keep cells that share a reference period together, so each reference is prepared once and freed soon.
        var firstOfKey: [String: Int] = [:]
        for (k, c) in todo.enumerated() where firstOfKey[c.referenceKey] == nil { firstOfKey[c.referenceKey] = k }
        todo.sort { (firstOfKey[$0.referenceKey]!, $0.index) < (firstOfKey[$1.referenceKey]!, $1.index) }

        let cache = ReferenceCache<R>(counts: todo.reduce(into: [:]) { $0[$1.referenceKey, default: 0] += 1 })
        let done = ProgressCounter()
        let total = todo.count
        let work = todo
        let computed: [RunDigest] = try Parallel.map(work.count, jobs: options.jobs) { k in
            let cell = work[k]
            do {
                let reference: R
                do { reference = try cache.reference(for: cell.referenceKey) { try backend.prepare(cell.scenario) } } catch {
                    // The reference period is the base scenario's (only the world seed varies): say where to fix it.
                    throw SweepError.cellFailed(cell: cell.id, error: "its reference period (the base scenario's, \(sweep.baseSource)): \(error)")
                }
                defer { cache.release(cell.referenceKey) }
                let result = try backend.run(cell.scenario, reference)
                guard result.manifest.scenarioHash == cell.scenarioHash else {
                    throw SweepError.cellFailed(cell: cell.id, error: "the runner recorded scenario hash \(result.manifest.scenarioHash), expected \(cell.scenarioHash)")
                }
                try AtomicFile.write(result.json().serialized(), to: runsFolder + "/\(cell.id).json")
                let n = done.increment()
                options.progress?(n, total)
                return RunDigest(result)
            } catch let e as SweepError {
                throw e
            } catch {
                throw SweepError.cellFailed(cell: cell.id, error: "\(error)")
            }
        }
        for (cell, digest) in zip(work, computed) { digests[cell.index] = digest }

        // Cells of other shards may already be in the folder (several shards written to one place).
        for cell in sweep.cells where digests[cell.index] == nil && options.shard != nil {
            if FileManager.default.fileExists(atPath: runsFolder + "/\(cell.id).json") {
                digests[cell.index] = finishedRun(cell.id, hash: cell.scenarioHash, in: runsFolder)
            }
        }
        var outcome = SweepOutcome(selected: selected.count, ran: work.count, skipped: selected.count - work.count,
                                   summaryWritten: false, summary: nil)
        if digests.allSatisfy({ $0 != nil }) {
            let summary = SweepSummary(manifest: manifest, runs: digests.map { $0! }, missing: [])
            try SummaryWriter.write(summary, to: out)
            outcome.summaryWritten = true
            outcome.summary = summary
        }
        return outcome
    }

    /// Creates the folder and its `sweep.json`, or checks that an existing one belongs to this sweep.
    static func prepareFolder(_ out: String, manifest: SweepManifest) throws {
        try AtomicFile.ensureDirectory(out)
        let path = out + "/sweep.json"
        if FileManager.default.fileExists(atPath: path) {
            let existing: SweepManifest
            do { existing = try SweepManifest.read(folder: out) } catch let e as ConfigError {
                // Written atomically, so damage came from outside: whose runs these are is unknown.
                throw SweepError.damagedManifest(path: path, reason: e.path.isEmpty ? e.message : "\(e.path): \(e.message)")
            }
            if existing.hash != manifest.hash {
                throw SweepError.otherSweep(folder: out, found: existing.name, foundHash: existing.hash,
                                            expected: manifest.name, expectedHash: manifest.hash)
            }
            return
        }
        try AtomicFile.write(manifest.json().serialized(), to: path)
    }

    /// The digest of `runs/<id>.json` when it is a complete run of the scenario with `hash`, else nil.
    static func finishedRun(_ id: String, hash: String, in runsFolder: String) -> RunDigest? {
        guard let run = readRun(runsFolder + "/\(id).json"), run.manifest.scenarioHash == hash else { return nil }
        return RunDigest(run)
    }

    /// A run file decoded, or nil when it is missing, truncated or damaged.
    static func readRun(_ path: String) -> RunResult? { try? loadRun(path) }

    /// Removes the temp files killed writers left in a results folder, its `runs/` and `confusion/`.
    static func removeStaleTemporaries(resultsFolder out: String) {
        for folder in [out, out + "/runs", out + "/confusion"] { AtomicFile.removeStaleTemporaries(in: folder) }
    }

    /// A run file decoded and checked whole (`RunResult(json:)`), or an error that names the file.
    static func loadRun(_ path: String) throws -> RunResult {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch let e as FileError { throw ConfigError(file: path, path: "", message: e.reason) }
        return try decodeRun(bytes, path: path)
    }

    /// A run file's bytes decoded and checked whole; errors name `path`.
    static func decodeRun(_ bytes: [UInt8], path: String) throws -> RunResult {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(file: path, path: "", message: "is not UTF-8 text (damaged?)")
        }
        do { return try RunResult(json: try JSON.parse(text), file: path) } catch let e as JSONSyntaxError {
            throw ConfigError(file: path, path: "", message: "not valid JSON (truncated?): \(e)")
        }
    }
}

/// Prepared references by key, built once and dropped when the last cell using one is done.
final class ReferenceCache<R>: @unchecked Sendable {
    private enum Slot { case building, ready(R), failed(Error) }
    private var slots: [String: Slot] = [:]
    private var remaining: [String: Int]
    private let condition = NSCondition()

    init(counts: [String: Int]) { remaining = counts }

    func reference(for key: String, build: () throws -> R) throws -> R {
        condition.lock()
        while true {
            switch slots[key] {
            case .ready(let r)?: condition.unlock(); return r
            case .failed(let e)?: condition.unlock(); throw e
            case .building?: condition.wait()
            case nil:
                slots[key] = .building
                condition.unlock()
                let slot: Slot
                do { slot = .ready(try build()) } catch { slot = .failed(error) }
                condition.lock()
                slots[key] = slot
                condition.broadcast()
                condition.unlock()
                if case .failed(let e) = slot { throw e }
                if case .ready(let r) = slot { return r }
            }
        }
    }

    func release(_ key: String) {
        condition.lock()
        remaining[key, default: 1] -= 1
        if remaining[key] == 0 { slots[key] = nil }
        condition.unlock()
    }
}

final class ProgressCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
