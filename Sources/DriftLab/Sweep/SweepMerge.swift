import DriftCore
import Foundation

/// Joins the results folders of a sweep's shards into one folder and writes its summary.
public enum SweepMerge {
    public struct Outcome: Sendable {
        public var summary: SweepSummary
        public var copied: Int
        public var missing: [String]
    }

    /// Every folder must hold the same sweep (same sweep hash). A cell found in several folders
    /// must have byte-identical run files. Missing cells are an error unless `partial`.
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
        let outPath = URL(fileURLWithPath: out).standardizedFileURL.path

        var digests: [RunDigest] = [], missing: [String] = [], copied = 0
        for cell in manifest.cells {
            var found: (folder: String, bytes: [UInt8], digest: RunDigest)?
            for folder in folders {
                let path = folder + "/runs/\(cell.id).json"
                guard FileManager.default.fileExists(atPath: path), let bytes = try? AtomicFile.read(path),
                      let run = SweepRunner.readRun(path), run.manifest.scenarioHash == cell.scenarioHash else { continue }
                if let f = found {
                    if f.bytes != bytes { throw SweepError.conflictingRuns(cell: cell.id, first: f.folder + "/runs/\(cell.id).json", second: path) }
                } else {
                    found = (folder, bytes, RunDigest(run))
                }
            }
            guard let f = found else { missing.append(cell.id); continue }
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
        return Outcome(summary: summary, copied: copied, missing: missing)
    }
}
