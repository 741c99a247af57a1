import Compressor

/// One subcommand: its name, help and options as data, and what it runs.
public struct Subcommand: Sendable {
    public var name: String
    /// One line for the tool's overview.
    public var summary: String
    /// The synopsis after `kallsyms-lab`.
    public var usage: String
    /// Paragraphs after the synopsis: what it does, exit status, an example.
    public var discussion: String
    public var options: [OptionSpec]
    /// How many positional arguments it takes.
    public var positionals: ClosedRange<Int>
    public var run: @Sendable (ParsedArguments, CommandIO) throws -> Int32

    public var help: String {
        var text = "usage: kallsyms-lab \(usage)\n\n\(summary)\n"
        if !discussion.isEmpty { text += "\n\(discussion)\n" }
        let all = options + [OptionSpec("--help", "Show this help.")]
        text += "\noptions:\n\(ArgumentParser.helpLines(all))\n"
        return text
    }
}

/// The options every generator-driven subcommand shares: the era and its flags.
enum EraArguments {
    static let specs: [OptionSpec] = [
        OptionSpec("--era", value: "E", "v3.3, v5.10, v6.1, v6.12, v6.19 or v7.0 (default v7.0)."),
        OptionSpec("--all-symbols", "Keep every symbol, not only text (all eras)."),
        OptionSpec("--absolute-percpu", "Per-cpu symbols are absolute (v5.10, v6.1, v6.12)."),
        OptionSpec("--base-relative", "kallsyms_offsets + kallsyms_relative_base (v5.10, v6.1)."),
        OptionSpec("--pc-relative", "Offsets relative to _text (v7.0)."),
        OptionSpec("--symbol-prefix", value: "C", "Strip this leading character before the rules compare names (v3.3)."),
    ]

    static let engineSpec = OptionSpec("--engine", value: "NAME", "Compression engine: fast (default) or reference.")

    static func era(_ arguments: ParsedArguments, default defaultEra: Era = .default) throws -> Era {
        guard let name = arguments.value("--era") else { return defaultEra }
        guard let era = Era(name: name) else {
            throw UsageError("unknown era \(name) (known: \(Era.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return era
    }

    static func options(_ arguments: ParsedArguments, era: Era) throws -> KallsymsOptions {
        var options = KallsymsOptions(
            allSymbols: arguments.has("--all-symbols"),
            absolutePercpu: arguments.has("--absolute-percpu"),
            baseRelative: arguments.has("--base-relative"),
            pcRelative: arguments.has("--pc-relative"))
        if let prefix = arguments.value("--symbol-prefix") {
            guard prefix.utf8.count == 1 else { throw UsageError("--symbol-prefix takes one character, not \"\(prefix)\"") }
            options.symbolPrefix = prefix.utf8.first
        }
        do {
            try era.validate(options)
        } catch let error as KallsymsError {
            throw UsageError(error.message)
        }
        return options
    }

    static func engine(_ arguments: ParsedArguments) throws -> CompressionEngine {
        guard let name = arguments.value("--engine") else { return .default }
        guard let engine = CompressionEngine(rawValue: name) else {
            throw UsageError("unknown engine \(name) (known: fast, reference)")
        }
        return engine
    }
}

extension LocatedError {
    /// `FILE:LINE: message` for the command line.
    func located(in file: String) -> CommandError {
        if let line { return CommandError("\(file):\(line): \(message)") }
        return CommandError("\(file): \(message)")
    }
}

extension KallsymsWarning {
    func located(in file: String) -> String {
        if let line { return "\(file):\(line): warning: \(message)" }
        return "\(file): warning: \(message)"
    }
}

/// Reads an input file (or stdin for `-`) and runs a library call on it, turning library
/// errors into `FILE:LINE: message` command errors.
func withInput<T>(_ path: String, io: CommandIO, _ body: ([UInt8]) throws -> T) throws -> T {
    let bytes = try Files.read(path, io: io)
    do {
        return try body(bytes)
    } catch let error as any LocatedError {
        throw error.located(in: path == "-" ? "<stdin>" : path)
    }
}

/// The era, its options and the engine named on the command line.
struct KallsymsChoice {
    let era: Era
    let options: KallsymsOptions
    let engine: CompressionEngine

    init(_ arguments: ParsedArguments) throws {
        era = try EraArguments.era(arguments)
        options = try EraArguments.options(arguments, era: era)
        engine = try EraArguments.engine(arguments)
    }

    /// Runs the era's generator on the map at `path` (`-`: standard input), printing the
    /// generator's warnings on stderr; input errors become `FILE:LINE: message`.
    func run(_ path: String, io: CommandIO) throws -> KallsymsRun {
        let run: KallsymsRun
        do {
            // Parsed while the file is mapped, then generated after it is unmapped: the parsed
            // map holds its own copy of the names, and the compression (the run's memory peak)
            // does not carry the input's pages too (5 MB for a 122 000-symbol map).
            run = try era.generate(options: options, engine: engine) { parse in
                try Files.withContents(path, io: io, parse)
            }
        } catch let error as KallsymsError {
            throw error.located(in: displayName(path))
        }
        for warning in run.warnings { io.err(warning.located(in: displayName(path)) + "\n") }
        return run
    }
}

/// The display name of an input path.
func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }
