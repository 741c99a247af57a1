import Compressor
import Harness
import RealLink

enum ReplayCommand {
    static let command = Subcommand(
        name: "replay",
        summary: "Replay saved case files and check that each still behaves as its 'expect:' line says.",
        usage: "replay CASE_FILE... [--linker L] [--json]",
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

            With several files, each is replayed in turn and printed as it ends, then a last line
            counts them: "replayed N cases: M match, K do not (FILES)"; with --json, one object a
            line, and the count goes to standard error.
            A file that cannot be read or parsed is one line on standard error and counts as not
            matching; the others still run. --linker gnu|lld confirms a whole folder of findings
            with a real linker.

            Exit status: 0 when every case matches, 1 when one does not (a case that does not
            apply never matches; a failure for another reason does not match) or a file is
            unreadable or malformed (one line FILE:LINE: message), 2 usage.

            examples:
              kallsyms-lab replay Tests/Corpus/findings/retype-invariance-v6.1-0x548b5c1a736b432.case
              kallsyms-lab check --property retype-invariance --era v6.1 --save /tmp/f && kallsyms-lab replay /tmp/f/*.case
              kallsyms-lab replay --linker lld Tests/Corpus/findings/pass-convergence-v6.1-lld-*.case
            """,
        options: [
            OptionSpec("--json", "Print one JSON object instead of the text."),
            OptionSpec("--linker", value: "L", "Build cases: model (default), gnu or lld (a real toolchain links every image)."),
        ],
        positionals: 1...Int.max,
        run: run)

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let linker = try LinkerArguments.toolchainKind(arguments)
        let paths = arguments.positionals
        guard paths.count > 1 else { return try replay(paths[0], linker: linker, arguments, io) ? 0 : 1 }
        var matching = 0
        var failed: [String] = []
        for path in paths {
            let matches: Bool
            do {
                matches = try replay(path, linker: linker, arguments, io)
            } catch let error as CommandError {
                io.err("kallsyms-lab replay: \(error.description)\n")
                matches = false
            } catch let error as any LocatedError {
                io.err("kallsyms-lab replay: \(error.description)\n")
                matches = false
            }
            if matches { matching += 1 } else { failed.append(displayName(path)) }
        }
        var summary = "replayed \(paths.count) cases: \(matching) match, \(failed.count) do\(failed.count == 1 ? "es" : "") not"
        if !failed.isEmpty { summary += " (" + failed.prefix(5).joined(separator: ", ") + (failed.count > 5 ? ", …" : "") + ")" }
        if arguments.has("--json") { io.err(summary + "\n") } else { try io.out(summary + "\n") }
        return failed.isEmpty ? 0 : 1
    }

    /// Replays one file and prints what happened; true when it matches its expectation.
    static func replay(_ path: String, linker: Toolchain.Kind?, _ arguments: ParsedArguments, _ io: CommandIO) throws -> Bool {
        let bytes = try Files.read(path, io: io)
        let name = displayName(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandError("\(name): not UTF-8 text (a case file is text)")
        }
        let result: CaseReplay.Result
        do {
            result = try CaseReplay.replay(text: text, linker: linker)
        } catch let error as any LocatedError {
            throw error.located(in: name)
        } catch let error as Toolchain.Failure {
            // A missing linker ends a run of several files at once: no other file could run.
            throw error.missingTool ? MissingTool(description: error.description) : CommandError("\(name): \(error.description)")
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
        return matches
    }

    /// A program the replay needs is not installed.
    struct MissingTool: Error, CustomStringConvertible { var description: String }

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
