import Compressor
import Randomness
import TestSupport
import Testing

@testable import LinkModel

/// The compression cache's permuted reuse: the strings of a cached compression in another
/// order (symbols reordered at equal addresses) reuse its tokens and encodings; and its
/// revisions: strings that differ in a few revise a fast compression (`RoundMargins`).
@Suite struct CompressionReuseTests {
    static func strings(_ names: [String]) -> ByteStrings { ByteStrings(names.map { Array($0.utf8) }) }

    @Test("a permutation with repeated strings encodes exactly as compressing it afresh")
    func permutationMatchesFreshCompression() throws {
        let names = ["Tfoo", "tbar", "Tfoo", "dbaz_qux", "", "tbar", "Tfoo_bar_baz", "rfoo", "Tfoo"]
        var generator = SeededRandom(seed: 0x2e05e)
        var reordered = 0
        for _ in 0..<20 {
            let shuffled = names.shuffled(using: &generator)
            if shuffled != names { reordered += 1 }
            let cached = (key: StringsKey(Self.strings(names)), compression: FastEngine.compress(Self.strings(names)))
            let permuted = try #require(KallsymsStep.permuting(cached, to: StringsKey(Self.strings(shuffled))))
            #expect(permuted == FastEngine.compress(Self.strings(shuffled)), "\(shuffled)")
        }
        #expect(reordered >= 15)
    }

    @Test(
        "a different multiset of strings is not a permutation",
        arguments: [
            (["Ta", "Ta", "Tb"], ["Ta", "Tb", "Tb"]),
            (["Ta", "Tb"], ["Ta", "Tc"]),
            (["Ta", "Tb"], ["Ta", "Tb", "Tb"]),
            (["Tab", "T"], ["Ta", "Tb"]),
        ])
    func differentMultisets(_ cached: [String], _ wanted: [String]) {
        let entry = (key: StringsKey(Self.strings(cached)), compression: FastEngine.compress(Self.strings(cached)))
        #expect(KallsymsStep.permuting(entry, to: StringsKey(Self.strings(wanted))) == nil)
    }

    @Test("the cache keeps a permuted hit, so the next look-up is exact")
    func permutedHitJoinsTheCache() {
        var cache = CompressionCache()
        let original = Self.strings(["Ta", "Tb", "Tc"]), reordered = Self.strings(["Tc", "Ta", "Tb"])
        cache.insert(FastEngine.compress(original), for: StringsKey(original), namesOnly: false)
        #expect(cache.lookUp(StringsKey(reordered), namesOnly: false)?.compression == FastEngine.compress(reordered))
        #expect(cache.count == 2)
        #expect(cache.lookUp(StringsKey(reordered), namesOnly: true) == nil)
    }

    @Test("a few strings changed and a few moved: the local difference pairs the moved and names the rest")
    func localDifference() throws {
        let old = Self.strings(["Ta", "Tb", "Tc", "Td", "Te", "Tf"])
        let new = Self.strings(["Ta", "Tc", "Tb", "Tx", "Te", "Ty"])
        let difference = try #require(KallsymsStep.localDifference(from: StringsKey(old), to: StringsKey(new)))
        #expect(difference.source == [0, 2, 1, -1, 4, -1])
        #expect(difference.removed == [3, 5])
        #expect(KallsymsStep.localDifference(from: StringsKey(old), to: StringsKey(Self.strings(["Ta"]))) == nil)
        #expect(KallsymsStep.localPermutation(from: StringsKey(old), to: StringsKey(new)) == nil)
    }

    @Test("a key made from an earlier one knows where they differ: its local difference is the one found by comparing")
    func localDifferenceOfDerivedKey() throws {
        var random = SeededRandom(seed: 0x17_4)
        var derivedPairs = 0
        for trial in 0..<200 {
            let count = 1 + Int(random.next() % 3000)
            var names = (0..<count).map { _ in (0..<(1 + Int(random.next() % 12))).map { _ in UInt8(0x61 + random.next() % 4) } }
            let earlier = StringsKey(ByteStrings(names))
            // From none to more than `localDifferenceLimit` strings changed, moved or swapped.
            let changes = trial % 4 == 0 ? Int(random.next() % UInt64(count + 1)) : Int(random.next() % 80)
            for _ in 0..<changes {
                let index = Int(random.next() % UInt64(count))
                switch random.next() % 3 {
                case 0: names[index].append(0x61 + UInt8(random.next() % 4))
                case 1: names.swapAt(index, Int(random.next() % UInt64(count)))
                default: names[index] = names[Int(random.next() % UInt64(count))]
                }
            }
            let derived = StringsKey(ByteStrings(names), reusing: earlier)
            let compared = StringsKey(ByteStrings(names))
            #expect(derived.earlier?.serial == earlier.serial)
            #expect(compared.earlier == nil && compared.serial != derived.serial)
            let shortcut = KallsymsStep.localDifference(from: earlier, to: derived)
            let scanned = KallsymsStep.localDifference(from: earlier, to: compared)
            #expect(shortcut?.source == scanned?.source, "trial \(trial): \(changes) changes of \(count)")
            #expect(shortcut?.removed == scanned?.removed, "trial \(trial)")
            #expect((shortcut == nil) == (scanned == nil), "trial \(trial)")
            if shortcut != nil { derivedPairs += 1 }
        }
        #expect(derivedPairs > 50)
    }

    @Test("the cache revises a fast compression for a few changed strings, equal to compressing afresh; a reference one it cannot")
    func revisedHitEqualsFresh() throws {
        let parsed = try Era.v6_1.parse(Corpus.armhfMap)
        let all = try Era.v6_1.select(parsed.records, options: KallsymsOptions(allSymbols: true)).storedStrings
        var names = (0..<30_000).map { Array(all[$0]) }
        let original = ByteStrings(names)
        names[100][0] ^= 0x20
        names.swapAt(200, 201)
        let changed = ByteStrings(names)
        var cache = CompressionCache()
        let (compression, margins) = FastEngine.compress(original, recordingMargins: true)
        cache.insert(compression, margins: margins, for: StringsKey(original), namesOnly: false)
        let lookedUp = cache.lookUp(StringsKey(changed), namesOnly: false)
        let found = try #require(lookedUp)
        #expect(found.revised)
        #expect(found.compression == FastEngine.compress(changed))
        // The revision joined the cache: the next look-up is exact.
        let again = cache.lookUp(StringsKey(changed), namesOnly: false)
        #expect(again?.revised == false)
        var withoutMargins = CompressionCache()
        withoutMargins.insert(compression, for: StringsKey(original), namesOnly: false)
        let unrevised = withoutMargins.lookUp(StringsKey(changed), namesOnly: false)
        #expect(unrevised == nil)
    }
}
