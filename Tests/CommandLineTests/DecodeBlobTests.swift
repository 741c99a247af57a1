import Compressor
import Foundation
import TestSupport
import Testing

/// `decode --tables` on blobs laid out as a 64-bit image holds them: pointer-sized words of 8
/// bytes, `--absolute-percpu` offsets, v7.0 `--pc-relative` offsets relative to their own slot.
/// The blobs are written here from a generator run, with the addresses the linker would have
/// resolved, and the decoded listing must be the kept symbols.
@Suite struct DecodeBlobTests {
    /// `value` as `size` little-endian bytes.
    static func littleEndian(_ value: UInt64, _ size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    /// The blobs every era has, from `run`'s tables (`countSize`: bytes of `kallsyms_num_syms`
    /// and `kallsyms_markers` words).
    static func commonBlobs(_ run: KallsymsRun, countSize: Int) -> [String: [UInt8]] {
        let raw = run.tables.raw
        var blobs: [String: [UInt8]] = [
            "kallsyms_num_syms": littleEndian(UInt64(raw.symbolCount), countSize),
            "kallsyms_names": raw.names,
            "kallsyms_markers": raw.markers.flatMap { littleEndian($0, countSize) },
            "kallsyms_token_table": raw.tokenTable,
            "kallsyms_token_index": raw.tokenIndex.flatMap { littleEndian(UInt64($0), 2) },
        ]
        if let seqs = raw.seqsOfNames {
            blobs["kallsyms_seqs_of_names"] = seqs.flatMap { [UInt8($0 >> 16 & 0xFF), UInt8($0 >> 8 & 0xFF), UInt8($0 & 0xFF)] }
        }
        return blobs
    }

    /// The listing `decode` must print: every kept symbol, 16 hex digits per address.
    static func expectedListing(_ run: KallsymsRun) -> String {
        run.selection.symbols.map { symbol in
            DecodedSymbol(address: symbol.address, type: symbol.storedString[0], name: symbol.name).line(addressWidth: 16).text + "\n"
        }.joined()
    }

    /// Writes `blobs` as `kallsyms_*.bin` into a fresh folder and runs `decode --tables` on it.
    static func decode(
        _ blobs: [String: [UInt8]], _ options: [String], info: String? = nil
    )
        -> (status: Int32, output: String, errors: String)
    {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        for (name, bytes) in blobs { write(bytes, to: folder + "/\(name).bin") }
        if let info { write(Array(info.utf8), to: folder + "/info.json") }
        let result = runTool(["decode", "--tables", folder] + options)
        return (result.status, result.output.text, result.errors)
    }

    static let map = Corpus.goldenInput("x86pcpu.map")

    @Test("64-bit kallsyms_addresses, v3.3 (pointer-sized counts) and v5.10", arguments: [Era.v3_3, .v5_10])
    func absoluteAddresses(_ era: Era) throws {
        let run = try era.generate(Self.map, options: KallsymsOptions(allSymbols: true))
        try #require(run.selection.symbols.contains { $0.address > 0xFFFF_FFFF })
        var blobs = Self.commonBlobs(run, countSize: era == .v3_3 ? 8 : 4)
        blobs["kallsyms_addresses"] = run.selection.symbols.flatMap { Self.littleEndian($0.address, 8) }
        let result = Self.decode(blobs, ["--era", era.rawValue, "--word-size", "8"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == Self.expectedListing(run))
        // Read as 4-byte words the blobs are not a symbol table: the word size is detected or the
        // reading refused, never printed as other addresses with exit 0 (issue 18).
        let wrong = Self.decode(blobs, ["--era", era.rawValue])
        #expect(wrong.status != 0 || wrong.output == Self.expectedListing(run), "\(wrong.errors)")
    }

    @Test("--absolute-percpu offsets with a 64-bit relative base", arguments: [Era.v5_10, .v6_1])
    func absolutePercpu(_ era: Era) throws {
        let run = try era.generate(Self.map, options: KallsymsOptions(allSymbols: true, absolutePercpu: true, baseRelative: true))
        let percpu = run.selection.symbols.filter(\.isPercpuAbsolute)
        try #require(!percpu.isEmpty && percpu.count < run.selection.symbols.count)
        guard case .baseRelative(let offsets, let base, true) = run.tables.raw.addresses else {
            Issue.record("expected absolute-percpu base-relative tables, got \(run.tables.raw.addresses)")
            return
        }
        var blobs = Self.commonBlobs(run, countSize: 4)
        blobs["kallsyms_offsets"] = offsets.flatMap { Self.littleEndian(UInt64($0), 4) }
        blobs["kallsyms_relative_base"] = Self.littleEndian(base.resolved(text: run.selection.textAddress), 8)
        let result = Self.decode(blobs, ["--era", era.rawValue, "--word-size", "8", "--absolute-percpu"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == Self.expectedListing(run))
        // Without --absolute-percpu the per-cpu offsets are detected or refused, never decoded
        // to other addresses with exit 0 (issue 18).
        let plain = Self.decode(blobs, ["--era", era.rawValue, "--word-size", "8"])
        #expect(plain.status != 0 || plain.output == Self.expectedListing(run), "\(plain.errors)")
    }

    @Test("v7.0 --pc-relative offsets, with --offsets-address or the address in info.json")
    func pcRelative() throws {
        let run = try Era.v7_0.generate(Self.map, options: KallsymsOptions(allSymbols: true, pcRelative: true))
        // Where the linker put kallsyms_offsets; entry i holds the symbol's address minus its own.
        let table: UInt64 = 0xffff_ffff_8260_0000
        var blobs = Self.commonBlobs(run, countSize: 4)
        blobs["kallsyms_offsets"] = run.selection.symbols.enumerated().flatMap { index, symbol in
            Self.littleEndian(UInt64(UInt32(truncatingIfNeeded: symbol.address &- (table &+ 4 * UInt64(index)))), 4)
        }
        let given = Self.decode(blobs, ["--era", "v7.0", "--pc-relative", "--offsets-address", String(table, radix: 16)])
        #expect(given.status == 0, "\(given.errors)")
        #expect(given.output == Self.expectedListing(run))
        let info = "{\"blobs\":{\"kallsyms_offsets\":{\"vaddr\":\"\(String(table, radix: 16))\",\"size\":0}}}"
        let fromInfo = Self.decode(blobs, ["--era", "v7.0", "--pc-relative"], info: info)
        #expect(fromInfo.status == 0, "\(fromInfo.errors)")
        #expect(fromInfo.output == Self.expectedListing(run))
        // Another table address moves every symbol.
        let moved = Self.decode(blobs, ["--era", "v7.0", "--pc-relative", "--offsets-address", String(table + 0x1000, radix: 16)])
        #expect(moved.status != 0 || moved.output != Self.expectedListing(run))
        let missing = Self.decode(blobs, ["--era", "v7.0", "--pc-relative"])
        #expect(missing.status == 1 && missing.errors.contains("info.json"))
    }
}
