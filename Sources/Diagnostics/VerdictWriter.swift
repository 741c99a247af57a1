import Compressor

/// Puts an `Explanation` into sentences a kernel developer can act on.
enum VerdictWriter {
    static func verdict(for e: Explanation, runA: KallsymsRun, runB: KallsymsRun) -> String {
        var sentences: [String] = []
        let changes = e.difference.changes
        if changes.isEmpty {
            sentences.append("The kept symbols of the two maps are identical (same names, letters, addresses and order)")
        } else {
            // Symbols that changed the same way together (e.g. the three per-cpu markers) read as one.
            // Grouped through a dictionary of each group's shared shape (a linear search over the
            // groups took minutes when two unrelated maps differ in 100 000 symbols).
            var groups: [[SymbolChange]] = []
            var groupOfShape: [ChangeShape: Int] = [:]
            for change in changes where change.kind.changesContent {
                let shape = ChangeShape(change)
                if let index = groupOfShape[shape] {
                    groups[index].append(change)
                } else {
                    groupOfShape[shape] = groups.count
                    groups.append([change])
                }
            }
            var parts = groups.prefix(3).map { describe($0, runA: runA, runB: runB) }
            let remaining = groups.dropFirst(3).reduce(0) { $0 + $1.count }
            if remaining > 0 { parts.append("\(remaining) more symbol\(remaining == 1 ? "" : "s") changed letter, appeared or disappeared") }
            let moved = changes.filter { $0.kind == .moved }
            if let first = moved.first {
                parts.append(
                    moved.count == 1
                        ? describe([first], runA: runA, runB: runB)
                        : "\(moved.count) symbols changed place among equal addresses (e.g. `\(printable(first.name))`)")
            }
            let shifted = changes.filter { $0.kind == .addressChanged }
            if !shifted.isEmpty {
                parts.append(
                    shifted.count == 1
                        ? describe([shifted[0]], runA: runA, runB: runB)
                        : "\(shifted.count) symbols only changed address\(commonShift(shifted))")
            }
            sentences.append(parts.joined(separator: "; "))
        }
        if e.changedPairCount > 0 {
            sentences.append("that changed the initial counts of \(e.changedPairCount) pair\(e.changedPairCount == 1 ? "" : "s")")
        } else if !changes.isEmpty {
            sentences.append("no pair count changed (pair counts do not depend on order or addresses)")
        }
        if !e.literalChanges.isEmpty {
            sentences.append(
                "the set of literal bytes changed (\(e.literalChanges.map { quote([$0]) }.joined(separator: ", "))), "
                    + "which shifts every later token code")
        }
        if let d = e.divergence {
            var sentence =
                "round \(d.round) chose \(quote(d.choiceInB)) (count \(d.countInB)) instead of "
                + "\(quote(d.choiceInA)) (count \(d.countInA) in the first map, \(d.countOfChoiceAInB) in the second)"
            if !d.culprits.isEmpty {
                let names = d.culprits.prefix(4).map { "`\(printable($0.name))`" }.joined(separator: ", ")
                sentence += ", because of \(names)\(d.culprits.count > 4 ? " and \(d.culprits.count - 4) more" : "")"
            }
            sentences.append(sentence)
        } else if !changes.isEmpty {
            var sentence = "every round chose the same pair, so the token table is unchanged"
            if !e.encodingDeltas.isEmpty {
                let shown = e.encodingDeltas.prefix(4).map { item in
                    "`\(printable(item.name))` \(abs(item.delta)) byte\(abs(item.delta) == 1 ? "" : "s") \(item.delta > 0 ? "longer" : "shorter")"
                }
                sentence +=
                    "; the changed symbols' own encodings account for the difference ("
                    + shown.joined(separator: ", ") + (e.encodingDeltas.count > 4 ? ", …" : "") + ")"
            }
            sentences.append(sentence)
        }
        let names = e.namesDelta
        let total = e.totalDelta
        var sizes =
            names == 0
            ? "kallsyms_names kept its size (\(e.layoutA.size(of: "kallsyms_names") ?? 0) bytes)"
            : "kallsyms_names \(names > 0 ? "grew" : "shrank") by \(abs(names)) byte\(abs(names) == 1 ? "" : "s")"
        if total != 0 {
            sizes +=
                " and the tables' object \(total > 0 ? "grew" : "shrank") by \(abs(total)) bytes, "
                + "which moves every later address"
        } else if names != 0 {
            sizes += ", but alignment kept the object at \(e.layoutA.totalSize) bytes, so no later address moved"
        }
        sentences.append(sizes)
        var text = sentences.joined(separator: "; ") + "."
        if total != 0 {
            if e.mitigations.isEmpty {
                text +=
                    " None of uncompressed-type, reuse-tokens or pad=16…65536 would have kept the size; "
                    + "an extra link pass (KALLSYMS_EXTRA_PASS=1) or a fixed-point link may still converge."
            } else {
                text += " Would have prevented it: " + e.mitigations.joined(separator: "; ") + "."
            }
        }
        return text
    }

    /// What changes that happened "the same way" share: kind, letters and addresses, not the symbol.
    struct ChangeShape: Hashable {
        var kind: SymbolChange.Kind
        var typeBefore: UInt8?, addressBefore: UInt64?
        var typeAfter: UInt8?, addressAfter: UInt64?

        init(_ change: SymbolChange) {
            kind = change.kind
            typeBefore = change.before?.type
            addressBefore = change.before?.address
            typeAfter = change.after?.type
            addressAfter = change.after?.address
        }
    }

    /// One sentence for a group of symbols that changed the same way.
    static func describe(_ group: [SymbolChange], runA: KallsymsRun, runB: KallsymsRun) -> String {
        let change = group[0]
        let quoted = group.map { "`\(printable($0.name))`" }
        let name = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " and " + quoted.last!
        let members = Set(group.map(\.name))
        let plural = group.count > 1
        switch change.kind {
        case .added:
            return "\(name) (\(letter(change.after!.type)) at \(hex(change.after!.address))) appeared"
                + sharing(change.after!, runB, excluding: members)
        case .removed:
            return "\(name) (\(letter(change.before!.type)) at \(hex(change.before!.address))) disappeared"
        case .retyped:
            var text = "\(name) changed from \(letter(change.before!.type)) to \(letter(change.after!.type))"
            if change.before!.address != change.after!.address {
                text +=
                    " and moved from \(hex(change.before!.address))"
                    + sharing(change.before!, runA, excluding: members, verb: "shared with") + " to \(hex(change.after!.address))"
            }
            return text + sharing(change.after!, runB, excluding: members)
        case .addressChanged:
            return "\(name) moved from \(hex(change.before!.address))"
                + sharing(change.before!, runA, excluding: members, verb: "shared with")
                + " to \(hex(change.after!.address))" + sharing(change.after!, runB, excluding: members)
        case .moved:
            return "\(name) changed place among the symbols at \(hex(change.after!.address))" + (plural ? "" : "")
        }
    }

    /// ` and now shares ADDR with `x`, `y`` when other kept symbols sit at the same address in B.
    static func sharing(
        _ symbol: KeptSymbol, _ run: KallsymsRun, excluding members: Set<[UInt8]> = [],
        verb: String? = nil
    ) -> String {
        let others = run.selection.symbols.filter {
            $0.address == symbol.address && $0.name != symbol.name && !members.contains($0.name)
        }
        guard !others.isEmpty else { return "" }
        let names = others.prefix(3).map { "`\(printable($0.name))`" }.joined(separator: ", ")
        let more = others.count > 3 ? " and \(others.count - 3) more" : ""
        if let verb { return " (\(verb) \(names)\(more))" }
        return " and now shares \(hex(symbol.address)) with \(names)\(more)"
    }

    /// ` (most by +0x10)` when one shift is the most common among address-only changes.
    static func commonShift(_ changes: [SymbolChange]) -> String {
        var shifts: [Int64: Int] = [:]
        for change in changes {
            shifts[Int64(bitPattern: change.after!.address &- change.before!.address), default: 0] += 1
        }
        guard let (shift, count) = shifts.max(by: { $0.value < $1.value }) else { return "" }
        let text = shift >= 0 ? "+0x" + String(shift, radix: 16) : "-0x" + String(-shift, radix: 16)
        return count == changes.count ? " (all by \(text))" : " (\(count) of them by \(text))"
    }

    static func letter(_ type: UInt8) -> String { String(Character(Unicode.Scalar(type))) }
    static func hex(_ value: UInt64) -> String { String(value, radix: 16) }
    static func quote(_ bytes: [UInt8]) -> String { "\"\(printable(bytes))\"" }
}
