import Compressor

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
        Warnings the generator prints (names too long) go to standard error.

        example:
          kallsyms-lab compress --era v6.1 --base-relative System.map > kallsyms.S
        """,
        options: EraArguments.specs + [
            EraArguments.engineSpec,
            OptionSpec("--output", value: "FILE", "Write the .S here (atomically) instead of standard output."),
        ],
        positionals: 0...1,
        run: run)

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let run = try GeneratorChoice(arguments).run(arguments.positionals.first ?? "-", io: io)
        try io.write(to: arguments.value("--output")) { run.writeAssembly(to: $0) }
        return 0
    }
}
