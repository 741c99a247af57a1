import Compressor
import Foundation
import ImageCommand

/// The `kallsyms-lab` command line.
public enum KallsymsLab {
    public static let version = "0.1.0"

    /// Every subcommand, in the order `--help` lists them.
    public static var subcommands: [Subcommand] {
        [
            CompressCommand.command, DecodeCommand.command, VerifyCommand.command, StatsCommand.command,
            GenerateCommand.command, ProfileCommand.command, MutateCommand.command,
            CheckCommand.command, ReplayCommand.command, SimulateCommand.command,
            ExplainCommand.command, SensitivityCommand.command,
            FuzzCommand.command, MitigationsCommand.command,
        ]
    }

    /// The subcommand named `name`, made without the others: a run builds only its own
    /// definition (making every subcommand's options and help took about half a millisecond of
    /// each `compress`, issue 19). `HelpTests` run every name of `subcommands` through it.
    static func subcommand(named name: String) -> Subcommand? {
        switch name {
        case "compress": CompressCommand.command
        case "decode": DecodeCommand.command
        case "verify": VerifyCommand.command
        case "stats": StatsCommand.command
        case "generate": GenerateCommand.command
        case "profile": ProfileCommand.command
        case "mutate": MutateCommand.command
        case "check": CheckCommand.command
        case "replay": ReplayCommand.command
        case "simulate": SimulateCommand.command
        case "explain": ExplainCommand.command
        case "sensitivity": SensitivityCommand.command
        case "fuzz": FuzzCommand.command
        case "mitigations": MitigationsCommand.command
        default: nil
        }
    }

    /// The process entry point: runs with the process's streams, returns the exit status.
    public static func main(_ argv: [String]) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        // `decode` touches about 11 MB of heap: on huge pages each touched 2 MiB would count whole.
        let subcommand = argv.dropFirst().first
        if subcommand != "decode" { LargeHeap.prepare(secondThread: subcommand == "compress") }
        return run(Array(argv.dropFirst()), io: .process())
    }

    /// The program `argv` (with the program name) is handed over to, when there is one: for
    /// `decode IMAGE` without options, `kallsyms-lab-decode` in `directory` (by default the one
    /// this executable is in), if it is there: the same decoding in a program without
    /// Foundation, which needs about 8 MB less memory (docs/images.md, "Peak memory: decode in
    /// its own executable"). Nil: run here. A `.S`, standard input and every option stay here.
    public static func handOver(_ argv: [String], directory: String? = nil) -> String? {
        guard let path = StandaloneDecode.imagePath(Array(argv.dropFirst())), !DecodeCommand.isAssembly(path),
            let directory = directory ?? executableDirectory()
        else { return nil }
        let program = directory + "/" + StandaloneDecode.executableName
        return access(program, X_OK) == 0 ? program : nil
    }

    /// The directory of the running executable (`/proc/self/exe`), or nil.
    static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }

    /// Runs one invocation (without the program name) against `io`; returns the exit status.
    public static func run(_ arguments: [String], io: CommandIO) -> Int32 {
        guard let first = arguments.first else {
            io.err(overview)
            return 2
        }
        if first == "--help" || first == "-h" || first == "help" {
            if first == "help", arguments.count > 1, let command = subcommand(named: arguments[1]) {
                return emit(command.help, io: io)
            }
            return emit(overview, io: io)
        }
        if first == "--version" { return emit("kallsyms-lab \(version)\n", io: io) }
        guard let command = subcommand(named: first) else {
            io.err("kallsyms-lab: unknown subcommand '\(first)'\n\n\(overview)")
            return 2
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") { return emit(command.help, io: io) }
        do {
            let parsed = try ArgumentParser.parse(rest, specs: command.options)
            guard command.positionals.contains(parsed.positionals.count) else {
                throw UsageError(
                    parsed.positionals.count < command.positionals.lowerBound
                        ? "missing argument" : "too many arguments: \(parsed.positionals.joined(separator: " "))")
            }
            return try command.run(parsed, io)
        } catch let error as UsageError {
            io.err(
                "kallsyms-lab \(command.name): \(error.description)\nusage: kallsyms-lab \(command.usage)\n"
                    + "Try 'kallsyms-lab \(command.name) --help'.\n")
            return 2
        } catch let error as CommandError {
            io.err("kallsyms-lab \(command.name): \(error.description)\n")
            return error.status
        } catch let error as any LocatedError {
            io.err("kallsyms-lab \(command.name): \(error.description)\n")
            return 1
        } catch {
            io.err("kallsyms-lab \(command.name): \(error)\n")
            return 1
        }
    }

    private static func emit(_ text: String, io: CommandIO) -> Int32 {
        do {
            try io.out(text)
            return 0
        } catch {
            io.err("kallsyms-lab: \(error)\n")
            return 1
        }
    }

    public static var overview: String {
        let width = (subcommands.map(\.name.count).max() ?? 0) + 2
        let list = subcommands.map { "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.summary }
        return """
            usage: kallsyms-lab <subcommand> [options] [arguments]

            A laboratory for the Linux kernel's compressed symbol table (kallsyms): a byte-identical
            generator for six kernel eras, its decoder, and tools to find and explain
            "Inconsistent kallsyms data".

            subcommands:
            \(list.joined(separator: "\n"))

            Run 'kallsyms-lab <subcommand> --help' for its options; 'kallsyms-lab --version' for the version.

            """
    }
}
