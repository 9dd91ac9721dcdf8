import DriftCore
import Foundation

/// Joins the results folders of a sweep's shards into one folder and writes its summary.
public enum SweepMerge {
    public struct Outcome: Sendable {
        public var summary: SweepSummary
        public var copied: Int
        public var missing: [String]
        /// Run files that exist but could not be used (damaged, or of another scenario), with why;
        /// the cell was taken from another folder (a cell with no usable file is an error).
        public var unusable: [String]
    }

    /// Every folder must hold the same sweep (same sweep hash). A cell found in several folders
    /// must have byte-identical run files. Missing cells are an error unless `partial`; so is a cell
    /// whose only run file is damaged (the error names it). A damaged copy beside a good one is
    /// listed in `unusable`.
    public static func merge(_ folders: [String], out: String, partial: Bool = false) throws -> Outcome {
        guard let first = folders.first else { throw SweepError.notAResultsFolder("(no folder given)") }
        let manifest = try SweepManifest.read(folder: first)
        for folder in folders.dropFirst() {
            let other = try SweepManifest.read(folder: folder)
            if other.hash != manifest.hash {
                throw SweepError.otherSweep(folder: folder, found: other.name, foundHash: other.hash,
                                            expected: manifest.name, expectedHash: manifest.hash)
            }
        }
        try SweepRunner.prepareFolder(out, manifest: manifest)
        let outRuns = out + "/runs"
        try AtomicFile.ensureDirectory(outRuns)
        SweepRunner.removeStaleTemporaries(resultsFolder: out)
        let outPath = URL(fileURLWithPath: out).standardizedFileURL.path

        var digests: [RunDigest] = [], missing: [String] = [], unusable: [String] = [], copied = 0
        for cell in manifest.cells {
            var found: (folder: String, bytes: [UInt8], digest: RunDigest)?
            var problems: [String] = []
            for folder in folders {
                let path = folder + "/runs/\(cell.id).json"
                guard FileManager.default.fileExists(atPath: path) else { continue }
                let bytes: [UInt8], run: RunResult
                do {
                    bytes = try AtomicFile.read(path)
                    run = try SweepRunner.decodeRun(bytes, path: path)
                } catch {
                    problems.append("\(error)"); continue
                }
                guard run.manifest.scenarioHash == cell.scenarioHash else {
                    problems.append("\(path): is a run of scenario hash \(run.manifest.scenarioHash), the cell's is \(cell.scenarioHash)")
                    continue
                }
                if let f = found {
                    if f.bytes != bytes { throw SweepError.conflictingRuns(cell: cell.id, first: f.folder + "/runs/\(cell.id).json", second: path) }
                } else {
                    found = (folder, bytes, RunDigest(run))
                }
            }
            guard let f = found else {
                if let problem = problems.first, !partial { throw SweepError.unusableRun(problem) }
                missing.append(cell.id); unusable += problems; continue
            }
            unusable += problems
            digests.append(f.digest)
            let fromOut = URL(fileURLWithPath: f.folder).standardizedFileURL.path == outPath
            if !fromOut {
                try AtomicFile.write(f.bytes, to: outRuns + "/\(cell.id).json")
                copied += 1
            }
        }
        if !missing.isEmpty && !partial {
            throw SweepError.missingCells(count: missing.count, first: Array(missing.prefix(5)))
        }
        let summary = SweepSummary(manifest: manifest, runs: digests, missing: missing)
        try SummaryWriter.write(summary, to: out)
        return Outcome(summary: summary, copied: copied, missing: missing, unusable: unusable)
    }
}
