import Compressor
import Foundation
import Generators
import LinkModel
import RealLink

/// The text and JSON forms of a `simulate` run.
enum SimulateReport {
    /// `--compare-model`: per image, the lines where the model's map differs from the real one.
    static func comparison(_ comparisons: [MapComparison], result: BuildResult, width: Int, limit: Int) -> String {
        var lines = [
            "",
            "model vs real linker (known differences left out: "
                + MapComparison.knownDifferences.map { $0.split(separator: ":").first.map(String.init) ?? $0 }
                .joined(separator: "; ") + ")",
        ]
        let images = result.passes.compactMap(\.image) + (result.vmlinux == nil ? [] : ["vmlinux"])
        for (index, comparison) in comparisons.enumerated() {
            let image = index < images.count ? images[index] : "image \(index + 1)"
            if comparison.agrees {
                lines.append("  \(image): identical (\(comparison.realLines) lines)")
                continue
            }
            lines.append(
                "  \(image): \(comparison.onlyInModel.count) lines only in the model, \(comparison.onlyInReal.count) only in the real map"
                    + (comparison.firstOrderDifference.map { "; same lines, order differs from line \($0)" } ?? ""))
            for record in comparison.onlyInModel.prefix(limit) { lines.append("    model: " + line(record, width: width)) }
            for record in comparison.onlyInReal.prefix(limit) { lines.append("    real:  " + line(record, width: width)) }
        }
        let agreeing = comparisons.filter(\.agrees).count
        lines.append("  \(agreeing) of \(comparisons.count) maps identical")
        return lines.joined(separator: "\n") + "\n"
    }

    static func line(_ record: SymbolRecord, width: Int) -> String {
        let hex = String(record.address, radix: 16)
        return String(repeating: "0", count: max(0, width - hex.count)) + hex + " " + String(UnicodeScalar(record.type))
            + " " + String(decoding: record.name, as: UTF8.self)
    }

    static func text(_ result: BuildResult, layout: Layout, source: String, scenario: Scenario?, limit: Int) -> String {
        let options = result.options
        let rules = options.era.build
        let width = layout.target.pointerSize * 2
        var lines: [String] = []
        let flags = options.kallsyms.description
        lines.append(
            "simulate \(source): era \(options.era)\(flags.isEmpty ? "" : " " + flags), target \(layout.target), "
                + "mitigations: \(options.mitigations.isEmpty ? "none" : options.mitigations.map(\.description).joined(separator: " "))")
        lines.append(
            "links: \(options.linker == .gnu ? "GNU ld's" : "LLD's") rules for empty sections; nm: \(options.effectiveLetters) letters"
                + (options.letters == nil ? " (the era's own time)" : ""))
        lines.append(
            "layout\(layout.name.map { " " + $0 } ?? ""): \(layout.sections.count) sections, "
                + "\(layout.symbolCount) symbols, base 0x\(String(layout.base, radix: 16))")
        var previous: BuildPass?
        for pass in result.passes {
            lines.append("")
            if pass.number == 0 {
                lines.append("pass 0  kallsyms on an empty .tmp_vmlinux0.syms: every table label exists from the first link")
            } else {
                let linked =
                    pass.linkedWithPass.map { number -> String in
                        let object = result.passes.first { $0.number == number }!.output.object
                        return "linked with \(rules.objectName(pass: number)) (\(object.size) bytes)"
                    } ?? "linked without a kallsyms object"
                let weak =
                    pass.map.undefinedWeak.isEmpty
                    ? ""
                    : "; \(pass.map.undefinedWeak.count) kallsyms tables undefined weak (w, no address)"
                lines.append("pass \(pass.number)  \(pass.image ?? "")  \(linked)\(weak)")
                if let before = previous, before.number > 0 {
                    lines += changes(
                        MapChanges(from: before.map.symbols, to: pass.map.symbols),
                        versus: before.image ?? "", width: width, limit: limit)
                }
            }
            lines.append("  kallsyms: \(pass.input.count) symbols read, \(pass.output.symbolsKept) kept, \(work(pass.output.work))")
            lines.append("  tables: " + tables(pass.output, previous: previous?.output))
            previous = pass
        }
        if let vmlinux = result.vmlinux, let last = result.passes.last {
            lines.append("")
            lines.append("vmlinux  linked with \(rules.objectName(pass: last.number)) (\(last.output.object.size) bytes)")
            lines += changes(
                MapChanges(from: last.map.symbols, to: vmlinux.symbols), versus: last.image ?? "",
                width: width, limit: limit)
            let reference = rules.referenceName(lastPass: last.number)
            lines.append("check: System.map (mksysmap of vmlinux) vs \(reference) (mksysmap of \(last.image ?? ""))")
        }
        if let cycle = result.cycle {
            lines.append("fixed point: not reached; the objects repeat every \(cycle.period) passes from pass \(cycle.firstPass)")
        } else if let limit = options.fixedPointLimit, !result.isConsistent, result.linkedPasses.count >= limit {
            lines.append("fixed point: not reached in \(limit) passes")
        }
        switch result.outcome {
        case .consistent(let passes):
            lines.append("  identical: the tables were computed from the map vmlinux has")
            lines.append("")
            let zero = result.passes.first?.number == 0 ? " (and pass 0)" : ""
            lines.append("outcome: consistent after \(passes) passes\(zero)")
        case .inconsistent(let mismatch):
            lines.append("  \(mismatch.differingLines) lines differ; the first:")
            for sample in mismatch.samples.prefix(limit) {
                let old = sample.reference.map { "-" + line($0, width) } ?? "-(none)"
                let new = sample.systemMap.map { "+" + line($0, width) } ?? "+(none)"
                lines.append("    line \(sample.line)".padding(toLength: 16, withPad: " ", startingAt: 0) + old)
                lines.append(String(repeating: " ", count: 16) + new)
            }
            if let explanation = result.explanation() { lines += why(explanation, rules: rules) }
            lines.append("")
            lines.append("outcome: Inconsistent kallsyms data (after \(result.linkedPasses.count) passes)")
        case .generatorFailed(let pass, let error):
            lines.append("")
            lines.append("outcome: build error: the \(options.era) generator refused pass \(pass)'s input: \(error.description)")
        }
        if let scenario, scenario.era == options.era, scenario.kallsyms == options.kallsyms {
            lines.append("")
            lines.append("about \(scenario.name):")
            lines += wrap(scenario.explanation, width: 100, indent: "  ")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func why(_ explanation: BuildResult.Explanation, rules: EraBuild) -> [String] {
        var causes: [String] = explanation.inputChanges.letters.map {
            "\(printable($0.name)) \(letter($0.oldLetter)) -> \(letter($0.newLetter))"
        }
        causes += explanation.inputChanges.added.map { "\(printable($0.name)) appeared" }
        causes += explanation.inputChanges.removed.map { "\(printable($0.name)) disappeared" }
        var text = "why: between pass \(explanation.previousPass) and pass \(explanation.lastPass) "
        if causes.isEmpty {
            text += "no symbol changed letter or appeared, yet the tables changed. "
        } else {
            let shown = causes.prefix(8).joined(separator: ", ") + (causes.count > 8 ? ", … (\(causes.count) in all)" : "")
            text += "the strings kallsyms compresses changed (\(shown)). "
        }
        let tables = explanation.tableChanges.map { "\($0.name) \($0.old) -> \($0.new)" }.joined(separator: ", ")
        let delta = explanation.newObjectSize - explanation.oldObjectSize
        text +=
            "The tables changed (\(tables)) and the object went from \(explanation.oldObjectSize) to "
            + "\(explanation.newObjectSize) bytes (\(signed(delta))). vmlinux holds pass \(explanation.lastPass)'s object, "
            + "\(rules.imageName(pass: explanation.lastPass)) held pass \(explanation.previousPass)'s: "
            + "\(explanation.finalChanges.movedCount) symbols moved and \(explanation.finalChanges.letters.count) changed letter "
            + "between them, so System.map cannot equal the map the last tables were computed from."
        return [""] + wrap(text, width: 100, indent: "")
    }

    static func changes(_ changes: MapChanges, versus image: String, width: Int, limit: Int) -> [String] {
        if changes.isEmpty { return ["  same map as \(image)"] }
        var lines = [
            "  vs \(image): \(changes.letters.count) letters, \(changes.reordered.count) order, "
                + "\(changes.movedCount) addresses changed; \(changes.added.count) appeared, \(changes.removed.count) disappeared"
        ]
        for change in changes.letters.prefix(limit) {
            lines.append(
                "    letter    \(printable(change.name)) \(letter(change.oldLetter)) -> \(letter(change.newLetter))  "
                    + "\(hex(change.oldAddress, width)) -> \(hex(change.newAddress, width))")
        }
        more(changes.letters.count, limit, &lines)
        for change in changes.reordered.prefix(limit) {
            lines.append(
                "    order     \(printable(change.name))  \(hex(change.oldAddress, width)) -> \(hex(change.newAddress, width)), "
                    + "now after \(change.nowAfter.map { printable($0) } ?? "nothing")")
        }
        more(changes.reordered.count, limit, &lines)
        for shift in changes.shifts.prefix(limit) {
            lines.append(
                "    address   \(signedHex(shift.delta)) from \(printable(shift.first)) (\(hex(shift.from, width))) on, "
                    + "\(shift.count) symbol\(shift.count == 1 ? "" : "s")")
        }
        more(changes.shifts.count, limit, &lines, noun: "runs")
        for record in changes.added.prefix(limit) { lines.append("    appeared  \(line(record, width))") }
        more(changes.added.count, limit, &lines)
        for record in changes.removed.prefix(limit) { lines.append("    gone      \(line(record, width))") }
        more(changes.removed.count, limit, &lines)
        return lines
    }

    private static func more(_ count: Int, _ limit: Int, _ lines: inout [String], noun: String = "more") {
        if count > limit { lines.append("    … \(count - limit) \(noun == "more" ? "more" : "more " + noun)") }
    }

    static func tables(_ output: KallsymsOutput, previous: KallsymsOutput?) -> String {
        var text = "\(output.object.size) bytes"
        if let previous, previous.object.size != output.object.size {
            text += " (\(signed(output.object.size - previous.object.size)))"
        }
        let parts = output.tables.entries.map { entry -> String in
            var part = "\(entry.name) \(entry.size)"
            if let old = previous?.tables.size(of: entry.name), old != entry.size { part += " (\(signed(entry.size - old)))" }
            return part
        }
        return text + " = " + parts.joined(separator: ", ")
    }

    static func work(_ work: KallsymsOutput.Work) -> String {
        switch work {
        case .compressed: return "compressed"
        case .reusedTables: return "same input as the previous pass: tables reused"
        case .reusedCompression: return "same strings as an earlier pass: compression reused"
        case .revisedCompression: return "a few strings differ from an earlier pass's, every round's choice the same: compression revised"
        case .encodedWithFrozenTokens: return "encoded with pass 1's token table"
        case .rebuiltFrozenTokens: return "pass 1's token table could not encode a byte: compressed afresh"
        }
    }

    static func line(_ record: SymbolRecord, _ width: Int) -> String {
        "\(hex(record.address, width)) \(letter(record.type)) \(printable(record.name))"
    }

    static func hex(_ value: UInt64, _ width: Int) -> String { String(value, radix: 16).leftPad(width, "0") }
    static func letter(_ type: UInt8) -> String { String(Character(Unicode.Scalar(type))) }
    /// A size difference in bytes.
    static func signed<T: BinaryInteger>(_ value: T) -> String { value < 0 ? "\(value)" : "+\(value)" }
    /// An address difference.
    static func signedHex<T: BinaryInteger>(_ value: T) -> String {
        value < 0 ? "-0x" + String(value.magnitude, radix: 16) : "+0x" + String(value, radix: 16)
    }

    static func wrap(_ text: String, width: Int, indent: String) -> [String] {
        var lines: [String] = []
        var current = indent
        for word in text.split(separator: " ") {
            if current.count + word.count + 1 > width && current.count > indent.count {
                lines.append(current)
                current = indent
            }
            current += (current.count > indent.count ? " " : "") + word
        }
        if current.count > indent.count { lines.append(current) }
        return lines
    }

    // MARK: JSON

    /// The `--json` form (keys sorted; `image`, `linkedWithPass`, `changes`, `vmlinux` and
    /// `cycle` absent when they do not apply).
    struct JSONForm: Encodable {
        struct Table: Encodable { var name: String, offset: Int, size: Int }
        struct LetterChange: Encodable { var name: String, old: String, new: String, oldAddress: String, newAddress: String }
        struct Changes: Encodable {
            var letters: [LetterChange], reordered: [String], moved: Int, appeared: Int, disappeared: Int
        }
        struct Pass: Encodable {
            var number: Int, image: String?, linkedWithPass: Int?
            var symbolsRead: Int, symbolsKept: Int, work: String, objectSize: Int, tables: [Table]
            var changes: Changes?
        }
        struct Sample: Encodable { var line: Int, reference: String?, systemMap: String? }
        struct Outcome: Encodable {
            var status: String
            var passes: Int? = nil
            var reference: String? = nil
            var differingLines: Int? = nil
            var samples: [Sample]? = nil
            var pass: Int? = nil
            var message: String? = nil
        }
        struct Vmlinux: Encodable { var changes: Changes }
        struct Cycle: Encodable { var firstPass: Int, period: Int }
        var source: String, era: String, flags: String, target: String, mitigations: [String], symbols: Int
        var passes: [Pass], vmlinux: Vmlinux?, cycle: Cycle?, outcome: Outcome
    }

    static func json(_ result: BuildResult, layout: Layout, source: String) throws -> String {
        let options = result.options
        let width = layout.target.pointerSize * 2
        var previous: BuildPass?
        var passes: [JSONForm.Pass] = []
        for pass in result.passes {
            var changes: JSONForm.Changes?
            if let before = previous, before.number > 0, pass.number > 0 {
                changes = Self.changes(MapChanges(from: before.map.symbols, to: pass.map.symbols), width)
            }
            passes.append(
                JSONForm.Pass(
                    number: pass.number, image: pass.image, linkedWithPass: pass.linkedWithPass, symbolsRead: pass.input.count,
                    symbolsKept: pass.output.symbolsKept, work: pass.output.work.rawValue, objectSize: pass.output.object.size,
                    tables: pass.output.tables.entries.map { JSONForm.Table(name: $0.name, offset: $0.offset, size: $0.size) },
                    changes: changes))
            previous = pass
        }
        let outcome: JSONForm.Outcome
        switch result.outcome {
        case .consistent(let count):
            outcome = JSONForm.Outcome(status: "consistent", passes: count)
        case .inconsistent(let mismatch):
            outcome = JSONForm.Outcome(
                status: "inconsistent", passes: result.linkedPasses.count, reference: mismatch.referenceName,
                differingLines: mismatch.differingLines,
                samples: mismatch.samples.map { sample in
                    JSONForm.Sample(
                        line: sample.line, reference: sample.reference.map { line($0, width) },
                        systemMap: sample.systemMap.map { line($0, width) })
                })
        case .generatorFailed(let pass, let error):
            outcome = JSONForm.Outcome(status: "error", pass: pass, message: error.description)
        }
        var vmlinux: JSONForm.Vmlinux?
        if let map = result.vmlinux, let last = result.passes.last {
            vmlinux = JSONForm.Vmlinux(changes: changes(MapChanges(from: last.map.symbols, to: map.symbols), width))
        }
        return try JSONOutput.encode(
            JSONForm(
                source: source, era: "\(options.era)", flags: options.kallsyms.description, target: "\(layout.target)",
                mitigations: options.mitigations.map(\.description), symbols: layout.symbolCount, passes: passes, vmlinux: vmlinux,
                cycle: result.cycle.map { JSONForm.Cycle(firstPass: $0.firstPass, period: $0.period) }, outcome: outcome))
    }

    static func changes(_ changes: MapChanges, _ width: Int) -> JSONForm.Changes {
        JSONForm.Changes(
            letters: changes.letters.map {
                JSONForm.LetterChange(
                    name: printable($0.name), old: letter($0.oldLetter), new: letter($0.newLetter),
                    oldAddress: hex($0.oldAddress, width), newAddress: hex($0.newAddress, width))
            },
            reordered: changes.reordered.map { printable($0.name) }, moved: changes.movedCount,
            appeared: changes.added.count, disappeared: changes.removed.count)
    }
}
