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

    /// Plain records are split in place in the reader's 1 MB chunk, the others (quotes, a lone CR, a
    /// record across two chunks) copied: 3 MB of seeded records of every kind, so dozens cross a chunk
    /// boundary, read back field for field and line for line as they were written.
    @Test func recordsReadBackAcrossChunksWhateverTheirKind() throws {
        var rng = Xoshiro256StarStar(seed: 77, stream: streamID("csv-chunks"))
        var text = "a,b,c\n", expected: [(line: Int, fields: [String])] = [], line = 2
        while text.utf8.count < 3 << 20 {
            var fields: [String] = [], cells: [String] = [], lines = 1
            for _ in 0..<3 {
                switch rng.index(6) {
                case 0: fields.append(""); cells.append("")
                case 1:
                    let v = String(rng.index(1_000_000)); fields.append(v); cells.append(v)
                case 2:
                    let v = "x\(rng.index(100)),\"y\""  // a comma and quotes: quoted, inner quotes doubled
                    fields.append(v); cells.append("\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
                case 3: fields.append("two\nlines"); cells.append("\"two\nlines\""); lines += 1
                default:
                    let v = String(repeating: "w", count: 1 + rng.index(40)); fields.append(v); cells.append(v)
                }
            }
            expected.append((line, fields))
            let ending = rng.index(8) == 0 ? "\r\n" : "\n"
            text += cells.joined(separator: ",") + ending
            line += lines
            if rng.index(50) == 0 { text += "\n"; line += 1 }  // a blank line between records
        }
        let path = temporaryFolder() + "/chunks.csv"
        writeText(text, path)
        let reader = try CSVReader(path: path)
        var read: [(line: Int, fields: [String])] = []
        while try reader.next() { let r = reader.record; read.append((r.line, (0..<r.count).map { r.field($0) })) }
        #expect(read.count == expected.count && expected.count > 30_000)
        #expect(zip(read, expected).allSatisfy { $0.line == $1.line && $0.fields == $1.fields })
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
