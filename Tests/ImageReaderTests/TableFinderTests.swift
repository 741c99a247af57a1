import Compressor
import Foundation
import ImageReader
import Randomness
import Testing

/// The finder on images built from our own tables: every era and address style, ELF32/ELF64,
/// both byte orders, raw images.
@Suite struct TableFinderTests {
    struct Case: CustomStringConvertible, Sendable {
        var era: Era
        var options: KallsymsOptions
        var wordSize: Int
        var style: AddressStyle
        var description: String { "\(era) \(options.flags.map(\.rawValue).sorted().joined(separator: " ")) \(wordSize * 8)-bit" }
    }

    static let cases: [Case] = [
        Case(era: .v3_3, options: .init(allSymbols: true), wordSize: 4, style: .absolute),
        Case(era: .v3_3, options: .init(allSymbols: true), wordSize: 8, style: .absolute),
        Case(era: .v5_10, options: .init(allSymbols: true), wordSize: 8, style: .absolute),
        Case(era: .v5_10, options: .init(allSymbols: true, baseRelative: true), wordSize: 4, style: .baseRelative),
        Case(era: .v5_10, options: .init(allSymbols: true, absolutePercpu: true, baseRelative: true), wordSize: 8, style: .absolutePercpu),
        Case(era: .v6_1, options: .init(allSymbols: true, baseRelative: true), wordSize: 4, style: .baseRelative),
        Case(era: .v6_1, options: .init(allSymbols: true, absolutePercpu: true, baseRelative: true), wordSize: 8, style: .absolutePercpu),
        Case(era: .v6_19, options: .init(allSymbols: true), wordSize: 8, style: .baseRelative),
        Case(era: .v6_19, options: .init(allSymbols: true), wordSize: 4, style: .baseRelative),
        Case(era: .v7_0, options: .init(allSymbols: true, pcRelative: true), wordSize: 8, style: .pcRelative),
        Case(era: .v7_0, options: .init(allSymbols: true), wordSize: 4, style: .absolute32),
    ]

    static func find(_ bytes: [UInt8], _ context: SearchContext) throws -> FoundTables {
        try bytes.withUnsafeBufferPointer { try TableFinder.find(in: $0, context: context) }
    }

    @Test("a raw image decodes to the kept symbols, in either byte order", arguments: cases)
    func rawImageDecodes(_ test: Case) throws {
        for order in [ByteOrder.little, .big] {
            let image = try SyntheticImage(era: test.era, options: test.options, wordSize: test.wordSize, byteOrder: order)
            var context = SearchContext()
            if test.style == .pcRelative {
                // A raw image does not say where it is loaded: pc-relative tables need the address.
                #expect(throws: ImageError.self) { try Self.find(image.bytes, context) }
                context.segments = [
                    .init(
                        offset: 0, size: image.bytes.count, virtualAddress: image.loadAddress,
                        memorySize: UInt64(image.bytes.count))
                ]
            }
            let found = try Self.find(image.bytes, context)
            #expect(found.symbols == image.expected, "\(test) \(order)")
            #expect(found.addressStyle == test.style)
            #expect(found.byteOrder == order)
            #expect(found.raw.seqsOfNames != nil || !test.era.rules.writesSeqsOfNames)
        }
    }

    @Test("an ELF image decodes, its class and byte order from the header", arguments: cases)
    func elfImageDecodes(_ test: Case) throws {
        for order in [ByteOrder.little, .big] {
            let image = try SyntheticImage(era: test.era, options: test.options, wordSize: test.wordSize, byteOrder: order, seed: 7)
            let elf = image.elf
            let report = try elf.withUnsafeBufferPointer { try KernelImage.read($0, path: "/nonexistent") }
            #expect(report.format == "ELF\(test.wordSize * 8) \(order.rawValue)")
            #expect(report.tables.symbols == image.expected, "\(test) \(order)")
            #expect(report.tables.wordSize == test.wordSize || test.style == .absolute32)
        }
    }

    @Test("verify names the era that made the tables", arguments: cases)
    func verifyNamesTheEra(_ test: Case) throws {
        let image = try SyntheticImage(era: test.era, options: test.options, wordSize: test.wordSize, byteOrder: .little, seed: 3)
        let report = try image.elf.withUnsafeBufferPointer { try KernelImage.read($0, path: "/nonexistent") }
        let verdicts = ImageVerifier.verify(report.tables)
        let verdict = try #require(verdicts.first { $0.era == test.era })
        #expect(verdict.reproduces, "\(test): \(verdict.differences)")
    }

    @Test("a flipped byte in the names or the token index is never decoded silently wrong")
    func flippedBytesAreRefusedOrHarmless() throws {
        let image = try SyntheticImage(era: .v6_1, options: .init(allSymbols: true, baseRelative: true), wordSize: 4, byteOrder: .little)
        let found = try Self.find(image.bytes, SearchContext())
        var random = SeededRandom(seed: 11)
        for table in ["kallsyms_names", "kallsyms_markers", "kallsyms_token_index", "kallsyms_offsets", "kallsyms_num_syms"] {
            let location = try #require(found.locations.first { $0.name == table })
            for _ in 0..<8 {
                var bytes = image.bytes
                let at = location.offset + Int.random(in: 0..<location.size, using: &random)
                bytes[at] ^= UInt8.random(in: 1...255, using: &random)
                // Either refused, or (when the flip hit something the invariants cannot see, such as a
                // name byte that still decodes) not claiming different addresses for the same names.
                if let damaged = try? Self.find(bytes, SearchContext()), damaged.symbols.count == image.expected.count {
                    for (got, want) in zip(damaged.symbols, image.expected) where got.name == want.name {
                        #expect(got.address == want.address || table == "kallsyms_offsets", "\(table) flip at \(at)")
                    }
                }
            }
        }
    }

    @Test("random bytes, an empty buffer and a truncated image are refused with one line")
    func hostileBuffersAreRefused() throws {
        var random = SeededRandom(seed: 5)
        let noise = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let image = try SyntheticImage(era: .v6_19, options: .init(allSymbols: true), wordSize: 8, byteOrder: .little)
        for bytes in [noise, [], [UInt8](repeating: 0, count: 100_000), Array(image.bytes.prefix(9000)), Array(image.bytes.prefix(image.bytes.count / 2))] {
            do {
                _ = try Self.find(bytes, SearchContext())
                Issue.record("\(bytes.count) bytes decoded")
            } catch let error as ImageError {
                #expect(!error.message.contains("\n"))
            }
        }
    }
}

/// arm64 Images store 0 in kallsyms_relative_base and patch it at boot from their own
/// relocation table.
@Suite struct RelocatedBaseTests {
    @Test("a zero relative base is taken from the R_AARCH64_RELATIVE entry that patches it")
    func zeroBaseComesFromItsRelocation() throws {
        var image = try SyntheticImage(
            era: .v6_1, options: .init(allSymbols: true, baseRelative: true), wordSize: 8,
            byteOrder: .little, seed: 31)
        let found = try image.bytes.withUnsafeBufferPointer { try TableFinder.find(in: $0, context: SearchContext()) }
        let slot = try #require(found.locations.first { $0.name == "kallsyms_relative_base" }).offset
        let base = try #require(found.relativeBase)
        for k in 0..<8 { image.bytes[slot + k] = 0 }
        // Without a relocation table the base is unknown: refused.
        #expect(throws: ImageError.self) { try image.bytes.withUnsafeBufferPointer { try TableFinder.find(in: $0, context: SearchContext()) } }
        // A zeroed area whose slots other relocations patch, then the table itself.
        let zeros = image.bytes.count
        image.bytes += [UInt8](repeating: 0, count: 4096)
        var table: [(UInt64, UInt64)] = [(image.loadAddress + UInt64(slot), base)]
        for k in 0..<40 { table.append((image.loadAddress + UInt64(zeros + 8 * k), image.loadAddress + UInt64(k * 64))) }
        for (offset, addend) in table {
            for value in [offset, 1027, addend] { for k in 0..<8 { image.bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))) } }
        }
        let relocated = try image.bytes.withUnsafeBufferPointer { try TableFinder.find(in: $0, context: SearchContext()) }
        #expect(relocated.relativeBase == base)
        #expect(relocated.symbols == image.expected)
    }
}
