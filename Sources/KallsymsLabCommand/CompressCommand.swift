import Compressor
import Foundation

enum CompressCommand {
    static let command = Subcommand(
        name: "compress",
        summary: "Generate the kallsyms .S of an era from an nm -n map, byte-identical to scripts/kallsyms.",
        usage: "compress [--era E] [--all-symbols] [--absolute-percpu] [--base-relative] [--pc-relative] "
            + "[--symbol-prefix=C] [--engine NAME] [--output FILE] [FILE|-]",
        discussion: """
            Reads `nm -n` text from FILE (standard input when FILE is - or absent) and writes the .S the
            era's generator writes, to standard output or atomically to --output. A flag the era does
            not have is an error; what the era's generator refuses is refused (exit status 1).
            Warnings the generator prints (names too long) go to standard error. --timings adds
            one line per stage to standard error (wall clock: parse, select and order, compress,
            tables, write the .S), for tracking the speed of the core on a real map.

            example:
              kallsyms-lab compress --era v6.1 --base-relative System.map > kallsyms.S
            """,
        options: EraArguments.specs + [
            EraArguments.engineSpec,
            OptionSpec("--output", value: "FILE", "Write the .S here (atomically) instead of standard output."),
            OptionSpec("--timings", "Print each stage's wall-clock time to standard error."),
        ],
        positionals: 0...1,
        run: run)

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let run = try KallsymsChoice(arguments).run(arguments.positionals.first ?? "-", io: io)
        let clock = ContinuousClock()
        let start = clock.now
        try io.write(to: arguments.value("--output"), chunkSize: KallsymsRun.assemblyChunkSize) {
            run.writeAssembly(into: $0, handingOver: $1)
        }
        io.keepUntilExit(run)
        if arguments.has("--timings") {
            let stages: [(String, Duration)] = [
                ("parse", run.timings.parse), ("select", run.timings.select),
                ("compress", run.timings.compress), ("tables", run.timings.tables),
                ("write", clock.now - start),
            ]
            let total = stages.reduce(Duration.zero) { $0 + $1.1 }
            for (stage, time) in stages + [("total", total)] {
                io.err("timings: " + stage.rightPad(9) + String(format: "%9.3f ms\n", time.inSeconds * 1000))
            }
        }
        return 0
    }
}
