/// What the greedy loop saw when it chose each round's pair, besides the pair: enough to tell,
/// for a set of strings that differs from the compressed one in a few strings, whether every
/// round would choose the same pair, and so whether the compression can be revised for the
/// few strings instead of being made again (`revise`).
///
/// Per round, the `runnersUpPerRound` pairs with the largest counts other than the chosen one,
/// with their exact counts, and a bound that no other pair's count exceeds; and once, how often
/// each byte occurs (which bytes occur decides the literal codes, and so which codes the rounds
/// take). Recording costs a scan of the 256 block winners and of the 16 best blocks per round
/// (`FastEngine.compress(_:recordingMargins:)`): about 4 % of a compression of the armhf
/// kernel's strings, against a whole compression saved each time a revision succeeds.
public struct RoundMargins: Hashable, Sendable {
    /// Runners-up known exactly per round.
    static let runnersUpPerRound = 16

    /// How often each byte occurs in the strings compressed (`FastEngine.byteCounts`).
    var byteCounts: [Int]
    /// Round `r`'s runners-up are entries `r·runnersUpPerRound ..<` of these, a count of 0
    /// marking an unused entry.
    var runnerPairs: [Int] = []
    var runnerCounts: [Int] = []
    /// Per round, a count that no pair other than the chosen one and its runners-up exceeds.
    var bounds: [Int] = []

    init(byteCounts: [Int]) {
        self.byteCounts = byteCounts
    }

    /// The number of rounds recorded.
    var roundCount: Int { bounds.count }

    /// Records the round whose best pair `best` `statistics` has just found (every block
    /// winner exact, as `best()` leaves them).
    mutating func record(_ statistics: FastEngine.PairStatistics, best: Int) {
        let k = Self.runnersUpPerRound
        // Each block's best pair other than `best`: its winner, or for `best`'s own block
        // (whose winner `best` is) the first maximum of its other pairs.
        var blocks = TopCounts(capacity: k + 1)
        let bestBlock = best &>> 8
        for block in 0..<FastEngine.PairStatistics.blockCount {
            if block == bestBlock {
                var top: UInt32 = 0
                for pair in (block &<< 8)..<(block &<< 8 &+ 256) where pair != best { top = max(top, statistics.counts[pair]) }
                blocks.offer(Int(top), block)
            } else {
                blocks.offer(Int(statistics.counts[Int(statistics.blockBest[block])]), block)
            }
        }
        // A pair outside the first k blocks counts at most its block's best, so at most the
        // (k+1)-th block's; the runners-up are the best pairs inside the first k blocks.
        var bound = blocks.count > k ? blocks.counts[k] : 0
        var pairs = TopCounts(capacity: k + 1)
        for block in blocks.ids.prefix(k) {
            for pair in (block &<< 8)..<(block &<< 8 &+ 256) where pair != best {
                let count = Int(statistics.counts[pair])
                if count > 0 && count >= bound { pairs.offer(count, pair) }
            }
        }
        if pairs.count > k { bound = max(bound, pairs.counts[k]) }
        for slot in 0..<k {
            runnerPairs.append(slot < min(pairs.count, k) ? pairs.ids[slot] : 0)
            runnerCounts.append(slot < min(pairs.count, k) ? pairs.counts[slot] : 0)
        }
        bounds.append(bound)
    }

    /// The rounds of `compression` (made with these margins) for its strings with `removed`
    /// taken out and `added` put in, and the encodings of `added`, when every round provably
    /// chooses the same pair for them; nil when one might not, or the literal codes would
    /// differ. Every other string's encoding is then unchanged: it depends only on the rounds.
    ///
    /// Round by round, the few strings are carried along (`RoundReplay`) and their pairs
    /// counted: a pair's count changes by its occurrences in the added strings less those in
    /// the removed ones. The chosen pair must still beat each runner-up (larger count, or equal
    /// and a smaller pair number, docs/behaviour.md §5 3a) and, strictly, the bound plus the
    /// most any other pair gains; its count must stay above 0. After the last round an added
    /// string must hold no pair when the loop stopped on a count of 0.
    ///
    /// - Precondition: `removed` are strings of the compressed set (as a multiset).
    public func revise(
        _ compression: Compression, removing removed: [[UInt8]], adding added: [[UInt8]]
    ) -> (rounds: [Compression.Round], encoded: [[UInt8]])? {
        guard roundCount == compression.rounds.count else { return nil }
        // The literal codes: the same bytes must occur.
        var bytes = byteCounts
        for string in removed { for byte in string { bytes[Int(byte)] -= 1 } }
        for string in added { for byte in string { bytes[Int(byte)] += 1 } }
        for byte in 0..<256 where (bytes[byte] > 0) != (byteCounts[byte] > 0) { return nil }

        var gone = removed, new = added
        var rounds = compression.rounds
        let k = Self.runnersUpPerRound
        var gained: [Int] = [], lost: [Int] = []
        for index in rounds.indices {
            let round = rounds[index]
            Self.pairs(of: new, into: &gained)
            Self.pairs(of: gone, into: &lost)
            let count = round.count + Self.occurrences(of: round.pair, in: gained) - Self.occurrences(of: round.pair, in: lost)
            guard count > 0 else { return nil }
            var mostGained = 0
            var runners: [Int] = []
            for slot in (index &* k)..<(index &* k &+ k) where runnerCounts[slot] > 0 {
                let pair = runnerPairs[slot]
                runners.append(pair)
                let other = runnerCounts[slot] + Self.occurrences(of: pair, in: gained) - Self.occurrences(of: pair, in: lost)
                guard other < count || (other == count && pair > round.pair) else { return nil }
            }
            // The most occurrences any other pair gains (`gained` is sorted).
            var start = 0
            while start < gained.count {
                var end = start &+ 1
                while end < gained.count && gained[end] == gained[start] { end &+= 1 }
                if gained[start] != round.pair && !runners.contains(gained[start]) { mostGained = max(mostGained, end &- start) }
                start = end
            }
            guard count > bounds[index] + mostGained else { return nil }
            rounds[index].count = count
            for i in new.indices { RoundReplay.replace(round, in: &new[i]) }
            for i in gone.indices { RoundReplay.replace(round, in: &gone[i]) }
        }
        // Codes left unused: the loop stopped on a count of 0, which an added pair would change.
        if compression.tokens.entries.contains(.empty) && new.contains(where: { $0.count >= 2 }) { return nil }
        return (rounds, new)
    }

    /// The compression of `strings`, revised from `compression` (made with these margins) of
    /// `base`, when `revise(_:removing:adding:)` allows; nil otherwise.
    ///
    /// `source[i]` is the index in `base` of a string equal to `strings[i]`, or -1 for a string
    /// that `base` lacks; `removed` are the indices of `base`'s strings that `strings` lacks (each
    /// base index in at most one of the two). So the multiset of `strings` is `base`'s with
    /// `removed` taken out and the `-1` strings put in.
    public func revise(
        _ compression: Compression, of base: ByteStrings, to strings: ByteStrings, source: [Int], removed: [Int]
    ) -> Compression? {
        precondition(source.count == strings.count, "one source per string")
        let added = source.indices.filter { source[$0] < 0 }
        guard
            let (rounds, encoded) = revise(
                compression, removing: removed.map { Array(base[$0]) }, adding: added.map { Array(strings[$0]) })
        else { return nil }
        var next = 0
        var total = 0
        for index in source.indices where source[index] >= 0 { total += compression.names.length(of: source[index]) }
        total += encoded.reduce(0) { $0 + $1.count }
        let names = compression.names.bytes.withUnsafeBufferPointer { old in
            ByteStrings(count: strings.count, totalLength: total) { index, at in
                if source[index] < 0 {
                    let string = encoded[next]
                    next += 1
                    string.withUnsafeBufferPointer { if let from = $0.baseAddress { at.initialize(from: from, count: $0.count) } }
                    return string.count
                }
                let start = compression.names.start(of: source[index]), length = compression.names.ends[source[index]] - start
                if length > 0 { at.initialize(from: old.baseAddress! + start, count: length) }
                return length
            }
        }
        return Compression(tokens: compression.tokens, names: names, rounds: rounds)
    }

    /// Every adjacent pair of `strings` (overlapping ones too, as the counts have them), sorted.
    private static func pairs(of strings: [[UInt8]], into pairs: inout [Int]) {
        pairs.removeAll(keepingCapacity: true)
        for string in strings where string.count >= 2 {
            for i in 0..<(string.count &- 1) { pairs.append(TokenTable.pairNumber(string[i], string[i &+ 1])) }
        }
        pairs.sort()
    }

    /// How often `pair` occurs in the sorted `pairs`.
    private static func occurrences(of pair: Int, in pairs: [Int]) -> Int {
        var low = 0, high = pairs.count
        while low < high {
            let middle = (low &+ high) / 2
            if pairs[middle] < pair { low = middle &+ 1 } else { high = middle }
        }
        var end = low
        while end < pairs.count && pairs[end] == pair { end &+= 1 }
        return end &- low
    }
}

/// The `capacity` largest counts offered, with their ids, largest first (equal counts in the
/// order offered).
private struct TopCounts {
    let capacity: Int
    var counts: [Int] = []
    var ids: [Int] = []
    var count: Int { counts.count }

    init(capacity: Int) {
        self.capacity = capacity
        counts.reserveCapacity(capacity)
        ids.reserveCapacity(capacity)
    }

    mutating func offer(_ value: Int, _ id: Int) {
        if counts.count == capacity {
            guard value > counts[capacity &- 1] else { return }
            counts.removeLast()
            ids.removeLast()
        }
        var at = counts.count
        while at > 0 && counts[at &- 1] < value { at &-= 1 }
        counts.insert(value, at: at)
        ids.insert(id, at: at)
    }
}
