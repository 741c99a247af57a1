import Compressor
import Generators
import Randomness

enum GenerateCommand {
    static let command = Subcommand(
        name: "generate",
        summary: "Generate a random nm -n map from a profile (the built-in ARM one by default).",
        usage: "generate [--profile arm|FILE] [--symbols N] [--seed S] [--output FILE]",
        discussion: """
            Draws a map of N symbols (default: as many as the profile's source map) in nm -n order:
            32-bit ARM-like addresses, regions with their markers, equal-address groups, the weak
            alias block, and names built from the profile's vocabulary. The same profile, N and seed
            always give the same map. Without --seed a fresh seed is drawn and printed on standard
            error as 'seed: S', so the run can be replayed. Tested for N from 1 to 250000.

            examples:
              kallsyms-lab generate --symbols 20000 --seed 42 > random.map
              kallsyms-lab generate --profile profile.json --seed 0x2a --output random.map
            """,
        options: [
            OptionSpec("--profile", value: "P", "arm (built in, default) or a JSON file from 'kallsyms-lab profile'."),
            OptionSpec("--symbols", value: "N", "Number of symbols, 1 or more (default: the profile's size)."),
            OptionSpec("--seed", value: "S", "Seed, decimal or 0x-hex (default: a fresh one, printed on stderr)."),
            OptionSpec("--output", value: "FILE", "Write the map here (atomically) instead of standard output."),
        ],
        positionals: 0...0,
        run: run)

    static let largestMap = 10_000_000

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let profile = try ProfileArgument.profile(arguments.value("--profile"), io: io)
        var count = profile.symbolCount
        if let text = arguments.value("--symbols") {
            guard let value = Int(text), value >= 1, value <= largestMap else {
                throw UsageError("--symbols takes a number from 1 to \(largestMap), not \"\(text)\"")
            }
            count = value
        }
        let seed: UInt64
        if let text = arguments.value("--seed") {
            guard let value = SeedArgument.parse(text) else {
                throw UsageError("--seed takes a 64-bit number (decimal or 0x-hex), not \"\(text)\"")
            }
            seed = value
        } else {
            var system = SystemRandomNumberGenerator()
            seed = system.next()
            io.err("seed: \(seed)\n")
        }
        guard count >= 1 else { throw CommandError("the profile describes an empty map; give --symbols N") }
        var rng = SeededRandom(seed: seed)
        let records = SymbolSetGenerator(profile: profile).generate(symbols: count, using: &rng)
        let text = MapWriter.write(records, addressWidth: profile.addressWidth)
        if let output = arguments.value("--output") {
            try Files.writeAtomically(text, to: output)
        } else {
            try io.writeStandardOutput(text)
        }
        return 0
    }
}

/// `--profile arm` or a JSON file.
enum ProfileArgument {
    static func profile(_ value: String?, io: CommandIO) throws -> Profile {
        guard let value, value != "arm" else { return Profile.arm }
        return try withInput(value, io: io) { try Profile(json: $0) }
    }
}

/// Seeds: decimal or `0x` hexadecimal 64-bit numbers.
enum SeedArgument {
    static func parse(_ text: String) -> UInt64? {
        let lowered = text.lowercased()
        if lowered.hasPrefix("0x") { return UInt64(lowered.dropFirst(2), radix: 16) }
        return UInt64(text)
    }
}
