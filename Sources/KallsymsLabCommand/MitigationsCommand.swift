import Compressor
import Foundation
import Generators
import Harness
import LinkModel

enum MitigationsCommand {
    static let command = Subcommand(
        name: "mitigations",
        summary: "Build the same generated layouts under no mitigation and under each one; print a table.",
        usage: "mitigations [--era E] [era flags] [--cases N] [--seed S] [--jobs N] [--symbols N] [--shape SHAPE] "
            + "[--arch A] [--text-size MIN-MAX] [--call-profile FILE] [--linker L [--linker-option OPT]…] [--nm N] [--model-rules L] [--json]",
        discussion: """
            Generates N layouts (case i of seed S: the layouts fuzz generates with the same seed and
            --symbols) and builds each with the era's build under no mitigation, extra-pass,
            fixed-point=8, pad=64 (about a cache line per table), pad=4096 (a page per table),
            uncompressed-type and reuse-tokens. For each it prints the failure rate ("Inconsistent
            kallsyms data"), how many builds changed the kallsyms object's size between passes, the
            mean and worst number of linked passes, the extra bytes of the kallsyms object in the
            image against no mitigation on the same layout (mean and worst: padding and table-format
            costs), and fixed-point cycles. Pass 1's compression is shared by every row of a layout.

            --linker gnu|lld links every build with that real linker (much slower; pad=B rows are left
            out; --linker-option OPT, repeatable, is given to every link, e.g. LLD's --pic-veneer),
            --nm chooses the letters (default: the era's own time, docs/linkers.md), --model-rules
            gnu|lld whose branch-stub rules the model follows (default: the --linker's, else gnu).
            --arch arm|thumb2|arm64, --text-size and --call-profile draw today's shapes with calls, as
            in fuzz (see 'fuzz --help').

            Era flags: --all-symbols when none is given. Defaults: 100 cases, a random seed (printed),
            107103 symbols, shapes drawn per case, all cores. Ctrl-C or SIGTERM prints the table of
            the cases done so far. Exit status: 0, or 2 for a usage error.

            example:
              kallsyms-lab mitigations --era v3.3 --cases 1000 --seed 1 --jobs 2
            """,
        options: EraArguments.specs + [
            OptionSpec("--cases", value: "N", "How many layouts (default 100).")
        ] + CampaignOptions.layoutSpecs(symbols: "layout") + [
            OptionSpec("--json", "Print one JSON object."),
            LinkerArguments.linkerSpec, LinkerArguments.optionSpec, LinkerArguments.nmSpec, LinkerArguments.rulesSpec,
        ],
        positionals: 0...0,
        run: { try run($0, $1, cancellation: CampaignCancellation()) })

    static func run(_ arguments: ParsedArguments, _ io: CommandIO, cancellation: CampaignCancellation) throws -> Int32 {
        let era = try EraArguments.era(arguments)
        var configuration = MitigationComparison.Configuration(
            era: era, kallsyms: try CampaignOptions.flags(arguments, era: era),
            cases: try CampaignOptions.count(arguments, "--cases") ?? 100, seed: try CampaignOptions.seed(arguments),
            symbols: try CampaignOptions.count(arguments, "--symbols") ?? LayoutGenerator.armSized,
            shape: try CampaignOptions.shape(arguments), jobs: try CampaignOptions.jobs(arguments))
        configuration.letters = try LinkerArguments.letters(arguments)
        configuration.modern = try CampaignOptions.modern(arguments, io: io)
        configuration.rules = try LinkerArguments.rules(arguments, realOption: "--linker")
        configuration.linkerOptions = try LinkerArguments.linkerOptions(arguments, realOption: "--linker")
        if let kind = try LinkerArguments.toolchainKind(arguments) {
            _ = try LinkerArguments.toolchain(kind, target: configuration.architecture?.target ?? .arm32)
            configuration.linker = kind
            // pad=B has no real counterpart: its rows are left out rather than counted refused.
            configuration.rows = configuration.rows.filter { row in !row.contains { if case .pad = $0 { return true } else { return false } } }
            io.err("mitigations: linking with \(kind) (pad=B rows left out: no real counterpart)\n")
        }
        io.err("mitigations: \(heading(configuration))\n")
        let signals = SignalStop(cancellation)
        defer { signals.restore() }
        let progress = ProgressLine(io: io, unit: "layouts")
        let total = configuration.cases
        let table = MitigationComparison(configuration).run(cancellation: cancellation) { done in
            progress.update(done, total)
        }
        progress.finish()
        try io.out(arguments.has("--json") ? try json(table, configuration) + "\n" : text(table, configuration))
        return 0
    }

    static func heading(_ configuration: MitigationComparison.Configuration) -> String {
        var text = "era \(configuration.era)"
        if !configuration.kallsyms.description.isEmpty { text += " \(configuration.kallsyms.description)" }
        text +=
            ", nm \(configuration.letters ?? .ofItsTime(configuration.era)), linker \(configuration.linker.map { ([$0.rawValue] + configuration.linkerOptions).joined(separator: " ") } ?? configuration.rules.map { "model (\($0) rules)" } ?? "model")"
        return text + ", \(configuration.cases) layouts of \(configuration.symbols) symbols, seed 0x"
            + String(configuration.seed, radix: 16) + ", shapes " + (configuration.shape?.description ?? "drawn per case")
            + ", \(configuration.jobs) job\(configuration.jobs == 1 ? "" : "s")"
    }

    static func text(_ table: MitigationComparison.Table, _ configuration: MitigationComparison.Configuration) -> String {
        var lines = ["mitigations: " + heading(configuration)]
        let header = ["mitigation", "failures", "rate", "size changed", "mean passes", "worst", "extra bytes mean", "worst", "cycles"]
        var rows = [header]
        for row in table.rows {
            rows.append([
                row.label, "\(row.failures)/\(row.cases)", String(format: "%.1f %%", row.failureRate * 100),
                "\(row.sizeChanges)", String(format: "%.2f", row.meanPasses), "\(row.worstPasses)",
                String(format: "%.0f", row.meanExtraBytes), "\(row.worstExtraBytes)", "\(row.cycles)",
            ])
        }
        lines += TextTable.lines(rows) { $0 > 0 }
        let failed = table.rows.filter { !$0.failedCases.isEmpty }
        if !failed.isEmpty {
            lines.append(
                "failed layouts (see one: kallsyms-lab fuzz --seed 0x\(String(configuration.seed, radix: 16))"
                    + (configuration.symbols == LayoutGenerator.armSized ? "" : " --symbols \(configuration.symbols)")
                    + (configuration.shape.map { " --shape \($0)" } ?? "") + " --print-layout N):")
            for row in failed {
                let shown = row.failedCases.prefix(20).map(String.init).joined(separator: " ")
                lines.append("  \(row.label): \(shown)" + (row.failedCases.count > 20 ? " … (\(row.failedCases.count) in all)" : ""))
            }
        }
        let refused = table.rows.map(\.refused).reduce(0, +)
        if refused > 0 { lines.append("(\(refused) builds were refused by the generator and count as neither)") }
        lines.append(
            String(
                format: "%d layouts, %d builds in %.1f s: %.2f builds/s; compressions: %d computed, %d reused",
                table.cases, table.builds, table.elapsedSeconds, Double(table.builds) / max(table.elapsedSeconds, 1e-9),
                table.compressions, table.reusedCompressions) + (table.cancelled ? " (stopped early)" : ""))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `--json` form (keys sorted; `shape` absent when drawn per case).
    struct JSONForm: Encodable {
        struct Row: Encodable {
            var mitigation: String, cases: Int, failures: Int, failureRate: Double, refused: Int, sizeChanges: Int
            var meanPasses: Double, worstPasses: Int, meanExtraBytes: Double, worstExtraBytes: Int, cycles: Int
            var failedCases: [Int]
        }
        var era: String, flags: String, seed: String, symbols: Int, shape: String?
        var cases: Int, builds: Int, compressions: Int, reusedCompressions: Int, elapsedSeconds: Double, cancelled: Bool
        var rows: [Row]
    }

    static func json(_ table: MitigationComparison.Table, _ configuration: MitigationComparison.Configuration) throws -> String {
        func number(_ value: Double) -> Double { value.isFinite ? value : 0 }
        return try JSONOutput.encode(
            JSONForm(
                era: "\(configuration.era)", flags: configuration.kallsyms.description,
                seed: "0x" + String(configuration.seed, radix: 16), symbols: configuration.symbols,
                shape: configuration.shape?.description, cases: table.cases, builds: table.builds,
                compressions: table.compressions, reusedCompressions: table.reusedCompressions,
                elapsedSeconds: number(table.elapsedSeconds), cancelled: table.cancelled,
                rows: table.rows.map { row in
                    JSONForm.Row(
                        mitigation: row.label, cases: row.cases, failures: row.failures, failureRate: number(row.failureRate),
                        refused: row.refused, sizeChanges: row.sizeChanges, meanPasses: number(row.meanPasses),
                        worstPasses: row.worstPasses, meanExtraBytes: number(row.meanExtraBytes),
                        worstExtraBytes: row.worstExtraBytes, cycles: row.cycles, failedCases: row.failedCases)
                }))
    }
}
