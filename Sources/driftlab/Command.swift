import DriftCore
import Foundation

/// A subcommand of `driftlab`: its name, a one-line summary, the full help with an example, and
/// the work. Commands only parse arguments and call the libraries.
struct Command: Sendable {
    let name: String
    let summary: String
    let help: String
    /// Developer commands run like any other but are left out of `driftlab help`.
    var hidden = false
    let run: @Sendable (inout Arguments) throws -> Void
}

/// A mistake in how the tool was called (exit 64, as in sysexits.h EX_USAGE).
struct UsageError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// The command line after the subcommand name: `--flag value`, `--switch`, and positionals.
struct Arguments {
    private var items: [String]
    private(set) var command: String

    init(command: String, _ items: [String]) {
        self.command = command
        self.items = items
    }

    var wantsHelp: Bool { items.contains("--help") || items.contains("-h") }

    /// Removes and returns the value of `--name value` or `--name=value`; nil when absent. An empty
    /// value is a usage error unless `allowEmpty` (`--out ''` names no folder).
    mutating func option(_ name: String, allowEmpty: Bool = false) throws -> String? {
        let flag = "--" + name
        let v: String
        if let i = items.firstIndex(where: { $0.hasPrefix(flag + "=") }) {
            v = String(items[i].dropFirst(flag.count + 1))
            items.remove(at: i)
        } else {
            guard let i = items.firstIndex(of: flag) else { return nil }
            guard i + 1 < items.count, !items[i + 1].hasPrefix("--") else {
                throw UsageError("\(flag) needs a value; see 'driftlab \(command) --help'")
            }
            v = items[i + 1]
            items.removeSubrange(i...(i + 1))
        }
        if v.isEmpty && !allowEmpty { throw UsageError("\(flag) needs a value, got an empty one; see 'driftlab \(command) --help'") }
        return v
    }

    mutating func requiredOption(_ name: String) throws -> String {
        guard let v = try option(name) else { throw UsageError("--\(name) is required; see 'driftlab \(command) --help'") }
        return v
    }

    mutating func intOption(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = try option(name) else { return fallback }
        guard let v = Int(text), range.contains(v) else {
            throw UsageError("--\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound); got '\(text)'")
        }
        return v
    }

    mutating func doubleOption(_ name: String, default fallback: Double) throws -> Double {
        guard let text = try option(name) else { return fallback }
        guard let v = Double(text), v.isFinite else { throw UsageError("--\(name) must be a number; got '\(text)'") }
        return v
    }

    /// `--missing LIST`: the comma-separated texts read as missing besides the empty cell (drift, train,
    /// score); pandas' `read_csv` list when absent, none but the empty cell for `--missing ""`. A marker
    /// matches the exact text, numbers too ("-999" makes -999 missing, not -999.0).
    mutating func missingOption() throws -> MissingMarkers {
        guard let list = try option("missing", allowEmpty: true) else { return .standard }
        return MissingMarkers(list.split(separator: ",", omittingEmptySubsequences: true).map(String.init))
    }

    /// Removes `--name` and says whether it was there.
    mutating func flag(_ name: String) -> Bool {
        guard let i = items.firstIndex(of: "--" + name) else { return false }
        items.remove(at: i)
        return true
    }

    /// Removes and returns the next positional argument.
    mutating func positional(_ what: String) throws -> String {
        guard let i = items.firstIndex(where: { !$0.hasPrefix("--") }) else {
            throw UsageError("missing \(what); see 'driftlab \(command) --help'")
        }
        return items.remove(at: i)
    }

    /// Fails on anything not consumed, suggesting the closest known flag.
    func finish(knownFlags: [String] = []) throws {
        guard let extra = items.first else { return }
        let name = extra.hasPrefix("--") ? String(extra.dropFirst(2).prefix { $0 != "=" }) : ""
        if knownFlags.contains(name) {
            throw UsageError("\(extra.prefix { $0 != "=" }) is given more than once; give it once; see 'driftlab \(command) --help'")
        }
        var message = "unexpected argument '\(extra)'"
        if extra.hasPrefix("--"), let guess = closestMatch(to: String(extra.dropFirst(2)), in: knownFlags) {
            message += " (did you mean '--\(guess)'?)"
        }
        throw UsageError(message + "; see 'driftlab \(command) --help'")
    }
}

/// Standard error output.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// True when standard error is a terminal (progress lines are shown only then).
var stderrIsTerminal: Bool { isatty(2) != 0 }

/// Replaces the text between `<!-- name:begin -->` and `<!-- name:end -->` in the file at `path`
/// (how README.md gets its generated tables, so no figure is typed by hand).
func rewriteMarkedBlock(_ path: String, name: String, with block: String) throws {
    let (text, inside) = try markedBlock(path, name: name)
    try AtomicFile.write(String(text[..<inside.lowerBound]) + block + String(text[inside.upperBound...]), to: path)
}

/// The text of the file at `path` and the range between its `name` markers; an error naming the file
/// when it cannot be read as UTF-8 or lacks them (checked before a long run whose output goes there).
func markedBlock(_ path: String, name: String) throws -> (text: String, inside: Range<String.Index>) {
    let begin = "<!-- \(name):begin -->", end = "<!-- \(name):end -->"
    let text = try AtomicFile.readText(path)
    guard let a = text.range(of: begin), let b = text.range(of: end), a.upperBound <= b.lowerBound else {
        throw FileError(path: path, reason: "no '\(begin)' ... '\(end)' block to rewrite; add the two markers where the table goes")
    }
    return (text, a.upperBound..<b.lowerBound)
}
