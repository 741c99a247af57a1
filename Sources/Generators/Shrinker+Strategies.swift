import Compressor

extension ShrinkRun {
    /// Removes chunks of symbols: halves, then quarters, … then single symbols.
    mutating func dropSymbols() -> Bool {
        var changed = false
        var chunk = max(1, map.count / 2)
        while chunk >= 1 && !map.isEmpty && !isOutOfBudget {
            var start = 0
            while start < map.count && !isOutOfBudget {
                var candidate = map
                candidate.removeSubrange(start..<min(map.count, start + chunk))
                if attempt(candidate, mutations) { changed = true } else { start += chunk }
            }
            if chunk == 1 { break }
            chunk /= 2
        }
        return changed
    }

    /// Cuts each name to its first byte, its first half, or all but its last byte, while that fails.
    mutating func shortenNames() -> Bool {
        var changed = false
        var index = 0
        while index < map.count && !isOutOfBudget {
            let record = map[index]
            var shortened = false
            for length in Self.shorterLengths(record.name.count) {
                if rename(index, to: Array(record.name.prefix(length))) {
                    shortened = true
                    break
                }
            }
            if shortened {
                changed = true  // the renamed symbol may have moved in its group: start the group again
                index = map.firstIndex { $0.address == record.address } ?? index
            } else {
                index += 1
            }
        }
        return changed
    }

    /// Makes names all `a`/`0`/`_`, else changes single bytes to `a`.
    mutating func simplifyCharacters() -> Bool {
        var changed = false
        var index = 0
        while index < map.count && !isOutOfBudget {
            let record = map[index]
            let simplest = record.name.map(Self.simplest)
            var simplified = false
            if simplest != record.name && rename(index, to: simplest) {
                simplified = true
            } else {
                for position in record.name.indices where record.name[position] != UInt8(ascii: "a") && !isOutOfBudget {
                    var candidate = record.name
                    candidate[position] = UInt8(ascii: "a")
                    if rename(index, to: candidate) {
                        simplified = true
                        break
                    }
                }
            }
            if simplified {
                changed = true
                index = map.firstIndex { $0.address == record.address } ?? index
            } else {
                index += 1
            }
        }
        return changed
    }

    /// Removes each mutation, else replaces it by one of its simplifications.
    mutating func dropOrSimplifyMutations() -> Bool {
        var changed = false
        var index = 0
        while index < mutations.count && !isOutOfBudget {
            var candidate = mutations
            candidate.remove(at: index)
            if attempt(map, candidate) {
                changed = true
                continue
            }
            var simplified = false
            for simpler in mutations[index].simplifications where !isOutOfBudget {
                candidate = mutations
                candidate[index] = simpler
                if attempt(map, candidate) {
                    simplified = true
                    break
                }
            }
            if simplified { changed = true } else { index += 1 }
        }
        return changed
    }

    // MARK: Helpers

    /// Renames `map[index]` (keeping nm order) and the mutations' references to it; adopts the
    /// result when it still fails.
    private mutating func rename(_ index: Int, to name: [UInt8]) -> Bool {
        let old = map[index]
        guard name != old.name, !name.isEmpty,
            let renamed = try? Mutation.rename(SymbolReference.canonical(index, in: map), to: name).apply(to: map)
        else { return false }
        let rewritten = mutations.map { mutation in
            mutation.mappingReferences { reference in
                guard reference.name == old.name, reference.address == nil || reference.address == old.address else { return reference }
                var updated = reference
                updated.name = name
                return updated
            }
        }
        return attempt(renamed, rewritten)
    }

    /// Shorter lengths to try for a name of `length` bytes, shortest first.
    static func shorterLengths(_ length: Int) -> [Int] {
        var lengths: [Int] = []
        for candidate in [1, length / 2, length - 1] where candidate >= 1 && candidate < length && !lengths.contains(candidate) {
            lengths.append(candidate)
        }
        return lengths
    }

    /// `a` for letters, `0` for digits, `_` for anything else.
    static func simplest(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt8(ascii: "a")
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt8(ascii: "0")
        default: return UInt8(ascii: "_")
        }
    }
}

extension Mutation {
    /// Simpler mutations of the same kind, simplest first (what the shrinker tries in place of
    /// this one): a reorder with one inversion fewer, a realign by half the delta (kept a
    /// multiple of 4) or by ±4, a veneer instead of another stub, a shorter new name.
    public var simplifications: [Mutation] {
        switch self {
        case .reorder(let address, let order):
            var result: [Mutation] = []
            for position in order.indices.dropLast() where order[position] > order[position + 1] {
                var simpler = order
                simpler.swapAt(position, position + 1)
                result.append(.reorder(address: address, order: simpler))
                if result.count == 8 { break }
            }
            return result
        case .realign(let symbol, let delta):
            var deltas: [Int64] = []
            let unit: Int64 = delta < 0 ? -4 : 4
            if delta.magnitude > 4 { deltas.append(unit) }
            let half = delta / 2 / 4 * 4
            if half != 0 && half != unit && half != delta { deltas.append(half) }
            return deltas.map { .realign(from: symbol, by: $0) }
        case .insertStub(let kind, let target, let address) where kind != .veneer:
            return [.insertStub(.veneer, target: target, at: address)]
        case .rename(let symbol, let name):
            return ShrinkRun.shorterLengths(name.count).map { .rename(symbol, to: Array(name.prefix($0))) }
        case .insert(let address, let type, let name):
            return ShrinkRun.shorterLengths(name.count).map { .insert(address: address, type: type, name: Array(name.prefix($0))) }
        case .retype, .insertStub, .removeStub, .delete:
            return []
        }
    }
}
