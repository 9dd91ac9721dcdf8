import Foundation

/// Deterministic parallelism: results are stored by index, so the output never depends on how
/// many threads ran or in which order they finished.
public enum Parallel {
    /// The number of worker threads to use by default: the machine's active cores.
    public static var defaultJobs: Int { Swift.max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Applies `body` to 0..<count on up to `jobs` threads; result i is `body(i)`.
    public static func map<T: Sendable>(_ count: Int, jobs: Int = defaultJobs, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        if count == 0 { return [] }
        let results = UnsafeMutableBufferPointer<Result<T, Error>?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        let workers = Swift.max(1, Swift.min(jobs, count))
        if workers == 1 {
            for i in 0..<count { results[i] = Result { try body(i) } }
        } else {
            let next = AtomicCounter()
            let buffer = SendableBuffer(results)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let i = next.increment()
                    if i >= count { break }
                    buffer.buffer[i] = Result { try body(i) }
                }
            }
        }
        return try results.map { try $0!.get() }
    }
}

private struct SendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ b: UnsafeMutableBufferPointer<T>) { buffer = b }
}

/// A lock-protected counter handing out work indices.
final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}
