import Compressor
import Foundation

enum StatsCommand {
    static let command = Subcommand(
        name: "stats",
        summary: "Report how an era compresses a map: symbols, bytes, ratio, table sizes, tokens.",
        usage: "stats [--era E] [era flags] [--target arm|arm64|x86|x86_64] [--json] FILE",
        discussion: """
            Runs the era's generator on FILE (an nm -n map, - for standard input) and prints the
            symbols read and kept, the raw and compressed name bytes, the ratio (names table +
            token table over raw bytes, as the kernel's self-test reports it), each table's size as
            the era lays it out on the target (alignment included), the tokens used and the longest.
            The target decides pointer size and alignment; by default arm (32-bit), or x86_64 when
            an address needs more than 32 bits.

            example:
              kallsyms-lab stats --era v6.1 --base-relative System.map
            """,
        options: EraArguments.specs + [
            EraArguments.engineSpec,
            OptionSpec("--target", value: "T", "arm, arm64, x86 or x86_64."),
            OptionSpec("--json", "Print one JSON object."),
        ],
        positionals: 1...1,
        run: run)

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let choice = try KallsymsChoice(arguments)
        let (era, options) = (choice.era, choice.options)
        let run = try choice.run(arguments.positionals[0], io: io)
        let target = try TargetArgument.target(arguments, addresses: run.parsed.symbols.addresses)
        let stats = CompressionStatistics(run: run, target: target)
        if arguments.has("--json") {
            try io.out(json(stats, era: era, options: options, target: target) + "\n")
        } else {
            try io.out(report(stats, era: era, options: options, target: target))
        }
        return 0
    }

    static func report(_ stats: CompressionStatistics, era: Era, options: KallsymsOptions, target: TargetABI) -> String {
        var lines: [String] = []
        lines.append("era \(era)\(options.description.isEmpty ? "" : " " + options.description), target \(target)")
        lines.append("symbols read        \(stats.symbolsRead)")
        lines.append("symbols kept        \(stats.symbolsKept)")
        lines.append("raw name bytes      \(stats.rawNameBytes)  (type + name of every kept symbol)")
        lines.append("compressed bytes    \(stats.compressedBytes)  (without length prefixes)")
        lines.append("ratio               \(String(format: "%.4f", stats.ratio))  (names + token table / raw)")
        lines.append("tokens used         \(stats.tokenCount) of \(256 - stats.literalCount) free codes (\(stats.literalCount) literals)")
        lines.append("")
        lines.append("table                     offset      bytes")
        for entry in stats.layout.entries {
            lines.append(
                entry.name.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + String(entry.offset).leftPad(8) + String(entry.size).leftPad(11))
        }
        lines.append(
            "total (aligned to \(stats.layout.alignment))".padding(toLength: 24, withPad: " ", startingAt: 0)
                + String(stats.layout.totalSize).leftPad(19))
        lines.append("")
        let histogram = stats.tokenLengthHistogram.keys.sorted().map { "\($0):\(stats.tokenLengthHistogram[$0]!)" }
        lines.append("code lengths        \(histogram.joined(separator: " "))")
        lines.append("longest tokens")
        for token in stats.longestTokens {
            lines.append("  0x\(String(token.code, radix: 16).leftPad(2, "0"))  \(token.expansion.count)  \"\(printable(token.expansion))\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `--json` form (keys sorted).
    struct JSONForm: Encodable {
        struct Table: Encodable { var name: String, offset: Int, size: Int }
        struct Token: Encodable { var code: Int, expansion: String }
        var era: String, flags: String, target: String
        var symbolsRead: Int, symbolsKept: Int, rawNameBytes: Int, compressedBytes: Int, namesTableBytes: Int
        var ratio: Double
        var tokens: Int, literals: Int
        var tokenLengths: [String: Int]
        var tables: [Table], totalSize: Int
        var longestTokens: [Token]
    }

    static func json(_ stats: CompressionStatistics, era: Era, options: KallsymsOptions, target: TargetABI) throws -> String {
        try JSONOutput.encode(
            JSONForm(
                era: "\(era)", flags: options.description, target: "\(target)",
                symbolsRead: stats.symbolsRead, symbolsKept: stats.symbolsKept, rawNameBytes: stats.rawNameBytes,
                compressedBytes: stats.compressedBytes, namesTableBytes: stats.namesTableBytes,
                ratio: stats.ratio, tokens: stats.tokenCount, literals: stats.literalCount,
                tokenLengths: Dictionary(uniqueKeysWithValues: stats.tokenLengthHistogram.map { ("\($0.key)", $0.value) }),
                tables: stats.layout.entries.map { JSONForm.Table(name: $0.name, offset: $0.offset, size: $0.size) },
                totalSize: stats.layout.totalSize,
                longestTokens: stats.longestTokens.map { JSONForm.Token(code: Int($0.code), expansion: printable($0.expansion)) }))
    }
}

enum TargetArgument {
    static let spec = OptionSpec("--target", value: "T", "arm, arm64, x86 or x86_64.")

    /// The named target, or arm / x86_64 by the width of the addresses.
    static func target(_ arguments: ParsedArguments, addresses: [UInt64]) throws -> TargetABI {
        if let name = arguments.value("--target") {
            guard let target = TargetABI.all.first(where: { $0.name == name }) else {
                throw UsageError("unknown target \(name) (known: \(TargetABI.all.map(\.name).joined(separator: ", ")))")
            }
            return target
        }
        return addresses.contains { $0 > 0xFFFF_FFFF } ? .x86_64 : .arm32
    }
}

/// Tiny JSON helpers (no dependencies).
enum JSON {
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 { result += String(format: "\\u%04x", scalar.value) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }
}
