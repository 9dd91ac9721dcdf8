import DriftCore
import Foundation

func main() -> Int32 {
    var argv = Array(CommandLine.arguments.dropFirst())
    guard let name = argv.first else {
        print(overview())
        return 0
    }
    argv.removeFirst()
    if name == "--help" || name == "-h" { print(overview()); return 0 }
    if name == "--version" { print("driftlab \(DriftLabVersion.current)"); return 0 }
    guard let command = commands.first(where: { $0.name == name }) else {
        printError("error: " + unknownCommand(name))
        return 64
    }
    var args = Arguments(command: name, argv)
    if args.wantsHelp { print(command.help); return 0 }
    do {
        try command.run(&args)
        return 0
    } catch let e as UsageError {
        printError("error: \(e)")
        return 64
    } catch {
        printError("error: \(error)")
        return 1
    }
}

exit(main())
