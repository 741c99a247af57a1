import Randomness
import TestSupport
import Testing

@testable import Compressor

#if canImport(Glibc)
    import Glibc
#endif

/// `FastEngine.compress(_:alongside:)`: the rounds split between two threads, each merging in
/// its own stretch of the input, must give the one-thread engine's compression — for every cut
/// (empty stretches included), whichever thread sets up the second stretch, and whenever the
/// second thread joins the rounds.
@Suite struct FastEngineTwoThreadsTests {
    @Test("random small symbol sets, cut after every symbol, agree with the reference engine")
    func everyCutAgrees() {
        var generator = SeededRandom(seed: 0x2_7EAD)
        for round in 0..<60 {
            let saved = generator
            let alphabet = round % 5 == 4 ? 256 : 1 + round % 4
            let strings = FastEngineTests.randomStrings(&generator, alphabet: alphabet, maxCount: 10, maxLength: 10)
            guard strings.count >= 2 else { continue }
            let reference = ReferenceEngine.compress(strings)
            for split in 1..<strings.count {
                for threshold in [nil, Int.max] {
                    let (compression, marker) = FastEngine.compress(
                        strings, splittingAt: split, listingNewPairsFrom: threshold, alongside: { round })
                    #expect(marker == round)
                    #expect(
                        compression == reference,
                        "case \(round) cut at \(split), threshold \(String(describing: threshold)) (replay: SeededRandom(seed: \(saved.state)))")
                }
            }
        }
    }

    @Test("edge cases: empty strings at the cut, runs across it, one byte on a side")
    func edgeCasesAgree() {
        let cases: [[[UInt8]]] = [
            [[], []], [[0x61], []], [[], [0x61]], [[0x61], [0x61]],
            [[], [0x61, 0x61, 0x61]], [[0x61, 0x61, 0x61], []], [[], [], [0x61, 0x62, 0x61, 0x62]],
            [[0x61], [0x61, 0x61]], [Array("aaaa".utf8), Array("aaaa".utf8), Array("aaaa".utf8)],
            [[UInt8](repeating: 0x61, count: 90), [UInt8](repeating: 0x61, count: 90)],
            [Array("tstart_kernel".utf8), [], Array("Tstart_kernel".utf8), Array("t__start_foo".utf8)],
        ]
        for strings in cases.map(ByteStrings.init) {
            let reference = ReferenceEngine.compress(strings)
            for split in 1..<strings.count {
                let (compression, _) = FastEngine.compress(strings, splittingAt: split, listingNewPairsFrom: nil, alongside: {})
                #expect(compression == reference, "\(strings.map(Array.init)) cut at \(split)")
            }
        }
    }

    /// The armhf kernel's 107 078 symbols: with nothing to do alongside, the second thread sets
    /// up its stretch and merges from the first round; with a few milliseconds of work, the
    /// calling thread sets up both and merges in both until the second thread is free, then
    /// hands over (the round at which that happens varies from run to run; the result must not).
    @Test("the armhf kernel: the second thread free at once, or busy for a while")
    func armhfKernelAgrees() throws {
        let parsed = try Era.v6_1.parse(Corpus.armhfMap)
        let input = try Era.v6_1.select(parsed.records, options: KallsymsOptions(allSymbols: true)).storedStrings
        let expected = FastEngine.compress(input)
        let split = try #require(FastEngine.twoThreadSplit(input))
        #expect(input.totalLength >= FastEngine.twoThreadsFrom)
        // About half of the bytes on each side.
        #expect(abs(2 * input.ends[split - 1] - input.totalLength) < input.totalLength / 100)
        for busy in [0, 2_000, 8_000] {
            let (compression, ran) = FastEngine.compress(input) { () -> Bool in
                #if canImport(Glibc)
                    if busy > 0 { usleep(UInt32(busy)) }
                #endif
                return true
            }
            #expect(ran)
            #expect(compression == expected, "alongside busy for \(busy) µs")
        }
        let (scanned, _) = FastEngine.compress(input, splittingAt: split, listingNewPairsFrom: .max, alongside: {})
        #expect(scanned == expected, "every token pair listed by scanning")
    }

    @Test("small inputs and inputs of one stretch are not split")
    func noSplit() {
        #expect(FastEngine.twoThreadSplit(ByteStrings([Array("abcdef".utf8)])) == nil)
        #expect(FastEngine.twoThreadSplit(ByteStrings([Array("abcdef".utf8), []])) == nil)
        #expect(FastEngine.twoThreadSplit(ByteStrings([Array("ab".utf8), Array("cd".utf8)])) == 1)
        let small = ByteStrings([Array("tstart_kernel".utf8), Array("Tstart_kernel".utf8)])
        let (compression, value) = FastEngine.compress(small, alongside: { 42 })
        #expect(value == 42)
        #expect(compression == FastEngine.compress(small))
    }
}
