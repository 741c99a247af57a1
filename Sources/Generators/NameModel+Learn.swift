extension NameModel {
    /// Learns the model from `(type, name)` pairs (the ordinary symbols of a map).
    ///
    /// Deterministic: the result depends only on the multiset of pairs, not on their order.
    /// - Complexity: O(total name bytes + distinct transitions · log).
    public static func learn<S: Sequence>(from symbols: S, limits: LearningLimits = .init()) -> NameModel
    where S.Element == (type: UInt8, name: [UInt8]) {
        var modelled: [(state: String, units: [ArraySlice<UInt8>])] = []
        var lengths = Histogram()
        var skipped = 0
        var unitCounts: [ArraySlice<UInt8>: Int] = [:]
        for (type, name) in symbols {
            guard isModelled(name) else {
                skipped += 1
                continue
            }
            let units = units(of: name)
            for unit in units { unitCounts[unit, default: 0] += 1 }
            modelled.append(("^" + NameEscaping.escapeType(type), units))
            lengths.add(name.count)
        }

        // The vocabulary: every leading separator run, and the most frequent units.
        var vocabulary = Set(unitCounts.keys.filter { $0.first.map(isSeparatorByte) ?? false })
        let ranked = unitCounts.filter { !vocabulary.contains($0.key) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
        for (unit, _) in ranked.prefix(limits.vocabularySize) { vocabulary.insert(unit) }

        var transitions: [String: [String: Int]] = [:]
        var rareWordLengths = Histogram()
        var characters: [String: [String: Int]] = [:]
        for (startState, units) in modelled {
            var state = startState
            for (position, unit) in units.enumerated() {
                let token: String
                if vocabulary.contains(unit) {
                    token = String(decoding: unit, as: UTF8.self)
                } else {
                    let separator = separator(of: unit)
                    let word = unit[unit.startIndex..<separator.startIndex]
                    token = "#" + String(decoding: separator, as: UTF8.self)
                    rareWordLengths.add(word.count)
                    var context: [UInt8] = [UInt8(ascii: "^"), UInt8(ascii: "^")]
                    for byte in word {
                        characters[String(decoding: context, as: UTF8.self), default: [:]][String(UnicodeScalar(byte)), default: 0] += 1
                        context = [context[1], byte]
                    }
                }
                transitions[state, default: [:]][token, default: 0] += 1
                let isLeadingSeparator = position == 0 && isSeparatorByte(unit[unit.startIndex])
                state = isLeadingSeparator ? startState + token : token
            }
            transitions[state, default: [:]]["$", default: 0] += 1
        }

        // Prune rare transitions into `*` and the fallback rows.
        var chain: [String: String] = [:]
        var firstFallback: [String: Int] = [:]
        var nextFallback: [String: Int] = [:]
        for (state, row) in transitions {
            let isStart = state.hasPrefix("^") && isStartState(state)
            var kept: [String: Int] = [:]
            var pruned = 0
            for (token, count) in row {
                if count >= limits.minimumTransitionCount {
                    kept[token] = count
                } else {
                    pruned += count
                    if isStart { firstFallback[token, default: 0] += count } else { nextFallback[token, default: 0] += count }
                }
            }
            guard !kept.isEmpty else { continue }  // a state of only `*` is the same as no state
            if pruned > 0 { kept["*"] = pruned }
            chain[state] = self.row(kept)
        }
        return NameModel(
            maximumLength: min(lengthLimit, lengths.values.last ?? lengthLimit),
            lengths: lengths, learnedNames: modelled.count, skippedNames: skipped, chain: chain,
            firstUnitFallback: row(firstFallback), nextUnitFallback: row(nextFallback),
            rareWordLengths: rareWordLengths,
            rareWordCharacters: characters.mapValues { row($0) })
    }

    /// Whether a `^…` state is a start state `^T` (rather than `^T__`, after a leading run).
    static func isStartState(_ state: String) -> Bool {
        startStateParts(state).map { $0.leadingSeparator.isEmpty } ?? false
    }

    /// The type and leading separator of a `^T` or `^T__` state.
    static func startStateParts(_ state: String) -> (type: UInt8, leadingSeparator: Substring)? {
        guard state.hasPrefix("^") else { return nil }
        let rest = state.dropFirst()
        let typeLength = rest.hasPrefix("\\x") ? 4 : 1
        guard rest.count >= typeLength, let type = try? NameEscaping.unescapeType(rest.prefix(typeLength)) else { return nil }
        return (type, rest.dropFirst(typeLength))
    }
}
