import DriftCore
import DriftLab
import Foundation

/// `driftlab report <results-dir>`: redraws a sweep's report.html from its summary.json (no run is
/// repeated) and, with --readme, rewrites the README's block of standard-sweep figures.
let reportCommand = Command(
    name: "report",
    summary: "Redraw a sweep's report.html from its summary.json (and refresh the README figures)",
    help: """
    USAGE: driftlab report <results-dir> [--out FILE] [--readme FILE] [--json] [--quiet]

    Reads DIR/summary.json (and DIR/sweep.json for the links to each run) and writes the sweep's
    self-contained report.html: summary tables, confusion matrices per detector and for the
    diagnosis, power against severity, detection delays, false alarms and root-cause feature
    accuracy. Nothing is rerun, so it takes a second; 'driftlab sweep' and 'driftlab merge' write
    the same file when they finish.

    OPTIONS:
      --out FILE     where to write the report (default: DIR/report.html)
      --readme FILE  also rewrite the block between <!-- sweep:begin --> and <!-- sweep:end -->
                     in FILE with the diagnosis's figures and a link to the report
      --json         print one JSON object (sweep, report path, headline figures) instead of text
      --quiet        print nothing on stdout (files are still written)

    EXAMPLE: driftlab report results/standard --readme README.md
    """,
    run: { args in
        let outOption = try args.option("out")
        let readme = try args.option("readme")
        let asJSON = args.flag("json")
        let quiet = args.flag("quiet")
        var folder = try args.positional("results folder")
        try args.finish(knownFlags: ["out", "readme", "json", "quiet"])
        while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
        let summary = try SweepSummary.read(folder)
        let manifest = FileManager.default.fileExists(atPath: folder + "/sweep.json") ? try SweepManifest.read(folder: folder) : nil
        if let manifest, manifest.hash != summary.sweepHash {
            throw SweepError.mixedFolder(folder: folder, summaryHash: summary.sweepHash, manifestHash: manifest.hash)
        }
        let path = outOption ?? folder + "/report.html"
        try AtomicFile.write(SweepReport.html(summary, manifest: manifest), to: path)
        if let readme { try rewriteMarkedBlock(readme, name: "sweep", with: SweepReport.readmeBlock(summary, folder: folder)) }
        if quiet { return }
        if asJSON {
            let doc: JSON = .object([("sweep", .string(summary.sweep)), ("report", .string(path)),
                                     ("readme", readme.map(JSON.string) ?? .null), ("headline", headlineJSON(summary))])
            print(doc.serialized(), terminator: "")
            return
        }
        print(headline(summary))
        print("wrote \(path)" + (readme.map { " and the sweep block of \($0)" } ?? ""))
    })
