import Compressor
import Testing

@testable import LinkModel

@Suite struct MitigationTests {
    static let initStart: UInt64 = 0xc000_9040

    static func flip(initEnd: UInt64) -> Layout {
        FlipLayout.make(initSize: initEnd - initStart, initAlignment: 4)
    }

    static func build(_ layout: Layout, _ era: Era = .v5_10, _ mitigations: [Mitigation] = []) -> BuildResult {
        Build(
            layout: layout,
            options: BuildOptions(
                era: era, kallsyms: KallsymsOptions(allSymbols: true),
                mitigations: mitigations, letters: .binutils2012)
        ).run()
    }

    @Test(
        "mitigations parse from their command-line names",
        arguments: [
            ("extra-pass", Mitigation.extraPass), ("fixed-point=5", .fixedPoint(maxPasses: 5)), ("pad=64", .pad(bytes: 64)),
            ("pad=0x1000", .pad(bytes: 4096)), ("uncompressed-type", .uncompressedType), ("reuse-tokens", .reuseTokens),
        ])
    func parsing(_ text: String, _ mitigation: Mitigation) {
        #expect(Mitigation(parsing: text) == mitigation)
        #expect(Mitigation(parsing: mitigation.description) == mitigation)
    }

    @Test("malformed mitigations are refused", arguments: ["fixed-point=1", "fixed-point", "pad=0", "pad=x", "extra-pass=1", "retry"])
    func malformed(_ text: String) {
        #expect(Mitigation(parsing: text) == nil)
    }

    @Test("extra-pass sets KALLSYMS_EXTRA_PASS=1 whatever the environment says")
    func extraPassSetsTheVariable() {
        #expect(BuildOptions(era: .v3_3, mitigations: [.extraPass], kallsymsExtraPass: "0").effectiveExtraPass == "1")
        #expect(BuildOptions(era: .v3_3, kallsymsExtraPass: "0").effectiveExtraPass == "0")
    }

    @Test("fixed-point links until the object repeats: arm-2012-up is consistent after three passes")
    func fixedPointConverges() {
        let scenario = Scenario.arm2012Uniprocessor
        let result = Build(layout: scenario.layout, options: scenario.options(mitigations: [.fixedPoint(maxPasses: 6)])).run()
        #expect(result.isConsistent)
        #expect(result.linkedPasses.count == 3)
        #expect(result.cycle == nil)
    }

    @Test("fixed-point reports a cycle when the letter flip flips back every pass")
    func fixedPointReportsCycles() throws {
        // Probe: the object sizes kallsyms gives for the D map and for the T map.
        let probe = Self.build(Self.flip(initEnd: 0xc000_c000 - 0x100))
        let sizeD = UInt64(probe.passes[0].output.object.size), sizeT = UInt64(probe.passes[1].output.object.size)
        try #require(sizeD != sizeT)
        // Place .init.data so that the smaller object lands it exactly on a boundary and the
        // larger one just past it: each pass undoes the previous one's letter.
        let layout = sizeT < sizeD ? Self.flip(initEnd: 0xc000_c000 - sizeT) : Self.flip(initEnd: 0xc000_d000 - sizeD)
        let result = Self.build(layout, .v5_10, [.fixedPoint(maxPasses: 8)])
        #expect(result.cycle == BuildResult.Cycle(firstPass: 1, period: 2))
        #expect(result.linkedPasses.count == 3)
        #expect(result.isInconsistent)
        // Without the mitigation the era's build fails the same way.
        #expect(Self.build(layout, .v5_10).isInconsistent)
    }

    @Test("pad=B rounds every table slot to B bytes, so small changes move no label")
    func paddingRoundsEveryTable() throws {
        let run = try Era.v5_10.generate(
            Array("c0008000 T _text\nc0008040 t stext_helper\n".utf8),
            options: KallsymsOptions(allSymbols: true))
        let tables = run.tables.layout(era: .v5_10, target: .arm32)
        let object = KallsymsObject(tables: tables, padding: 64)
        var offset = 0
        for (label, entry) in zip(object.labels, tables.entries) {
            #expect(label.offset == offset && label.name == Array(entry.name.utf8))
            offset += (entry.size + 63) / 64 * 64
        }
        #expect(object.size == offset && object.size % 64 == 0)
        #expect(KallsymsObject(tables: tables).size == tables.totalSize)
        #expect(KallsymsObject(tables: tables).labels.map(\.offset) == tables.entries.map(\.offset))
        let layout = Self.flip(initEnd: 0xc000_c000 - 0x100)
        #expect(Self.build(layout).passes.count == 3)
        let padded = Self.build(layout, .v5_10, [.pad(bytes: 64)])
        #expect(padded.passes.count == 2)
        #expect(padded.isConsistent)
        #expect(padded.passes[0].output.object.size % 64 == 0)
    }

    @Test("uncompressed-type: a letter change changes no table size")
    func uncompressedTypeIgnoresLetters() throws {
        let layout = Self.flip(initEnd: 0xc000_c000 - 0x100)
        let result = Self.build(layout, .v5_10, [.uncompressedType])
        #expect(result.passes.count == 2)
        #expect(result.isConsistent)
        let records = [SymbolRecord(0x1000, "T", "per_cpu_thing"), SymbolRecord(0x1004, "t", "other_thing")]
        var step = KallsymsStep(
            options: BuildOptions(
                era: .v5_10, kallsyms: KallsymsOptions(allSymbols: true),
                mitigations: [.uncompressedType]), target: .arm32)
        let first = try step.run(records, freezesTokens: true)
        var flipped = records
        flipped[0].type = UInt8(ascii: "D")
        let second = try step.run(flipped, freezesTokens: false)
        #expect(first.tables == second.tables)
        #expect(second.work == .reusedCompression)
    }

    @Test("reuse-tokens: later passes are encoded with pass 1's table")
    func reuseTokensEncodesLaterPasses() {
        let result = Self.build(Self.flip(initEnd: 0xc000_c000 - 0x100), .v3_3, [.reuseTokens])
        #expect(result.passes.map(\.output.work) == [.compressed, .encodedWithFrozenTokens])
    }

    @Test("frozen tokens reproduce the compression they came from; new bytes take empty codes or force a rebuild")
    func frozenTokensEncode() {
        let strings = ByteStrings(["Tfoo_bar", "Tfoo_baz", "tbar_foo", "Dfoo_data"].map { Array($0.utf8) })
        let compression = CompressionEngine.reference.compress(strings)
        let frozen = FixedTokens(compression)
        #expect(frozen.encode(strings) == compression)
        let fresh = frozen.encode(ByteStrings([Array("T".utf8) + [0x01] + Array("foo".utf8)]))
        #expect(fresh?.tokens[0x01] == .literal)
        let token = compression.rounds[0].code
        #expect(frozen.encode(ByteStrings([[UInt8(ascii: "T"), token]])) == nil)
    }
}
