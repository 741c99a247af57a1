/// Replays recorded rounds of the greedy loop on single strings (spec §5 step 3d).
///
/// Rounds fully determine each symbol's encoding: a symbol's compressed form depends only on
/// the sequence of chosen pairs, never on the other symbols. Diagnostics use this to follow a
/// few changed symbols without recompressing the whole set.
public enum RoundReplay {
    /// `string` after each round in `rounds` replaced its pair by its code, in order.
    public static func apply<S: Sequence>(_ rounds: S, to string: [UInt8]) -> [UInt8]
    where S.Element == Compression.Round {
        var current = string
        for round in rounds { replace(round, in: &current) }
        return current
    }

    /// Replaces `round`'s pair by its code, left to right without overlap.
    public static func replace(_ round: Compression.Round, in string: inout [UInt8]) {
        let first = UInt8(round.pair & 0xFF), second = UInt8(round.pair >> 8)
        guard string.count >= 2 else { return }
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
    }

    /// How often each pair number occurs in `string`, overlapping occurrences included.
    public static func pairCounts(of string: [UInt8]) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        guard string.count >= 2 else { return counts }
        for i in 0..<(string.count - 1) { counts[TokenTable.pairNumber(string[i], string[i + 1]), default: 0] += 1 }
        return counts
    }
}
