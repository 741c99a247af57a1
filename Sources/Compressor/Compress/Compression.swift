/// The result of compressing a symbol set: the token table and every compressed symbol.
public struct Compression: Hashable, Sendable {
    /// What each of the 256 codes stands for.
    public var tokens: TokenTable
    /// The compressed strings, in the order of the input.
    public var names: ByteStrings
    /// The pair chosen for each token, in the order the rounds chose them, with its count.
    public var rounds: [Round]

    /// One round of the greedy loop (docs/behaviour.md §5 step 3).
    public struct Round: Hashable, Sendable {
        /// The code that became a token.
        public var code: UInt8
        /// The pair number `first + 256·second` it stands for.
        public var pair: Int
        /// The pair's count when it was chosen.
        public var count: Int

        public init(code: UInt8, pair: Int, count: Int) {
            self.code = code
            self.pair = pair
            self.count = count
        }
    }

    public init(tokens: TokenTable, names: ByteStrings, rounds: [Round]) {
        self.tokens = tokens
        self.names = names
        self.rounds = rounds
    }
}

/// The compression engines. Both produce the same bytes; `reference` is the oracle.
public enum CompressionEngine: String, CaseIterable, Hashable, Sendable {
    /// Follows docs/behaviour.md §5 literally: 256 rounds of a 65 536-counter scan and a scan of
    /// every symbol.
    case reference
    /// The default: same output, work proportional to what changes.
    case fast

    /// The engine used when none is named.
    public static let `default`: CompressionEngine = .fast

    /// Compresses `symbols` (stored strings, in address order).
    public func compress(_ symbols: ByteStrings) -> Compression {
        switch self {
        case .reference: return ReferenceEngine.compress(symbols)
        case .fast: return FastEngine.compress(symbols)
        }
    }
}
