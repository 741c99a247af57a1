import Compressor

/// Puts an `Explanation` into sentences a kernel developer can act on.
enum VerdictWriter {
    static func verdict(for e: Explanation, runB: GeneratorRun) -> String {
        var sentences: [String] = []
        let changes = e.difference.changes
        if changes.isEmpty {
            sentences.append("The kept symbols of the two maps are identical (same names, letters, addresses and order)")
        } else {
            let shown = changes.filter { $0.kind != .moved }.prefix(3) + changes.filter { $0.kind == .moved }.prefix(1)
            var parts = shown.map { describe($0, runB: runB) }
            let more = changes.count - shown.count
            if more > 0 { parts.append("and \(more) more change\(more == 1 ? "" : "s")") }
            sentences.append(parts.joined(separator: "; "))
        }
        if e.changedPairCount > 0 {
            sentences.append("that changed the initial counts of \(e.changedPairCount) pair\(e.changedPairCount == 1 ? "" : "s")")
        } else if !changes.isEmpty {
            sentences.append("no pair count changed (pair counts do not depend on order or addresses)")
        }
        if !e.literalChanges.isEmpty {
            sentences.append("the set of literal bytes changed (\(e.literalChanges.map { quote([$0]) }.joined(separator: ", "))), "
                             + "which shifts every later token code")
        }
        if let d = e.divergence {
            var sentence = "round \(d.round) chose \(quote(d.choiceInB)) (count \(d.countInB)) instead of "
                + "\(quote(d.choiceInA)) (count \(d.countInA) in the first map, \(d.countOfChoiceAInB) in the second)"
            if !d.culprits.isEmpty {
                let names = d.culprits.prefix(4).map { "`\(printable($0.name))`" }.joined(separator: ", ")
                sentence += ", because of \(names)\(d.culprits.count > 4 ? " and \(d.culprits.count - 4) more" : "")"
            }
            sentences.append(sentence)
        } else if !changes.isEmpty {
            sentences.append("every round chose the same pair, so the token table is unchanged")
        }
        let names = e.namesDelta
        let total = e.totalDelta
        var sizes = names == 0 ? "kallsyms_names kept its size (\(e.layoutA.size(of: "kallsyms_names") ?? 0) bytes)"
            : "kallsyms_names \(names > 0 ? "grew" : "shrank") by \(abs(names)) byte\(abs(names) == 1 ? "" : "s")"
        if total != 0 {
            sizes += " and the tables' object \(total > 0 ? "grew" : "shrank") by \(abs(total)) bytes, "
                + "which moves every later address"
        } else if names != 0 {
            sizes += ", but alignment kept the object at \(e.layoutA.totalSize) bytes, so no later address moved"
        }
        sentences.append(sizes)
        var text = sentences.joined(separator: "; ") + "."
        if total != 0 {
            if e.mitigations.isEmpty {
                text += " None of uncompressed-type, reuse-tokens or pad=16…65536 would have kept the size; "
                    + "an extra link pass (KALLSYMS_EXTRA_PASS=1) or a fixed-point link may still converge."
            } else {
                text += " Would have prevented it: " + e.mitigations.joined(separator: "; ") + "."
            }
        }
        return text
    }

    static func describe(_ change: SymbolChange, runB: GeneratorRun) -> String {
        let name = "`\(printable(change.name))`"
        switch change.kind {
        case .added:
            return "\(name) (\(letter(change.after!.type)) at \(hex(change.after!.address))) appeared\(sharing(change.after!, runB))"
        case .removed:
            return "\(name) (\(letter(change.before!.type)) at \(hex(change.before!.address))) disappeared"
        case .retyped:
            var text = "\(name) changed from \(letter(change.before!.type)) to \(letter(change.after!.type))"
            if change.before!.address != change.after!.address {
                text += " and moved from \(hex(change.before!.address)) to \(hex(change.after!.address))"
            }
            return text + sharing(change.after!, runB)
        case .addressChanged:
            return "\(name) moved from \(hex(change.before!.address)) to \(hex(change.after!.address))" + sharing(change.after!, runB)
        case .moved:
            return "\(name) changed place among the symbols at \(hex(change.after!.address))"
        }
    }

    /// ` and now shares ADDR with `x`, `y`` when other kept symbols sit at the same address in B.
    static func sharing(_ symbol: KeptSymbol, _ run: GeneratorRun) -> String {
        let others = run.selection.symbols.filter { $0.address == symbol.address && $0.name != symbol.name }
        guard !others.isEmpty else { return "" }
        let names = others.prefix(3).map { "`\(printable($0.name))`" }.joined(separator: ", ")
        return " and now shares \(hex(symbol.address)) with \(names)\(others.count > 3 ? " and \(others.count - 3) more" : "")"
    }

    static func letter(_ type: UInt8) -> String { String(Character(Unicode.Scalar(type))) }
    static func hex(_ value: UInt64) -> String { String(value, radix: 16) }
    static func quote(_ bytes: [UInt8]) -> String { "\"\(printable(bytes))\"" }
}
