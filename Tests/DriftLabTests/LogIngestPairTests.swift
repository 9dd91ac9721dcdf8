import DriftCore
import Foundation
import Testing
@testable import DriftLab

@Suite struct LogIngestPairTests {
    /// Reading both files at once gives what reading the reference, then the logs seeded with its
    /// levels gives: same codes, same levels (the logs' new ones after the reference's).
    @Test func concurrentReadEqualsSequentialRead() throws {
        let dir = try TinyLogs.folder()
        try TinyLogs.write(TinyLogs.rows(days: 0...9, perDay: 40, seed: 5), to: dir + "/ref.csv")
        var logs = Array(TinyLogs.rows(days: 10...29, perDay: 40, seed: 6).reversed())
        for i in stride(from: 3, to: logs.count, by: 7) { logs[i][3] = i % 2 == 0 ? "atm" : "phone" }
        try TinyLogs.write(logs, to: dir + "/logs.csv")
        let specs = try LogIngest.inferFeatures(reference: dir + "/ref.csv", map: ColumnMap())
        let ref = try LogIngest.read(dir + "/ref.csv", map: ColumnMap(), specs: specs, requireLabels: true)
        let levels = ["channel": try #require(ref.features["channel"]?.categoricalValues).levels]
        let seq = try LogIngest.read(dir + "/logs.csv", map: ColumnMap(), specs: specs, levels: levels, requireLabels: false)
        for jobs in [1, 2] {
            let pair = try LogIngest.readPair(reference: dir + "/ref.csv", logs: dir + "/logs.csv", map: ColumnMap(), specs: specs, jobs: jobs)
            let a = try #require(pair.logs.features["channel"]?.categoricalValues), b = try #require(seq.features["channel"]?.categoricalValues)
            #expect(a.levels == b.levels && a.codes == b.codes)
            #expect(a.levels.count == 5 && a.levels.prefix(3) == levels["channel"]?.prefix(3))
            #expect(pair.logs.features.columnNames == seq.features.columnNames)
            #expect(pair.logs.features["x"]?.numericValues == seq.features["x"]?.numericValues)
            #expect(pair.logs.day == seq.day && pair.logs.label == seq.label && pair.logs.arrival == seq.arrival)
            #expect(pair.reference.features["channel"]?.categoricalValues == ref.features["channel"]?.categoricalValues)
        }
    }
}
