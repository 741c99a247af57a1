/// An ELF file that holds only sections without bytes and symbols: what `decode --elf` writes
/// for recovered symbols, and the objects a real link gets for a layout's repeated names
/// (docs/linkers.md, "From a layout to a link").
///
/// The bytes are laid out as the ELF header, `.symtab` (the null symbol, then the locals, then
/// the rest, each group in the order given, as ELF requires), `.strtab`, `.shstrtab`, and the
/// section headers: the null one, `sections` in order, then the three tables.
public struct ELFSymbolFile: Sendable {
    /// A section header; every section is empty (size 0), at `offset` 0 past the ELF header.
    public struct Section: Sendable, Equatable {
        public var name: [UInt8]
        /// `sh_type`: 1 `PROGBITS`, 8 `NOBITS`, …
        public var type: UInt32
        /// `sh_flags`: 1 write, 2 alloc, 4 code, 0x400 thread-local.
        public var flags: UInt64
        public var address: UInt64

        public init(name: [UInt8], type: UInt32, flags: UInt64, address: UInt64 = 0) {
            self.name = name
            self.type = type
            self.flags = flags
            self.address = address
        }
    }

    /// A symbol-table entry.
    public struct Symbol: Sendable, Equatable {
        public var name: [UInt8]
        /// `STB_*`: 0 local, 1 global, 2 weak, 10 GNU unique.
        public var binding: UInt8
        /// `STT_*`: 0 no type, 1 object, 2 function, 6 thread-local.
        public var type: UInt8
        /// `st_shndx`: 1 for the first of `sections`, … (0xFFF1 absolute).
        public var section: UInt16
        public var value: UInt64
        public var size: UInt64

        public init(name: [UInt8], binding: UInt8, type: UInt8, section: UInt16, value: UInt64, size: UInt64 = 0) {
            self.name = name
            self.binding = binding
            self.type = type
            self.section = section
            self.value = value
            self.size = size
        }
    }

    /// `ELFCLASS64` when true, else `ELFCLASS32`.
    public var is64: Bool
    public var littleEndian: Bool
    /// `e_type`: 1 relocatable, 2 executable.
    public var fileType: UInt16
    public var machine: UInt16
    public var flags: UInt32
    /// `EI_OSABI`.
    public var osABI: UInt8
    public var sections: [Section] = []
    public var symbols: [Symbol] = []

    public init(is64: Bool, littleEndian: Bool, fileType: UInt16, machine: UInt16, flags: UInt32, osABI: UInt8 = 0) {
        self.is64 = is64
        self.littleEndian = littleEndian
        self.fileType = fileType
        self.machine = machine
        self.flags = flags
        self.osABI = osABI
    }

    /// An empty file of `fileType` with the class, byte order, machine, flags and OS ABI of the
    /// ELF file whose bytes start `existing`; nil when they are not an ELF header.
    public init?(fileType: UInt16, headerOf existing: [UInt8]) {
        guard existing.count >= 52, existing.starts(with: [0x7F, 0x45, 0x4C, 0x46]), [1, 2].contains(existing[4]),
            [1, 2].contains(existing[5]), existing.count >= (existing[4] == 2 ? 64 : 52)
        else { return nil }
        let is64 = existing[4] == 2, littleEndian = existing[5] == 1
        func field(_ offset: Int, _ size: Int) -> UInt64 {
            (0..<size).reduce(0) { value, k in value << 8 | UInt64(existing[offset + (littleEndian ? size - 1 - k : k)]) }
        }
        self.init(
            is64: is64, littleEndian: littleEndian, fileType: fileType, machine: UInt16(field(18, 2)),
            flags: UInt32(field(is64 ? 48 : 36, 4)), osABI: existing[7])
    }

    /// The file's bytes. Values and addresses are cut to 32 bits in an `ELFCLASS32` file; the
    /// caller checks they fit.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func put(_ value: UInt64, _ size: Int) {
            for k in 0..<size {
                let shift = littleEndian ? 8 * k : 8 * (size - 1 - k)
                out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            }
        }
        func word(_ value: UInt64) { put(value, is64 ? 8 : 4) }

        var strings: [UInt8] = [0]
        let locals = symbols.filter { $0.binding == 0 }
        let ordered = locals + symbols.filter { $0.binding != 0 }
        var symbolTable: [UInt8] = []
        swap(&out, &symbolTable)
        put(0, is64 ? 24 : 16)
        for symbol in ordered {
            let name = UInt64(strings.count)
            strings += symbol.name + [0]
            if is64 {
                put(name, 4)
                out.append(symbol.binding << 4 | symbol.type)
                out.append(0)
                put(UInt64(symbol.section), 2)
                put(symbol.value, 8)
                put(symbol.size, 8)
            } else {
                put(name, 4)
                put(symbol.value, 4)
                put(symbol.size, 4)
                out.append(symbol.binding << 4 | symbol.type)
                out.append(0)
                put(UInt64(symbol.section), 2)
            }
        }
        swap(&out, &symbolTable)

        let tables = [Array(".symtab".utf8), Array(".strtab".utf8), Array(".shstrtab".utf8)]
        var sectionNames: [UInt8] = [0]
        var nameOffsets: [Int] = []
        for name in sections.map(\.name) + tables {
            nameOffsets.append(sectionNames.count)
            sectionNames += name + [0]
        }
        let headerSize = is64 ? 64 : 52
        let symbolOffset = headerSize
        let stringOffset = symbolOffset + symbolTable.count
        let namesOffset = stringOffset + strings.count
        let sectionHeaders = (namesOffset + sectionNames.count + 7) / 8 * 8
        let symtabIndex = sections.count + 1

        out += [0x7F, 0x45, 0x4C, 0x46, is64 ? 2 : 1, littleEndian ? 1 : 2, 1, osABI] + [UInt8](repeating: 0, count: 8)
        put(UInt64(fileType), 2)
        put(UInt64(machine), 2)
        put(1, 4)
        word(0)
        word(0)
        word(UInt64(sectionHeaders))
        put(UInt64(flags), 4)
        put(UInt64(headerSize), 2)
        put(0, 2)
        put(0, 2)
        put(is64 ? 64 : 40, 2)
        put(UInt64(sections.count + 4), 2)
        put(UInt64(symtabIndex + 2), 2)
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
        for (index, section) in sections.enumerated() {
            header(
                name: nameOffsets[index], type: section.type, flags: section.flags, address: section.address,
                offset: sectionHeaders, size: 0)
        }
        header(
            name: nameOffsets[symtabIndex - 1], type: 2, flags: 0, address: 0, offset: symbolOffset, size: symbolTable.count,
            link: symtabIndex + 1, info: 1 + locals.count, alignment: is64 ? 8 : 4, entrySize: is64 ? 24 : 16)
        header(name: nameOffsets[symtabIndex], type: 3, flags: 0, address: 0, offset: stringOffset, size: strings.count)
        header(name: nameOffsets[symtabIndex + 1], type: 3, flags: 0, address: 0, offset: namesOffset, size: sectionNames.count)
        return out
    }
}
