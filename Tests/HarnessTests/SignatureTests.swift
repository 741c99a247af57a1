import Compressor
import Randomness
import Testing

@testable import Harness

/// A failure's signature and `stub-stability`'s comparison count (name, letter) pairs over two
/// passes' kept symbols, leaving out the pairs equal at one index or one distance from either
/// end (`CampaignTarget.unmatched`): the answers must be those of a count over every symbol.
@Suite struct SignatureTests {
    /// What the count over every symbol finds: the names whose count of some letter differs.
    static func changedNamesCountingAll(_ old: [KeptSymbol], _ new: [KeptSymbol]) -> Set<[UInt8]> {
        var balance: [[UInt8]: [UInt8: Int]] = [:]
        for symbol in old { balance[symbol.name, default: [:]][symbol.type, default: 0] += 1 }
        for symbol in new { balance[symbol.name, default: [:]][symbol.type, default: 0] -= 1 }
        return Set(balance.filter { $0.value.values.contains { $0 != 0 } }.keys)
    }

    static func sameNamesCountingAll(_ old: [KeptSymbol], _ new: [KeptSymbol]) -> Bool {
        guard old.count == new.count else { return false }
        var balance: [[UInt8]: Int] = [:]
        for symbol in old { balance[symbol.name, default: 0] += 1 }
        for symbol in new { balance[symbol.name, default: 0] -= 1 }
        return balance.values.allSatisfy { $0 == 0 }
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
