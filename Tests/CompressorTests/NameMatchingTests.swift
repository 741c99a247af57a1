import Compressor
import Randomness
import Testing

/// `NameMatching` pairs the k-th occurrence of a name in one list with the k-th in the other.
@Suite struct NameMatchingTests {
    private func names(_ text: String) -> [[UInt8]] { text.split(separator: " ").map { Array($0.utf8) } }

    @Test("repeated names match occurrence by occurrence; the rest is only in one list")
    func occurrences() {
        let old = names("a b a c a")
        let new = names("b a d a")
        let matching = NameMatching(old: old, new: new)
        #expect(matching.pairs.map { [$0.old, $0.new] } == [[1, 0], [0, 1], [2, 3]])
        #expect(matching.onlyInNew == [2])
        #expect(matching.onlyInOld == [3, 4])
    }

    @Test("every index of both lists is accounted for exactly once, on random lists")
    func partition() {
        var rng = SeededRandom(seed: 0x6e6d)
        for _ in 0..<50 {
            let old = (0..<40).map { _ in [UInt8(ascii: "a") + UInt8(RandomDraws.index(6, using: &rng))] }
            let new = (0..<35).map { _ in [UInt8(ascii: "a") + UInt8(RandomDraws.index(6, using: &rng))] }
            let matching = NameMatching(old: old, new: new)
            #expect((matching.pairs.map(\.old) + matching.onlyInOld).sorted() == Array(old.indices))
            #expect((matching.pairs.map(\.new) + matching.onlyInNew).sorted() == Array(new.indices))
            #expect(matching.pairs.allSatisfy { old[$0.old] == new[$0.new] })
            // A name left over on one side has no unmatched occurrence on the other.
            let leftOld = Set(matching.onlyInOld.map { old[$0] }), leftNew = Set(matching.onlyInNew.map { new[$0] })
            #expect(leftOld.isDisjoint(with: leftNew))
        }
    }
}
