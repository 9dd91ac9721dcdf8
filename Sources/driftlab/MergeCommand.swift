import DriftCore
import DriftLab

/// `driftlab merge <dir>... --out DIR`: joins the shard folders of one sweep and writes its summary.
let mergeCommand = Command(
    name: "merge",
    summary: "Join the results folders of a sweep's shards and write the summary",
    help: """
    USAGE: driftlab merge <results-dir>... --out DIR [--partial]

    Checks that every folder holds the same sweep (same sweep hash in sweep.json), copies each
    cell's run into DIR/runs (a cell found in several folders must be byte-identical), and writes
    the summary as 'driftlab sweep' does. Cells with no run are an error listing them, unless
    --partial, which summarises the cells that exist and lists the missing ones in summary.json.

    OPTIONS:
      --out DIR    the merged results folder (may be one of the inputs)
      --partial    summarise even when cells are missing

    EXAMPLE: driftlab merge /scratch/standard-1 /scratch/standard-2 --out results/standard
    """,
    run: { args in
        let out = try args.requiredOption("out")
        let partial = args.flag("partial")
        var folders = [try args.positional("results folder")]
        while let more = try? args.positional("results folder") { folders.append(more) }
        try args.finish(knownFlags: ["out", "partial"])
        let outcome = try SweepMerge.merge(folders, out: out, partial: partial)
        let s = outcome.summary
        print("\(s.sweep): merged \(folders.count) folder\(folders.count == 1 ? "" : "s"): \(s.runs) runs (\(outcome.copied) copied), \(outcome.missing.count) missing; results in \(out)")
        if !outcome.missing.isEmpty { printError("warning: \(outcome.missing.count) cells missing, e.g. \(outcome.missing.prefix(3).joined(separator: ", "))") }
        print(headline(s))
    })
