import Compressor
import Harness
import RealLink

enum ReplayCommand {
    static let command = Subcommand(
        name: "replay",
        summary: "Replay a saved case file and check that it still behaves as its 'expect:' line says.",
        usage: "replay CASE_FILE [--json]",
        discussion: """
            Reads a case file ('check --save', 'fuzz'; the format is described in
            Sources/Harness/CaseFile.swift) and reruns it:

              kind: property  the named property checks exactly the saved map, mutations, era and
                              flags. It fails when the property's verdict is a failure, passes when
                              the property holds, and does not apply when the property discards the
                              case (a mutation that no longer applies, an input the era refuses).
              kind: build     the saved layout is built as the era's kernel build links it
                              (simulate), with the case's flags and mitigations. It fails when the
                              build does not end consistent: "Inconsistent kallsyms data" (the final
                              System.map differs from the map the last tables came from) or a pass
                              whose input the era's generator refuses; it passes when the era's
                              consistency check passes.

            Prints what happened and whether it matches 'expect: fails' or 'expect: passes'. A
            failing case saved by check or fuzz must also fail for its saved 'reason:' (the same
            symbol and sizes; for a build, the same lines, passes and object sizes per pass).

            Exit status: 0 when it matches, 1 when it does not (a case that does not apply never
            matches; a failure for another reason does not match) or when the file is unreadable
            or malformed (one line FILE:LINE: message), 2 usage.

            examples:
              kallsyms-lab replay Tests/Corpus/findings/retype-invariance-v6.1-0x548b5c1a736b432.case
              kallsyms-lab check --property retype-invariance --era v6.1 --save /tmp/f && kallsyms-lab replay /tmp/f/*.case
            """,
        options: [
            OptionSpec("--json", "Print one JSON object instead of the text."),
            OptionSpec("--linker", value: "L", "Build cases: model (default), gnu or lld (a real toolchain links every image)."),
        ],
        positionals: 1...1,
        run: run)

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let path = arguments.positionals[0]
        let bytes = try Files.read(path, io: io)
        let name = displayName(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandError("\(name): not UTF-8 text (a case file is text)")
        }
        let result: CaseReplay.Result
        do {
            result = try CaseReplay.replay(text: text, linker: try LinkerArguments.toolchainKind(arguments))
        } catch let error as any LocatedError {
            throw error.located(in: name)
        } catch let error as Toolchain.Failure {
            throw CommandError("\(name): \(error.description)")
        }
        let file = result.file
        let reason = result.matchesExpectation ? try CaseReplay.checkReason(file) : .notCompared
        var matches = result.matchesExpectation
        if case .differs = reason { matches = false }
        if arguments.has("--json") {
            let (observed, detail) = parts(result.observation)
            struct JSONForm: Encodable {
                var file: String, kind: String, summary: String, observed: String, detail: String
                var expected: String, reason: String, matches: Bool
            }
            try io.out(
                JSONOutput.encode(
                    JSONForm(
                        file: path, kind: file.kind.rawValue, summary: summary(file), observed: observed, detail: detail,
                        expected: file.expectation.rawValue, reason: reasonWord(reason), matches: matches)) + "\n")
        } else {
            var text = "\(name): \(summary(file))\nobserved: \(result.observation)\n"
            switch reason {
            case .same: text += "reason: as saved\n"
            case .differs(let observed): text += "reason: DIFFERS from the saved one (\(file.reason)); now: \(observed)\n"
            case .notCompared: break
            }
            try io.out(text + "expected: \(file.expectation.rawValue) (\(matches ? "matches" : "DOES NOT MATCH"))\n")
        }
        return matches ? 0 : 1
    }

    /// `property case: retype-invariance, v6.1 --all-symbols, 4 symbols, 1 mutation`.
    static func summary(_ file: CaseFile) -> String {
        let flags = file.options.description.isEmpty ? "" : " " + file.options.description
        switch file.kind {
        case .property:
            return "property case: \(file.property ?? "?"), \(file.era)\(flags), \(count(file.map.count, "symbol")), "
                + count(file.mutations.count, "mutation")
        case .build:
            var text = "build case: \(file.era)\(flags)"
            if let target = file.target { text += ", target \(target)" }
            if !file.mitigations.isEmpty { text += ", mitigations \(file.mitigations.joined(separator: " "))" }
            if let layout = file.layout { text += ", \(count(layout.symbolCount, "symbol")) in the layout" }
            return text
        }
    }

    /// `same`, `differs`, `not compared`.
    static func reasonWord(_ check: CaseReplay.ReasonCheck) -> String {
        switch check {
        case .same: return "same"
        case .differs: return "differs"
        case .notCompared: return "not compared"
        }
    }

    static func count(_ value: Int, _ noun: String) -> String { "\(value) \(noun)\(value == 1 ? "" : "s")" }

    static func parts(_ observation: CaseReplay.Observation) -> (String, String) {
        switch observation {
        case .fails(let detail): return ("fails", detail)
        case .passes(let detail): return ("passes", detail)
        case .doesNotApply(let detail): return ("does not apply", detail)
        }
    }
}
