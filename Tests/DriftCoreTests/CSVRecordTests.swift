import Foundation
import Testing
@testable import DriftCore

/// The in-place record view and the byte-level category interner behind the fast CSV reads.
@Suite struct CSVRecordTests {
    @Test func internerNumbersTextsByFirstAppearanceAfterTheSeed() {
        var interner = CategoryInterner(levels: ["b", "a"])
        func code(_ s: String) -> Int32 { var t = s; return t.withUTF8 { interner.code($0) } }
        #expect(code("a") == 1 && code("b") == 0)
        #expect(code("c") == 2 && code("ä") == 3 && code("c") == 2)
        // Past a rehash (more than half of 64 slots), every text keeps its code.
        for k in 0..<500 { #expect(code("level\(k)") == Int32(4 + k)) }
        for k in stride(from: 0, to: 500, by: 37) { #expect(code("level\(k)") == Int32(4 + k)) }
        #expect(interner.levels.count == 504 && interner.levels[3] == "ä" && interner.levels[503] == "level499")
    }

    @Test func recordReadsFieldsInPlaceWithTheirLine() throws {
        let dir = temporaryFolder()
        let path = dir + "/r.csv"
        try AtomicFile.write("a,b,c\n1.5,x,\n\n\"q,\"\"uoted\",2e3,\"multi\nline\"\n7,,abc\r\n", to: path)
        let reader = try CSVReader(path: path)
        var rows: [(Int, [String], Double?, Bool)] = []
        while try reader.next() {
            let r = reader.record
            rows.append((r.line, (0..<r.count).map { r.field($0) }, r.double(0), r.isEmpty(1)))
        }
        #expect(rows.map(\.0) == [2, 4, 6])
        #expect(rows.map(\.1) == [["1.5", "x", ""], ["q,\"uoted", "2e3", "multi\nline"], ["7", "", "abc"]])
        #expect(rows[0].2 == 1.5 && rows[1].2 == nil && rows[2].2 == 7)
        #expect(rows.map(\.3) == [false, false, true])
        let table = try Table.readCSV(path)
        #expect(table["b"]?.categoricalValues?.levels == ["x", "2e3"])
        #expect(table["b"]?.categoricalValues?.codes == [0, 1, -1])
    }
}
