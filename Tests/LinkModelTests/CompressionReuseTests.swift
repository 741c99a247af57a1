import Compressor
import Randomness
import Testing

@testable import LinkModel

/// The compression cache's permuted reuse: the strings of a cached compression in another
/// order (symbols reordered at equal addresses) reuse its tokens and encodings.
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
        #expect(cache.lookUp(StringsKey(reordered), namesOnly: false) == FastEngine.compress(reordered))
        #expect(cache.count == 2)
        #expect(cache.lookUp(StringsKey(reordered), namesOnly: true) == nil)
    }
}
