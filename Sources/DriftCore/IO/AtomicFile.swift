import Dispatch
import Foundation

/// A failure to read or write a file, naming the path and what to do.
public struct FileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}

/// Whole-file writes that never leave a half-written file: write `name.tmp-<pid>` beside the
/// target, `fsync` it, rename it into place (atomic within one file system), then `fsync` the folder,
/// so that after a crash the name holds either the old file or the whole new one, never an empty one.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically, creating missing parent folders.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = try temporaryPath(for: path)
        guard let fp = fopen(temporary, "wb") else {
            throw FileError(path: path, reason: "cannot write here (\(String(cString: strerror(errno)))); choose a writable folder")
        }
        let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, fp) }
        let synced = makeDurable(fp)
        let closed = fclose(fp)
        if written != bytes.count || !synced || closed != 0 {
            unlink(temporary)
            throw FileError(path: path, reason: "write failed (disk full?)")
        }
        try commit(temporary, to: path)
    }

    /// Writes UTF-8 text atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Reads a whole regular file, with an error that names it. A folder, device or pipe is refused
    /// before it is opened: `/dev/zero` would never end and a pipe may never deliver.
    public static func read(_ path: String) throws -> [UInt8] {
        if let problem = notRegularFile(path, missing: "file not found; check the path") {
            throw FileError(path: path, reason: problem.hasPrefix("file not found") ? problem : problem + "; name a file")
        }
        guard let fp = fopen(path, "rb") else {
            throw FileError(path: path, reason: "cannot open (\(String(cString: strerror(errno))))")
        }
        defer { fclose(fp) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBufferPointer { fread($0.baseAddress, 1, $0.count, fp) }
            if n > 0 { out.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count {
                if ferror(fp) != 0 { throw FileError(path: path, reason: "read failed") }
                break
            }
        }
        return out
    }

    /// Reads a whole UTF-8 text file; bytes that are not UTF-8 are an error, never silently replaced
    /// (a README rewritten from a lossy read would lose them).
    public static func readText(_ path: String) throws -> String {
        guard let text = String(validating: try read(path), as: UTF8.self) else {
            throw FileError(path: path, reason: "is not UTF-8 text; save it as UTF-8")
        }
        return text
    }

    /// Why `path` is not an existing regular file (a folder, device, pipe or socket), or nil when it
    /// is one; `missing` is the reason when nothing is there (nil: absence is fine).
    public static func notRegularFile(_ path: String, missing: String?) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT ? missing : "cannot read (\(String(cString: strerror(errno))))" }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "is a folder, not a file"
        default: return "is a device, pipe or socket, not a regular file"
        }
    }

    /// A fresh temporary path beside `path`, after making sure the folder exists and is a folder and
    /// that `path` is absent or a regular file (renaming over a device such as `/dev/null`, a pipe or
    /// a folder would replace it).
    public static func temporaryPath(for path: String) throws -> String {
        if path.isEmpty { throw FileError(path: "(empty path)", reason: "name a file to write") }
        if let problem = notRegularFile(path, missing: nil) { throw FileError(path: path, reason: problem + "; choose a file path to write") }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try ensureDirectory(directory) }
        // A killed earlier writer of this very file left its temp beside it: a rewrite removes it.
        removeStaleTemporaries(in: directory.isEmpty ? "." : directory, of: (path as NSString).lastPathComponent)
        return path + ".tmp-\(getpid())"
    }

    /// Removes the `*.tmp-<pid>` files in `folder` (only those of the file named `target`, when given)
    /// left by a killed process: never those of a live process, which may be another shard writing
    /// into the same folder.
    public static func removeStaleTemporaries(in folder: String, of target: String? = nil) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names {
            guard let r = name.range(of: ".tmp-", options: .backwards), let pid = Int32(name[r.upperBound...]), pid > 0 else { continue }
            if let target, name[..<r.lowerBound] != target[...] { continue }
            if pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) { unlink(folder + "/" + name) }
        }
    }

    /// Removes `path` if it is there (a set's marker, before the set is rewritten); an error names it
    /// when it exists and cannot be removed.
    public static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw FileError(path: path, reason: "cannot remove the previous run's file (\(String(cString: strerror(errno))))")
        }
    }

    /// Renames a finished (and `makeDurable`) temporary file over `path`, then syncs the folder so the
    /// new name itself survives a crash.
    public static func commit(_ temporary: String, to path: String) throws {
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FileError(path: path, reason: "cannot move the finished file into place (\(reason))")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if fd >= 0 { _ = fsync(fd); close(fd) }  // best effort: some file systems refuse a folder's fsync
    }

    /// Flushes `fp`'s buffer and waits until its bytes are on the disk (`fsync`); false if either fails.
    public static func makeDurable(_ fp: UnsafeMutablePointer<FILE>) -> Bool {
        fflush(fp) == 0 && fsync(fileno(fp)) == 0
    }

    /// Creates `directory` and its parents if needed; an error names it if it is a file or not writable.
    public static func ensureDirectory(_ directory: String) throws {
        if directory.isEmpty { throw FileError(path: "(empty path)", reason: "name a folder") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            if !isDirectory.boolValue { throw FileError(path: directory, reason: "is a file, not a folder") }
            if access(directory, W_OK) != 0 { throw FileError(path: directory, reason: "folder is not writable") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: directory, reason: "cannot create this folder; check the path and its permissions")
        }
    }
}

/// Makes a file durable piece by piece while it is still being written: `request()` queues an
/// `fdatasync` of the bytes written so far on a background queue, so the disk flushes them while
/// the writer formats the next ones, and the final `fsync` waits only for the last piece. (On a
/// virtual disk the flush, not the write, is what costs: about 1.2 ms per MB here, which
/// `sync_file_range` does not start.) At most one request waits at a time; later ones join it.
public final class BackgroundSync: @unchecked Sendable {
    private let fd: Int32
    private let queue = DispatchQueue(label: "driftlab.background-sync")
    private let lock = NSLock()
    /// Guarded by `lock`: a request queued and not yet started, and whether any sync failed.
    private var waiting = false, failed = false

    public init(fd: Int32) { self.fd = fd }

    /// Queues an `fdatasync` of `fd` unless one is already waiting to start (the caller has handed
    /// its bytes to the kernel: `fflush` first).
    public func request() {
        lock.lock()
        defer { lock.unlock() }
        if waiting { return }
        waiting = true
        queue.async { [self] in
            lock.lock(); waiting = false; lock.unlock()
            let ok = fdatasync(fd) == 0
            if !ok { lock.lock(); failed = true; lock.unlock() }
        }
    }

    /// Waits for the queued syncs to finish (call it before closing `fd`); false if one failed.
    public func finish() -> Bool {
        queue.sync {}
        lock.lock()
        defer { lock.unlock() }
        return !failed
    }
}
