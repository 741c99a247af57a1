import Compressor
import Generators

enum MutateCommand {
    static let command = Subcommand(
        name: "mutate",
        summary: "Apply mutations (retype, reorder, realign, stubs, rename, insert, delete) to an nm -n map.",
        usage: "mutate [--mutations FILE] [--output FILE] MAP [MUTATION...]",
        discussion: """
            Reads MAP (- for standard input), applies the mutations of --mutations FILE (one per line,
            # comments) and then each MUTATION argument (one whole mutation per argument: quote it),
            in order, and prints the mutated map in nm -n order. Each mutation refers to the map as
            the ones before it left it. SYMBOL is NAME[@ADDRESS][#N] (N-th match, from 0); names
            escape blanks, \\, @ and # as \\xHH.

              retype SYMBOL TYPE                 reorder ADDRESS I,J,...
              realign SYMBOL +-DELTA             insert-stub KIND TARGET ADDRESS
              remove-stub SYMBOL                 rename SYMBOL NAME
              insert ADDRESS TYPE NAME           delete SYMBOL

            Stub kinds: \(StubKind.allCases.map(\.rawValue).joined(separator: ", ")).
            A mutation that does not apply (no such symbol, ...) is an error (exit status 1).

            example:
              kallsyms-lab mutate System.map 'retype __per_cpu_end@c1334fd4 T' 'realign __init_end -0x2c'
            """,
        options: [
            OptionSpec("--mutations", value: "FILE", "Apply the mutations in FILE (one per line) first."),
            OptionSpec("--output", value: "FILE", "Write the map here (atomically) instead of standard output."),
        ],
        positionals: 1...Int.max,
        run: run)

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let path = arguments.positionals[0]
        var steps: [(mutation: Mutation, origin: String)] = []
        if let file = arguments.value("--mutations") {
            let text = String(decoding: try Files.read(file, io: io), as: UTF8.self)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: [" ", "\t", "\r"])
                guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
                let origin = "\(displayName(file)):\(number + 1)"
                do {
                    steps.append((try Mutation(parsing: trimmed), origin))
                } catch let error as MutationSyntaxError {
                    throw CommandError("\(origin): \(error.message)")
                }
            }
        }
        for (index, text) in arguments.positionals.dropFirst().enumerated() {
            let origin = "\(displayName(path)): mutation \(index + 1) (\(text))"
            do {
                steps.append((try Mutation(parsing: text), origin))
            } catch let error as MutationSyntaxError {
                throw UsageError("\(origin): \(error.message)")
            }
        }
        let parsed = try withInput(path, io: io) { try MapInput.parse($0) }
        for warning in parsed.warnings { io.err(warning.located(in: displayName(path)) + "\n") }
        var map = parsed.records
        for step in steps {
            do {
                map = try step.mutation.apply(to: map)
            } catch let error as MutationError {
                throw CommandError("\(step.origin): \(error.message)")
            }
        }
        let text = MapWriter.write(map)
        if let output = arguments.value("--output") {
            try Files.writeAtomically(text, to: output)
        } else {
            try io.writeStandardOutput(text)
        }
        return 0
    }
}

extension Substring {
    func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
