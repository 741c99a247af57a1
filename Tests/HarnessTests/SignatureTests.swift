import Compressor
import Randomness
import Testing

@testable import Harness

/// A failure's signature and `stub-stability`'s comparison count (name, letter) pairs over two
/// passes' kept symbols, leaving out the pairs equal at one index or one distance from either
/// end (`CampaignTarget.unmatched`): the answers must be those of the whole lists, compared
/// here as sorted letters per name and sorted names.
@Suite struct SignatureTests {
    /// The names whose letters, as a multiset, differ between the two whole lists.
    static func changedNamesCountingAll(_ old: [KeptSymbol], _ new: [KeptSymbol]) -> Set<[UInt8]> {
        func letters(_ list: [KeptSymbol]) -> [[UInt8]: [UInt8]] {
            Dictionary(grouping: list, by: \.name).mapValues { $0.map(\.type).sorted() }
        }
        let before = letters(old), after = letters(new)
        return Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
    }

    /// Whether the two whole lists hold the same names, each as often.
    static func sameNamesCountingAll(_ old: [KeptSymbol], _ new: [KeptSymbol]) -> Bool {
        func sortedNames(_ list: [KeptSymbol]) -> [[UInt8]] { list.map(\.name).sorted { $0.lexicographicallyPrecedes($1) } }
        return sortedNames(old) == sortedNames(new)
    }

    static func symbol(_ random: inout SeededRandom, position: Int) -> KeptSymbol {
        // Few names and letters, so that moved, repeated and re-lettered symbols are common.
        let name = Array("s\(random.next() % 40)".utf8)
        let type = [UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "d"), UInt8(ascii: "D")][Int(random.next() % 4)]
        return KeptSymbol(address: random.next() % 1000, type: type, name: name, position: position)
    }

    @Test("the names that changed, and whether the names are the same, equal the counts over every symbol")
    func leftoversCountAsTheWholeLists() {
        var random = SeededRandom(seed: 0x17_6)
        var changedSeen = 0, sameSeen = 0
        for trial in 0..<600 {
            let count = Int(random.next() % 60)
            let old = (0..<count).map { Self.symbol(&random, position: $0) }
            var new = old
            for _ in 0..<Int(random.next() % 6) {
                switch random.next() % 5 {
                case 0 where !new.isEmpty: new[Int(random.next() % UInt64(new.count))].type ^= 0x20
                case 1 where !new.isEmpty: new.remove(at: Int(random.next() % UInt64(new.count)))
                case 2: new.insert(Self.symbol(&random, position: 0), at: Int(random.next() % UInt64(new.count + 1)))
                case 3 where new.count > 1: new.swapAt(Int(random.next() % UInt64(new.count)), Int(random.next() % UInt64(new.count)))
                default: if !new.isEmpty { new[Int(random.next() % UInt64(new.count))].address += 4 }
                }
            }
            let changed = CampaignTarget.changedNames(old, new)
            #expect(changed == Self.changedNamesCountingAll(old, new), "trial \(trial)")
            #expect(CampaignTarget.keepSameNames(old, new) == Self.sameNamesCountingAll(old, new), "trial \(trial)")
            if !changed.isEmpty { changedSeen += 1 }
            if Self.sameNamesCountingAll(old, new) { sameSeen += 1 }
        }
        #expect(changedSeen > 200 && sameSeen > 100)
    }
}
