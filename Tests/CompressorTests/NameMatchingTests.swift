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

    /// The matching by its definition (k-th occurrence with k-th occurrence), with no shortcut.
    private func reference(old: [[UInt8]], new: [[UInt8]]) -> (pairs: [[Int]], onlyInNew: [Int], onlyInOld: [Int]) {
        var byName: [[UInt8]: [Int]] = [:]
        for (index, name) in old.enumerated() { byName[name, default: []].append(index) }
        var used: [[UInt8]: Int] = [:]
        var pairs: [[Int]] = [], onlyInNew: [Int] = [], matched = Set<Int>()
        for (index, name) in new.enumerated() {
            let occurrence = used[name, default: 0]
            if let candidates = byName[name], occurrence < candidates.count {
                used[name] = occurrence + 1
                pairs.append([candidates[occurrence], index])
                matched.insert(candidates[occurrence])
            } else {
                onlyInNew.append(index)
            }
        }
        return (pairs, onlyInNew, old.indices.filter { !matched.contains($0) })
    }

    @Test("lists with the same names in the same order (the shortcut) match as the definition says")
    func identicalLists() {
        var rng = SeededRandom(seed: 0x6964)
        for round in 0..<60 {
            let old = (0..<(round % 7 == 0 ? 0 : 50)).map { _ in [UInt8(ascii: "a") + UInt8(RandomDraws.index(5, using: &rng))] }
            // Half the rounds the same names, the others one name changed (no shortcut).
            var new = old
            if round % 2 == 1, !new.isEmpty { new[RandomDraws.index(new.count, using: &rng)] = Array("z".utf8) }
            let matching = NameMatching(old: old, new: new)
            let expected = reference(old: old, new: new)
            #expect(matching.pairs.map { [$0.old, $0.new] } == expected.pairs)
            #expect(matching.onlyInNew == expected.onlyInNew)
            #expect(matching.onlyInOld == expected.onlyInOld)
        }
    }

    @Test("lists that share a beginning and then differ match as the definition says, on random lists and slices")
    func commonBeginning() {
        var rng = SeededRandom(seed: 0x6362)
        for round in 0..<200 {
            // Few distinct names, so that occurrences of one name fall on both sides of where
            // the lists start to differ.
            let length = RandomDraws.index(30, using: &rng)
            var old = (0..<length).map { _ in [UInt8(ascii: "a") + UInt8(RandomDraws.index(4, using: &rng))] }
            var new = Array(old.prefix(RandomDraws.index(length + 1, using: &rng)))
            for _ in 0..<RandomDraws.index(30, using: &rng) {
                new.append([UInt8(ascii: "a") + UInt8(RandomDraws.index(5, using: &rng))])
            }
            if round % 3 == 0 { swap(&old, &new) }
            let expected = reference(old: old, new: new)
            let matching = NameMatching(old: old, new: new)
            #expect(matching.pairs.map { [$0.old, $0.new] } == expected.pairs)
            #expect(matching.onlyInNew == expected.onlyInNew)
            #expect(matching.onlyInOld == expected.onlyInOld)
            // Slices keep their own indices.
            let oldSlice = ([[UInt8(ascii: "q")]] + old)[1...], newSlice = ([[UInt8(ascii: "r")], [UInt8(ascii: "s")]] + new)[2...]
            let sliced = NameMatching(old: oldSlice, new: newSlice)
            #expect(sliced.pairs.map { [$0.old - 1, $0.new - 2] } == expected.pairs)
            #expect(sliced.onlyInNew.map { $0 - 2 } == expected.onlyInNew)
            #expect(sliced.onlyInOld.map { $0 - 1 } == expected.onlyInOld)
        }
    }
}
