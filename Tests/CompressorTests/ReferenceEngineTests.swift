import Compressor
import TestSupport
import Testing

/// docs/behaviour.md §5: the greedy pair compression, checked on hand-made inputs.
@Suite struct ReferenceEngineTests {
    func compress(_ strings: [String], engine: CompressionEngine = .reference) -> Compression {
        engine.compress(ByteStrings(strings.map(\.bytes)))
    }

    func pair(_ first: Character, _ second: Character) -> TokenTable.Entry {
        .pair(first: first.asciiValue!, second: second.asciiValue!)
    }

    @Test("ties go to the smallest pair number (second byte, then first)", arguments: CompressionEngine.allCases)
    func tieBreak(_ engine: CompressionEngine) {
        // "ab" and "ba" both occur once; "ba" = 0x62 + 256·0x61 is the smaller pair number.
        let result = compress(["ab", "ba"], engine: engine)
        #expect(result.tokens[255] == pair("b", "a"))
        #expect(result.tokens[254] == pair("a", "b"))
        #expect(result.tokens[253] == .empty)
        #expect(result.rounds.map(\.count) == [1, 1])
        #expect(Array(result.names[0]) == [254])
        #expect(Array(result.names[1]) == [255])
    }

    @Test("codes are tried 255 → 0 and literal codes are skipped without being used", arguments: CompressionEngine.allCases)
    func literalCodesAreSkipped(_ engine: CompressionEngine) {
        let result = engine.compress(ByteStrings([[0xFF, 0xFE, 0x41, 0x42], [0x41, 0x42]]))
        #expect(result.tokens[255] == .literal)
        #expect(result.tokens[254] == .literal)
        #expect(result.tokens[253] == pair("A", "B"))
        #expect(result.rounds.first?.code == 253)
    }

    @Test("overlapping occurrences all count; replacement is left to right without overlap", arguments: CompressionEngine.allCases)
    func overlappingRuns(_ engine: CompressionEngine) {
        let result = compress(["aaa"], engine: engine)
        #expect(result.rounds.first == Compression.Round(code: 255, pair: TokenTable.pairNumber(0x61, 0x61), count: 2))
        // "aaa" → [255, 'a'] → [254] with 254 = (255, 'a').
        #expect(result.tokens[254] == .pair(first: 255, second: 0x61))
        #expect(Array(result.names[0]) == [254])
    }

    @Test("the loop stops at the first round with nothing left to merge", arguments: CompressionEngine.allCases)
    func stopsWhenNothingLeft(_ engine: CompressionEngine) {
        let result = compress(["x", "y", "z"], engine: engine)
        #expect(result.rounds.isEmpty)
        #expect(result.tokens.tokenCount == 0)
        #expect(result.tokens.literalCount == 3)
    }

    @Test("a pair that occurs once is still merged (no minimum profit)", arguments: CompressionEngine.allCases)
    func singleOccurrenceIsMerged(_ engine: CompressionEngine) {
        #expect(compress(["Tfoo"], engine: engine).names.map(\.count) == [1])
    }

    @Test("when every byte value occurs there is no free code", arguments: CompressionEngine.allCases)
    func noFreeCode(_ engine: CompressionEngine) {
        let all = (0...255).map { UInt8($0) }
        let result = engine.compress(ByteStrings([all, all]))
        #expect(result.rounds.isEmpty)
        #expect(result.tokens.literalCount == 256)
    }

    @Test("tokens expand recursively to their pairs")
    func expansion() {
        let result = compress(["Tprintk", "Tvprintk", "tprintk_emit"])
        let expansions = result.tokens.expansions
        for (index, symbol) in ["Tprintk", "Tvprintk", "tprintk_emit"].enumerated() {
            #expect(result.names[index].flatMap { expansions[Int($0)] } == symbol.bytes)
        }
    }

    @Test("the type byte takes part like any other byte")
    func typeByteIsCompressed() {
        let result = compress(["Tfoo", "Tbar"])
        // "Tf"/"Tb" and "fo"/"oo" compete; the stored strings all start with the type.
        #expect(result.tokens.expansions.contains { $0.first == UInt8(ascii: "T") && $0.count > 1 })
    }

    @Test("empty input gives an empty table")
    func emptyInput() {
        let result = ReferenceEngine.compress(ByteStrings())
        #expect(result.names.isEmpty)
        #expect(result.tokens.literalCount == 0)
        #expect(result.rounds.isEmpty)
    }
}
