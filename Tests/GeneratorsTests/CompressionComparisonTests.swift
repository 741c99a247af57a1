import Compressor
import Generators
import Testing
import TestSupport

@Suite struct CompressionComparisonTests {
    /// The realism target of issue 5: a generated map of the armhf map's size compresses (v6.1
    /// --all-symbols) to a ratio within ±5 % of the real map's, with a similar token-length
    /// histogram (total variation distance below 0.1).
    @Test("a generated map of the armhf size compresses like the real armhf map")
    func generatedMapCompressesLikeTheRealOne() throws {
        let comparison = try CompressionComparison(reference: Fixtures.armRecords, candidate: Fixtures.fullSizeMap)
        #expect(abs(comparison.ratioDeviation) <= 0.05,
                "real ratio \(comparison.reference.ratio), generated \(comparison.candidate.ratio)")
        #expect(comparison.tokenLengthDistance < 0.1,
                "real \(comparison.reference.tokenLengthHistogram), generated \(comparison.candidate.tokenLengthHistogram)")
        #expect(comparison.isRealistic)
        print("realism: real ratio \(comparison.reference.ratio), generated \(comparison.candidate.ratio), "
              + "deviation \(comparison.ratioDeviation), token length distance \(comparison.tokenLengthDistance)")
    }

    @Test("a map compared with itself deviates by nothing")
    func identicalMapsAreIdentical() throws {
        let map = Fixtures.map(2000, seed: 4)
        let comparison = try CompressionComparison(reference: map, candidate: map)
        #expect(comparison.ratioDeviation == 0)
        #expect(comparison.tokenLengthDistance == 0)
    }
}
