import Compressor

/// Which `nm` gives the letters of a map: the one of the kernel's time, or today's.
///
/// binutils before 2.24 (2012's `nm`) looked up a symbol's section *name* in a table first
/// (`coff_section_type`: a name starting with `.init`, `.fini` or `.text` prints `t`, `.data`
/// `d`, `.rodata` `r`, `.bss` `b`, …) and used the section's flags only when no entry
/// matched, so ARM's `.init.data`, writable data by its flags, printed `T`. Today's `nm`
/// (and `llvm-nm`) takes the letter from the flags alone: code `t`, read-only data `r`,
/// other loaded data `d`, the rest `b`. Weak definitions print `W`, absolute symbols `A`,
/// in either.
public enum SymbolLetters: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// binutils ≤ 2.23: section name first (`--nm 2012`).
    case binutils2012 = "2012"
    /// binutils ≥ 2.24 and llvm-nm: section flags (`--nm modern`).
    case modern

    /// The `nm` of an era's time: v3.3 (2012) used the name table; every later era's
    /// toolchain prints letters by flags.
    public static func ofItsTime(_ era: Era) -> SymbolLetters {
        era == .v3_3 ? .binutils2012 : .modern
    }

    public var description: String { rawValue }

    /// The lowercase letter of a symbol in output section `name` with `flags`.
    public func sectionLetter(name: String, flags: SectionFlags) -> UInt8 {
        if self == .binutils2012, let letter = Self.letterByName(name) { return letter }
        return Self.letterByFlags(flags)
    }

    /// The letter of a symbol bound `binding` in a section whose lowercase letter is `letter`.
    @inlinable
    public static func letter(_ letter: UInt8, binding: Binding) -> UInt8 {
        switch binding {
        case .weak: return UInt8(ascii: "W")
        case .global: return letter &- 0x20
        case .local: return letter
        }
    }

    /// binutils' `decode_section_type` for the flags a layout can give.
    static func letterByFlags(_ flags: SectionFlags) -> UInt8 {
        if flags.contains(.code) { return UInt8(ascii: "t") }
        if flags.contains(.load) { return flags.contains(.readOnly) ? UInt8(ascii: "r") : UInt8(ascii: "d") }
        return UInt8(ascii: "b")
    }

    /// 2012's `coff_section_type` table: the first entry that is a prefix of the name.
    public static func letterByName(_ name: String) -> UInt8? {
        for (prefix, letter) in nameTable where name.hasPrefix(prefix) { return letter }
        return nil
    }

    /// binutils 2.22 `bfd/syms.c` `stt[]`, in its order (first prefix match wins).
    static let nameTable: [(String, UInt8)] = [
        (".bss", UInt8(ascii: "b")), ("code", UInt8(ascii: "t")), (".data", UInt8(ascii: "d")),
        ("*DEBUG*", UInt8(ascii: "N")), (".debug", UInt8(ascii: "N")), (".drectve", UInt8(ascii: "i")),
        (".edata", UInt8(ascii: "e")), (".fini", UInt8(ascii: "t")), (".idata", UInt8(ascii: "i")),
        (".init", UInt8(ascii: "t")), (".pdata", UInt8(ascii: "p")), (".rdata", UInt8(ascii: "r")),
        (".rodata", UInt8(ascii: "r")), (".sbss", UInt8(ascii: "s")), (".scommon", UInt8(ascii: "c")),
        (".sdata", UInt8(ascii: "g")), (".text", UInt8(ascii: "t")), ("vars", UInt8(ascii: "d")),
        ("zerovars", UInt8(ascii: "b")),
    ]
}

/// Which linker's rules for empty output sections the model follows.
///
/// GNU ld removes an output section with no input bytes (unless kept) and moves its global
/// symbols to a nearby section (`NearbySection`); the removed section's symbols get its
/// aligned address but `.` does not advance, and its local symbols are not written at all.
/// LLD keeps an output section that has any symbol (a script assignment or an input section's
/// label), and an output section without input sections takes the flags of the section before.
public enum LinkerFlavour: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case gnu
    case lld

    public var description: String { rawValue }
}
