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

    /// Reads a whole file, with an error that names it.
    public static func read(_ path: String) throws -> [UInt8] {
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

    /// Reads a whole UTF-8 text file.
    public static func readText(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// A fresh temporary path beside `path`, after making sure the folder exists and is a folder.
    public static func temporaryPath(for path: String) throws -> String {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try ensureDirectory(directory) }
        return path + ".tmp-\(getpid())"
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
