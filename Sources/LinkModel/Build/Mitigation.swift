import Compressor

/// A change to the build that tries to avoid "Inconsistent kallsyms data".
///
/// Each one's model and its cost in image bytes:
/// - `extraPass`: `KALLSYMS_EXTRA_PASS=1`, the workaround the failure message suggests
///   (docs/behaviour.md §8): one more link and kallsyms run; no extra bytes. Converges when pass
///   3's map equals pass 2's, not when the trigger flips back.
/// - `fixedPoint(maxPasses:)`: link and regenerate until the object repeats the previous
///   pass's object (same table offsets and size, hence the same map), at most `maxPasses`
///   passes; a repetition of an older pass's object is reported as a cycle. No extra bytes.
/// - `pad(bytes:)`: every table is padded to a multiple of B bytes (its slot, not only the
///   total: rounding the total alone would still move `kallsyms_markers` and the later labels,
///   which `System.map` shows). A table that changes by less than its slack moves nothing.
///   Costs on average about B/2 per table.
/// - `uncompressedType`: the 2022 proposal: the type letter is stored as a raw byte in front
///   of each compressed name and kept out of the pair statistics, so a symbol that changes
///   letter changes one byte's value, never the token table or any length. Order changes
///   never change sizes either (compression is per symbol), so this removes the 2012
///   trigger; a changed *set* of symbols still can. Costs the bytes the type no longer
///   shares with tokens (typically about one byte per symbol).
/// - `reuseTokens`: the token table is computed once, from pass 1's symbols, and later passes
///   encode with it (the recorded rounds applied in order, which is exactly what the greedy
///   loop does to a symbol). A byte pass 1 never saw takes an empty code as a new literal; if
///   the byte's code is already a token the table cannot encode it and is rebuilt from
///   scratch for that pass (reported). Sizes still change with what changed, but a letter
///   flip changes a few bytes instead of reshuffling every token. No extra bytes.
/// - `ignore(prefix:)`: the fix kernels apply when a linker's stubs get into the tables: the
///   era's name filter gains the prefix (`scripts/kallsyms`' ignore list up to v6.1, the
///   pattern list of `mksysmap` from v6.12, which also filters the `System.map` files the
///   check compares; `EraBuild.ignoresNamesInGenerator`). The stubs still come and go with the image's size, but no longer change
///   the tables. No extra bytes (fewer: the stubs are not in the tables).
public enum Mitigation: Hashable, Sendable, CustomStringConvertible {
    case extraPass
    case fixedPoint(maxPasses: Int)
    case pad(bytes: Int)
    case uncompressedType
    case reuseTokens
    case ignore(prefix: [UInt8])

    /// The names `--mitigation` takes.
    public static let syntax = ["extra-pass", "fixed-point=K", "pad=B", "uncompressed-type", "reuse-tokens", "ignore=PREFIX"]

    /// Parses `extra-pass`, `fixed-point=K` (K ≥ 2), `pad=B` (B ≥ 1), `uncompressed-type`,
    /// `reuse-tokens`, `ignore=PREFIX` (a non-empty prefix of printable bytes, no blank).
    public init?(parsing text: String) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count) {
        case ("extra-pass", 1): self = .extraPass
        case ("uncompressed-type", 1): self = .uncompressedType
        case ("reuse-tokens", 1): self = .reuseTokens
        case ("fixed-point", 2):
            guard let k = Int(parts[1]), k >= 2 else { return nil }
            self = .fixedPoint(maxPasses: k)
        case ("pad", 2):
            guard let b = Self.size(parts[1]), b >= 1 else { return nil }
            self = .pad(bytes: b)
        case ("ignore", 2):
            let prefix = Array(parts[1].utf8)
            guard !prefix.isEmpty, prefix.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
            self = .ignore(prefix: prefix)
        default: return nil
        }
    }

    private static func size(_ text: String) -> Int? {
        text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
    }

    /// The command-line name (`fixed-point=6`).
    public var description: String {
        switch self {
        case .extraPass: return "extra-pass"
        case .fixedPoint(let k): return "fixed-point=\(k)"
        case .pad(let b): return "pad=\(b)"
        case .uncompressedType: return "uncompressed-type"
        case .reuseTokens: return "reuse-tokens"
        case .ignore(let prefix): return "ignore=" + String(decoding: prefix, as: UTF8.self)
        }
    }
}

/// Everything a build needs besides the layout.
public struct BuildOptions: Hashable, Sendable {
    /// The era whose build and generator run (docs/behaviour.md §8).
    public var era: Era
    /// The generator's flags, as link-vmlinux passes them (`--all-symbols` for KALLSYMS_ALL, …).
    public var kallsyms: KallsymsOptions
    /// The mitigations, in any order.
    public var mitigations: [Mitigation]
    /// The environment's `KALLSYMS_EXTRA_PASS` (nil: unset). The `extraPass` mitigation sets `1`.
    public var kallsymsExtraPass: String?
    /// The compression engine for full compressions.
    public var engine: CompressionEngine
    /// Which `nm` prints the maps (nil: the `nm` of the era's time, `SymbolLetters.ofItsTime`).
    public var letters: SymbolLetters?
    /// Whose rules for empty output sections the model follows (the real linker a build is
    /// compared with or confirmed by).
    public var linker: LinkerFlavour

    /// Options for `era` with `generator` flags (validated by the generator when it runs).
    public init(
        era: Era, kallsyms: KallsymsOptions = .init(), mitigations: [Mitigation] = [],
        kallsymsExtraPass: String? = nil, engine: CompressionEngine = .default,
        letters: SymbolLetters? = nil, linker: LinkerFlavour = .gnu
    ) {
        self.era = era
        self.kallsyms = kallsyms
        self.mitigations = mitigations
        self.kallsymsExtraPass = kallsymsExtraPass
        self.engine = engine
        self.letters = letters
        self.linker = linker
    }

    /// The `nm` letters the build uses: the given ones, else those of the era's time.
    public var effectiveLetters: SymbolLetters { letters ?? .ofItsTime(era) }

    /// How the model links and prints each image.
    public var linkConventions: LinkPlan.Conventions {
        LinkPlan.Conventions(letters: effectiveLetters, linker: linker)
    }

    /// The `KALLSYMS_EXTRA_PASS` value the build sees.
    public var effectiveExtraPass: String? { mitigations.contains(.extraPass) ? "1" : kallsymsExtraPass }

    /// `fixed-point=K`'s K, if given (the largest when given twice).
    public var fixedPointLimit: Int? {
        mitigations.compactMap { if case .fixedPoint(let k) = $0 { return k } else { return nil } }.max()
    }

    /// `pad=B`'s B, if given (the largest when given twice).
    public var padding: Int? {
        mitigations.compactMap { if case .pad(let b) = $0 { return b } else { return nil } }.max()
    }

    /// Whether `uncompressed-type` is on.
    public var keepsTypeUncompressed: Bool { mitigations.contains(.uncompressedType) }
    /// Whether `reuse-tokens` is on.
    public var reusesTokens: Bool { mitigations.contains(.reuseTokens) }
    /// `ignore=PREFIX`'s prefixes.
    public var ignoredPrefixes: [[UInt8]] {
        mitigations.compactMap { if case .ignore(let prefix) = $0 { return prefix } else { return nil } }
    }

    /// The era's build as these options run it: where the era keeps its ignore list in
    /// mksysmap (v6.12+), which makes kallsyms' input and filters the maps the check compares,
    /// `ignore=PREFIX` adds mksysmap patterns. (Where `scripts/kallsyms` keeps it, v3.3–v6.1, the
    /// prefixes join that list: `Build.kallsymsInput`.)
    public var build: EraBuild {
        var build = era.build
        if !build.ignoresNamesInGenerator { build.systemMapFilter.droppedPrefixes += ignoredPrefixes }
        return build
    }
}
