import Compressor
import TestSupport
import Testing

/// The real 32-bit ARM kernel (Debian 6.1.176 armmp): its System.map and the tables its vmlinux carries.
@Suite struct ArmKernelTests {
    static let tablesFolder = Corpus.armhf + "/vmlinux-tables/"

    static func blob(_ name: String) -> [UInt8] { Corpus.bytes(tablesFolder + name + ".bin") }

    static func littleEndianWords(_ bytes: [UInt8]) -> [Int] {
        stride(from: 0, to: bytes.count, by: 4).map {
            Int(bytes[$0]) | Int(bytes[$0 + 1]) << 8 | Int(bytes[$0 + 2]) << 16 | Int(bytes[$0 + 3]) << 24
        }
    }

    @Test("v6.1 --base-relative reproduces the kernel's names, markers, token table and token index")
    func v61BaseRelativeReproducesTheImageTables() throws {
        let run = try Era.v6_1.generate(Corpus.armhfMap, options: KallsymsOptions(baseRelative: true))
        #expect(run.selection.symbols.count == 45_665)
        #expect(run.tables.names == Self.blob("kallsyms_names"))
        #expect(run.tables.markers == Self.littleEndianWords(Self.blob("kallsyms_markers")))
        #expect(run.tables.tokenTable == Self.blob("kallsyms_token_table"))
        let index = Self.blob("kallsyms_token_index")
        #expect(run.tables.tokenIndex == stride(from: 0, to: index.count, by: 2).map { UInt16(index[$0]) | UInt16(index[$0 + 1]) << 8 })
        guard case .baseRelative(let offsets, let base, _) = run.tables.addresses else {
            Issue.record("expected base-relative addresses")
            return
        }
        #expect(offsets.map(Int.init) == Self.littleEndianWords(Self.blob("kallsyms_offsets")))
        #expect(base.resolved(text: run.selection.textAddress) == 0xc030_0000)
    }

    @Test("decoding the image's tables reproduces decoded.txt")
    func decodingTheImageReproducesDecodedText() throws {
        var blobs: [String: [UInt8]] = [:]
        for name in TableImage.tableNames where name != "kallsyms_addresses" { blobs[name] = Self.blob(name) }
        let symbols = try TableDecoder.decode(try TableImage(blobs: blobs).tables(era: .v6_1))
        var text: [UInt8] = []
        for symbol in symbols {
            text += symbol.line(addressWidth: 8)
            text.append(0x0A)
        }
        #expect(text == Corpus.bytes(Self.tablesFolder + "decoded.txt"))
    }

    /// The whole-file digests listed in Tests/Corpus/armhf-armmp-6.1.176/README.md.
    @Test(
        "whole .S files match the reference generators",
        arguments: [
            (Era.v6_1, KallsymsOptions(baseRelative: true), 4_428_478, "4ade691f70335cc103cc3e22aa384d853125feb9de1063b3f24175dafd58180c"),
            (Era.v3_3, KallsymsOptions(), 4_710_224, "6d202dc3cd26b46f863011da5109c21d7142b53fc935735994e80e3047cf2c4d"),
            (Era.v6_19, KallsymsOptions(), 9_300_023, "ade95edee8dca1b63626ce3eff38984c13fad7ec16754f3e9bccd08bc463781e"),
            (
                Era.v7_0, KallsymsOptions(allSymbols: true, pcRelative: true), 23_651_940,
                "53456611e809a0131464860ed4fd2d411122bc6b74cca790e73818dbc0cf2ef3"
            ),
        ])
    func wholeFileMatches(_ era: Era, _ options: KallsymsOptions, _ size: Int, _ digest: String) throws {
        let assembly = try era.generate(Corpus.armhfMap, options: options).assembly
        #expect(assembly.count == size)
        #expect(SHA256.hex(assembly) == digest)
    }
}
