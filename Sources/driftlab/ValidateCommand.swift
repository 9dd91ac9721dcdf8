import DriftCore
import DriftLab
import DriftSim
import Foundation

/// `driftlab validate <file>...`: checks scenario files and prints a one-line summary of each,
/// or the resolved scenario (every default filled in) with `--resolved`.
let validateCommand = Command(
    name: "validate",
    summary: "Check scenario files and show what they inject",
    help: """
    USAGE: driftlab validate <scenario.json>... [--resolved] [--json] [--quiet]

    Checks each scenario file against the field reference (scenarios/README.md): unknown keys,
    wrong types, out-of-range values, unknown kinds, sub-kinds, features or parameters, failures
    outside the production period. Prints one line per valid file:
      ok: <file> (<name>: N failures: kind/subkind at day D, ...)
    and 'error: <file>: <json path>: <what to fix>' on stderr for an invalid one (exit 1).
    A sweep file (one with a 'base') is checked as a sweep, every cell expanded (docs/sweeps.md);
    a JSON Schema (one with '$schema', as scenarios/schema.json) is skipped.

    OPTIONS:
      --resolved   print each scenario as resolved JSON on stdout (every default filled in,
                   as written to scenario.resolved.json); the ok lines then go to stderr
      --json       print one JSON array instead of the ok lines: per file its name, validity,
                   failures (kind, sub-kind, start day) or the error
      --quiet      print nothing on stdout; the exit code says whether every file is valid

    EXAMPLE: driftlab validate scenarios/*.json
    EXAMPLE: driftlab validate scenarios/capstone.json --resolved
    """,
    run: { args in
        let resolved = args.flag("resolved")
        let asJSON = args.flag("json")
        let quiet = args.flag("quiet")
        var files = [try args.positional("scenario file")]
        while let more = try? args.positional("scenario file") { files.append(more) }
        try args.finish(knownFlags: ["resolved", "json", "quiet"])
        if resolved && asJSON { throw UsageError("--resolved and --json both print JSON; choose one") }

        var failed: [ConfigError] = []
        var entries: [JSON] = []
        for file in files {
            do {
                // One read: the document's kind from its top-level keys, then its decoder. A file that
                // cannot be read or parsed goes to the scenario loader, which names the problem.
                let json = try? JSON.readFile(file)
                switch (json, json.map(documentKind)) {
                case (_, .schema?):
                    entries.append(.object([("file", .string(file)), ("valid", .null), ("skipped", .string("a JSON Schema, not a scenario"))]))
                    if !quiet && !asJSON { printError("skipped: \(file) (a JSON Schema for editors, not a scenario)") }
                    continue
                case (let document?, .sweep?):
                    let sweep = try SweepFile.decode(document, file: file, folder: (file as NSString).deletingLastPathComponent)
                    entries.append(.object([("file", .string(file)), ("valid", .bool(true)), ("name", .string(sweep.name)),
                                            ("sweep_cells", .number(Double(sweep.cells.count)))]))
                    if !quiet && !asJSON { (resolved ? printError : { print($0) })("ok: \(file) (sweep \(sweep.name): \(sweep.cells.count) cells)") }
                    continue
                default:
                    break
                }
                let scenario = try json.map { try ScenarioFile.decode($0, file: file) } ?? ScenarioFile.load(file)
                let line = "ok: \(file) (\(validationSummary(scenario)))"
                entries.append(.object([("file", .string(file)), ("valid", .bool(true)), ("name", .string(scenario.name)),
                                        ("failures", .array(scenario.failures.map { f in
                                            .object([("kind", .string(f.kind.rawValue)), ("subkind", .string(f.subkind)),
                                                     ("start_day", .number(Double(f.startDay)))])
                                        }))]))
                if quiet || asJSON { continue }
                if resolved {
                    printError(line)
                    print(ScenarioFile.resolvedJSON(scenario).serialized(), terminator: "")
                } else {
                    print(line)
                }
            } catch let e as ConfigError {
                entries.append(.object([("file", .string(file)), ("valid", .bool(false)), ("error", .string(e.description))]))
                if files.count == 1 && !asJSON { throw e }
                printError("error: \(e)")
                failed.append(e)
            }
        }
        if asJSON && !quiet { print(JSON.array(entries).serialized(), terminator: "") }
        if !failed.isEmpty {
            throw ValidationFailed(invalid: failed.count, total: files.count)
        }
    })

enum DocumentKind { case scenario, sweep, schema }

/// What a JSON document holds, from its top-level keys: a sweep has a `base`, a JSON Schema a `$schema`;
/// anything else is read as a scenario, whose decoder names the problem.
func documentKind(_ json: JSON) -> DocumentKind {
    guard case .object(let members) = json else { return .scenario }
    if members.contains(where: { $0.0 == "$schema" }) { return .schema }
    if members.contains(where: { $0.0 == "base" }) { return .sweep }
    return .scenario
}

/// "capstone: 2 failures: data_quality/dropped at day 60, covariate_shift/category_mix at day 30".
func validationSummary(_ s: Scenario) -> String {
    let n = s.failures.count
    var text = "\(s.name): \(n) failure\(n == 1 ? "" : "s")"
    if n > 0 {
        text += ": " + s.failures.map { "\($0.kind.rawValue)/\($0.subkind) at day \($0.startDay)" }.joined(separator: ", ")
    }
    return text
}

struct ValidationFailed: Error, CustomStringConvertible {
    let invalid: Int
    let total: Int
    var description: String { "\(invalid) of \(total) scenario files are invalid" }
}
