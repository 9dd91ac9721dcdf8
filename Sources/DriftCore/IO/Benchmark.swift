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

/// Wall-clock timing for benchmarks (monotonic clock). Never used for results, only for speed.
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
}
