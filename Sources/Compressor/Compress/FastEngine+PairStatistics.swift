extension FastEngine {
    /// The 65 536 pair counts of docs/behaviour.md §5 and a two-level index that finds the best
    /// pair without scanning all of them every round.
    ///
    /// The counters are split into 256 blocks of 256 by second byte, so block `k` holds pair
    /// numbers `256·k ..< 256·(k+1)` in pair-number order. Each block remembers its best pair
    /// (largest count, smallest pair number among equals) or is marked stale. Finding the best
    /// pair rescans the stale blocks and then compares the 256 block winners in block order, so
    /// the first strict maximum over the blocks is the first strict maximum over all pairs —
    /// exactly the tie-break of docs/behaviour.md §5 step 3a.
    ///
    /// Keeping a block's winner exact is cheap because of how a round changes counts: it lowers
    /// counts of existing pairs, which matters only when it lowers a block's winner (the block
    /// is then marked stale), and it raises counts only of the pairs involving its new code —
    /// 511 of them, compared with their blocks' winners once at the end of the round
    /// (`admitNewPairs`). Until then those blocks' winners may be out of date, and nothing asks.
    ///
    /// A value over memory owned by the caller: `allocate()` once, `deallocate()` once.
    struct PairStatistics {
        /// `counts[first + 256·second]`.
        let counts: UnsafeMutablePointer<UInt32>
        /// Per block, the pair number of its best pair, or `stale` when it must be recomputed
        /// (one array, so the hot loop keeps one pointer for it).
        let blockBest: UnsafeMutablePointer<UInt32>

        static let blockCount = 256
        /// Above every pair number.
        static let stale: UInt32 = 1 &<< 16

        /// Zeroed counts, every block stale.
        static func allocate() -> PairStatistics {
            let statistics = PairStatistics(
                counts: .allocate(capacity: PairCounter.pairCount),
                blockBest: .allocate(capacity: blockCount))
            statistics.counts.initialize(repeating: 0, count: PairCounter.pairCount)
            statistics.blockBest.initialize(repeating: stale, count: blockCount)
            return statistics
        }

        func deallocate() {
            counts.deallocate()
            blockBest.deallocate()
        }

        /// Removes one occurrence of `pair`, which must have a positive count.
        @inline(__always)
        func decrement(_ pair: Int) {
            assert(counts[pair] > 0, "pair \(pair) removed more often than it occurs")
            // Positive before (the occurrence being removed was counted), so no wrap.
            counts[pair] &-= 1
            let block = pair &>> 8
            if Int(blockBest[block]) == pair { blockBest[block] = Self.stale }
        }

        /// Removes `occurrences` occurrences of `pair` at once, as as many `decrement`s would.
        func decrement(_ pair: Int, by occurrences: UInt32) {
            assert(counts[pair] >= occurrences, "pair \(pair) removed more often than it occurs")
            counts[pair] &-= occurrences
            let block = pair &>> 8
            if Int(blockBest[block]) == pair { blockBest[block] = Self.stale }
        }

        /// Records that the round merging `pair` removed all its occurrences.
        ///
        /// The merge loop does not count the replaced occurrences down one by one (only the
        /// ones destroyed as a neighbour of another replacement): a round leaves none of its
        /// pair, because every new adjacency involves the new code, so the count is simply 0.
        /// The pair was the best overall, hence its block's winner: the block goes stale.
        func retire(_ pair: Int) {
            counts[pair] = 0
            blockBest[pair &>> 8] = Self.stale
        }

        /// Adds one occurrence of `pair`, which involves the round's new code; `admitNewPairs`
        /// must follow before the next `best()`.
        @inline(__always)
        func increment(_ pair: Int) {
            // A count never exceeds the number of byte positions, which is below 2³².
            counts[pair] &+= 1
        }

        /// Adds `occurrences` occurrences of `pair`, as as many `increment`s would.
        func increment(_ pair: Int, by occurrences: UInt32) {
            counts[pair] &+= occurrences
        }

        /// Brings the block winners up to date with the pairs involving `code`, `(x, code)` and
        /// `(code, y)`, the only ones whose counts rose this round.
        ///
        /// A block that is not stale has an exact winner among its other pairs (their counts
        /// only fell, and not the winner's); comparing the new pairs in increasing pair order,
        /// keeping the first strict maximum, gives the first maximum of the whole block.
        func admitNewPairs(code: UInt8) {
            let code = Int(code)
            for other in 0..<256 {
                admit(other | code &<< 8)  // (other, code), block `code`
                if other != code { admit(code | other &<< 8) }  // (code, other), block `other`
            }
        }

        @inline(__always)
        private func admit(_ pair: Int) {
            let count = counts[pair]
            let block = pair &>> 8
            let winner = Int(blockBest[block])
            guard count > 0 && winner != Int(Self.stale) else { return }
            let winnerCount = counts[winner]
            if count > winnerCount || (count == winnerCount && pair < winner) {
                blockBest[block] = UInt32(truncatingIfNeeded: pair)
            }
        }

        /// The pair with the largest count, the smallest pair number among equals
        /// (docs/behaviour.md §5 3a).
        ///
        /// Its count is 0 when no pair is left.
        func best() -> Int {
            var bestPair = 0
            var bestCount: UInt32 = 0
            for block in 0..<Self.blockCount {
                if blockBest[block] == Self.stale {
                    // First strict maximum inside the block; `block << 8 | 255` is at most 65 535.
                    let first = block &<< 8
                    var winner = first
                    var winnerCount = counts[first]
                    for pair in (first &+ 1)..<(first &+ 256) where counts[pair] > winnerCount {
                        winner = pair
                        winnerCount = counts[pair]
                    }
                    blockBest[block] = UInt32(truncatingIfNeeded: winner)
                }
                let winner = Int(blockBest[block])
                if counts[winner] > bestCount {
                    bestPair = winner
                    bestCount = counts[winner]
                }
            }
            return bestPair
        }
    }
}
