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
        case text = 1, rodata, data, bss, symtab, strtab, shstrtab
        var name: String { [".text", ".rodata", ".data", ".bss", ".symtab", ".strtab", ".shstrtab"][rawValue - 1] }
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
        let is64 = wordSize == 8
        var out: [UInt8] = []
        func put(_ value: UInt64, _ size: Int) {
            for k in 0..<size {
                let shift = byteOrder == .little ? 8 * k : 8 * (size - 1 - k)
                out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            }
        }
        func word(_ value: UInt64) { put(value, is64 ? 8 : 4) }

        // Sizes: the distance to the next strictly higher address.
        let sortedAddresses = Array(Set(symbols.map(\.address))).sorted()
        var nextAbove: [UInt64: UInt64] = [:]
        for (k, address) in sortedAddresses.enumerated() where k + 1 < sortedAddresses.count {
            nextAbove[address] = sortedAddresses[k + 1] - address
        }
        // String table and symbol order: locals first.
        var strings: [UInt8] = [0]
        let order =
            symbols.indices.filter { placement(of: symbols[$0].type).binding == 0 }
            + symbols.indices.filter { placement(of: symbols[$0].type).binding != 0 }
        var symbolTable: [UInt8] = []
        swap(&out, &symbolTable)
        put(0, is64 ? 24 : 16)
        for index in order {
            let symbol = symbols[index]
            let place = placement(of: symbol.type)
            let name = UInt64(strings.count)
            strings += symbol.name.map { $0 == 0 ? 0x3F : $0 } + [0]
            let size = place.section == 0xFFF1 ? 0 : nextAbove[symbol.address] ?? 0
            if is64 {
                put(name, 4)
                out.append(place.binding << 4 | place.kind)
                out.append(0)
                put(UInt64(place.section), 2)
                put(symbol.address, 8)
                put(size, 8)
            } else {
                put(name, 4)
                put(symbol.address, 4)
                put(size, 4)
                out.append(place.binding << 4 | place.kind)
                out.append(0)
                put(UInt64(place.section), 2)
            }
        }
        swap(&out, &symbolTable)
        let localCount = 1 + order.prefix { placement(of: symbols[$0].type).binding == 0 }.count
        var sectionNames: [UInt8] = [0]
        var nameOffsets: [Int] = []
        for section in Section.allCases {
            nameOffsets.append(sectionNames.count)
            sectionNames += Array(section.name.utf8) + [0]
        }
        let headerSize = is64 ? 64 : 52
        let symbolOffset = headerSize
        let stringOffset = symbolOffset + symbolTable.count
        let namesOffset = stringOffset + strings.count
        let sectionHeaders = alignUp(namesOffset + sectionNames.count, 8)
        // ELF header.
        out += [0x7F, 0x45, 0x4C, 0x46, is64 ? 2 : 1, byteOrder == .little ? 1 : 2, 1, 0] + [UInt8](repeating: 0, count: 8)
        put(2, 2)
        put(UInt64(machine), 2)
        put(1, 4)
        word(0)
        word(0)
        word(UInt64(sectionHeaders))
        put(machine == 40 ? 0x0500_0000 : 0, 4)  // ARM: EABI version 5
        put(UInt64(headerSize), 2)
        put(0, 2)
        put(0, 2)
        put(is64 ? 64 : 40, 2)
        put(UInt64(Section.allCases.count + 1), 2)
        put(UInt64(Section.shstrtab.rawValue), 2)
        out += symbolTable + strings + sectionNames
        out += [UInt8](repeating: 0, count: sectionHeaders - out.count)
        func header(
            name: Int, type: UInt32, flags: UInt64, address: UInt64, offset: Int, size: Int, link: Int = 0, info: Int = 0,
            alignment: UInt64 = 1, entrySize: Int = 0
        ) {
            put(UInt64(name), 4)
            put(UInt64(type), 4)
            word(flags)
            word(address)
            word(UInt64(offset))
            word(UInt64(size))
            put(UInt64(link), 4)
            put(UInt64(info), 4)
            word(alignment)
            word(UInt64(entrySize))
        }
        header(name: 0, type: 0, flags: 0, address: 0, offset: 0, size: 0, alignment: 0)
        func lowest(_ section: Section) -> UInt64 {
            symbols.filter { placement(of: $0.type).section == section.rawValue }.map(\.address).min() ?? 0
        }
        header(name: nameOffsets[0], type: 1, flags: 0x6, address: lowest(.text), offset: sectionHeaders, size: 0)  // AX
        header(name: nameOffsets[1], type: 1, flags: 0x2, address: lowest(.rodata), offset: sectionHeaders, size: 0)  // A
        header(name: nameOffsets[2], type: 1, flags: 0x3, address: lowest(.data), offset: sectionHeaders, size: 0)  // WA
        header(name: nameOffsets[3], type: 8, flags: 0x3, address: lowest(.bss), offset: sectionHeaders, size: 0)  // NOBITS
        header(
            name: nameOffsets[4], type: 2, flags: 0, address: 0, offset: symbolOffset, size: symbolTable.count,
            link: Section.strtab.rawValue, info: localCount, alignment: is64 ? 8 : 4, entrySize: is64 ? 24 : 16)
        header(name: nameOffsets[5], type: 3, flags: 0, address: 0, offset: stringOffset, size: strings.count)
        header(name: nameOffsets[6], type: 3, flags: 0, address: 0, offset: namesOffset, size: sectionNames.count)
        return out
    }
}
