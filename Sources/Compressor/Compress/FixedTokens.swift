/// A token table frozen after one compression, used to encode later symbol sets without
/// recomputing it (the `reuse-tokens` mitigation).
///
/// Encoding applies the recorded rounds in order to each string: for one symbol this is
/// exactly what the greedy loop of docs/behaviour.md §5 did to it, because the loop's replacement
/// is per symbol and only the choice of pairs depends on the whole set.
public struct FixedTokens: Hashable, Sendable {
    /// The table of the compression it was taken from.
    public var table: TokenTable
    /// The rounds of that compression, in order.
    public var rounds: [Compression.Round]

    /// Freezes the table and rounds of `compression`.
    public init(_ compression: Compression) {
        table = compression.tokens
        rounds = compression.rounds
    }

    /// Encodes `strings` with this table.
    ///
    /// A byte the table has no literal for takes its empty code as a new literal (the token
    /// table gains one byte). Returns nil when a byte's code is already a token: the table
    /// cannot represent that byte and must be rebuilt.
    /// - Complexity: O(total length + count × rounds) (a 256-bit presence set skips rounds
    ///   whose bytes a string does not hold).
    public func encode(_ strings: ByteStrings) -> Compression? {
        var tokens = table
        var present = [Bool](repeating: false, count: 256)
        for byte in strings.bytes { present[Int(byte)] = true }
        for code in 0..<256 where present[code] {
            switch tokens[UInt8(code)] {
            case .literal: continue
            case .empty: tokens[UInt8(code)] = .literal
            case .pair: return nil
            }
        }
        var output = ByteStrings()
        output.reserve(strings: strings.count, bytes: strings.totalLength)
        var work: [UInt8] = []
        work.reserveCapacity(64)
        for index in strings.indices {
            work.removeAll(keepingCapacity: true)
            work.append(contentsOf: strings[index])
            RoundReplay.apply(rounds, to: &work)
            output.append(work)
        }
        return Compression(tokens: tokens, names: output, rounds: rounds)
    }
}
