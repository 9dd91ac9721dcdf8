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
/// In hot loops take `let r = reader.record` once per record and read its fields from `r`: it
/// reads the bytes in place (no String per field unless asked for one).
public final class CSVReader {
    public let path: String
    public private(set) var header: [String] = []
    /// The 1-based file line on which the current record starts (the header is line 1).
    public var line: Int { scanner.line }

    /// All mutable state in one struct, so a record is read under one exclusive access.
    private var scanner: CSVScanner

    /// Opens `path` and reads its header row. Only a regular file: the commands read some files
    /// twice (header, then rows), and a device such as `/dev/zero` never ends.
    public init(path: String) throws {
        self.path = path
        if let problem = AtomicFile.notRegularFile(path, missing: nil) { throw FileError(path: path, reason: problem + "; name a CSV file") }
        guard let fp = fopen(path, "rb") else {
            throw FileError(path: path, reason: "cannot open (\(String(cString: strerror(errno))))")
        }
        scanner = CSVScanner(file: fp)
        guard try scanner.readRecord(path: path) else { throw CSVError(path: path, line: 1, message: "the file is empty; expected a header row") }
        let r = record
        header = (0..<r.count).map { r.field($0) }
        if let bom = header.first, bom.hasPrefix("\u{FEFF}") { header[0] = String(bom.dropFirst()) }
        var seen = Set<String>()
        for name in header {
            if name.isEmpty { throw CSVError(path: path, line: 1, message: "the header has an empty column name") }
            if !seen.insert(name).inserted { throw CSVError(path: path, line: 1, message: "column '\(name)' appears twice in the header") }
        }
    }

    deinit { scanner.close() }

    /// Advances to the next record; false at the end of the file. Throws on a malformed record.
    public func next() throws -> Bool {
        guard try scanner.readRecord(path: path) else { return false }
        if scanner.fieldCount != header.count {
            throw CSVError(path: path, line: scanner.line, message: "expected \(header.count) fields as in the header, found \(scanner.fieldCount)")
        }
        return true
    }

    /// The current record's fields, read in place; valid until the next call to `next()`.
    public var record: CSVRecord {
        CSVRecord(base: scanner.recordBase, starts: scanner.fieldStarts, ends: scanner.fieldEnds, count: scanner.fieldCount, line: scanner.line)
    }

    public var fieldCount: Int { scanner.fieldCount }

    /// The text of field `i` of the current record.
    public func field(_ i: Int) -> String { record.field(i) }

    /// True where field `i` is empty (a missing value).
    public func isEmpty(_ i: Int) -> Bool { record.isEmpty(i) }

    /// Field `i` as a number: NaN where empty; nil where the text is not a number.
    public func double(_ i: Int) -> Double? { record.double(i) }
}

/// One CSV record's fields as bytes in the reader's buffer (valid until the reader moves on):
/// field i is `base[starts[i] ..< ends[i]]`, in place in the file's chunk for a plain record.
public struct CSVRecord {
    let base: UnsafePointer<UInt8>
    let starts: UnsafePointer<Int>
    let ends: UnsafePointer<Int>
    /// The number of fields.
    public let count: Int
    /// The 1-based file line on which the record starts.
    public let line: Int

    /// Field `i`'s bytes, unescaped.
    @inline(__always) public func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + starts[i], count: ends[i] - starts[i])
    }

    /// The text of field `i`.
    public func field(_ i: Int) -> String { String(decoding: bytes(i), as: UTF8.self) }

    /// True where field `i` is empty (a missing value).
    @inline(__always) public func isEmpty(_ i: Int) -> Bool { starts[i] == ends[i] }

    /// Field `i` as a number: NaN where empty; nil where the text is not a number.
    @inline(__always) public func double(_ i: Int) -> Double? { parseDouble(bytes(i)) }

    /// Does field `i` hold exactly `text`'s bytes?
    @inline(__always) public func equals(_ i: Int, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let b = bytes(i)
        return b.count == text.count && (b.count == 0 || memcmp(b.baseAddress!, text.baseAddress!, b.count) == 0)
    }
}

/// The reader's buffers and position (see `CSVReader`).
private struct CSVScanner {
    let file: UnsafeMutablePointer<FILE>
    let chunkCapacity = 1 << 20
    let chunk: UnsafeMutablePointer<UInt8>
    var chunkCount = 0
    var position = 0
    var atEOF = false
    var physicalLine = 1
    var line = 0
    /// A record that needed unescaping or spans two chunks: its field bytes, unescaped, back to back.
    var record: UnsafeMutablePointer<UInt8>
    var recordCapacity = 1 << 12
    var recordCount = 0
    /// Where the current record's fields are: `chunk` for a plain record (read in place), else `record`;
    /// field i is `recordBase[fieldStarts[i] ..< fieldEnds[i]]`.
    var recordBase: UnsafePointer<UInt8>
    var fieldStarts: UnsafeMutablePointer<Int>
    var fieldEnds: UnsafeMutablePointer<Int>
    var fieldCapacity = 64
    var fieldCount = 0
    /// Where the field being copied into `record` began.
    var fieldBegin = 0

    init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
        chunk = .allocate(capacity: chunkCapacity)
        record = .allocate(capacity: recordCapacity)
        recordBase = UnsafePointer(record)
        fieldStarts = .allocate(capacity: fieldCapacity)
        fieldEnds = .allocate(capacity: fieldCapacity)
    }

    func close() {
        fclose(file)
        chunk.deallocate(); record.deallocate(); fieldStarts.deallocate(); fieldEnds.deallocate()
    }

    mutating func fill() {
        if atEOF { chunkCount = 0; position = 0; return }
        chunkCount = fread(chunk, 1, chunkCapacity, file)
        position = 0
        if chunkCount == 0 { atEOF = true }
    }

    @inline(__always) mutating func peekByte() -> UInt8? {
        if position == chunkCount { fill(); if chunkCount == 0 { return nil } }
        return chunk[position]
    }

    @inline(__always) mutating func appendToRecord(_ b: UInt8) {
        if recordCount == recordCapacity { growRecord(recordCount + 1) }
        record[recordCount] = b
        recordCount += 1
    }

    /// Ends a field copied into `record` (it began at `fieldBegin`); the next begins where it ends.
    @inline(__always) mutating func endField() {
        addField(fieldBegin, recordCount)
        fieldBegin = recordCount
    }

    @inline(__always) mutating func addField(_ start: Int, _ end: Int) {
        if fieldCount == fieldCapacity { growFields() }
        fieldStarts[fieldCount] = start
        fieldEnds[fieldCount] = end
        fieldCount += 1
    }

    mutating func growFields() {
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: fieldCapacity * 2)
        let ends = UnsafeMutablePointer<Int>.allocate(capacity: fieldCapacity * 2)
        starts.update(from: fieldStarts, count: fieldCount); ends.update(from: fieldEnds, count: fieldCount)
        fieldStarts.deallocate(); fieldEnds.deallocate()
        fieldStarts = starts; fieldEnds = ends
        fieldCapacity *= 2
    }

    /// A plain record (no quote, no lone CR) whose line ends inside the chunk, split in place: its
    /// fields point into the chunk, nothing is copied. False, with nothing consumed, otherwise.
    @inline(__always) mutating func readPlainRecord() -> Bool {
        let start = chunk + position, left = chunkCount - position
        guard let found = memchr(start, 0x0A, left) else { return false }
        let length = found.assumingMemoryBound(to: UInt8.self) - start  // bytes before the LF
        var end = length
        if end > 0 && start[end - 1] == 0x0D { end -= 1 }
        if end > 0 && (memchr(start, 0x22, end) != nil || memchr(start, 0x0D, end) != nil) { return false }
        var begin = position, k = position
        let stop = position + end
        while k < stop {
            if chunk[k] == 0x2C { addField(begin, k); begin = k + 1 }
            k += 1
        }
        addField(begin, stop)
        recordBase = UnsafePointer(chunk)
        position += length + 1
        physicalLine += 1
        return true
    }

    mutating func readRecord(path: String) throws -> Bool {
        recordCount = 0
        fieldCount = 0
        fieldBegin = 0
        // Skip blank lines between records.
        while let b = peekByte(), b == 0x0A || b == 0x0D {
            position += 1
            if b == 0x0A { physicalLine += 1 }
        }
        guard peekByte() != nil else { return false }
        line = physicalLine
        if readPlainRecord() { return true }
        recordBase = UnsafePointer(record)
        var quoted = false, fieldStart = true, afterQuote = false
        while true {
            if position == chunkCount {
                fill()
                if chunkCount == 0 {
                    if quoted { throw CSVError(path: path, line: line, message: "a quoted field is never closed (missing '\"')") }
                    endField()
                    return true
                }
            }
            // Fast path: copy a run of plain bytes of an unquoted field in one go.
            if !quoted && !afterQuote {
                var end = position
                while end < chunkCount {
                    let c = chunk[end]
                    if c == 0x2C || c == 0x0A || c == 0x0D || c == 0x22 { break }
                    end += 1
                }
                let run = end - position
                if run > 0 {
                    if recordCount + run > recordCapacity { growRecord(recordCount + run) }
                    (record + recordCount).update(from: chunk + position, count: run)
                    recordCount += run
                    position = end
                    fieldStart = false
                    continue
                }
            }
            let b = chunk[position]
            position += 1
            if quoted {
                if b == 0x22 {
                    if peekByte() == 0x22 { position += 1; appendToRecord(0x22) } else { quoted = false; afterQuote = true }
                } else {
                    if b == 0x0A { physicalLine += 1 }
                    appendToRecord(b)
                }
                continue
            }
            switch b {
            case 0x2C:  // ,
                endField()
                fieldStart = true; afterQuote = false
            case 0x0A:
                physicalLine += 1
                endField()
                return true
            case 0x0D:
                if peekByte() == 0x0A { position += 1 }
                physicalLine += 1
                endField()
                return true
            case 0x22 where fieldStart:
                quoted = true; fieldStart = false
            default:
                if afterQuote {
                    throw CSVError(path: path, line: physicalLine, message: "unexpected text after a closing quote; quote the whole field and double inner quotes")
                }
                throw CSVError(path: path, line: physicalLine, message: "a '\"' inside an unquoted field; quote the field and write the quote as \"\"")
            }
        }
    }

    mutating func growRecord(_ needed: Int) {
        (record, recordCapacity) = grownBytes(record, capacity: recordCapacity, keeping: recordCount, needed: needed)
        recordBase = UnsafePointer(record)
    }
}

/// A byte buffer reallocated to at least twice `capacity` and at least `needed` bytes, its first
/// `keeping` bytes copied and the old one freed (the CSV scanner's record and `CSVBuffer`).
func grownBytes(_ old: UnsafeMutablePointer<UInt8>, capacity: Int, keeping: Int, needed: Int) -> (UnsafeMutablePointer<UInt8>, Int) {
    var c = capacity * 2
    while c < needed { c *= 2 }
    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
    bigger.update(from: old, count: keeping)
    old.deallocate()
    return (bigger, c)
}

/// Codes for the distinct texts of a categorical column, looked up from a field's bytes without
/// making a String (open addressing on an FNV-1a hash, byte comparison on a hit). New texts get
/// the next code, so codes follow first appearance after the seeded `levels`.
public struct CategoryInterner {
    public private(set) var levels: [String] = []
    private var storage: [UInt8] = []
    private var starts: [Int] = [0]
    private var slots: [Int32] = [Int32](repeating: -1, count: 64)

    public init(levels seed: [String] = []) {
        for l in seed { var t = l; _ = t.withUTF8 { code($0) } }
    }

    @inline(__always) private static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
        return h
    }

    /// The code of the text in `bytes`, added as a new level when unseen.
    public mutating func code(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: CategoryInterner.hash(bytes)) & mask
        while true {
            let c = slots[slot]
            if c < 0 { break }
            let a = starts[Int(c)], n = starts[Int(c) + 1] - a
            if n == bytes.count && storage.withUnsafeBufferPointer({ n == 0 || memcmp($0.baseAddress! + a, bytes.baseAddress!, n) == 0 }) {
                return c
            }
            slot = (slot + 1) & mask
        }
        let c = Int32(levels.count)
        levels.append(String(decoding: bytes, as: UTF8.self))
        storage.append(contentsOf: bytes)
        starts.append(storage.count)
        slots[slot] = c
        if 2 * levels.count > slots.count { rehash() }
        return c
    }

    private mutating func rehash() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        storage.withUnsafeBufferPointer { s in
            for c in 0..<levels.count {
                let b = UnsafeBufferPointer(rebasing: s[starts[c]..<starts[c + 1]])
                var slot = Int(truncatingIfNeeded: CategoryInterner.hash(b)) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(c)
            }
        }
    }
}

/// Parses ASCII decimal text as a Double: NaN for empty text; nil where it is not a number.
/// Plain decimals of up to 15 significant digits take an exact fast path (Clinger 1990);
/// everything else (exponents, long mantissas, nan, inf) goes through `strtod`, except
/// hexadecimal, which is not a number here (as in pandas).
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
    // Slow path: strtod on a NUL-terminated copy; the whole text must be consumed. Hexadecimal
    // ("0x10", "0x1p-1"), which strtod reads and pandas does not, is text (found by fuzzing).
    var text = [CChar](repeating: 0, count: n + 1)
    for k in 0..<n {
        if bytes[k] | 0x20 == 0x78 { return nil }  // 'x' or 'X'
        text[k] = CChar(bitPattern: bytes[k])
    }
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

/// 10^0 ... 10^22, every one exact in a double. Written out: a literal array is a static object,
/// read without the lazy initialisation check (`swift_once`) a computed global costs on every call.
private let powersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

/// RFC 4180 fields formatted into growable raw memory: the one place numbers and text become CSV
/// bytes. A value type with inlinable methods, so a row loop in another module (the simulator's
/// output) formats in registers: no call, no class access and no exclusivity check per field. Every
/// field is followed by a comma and `endRow()` turns the row's last one into the line break, so a
/// field needs no test for being the first. Owned by a `CSVBuffer`, which lends it out with
/// `CSVBuffer.withFormatter(_:)`; never copied while in use (it grows its memory in place).
public struct CSVFormatter {
    @usableFromInline var storage: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    /// Bytes formatted so far.
    @usableFromInline var used = 0
    /// Where the current row starts (a row with no field still gets its line break).
    @usableFromInline var rowStart = 0
    /// Shared read-only tables: "00" ... "99" as 2-byte units, 10^k as Double (k = 0...15) and as
    /// UInt64 (k = 0...19).
    @usableFromInline let digitPairs: UnsafePointer<UInt16>
    @usableFromInline let scales: UnsafePointer<Double>
    @usableFromInline let powers: UnsafePointer<UInt64>

    /// Bytes formatted so far (a row in progress ends in its trailing comma until `endRow()`).
    @inlinable public var count: Int { used }

    init(capacity: Int) {
        self.capacity = Swift.max(64, capacity)
        storage = .allocate(capacity: self.capacity)
        (digitPairs, scales, powers) = CSVFormatter.tables
    }

    /// Built once per process and never written again or freed (hence nonisolated).
    nonisolated(unsafe) private static let tables: (UnsafePointer<UInt16>, UnsafePointer<Double>, UnsafePointer<UInt64>) = {
        let pairs = UnsafeMutablePointer<UInt16>.allocate(capacity: 100)
        for k in 0..<100 {
            let digits = [UInt8(0x30 + k / 10), UInt8(0x30 + k % 10)]
            pairs[k] = digits.withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) }  // in memory order
        }
        let scales = UnsafeMutablePointer<Double>.allocate(capacity: 16)
        for k in 0..<16 { scales[k] = powersOfTen[k] }
        let powers = UnsafeMutablePointer<UInt64>.allocate(capacity: 20)
        powers[0] = 1
        for k in 1..<20 { powers[k] = powers[k - 1] * 10 }
        return (UnsafePointer(pairs), UnsafePointer(scales), UnsafePointer(powers))
    }()

    func deallocate() { storage.deallocate() }

    /// Makes room for `k` more bytes.
    @inlinable @inline(__always) public mutating func reserve(_ k: Int) {
        if _slowPath(capacity &- used < k) { grow(k) }
    }

    @usableFromInline @inline(never) mutating func grow(_ k: Int) {
        (storage, capacity) = grownBytes(storage, capacity: capacity, keeping: used, needed: used &+ k)
    }

    @inlinable @inline(__always) mutating func comma() {
        storage[used] = 0x2C
        used &+= 1
    }

    /// A text field, quoted where it holds a comma, quote or line break.
    public mutating func field(_ text: String) {
        var t = text
        t.withUTF8 { field(utf8: $0) }
    }

    /// A text field given as UTF-8 bytes (no String on the way), quoted where needed.
    public mutating func field(utf8 b: UnsafeBufferPointer<UInt8>) {
        reserve(2 &* b.count &+ 3)
        if !b.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
            if let source = b.baseAddress { (storage + used).update(from: source, count: b.count) }
            used &+= b.count
        } else {
            storage[used] = 0x22; used &+= 1
            for c in b {
                if c == 0x22 { storage[used] = 0x22; used &+= 1 }
                storage[used] = c; used &+= 1
            }
            storage[used] = 0x22; used &+= 1
        }
        comma()
    }

    /// Text k of `table`, encoded there once: two 8-byte copies where every text of the table fits
    /// in two words (level names), else one copy per word.
    @inlinable @inline(__always) public mutating func field(_ k: Int, of table: CSVFieldTable) {
        reserve(table.room)
        uncheckedField(k, of: table)
    }

    /// An empty field (a missing value).
    @inlinable @inline(__always) public mutating func emptyField() {
        reserve(1)
        uncheckedEmptyField()
    }

    /// An integer field.
    @inlinable @inline(__always) public mutating func field(_ value: Int) {
        reserve(CSVFormatter.integerRoom)
        uncheckedField(value)
    }

    /// A number with a fixed count of decimals (at most 15), rounded half away from zero, no
    /// exponent; NaN is written as an empty field (missing), infinities as inf and -inf, and
    /// magnitudes of 9e15 units and more with `description`.
    @inlinable @inline(__always) public mutating func field(_ value: Double, decimals: Int) {
        reserve(CSVFormatter.numberRoom)
        uncheckedField(value, decimals: decimals)
    }

    /// A number in the shortest text that reads back as exactly `value` (`JSON.format`'s: integers
    /// without a fraction, else Swift's round-trip form); NaN as an empty field, infinities as inf and -inf.
    public mutating func field(shortest value: Double) {
        if value.isNaN { emptyField() } else { field(value.isInfinite ? (value < 0 ? "-inf" : "inf") : JSON.format(value)) }
    }

    /// Room an integer field and a number field may take, comma and the bytes its 8-byte stores
    /// write past it included; a field table's is `CSVFieldTable.room`. A row loop can `reserve`
    /// the sum for a whole row once and write its fields with the `unchecked` methods below,
    /// which are the checked ones without their own `reserve` (a check per field less).
    public static let integerRoom = 24, numberRoom = 48

    /// `field(_:of:)` with room reserved (`table.room`).
    @inlinable @inline(__always) public mutating func uncheckedField(_ k: Int, of table: CSVFieldTable) {
        let first = table.starts[k]
        let target = UnsafeMutableRawPointer(storage + used)
        if _fastPath(table.twoWords) {
            target.storeBytes(of: table.words[first], as: UInt64.self)
            target.storeBytes(of: table.words[first &+ 1], toByteOffset: 8, as: UInt64.self)
        } else {
            for w in 0..<(table.starts[k &+ 1] &- first) { target.storeBytes(of: table.words[first &+ w], toByteOffset: 8 &* w, as: UInt64.self) }
        }
        used &+= table.counts[k]
    }

    /// `emptyField()` with room reserved (1 byte).
    @inlinable @inline(__always) public mutating func uncheckedEmptyField() {
        comma()
    }

    /// `field(_:)` for an integer, with room reserved (`integerRoom`).
    @inlinable @inline(__always) public mutating func uncheckedField(_ value: Int) {
        if value < 0 { storage[used] = 0x2D; used &+= 1 }
        appendInteger(UInt64(value.magnitude))
        comma()
    }

    /// `field(_:decimals:)` with room reserved (`numberRoom`).
    @inlinable @inline(__always) public mutating func uncheckedField(_ value: Double, decimals: Int) {
        let d = Swift.min(Swift.max(decimals, 0), 15)
        let scaled = value * scales[d], magnitude = Swift.abs(scaled)
        if _fastPath(magnitude < 0x1p52) {
            let units = roundedHalfAwayToUInt(magnitude)
            if scaled < 0 && units != 0 { storage[used] = 0x2D; used &+= 1 }
            if d == 0 { appendInteger(units) } else { appendFixed(units, decimals: d) }
        } else {
            appendLarge(value, decimals: d)  // also NaN: NaN < x is false
        }
        comma()
    }

    /// Ends the current row.
    @inlinable @inline(__always) public mutating func endRow() {
        if used > rowStart {
            storage[used &- 1] = 0x0A  // the last field's comma
        } else {
            reserve(1)
            storage[used] = 0x0A; used &+= 1
        }
        rowStart = used
    }

    /// Forgets the bytes (keeps the memory).
    mutating func removeAll() { used = 0; rowStart = 0 }

    /// True when fields have been written since the last `endRow()`.
    public var rowIsOpen: Bool { used > rowStart }

    /// Decimal digits of v (1 for 0): floor(log2(v) + 1) · log10(2) by a multiply, then one comparison
    /// with the power of ten it may have missed.
    @inlinable @inline(__always) func digitCount(_ v: UInt64) -> Int {
        let x = v | 1  // the same count, and 1 for 0
        let guess = ((64 &- x.leadingZeroBitCount) &* 1233) >> 12
        return guess &+ (x >= powers[guess] ? 1 : 0)
    }

    /// The digits of v (one byte for the many single digits: flags, counts).
    @inlinable @inline(__always) mutating func appendInteger(_ v: UInt64) {
        if v < 10 {
            storage[used] = UInt8(truncatingIfNeeded: v) &+ 0x30
            used &+= 1
        } else if _fastPath(v < 100_000_000) {
            appendShort(v, decimals: 0)
        } else {
            appendLong(v, decimals: 0)
        }
    }

    /// `units` / 10^decimals as digits, a point and exactly `decimals` digits (at least one digit
    /// before the point).
    @inlinable @inline(__always) mutating func appendFixed(_ units: UInt64, decimals: Int) {
        if _fastPath(units < 100_000_000 && decimals < 8) { appendShort(units, decimals: decimals) } else { appendLong(units, decimals: decimals) }
    }

    /// `units` < 10^8 with `decimals` < 8 (0: no point), from its eight digits converted at once
    /// (`eightDigits`): two 8-byte stores, the first of the digits without their leading zeros
    /// (but `decimals` + 1 digits at least), the second of the point and the last `decimals` digits
    /// one place further on. Bytes past the number are left over and later overwritten (room: 16
    /// bytes from `used`, 17 from the field's start with a sign, within `integerRoom`).
    @inlinable @inline(__always) mutating func appendShort(_ units: UInt64, decimals d: Int) {
        let digits = CSVFormatter.eightDigits(units)
        let significant = 8 &- (digits.trailingZeroBitCount &>> 3)  // 0 for 0
        let n = Swift.max(significant, d &+ 1)
        let text = digits | 0x3030_3030_3030_3030
        let target = UnsafeMutableRawPointer(storage + used)
        target.storeBytes(of: (text &>> UInt64(8 &* (8 &- n))).littleEndian, as: UInt64.self)
        // 0 decimals: the shift (64) is masked to 0 and the bytes stored past the number are left over.
        let fraction = (text &>> UInt64(8 &* (8 &- d))) &<< 8 | 0x2E
        target.storeBytes(of: fraction.littleEndian, toByteOffset: n &- d, as: UInt64.self)
        used &+= n &+ (d > 0 ? 1 : 0)
    }

    /// The eight decimal digits of v < 10^8, zero-padded, one per byte (0...9, not yet text),
    /// the most significant in the lowest byte (first in memory on a little-endian store): v is
    /// split in two 4-digit halves in 32-bit lanes, each into two 2-digit halves in 16-bit lanes,
    /// each into two digits in bytes, all lanes divided at once by exact multiply-shifts
    /// (x · 10486 >> 20 = x / 100 for x < 10^4, x · 103 >> 10 = x / 10 for x < 100; no lane
    /// overflows into the next).
    @inlinable @inline(__always) static func eightDigits(_ v: UInt64) -> UInt64 {
        let high = v / 10_000
        var x = high | ((v &- high &* 10_000) &<< 32)
        let hundreds = ((x &* 10_486) &>> 20) & 0x0000_007F_0000_007F
        x = hundreds | ((x &- hundreds &* 100) &<< 16)
        let tens = ((x &* 103) &>> 10) & 0x000F_000F_000F_000F
        return tens | ((x &- tens &* 10) &<< 8)
    }

    /// `units` of 10^8 and more, or 8 to 15 decimals (rare): the digits two at a time from the
    /// right, each written once in its place.
    @usableFromInline @inline(never) mutating func appendLong(_ units: UInt64, decimals: Int) {
        let n = Swift.max(digitCount(units), decimals &+ 1), point = used &+ n &- decimals
        if decimals == 0 {
            _ = writeDigits(units, count: n, endingAt: used &+ n)
            used &+= n
            return
        }
        let whole = writeDigits(units, count: decimals, endingAt: point &+ 1 &+ decimals)
        storage[point] = 0x2E
        _ = writeDigits(whole, count: n &- decimals, endingAt: point)
        used &+= n &+ 1
    }

    /// `field(_:decimals:)` for 2^52 units and more, NaN and infinities: below 9e15 units the
    /// scaled value is an integer already (every double from 2^52 up is), the rest `appendUnusual`.
    @usableFromInline @inline(never) mutating func appendLarge(_ value: Double, decimals d: Int) {
        let scaled = value * scales[d]
        if Swift.abs(scaled) < 9.0e15 {
            if scaled < 0 { storage[used] = 0x2D; used &+= 1 }
            appendLong(UInt64(Swift.abs(scaled)), decimals: d)
        } else {
            appendUnusual(value)
        }
    }

    /// Writes the last `count` decimal digits of `value` (zero-padded) into the bytes just before
    /// `end`, two at a time from the right; returns value / 10^count.
    @inlinable @inline(__always) func writeDigits(_ value: UInt64, count: Int, endingAt end: Int) -> UInt64 {
        var v = value, e = end
        let start = end &- count
        while e &- start >= 2 {
            let (q, r) = v.quotientAndRemainder(dividingBy: 100)
            v = q
            e &-= 2
            UnsafeMutableRawPointer(storage + e).storeBytes(of: digitPairs[Int(truncatingIfNeeded: r)], as: UInt16.self)
        }
        if e > start {
            let (q, r) = v.quotientAndRemainder(dividingBy: 10)
            v = q
            storage[start] = UInt8(truncatingIfNeeded: r) &+ 0x30
        }
        return v
    }

    /// NaN (nothing), infinities and magnitudes too large for the fixed form.
    @usableFromInline mutating func appendUnusual(_ value: Double) {
        if value.isNaN { return }
        let text = value.isInfinite ? (value < 0 ? "-inf" : "inf") : value.description
        reserve(text.utf8.count + 1)
        for b in text.utf8 { storage[used] = b; used &+= 1 }
    }
}

/// Texts encoded once as CSV fields (quoted where needed, comma included), each padded to whole
/// 8-byte words, so `CSVFormatter.field(_:of:)` writes one with a few word copies and no scan:
/// for texts repeated on many rows (category level names). Immutable after init.
public final class CSVFieldTable: @unchecked Sendable {
    /// Text k is `counts[k]` bytes in words `starts[k] ..< starts[k + 1]`.
    @usableFromInline let words: UnsafeMutablePointer<UInt64>
    @usableFromInline let starts: UnsafeMutablePointer<Int>
    @usableFromInline let counts: UnsafeMutablePointer<Int>
    /// True when every text fits in 16 bytes: each then has exactly two words, copied without a loop.
    @usableFromInline let twoWords: Bool
    /// Bytes a field of the table may take in a `CSVFormatter` (its longest text in whole words).
    public let room: Int
    public let count: Int

    public init(_ texts: [String]) {
        let encoded = texts.map { text -> [UInt8] in
            let buffer = CSVBuffer(capacity: 2 * text.utf8.count + 3)
            buffer.field(text)
            return Array(UnsafeBufferPointer(start: buffer.bytes, count: buffer.count))
        }
        count = texts.count
        twoWords = encoded.allSatisfy { $0.count <= 16 }
        starts = .allocate(capacity: count + 1)
        counts = .allocate(capacity: Swift.max(1, count))
        starts[0] = 0
        for (k, e) in encoded.enumerated() { counts[k] = e.count; starts[k + 1] = starts[k] + (twoWords ? 2 : (e.count + 7) / 8) }
        var longest = 1
        for k in 0..<count { longest = Swift.max(longest, starts[k + 1] - starts[k]) }
        room = 8 * longest
        words = .allocate(capacity: Swift.max(1, starts[count]))
        words.initialize(repeating: 0, count: Swift.max(1, starts[count]))
        let bytes = UnsafeMutableRawPointer(words)
        for (k, e) in encoded.enumerated() { bytes.advanced(by: 8 * starts[k]).copyMemory(from: e, byteCount: e.count) }
    }

    deinit { words.deallocate(); starts.deallocate(); counts.deallocate() }
}

/// RFC 4180 rows formatted into memory by its `CSVFormatter`. A `CSVWriter` formats through one
/// and flushes it to its file; rows can also be formatted into several buffers in parallel and
/// appended to a writer in order (`CSVWriter.append(_:)`), which gives the same bytes as writing
/// them one by one. A buffer belongs to one task at a time.
public final class CSVBuffer: @unchecked Sendable {
    /// Unchecked: a buffer belongs to one task at a time and no method lends the formatter while
    /// another holds it, so the run-time exclusivity check each per-field call would pay (a third of
    /// `CSVWriter`'s time per field) guards nothing.
    @exclusivity(unchecked) @usableFromInline var formatter: CSVFormatter

    /// A buffer expecting about `capacity` bytes (it grows as needed).
    public init(capacity: Int = 1 << 16) {
        formatter = CSVFormatter(capacity: capacity)
    }

    deinit { formatter.deallocate() }

    /// The formatted bytes (`count` of them).
    var bytes: UnsafeMutablePointer<UInt8> { formatter.storage }
    public var count: Int { formatter.used }

    /// Lends the formatter to `body` (one access for a whole loop of rows, formatted inline); the
    /// body must not use this buffer's own methods meanwhile. It works on a local copy, put back
    /// after: inlined into the caller's row loop, the copy's position and capacity stay in
    /// registers (in the object, every byte stored through `storage` could change them, so each
    /// field would reload them).
    @inlinable public func withFormatter<R>(_ body: (inout CSVFormatter) throws -> R) rethrows -> R {
        var local = formatter
        defer { formatter = local }
        return try body(&local)
    }

    /// Forgets the bytes (keeps the memory).
    public func removeAll() { formatter.removeAll() }

    /// A text field, quoted where it holds a comma, quote or line break.
    public func field(_ text: String) { formatter.field(text) }

    /// A text field given as UTF-8 bytes (no String on the way), quoted where needed.
    public func field(utf8 b: UnsafeBufferPointer<UInt8>) { formatter.field(utf8: b) }

    /// An empty field (a missing value).
    public func emptyField() { formatter.emptyField() }

    /// An integer field.
    public func field(_ value: Int) { formatter.field(value) }

    /// A number with a fixed count of decimals (at most 15); NaN is written as an empty field (missing).
    public func field(_ value: Double, decimals: Int) { formatter.field(value, decimals: decimals) }

    /// A number in the shortest text that reads back as exactly the value; NaN as an empty field.
    public func field(shortest value: Double) { formatter.field(shortest: value) }

    /// Ends the current row.
    public func endRow() { formatter.endRow() }

    /// True when fields have been written since the last `endRow()`.
    public var rowIsOpen: Bool { formatter.rowIsOpen }
}

/// A buffered RFC 4180 writer that writes to a temporary file and renames it into place on
/// `finish()` (after `fsync`: `AtomicFile`); a writer dropped without `finish()` removes its
/// temporary file. Rows are formatted by a `CSVBuffer` and flushed every megabyte; after 1, 2, 4
/// and then every 8 MB a background `fdatasync` makes them durable (`BackgroundSync`), so the disk
/// works from the start while rows are formatted and `finish()`'s `fsync` does not wait for the
/// whole file.
/// Unchecked `Sendable`, like `CSVBuffer`: a writer belongs to one task at a time (it may move
/// between threads, as `Parallel.forEachInOrder` moves it).
public final class CSVWriter: @unchecked Sendable {
    public let path: String
    private let temporary: String
    private var file: UnsafeMutablePointer<FILE>?
    private let flushSize = 1 << 20
    private let rows = CSVBuffer(capacity: (1 << 20) + 4096)
    private var failed = false
    /// Bytes handed to the file so far, and how many of them a background sync was asked for.
    private var written = 0, syncRequested = 0
    /// Bytes between background syncs: 1 MB at first, so the disk starts early, doubling to 8 MB,
    /// so that later syncs are few and large.
    private var syncStep = 1 << 20
    private let syncSize = 8 << 20
    private let background: BackgroundSync

    public init(path: String, header: [String]) throws {
        self.path = path
        temporary = try AtomicFile.temporaryPath(for: path)
        guard let fp = fopen(temporary, "wb") else {
            throw FileError(path: path, reason: "cannot write here (\(String(cString: strerror(errno)))); choose a writable folder")
        }
        file = fp
        background = BackgroundSync(fd: fileno(fp))
        for name in header { field(name) }
        try endRow()
    }

    deinit {
        if let fp = file { _ = background.finish(); fclose(fp); unlink(temporary) }
    }

    /// A text field, quoted where it holds a comma, quote or line break.
    public func field(_ text: String) { rows.field(text) }

    /// An empty field (a missing value).
    public func emptyField() { rows.emptyField() }

    /// An integer field.
    public func field(_ value: Int) { rows.field(value) }

    /// A number with a fixed count of decimals (at most 15); NaN is written as an empty field (missing).
    public func field(_ value: Double, decimals: Int) { rows.field(value, decimals: decimals) }

    /// A number in the shortest text that reads back as exactly the value; NaN as an empty field.
    public func field(shortest value: Double) { rows.field(shortest: value) }

    /// Ends the current row; flushes to disk every megabyte.
    public func endRow() throws {
        rows.endRow()
        if rows.count >= flushSize { flushBuffer() }
        if failed { throw FileError(path: path, reason: "write failed (disk full?)") }
    }

    /// Appends whole rows formatted elsewhere (after this writer's own rows so far).
    public func append(_ formatted: CSVBuffer) throws {
        flushBuffer()
        if let fp = file, formatted.count > 0 {
            if fwrite(formatted.bytes, 1, formatted.count, fp) != formatted.count { failed = true }
            wrote(formatted.count, to: fp)
        }
        if failed { throw FileError(path: path, reason: "write failed (disk full?)") }
    }

    /// Hands the finished rows to the kernel and queues their background sync without waiting for
    /// it (nothing while a row is open). Call it on each of several writers before their
    /// `finish()`: their last bytes then go to the disk together, not one file's after another's.
    public func startFinishing() {
        guard !rows.rowIsOpen else { return }
        flushBuffer()
        guard let fp = file, written > syncRequested, fflush(fp) == 0 else { return }
        background.request()
        syncRequested = written
    }

    /// Ends a row left open, flushes, closes and renames the file into place.
    public func finish() throws {
        if rows.rowIsOpen { rows.endRow() }
        flushBuffer()
        guard let fp = file else { return }
        file = nil
        let synced = background.finish() && AtomicFile.makeDurable(fp)
        if fclose(fp) != 0 || !synced || failed { unlink(temporary); throw FileError(path: path, reason: "write failed (disk full?)") }
        try AtomicFile.commit(temporary, to: path)
    }

    private func flushBuffer() {
        guard let fp = file, rows.count > 0 else { return }
        if fwrite(rows.bytes, 1, rows.count, fp) != rows.count { failed = true }
        wrote(rows.count, to: fp)
        rows.removeAll()
    }

    /// Counts `count` bytes written; past `syncSize` new bytes, flushes them to the kernel and asks
    /// the background sync to make them durable.
    private func wrote(_ count: Int, to fp: UnsafeMutablePointer<FILE>) {
        written += count
        guard written - syncRequested >= syncStep, fflush(fp) == 0 else { return }
        background.request()
        syncRequested = written
        syncStep = Swift.min(syncSize, 2 * syncStep)
    }
}

/// `UInt64(m.rounded())` (half away from zero) for 0 <= m < 2^52, without `UInt64(_:)`'s range
/// and finiteness checks or a truncation: m + 2^52 lies where doubles are whole numbers, so the
/// addition rounds m to the nearest integer (ties to even), whose bits are those of 2^52 plus it;
/// m minus that integer is exact and reaches 0.5 only at a tie rounded down to even, which half
/// away from zero rounds up (the one test left is almost never true, so it predicts well, unlike
/// whether a scaled decimal's fraction reaches 0.5).
@inlinable @inline(__always)
public func roundedHalfAwayToUInt(_ m: Double) -> UInt64 {
    let shifted = m + 0x1p52
    let nearest = shifted - 0x1p52
    return (shifted.bitPattern &- (0x1p52 as Double).bitPattern) &+ (m - nearest >= 0.5 ? 1 : 0)
}

/// `v.rounded()` (half away from zero) without the library call or a branch on the fraction, bit
/// for bit: for |v| < 2^52 the fraction v - trunc(v) is exact, and doubled and truncated it is -1, 0
/// or 1 (whether a scaled value rounds up is a coin flip a branch would mispredict half the
/// time); a zero keeps the sign of v, like round(-0.3) = -0.0. NaN and larger values use
/// `rounded()`. Used where numbers are rounded per row (the simulator's
/// features, the output's grid check).
@inlinable @inline(__always)
public func roundedHalfAway(_ v: Double) -> Double {
    guard Swift.abs(v) < 0x1p52 else { return v.rounded() }
    let t = Int64(v)
    return Double(signOf: v, magnitudeOf: Double(t &+ Int64((v - Double(t)) * 2)))
}

