import Foundation
import Testing
@testable import DriftCore

/// A fresh temporary folder for one test.
func temporaryFolder(_ label: String = #function) -> String {
    let name = "driftlab-test-\(label.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func writeText(_ text: String, _ path: String) { _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) }

@Suite struct CSVTests {
    @Test func roundTripsQuotedFields() throws {
        let dir = temporaryFolder()
        let path = dir + "/t.csv"
        let writer = try CSVWriter(path: path, header: ["id", "name", "x"])
        let names = ["plain", "with,comma", "with \"quote\"", "two\nlines", ""]
        for (i, n) in names.enumerated() {
            writer.field(i)
            if n.isEmpty { writer.emptyField() } else { writer.field(n) }
            writer.field(Double(i) * 1.25 - 2, decimals: 2)
            try writer.endRow()
        }
        #expect(!FileManager.default.fileExists(atPath: path), "nothing at the target before finish()")
        try writer.finish()
        let reader = try CSVReader(path: path)
        #expect(reader.header == ["id", "name", "x"])
        var rows: [(String, String, Double?)] = []
        var lines: [Int] = []
        while try reader.next() { rows.append((reader.field(0), reader.field(1), reader.double(2))); lines.append(reader.line) }
        #expect(rows.map(\.1) == names)
        #expect(rows.map(\.2) == [-2, -0.75, 0.5, 1.75, 3])
        #expect(lines == [2, 3, 4, 5, 7], "a quoted line break moves the next record's line")
        #expect(String(decoding: try AtomicFile.read(path), as: UTF8.self).contains("\"with \"\"quote\"\"\""))
    }

    @Test func namesTheLineOfAMalformedRow() throws {
        let dir = temporaryFolder()
        let cases: [(String, Int, String)] = [
            ("a,b\n1,2\n3\n", 3, "expected 2 fields"),
            ("a,b\n1,2\n\"open,2\n4,5\n", 3, "never closed"),
            ("a,b\n1,\"x\"y\n", 2, "after a closing quote"),
            ("a,b\n1,x\"y\n", 2, "inside an unquoted field"),
        ]
        for (text, line, message) in cases {
            let path = dir + "/bad.csv"
            writeText(text, path)
            let reader = try CSVReader(path: path)
            do {
                while try reader.next() {}
                Issue.record("no error for \(text.debugDescription)")
            } catch let e as CSVError {
                #expect(e.line == line, "\(e)")
                #expect(e.message.contains(message), "\(e)")
                #expect(e.description.hasPrefix(path))
            }
        }
    }

    @Test func headerProblemsAndMissingFiles() {
        let dir = temporaryFolder()
        writeText("", dir + "/empty.csv")
        #expect(throws: CSVError.self) { try CSVReader(path: dir + "/empty.csv") }
        writeText("a,a\n1,2\n", dir + "/dup.csv")
        #expect(throws: CSVError.self) { try CSVReader(path: dir + "/dup.csv") }
        #expect(throws: FileError.self) { try CSVReader(path: dir + "/absent.csv") }
    }

    @Test func crlfAndBlankLines() throws {
        let dir = temporaryFolder()
        writeText("a,b\r\n1,2\r\n\r\n3,4\r\n", dir + "/crlf.csv")
        let t = try Table.readCSV(dir + "/crlf.csv")
        #expect(try t.numeric("a") == [1, 3])
        #expect(try t.numeric("b") == [2, 4])
    }

    @Test func parsesNumbersLikeStrtod() {
        let cases: [(String, Double?)] = [("0", 0), ("-12.5", -12.5), ("+3", 3), ("1e3", 1000), ("0.1", 0.1),
                                          ("123456789012345678", 1.2345678901234568e17), ("1.", 1), (".5", 0.5),
                                          ("inf", .infinity), ("-inf", -.infinity), ("abc", nil), ("1,5", nil), ("-", nil), (".", nil)]
        for (text, expected) in cases {
            let v = parseDouble(text)
            if let e = expected { #expect(v == e, "\(text)") } else { #expect(v == nil, "\(text)") }
        }
        #expect(parseDouble("")!.isNaN)
        #expect(parseDouble("nan")!.isNaN)
        // Hexadecimal is text, as pandas reads it (strtod would read 16 and 0.5).
        for hex in ["0x10", "0X1p-1", "0x.8", "-0x1"] { #expect(parseDouble(hex) == nil, "\(hex)") }
        var g = Xoshiro256StarStar(seed: 5)
        for _ in 0..<2000 {
            let x = (g.uniform() - 0.5) * pow(10, Double(g.index(10)))
            let text = String(format: "%.*f", g.index(8), x)
            #expect(parseDouble(text) == Double(text), "\(text)")
        }
    }

    @Test func tableInfersTypesAndReportsBadNumbers() throws {
        let dir = temporaryFolder()
        writeText("x,c,y\n1.5,a,1\n,b,0\n2,a,\n", dir + "/t.csv")
        let t = try Table.readCSV(dir + "/t.csv")
        #expect(t.rowCount == 3)
        let x = try t.numeric("x")
        #expect(x[0] == 1.5 && x[1].isNaN && x[2] == 2)
        let c = try #require(t["c"]?.categoricalValues)
        #expect(c.codes == [0, 1, 0] && c.levels == ["a", "b"])
        #expect(throws: CSVError.self) { try Table.readCSV(dir + "/t.csv", types: ["c": .numeric]) }
        do {
            _ = try Table.readCSV(dir + "/t.csv", types: ["c": .numeric])
        } catch let e as CSVError {
            #expect(e.line == 2 && e.message.contains("'c'"))
        }
        #expect(throws: TableError.self) { try t.column("y2") }
        #expect("\(TableError.missingColumn("amout", available: ["amount", "hour"]))".contains("did you mean 'amount'"))
        try t.writeCSV(dir + "/out.csv", decimals: 3)
        let back = try Table.readCSV(dir + "/out.csv")
        #expect(back.columnNames == t.columnNames && back.rowCount == 3)
    }

    /// Missing-value texts read as pandas reads them (pandas 3.1.1, the oracle venv):
    ///
    ///     df = pd.read_csv(io.StringIO("amount,country,score\n1.5,NA,NA\nnull,de,0.25\nN/A,None,<NA>\n2,fr,nan\n"))
    ///     df.dtypes  # amount float64, country str, score float64
    ///     df.isna().values.tolist()
    ///     # [[False, True, True], [True, False, False], [True, True, True], [False, False, True]]
    @Test func missingMarkersReadAsPandasReadsThem() throws {
        let dir = temporaryFolder()
        writeText("amount,country,score\n1.5,NA,NA\nnull,de,0.25\nN/A,None,<NA>\n2,fr,nan\n", dir + "/na.csv")
        let t = try Table.readCSV(dir + "/na.csv")
        let amount = try t.numeric("amount"), score = try t.numeric("score")
        let country = try #require(t["country"]?.categoricalValues)
        let isMissing = (0..<4).map { [amount[$0].isNaN, country.codes[$0] < 0, score[$0].isNaN] }
        #expect(isMissing == [[false, true, true], [true, false, false], [true, true, true], [false, false, true]])
        #expect(amount[0] == 1.5 && amount[3] == 2 && score[1] == 0.25 && country.levels == ["de", "fr"])
        // Without markers the texts are values: amount and score turn categorical, "NA" a country.
        let plain = try Table.readCSV(dir + "/na.csv", missing: .none)
        #expect(plain["amount"]?.categoricalValues != nil && plain["score"]?.categoricalValues != nil)
        #expect(plain["country"]?.categoricalValues?.levels == ["NA", "de", "None", "fr"])
        // A column forced numeric takes a marker as missing, not as a bad number; a custom list.
        do {
            _ = try Table.readCSV(dir + "/na.csv", types: ["country": .numeric])
            Issue.record("no error")
        } catch let e as CSVError {
            #expect(e.line == 3 && e.message.contains("found 'de'"))  // line 2's "NA" was missing, not an error
        }
        let custom = try Table.readCSV(dir + "/na.csv", missing: MissingMarkers(["NA", "null", "N/A"]))
        #expect(custom["amount"]?.numericValues != nil && custom["score"]?.categoricalValues != nil)
        #expect(MissingMarkers.standard.contains("NULL") && !MissingMarkers.standard.contains("") && !MissingMarkers.standard.contains("N"))
    }

    /// A marker that is a number ("-999") is missing in a numeric column too; the match is on the exact
    /// text, so "-999.0" stays a value (pandas 3.1.1 matches numerically and reads it as missing too):
    ///
    ///     df = pd.read_csv(io.StringIO("amount,code\n-999,-999\n12.5,a\n-999.0,-999\n7,b\n"),
    ///                      na_values=["-999"], keep_default_na=False)
    ///     df.dtypes  # amount float64, code str
    ///     df.isna().values.tolist()  # [[True, True], [False, False], [True, True], [False, False]]
    @Test func aMarkerThatIsANumberIsMissing() throws {
        let dir = temporaryFolder()
        writeText("amount,code\n-999,-999\n12.5,a\n-999.0,-999\n7,b\n", dir + "/sentinel.csv")
        let t = try Table.readCSV(dir + "/sentinel.csv", missing: MissingMarkers(["-999"]))
        let amount = try t.numeric("amount")
        #expect(amount[0].isNaN && amount[1] == 12.5 && amount[2] == -999 && amount[3] == 7)
        #expect(t["code"]?.categoricalValues == CategoricalColumn(codes: [-1, 0, -1, 1], levels: ["a", "b"]))
        // Markers that are numbers: -999, inf; NaN texts read as NaN anyway and are not.
        #expect(MissingMarkers(["-999"]).hasNumber && MissingMarkers(["NA", "inf"]).hasNumber)
        #expect(!MissingMarkers.standard.hasNumber && !MissingMarkers(["NaN", "-nan"]).hasNumber)
        // Without the marker -999 is a value.
        #expect(try Table.readCSV(dir + "/sentinel.csv").numeric("amount")[0] == -999)
    }

    /// One pass: a column turns categorical at its first text; one that turns after its first row is
    /// read again, so its levels and codes are those of a whole-file inference (first appearance).
    @Test func aColumnThatTurnsLateIsReadAgain() throws {
        let dir = temporaryFolder()
        writeText("late,early,num\n1,a,1\n,b,NA\n2,a,3\nabc,c,4\n1,a,5\n", dir + "/late.csv")
        let t = try Table.readCSV(dir + "/late.csv")
        #expect(t["late"]?.categoricalValues == CategoricalColumn(codes: [0, -1, 1, 2, 0], levels: ["1", "2", "abc"]))
        #expect(t["early"]?.categoricalValues == CategoricalColumn(codes: [0, 1, 0, 2, 0], levels: ["a", "b", "c"]))
        let num = try t.numeric("num")
        #expect(num[0] == 1 && num[1].isNaN && Array(num[2...]) == [3, 4, 5])
    }

    @Test func unwritableTargetIsAClearError() throws {
        let dir = temporaryFolder()
        writeText("x", dir + "/file")
        #expect(throws: FileError.self) { try CSVWriter(path: dir + "/file/sub/out.csv", header: ["a"]) }
        #expect(throws: FileError.self) { try AtomicFile.write("x", to: dir + "/file/sub/out.txt") }
    }

    @Test func finishEndsARowLeftOpen() throws {
        let dir = temporaryFolder()
        let w = try CSVWriter(path: dir + "/open.csv", header: ["a", "b"])
        w.field(1)
        w.emptyField()
        try w.finish()
        #expect(try String(contentsOfFile: dir + "/open.csv", encoding: .utf8) == "a,b\n1,\n")
    }

    @Test func droppedWriterLeavesNoFile() throws {
        let dir = temporaryFolder()
        do {
            let w = try CSVWriter(path: dir + "/half.csv", header: ["a"])
            w.field(1)
            try w.endRow()
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(left.isEmpty, "\(left)")
    }

    /// The writer asks a background `fdatasync` for what it wrote after 1, 2, 4 and then every 8 MB
    /// (and `fsync`s at the end): the bytes must be exactly those written, in order, across those
    /// points, with appended buffers and row-by-row writes mixed.
    @Test func longFileIsWholeAcrossBackgroundSyncPoints() throws {
        let dir = temporaryFolder()
        let w = try CSVWriter(path: dir + "/long.csv", header: ["i", "x"])
        var expected = Array("i,x\n".utf8)
        let block = CSVBuffer(capacity: 1 << 20)
        for i in 0..<1_000_000 {
            let row = Array("\(i),\(i % 997).25\n".utf8)
            expected += row
            if i % 3 == 0 {
                w.field(i); w.field(Double(i % 997) + 0.25, decimals: 2); try w.endRow()
            } else {
                block.field(i); block.field(Double(i % 997) + 0.25, decimals: 2); block.endRow()
                if i % 3 == 2 { try w.append(block); block.removeAll() }
            }
        }
        try w.append(block)
        try w.finish()
        let bytes = try AtomicFile.read(dir + "/long.csv")
        #expect(bytes.count > 8 << 20, "the file crosses at least one 8 MB sync point: \(bytes.count) bytes")
        #expect(bytes == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["long.csv"], "no temporary file left")
    }
}

extension CSVTests {
    /// `startFinishing` hands the finished rows to the kernel and queues their sync; rows may still
    /// follow (it may be called more than once, and with a row open it waits for `finish`), the file
    /// is still whole, and a writer dropped after it leaves nothing behind.
    @Test func startFinishingKeepsTheFileWholeAndDroppedLeavesNothing() throws {
        let dir = temporaryFolder()
        let w = try CSVWriter(path: dir + "/a.csv", header: ["i", "x"])
        var expected = Array("i,x\n".utf8)
        for i in 0..<200_000 {
            w.field(i); w.field(Double(i) / 4, decimals: 2)
            if i == 150_000 { w.startFinishing() }  // a row is open: nothing to hand over yet
            try w.endRow()
            expected += Array("\(i),\(String(format: "%.2f", Double(i) / 4))\n".utf8)
            if i == 99_999 { w.startFinishing() }
        }
        w.field(200_000)
        w.startFinishing()
        try w.finish()
        expected += Array("200000\n".utf8)
        #expect(try AtomicFile.read(dir + "/a.csv") == expected)
        do {
            let dropped = try CSVWriter(path: dir + "/b.csv", header: ["i"])
            dropped.field(1); try dropped.endRow()
            dropped.startFinishing()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a.csv"], "no file of the dropped writer")
    }
}

@Suite struct BackgroundSyncTests {
    /// Syncs of a file being written succeed, and `finish` waits for them.
    @Test func syncsAFileBeingWritten() throws {
        let path = temporaryFolder() + "/synced.bin"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        let sync = BackgroundSync(fd: fd)
        let block = [UInt8](repeating: 0x2C, count: 1 << 16)
        for _ in 0..<8 {
            #expect(block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == block.count)
            sync.request()
        }
        #expect(sync.finish())
        #expect(try AtomicFile.read(path).count == 8 << 16)
    }

    /// A sync that fails (a pipe cannot be synced: EINVAL) is reported by `finish`, not lost.
    @Test func aFailedSyncIsReported() {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        let sync = BackgroundSync(fd: ends[1])
        sync.request()
        #expect(!sync.finish())
    }
}

@Suite struct JSONTests {
    @Test func parsesAndSerialisesDeterministically() throws {
        let text = #"{"b": 1, "a": [1.5, -2e3, true, null, "x\"y\n\u00e9"], "c": {"z": {}, "y": []}}"#
        let v = try JSON.parse(text)
        #expect(v["b"] == .number(1))
        #expect(v["a"]?.arrayValue?.count == 5)
        #expect(v["a"]?.arrayValue?[4] == .string("x\"y\né"))
        let out = v.serialized()
        #expect(out.hasPrefix("{\n  \"b\": 1,\n  \"a\": [1.5, -2000, true, null, \"x\\\"y\\né\"]"))
        #expect(try JSON.parse(out) == v)
        #expect(v.serialized(pretty: false) == #"{"b":1,"a":[1.5,-2000,true,null,"x\"y\né"],"c":{"z":{},"y":[]}}"#)
        #expect(JSON.number(.nan).serialized(pretty: false) == "null")
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        let cases: [(String, Int, Int, String)] = [
            ("{\n  \"a\": 1,\n  \"b\": }", 3, 8, "expected a value"),
            ("{\"a\": 1 \"b\": 2}", 1, 9, "expected ',' or '}'"),
            ("{\"a\": 1, \"a\": 2}", 1, 10, "appears twice"),
            ("[1, 2", 1, 6, "never closed"),
            ("{\"a\": tru}", 1, 7, "expected 'true'"),
            ("{} x", 1, 4, "after the end"),
            ("{\"é\": 01}", 1, 7, "not a valid JSON number"),
            ("[-.5]", 1, 2, "not a valid JSON number"),
        ]
        for (text, line, column, message) in cases {
            do {
                _ = try JSON.parse(text)
                Issue.record("no error for \(text)")
            } catch let e as JSONSyntaxError {
                #expect(e.line == line && e.column == column, "\(text): \(e)")
                #expect(e.message.contains(message), "\(e)")
            } catch { Issue.record("\(error)") }
        }
    }
}

@Suite struct ConfigReaderTests {
    @Test func typedReadsWithPaths() throws {
        let json = try JSON.parse(#"{"severity": 1.5, "days": 2.5, "kind": "prior_shfit", "populaton": {}, "ok": 3}"#)
        var r = try ConfigReader(json, file: "s.json", path: "failures[2]")
        #expect(try r.int("ok") == 3)
        #expect(throws: ConfigError(file: "s.json", path: "failures[2].severity", message: "must be in [0, 1]; got 1.5")) {
            try r.double("severity", in: 0...1)
        }
        do { _ = try r.int("days"); Issue.record("no error") } catch let e as ConfigError {
            #expect(e.description == "s.json: failures[2].days: expected a whole number, got 2.5")
        }
        do { _ = try r.string("kind", oneOf: ["prior_shift", "covariate_shift"]); Issue.record("no error") } catch let e as ConfigError {
            #expect(e.message.contains("did you mean 'prior_shift'"))
        }
        #expect(try r.double("absent", default: 4) == 4)
        var known = try ConfigReader(json, file: "s.json", path: "")
        _ = known.value("population"); _ = known.value("severity"); _ = known.value("days"); _ = known.value("kind"); _ = known.value("ok")
        do { try known.finish(); Issue.record("no error") } catch let e as ConfigError {
            #expect(e.path == "populaton" && e.message.contains("did you mean 'population'"))
        }
        #expect(closestMatch(to: "zzzzzz", in: ["population"]) == nil)
        #expect(editDistance("kitten", "sitting") == 3)
    }

    @Test("an explicit null reads as absent in has and value, so optional keys take their defaults and required ones their hints")
    func nullIsAbsent() throws {
        let r = try ConfigReader(try JSON.parse(#"{"seed": null, "name": "a"}"#), file: "s.json", path: "")
        #expect(!r.has("seed") && r.has("name") && !r.has("other"))
        var v = r
        #expect(v.value("seed") == nil)
        try v.finish(known: ["seed", "name"])
    }
}

@Suite struct CSVLargeFieldTests {
    @Test func hugeFieldsAndRecordsSurvive() throws {
        let dir = temporaryFolder()
        let big = String(repeating: "ab,\"c", count: 300_000)  // 1.5 MB, needs quoting
        let w = try CSVWriter(path: dir + "/big.csv", header: ["a", "b"])
        w.field(big); w.field(7); try w.endRow()
        w.field("x"); w.field(8); try w.endRow()
        try w.finish()
        let r = try CSVReader(path: dir + "/big.csv")
        #expect(try r.next())
        #expect(r.field(0) == big && r.double(1) == 7)
        #expect(try r.next())
        #expect(r.field(0) == "x" && r.line == 3)
        #expect(try !r.next())
    }
}

@Suite struct CSVBufferTests {
    /// The text of one field as the buffer writes it.
    static func text(_ write: (CSVBuffer) -> Void) -> String {
        let b = CSVBuffer(capacity: 8)
        write(b)
        b.endRow()
        return String(decoding: UnsafeBufferPointer(start: b.bytes, count: b.count - 1), as: UTF8.self)
    }

    @Test func integersAroundEveryPowerOfTenMatchTheirDescription() {
        var values = [0, 1, -1, Int.max, Int.min, Int.min + 1]
        var p = 1
        for _ in 1...18 { p *= 10; values += [p - 1, p, p + 1, -(p - 1), -p] }
        for v in values { #expect(Self.text { $0.field(v) } == String(v)) }
    }

    @Test func fixedDecimalsRoundHalfAwayFromZeroOnTheScaledValue() {
        // Python: the product v * 10**d as a double, rounded half away from zero exactly:
        //   from decimal import Decimal, ROUND_HALF_UP
        //   def fixed(v, d):
        //       u = Decimal(v * 10.0**d).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        //       s = f"{abs(u):0{d + 1}d}"; s = s[:len(s) - d] + ("." + s[len(s) - d:] if d else "")
        //       return ("-" if u < 0 else "") + s
        let cases: [(Double, Int, String)] = [
            (0, 2, "0.00"), (-0.0, 0, "0"), (0.05, 2, "0.05"), (1.005, 2, "1.00"), (2.675, 2, "2.68"),
            (-0.004, 2, "0.00"), (-0.005, 2, "-0.01"), (2.5, 0, "3"), (-2.5, 0, "-3"), (0.49999999999999994, 0, "0"),
            (12.35, 2, "12.35"), (0.7934, 4, "0.7934"), (0.007934, 8, "0.00793400"), (99999, 4, "99999.0000"),
            (-1302.55, 2, "-1302.55"), (0.0001, 4, "0.0001"), (123.456, 1, "123.5"), (1e14, 1, "100000000000000.0"),
            (8.9e15, 0, "8900000000000000"), (1e-7, 6, "0.000000"), (0.9999995, 6, "1.000000"), (3.14159, 15, "3.141590000000000"),
        ]
        for (v, d, expected) in cases { #expect(Self.text { $0.field(v, decimals: d) } == expected, "\(v) with \(d) decimals") }
        // NaN is missing; infinities and values of 9e15 units or more keep a readable form.
        #expect(Self.text { $0.field(.nan, decimals: 2) } == "")
        #expect(Self.text { $0.field(-.infinity, decimals: 2) } == "-inf")
        #expect(Self.text { $0.field(3e20, decimals: 2) } == "3e+20")
    }

    @Test func fixedDecimalsOfRandomValuesMatchAPlainIntegerSplit() {
        // The plain form: units = round(v * 10^d), written as String(units / 10^d), ".", and
        // units % 10^d padded with zeros to d digits.
        var rng = Xoshiro256StarStar(seed: 7, stream: 1)
        for _ in 0..<20_000 {
            let d = rng.index(9)
            let v = (rng.uniform() - 0.3) * pow(10, Double(rng.index(12)) - 4)
            let units = Int(roundedHalfAway(v * pow(10, Double(d))))
            let p = Int(pow(10, Double(d)))
            let fraction = String(units.magnitude % UInt(p))
            let plain = (units < 0 ? "-" : "") + String(units.magnitude / UInt(p))
                + (d == 0 ? "" : "." + String(repeating: "0", count: d - fraction.count) + fraction)
            let written = Self.text { $0.field(v, decimals: d) }
            if written != plain { Issue.record("\(v) with \(d) decimals: \(written), expected \(plain)"); return }
        }
    }

    @Test func eightDigitsAtOnceAreTheDecimalDigits() {
        // Every value of each 4-digit lane in both lanes at once (k · 10001 = k in the high and the
        // low half), then values across the whole range; digit j (most significant first) is byte j.
        func check(_ v: UInt64) -> Bool {
            let word = CSVFormatter.eightDigits(v)
            var p: UInt64 = 10_000_000
            for j in 0..<8 {
                if (word >> (8 * UInt64(j))) & 0xFF != (v / p) % 10 { return false }
                p /= 10
            }
            return true
        }
        var wrong = 0
        for k in 0..<10_000 where !check(UInt64(k) * 10_001) { wrong += 1 }
        var rng = Xoshiro256StarStar(seed: 11, stream: 2)
        for _ in 0..<50_000 where !check(UInt64(rng.index(100_000_000))) { wrong += 1 }
        for v: UInt64 in [0, 9, 10, 99_999_999, 10_000_000, 9_999, 10_000] where !check(v) { wrong += 1 }
        #expect(wrong == 0)
    }

    @Test func roundedHalfAwayToUIntIsRoundedForEveryKindOfFraction() {
        // Exact ties (k + 0.5, ties to even would go down on even k), the doubles next to them,
        // whole numbers, and random magnitudes up to 2^52.
        var values: [Double] = [0, 0.5, 1.5, 2.5, 0.49999999999999994, 0x1p52 - 0.5, 0x1p52 - 1, 0x1p51 + 0.5, 4503599627370495.5]
        for k in 0..<2_000 {
            let tie = Double(k) + 0.5
            values += [tie, tie.nextUp, tie.nextDown, Double(k), Double(k).nextUp, Double(k).nextDown.magnitude]
        }
        var rng = Xoshiro256StarStar(seed: 12, stream: 3)
        for _ in 0..<50_000 { values.append(rng.uniform() * pow(2, Double(rng.index(53)))) }
        var wrong = 0
        for m in values where m < 0x1p52 && roundedHalfAwayToUInt(m) != UInt64(m.rounded()) { wrong += 1 }
        #expect(wrong == 0)
    }

    @Test func fixedDecimalsAroundTheEightDigitAndSevenDecimalLimits() {
        // Units just below and from 10^8 (two ways of writing digits) and 7 and 8 decimals, against
        // the plain split of `fixedDecimalsOfRandomValuesMatchAPlainIntegerSplit`.
        func plain(_ units: Int, _ d: Int) -> String {
            let p = Int(pow(10, Double(d)))
            let fraction = String(units.magnitude % UInt(p))
            return (units < 0 ? "-" : "") + String(units.magnitude / UInt(p)) + (d == 0 ? "" : "." + String(repeating: "0", count: d - fraction.count) + fraction)
        }
        for d in 0...9 {
            for units in [0, 1, 7, 99_999_999, 100_000_000, 100_000_001, 12_345_678, -99_999_999, -100_000_000, 10_000_000] {
                let v = Double(units) / pow(10, Double(d))
                #expect(Self.text { $0.field(v, decimals: d) } == plain(Int(roundedHalfAway(v * pow(10, Double(d)))), d), "\(units) units, \(d) decimals")
            }
        }
        #expect(Self.text { $0.field(99_999_999) } == "99999999")
        #expect(Self.text { $0.field(-100_000_000) } == "-100000000")
    }

    @Test func rowsWrittenIntoRoomReservedOnceEqualCheckedFields() {
        // Unchecked fields into room reserved once per row give the bytes of the checked ones, also
        // while the buffer grows (from 8 bytes) and with fields that check their own room between.
        let table = CSVFieldTable(["grocery", "", "travel"]), long = CSVFieldTable(["a text of more than sixteen bytes", "x"])
        #expect(table.room == 16 && long.room == 40)
        let checked = CSVBuffer(capacity: 8), reserved = CSVBuffer(capacity: 8)
        for i in 0..<3_000 {
            let v: Double = i % 11 == 0 ? .nan : (i % 13 == 0 ? 3e20 : Double(i) * 0.731 - 100)
            checked.withFormatter { w in
                w.field(i * 7919 - 5_000); w.field(v, decimals: i % 9); w.field(i % 3, of: table); w.field(i % 2, of: long)
                w.field("a,b"); w.emptyField(); w.endRow()
            }
            reserved.withFormatter { w in
                w.reserve(CSVFormatter.integerRoom + CSVFormatter.numberRoom + table.room + long.room + 1)
                w.uncheckedField(i * 7919 - 5_000); w.uncheckedField(v, decimals: i % 9); w.uncheckedField(i % 3, of: table)
                w.uncheckedField(i % 2, of: long); w.field("a,b"); w.uncheckedEmptyField(); w.endRow()
            }
        }
        #expect(checked.count > 50_000)
        #expect(Array(UnsafeBufferPointer(start: checked.bytes, count: checked.count)) == Array(UnsafeBufferPointer(start: reserved.bytes, count: reserved.count)))
    }

    @Test func encodedFieldTablesWriteWhatTextFieldsWrite() throws {
        // A table with a text of more than 16 bytes (copied word by word) and one without (two words each).
        let texts = ["grocery", "", "a,b", "say \"hi\"", "digital_goods_and_more_than_16_bytes", "x", "fifteen_bytes_x"]
        for table in [CSVFieldTable(texts), CSVFieldTable(texts.filter { $0.count < 16 })] {
            let viaTable = CSVBuffer(capacity: 8), viaText = CSVBuffer(capacity: 8)
            for k in [0, 2, 1, 4, 3, 5, 0, 6] where k < table.count {
                viaTable.withFormatter { $0.field(k, of: table) }
                viaText.field(table.count == texts.count ? texts[k] : texts.filter { $0.count < 16 }[k])
            }
            viaTable.endRow(); viaText.endRow()
            #expect(Array(UnsafeBufferPointer(start: viaTable.bytes, count: viaTable.count)) == Array(UnsafeBufferPointer(start: viaText.bytes, count: viaText.count)))
            #expect(Self.text { b in b.withFormatter { $0.field(3, of: table) } } == "\"say \"\"hi\"\"\"")
            #expect(table.twoWords == (table.count < texts.count))
        }
    }

    /// Rows of mixed fields (quoted text, integers, fixed decimals, NaN, infinities, huge values).
    static func writeRows(_ rows: Range<Int>, to b: CSVBuffer) {
        for i in rows {
            b.field(i * 7 - 50)
            b.field(i % 3 == 0 ? "a,b" : (i % 3 == 1 ? "say \"hi\"" : "plain"))
            let v: Double = i % 11 == 0 ? .nan : (i % 13 == 0 ? -.infinity : (i % 17 == 0 ? 3e20 : Double(i) * 0.37 - 9))
            b.field(v, decimals: i % 5)
            if i % 4 == 0 { b.emptyField() } else { b.field(-i) }
            b.endRow()
        }
    }

    @Test func slicesFormattedApartAndAppendedInOrderEqualOneWriter() throws {
        let dir = temporaryFolder()
        let one = try CSVWriter(path: dir + "/one.csv", header: ["i", "text", "x", "y"])
        for i in 0..<5_000 {
            one.field(i * 7 - 50)
            one.field(i % 3 == 0 ? "a,b" : (i % 3 == 1 ? "say \"hi\"" : "plain"))
            let v: Double = i % 11 == 0 ? .nan : (i % 13 == 0 ? -.infinity : (i % 17 == 0 ? 3e20 : Double(i) * 0.37 - 9))
            one.field(v, decimals: i % 5)
            if i % 4 == 0 { one.emptyField() } else { one.field(-i) }
            try one.endRow()
        }
        try one.finish()
        let sliced = try CSVWriter(path: dir + "/sliced.csv", header: ["i", "text", "x", "y"])
        for lo in stride(from: 0, to: 5_000, by: 1_234) {
            let b = CSVBuffer(capacity: 64)  // grows many times
            Self.writeRows(lo..<min(5_000, lo + 1_234), to: b)
            try sliced.append(b)
        }
        try sliced.finish()
        let a = try AtomicFile.read(dir + "/one.csv"), b = try AtomicFile.read(dir + "/sliced.csv")
        #expect(a == b)
        #expect(a.count > 100_000)
        let text = String(decoding: a, as: UTF8.self)
        #expect(text.contains("\n-43,\"say \"\"hi\"\"\",-8.6,-1\n"))  // row 1: quoted text, 1 decimal
        #expect(text.contains(",-inf,"))
    }
}

@Suite struct AtomicFileTests {
    @Test("reads refuse what is not a regular file, before opening it (a device never ends, a pipe may never deliver)")
    func readsOnlyRegularFiles() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: FileError(path: "/dev/null", reason: "is a device, pipe or socket, not a regular file; name a file")) {
            try AtomicFile.read("/dev/null")
        }
        #expect(throws: FileError(path: dir, reason: "is a folder, not a file; name a file")) { try AtomicFile.read(dir) }
        #expect(throws: FileError(path: dir + "/absent", reason: "file not found; check the path")) { try AtomicFile.read(dir + "/absent") }
        #expect(mkfifo(dir + "/pipe", 0o644) == 0)
        #expect(throws: FileError.self) { try AtomicFile.read(dir + "/pipe") }  // would block forever if opened
        #expect(throws: FileError(path: "/dev/zero", reason: "is a device, pipe or socket, not a regular file; name a CSV file")) {
            _ = try CSVReader(path: "/dev/zero")  // would read zeros until memory ran out
        }
    }

    @Test("text that is not UTF-8 is an error, not silently replaced")
    func readTextIsStrictUTF8() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write([0xFF, 0xFE, 0x20, 0x69], to: dir + "/bad.md")
        #expect(throws: FileError(path: dir + "/bad.md", reason: "is not UTF-8 text; save it as UTF-8")) { try AtomicFile.readText(dir + "/bad.md") }
        try AtomicFile.write("caf\u{E9} \u{1F4B3}\n", to: dir + "/good.md")
        #expect(try AtomicFile.readText(dir + "/good.md") == "caf\u{E9} \u{1F4B3}\n")
    }

    @Test("a write never replaces a pipe, a device or a folder; an empty path is an error")
    func writesOnlyOverRegularFiles() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/pipe", 0o644) == 0)
        #expect(throws: FileError.self) { try AtomicFile.write("x", to: dir + "/pipe") }
        var info = stat()
        #expect(stat(dir + "/pipe", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)  // still a pipe
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
        #expect(throws: FileError.self) { try AtomicFile.write("x", to: dir + "/sub") }
        #expect(throws: FileError.self) { try AtomicFile.write("x", to: "") }
        #expect(throws: FileError.self) { try AtomicFile.ensureDirectory("") }
        #expect(throws: FileError.self) { _ = try CSVWriter(path: dir + "/pipe", header: ["a"]) }
        #expect((try FileManager.default.contentsOfDirectory(atPath: dir)).sorted() == ["pipe", "sub"])  // no temp file left
    }

    @Test("stale temp files of dead processes are removed, a live process's are kept")
    func staleTemporaries() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["a.json.tmp-999999999", "b.csv.tmp-1", "c.json", "d.tmp-x", "e.json.tmp-\(getpid())"] {
            try AtomicFile.write("{", to: dir + "/" + name)
        }
        AtomicFile.removeStaleTemporaries(in: dir)
        // pid 1 is alive (init); 999999999 exceeds pid_max; our own are never in flight while this runs.
        #expect((try FileManager.default.contentsOfDirectory(atPath: dir)).sorted() == ["b.csv.tmp-1", "c.json", "d.tmp-x"])
        // Rewriting one file removes the temp a killed writer of that file left, and no other's.
        for name in ["x.csv.tmp-999999999", "y.csv.tmp-999999999"] { try AtomicFile.write("{", to: dir + "/" + name) }
        try AtomicFile.write("new", to: dir + "/x.csv")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(names.contains("x.csv") && !names.contains("x.csv.tmp-999999999") && names.contains("y.csv.tmp-999999999"))
    }
}
