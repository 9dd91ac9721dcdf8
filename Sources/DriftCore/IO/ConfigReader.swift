/// A problem in a JSON configuration file (scenario, sweep, model, column map): names the file,
/// the JSON path of the field (`failures[2].severity`) and what to fix.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let path: String
    public let message: String
    public init(file: String, path: String, message: String) {
        self.file = file; self.path = path; self.message = message
    }
    public var description: String {
        path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)"
    }
}

/// Reads the members of one JSON object with path-aware errors and remembers which keys were
/// read, so `finish()` can reject unknown keys with a did-you-mean hint.
public struct ConfigReader {
    public let file: String
    public let path: String
    public let members: [(String, JSON)]
    private var used: Set<String> = []

    /// Fails unless `value` is an object.
    public init(_ value: JSON, file: String, path: String) throws {
        guard case .object(let m) = value else {
            throw ConfigError(file: file, path: path, message: "expected an object, found \(value.typeName)")
        }
        self.file = file; self.path = path; members = m
    }

    public func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func error(_ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, path: fieldPath(key), message: message)
    }

    /// Whether `key` is given: present and not null (a null member reads as absent, as in `value`).
    /// It does not mark the key read: a key only tested here is still unknown to `finish()`.
    public func has(_ key: String) -> Bool {
        members.contains { key == $0.0 && { if case .null = $0 { return false }; return true }($0.1) }
    }

    /// The raw value of `key` (marks it used); nil when absent or null.
    public mutating func value(_ key: String) -> JSON? {
        used.insert(key)
        guard let v = members.first(where: { $0.0 == key })?.1 else { return nil }
        if case .null = v { return nil }
        return v
    }

    public mutating func double(_ key: String, default fallback: Double? = nil,
                                in range: ClosedRange<Double>? = nil) throws -> Double {
        guard let v = value(key) else {
            if let f = fallback { return f }
            throw error(key, "is required; add a number")
        }
        guard let d = v.doubleValue else { throw error(key, "expected a number, found \(v.typeName)") }
        if let r = range, !r.contains(d) {
            throw error(key, "must be in [\(JSON.format(r.lowerBound)), \(JSON.format(r.upperBound))]; got \(JSON.format(d))")
        }
        return d
    }

    public mutating func optionalDouble(_ key: String, in range: ClosedRange<Double>? = nil) throws -> Double? {
        guard has(key), value(key) != nil else { used.insert(key); return nil }
        return try double(key, in: range)
    }

    public mutating func int(_ key: String, default fallback: Int? = nil, in range: ClosedRange<Int>? = nil) throws -> Int {
        guard let v = value(key) else {
            if let f = fallback { return f }
            throw error(key, "is required; add a whole number")
        }
        guard let d = v.doubleValue else { throw error(key, "expected a whole number, found \(v.typeName)") }
        // Up to 2^53 every whole number is exact in a double (and fits an Int).
        guard d == d.rounded(), Swift.abs(d) <= 9_007_199_254_740_992 else { throw error(key, "expected a whole number, got \(JSON.format(d))") }
        let i = Int(d)
        if let r = range, !r.contains(i) {
            throw error(key, "must be in [\(r.lowerBound), \(r.upperBound)]; got \(i)")
        }
        return i
    }

    public mutating func optionalInt(_ key: String, in range: ClosedRange<Int>? = nil) throws -> Int? {
        guard has(key), value(key) != nil else { used.insert(key); return nil }
        return try int(key, in: range)
    }

    /// A 64-bit seed: a whole number from 0 to 2^53 - 1 (JSON numbers are doubles: above it, two
    /// seeds could read as one).
    public mutating func seed(_ key: String, default fallback: UInt64? = nil) throws -> UInt64 {
        guard has(key), value(key) != nil else {
            if let f = fallback { used.insert(key); return f }
            throw error(key, "is required; add a whole number")
        }
        return UInt64(try int(key, in: 0...((1 << 53) - 1)))
    }

    public mutating func string(_ key: String, default fallback: String? = nil, oneOf choices: [String]? = nil) throws -> String {
        guard let v = value(key) else {
            if let f = fallback { return f }
            throw error(key, "is required; add a string")
        }
        guard let s = v.stringValue else { throw error(key, "expected a string, found \(v.typeName)") }
        if let choices, !choices.contains(s) {
            var message = "'\(s)' is not one of: \(choices.joined(separator: ", "))"
            if let guess = closestMatch(to: s, in: choices) { message += " (did you mean '\(guess)'?)" }
            throw error(key, message)
        }
        return s
    }

    public mutating func optionalString(_ key: String, oneOf choices: [String]? = nil) throws -> String? {
        guard has(key), value(key) != nil else { used.insert(key); return nil }
        return try string(key, oneOf: choices)
    }

    public mutating func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let v = value(key) else { return fallback }
        guard let b = v.boolValue else { throw error(key, "expected true or false, found \(v.typeName)") }
        return b
    }

    public mutating func array(_ key: String) throws -> [JSON]? {
        guard let v = value(key) else { return nil }
        guard let a = v.arrayValue else { throw error(key, "expected an array, found \(v.typeName)") }
        return a
    }

    public mutating func strings(_ key: String) throws -> [String]? {
        guard let items = try array(key) else { return nil }
        return try items.enumerated().map { k, item in
            guard let s = item.stringValue else {
                throw ConfigError(file: file, path: "\(fieldPath(key))[\(k)]", message: "expected a string, found \(item.typeName)")
            }
            return s
        }
    }

    public mutating func doubles(_ key: String, in range: ClosedRange<Double>? = nil) throws -> [Double]? {
        guard let items = try array(key) else { return nil }
        return try items.enumerated().map { k, item in
            guard let d = item.doubleValue else {
                throw ConfigError(file: file, path: "\(fieldPath(key))[\(k)]", message: "expected a number, found \(item.typeName)")
            }
            if let r = range, !r.contains(d) {
                throw ConfigError(file: file, path: "\(fieldPath(key))[\(k)]",
                                  message: "must be in [\(JSON.format(r.lowerBound)), \(JSON.format(r.upperBound))]; got \(JSON.format(d))")
            }
            return d
        }
    }

    /// The object at `key` as a nested reader; nil when absent.
    public mutating func object(_ key: String) throws -> ConfigReader? {
        guard let v = value(key) else { return nil }
        return try ConfigReader(v, file: file, path: fieldPath(key))
    }

    /// Rejects keys that were never read, suggesting the closest known key.
    public func finish(known extra: [String] = []) throws {
        let known = Array(used) + extra
        for (key, _) in members where !used.contains(key) && !extra.contains(key) {
            var message = "unknown key '\(key)'"
            if let guess = closestMatch(to: key, in: known.sorted()) { message += "; did you mean '\(guess)'?" }
            else { message += "; the keys here are: \(known.sorted().joined(separator: ", "))" }
            throw ConfigError(file: file, path: fieldPath(key), message: message)
        }
    }
}

extension JSON {
    /// The JSON document in the file at `path`, for readers of configuration and result files: a file
    /// that cannot be read (or is not UTF-8) and text that is not JSON are `ConfigError`s naming it.
    public static func readFile(_ path: String) throws -> JSON {
        let text: String
        do { text = try AtomicFile.readText(path) } catch let e as FileError {
            throw ConfigError(file: path, path: "", message: e.reason)
        }
        do { return try JSON.parse(text) } catch let e as JSONSyntaxError {
            throw ConfigError(file: path, path: "", message: "not valid JSON: \(e)")
        }
    }
}
