extension FastEngine {
    /// The 65 536 pair counts of spec §5 and a two-level index that finds the best pair without
    /// scanning all of them every round.
    ///
    /// The counters are split into 256 blocks of 256 by second byte, so block `k` holds pair
    /// numbers `256·k ..< 256·(k+1)` in pair-number order. Each block remembers its best pair
    /// (largest count, smallest pair number among equals) or is marked stale. Finding the best
    /// pair rescans the stale blocks and then compares the 256 block winners in block order, so
    /// the first strict maximum over the blocks is the first strict maximum over all pairs —
    /// exactly the tie-break of spec §5 step 3a.
    ///
    /// Keeping a block's winner exact costs one comparison per update: raising a count can only
    /// make that pair the winner; lowering a count matters only when it lowers the winner, and
    /// then the block is marked stale.
    ///
    /// A value over memory owned by the caller: `allocate()` once, `deallocate()` once.
    struct PairStatistics {
        /// `counts[first + 256·second]`.
        let counts: UnsafeMutablePointer<UInt32>
        /// The pair number of each block's best pair (valid only where the block is not stale).
        let blockBest: UnsafeMutablePointer<UInt16>
        /// Whether a block's best pair must be recomputed before use.
        let blockIsStale: UnsafeMutablePointer<Bool>

        static let blockCount = 256

        /// Zeroed counts, every block stale.
        static func allocate() -> PairStatistics {
            let statistics = PairStatistics(
                counts: .allocate(capacity: PairCounter.pairCount),
                blockBest: .allocate(capacity: blockCount),
                blockIsStale: .allocate(capacity: blockCount))
            statistics.counts.initialize(repeating: 0, count: PairCounter.pairCount)
            statistics.blockBest.initialize(repeating: 0, count: blockCount)
            statistics.blockIsStale.initialize(repeating: true, count: blockCount)
            return statistics
        }

        func deallocate() {
            counts.deallocate()
            blockBest.deallocate()
            blockIsStale.deallocate()
        }

        /// Removes one occurrence of `pair`, which must have a positive count.
        @inline(__always)
        func decrement(_ pair: Int) {
            assert(counts[pair] > 0, "pair \(pair) removed more often than it occurs")
            // Positive before (the occurrence being removed was counted), so no wrap.
            counts[pair] &-= 1
            let block = pair &>> 8
            if Int(blockBest[block]) == pair { blockIsStale[block] = true }
        }

        /// Adds one occurrence of `pair`.
        @inline(__always)
        func increment(_ pair: Int) {
            // A count never exceeds the number of byte positions, which is below 2³².
            let count = counts[pair] &+ 1
            counts[pair] = count
            let block = pair &>> 8
            if blockIsStale[block] { return }
            let winner = Int(blockBest[block])
            let winnerCount = counts[winner]
            if count > winnerCount || (count == winnerCount && pair < winner) {
                blockBest[block] = UInt16(truncatingIfNeeded: pair)
            }
        }

        /// The pair with the largest count, the smallest pair number among equals (spec §5 3a).
        ///
        /// Its count is 0 when no pair is left.
        func best() -> Int {
            var bestPair = 0
            var bestCount: UInt32 = 0
            for block in 0..<Self.blockCount {
                if blockIsStale[block] {
                    // First strict maximum inside the block; `block << 8 | 255` is at most 65 535.
                    let first = block &<< 8
                    var winner = first
                    var winnerCount = counts[first]
                    for pair in (first &+ 1)..<(first &+ 256) where counts[pair] > winnerCount {
                        winner = pair
                        winnerCount = counts[pair]
                    }
                    blockBest[block] = UInt16(truncatingIfNeeded: winner)
                    blockIsStale[block] = false
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
