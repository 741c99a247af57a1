import Compressor
import Generators
import Randomness
import TestSupport
import Testing

@Suite struct CompressionComparisonTests {
    /// The realism target of issue 5: a generated map of the armhf map's size compresses (v6.1
    /// --all-symbols) to a ratio within ±5 % of the real map's, with a similar token-length
    /// histogram (total variation distance below 0.1).
    @Test("a generated map of the armhf size compresses like the real armhf map")
    func generatedMapCompressesLikeTheRealOne() throws {
        let comparison = try CompressionComparison(reference: Fixtures.armRecords, candidate: Fixtures.fullSizeMap)
        #expect(
            abs(comparison.ratioDeviation) <= 0.05,
            "real ratio \(comparison.reference.ratio), generated \(comparison.candidate.ratio)")
        #expect(
            comparison.tokenLengthDistance < 0.1,
            "real \(comparison.reference.tokenLengthHistogram), generated \(comparison.candidate.tokenLengthHistogram)")
        #expect(comparison.isRealistic)
        print(
            "realism: real ratio \(comparison.reference.ratio), generated \(comparison.candidate.ratio), "
                + "deviation \(comparison.ratioDeviation), token length distance \(comparison.tokenLengthDistance)")
    }

    @Test("the ratio is kallsyms_names plus the token table over the raw name bytes, counted here from the tables")
    func ratioMatchesTheTables() throws {
        let map = Fixtures.map(2000, seed: 4)
        let run = try Era.v6_1.generate(MapWriter.write(map), options: KallsymsOptions(allSymbols: true))
        // Computed apart from CompressionStatistics: the bytes of the two tables the generator
        // wrote over the kept names plus their type bytes.
        let raw = run.selection.symbols.reduce(0) { $0 + 1 + $1.name.count }
        try #require(raw > 0)
        let expected = Double(run.tables.raw.names.count + run.tables.raw.tokenTable.count) / Double(raw)
        let statistics = try CompressionComparison.statistics(map)
        #expect(abs(statistics.ratio - expected) < 1e-12, "\(statistics.ratio) vs \(expected)")
    }

    @Test("a map that compresses worse deviates, with the sign and size of the ratio change")
    func differentMapsDeviate() throws {
        let map = Fixtures.map(2000, seed: 4)
        // The same addresses and types with names of random letters: nothing repeats, little compresses.
        var rng = SeededRandom(seed: 9)
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        let random = map.map { record in
            SymbolRecord(
                address: record.address, type: record.type,
                name: (0..<max(4, record.name.count)).map { _ in letters.randomElement(using: &rng)! })
        }
        let comparison = try CompressionComparison(reference: map, candidate: random)
        #expect(comparison.ratioDeviation > 0.2, "random names compress worse: \(comparison.ratioDeviation)")
        #expect(comparison.ratioDeviation == comparison.candidate.ratio / comparison.reference.ratio - 1)
        #expect(comparison.tokenLengthDistance > 0.1)
        #expect(!comparison.isRealistic)
    }

    @Test("a map compared with itself deviates by nothing")
    func identicalMapsAreIdentical() throws {
        let map = Fixtures.map(2000, seed: 4)
        let comparison = try CompressionComparison(reference: map, candidate: map)
        #expect(comparison.ratioDeviation == 0)
        #expect(comparison.tokenLengthDistance == 0)
    }
}
