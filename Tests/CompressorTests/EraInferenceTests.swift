import Compressor
import TestSupport
import Testing

/// `AssemblyReader` infers the era of a `.S` it is given without `--era`: from the preamble
/// (v3.3's include, v7.0's missing preamble), `kallsyms_seqs_of_names` (v6.19) and, between
/// v5.10 and v6.1, the length prefix of a compressed name of 128 bytes or more.
@Suite struct EraInferenceTests {
    /// A golden map plus a 127-byte name of high bytes no other name holds: the thousands of
    /// ordinary names take every token, so the long name stays 128 bytes compressed, the first
    /// length that v5.10 writes in one byte and v6.1 in two.
    static let map: [UInt8] = {
        let long = (0..<127).map { UInt8(0x80 + ($0 * 37) % 127) }
        return Corpus.goldenInput("wide-0101.map") + Array("c0008010 T ".utf8) + long + [0x0A]
    }()

    @Test("the era of every generator's .S is inferred, and its tables decode", arguments: Era.allCases)
    func inferredEraIsTheWriter(_ era: Era) throws {
        let run = try era.generate(Self.map, options: KallsymsOptions(allSymbols: true))
        try #require(run.tables.compressedNames.indices.contains { run.tables.compressedNames.length(of: $0) >= 128 })
        let read = try AssemblyReader.read(run.assembly)
        #expect(read.era == era)
        let decoded = try TableDecoder.decode(read.tables, text: run.selection.textAddress)
        #expect(decoded.map(\.name) == run.selection.symbols.map(\.name))
    }

    @Test("without a long name, v5.10 and v6.1 tables read the same under either era")
    func shortNamesAreAmbiguousButHarmless() throws {
        let map = Corpus.goldenInput("small.map")
        for era in [Era.v5_10, .v6_1] {
            let run = try era.generate(map, options: KallsymsOptions(allSymbols: true))
            let inferred = try AssemblyReader.read(run.assembly)
            #expect([Era.v5_10, .v6_1].contains(inferred.era))
            let exact = try AssemblyReader.read(run.assembly, era: era)
            #expect(
                try TableDecoder.decode(inferred.tables, text: run.selection.textAddress)
                    == TableDecoder.decode(exact.tables, text: run.selection.textAddress))
        }
    }
}
