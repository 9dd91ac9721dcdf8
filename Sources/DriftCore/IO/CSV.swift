import Foundation

/// A malformed CSV file: names the file, the 1-based line and what is wrong.
public struct CSVError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let line: Int
    public let message: String
    public init(path: String, line: Int, message: String) {
        self.path = path; self.line = line; self.message = message
    }
    public var description: String { "\(path):\(line): \(message)" }
}

/// A streaming RFC 4180 reader: header row, `,` separator, `"` quoting with `""` escapes, fields
/// that span lines, LF or CRLF endings. Reads 1 MiB at a time; memory is one record, not the file.
///
/// Usage: `while try reader.next() { let x = reader.double(3) }`. `line` is the record's first line.
public final class CSVReader {
    public let path: String
    public private(set) var header: [String] = []
    /// The 1-based file line on which the current record starts (the header is line 1).
    public private(set) var line: Int = 0

    private let file: UnsafeMutablePointer<FILE>
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var bufferCount = 0
    private var position = 0
    private var atEOF = false
    private var physicalLine = 1
    private var record: [UInt8] = []
    private var fieldEnds: [Int] = []

    /// Opens `path` and reads its header row.
    public init(path: String) throws {
        self.path = path
        guard let fp = fopen(path, "rb") else {
            throw FileError(path: path, reason: "cannot open (\(String(cString: strerror(errno))))")
        }
        file = fp
        guard try readRecord() else { throw CSVError(path: path, line: 1, message: "the file is empty; expected a header row") }
        header = (0..<fieldEnds.count).map { field($0) }
        if let bom = header.first, bom.hasPrefix("\u{FEFF}") { header[0] = String(bom.dropFirst()) }
        var seen = Set<String>()
        for name in header {
            if name.isEmpty { throw CSVError(path: path, line: 1, message: "the header has an empty column name") }
            if !seen.insert(name).inserted { throw CSVError(path: path, line: 1, message: "column '\(name)' appears twice in the header") }
        }
    }

    deinit { fclose(file) }

    /// Advances to the next record; false at the end of the file. Throws on a malformed record.
    public func next() throws -> Bool {
        guard try readRecord() else { return false }
        if fieldEnds.count != header.count {
            throw CSVError(path: path, line: line, message: "expected \(header.count) fields as in the header, found \(fieldEnds.count)")
        }
        return true
    }

    public var fieldCount: Int { fieldEnds.count }

    /// The text of field `i` of the current record.
    public func field(_ i: Int) -> String {
        let start = i == 0 ? 0 : fieldEnds[i - 1]
        return record.withUnsafeBufferPointer { String(decoding: $0[start..<fieldEnds[i]], as: UTF8.self) }
    }

    /// True where field `i` is empty (a missing value).
    public func isEmpty(_ i: Int) -> Bool { (i == 0 ? 0 : fieldEnds[i - 1]) == fieldEnds[i] }

    /// Field `i` as a number: NaN where empty; nil where the text is not a number.
    public func double(_ i: Int) -> Double? {
        let start = i == 0 ? 0 : fieldEnds[i - 1]
        return record.withUnsafeBufferPointer { parseDouble(UnsafeBufferPointer(rebasing: $0[start..<fieldEnds[i]])) }
    }

    // MARK: parsing

    private func fill() {
        if atEOF { bufferCount = 0; position = 0; return }
        bufferCount = buffer.withUnsafeMutableBufferPointer { fread($0.baseAddress, 1, $0.count, file) }
        position = 0
        if bufferCount == 0 { atEOF = true }
    }

    @inline(__always) private func nextByte() -> UInt8? {
        if position == bufferCount { fill(); if bufferCount == 0 { return nil } }
        let b = buffer[position]
        position += 1
        return b
    }

    @inline(__always) private func peekByte() -> UInt8? {
        if position == bufferCount { fill(); if bufferCount == 0 { return nil } }
        return buffer[position]
    }

    private func readRecord() throws -> Bool {
        record.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        // Skip blank lines between records.
        while let b = peekByte(), b == 0x0A || b == 0x0D {
            _ = nextByte()
            if b == 0x0A { physicalLine += 1 }
        }
        guard peekByte() != nil else { return false }
        line = physicalLine
        var quoted = false, fieldStart = true, afterQuote = false
        while true {
            guard let b = nextByte() else {
                if quoted { throw CSVError(path: path, line: line, message: "a quoted field is never closed (missing '\"')") }
                fieldEnds.append(record.count)
                return true
            }
            if quoted {
                if b == 0x22 {
                    if peekByte() == 0x22 { _ = nextByte(); record.append(0x22) } else { quoted = false; afterQuote = true }
                } else {
                    if b == 0x0A { physicalLine += 1 }
                    record.append(b)
                }
                continue
            }
            switch b {
            case 0x2C:  // ,
                fieldEnds.append(record.count)
                fieldStart = true; afterQuote = false
            case 0x0A:
                physicalLine += 1
                fieldEnds.append(record.count)
                return true
            case 0x0D:
                if peekByte() == 0x0A { _ = nextByte() }
                physicalLine += 1
                fieldEnds.append(record.count)
                return true
            case 0x22 where fieldStart:
                quoted = true; fieldStart = false
            default:
                if afterQuote {
                    throw CSVError(path: path, line: physicalLine, message: "unexpected text after a closing quote; quote the whole field and double inner quotes")
                }
                if b == 0x22 {
                    throw CSVError(path: path, line: physicalLine, message: "a '\"' inside an unquoted field; quote the field and write the quote as \"\"")
                }
                fieldStart = false
                record.append(b)
            }
        }
    }
}

/// Parses ASCII decimal text as a Double: NaN for empty text; nil where it is not a number.
/// Plain decimals of up to 15 significant digits take an exact fast path (Clinger 1990);
/// everything else (exponents, long mantissas, nan, inf) goes through `strtod`.
public func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    let n = bytes.count
    if n == 0 { return .nan }
    var i = 0
    var negative = false
    if bytes[0] == 0x2D { negative = true; i = 1 } else if bytes[0] == 0x2B { i = 1 }
    var mantissa: UInt64 = 0, digits = 0, fraction = 0, sawDot = false, simple = i < n
    while i < n {
        let c = bytes[i]
        if c >= 0x30 && c <= 0x39 {
            if digits > 0 || c != 0x30 { digits += 1 }
            mantissa = mantissa &* 10 &+ UInt64(c - 0x30)
            if sawDot { fraction += 1 }
        } else if c == 0x2E && !sawDot {
            sawDot = true
        } else { simple = false; break }
        i += 1
    }
    if simple && digits <= 15 && fraction <= 22 && !(sawDot && i == (negative ? 2 : 1)) {
        let value = Double(mantissa) / powersOfTen[fraction]
        return negative ? -value : value
    }
    // Slow path: strtod on a NUL-terminated copy; the whole text must be consumed.
    var text = [CChar](repeating: 0, count: n + 1)
    for k in 0..<n { text[k] = CChar(bitPattern: bytes[k]) }
    return text.withUnsafeBufferPointer { p -> Double? in
        var end: UnsafeMutablePointer<CChar>? = nil
        let v = strtod(p.baseAddress!, &end)
        guard let e = end, e - UnsafeMutablePointer(mutating: p.baseAddress!) == n else { return nil }
        return v
    }
}

/// Parses a Swift string as a Double (see `parseDouble(_:)` on bytes).
public func parseDouble(_ text: String) -> Double? {
    var t = text
    return t.withUTF8 { parseDouble($0) }
}

private let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { r, _ in r * 10 } }

/// A buffered RFC 4180 writer that writes to a temporary file and renames it into place on
/// `finish()`; a writer dropped without `finish()` removes its temporary file.
public final class CSVWriter {
    public let path: String
    private let temporary: String
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []
    private var fieldsInRow = 0

    public init(path: String, header: [String]) throws {
        self.path = path
        temporary = try AtomicFile.temporaryPath(for: path)
        guard let fp = fopen(temporary, "wb") else {
            throw FileError(path: path, reason: "cannot write here (\(String(cString: strerror(errno)))); choose a writable folder")
        }
        file = fp
        buffer.reserveCapacity(1 << 20)
        for name in header { field(name) }
        try endRow()
    }

    deinit {
        if let fp = file { fclose(fp); unlink(temporary) }
    }

    @inline(__always) private func separator() {
        if fieldsInRow > 0 { buffer.append(0x2C) }
        fieldsInRow += 1
    }

    /// A text field, quoted where it holds a comma, quote or line break.
    public func field(_ text: String) {
        separator()
        let needsQuotes = text.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        if !needsQuotes { buffer.append(contentsOf: text.utf8); return }
        buffer.append(0x22)
        for b in text.utf8 {
            if b == 0x22 { buffer.append(0x22) }
            buffer.append(b)
        }
        buffer.append(0x22)
    }

    /// An empty field (a missing value).
    public func emptyField() { separator() }

    /// An integer field.
    public func field(_ value: Int) {
        separator()
        appendInteger(value)
    }

    /// A number with a fixed count of decimals; NaN is written as an empty field (missing).
    public func field(_ value: Double, decimals: Int) {
        separator()
        appendFixed(value, decimals: decimals)
    }

    /// Ends the current row; flushes to disk every megabyte.
    public func endRow() throws {
        buffer.append(0x0A)
        fieldsInRow = 0
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Flushes, closes and renames the file into place.
    public func finish() throws {
        try flush()
        guard let fp = file else { return }
        file = nil
        if fclose(fp) != 0 { unlink(temporary); throw FileError(path: path, reason: "write failed (disk full?)") }
        try AtomicFile.commit(temporary, to: path)
    }

    private func flush() throws {
        guard let fp = file, !buffer.isEmpty else { return }
        let written = buffer.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, fp) }
        if written != buffer.count { throw FileError(path: path, reason: "write failed (disk full?)") }
        buffer.removeAll(keepingCapacity: true)
    }

    private func appendInteger(_ value: Int) {
        if value < 0 { buffer.append(0x2D) }
        var v = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[count] = UInt8(v % 10) + 0x30; v /= 10; count += 1 } while v > 0
            while count > 0 { count -= 1; buffer.append(d[count]) }
        }
    }

    private func appendFixed(_ value: Double, decimals: Int) {
        if value.isNaN { return }
        if value.isInfinite { buffer.append(contentsOf: (value < 0 ? "-inf" : "inf").utf8); return }
        let scale = powersOfTen[min(decimals, 22)]
        let scaled = (value * scale).rounded()
        guard Swift.abs(scaled) < 9.0e15 else { buffer.append(contentsOf: value.description.utf8); return }
        var units = Int(scaled)
        if units < 0 { buffer.append(0x2D); units = -units }
        let whole = units / Int(scale), part = units % Int(scale)
        appendInteger(whole)
        if decimals > 0 {
            buffer.append(0x2E)
            var divisor = Int(scale) / 10
            var rest = part
            while divisor > 0 { buffer.append(UInt8(rest / divisor) + 0x30); rest %= divisor; divisor /= 10 }
        }
    }
}
