import Compressor
import Diagnostics
import Foundation

enum SensitivityCommand {
    static let kinds = ["retype", "delete", "reorder"]

    static let command = Subcommand(
        name: "sensitivity",
        summary: "Find the single-symbol changes that would change a map's kallsyms_names size.",
        usage: "sensitivity MAP [--era E] [era flags] [--mutations retype,delete,reorder] [--top N] [--jobs N] [--json]",
        discussion: """
            For every kept symbol, tries each mutation and reports whether it changes the size of
            kallsyms_names, and by how many bytes. retype flips text and data (T<->D, t<->d, R/B ->
            D, r/b -> d, any other letter -> D, or d when lower case); delete removes the symbol;
            reorder moves it to the front of the symbols sharing its address (that never changes
            the size: pair counts do not depend on order). Each answer replays only the changed
            symbol through the baseline's compression rounds and falls back to a full
            recompression when a round would choose a different pair, so it is exact. Prints the
            number of fragile symbols, the top N by size change and a histogram; --json prints one
            object whose "results" hold every mutation tried. A deletion the generator refuses (the
            last kept symbol, a marker it needs) is reported as refused, with its reason, not as a size.

            example:
              kallsyms-lab sensitivity --era v6.1 --base-relative System.map --top 10
            """,
        options: EraArguments.specs + [
            EraArguments.engineSpec,
            OptionSpec("--mutations", value: "LIST", "Comma-separated: retype, delete, reorder (default retype)."),
            OptionSpec("--top", value: "N", "How many of the largest changes to list (default 20)."),
            OptionSpec("--jobs", value: "N", "Threads (default: all cores)."),
            OptionSpec("--json", "Print one JSON object with every result."),
        ],
        positionals: 1...1,
        run: run)

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let choice = try KallsymsChoice(arguments)
        let engine = choice.engine
        let chosen = Set((arguments.value("--mutations") ?? "retype").split(separator: ",").map(String.init))
        for kind in chosen where !kinds.contains(kind) {
            throw UsageError("unknown mutation \(kind) (known: \(kinds.joined(separator: ", ")))")
        }
        guard let top = Int(arguments.value("--top") ?? "20"), top >= 0 else { throw UsageError("--top takes a count") }
        guard let jobs = Int(arguments.value("--jobs") ?? String(ProcessInfo.processInfo.activeProcessorCount)), jobs > 0 else {
            throw UsageError("--jobs takes a positive count")
        }
        let path = arguments.positionals[0]
        let run = try choice.run(path, io: io)
        let clock = ContinuousClock()
        let start = clock.now
        let analysis = SensitivityAnalysis(run: run, engine: engine)
        let progress = ProgressLine(io: io)
        let results = analysis.evaluateAll(kinds: chosen, jobs: jobs) { done, total in progress.update(done, total) }
        progress.finish()
        let elapsed = clock.now - start
        let width = run.parsed.symbols.addresses.contains { $0 > 0xFFFF_FFFF } ? 16 : 8
        let report = SensitivityReport(analysis: analysis, results: results, width: width, elapsed: elapsed, jobs: jobs)
        try io.out(arguments.has("--json") ? report.json(map: path) + "\n" : report.text(map: displayName(path), top: top))
        return 0
    }
}

/// Text and JSON forms of a sensitivity run.
struct SensitivityReport {
    let analysis: SensitivityAnalysis
    let results: [SensitivityAnalysis.Result]
    let width: Int
    let elapsed: Duration
    let jobs: Int

    func mutation(_ result: SensitivityAnalysis.Result) -> String {
        let symbol = analysis.selection.symbols[result.symbol]
        switch result.change {
        case .retype(let type): return "retype \(letter(symbol.type))->\(letter(type))"
        case .delete: return "delete"
        case .reorderToFront: return "reorder to front"
        }
    }

    func letter(_ type: UInt8) -> String { String(Character(Unicode.Scalar(type))) }
    func address(_ value: UInt64) -> String { String(value, radix: 16).leftPad(width, "0") }

    var fragileSymbols: Int { Set(results.filter { $0.namesDelta != 0 }.map(\.symbol)).count }

    func text(map: String, top: Int) -> String {
        var lines: [String] = []
        let symbols = analysis.selection.symbols
        let flags = analysis.options.description.isEmpty ? "" : " " + analysis.options.description
        lines.append("\(map): era \(analysis.era)\(flags), \(symbols.count) kept symbols, kallsyms_names \(analysis.namesSize) bytes")
        var byKind: [String: Int] = [:]
        for result in results { byKind[mutation(result).split(separator: " ").first.map(String.init) ?? "", default: 0] += 1 }
        lines.append("mutations tried: " + byKind.keys.sorted().map { "\($0) \(byKind[$0]!)" }.joined(separator: ", "))
        let fragile = fragileSymbols
        let percent = symbols.isEmpty ? 0 : Double(fragile) * 100 / Double(symbols.count)
        lines.append("fragile symbols: \(fragile) (\(String(format: "%.1f", percent)) % of the kept symbols) change the size of kallsyms_names")
        let recompressed = results.filter(\.recompressed).count
        lines.append(
            "answered by replaying one symbol: \(results.count - recompressed); by a full recompression: \(recompressed); "
                + "\(formatted(elapsed)) on \(jobs) thread\(jobs == 1 ? "" : "s")")
        let refused = results.filter { $0.refusal != nil }
        if let first = refused.first {
            lines.append(
                "refused by the generator (no size, left out of the histogram): \(refused.count), e.g. "
                    + "\(mutation(first)) \(printable(symbols[first.symbol].name)): \(first.refusal!)")
        }
        let changing = results.filter { $0.namesDelta != 0 }
            .sorted { abs($0.namesDelta) != abs($1.namesDelta) ? abs($0.namesDelta) > abs($1.namesDelta) : $0.symbol < $1.symbol }
        if top > 0 && !changing.isEmpty {
            lines.append("")
            lines.append("largest changes:")
            lines.append("  delta  mutation          address" + String(repeating: " ", count: max(0, width - 7)) + "  name")
            for result in changing.prefix(top) {
                let symbol = symbols[result.symbol]
                lines.append(
                    "  " + (result.namesDelta > 0 ? "+\(result.namesDelta)" : "\(result.namesDelta)").leftPad(5)
                        + "  " + mutation(result).padding(toLength: 16, withPad: " ", startingAt: 0)
                        + "  " + address(symbol.address) + "  " + printable(symbol.name))
            }
        }
        var histogram: [Int: Int] = [:]
        for result in results where result.refusal == nil { histogram[result.namesDelta, default: 0] += 1 }
        lines.append("")
        lines.append("histogram of the change in kallsyms_names bytes:")
        if histogram.isEmpty { lines.append("  (no mutation has a size)") }
        let largest = histogram.values.max() ?? 1
        for delta in histogram.keys.sorted() {
            let bar = String(repeating: "#", count: max(1, histogram[delta]! * 40 / largest))
            lines.append("  " + (delta > 0 ? "+\(delta)" : "\(delta)").leftPad(5) + "  " + String(histogram[delta]!).leftPad(7) + "  " + bar)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `--json` form (keys sorted): each result has `namesDelta`, or `refused` when the
    /// generator refused the changed map.
    struct JSONForm: Encodable {
        struct Result: Encodable {
            var name: String, address: String, type: String, mutation: String
            var namesDelta: Int?, refused: String?
        }
        var map: String, era: String, flags: String
        var keptSymbols: Int, namesSize: Int, fragileSymbols: Int
        var results: [Result]
    }

    func json(map: String) throws -> String {
        let symbols = analysis.selection.symbols
        return try JSONOutput.encode(
            JSONForm(
                map: map, era: "\(analysis.era)", flags: analysis.options.description, keptSymbols: symbols.count,
                namesSize: analysis.namesSize, fragileSymbols: fragileSymbols,
                results: results.map { result in
                    let symbol = symbols[result.symbol]
                    return JSONForm.Result(
                        name: printable(symbol.name), address: address(symbol.address), type: letter(symbol.type),
                        mutation: mutation(result), namesDelta: result.refusal == nil ? result.namesDelta : nil,
                        refused: result.refusal)
                }))
    }

    func formatted(_ duration: Duration) -> String {
        String(format: "%.1f s", duration.inSeconds)
    }
}
