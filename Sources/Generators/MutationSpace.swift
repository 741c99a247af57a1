import Compressor
import Randomness

/// The mutations that apply to one map: every candidate of the finite kinds, and random ones
/// of every kind. What a property harness enumerates or samples.
///
/// Every mutation it returns applies to `map` without error, and names symbols by their
/// canonical reference (`SymbolReference.canonical`).
public struct MutationSpace: Sendable {
    /// The map the mutations apply to.
    public let map: [SymbolRecord]
    private let references: [SymbolReference]
    /// Start index of each run of equal addresses.
    private let groupStarts: [Int]

    /// Merges further apart than this are not listed by `candidates(.realign)`.
    public static let largestMergeGap: UInt64 = 0x1000

    /// The space of `map` (expected in `nm -n` order). O(n) to build.
    public init(map: [SymbolRecord]) {
        self.map = map
        var seen: [SymbolKey: Int] = [:]
        references = map.map { record in
            let key = SymbolKey(address: record.address, name: record.name)
            let occurrence = seen[key, default: 0]
            seen[key] = occurrence + 1
            return SymbolReference(name: record.name, address: record.address, occurrence: occurrence)
        }
        groupStarts = map.indices.filter { $0 == 0 || map[$0].address != map[$0 - 1].address }
    }

    /// The letter `retype` candidates use: the same symbol in the neighbouring kind of section,
    /// as when the linker re-homes an empty section's symbols (docs/behaviour.md §9): `T`↔`D`,
    /// `t`↔`d`, and rodata, bss and weak symbols to data (`R`,`B`,`V`→`D`, `r`,`b`,`v`→`d`,
    /// `W`→`D`, `w`→`d`); nil for other letters.
    public static func sectionCounterpart(of type: UInt8) -> UInt8? {
        switch type {
        case UInt8(ascii: "T"): return UInt8(ascii: "D")
        case UInt8(ascii: "t"): return UInt8(ascii: "d")
        case UInt8(ascii: "D"), UInt8(ascii: "W"): return type == UInt8(ascii: "D") ? UInt8(ascii: "T") : UInt8(ascii: "D")
        case UInt8(ascii: "d"), UInt8(ascii: "w"): return type == UInt8(ascii: "d") ? UInt8(ascii: "t") : UInt8(ascii: "d")
        case UInt8(ascii: "R"), UInt8(ascii: "B"), UInt8(ascii: "V"): return UInt8(ascii: "D")
        case UInt8(ascii: "r"), UInt8(ascii: "b"), UInt8(ascii: "v"): return UInt8(ascii: "d")
        default: return nil
        }
    }

    /// Every candidate of a finite kind, in map order:
    /// - `retype`: each symbol to its `sectionCounterpart`;
    /// - `reorder`: for each group of two or more, each swap of neighbours and (three or more)
    ///   the reversal;
    /// - `realign`: for each group, the negative delta that merges it with the group before
    ///   (gaps up to `largestMergeGap`), and for each member after a group's first, `+0x4`,
    ///   which splits the group there;
    /// - `remove-stub`: each stub; `delete`: each symbol.
    ///
    /// `insert-stub`, `rename` and `insert` have no finite set: they return `[]`; draw them
    /// with `random(_:using:)`.
    public func candidates(_ kind: Mutation.Kind) -> [Mutation] {
        switch kind {
        case .retype:
            return map.indices.compactMap { index in
                Self.sectionCounterpart(of: map[index].type).map { .retype(references[index], to: $0) }
            }
        case .reorder:
            var result: [Mutation] = []
            for (start, end) in groups() where end - start >= 2 {
                let size = end - start
                for swap in 0..<(size - 1) {
                    var order = Array(0..<size)
                    order.swapAt(swap, swap + 1)
                    result.append(.reorder(address: map[start].address, order: order))
                }
                if size >= 3 { result.append(.reorder(address: map[start].address, order: Array((0..<size).reversed()))) }
            }
            return result
        case .realign:
            var result: [Mutation] = []
            for (start, end) in groups() {
                if start > 0 {
                    let gap = map[start].address &- map[start - 1].address
                    if gap > 0 && gap <= Self.largestMergeGap && gap <= UInt64(Int64.max) {
                        result.append(.realign(from: references[start], by: -Int64(gap)))
                    }
                }
                for member in (start + 1)..<end where map[member].address <= UInt64.max - 4 {
                    result.append(.realign(from: references[member], by: 4))
                }
            }
            return result
        case .removeStub:
            return map.indices.filter { StubKind.parse(map[$0].name) != nil }.map { .removeStub(references[$0]) }
        case .delete:
            return references.map { .delete($0) }
        case .insertStub, .rename, .insert:
            return []
        }
    }

    /// The kinds `random(_:using:)` can draw for this map.
    public var drawableKinds: [Mutation.Kind] {
        Mutation.Kind.allCases.filter { kind in
            switch kind {
            case .retype, .realign, .rename, .delete: return !map.isEmpty
            case .reorder: return groupStarts.indices.contains { groupEnd($0) - groupStarts[$0] >= 2 }
            case .insertStub: return map.contains { Self.isText($0.type) }
            case .removeStub: return map.contains { StubKind.parse($0.name) != nil }
            case .insert: return true
            }
        }
    }

    /// One random mutation that applies to the map: of `kind` when given (it must be one of
    /// `drawableKinds`), else of a kind drawn uniformly from `drawableKinds`.
    public func random(_ kind: Mutation.Kind? = nil, using rng: inout some RandomNumberGenerator) -> Mutation {
        let kinds = drawableKinds
        let chosen = kind ?? kinds[RandomDraws.index(kinds.count, using: &rng)]
        precondition(kinds.contains(chosen), "no \(chosen.rawValue) mutation applies to this map")
        switch chosen {
        case .retype:
            let index = RandomDraws.index(map.count, using: &rng)
            let letters = Array("TtDdRrBbW".utf8).filter { $0 != map[index].type }
            let type =
                Self.sectionCounterpart(of: map[index].type).flatMap { RandomDraws.chance(1, in: 2, using: &rng) ? $0 : nil }
                ?? letters[RandomDraws.index(letters.count, using: &rng)]
            return .retype(references[index], to: type)
        case .reorder:
            let groups = groups().filter { $0.end - $0.start >= 2 }
            let (start, end) = groups[RandomDraws.index(groups.count, using: &rng)]
            var order = Array(0..<(end - start))
            repeat { RandomDraws.shuffle(&order, using: &rng) } while order == Array(0..<(end - start))
            return .reorder(address: map[start].address, order: order)
        case .realign:
            let index = RandomDraws.index(map.count, using: &rng)
            let address = map[index].address
            if index > 0 && map[index - 1].address < address && RandomDraws.chance(1, in: 2, using: &rng) {
                let gap = address - map[index - 1].address
                if gap <= UInt64(Int64.max) { return .realign(from: references[index], by: -Int64(gap)) }
            }
            var delta = Int64(RandomDraws.value(in: 1...16, using: &rng) * 4)
            if RandomDraws.chance(1, in: 2, using: &rng) && address >= UInt64(delta) { delta = -delta }
            let highest = map[index...].lazy.map(\.address).max() ?? address
            if delta > 0 && highest > UInt64.max - UInt64(delta) { delta = -delta }
            return .realign(from: references[index], by: delta)
        case .insertStub:
            let texts = map.indices.filter { Self.isText(map[$0].type) }
            let target = texts[RandomDraws.index(texts.count, using: &rng)]
            let place = map[texts[RandomDraws.index(texts.count, using: &rng)]].address
            let offset = UInt64(RandomDraws.index(4, using: &rng) * 4)
            let kinds = StubKind.allCases
            return .insertStub(
                kinds[RandomDraws.index(kinds.count, using: &rng)], target: references[target],
                at: place <= UInt64.max - offset ? place + offset : place)
        case .removeStub:
            let stubs = map.indices.filter { StubKind.parse(map[$0].name) != nil }
            return .removeStub(references[stubs[RandomDraws.index(stubs.count, using: &rng)]])
        case .rename:
            let index = RandomDraws.index(map.count, using: &rng)
            return .rename(references[index], to: Self.variant(of: map[index].name, using: &rng))
        case .insert:
            guard !map.isEmpty else { return .insert(address: 0xc000_8000, type: UInt8(ascii: "T"), name: Array("inserted".utf8)) }
            let source = map[RandomDraws.index(map.count, using: &rng)]
            let offset = UInt64(RandomDraws.index(4, using: &rng) * 4)
            let address = source.address <= UInt64.max - offset ? source.address + offset : source.address
            let type = map[RandomDraws.index(map.count, using: &rng)].type
            return .insert(address: address, type: type, name: Self.variant(of: source.name, using: &rng))
        case .delete:
            return .delete(references[RandomDraws.index(map.count, using: &rng)])
        }
    }

    // MARK: Helpers

    private struct SymbolKey: Hashable {
        var address: UInt64
        var name: [UInt8]
    }

    private func groupEnd(_ group: Int) -> Int {
        group + 1 < groupStarts.count ? groupStarts[group + 1] : map.count
    }

    private func groups() -> [(start: Int, end: Int)] {
        groupStarts.indices.map { (groupStarts[$0], groupEnd($0)) }
    }

    private static func isText(_ type: UInt8) -> Bool {
        type == UInt8(ascii: "T") || type == UInt8(ascii: "t")
    }

    /// A nearby name: a GCC clone suffix, a changed or dropped character, or a `__` prefix;
    /// never empty, never blank, below the length limit.
    static func variant(of name: [UInt8], using rng: inout some RandomNumberGenerator) -> [UInt8] {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789_".utf8)
        let suffixes = [".constprop.0", ".isra.0", ".part.0", ".cold", ".0", "_init"]
        var result = name
        switch RandomDraws.index(4, using: &rng) {
        case 0:
            result += Array(suffixes[RandomDraws.index(suffixes.count, using: &rng)].utf8)
        case 1 where !result.isEmpty:
            result[RandomDraws.index(result.count, using: &rng)] = alphabet[RandomDraws.index(alphabet.count, using: &rng)]
        case 2 where result.count > 1:
            result.remove(at: RandomDraws.index(result.count, using: &rng))
        default:
            result = Array("__".utf8) + result
        }
        if result.isEmpty || result == name { result = name + Array("_1".utf8) }
        return Array(result.prefix(NameModel.lengthLimit))
    }
}
