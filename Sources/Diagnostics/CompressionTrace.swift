import Compressor

/// A compression with its pair counts before every round, so that the effect of changing one
/// symbol can be replayed round by round without recompressing the set (spec §5).
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

        // Each symbol's own count changes, by round: replay every symbol alone.
        var deltasByRound = Array(repeating: [(pair: Int32, delta: Int32)](), count: rounds.count)
        var initial = [Int32](repeating: 0, count: 65_536)
        for index in strings.indices {
            var current = Array(strings[index])
            for (pair, count) in RoundReplay.pairCounts(of: current) { initial[pair] += Int32(count) }
            for (round, step) in rounds.enumerated() where Self.contains(current, step.pair) {
                let before = RoundReplay.pairCounts(of: current)
                RoundReplay.replace(step, in: &current)
                let after = RoundReplay.pairCounts(of: current)
                for (pair, count) in before where after[pair] != count {
                    deltasByRound[round].append((Int32(pair), Int32((after[pair] ?? 0) - count)))
                }
                for (pair, count) in after where before[pair] == nil {
                    deltasByRound[round].append((Int32(pair), Int32(count)))
                }
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

    static func contains(_ string: [UInt8], _ pair: Int) -> Bool {
        guard string.count >= 2 else { return false }
        let first = UInt8(pair & 0xFF), second = UInt8(pair >> 8)
        for i in 0..<(string.count - 1) where string[i] == first && string[i + 1] == second { return true }
        return false
    }
}
