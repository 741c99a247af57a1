import Compressor
import TestSupport
import Testing

/// Decoding the tables of every successful golden run gives back exactly the kept symbols.
@Suite struct RoundTripTests {
    static let runs = Corpus.goldenRuns.filter(\.succeeds)

    /// The address as the era's tables can hold it: v7.0 without --pc-relative keeps 32 bits.
    static func expectedAddress(_ address: UInt64, _ run: KallsymsRun) -> UInt64 {
        if case .absolute32 = run.tables.addresses { return address & 0xFFFF_FFFF }
        return address
    }

    @Test("tables and .S decode to the kept symbols", arguments: runs)
    func roundTrip(_ golden: Corpus.GoldenRun) throws {
        let run = try golden.era.generate(Corpus.goldenInput(golden.input), options: golden.options)
        let expected = run.selection.symbols.map {
            DecodedSymbol(address: Self.expectedAddress($0.address, run), type: $0.type, name: $0.name)
        }
        let text = run.selection.textAddress
        let fromTables = try TableDecoder.decode(run.tables.raw, text: text)
        #expect(fromTables == expected, "\(golden): decoding the tables")
        let read = try AssemblyReader.read(run.assembly, era: golden.era, absolutePercpu: golden.options.absolutePercpu)
        #expect(try TableDecoder.decode(read.tables, text: text) == expected, "\(golden): decoding the .S")
        // Without --era the reader recognises the era's layout from the file itself.
        let inferred = try AssemblyReader.read(run.assembly, absolutePercpu: golden.options.absolutePercpu)
        #expect(try TableDecoder.decode(inferred.tables, text: text) == expected, "\(golden): decoding with the inferred era")
        #expect((inferred.era == .v3_3) == (golden.era == .v3_3))
    }
}
