/// Variants of the tables that model proposed mitigations (not any era's generator).
///
/// Each returns complete `KallsymsTables`, so `layout(era:target:)` gives their exact size
/// with alignment, and the decoder can check them.
public enum CompressionVariants {
    /// The tables when the type letter is kept out of the compression (the 2022 proposal):
    /// tokens are learned from the names alone, and each `kallsyms_names` entry is a length
    /// prefix, the raw type byte, then the compressed name. Retyping a symbol then changes
    /// neither the token table nor any other symbol's encoding.
    public static func uncompressedType(_ run: GeneratorRun, engine: CompressionEngine = .default) -> KallsymsTables {
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
    /// compression (its recorded rounds, in order), or nil when a symbol holds a byte that the
    /// earlier table did not have as a literal (that code may be a token there).
    public static func reusingTokens(of earlier: Compression, for run: GeneratorRun) -> KallsymsTables? {
        let strings = run.selection.storedStrings
        var encoded = ByteStrings()
        encoded.reserve(strings: strings.count, bytes: strings.totalLength)
        for index in strings.indices {
            let string = Array(strings[index])
            for byte in string where earlier.tokens[byte] != .literal { return nil }
            encoded.append(RoundReplay.apply(earlier.rounds, to: string))
        }
        var tables = run.tables
        tables.compressedNames = encoded
        tables.tokenExpansions = earlier.tokens.expansions
        return tables
    }
}
