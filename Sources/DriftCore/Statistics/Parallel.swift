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

    /// Share k of 0..<count cut into `parts` contiguous pieces of ⌈count/parts⌉ (the last shorter,
    /// or empty): one thread's stretch of a long array.
    public static func share(_ k: Int, of count: Int, parts: Int) -> Range<Int> {
        let size = (count + parts - 1) / Swift.max(1, parts)
        return Swift.min(count, k * size)..<Swift.min(count, (k + 1) * size)
    }

    /// Runs `work(i)` for i in 0..<count on up to `jobs` threads, and `then(i)` for every i in
    /// increasing order, each once `work(i)` and `then(i - 1)` are done, never two at a time: the
    /// serial, ordered step (writing formatted rows to a file) overlaps the parallel one instead of
    /// waiting for all of it. Whichever thread finds the next index ready runs `then`. The first
    /// error thrown stops later `then` calls and is rethrown.
    public static func forEachInOrder(_ count: Int, jobs: Int = defaultJobs, _ work: @Sendable (Int) throws -> Void,
                                      then: @Sendable (Int) throws -> Void) throws {
        let order = OrderedSteps(count)
        _ = try map(count, jobs: jobs) { i in
            try work(i)
            try order.finished(i, then: then)
        }
    }
}

/// Which indices are done and which comes next for `Parallel.forEachInOrder`; one thread at a time
/// runs the ordered step, outside the lock, so the others keep working.
private final class OrderedSteps: @unchecked Sendable {
    private let lock = NSLock()
    private var done: [Bool]
    private var next = 0, running = false, failed = false

    init(_ count: Int) { done = Array(repeating: false, count: count) }

    func finished(_ i: Int, then: (Int) throws -> Void) throws {
        lock.lock()
        done[i] = true
        if running || failed { lock.unlock(); return }
        running = true
        while next < done.count && done[next] {
            let k = next
            next += 1
            lock.unlock()
            do { try then(k) } catch {
                lock.lock(); failed = true; running = false; lock.unlock()
                throw error
            }
            lock.lock()
        }
        running = false
        lock.unlock()
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
