import Compressor
import Diagnostics

enum ExplainCommand {
    static let command = Subcommand(
        name: "explain",
        summary: "Explain why the kallsyms tables of two nm -n maps differ (e.g. .tmp_vmlinux2 vs vmlinux).",
        usage: "explain A B [--era E] [era flags] [--target T] [--engine NAME] [--json]",
        discussion: """
            A and B are two nm -n maps: the map the last tables were computed from and the final
            image's map (.tmp_vmlinux2 and vmlinux's nm -n, or the last .syms and System.map).
            Reports, under the era's selection rules: first a verdict in plain words, with which
            mitigation would have kept the size (each one is computed, not guessed); then the
            evidence: the differences among the kept symbols (added, removed, type changed, moved
            among equal addresses, address changed only), the table sizes of each and their
            difference, and the first compression round that chose a different pair with both
            pairs' counts and the symbols whose changes caused it. Exit status 0 whether or not the
            maps differ.

            example:
              kallsyms-lab explain --era v3.3 --all-symbols tmp_vmlinux2.map vmlinux.map
            """,
        options: EraArguments.specs + [
            EraArguments.engineSpec, TargetArgument.spec,
            OptionSpec("--json", "Print one JSON object."),
        ],
        positionals: 2...2,
        run: run)

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let choice = try KallsymsChoice(arguments)
        let (pathA, pathB) = (arguments.positionals[0], arguments.positionals[1])
        let runA = try choice.run(pathA, io: io)
        let runB = try choice.run(pathB, io: io)
        let engine = choice.engine
        let target = try TargetArgument.target(arguments, addresses: runA.parsed.symbols.addresses + runB.parsed.symbols.addresses)
        let explanation = Explanation.explain(runA, runB, target: target, engine: engine)
        if arguments.has("--json") {
            try io.out(ExplanationReport.json(explanation, a: pathA, b: pathB) + "\n")
        } else {
            try io.out(ExplanationReport.text(explanation, a: displayName(pathA), b: displayName(pathB)))
        }
        return 0
    }
}

/// Text and JSON forms of an `Explanation`.
enum ExplanationReport {
    static func text(_ e: Explanation, a: String, b: String) -> String {
        var lines: [String] = []
        let flags = e.options.description.isEmpty ? "" : " " + e.options.description
        lines.append("A = \(a)")
        lines.append("B = \(b)")
        lines.append("era \(e.era)\(flags), target \(e.target)")
        lines.append("")
        // The verdict is what a reader came for; the evidence follows it.
        lines.append("verdict: " + e.verdict)
        lines.append("")
        let changes = e.difference.changes
        lines.append(
            "kept symbols that differ: \(changes.count)"
                + (changes.isEmpty
                    ? ""
                    : " ("
                        + SymbolChange.Kind.allCases.compactMap { kind in
                            let n = e.difference.changes(of: kind).count
                            return n == 0 ? nil : "\(n) \(kind.rawValue)"
                        }.joined(separator: ", ") + ")"))
        for change in changes.prefix(40) {
            let before = change.before.map { "\(String($0.address, radix: 16)) \(letter($0.type))" } ?? "-"
            let after = change.after.map { "\(String($0.address, radix: 16)) \(letter($0.type))" } ?? "-"
            lines.append(
                "  " + change.kind.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + printable(change.name).padding(toLength: 32, withPad: " ", startingAt: 0)
                    + " \(before) -> \(after)")
        }
        if changes.count > 40 { lines.append("  … \(changes.count - 40) more") }
        lines.append("")
        lines.append("table".padding(toLength: 24, withPad: " ", startingAt: 0) + "A".leftPad(10) + "B".leftPad(10) + "delta".leftPad(8))
        let names = (e.layoutA.entries.map(\.name) + e.layoutB.entries.map(\.name)).reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        for name in names {
            let sizeA = e.layoutA.size(of: name) ?? 0, sizeB = e.layoutB.size(of: name) ?? 0
            lines.append(
                name.padding(toLength: 24, withPad: " ", startingAt: 0) + String(sizeA).leftPad(10)
                    + String(sizeB).leftPad(10) + signed(sizeB - sizeA).leftPad(8))
        }
        lines.append(
            "total (aligned)".padding(toLength: 24, withPad: " ", startingAt: 0) + String(e.layoutA.totalSize).leftPad(10)
                + String(e.layoutB.totalSize).leftPad(10) + signed(e.totalDelta).leftPad(8))
        lines.append("")
        if let d = e.divergence {
            lines.append("first different round: \(d.round) (code 0x\(String(d.code, radix: 16)))")
            lines.append("  A chose \"\(printable(d.choiceInA))\" (count \(d.countInA)); \"\(printable(d.choiceInB))\" had \(d.countOfChoiceBInA)")
            lines.append("  B chose \"\(printable(d.choiceInB))\" (count \(d.countInB)); \"\(printable(d.choiceInA))\" had \(d.countOfChoiceAInB)")
            for culprit in d.culprits.prefix(10) {
                lines.append(
                    "  caused by \(printable(culprit.name)): \"\(printable(d.choiceInA))\" \(signed(culprit.deltaA)), "
                        + "\"\(printable(d.choiceInB))\" \(signed(culprit.deltaB))")
            }
        } else {
            lines.append("compression: every round chose the same pair (same token table)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `--json` form (keys sorted; `before`, `after` and `divergence` absent when none).
    struct JSONForm: Encodable {
        struct Symbol: Encodable { var address: String, type: String }
        struct Change: Encodable { var kind: String, name: String, before: Symbol?, after: Symbol? }
        struct Culprit: Encodable { var name: String, deltaA: Int, deltaB: Int }
        struct Divergence: Encodable {
            var round: Int, code: Int
            var choiceInA: String, countInA: Int, countOfChoiceBInA: Int
            var choiceInB: String, countInB: Int, countOfChoiceAInB: Int
            var culprits: [Culprit]
        }
        var a: String, b: String, era: String, flags: String, target: String
        var changes: [Change]
        var sizesA: [String: Int], sizesB: [String: Int]
        var namesDelta: Int, totalDelta: Int, changedPairs: Int
        var divergence: Divergence?
        var mitigations: [String]
        var verdict: String
    }

    static func json(_ e: Explanation, a: String, b: String) throws -> String {
        func symbol(_ s: KeptSymbol?) -> JSONForm.Symbol? {
            s.map { JSONForm.Symbol(address: String($0.address, radix: 16), type: letter($0.type)) }
        }
        func sizes(_ l: TableLayout) -> [String: Int] {
            var sizes = Dictionary(l.entries.map { ($0.name, $0.size) }, uniquingKeysWith: { first, _ in first })
            sizes["total"] = l.totalSize
            return sizes
        }
        let divergence = e.divergence.map { d in
            JSONForm.Divergence(
                round: d.round, code: Int(d.code), choiceInA: printable(d.choiceInA), countInA: d.countInA,
                countOfChoiceBInA: d.countOfChoiceBInA, choiceInB: printable(d.choiceInB), countInB: d.countInB,
                countOfChoiceAInB: d.countOfChoiceAInB,
                culprits: d.culprits.map { JSONForm.Culprit(name: printable($0.name), deltaA: $0.deltaA, deltaB: $0.deltaB) })
        }
        return try JSONOutput.encode(
            JSONForm(
                a: a, b: b, era: "\(e.era)", flags: e.options.description, target: "\(e.target)",
                changes: e.difference.changes.map {
                    JSONForm.Change(kind: $0.kind.rawValue, name: printable($0.name), before: symbol($0.before), after: symbol($0.after))
                },
                sizesA: sizes(e.layoutA), sizesB: sizes(e.layoutB), namesDelta: e.namesDelta, totalDelta: e.totalDelta,
                changedPairs: e.changedPairCount, divergence: divergence, mitigations: e.mitigations, verdict: e.verdict))
    }

    static func letter(_ type: UInt8) -> String { String(Character(Unicode.Scalar(type))) }
    static func signed(_ value: Int) -> String { value > 0 ? "+\(value)" : "\(value)" }
}
