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

    /// Asks the kernel to start writing `length` bytes at `offset` of `fd` back to the disk now,
    /// without waiting (Linux `sync_file_range(SYNC_FILE_RANGE_WRITE)`), so a long write's final
    /// `fsync` finds most of it already written: formatting and the disk then work at the same time.
    /// A no-op where the call does not exist. Looked up at run time: Glibc's module does not export it.
    public static func startWriteback(_ fd: Int32, offset: Int, length: Int) {
        guard let call = syncFileRange else { return }
        _ = call(fd, Int64(offset), Int64(length), 2)  // 2 = SYNC_FILE_RANGE_WRITE
    }

    private typealias SyncFileRange = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
    private static let syncFileRange: SyncFileRange? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }  // RTLD_DEFAULT
        return unsafeBitCast(symbol, to: SyncFileRange.self)
        #else
        return nil
        #endif
    }()

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
