import Compressor

/// One difference between the kept symbols of two maps.
public struct SymbolChange: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Kept in B, not in A.
        case added
        /// Kept in A, not in B.
        case removed
        /// The type letter changed (the address may have changed too).
        case retyped
        /// Same address and letter, but a different place among the symbols sharing that address.
        case moved
        /// Only the address changed.
        case addressChanged = "address-changed"

        /// Listing order: changes of content (they change pair counts) before order and addresses.
        public var rank: Int {
            switch self {
            case .retyped: return 0
            case .added: return 1
            case .removed: return 2
            case .moved: return 3
            case .addressChanged: return 4
            }
        }

        /// Whether the change alters the strings kallsyms compresses.
        public var changesContent: Bool { rank < 3 }
    }

    public var kind: Kind
    public var name: [UInt8]
    /// The symbol in A (nil when added).
    public var before: KeptSymbol?
    /// The symbol in B (nil when removed).
    public var after: KeptSymbol?

    /// The letter change, e.g. `T -> D`.
    public var letterChange: String? {
        guard let before, let after, before.type != after.type else { return nil }
        return "\(Character(Unicode.Scalar(before.type))) -> \(Character(Unicode.Scalar(after.type)))"
    }
}

/// The differences among the kept symbols of two selections (docs/behaviour.md §3, §4.1).
///
/// Symbols are matched by `NameMatching`: by name, a name that occurs several times occurrence
/// by occurrence in table order (as `simulate`'s `MapChanges` matches pass maps).
public struct MapDifference: Hashable, Sendable {
    public var changes: [SymbolChange]

    public init(changes: [SymbolChange]) { self.changes = changes }

    public func changes(of kind: SymbolChange.Kind) -> [SymbolChange] { changes.filter { $0.kind == kind } }

    public var isEmpty: Bool { changes.isEmpty }

    /// Compares the kept symbols of `a` and `b`.
    public static func between(_ a: Selection, _ b: Selection) -> MapDifference {
        let matching = NameMatching(old: a.symbols.lazy.map(\.name), new: b.symbols.lazy.map(\.name))
        var changes: [SymbolChange] = []
        var matched: [(Int, Int)] = []
        for index in matching.onlyInOld {
            changes.append(SymbolChange(kind: .removed, name: a.symbols[index].name, before: a.symbols[index], after: nil))
        }
        for (index, other) in matching.pairs {
            matched.append((index, other))
            let before = a.symbols[index], after = b.symbols[other]
            if before.type != after.type {
                changes.append(SymbolChange(kind: .retyped, name: before.name, before: before, after: after))
            } else if before.address != after.address {
                changes.append(SymbolChange(kind: .addressChanged, name: before.name, before: before, after: after))
            }
        }
        for index in matching.onlyInNew {
            changes.append(SymbolChange(kind: .added, name: b.symbols[index].name, before: nil, after: b.symbols[index]))
        }
        changes += movedAmongEqualAddresses(a, b, matched)
        // Changes of content (which change pair counts) first, then order, then addresses.
        changes.sort { lhs, rhs in
            if lhs.kind.rank != rhs.kind.rank { return lhs.kind.rank < rhs.kind.rank }
            let l = lhs.after?.address ?? lhs.before!.address, r = rhs.after?.address ?? rhs.before!.address
            if l != r { return l < r }
            return lhs.name.lexicographicallyPrecedes(rhs.name)
        }
        return MapDifference(changes: changes)
    }

    /// Symbols unchanged in address and letter whose order among the other such symbols at
    /// their address differs between A and B.
    private static func movedAmongEqualAddresses(_ a: Selection, _ b: Selection, _ matched: [(Int, Int)]) -> [SymbolChange] {
        // Only symbols that kept address and letter take part in the order comparison.
        let stable = matched.filter { pair in
            a.symbols[pair.0].address == b.symbols[pair.1].address && a.symbols[pair.0].type == b.symbols[pair.1].type
        }
        var groups: [UInt64: [(Int, Int)]] = [:]
        for pair in stable { groups[a.symbols[pair.0].address, default: []].append(pair) }
        var changes: [SymbolChange] = []
        for (_, members) in groups where members.count > 1 {
            let orderInA = members.sorted { $0.0 < $1.0 }
            let orderInB = members.sorted { $0.1 < $1.1 }
            for (position, pair) in orderInA.enumerated() where orderInB[position] != pair {
                changes.append(
                    SymbolChange(
                        kind: .moved, name: a.symbols[pair.0].name,
                        before: a.symbols[pair.0], after: b.symbols[pair.1]))
            }
        }
        return changes
    }
}
