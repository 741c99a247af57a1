import Compressor
import LinkModel

extension SymbolObject {
    /// This object as an ELF relocatable file with the class, byte order, machine, flags and
    /// OS ABI of `object` (the assembled main object), so that the linker takes both alike.
    /// A section is `PROGBITS` when loaded, else `NOBITS`, its flags the layout's; a symbol in
    /// a thread-local section is `STT_TLS` and any other `STT_NOTYPE`, as the assemblers make
    /// a `.set` symbol.
    /// - Throws: `Toolchain.Failure` when `object` is not an ELF file, or an offset or the
    ///   number of sections does not fit the file.
    func elf(like object: [UInt8]) throws(Toolchain.Failure) -> [UInt8] {
        guard var file = ELFSymbolFile(fileType: 1, headerOf: object) else {
            throw Toolchain.Failure("the assembler's object is not an ELF file")
        }
        guard sections.count < 0xFF00 - 4 else {
            throw Toolchain.Failure("\(sections.count) sections in one object of repeated names: more than ELF's section index holds")
        }
        file.sections = sections.map { section in
            var flags: UInt64 = 0
            if !section.flags.contains(.readOnly) { flags |= 1 }  // SHF_WRITE
            if section.flags.contains(.alloc) { flags |= 2 }  // SHF_ALLOC
            if section.flags.contains(.code) { flags |= 4 }  // SHF_EXECINSTR
            if section.flags.contains(.threadLocal) { flags |= 0x400 }  // SHF_TLS
            return ELFSymbolFile.Section(name: Array(section.name.utf8), type: section.flags.contains(.load) ? 1 : 8, flags: flags)
        }
        file.symbols = try symbols.map { symbol throws(Toolchain.Failure) in
            guard file.is64 || symbol.offset <= UInt32.max else {
                throw Toolchain.Failure(
                    "symbol \(String(decoding: symbol.name, as: UTF8.self)) at offset 0x\(String(symbol.offset, radix: 16)) does not fit a 32-bit object")
            }
            let binding: UInt8
            switch symbol.binding {
            case .local: binding = 0
            case .global: binding = 1
            case .weak: binding = 2
            }
            let threadLocal = sections[symbol.section].flags.contains(.threadLocal)
            return ELFSymbolFile.Symbol(
                name: symbol.name, binding: binding, type: threadLocal ? 6 : 0, section: UInt16(symbol.section + 1), value: symbol.offset)
        }
        return file.bytes()
    }
}
