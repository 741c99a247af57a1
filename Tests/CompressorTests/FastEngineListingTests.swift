import Randomness
import TestSupport
import Testing

@testable import Compressor

/// `FastEngine` with its listing threshold forced: new pairs left unlisted are listed by a scan
/// of the text when their round comes (`PairLists.listByScanning`), and the result must not
/// change. A threshold of `Int.max` leaves every token pair unlisted, so every round of one
/// takes the scan; 2 lists nearly everything, as before the threshold existed.
@Suite struct FastEngineListingTests {
    static let thresholds = [Int.max, 2, 7]

    @Test("random small symbol sets agree with the reference engine at forced thresholds", arguments: thresholds)
    func randomSetsAgree(threshold: Int) {
        var generator = SeededRandom(seed: 0x715_7ED &+ UInt64(truncatingIfNeeded: threshold))
        for round in 0..<60 {
            let saved = generator
            let alphabet = round % 5 == 4 ? 256 : 1 + round % 4
            let strings = FastEngineTests.randomStrings(&generator, alphabet: alphabet, maxCount: 10, maxLength: 10)
            let fast = FastEngine.compress(strings, listingNewPairsFrom: threshold)
            #expect(
                fast == ReferenceEngine.compress(strings),
                "case \(round) (replay: SeededRandom(seed: \(saved.state)), alphabet \(alphabet))")
        }
    }

    @Test("long symbols with long runs of holes agree at forced thresholds", arguments: thresholds)
    func longSymbolsAgree(threshold: Int) {
        var generator = SeededRandom(seed: 0x10_C0DF)
        for round in 0..<12 {
            let alphabet = 1 + round % 3
            let count = 1 + Int(generator.next() % 4)
            let strings = ByteStrings(
                (0..<count).map { _ in
                    FastEngineTests.randomString(&generator, alphabet: alphabet, maxLength: 60 + Int(generator.next() % 240))
                })
            #expect(FastEngine.compress(strings, listingNewPairsFrom: threshold) == ReferenceEngine.compress(strings), "case \(round)")
        }
    }

    @Test("the armhf kernel: every token pair listed by scanning gives the default compression")
    func armhfKernelAgrees() throws {
        let parsed = try Era.v6_1.parse(Corpus.armhfMap)
        let input = try Era.v6_1.select(parsed.records, options: KallsymsOptions(allSymbols: true)).storedStrings
        let expected = FastEngine.compress(input)
        #expect(FastEngine.compress(input, listingNewPairsFrom: .max) == expected)
        #expect(FastEngine.compress(input, listingNewPairsFrom: 1) == expected)
    }

    @Test("the threshold is a quarter to a half of the 256th largest count, a power of two")
    func thresholdFromCounts() {
        let counts = UnsafeMutablePointer<UInt32>.allocate(capacity: PairCounter.pairCount)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0, count: PairCounter.pairCount)
        #expect(FastEngine.PairLists.listingThreshold(countsAcrossBoundaries: counts) == 1)
        for pair in 0..<300 { counts[pair] = UInt32(1_000 + pair) }  // the 256th largest: 1 044
        #expect(FastEngine.PairLists.listingThreshold(countsAcrossBoundaries: counts) == 512)
        for pair in 0..<300 { counts[pair] = 3 }
        #expect(FastEngine.PairLists.listingThreshold(countsAcrossBoundaries: counts) == 1)
    }
}
