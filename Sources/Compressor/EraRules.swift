/// Everything that differs between eras, as plain data (docs/behaviour.md §10).
public struct EraRules: Sendable {
    // MARK: Invocation

    /// The flags the era's generator accepts.
    public var flags: Set<GeneratorFlag>

    // MARK: Parsing (docs/behaviour.md §2)

    /// How records are read.
    public enum Parsing: Sendable {
        /// scanf-style `%llx %c %<buffer>s\n` records (v3.3–v6.1, docs/behaviour.md §2.1).
        case whitespaceTokens(nameBuffer: Int)
        /// One `ADDR␠T␠NAME` record per line, name = the rest of the line (v6.19+,
        /// docs/behaviour.md §2.2).
        case strictLines
    }
    public var parsing: Parsing
    /// Names of this many bytes or more are skipped with a warning; `nil`: no check (v3.3).
    public var nameLengthLimit: Int?

    // MARK: Selection (docs/behaviour.md §3)

    /// v3.3: `_text` and the range markers are kept before any other read-time rule runs.
    public var markersBypassReadTimeRules: Bool
    /// The text ranges: start and end marker names.
    public var textRanges: [(start: String, end: String)]
    /// Exact names dropped at read time.
    public var ignoredNames: Set<[UInt8]>
    public var ignoredPrefixes: [[UInt8]]
    public var ignoredSuffixes: [[UInt8]]
    public var ignoredSubstrings: [[UInt8]]
    /// Type bytes dropped at read time (besides the `A`/`a` whitelist rule).
    public var ignoredTypes: Set<UInt8>
    /// v3.3: ARM mapping symbols (`$a`, `$t`, `$d`, optionally followed by `.…`) and `$…` names.
    public var dropsMappingAndDollarSymbols: Bool
    /// v5.10, v6.1, v6.12: `__per_cpu_start`/`__per_cpu_end` are recorded for `--absolute-percpu`.
    public var recordsPercpuMarkers: Bool
    /// v6.19+: `__start_*`/`__stop_*` survive the text-range filter unconditionally.
    public var alwaysKeepsStartStopSymbols: Bool
    /// v3.3: names dropped after the range filter even with `--all-symbols`.
    public var passVaryingNames: Set<[UInt8]>
    public var passVaryingSubstrings: [[UInt8]]
    /// v3.3–v6.1 refuse an empty selection ("No valid symbol."); later eras emit empty tables.
    public var refusesEmptySelection: Bool

    // MARK: Output (docs/behaviour.md §6)

    /// How the era decides that a symbol's address is printed as a raw value
    /// (docs/behaviour.md §3.4).
    public enum AbsoluteTest: Sendable {
        /// v3.3: the first byte of the compressed symbol is `A` or `a`.
        case compressedFirstByte
        /// v5.10, v6.1, v6.12: the `--absolute-percpu` flag of the symbol.
        case percpuFlag
        /// v6.19+: no absolute symbols.
        case none
    }
    public var absoluteTest: AbsoluteTest
    /// The length prefix of each compressed name.
    public enum LengthPrefix: Sendable {
        /// One byte, unchecked (v3.3, v5.10).
        case oneByte
        /// 1–2 bytes of little-endian base 128, lengths 1…0x3FFF (v6.1+).
        case base128
    }
    public var lengthPrefix: LengthPrefix
    /// The address tables the era can write.
    public enum AddressStyle: Sendable {
        /// `kallsyms_addresses` only (v3.3).
        case addresses
        /// `kallsyms_addresses`, or `kallsyms_offsets` + `kallsyms_relative_base` with `--base-relative` (v5.10, v6.1).
        case addressesOrBaseRelative
        /// Always `kallsyms_offsets` + `kallsyms_relative_base`, written as v5.10/v6.1 write them
        /// with `--base-relative` (base: the first non-absolute symbol; `--absolute-percpu` as
        /// there) (v6.12).
        case baseRelative
        /// Always offsets from the smallest address + `kallsyms_relative_base` (v6.19).
        case offsetsFromMinimum
        /// Offsets only: `_text`-relative with `--pc-relative`, else raw 32-bit values (v7.0).
        case offsetsOnly
    }
    public var addressStyle: AddressStyle
    /// `#include` line of the preamble, `nil` for none (v7.0).
    public var preambleInclude: String?
    /// The alignment directive of the 64-bit branch of the preamble (`.align 8` / `.balign 8`).
    public var alignDirective: String
    /// num_syms and markers are pointer sized (`PTR`) rather than `.long`.
    public var countsArePointerSized: Bool
    /// v6.19+: comments with the symbol's type and name after names, offsets and seqs lines.
    public var writesComments: Bool
    /// v6.19+: `kallsyms_seqs_of_names` (3-byte big-endian indices in name order).
    public var writesSeqsOfNames: Bool
    /// Tables come after the address tables (v3.3–v6.1) or before them (v6.19+).
    public var addressTablesFirst: Bool
}

extension EraRules {
    static let absoluteWhitelist: Set<[UInt8]> = Set(
        [
            "__kernel_syscall_via_break", "__kernel_syscall_via_epc", "__kernel_sigtramp", "__gp",
        ].map { Array($0.utf8) })

    private static func bytes(_ list: [String]) -> [[UInt8]] { list.map { Array($0.utf8) } }

    static let v3_3 = EraRules(
        flags: [.allSymbols, .symbolPrefix],
        parsing: .whitespaceTokens(nameBuffer: 499),
        nameLengthLimit: nil,
        markersBypassReadTimeRules: true,
        textRanges: [
            ("_stext", "_etext"), ("_sinittext", "_einittext"),
            ("_stext_l1", "_etext_l1"), ("_stext_l2", "_etext_l2"),
        ],
        ignoredNames: [],
        ignoredPrefixes: [], ignoredSuffixes: [], ignoredSubstrings: [],
        ignoredTypes: [UInt8(ascii: "U"), UInt8(ascii: "u"), UInt8(ascii: "N")],
        dropsMappingAndDollarSymbols: true,
        recordsPercpuMarkers: false,
        alwaysKeepsStartStopSymbols: false,
        passVaryingNames: Set(
            bytes([
                "kallsyms_addresses", "kallsyms_num_syms", "kallsyms_names",
                "kallsyms_markers", "kallsyms_token_table", "kallsyms_token_index",
                "_SDA_BASE_", "_SDA2_BASE_",
            ])),
        passVaryingSubstrings: bytes(["_compiled."]),
        refusesEmptySelection: true,
        absoluteTest: .compressedFirstByte,
        lengthPrefix: .oneByte,
        addressStyle: .addresses,
        preambleInclude: "<asm/types.h>",
        alignDirective: ".align",
        countsArePointerSized: true,
        writesComments: false,
        writesSeqsOfNames: false,
        addressTablesFirst: true)

    private static let v5_10IgnoredNames = Set(
        bytes([
            "kallsyms_addresses", "kallsyms_offsets", "kallsyms_relative_base", "kallsyms_num_syms",
            "kallsyms_names", "kallsyms_markers", "kallsyms_token_table", "kallsyms_token_index",
            "_SDA_BASE_", "_SDA2_BASE_",
        ]))

    static let v5_10 = EraRules(
        flags: [.allSymbols, .absolutePercpu, .baseRelative],
        parsing: .whitespaceTokens(nameBuffer: 499),
        nameLengthLimit: 128,
        markersBypassReadTimeRules: false,
        textRanges: [("_stext", "_etext"), ("_sinittext", "_einittext")],
        ignoredNames: v5_10IgnoredNames,
        ignoredPrefixes: bytes(["$", ".LASANPC", "__crc_", "__efistub_", "__kvm_nvhe_"]),
        ignoredSuffixes: bytes(["_from_arm", "_from_thumb", "_veneer"]),
        ignoredSubstrings: bytes([".long_branch.", ".plt_branch."]),
        ignoredTypes: [UInt8(ascii: "U"), UInt8(ascii: "u"), UInt8(ascii: "N"), UInt8(ascii: "n")],
        dropsMappingAndDollarSymbols: false,
        recordsPercpuMarkers: true,
        alwaysKeepsStartStopSymbols: false,
        passVaryingNames: [],
        passVaryingSubstrings: [],
        refusesEmptySelection: true,
        absoluteTest: .percpuFlag,
        lengthPrefix: .oneByte,
        addressStyle: .addressesOrBaseRelative,
        preambleInclude: "<asm/bitsperlong.h>",
        alignDirective: ".balign",
        countsArePointerSized: false,
        writesComments: false,
        writesSeqsOfNames: false,
        addressTablesFirst: true)

    static let v6_1: EraRules = {
        var rules = v5_10
        rules.parsing = .whitespaceTokens(nameBuffer: 2048)
        rules.nameLengthLimit = 512
        rules.ignoredPrefixes = bytes([
            "__efistub_", "__kvm_nvhe_$", "__kvm_nvhe_.L", "__AArch64ADRPThunk_", "__ARMV5PILongThunk_",
            "__ARMV7PILongThunk_", "__ThumbV7PILongThunk_", "__LA25Thunk_", "__microLA25Thunk_",
            "__kcfi_typeid_",
        ])
        rules.lengthPrefix = .base128
        return rules
    }()

    static let v6_19 = EraRules(
        flags: [.allSymbols],
        parsing: .strictLines,
        nameLengthLimit: 512,
        markersBypassReadTimeRules: false,
        textRanges: [("_stext", "_etext"), ("_sinittext", "_einittext")],
        ignoredNames: [],
        ignoredPrefixes: [], ignoredSuffixes: [], ignoredSubstrings: [],
        ignoredTypes: [UInt8(ascii: "u"), UInt8(ascii: "n")],
        dropsMappingAndDollarSymbols: false,
        recordsPercpuMarkers: false,
        alwaysKeepsStartStopSymbols: true,
        passVaryingNames: [],
        passVaryingSubstrings: [],
        refusesEmptySelection: false,
        absoluteTest: .none,
        lengthPrefix: .base128,
        addressStyle: .offsetsFromMinimum,
        preambleInclude: "<asm/bitsperlong.h>",
        alignDirective: ".balign",
        countsArePointerSized: false,
        writesComments: true,
        writesSeqsOfNames: true,
        addressTablesFirst: false)

    /// 6.12: v6.19's reader, selection, comments, `seqs_of_names` and table order, with
    /// `--absolute-percpu` and its per-cpu markers still there and always base-relative offsets
    /// (`--base-relative` is gone: absolute `kallsyms_addresses` were removed in 6.11)
    /// (docs/behaviour.md §10).
    static let v6_12: EraRules = {
        var rules = v6_19
        rules.flags = [.allSymbols, .absolutePercpu]
        rules.recordsPercpuMarkers = true
        rules.absoluteTest = .percpuFlag
        rules.addressStyle = .baseRelative
        return rules
    }()

    static let v7_0: EraRules = {
        var rules = v6_19
        rules.flags = [.allSymbols, .pcRelative]
        rules.addressStyle = .offsetsOnly
        rules.preambleInclude = nil
        return rules
    }()
}
