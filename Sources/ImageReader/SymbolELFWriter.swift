import Compressor

/// Writes recovered symbols as an ELF file that `nm`, `objdump` and disassemblers load
/// (`decode --elf OUT`).
///
/// The file has no contents, only sections that give `nm` the kernel's letters back:
/// `.text` (code), `.rodata`, `.data` and `.bss` (`NOBITS`); `A` symbols are absolute. Lowercase
/// letters are local symbols, uppercase global, `W`/`V` weak; symbol 0 is the reserved null
/// entry and locals come first, as ELF requires. A symbol's size is the distance to the next
/// higher address, as the kernel's own lookup computes it (docs/behaviour.md §7).
public enum SymbolELFWriter {
    enum Section: Int, CaseIterable {
        case text = 1, rodata, data, bss
        var name: String { [".text", ".rodata", ".data", ".bss"][rawValue - 1] }
    }

    /// Where a kernel letter goes: section index (0xFFF1 = absolute), binding, ELF type.
    static func placement(of type: UInt8) -> (section: Int, binding: UInt8, kind: UInt8) {
        let isLocal = type >= 0x61 && type <= 0x7A
        let binding: UInt8 = isLocal ? 0 : 1
        switch type | 0x20 {
        case UInt8(ascii: "t"): return (Section.text.rawValue, binding, 2)
        case UInt8(ascii: "r"): return (Section.rodata.rawValue, binding, 1)
        case UInt8(ascii: "d"), UInt8(ascii: "g"): return (Section.data.rawValue, binding, 1)
        case UInt8(ascii: "b"), UInt8(ascii: "s"): return (Section.bss.rawValue, binding, 1)
        case UInt8(ascii: "w"): return (Section.text.rawValue, 2, 2)
        case UInt8(ascii: "v"): return (Section.data.rawValue, 2, 1)
        case UInt8(ascii: "u"): return (Section.data.rawValue, 10, 1)  // STB_GNU_UNIQUE
        default: return (0xFFF1, binding, 0)
        }
    }

    /// The ELF bytes for `symbols`; `machine` is the `e_machine` (0 when unknown).
    public static func file(symbols: [DecodedSymbol], wordSize: Int, byteOrder: ByteOrder, machine: UInt16) -> [UInt8] {
        // Sizes: the distance to the next strictly higher address.
        let sortedAddresses = Array(Set(symbols.map(\.address))).sorted()
        var nextAbove: [UInt64: UInt64] = [:]
        for (k, address) in sortedAddresses.enumerated() where k + 1 < sortedAddresses.count {
            nextAbove[address] = sortedAddresses[k + 1] - address
        }
        var file = ELFSymbolFile(
            is64: wordSize == 8, littleEndian: byteOrder == .little, fileType: 2, machine: machine,
            flags: machine == 40 ? 0x0500_0000 : 0)  // ARM: EABI version 5
        file.symbols = symbols.map { symbol in
            let place = placement(of: symbol.type)
            return ELFSymbolFile.Symbol(
                name: symbol.name.map { $0 == 0 ? 0x3F : $0 }, binding: place.binding, type: place.kind,
                section: UInt16(place.section), value: symbol.address,
                size: place.section == 0xFFF1 ? 0 : nextAbove[symbol.address] ?? 0)
        }
        func lowest(_ section: Section) -> UInt64 {
            symbols.filter { placement(of: $0.type).section == section.rawValue }.map(\.address).min() ?? 0
        }
        // `.text` AX, `.rodata` A, `.data` WA, `.bss` WA NOBITS.
        let kinds: [(Section, UInt32, UInt64)] = [(.text, 1, 0x6), (.rodata, 1, 0x2), (.data, 1, 0x3), (.bss, 8, 0x3)]
        file.sections = kinds.map { section, type, flags in
            ELFSymbolFile.Section(name: Array(section.name.utf8), type: type, flags: flags, address: lowest(section))
        }
        return file.bytes()
    }
}
