import Compressor

/// What one kallsyms run produced, as the build needs it.
public struct KallsymsOutput: Hashable, Sendable {
    /// The symbols the generator kept, in table order (`kallsyms_num_syms` of them); made when
    /// first read (most passes of a campaign never read them).
    public var kept: [KeptSymbol] { selection.symbols }
    /// The generator's selection.
    public var selection: Selection
    /// How many symbols the generator kept.
    public var symbolsKept: Int { selection.count }
    /// The era's tables as laid out on the target (sizes, offsets, alignment).
    public var tables: TableLayout
    /// The tables themselves (what the era's `.S` holds; a real link assembles them).
    public var data: KallsymsTables
    /// The object the next link includes (padding of `pad=B` applied).
    public var object: KallsymsObject
    /// The compressed name bytes without length prefixes.
    public var namesBytes: Int
    /// What work the run did.
    public var work: Work

    /// How a run got its tables.
    public enum Work: String, Hashable, Sendable {
        /// A full compression.
        case compressed
        /// The input equalled the previous pass's: its tables, unchanged.
        case reusedTables
        /// The strings to compress equalled an earlier pass's: its compression, new address tables.
        case reusedCompression
        /// The strings to compress differed from an earlier pass's in a few strings that change
        /// no round's choice: its compression, revised for them (`RoundMargins`).
        case revisedCompression
        /// `reuse-tokens`: encoded with pass 1's token table.
        case encodedWithFrozenTokens
        /// `reuse-tokens`: pass 1's table could not encode a byte; compressed afresh and frozen again.
        case rebuiltFrozenTokens
    }
}
