import Compressor

/// A compression with its pair counts before every round, so that the effect of changing one
/// symbol can be replayed round by round without recompressing the set (docs/behaviour.md §5).
///
/// The key fact: a symbol's encoding depends only on the sequence of chosen pairs, and the
/// counts are sums over symbols. So as long as a change to one symbol does not change which
/// pair wins a round, every other symbol evolves exactly as in the baseline, and the counts
/// differ from the baseline's only by that one symbol's own pairs.
struct CompressionTrace: Sendable {
    /// The baseline compression.
    let compression: Compression
    /// The stored strings it compressed.
    let strings: ByteStrings
    /// `snapshots[r][pair]`: the count of `pair` before round `r` (0-based); one more snapshot
    /// after the last round, for the stop rule.
    let snapshots: [[Int32]]
    /// The `rankedDepth` best pairs before each round, by count (descending) then pair number.
    let ranked: [[Int32]]
    /// Whether the baseline's loop ended because nothing was left to merge (rather than
    /// because the free codes ran out).
    let stoppedForLackOfPairs: Bool
    /// `literal[byte]`.
    let literal: [Bool]

    static let rankedDepth = 48

    init(_ strings: ByteStrings, engine: CompressionEngine) {
        let compression = engine.compress(strings)
        self.compression = compression
        self.strings = strings
        literal = (0..<256).map { compression.tokens[UInt8($0)] == .literal }
        let rounds = compression.rounds
        stoppedForLackOfPairs = rounds.count < literal.filter { !$0 }.count

        // Each symbol's own count changes, by round: replay every symbol alone. A replacement
        // only changes the pairs of this one string, so the change is the difference of its
        // sorted pair lists before and after.
        var deltasByRound = Array(repeating: [(pair: Int32, delta: Int32)](), count: rounds.count)
        var initial = [Int32](repeating: 0, count: 65_536)
        var before: [Int32] = [], after: [Int32] = []
        for index in strings.indices {
            var current = Array(strings[index])
            Self.sortedPairs(of: current, into: &after)
            for pair in after { initial[Int(pair)] += 1 }
            var present = BytePresence(current)
            for (round, step) in rounds.enumerated() where current.count >= 2 {
                guard present.contains(UInt8(step.pair & 0xFF)), present.contains(UInt8(step.pair >> 8)) else { continue }
                Self.sortedPairs(of: current, into: &before)
                guard RoundReplay.replace(step, in: &current) else { continue }
                present.insert(step.code)
                Self.sortedPairs(of: current, into: &after)
                Self.appendDifference(from: before, to: after, into: &deltasByRound[round])
            }
        }
        var snapshots = [initial]
        snapshots.reserveCapacity(rounds.count + 1)
        var counts = initial
        for round in rounds.indices {
            for change in deltasByRound[round] { counts[Int(change.pair)] += change.delta }
            snapshots.append(counts)
        }
        self.snapshots = snapshots
        ranked = snapshots.map(Self.ranking)
    }

    /// The best `rankedDepth` pairs of a count table (largest count, then smallest pair number).
    static func ranking(_ counts: [Int32]) -> [Int32] {
        var best: [Int32] = []
        best.reserveCapacity(rankedDepth + 1)
        func beats(_ a: Int32, _ b: Int32) -> Bool {
            counts[Int(a)] != counts[Int(b)] ? counts[Int(a)] > counts[Int(b)] : a < b
        }
        for pair in 0..<Int32(65_536) where counts[Int(pair)] > 0 {
            if best.count == rankedDepth, !beats(pair, best[rankedDepth - 1]) { continue }
            var position = best.count
            while position > 0 && beats(pair, best[position - 1]) { position -= 1 }
            best.insert(pair, at: position)
            if best.count > rankedDepth { best.removeLast() }
        }
        return best
    }

    /// The pair numbers of `string`, sorted (a pair occurring twice is listed twice).
    static func sortedPairs(of string: [UInt8], into pairs: inout [Int32]) {
        pairs.removeAll(keepingCapacity: true)
        guard string.count >= 2 else { return }
        for i in 0..<(string.count - 1) { pairs.append(Int32(TokenTable.pairNumber(string[i], string[i + 1]))) }
        pairs.sort()
    }

    /// Appends `after − before` (as multisets of pairs) as count changes.
    static func appendDifference(from before: [Int32], to after: [Int32], into deltas: inout [(pair: Int32, delta: Int32)]) {
        var i = 0, j = 0
        while i < before.count || j < after.count {
            if j == after.count || (i < before.count && before[i] < after[j]) {
                deltas.append((before[i], -1))
                i += 1
            } else if i == before.count || after[j] < before[i] {
                deltas.append((after[j], 1))
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
    }

    static func contains(_ string: [UInt8], _ pair: Int) -> Bool {
        guard string.count >= 2 else { return false }
        let first = UInt8(pair & 0xFF), second = UInt8(pair >> 8)
        for i in 0..<(string.count - 1) where string[i] == first && string[i + 1] == second { return true }
        return false
    }
}
