import Foundation

/// One line of `driftlab bench` output: what was measured, the figure and its unit.
public struct BenchmarkResult: Sendable, Equatable {
    public let name: String
    public let value: Double
    public let unit: String
    public let note: String
    public init(name: String, value: Double, unit: String, note: String = "") {
        self.name = name; self.value = value; self.unit = unit; self.note = note
    }
}

/// Timing for benchmarks: wall clock (monotonic) and CPU time. Never used for results, only for speed.
public enum Stopwatch {
    /// Seconds taken by `body`, the best of `repeats` runs.
    public static func seconds(repeats: Int = 1, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<Swift.max(1, repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            best = Swift.min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }

    /// CPU seconds of the calling thread spent in `body`, the best of `repeats` runs: single-thread
    /// figures are per core even when other processes share the machine.
    public static func threadCPUSeconds(repeats: Int = 1, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<Swift.max(1, repeats) {
            var a = timespec(), b = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a)
            try body()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b)
            best = Swift.min(best, Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) / 1e9)
        }
        return best
    }

    /// CPU seconds used so far by the whole process (every thread): the denominator of
    /// per-CPU-second rates of parallel work.
    public static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
