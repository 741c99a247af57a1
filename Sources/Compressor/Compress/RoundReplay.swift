/// Replays recorded rounds of the greedy loop on single strings (docs/behaviour.md §5 step 3d).
///
/// Rounds fully determine each symbol's encoding: a symbol's compressed form depends only on
/// the sequence of chosen pairs, never on the other symbols. Diagnostics use this to follow a
/// few changed symbols without recompressing the whole set.
public enum RoundReplay {
    /// `string` after each round in `rounds` replaced its pair by its code, in order.
    public static func apply<S: Sequence>(_ rounds: S, to string: [UInt8]) -> [UInt8]
    where S.Element == Compression.Round {
        var current = string
        apply(rounds, to: &current)
        return current
    }

    /// Applies `rounds` in order to `string` in place. A 256-bit set of the bytes present
    /// skips every round whose pair cannot occur, so a short symbol costs little more than
    /// the rounds that touch it.
    public static func apply<S: Sequence>(_ rounds: S, to string: inout [UInt8]) where S.Element == Compression.Round {
        var present = BytePresence(string)
        for round in rounds where string.count >= 2 {
            guard present.contains(UInt8(round.pair & 0xFF)), present.contains(UInt8(round.pair >> 8)) else { continue }
            if replace(round, in: &string) { present.insert(round.code) }
        }
    }

    /// Replaces `round`'s pair by its code, left to right without overlap; whether anything
    /// was replaced.
    @discardableResult
    public static func replace(_ round: Compression.Round, in string: inout [UInt8]) -> Bool {
        let first = UInt8(round.pair & 0xFF), second = UInt8(round.pair >> 8)
        guard string.count >= 2 else { return false }
        var read = 0, write = 0
        var changed = false
        string.withUnsafeMutableBufferPointer { bytes in
            let count = bytes.count
            while read < count {
                if read + 1 < count && bytes[read] == first && bytes[read + 1] == second {
                    bytes[write] = round.code
                    read += 2
                    changed = true
                } else {
                    bytes[write] = bytes[read]
                    read += 1
                }
                write += 1
            }
        }
        if changed { string.removeSubrange(write...) }
        return changed
    }

    /// How often each pair number occurs in `string`, overlapping occurrences included.
    public static func pairCounts(of string: [UInt8]) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        guard string.count >= 2 else { return counts }
        for i in 0..<(string.count - 1) { counts[TokenTable.pairNumber(string[i], string[i + 1]), default: 0] += 1 }
        return counts
    }
}

/// A set of byte values in four machine words.
public struct BytePresence: Hashable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    public init(_ bytes: [UInt8]) {
        for byte in bytes { insert(byte) }
    }

    public static func == (a: BytePresence, b: BytePresence) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    @inline(__always) public mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    @inline(__always) public func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }
}
