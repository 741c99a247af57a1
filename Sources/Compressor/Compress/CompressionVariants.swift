/// Variants of the tables that model proposed mitigations (not any era's generator).
///
/// Each returns complete `KallsymsTables`, so `layout(era:target:)` gives their exact size
/// with alignment, and the decoder can check them.
public enum CompressionVariants {
    /// The tables when the type letter is kept out of the compression (the 2022 proposal):
    /// tokens are learned from the names alone, and each `kallsyms_names` entry is a length
    /// prefix, the raw type byte, then the compressed name. Retyping a symbol then changes
    /// neither the token table nor any other symbol's encoding.
    public static func uncompressedType(_ run: KallsymsRun, engine: CompressionEngine = .default) -> KallsymsTables {
        let names = ByteStrings(run.selection.symbols.map(\.name))
        let compression = engine.compress(names)
        var entries = ByteStrings()
        entries.reserve(strings: names.count, bytes: compression.names.totalLength + names.count)
        for (index, symbol) in run.selection.symbols.enumerated() {
            entries.append(symbol.type, followedBy: compression.names[index])
        }
        var tables = run.tables
        tables.compressedNames = entries
        tables.tokenExpansions = compression.tokens.expansions
        return tables
    }

    /// The tables of `run` when its symbols are encoded with the token table of an earlier
    /// compression (`FixedTokens`, the `reuse-tokens` mitigation), or nil when that table
    /// cannot represent one of `run`'s bytes.
    public static func reusingTokens(of earlier: Compression, for run: KallsymsRun) -> KallsymsTables? {
        guard let encoded = FixedTokens(earlier).encode(run.selection.storedStrings) else { return nil }
        var tables = run.tables
        tables.compressedNames = encoded.names
        tables.tokenExpansions = encoded.tokens.expansions
        return tables
    }
}
