import Compressor
import TestSupport
import Testing

/// docs/behaviour.md §6: the tables and the exact text of the `.S`.
@Suite struct TablesTests {
    @Test(
        "one-byte length prefixes keep the low byte; base 128 uses two bytes from 0x80",
        arguments: [
            (1, [UInt8(1)], [UInt8(1)]), (0x7F, [0x7F], [0x7F]), (0x80, [0x80], [0x80, 0x01]),
            (0x1F4, [0xF4], [0xF4, 0x03]), (0x3FFF, [0xFF], [0xFF, 0x7F]),
        ])
    func lengthPrefixes(_ length: Int, _ oneByte: [UInt8], _ base128: [UInt8]) {
        #expect(KallsymsTables.prefix(of: length, .oneByte) == oneByte)
        #expect(KallsymsTables.prefix(of: length, .base128) == base128)
    }

    static func tables(lengths: [Int], prefix: EraRules.LengthPrefix) -> KallsymsTables {
        KallsymsTables(
            compressedNames: ByteStrings(lengths.map { [UInt8](repeating: 0x41, count: $0) }),
            lengthPrefix: prefix, tokenExpansions: Array(repeating: [], count: 256),
            addresses: .absolute32(lengths.map { _ in 0 }), seqsOfNames: nil)
    }

    @Test("markers hold the offset of every 256th symbol, counting prefix bytes")
    func markers() {
        let lengths = (0..<600).map { $0 == 3 ? 200 : 2 }
        let tables = Self.tables(lengths: lengths, prefix: .base128)
        // Symbols 0…255: 255 × 3 bytes plus one of 2 + 200 = 967; 256…511: 256 × 3 more.
        #expect(tables.markers == [0, 967, 967 + 768])
        #expect(tables.names.count == tables.namesSize)
    }

    @Test("the token index is the running sum of expansion lengths plus NULs")
    func tokenIndex() {
        var expansions = Array(repeating: [UInt8](), count: 256)
        expansions[0] = "ab".bytes
        expansions[2] = "c".bytes
        let tables = KallsymsTables(
            compressedNames: ByteStrings(), lengthPrefix: .base128, tokenExpansions: expansions,
            addresses: .absolute32([]), seqsOfNames: nil)
        #expect(Array(tables.tokenIndex.prefix(4)) == [0, 3, 4, 6])
        #expect(tables.tokenTable.count == 256 + 3)
    }

    @Test("zero prints as a bare 0: _text + 0 and .long 0")
    func bareZero() throws {
        let map = "c0008000 T _text\nc0008000 T _stext\nc0008010 T _etext\n"
        let v33 = try Era.v3_3.generate(map.bytes).assembly.text
        #expect(v33.contains("\tPTR\t_text + 0\n"))
        #expect(v33.contains("\tPTR\t_text + 0x10\n"))
        let v61 = try Era.v6_1.generate(map.bytes, options: KallsymsOptions(baseRelative: true)).assembly.text
        #expect(v61.contains("\t.long\t0\n\t.long\t0\n\t.long\t0x10\n"))
    }

    @Test("v6.1+ refuses a compressed name longer than 0x3FFF bytes")
    func hugeSymbolIsRefused() throws {
        let map = "c0008000 T _stext\nc0008000 T _etext\n"
        let selection = try Era.v6_1.select(Era.v6_1.parse(map.bytes).records, options: .init())
        let huge = Compression(tokens: TokenTable(), names: ByteStrings([[UInt8](repeating: 1, count: 0x4000), [1]]), rounds: [])
        #expect { try Era.v6_1.tables(for: selection, compression: huge, options: .init()) } throws: { ($0 as? KallsymsError)?.kind == .symbolLength }
    }

    @Test("v5.10/v6.1 --base-relative: out-of-range offsets are refused", arguments: [Era.v5_10, .v6_1])
    func baseRelativeRange(_ era: Era) {
        let map = "0000000000001000 T _stext\nffffffff81000000 T far\nffffffff81000000 T _etext\n"
        #expect { _ = try era.generate(map.bytes, options: KallsymsOptions(allSymbols: true, baseRelative: true)) } throws: {
            ($0 as? KallsymsError)?.kind == .valueOutOfRange
        }
    }

    @Test("v7.0 --pc-relative: a symbol beyond ±2 GiB of _text is refused")
    func pcRelativeRange() {
        let map = "0000000000000000 D __per_cpu_start\nffffffff00000000 T _text\n"
        #expect { _ = try Era.v7_0.generate(map.bytes, options: KallsymsOptions(allSymbols: true, pcRelative: true)) } throws: {
            ($0 as? KallsymsError)?.kind == .valueOutOfRange
        }
    }

    @Test("v6.19/v7.0 write empty tables for an empty selection", arguments: [Era.v6_19, .v7_0])
    func emptyTables(_ era: Era) throws {
        let run = try era.generate([])
        let text = run.assembly.text
        #expect(text.contains("kallsyms_num_syms:\n\t.long\t0\n\n"))
        #expect(text.contains("kallsyms_markers:\n\n"))
        #expect(run.tables.tokenIndex == (0..<256).map { UInt16($0) })
    }

    @Test("layout sizes follow the era's table order and alignment")
    func layout() throws {
        let map = "c0008000 T _text\nc0008000 T _stext\nc0008010 T _etext\n"
        let run = try Era.v3_3.generate(map.bytes)
        let layout = run.tables.layout(era: .v3_3, target: .arm32)
        #expect(layout.alignment == 16)  // `.align 4` is 2⁴ bytes on ARM
        #expect(
            layout.entries.map(\.name) == [
                "kallsyms_addresses", "kallsyms_num_syms", "kallsyms_names",
                "kallsyms_markers", "kallsyms_token_table", "kallsyms_token_index",
            ])
        #expect(layout.entries.allSatisfy { $0.offset % 16 == 0 })
        #expect(run.tables.layout(era: .v3_3, target: .x86_32).alignment == 4)
        #expect(try Era.v7_0.generate(map.bytes).tables.layout(era: .v7_0, target: .x86_64).alignment == 4)
    }
}
