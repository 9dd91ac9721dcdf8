import DriftCore
import DriftDetectors
import Foundation

/// `driftlab drift`: the per-feature drift battery on two CSV files.
let driftCommand = Command(
    name: "drift",
    summary: "Compare two CSV files feature by feature (KS, chi-squared, PSI, Wasserstein, JS)",
    help: """
    USAGE: driftlab drift --reference <a.csv> --current <b.csv> [--json] [--alpha 0.05]
                          [--features a,b,...] [--rule combined|significance|effect_size]
                          [--correction bh|bonferroni|none] [--missing NA,null,...]

    Columns are matched by name; columns present in only one file are listed, not tested.
    Numeric columns get the Kolmogorov-Smirnov test (chi-squared when the reference has at
    most 20 distinct values, each seen twice on average), categorical ones chi-squared; every
    feature also gets PSI on reference quantile bins, Jensen-Shannon distance and (numeric)
    Wasserstein-1 over the reference IQR (its standard deviation when the IQR is 0, raw W1 for
    a constant reference). p-values are corrected across features
    (Benjamini-Hochberg by default). The default rule (combined) alarms when a feature is
    significant AND its effect is above a floor (PSI >= 0.1 or normalised W1 >= 0.1 or
    JS >= 0.1), so large files do not alarm on trivial differences. The effect_size rule
    alarms on effect alone, so at a higher bar: PSI >= 0.25 or JS >= 0.2, each also above its
    sampling-noise bar for these sample sizes; the JSON's "effect" is that rule's verdict.
    Statistics of a column with no values in either file are null. A column numeric in one
    file whose cells in the other are mostly numbers, with a few texts ("unknown", "-"), is
    tested on its numbers and the texts are read as missing and listed ("not_numbers" in JSON);
    one that is mostly text there is a type mismatch, not tested. Rows are sorted by severity (alarms first, then PSI). An empty cell is missing, and so are
    pandas' missing-value texts (NA, N/A, n/a, NULL, null, None, NaN, nan, #N/A, <NA>, ...), so
    a numeric column with "NA" in it stays numeric; --missing replaces that list.

    OPTIONS:
      --reference <path>   the reference CSV (e.g. training data)
      --current <path>     the CSV to compare with it
      --json               print the report as JSON
      --alpha <a>          significance level after correction (default 0.05)
      --features <list>    comma-separated columns to test (default: all shared columns)
      --rule <rule>        combined (default), significance or effect_size
      --correction <c>     bh (default), bonferroni or none
      --missing <list>     comma-separated texts read as missing besides the empty cell
                           (default: pandas' read_csv list; --missing "" for none); exact
                           text, numbers too: with -999, a cell -999 is missing, -999.0 is not

    EXAMPLE: driftlab drift --reference train.csv --current last_week.csv --features amount,merchant_category
    """,
    run: { args in
        let referencePath = try args.requiredOption("reference")
        let currentPath = try args.requiredOption("current")
        let asJSON = args.flag("json")
        var configuration = DriftConfiguration()
        configuration.alpha = try args.doubleOption("alpha", default: 0.05)
        guard configuration.alpha > 0 && configuration.alpha < 1 else {
            throw UsageError("--alpha must be between 0 and 1 (exclusive); got \(configuration.alpha)")
        }
        if let list = try args.option("features") {
            let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !names.isEmpty else { throw UsageError("--features needs at least one column name") }
            configuration.features = names
        }
        if let rule = try args.option("rule") {
            guard let r = DriftRule(rawValue: rule) else {
                throw UsageError("--rule must be one of \(DriftRule.allCases.map(\.rawValue).joined(separator: ", ")); got '\(rule)'")
            }
            configuration.rule = r
        }
        if let correction = try args.option("correction") {
            guard let m = MultipleTesting.Method(rawValue: correction) else {
                throw UsageError("--correction must be one of \(MultipleTesting.Method.allCases.map(\.rawValue).joined(separator: ", ")); got '\(correction)'")
            }
            configuration.correction = m
        }
        let missing = try args.missingOption()
        try args.finish(knownFlags: ["reference", "current", "json", "alpha", "features", "rule", "correction", "missing"])
        var reference = try readDriftTable(referencePath, missing: missing)
        var current = try readDriftTable(currentPath, missing: missing)
        let coerced = DriftReport.coerceNumbers(reference: &reference, current: &current)
        let report = try DriftReport.compute(reference: reference, current: current, configuration: configuration)
        if asJSON {
            guard case .object(var members) = report.json() else { return }
            members.append(("not_numbers", .array(coerced.map { c in
                .object([("feature", .string(c.feature)), ("file", .string(c.inReference ? "reference" : "current")),
                         ("rows", .number(Double(c.rows))), ("non_missing", .number(Double(c.nonMissing))),
                         ("examples", .array(c.examples.map(JSON.string)))])
            })))
            print(JSON.object(members).serialized(), terminator: "")
        } else {
            print(driftTable(report), terminator: "")
            for c in coerced {
                let examples = c.examples.map { "'\($0)'" }.joined(separator: ", ")
                print("\(c.feature): \(c.rows) of \(c.nonMissing) \(c.inReference ? "reference" : "current") values are not numbers "
                      + "(\(examples)\(c.rows > c.examples.count ? ", ..." : "")), read as missing; the numbers are tested")
            }
        }
    })

/// Reads a CSV for `drift`, turning a missing or empty file into a clear error.
func readDriftTable(_ path: String, missing: MissingMarkers = .standard) throws -> Table {
    guard FileManager.default.fileExists(atPath: path) else { throw DriftCommandError.missingFile(path) }
    let table = try Table.readCSV(path, missing: missing)
    if table.columnNames.isEmpty { throw DriftCommandError.emptyFile(path) }
    if table.rowCount == 0 { throw DriftCommandError.noRows(path) }
    return table
}

enum DriftCommandError: Error, CustomStringConvertible {
    case missingFile(String), emptyFile(String), noRows(String)
    var description: String {
        switch self {
        case .missingFile(let p): return "\(p): no such file; check the path given to --reference/--current"
        case .emptyFile(let p): return "\(p): the file is empty; it needs a header line and at least one row"
        case .noRows(let p): return "\(p): the file has a header but no rows"
        }
    }
}

/// The human-readable table: one line per feature, sorted by severity, then the unmatched columns.
func driftTable(_ report: DriftReport) -> String {
    func fmt(_ x: Double, _ digits: Int = 4) -> String {
        if x.isNaN { return "-" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x != 0 && (Swift.abs(x) < 1e-4 || Swift.abs(x) >= 1e7) { return String(format: "%.2e", x) }
        return String(format: "%.\(digits)f", x)
    }
    let header = ["feature", "type", "test", "statistic", "p-value", "p-adj", "PSI", "W1/IQR", "JS", "alarm"]
    var rows = [header]
    for f in report.features {
        rows.append([f.feature, f.type.rawValue, f.test, fmt(f.statistic), fmt(f.pValue), fmt(f.adjustedPValue),
                     fmt(f.populationStabilityIndex), fmt(f.normalizedWasserstein), fmt(f.jensenShannon),
                     f.note.map { "n/a (\($0))" } ?? (f.alarm ? "ALARM" : "ok")])
    }
    var widths = [Int](repeating: 0, count: header.count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = Swift.max(widths[i], c.count) } }
    var out = "drift: \(report.currentRows) current rows vs \(report.referenceRows) reference rows; rule \(report.rule.rawValue), "
    out += "alpha \(report.alpha) after \(report.correction.rawValue) correction\n\n"
    for r in rows {
        out += r.enumerated().map { i, c in i < 3 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                                              : String(repeating: " ", count: widths[i] - c.count) + c }
            .joined(separator: "  ") + "\n"
    }
    let alarms = report.features.filter(\.alarm).count
    out += "\n\(alarms) of \(report.features.count) features alarm.\n"
    if !report.onlyInReference.isEmpty { out += "only in reference (not tested): " + report.onlyInReference.joined(separator: ", ") + "\n" }
    if !report.onlyInCurrent.isEmpty { out += "only in current (not tested): " + report.onlyInCurrent.joined(separator: ", ") + "\n" }
    if !report.typeMismatches.isEmpty { out += "numeric in one file, categorical in the other (not tested): " + report.typeMismatches.joined(separator: ", ") + "\n" }
    return out
}
