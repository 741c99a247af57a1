import Compressor

/// What an output section holds, which decides its symbols' `nm` letters (docs/behaviour.md §9).
///
/// The letter is `nm`'s: text `T`/`t`, read-only data `R`/`r`, data `D`/`d`, bss `B`/`b`,
/// uppercase for a global symbol, lowercase for a local one.
public enum SectionKind: String, CaseIterable, Hashable, Sendable {
    case text
    case rodata
    case data
    case bss

    /// The `nm` letter of a symbol in a section of this kind.
    public func letter(global: Bool) -> UInt8 {
        let lower: UInt8
        switch self {
        case .text: lower = UInt8(ascii: "t")
        case .rodata: lower = UInt8(ascii: "r")
        case .data: lower = UInt8(ascii: "d")
        case .bss: lower = UInt8(ascii: "b")
        }
        return global ? lower &- 0x20 : lower
    }

    /// The BFD flags a section of this kind has unless the layout says otherwise.
    public var defaultFlags: SectionFlags {
        switch self {
        case .text: return [.alloc, .load, .readOnly, .code]
        case .rodata: return [.alloc, .load, .readOnly]
        case .data: return [.alloc, .load]
        case .bss: return [.alloc]
        }
    }
}

/// The BFD section flags that binutils' `_bfd_nearby_section` compares (docs/behaviour.md §9).
///
/// They are separate from the kind because `nm` and the linker look at different things: in
/// 2012 `nm` took the letter from the section's *name* first (its table mapped every name
/// starting with `.init` to `t`), so ARM's `.init.data` output section printed `T` symbols
/// while its flags were those of writable data. Today's `nm` looks at the flags only.
public struct SectionFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `SEC_ALLOC`: occupies memory at run time.
    public static let alloc = SectionFlags(rawValue: 1)
    /// `SEC_LOAD`: loaded from the file (not bss).
    public static let load = SectionFlags(rawValue: 2)
    /// `SEC_READONLY`.
    public static let readOnly = SectionFlags(rawValue: 4)
    /// `SEC_CODE`.
    public static let code = SectionFlags(rawValue: 8)
    /// `SEC_THREAD_LOCAL`.
    public static let threadLocal = SectionFlags(rawValue: 16)

    /// The flag names of the layout text form, in the order they are written.
    public static let names: [(String, SectionFlags)] = [
        ("alloc", .alloc), ("load", .load), ("readonly", .readOnly), ("code", .code), ("tls", .threadLocal),
    ]

    /// `alloc,load,readonly`; `none` for no flag.
    public var description: String {
        let parts = Self.names.filter { contains($0.1) }.map(\.0)
        return parts.isEmpty ? "none" : parts.joined(separator: ",")
    }

    /// Parses `alloc,load,readonly` (or `none`); nil for an unknown name.
    public init?(listing text: String) {
        self = []
        if text == "none" { return }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let flag = Self.names.first(where: { $0.0 == part })?.1 else { return nil }
            insert(flag)
        }
    }
}

/// How a symbol defined in an input section is bound: its `nm` letter's case, or `W`.
public enum Binding: String, CaseIterable, Hashable, Sendable {
    case global
    case local
    /// A weak definition: `nm` prints `W` whatever the section.
    case weak
}
