import DriftCore
import Foundation

// driftlab: the command-line face of the DriftLab libraries. Exit codes: 0 success, 1 a runtime
// failure (bad file, unwritable folder), 64 a usage error. Errors go to stderr as "error: ...".

/// Every subcommand, in the order `driftlab help` lists them. Add a command here.
let commands: [Command] = [
    helpCommand,
    validateCommand,
    generateCommand,
    trainCommand,
    scoreCommand,
    driftCommand,
    runCommand,
    diagnoseCommand,
    sweepCommand,
    mergeCommand,
    compareCommand,
    reportCommand,
    benchCommand,
    chartsDemoCommand,
]

let helpCommand = Command(
    name: "help",
    summary: "List the commands, or show one command's help",
    help: """
    USAGE: driftlab help [<command>]

    EXAMPLE: driftlab help generate
    """,
    run: { args in
        if let name = try? args.positional("command") {
            guard let c = commands.first(where: { $0.name == name }) else { throw UsageError(unknownCommand(name)) }
            print(c.help)
        } else {
            print(overview())
        }
    })

func overview() -> String {
    var text = "driftlab: a drift and failure simulation laboratory for fraud models\n\nUSAGE: driftlab <command> [options]\n\nCOMMANDS:\n"
    let width = commands.filter { !$0.hidden }.map(\.name.count).max() ?? 0
    for c in commands where !c.hidden {
        text += "  " + c.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + c.summary + "\n"
    }
    text += "\nRun 'driftlab <command> --help' for a command's options and an example.\n"
    text += "Exit codes: 0 success; 1 runtime failure (a missing or invalid input file, an invalid scenario or\n"
    text += "sweep, an unwritable output folder); 64 usage error (unknown command or flag, a bad option value).\n"
    text += "Errors go to stderr as 'error: ...'; --json and --quiet never change the exit code."
    return text
}

func unknownCommand(_ name: String) -> String {
    var m = "unknown command '\(name)'"
    if let g = closestMatch(to: name, in: commands.map(\.name)) { m += " (did you mean '\(g)'?)" }
    return m + "; run 'driftlab help' for the list"
}

