import DriftCore
import DriftLab

/// `driftlab merge <dir>... --out DIR`: joins the shard folders of one sweep and writes its summary.
let mergeCommand = Command(
    name: "merge",
    summary: "Join the results folders of a sweep's shards and write the summary",
    help: """
    USAGE: driftlab merge <results-dir>... --out DIR [--partial] [--json] [--quiet]

    Checks that every folder holds the same sweep (same sweep hash in sweep.json), copies each
    cell's run into DIR/runs (a cell found in several folders must be byte-identical), and writes
    the summary and report.html as 'driftlab sweep' does. Cells with no run are an error listing
    them, unless --partial, which summarises the cells that exist and lists the missing ones in
    summary.json and the report.

    OPTIONS:
      --out DIR    the merged results folder (may be one of the inputs)
      --partial    summarise even when cells are missing
      --json       print one JSON object (runs, copied, missing cells, headline) instead of text
      --quiet      print nothing on stdout (warnings and errors still go to stderr)

    EXAMPLE: driftlab merge /scratch/standard-1 /scratch/standard-2 --out results/standard
    """,
    run: { args in
        let out = try args.requiredOption("out")
        let partial = args.flag("partial")
        let asJSON = args.flag("json")
        let quiet = args.flag("quiet")
        var folders = [try args.positional("results folder")]
        while let more = try? args.positional("results folder") { folders.append(more) }
        try args.finish(knownFlags: ["out", "partial", "json", "quiet"])
        let outcome = try SweepMerge.merge(folders, out: out, partial: partial)
        let s = outcome.summary
        let report = try SweepReport.write(s, manifest: try? SweepManifest.read(folder: out), to: out)
        for problem in outcome.unusable.prefix(5) { printError("warning: \(problem) (not used)") }
        if outcome.unusable.count > 5 { printError("warning: \(outcome.unusable.count - 5) more unusable run files") }
        if !outcome.missing.isEmpty { printError("warning: \(outcome.missing.count) cells missing, e.g. \(outcome.missing.prefix(3).joined(separator: ", "))") }
        if quiet { return }
        if asJSON {
            let doc: JSON = .object([
                ("sweep", .string(s.sweep)), ("out", .string(out)), ("folders", .number(Double(folders.count))),
                ("runs", .number(Double(s.runs))), ("copied", .number(Double(outcome.copied))),
                ("missing_cells", .array(outcome.missing.map(JSON.string))), ("report", .string(report)), ("headline", headlineJSON(s)),
            ])
            print(doc.serialized(), terminator: "")
            return
        }
        print("\(s.sweep): merged \(folders.count) folder\(folders.count == 1 ? "" : "s"): \(s.runs) runs (\(outcome.copied) copied), \(outcome.missing.count) missing; results in \(out)")
        print(headline(s))
        print("report: \(report)")
    })
