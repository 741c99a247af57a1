extension FastEngine {
    /// For every pair, the positions where it may occur, in increasing order, so a round visits
    /// only those.
    ///
    /// Lists are supersets: a position stays listed after a merge changed its pair (the round
    /// that visits it checks the pair and moves on). They never miss an occurrence, because of
    /// one fact about the greedy loop: a merge only creates adjacencies next to its new code
    /// (the pair before it and the pair after it). So a pair of older codes never appears where
    /// it was not at the start, and a pair involving a token gets all its occurrences during the
    /// round that created the token. Each list is therefore one contiguous stretch of a shared
    /// arena, written once:
    ///
    /// - the lists of the input's pairs in one counting-sort pass before the first round;
    /// - the lists of a round's new pairs, noted while the round runs and laid out after it.
    ///
    /// Both are in increasing position order (a round notes positions in the order it visits
    /// them), which is what lets a round replace left to right within every symbol.
    ///
    /// A value over memory owned by the caller: `allocate(…)` once, `deallocate()` once.
    struct PairLists {
        /// `arena[listStart[pair] ..< listEnd[pair]]` are the positions listed for `pair`.
        let listStart: UnsafeMutablePointer<UInt32>
        let listEnd: UnsafeMutablePointer<UInt32>
        /// All lists back to back.
        let arena: UnsafeMutablePointer<UInt32>
        let arenaCapacity: Int
        var arenaCount: Int
        /// The current round's new occurrences (pair, position), in the order they were made,
        /// and how many each new pair got.
        var pendingPairs: UnsafeMutablePointer<UInt16>
        var pendingPositions: UnsafeMutablePointer<UInt32>
        var pendingCapacity: Int
        var pendingCount = 0
        let pendingPerPair: UnsafeMutablePointer<UInt32>

        /// Lists every position of `text` under its pair.
        ///
        /// `text` must be a fresh copy of `input`, and `counts` the exact pair counts of `input`
        /// (spec §5 step 1): they size the lists.
        static func allocate(text: LiveText, of input: ByteStrings, counts: UnsafeMutablePointer<UInt32>) -> PairLists {
            let listStart = UnsafeMutablePointer<UInt32>.allocate(capacity: PairCounter.pairCount)
            let listEnd = UnsafeMutablePointer<UInt32>.allocate(capacity: PairCounter.pairCount)
            // Exclusive prefix sums of the counts: pair `p` owns `counts[p]` slots. The total is
            // the number of pair positions, below 2³² (checked by `LiveText`).
            var total = 0
            for pair in 0..<PairCounter.pairCount {
                listStart[pair] = UInt32(truncatingIfNeeded: total)
                listEnd[pair] = UInt32(truncatingIfNeeded: total)
                total &+= Int(counts[pair])
            }
            // A merge notes at most two new occurrences and removes a position for good, so
            // `2 · text.count` more slots always suffice. Reserving them up front costs only
            // address space: pages are touched as lists are written.
            let capacity = total &+ 2 &* text.count &+ 16
            precondition(capacity <= Int(UInt32.max), "pair lists are 32-bit")
            let arena = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
            // Counting-sort fill in position order. Each slot written is one of the `counts[p]`
            // reserved for `p`, because this pass visits exactly the positions that were counted.
            input.ends.withUnsafeBufferPointer { ends in
                var start = 0
                for end in ends {
                    var position = start
                    while position &+ 1 < end {
                        let pair = Int(text.codes[position]) | Int(text.codes[position &+ 1]) &<< 8
                        let slot = Int(listEnd[pair])
                        arena[slot] = UInt32(truncatingIfNeeded: position)
                        listEnd[pair] = UInt32(truncatingIfNeeded: slot &+ 1)
                        position &+= 1
                    }
                    start = end
                }
            }
            let pendingPerPair = UnsafeMutablePointer<UInt32>.allocate(capacity: PairCounter.pairCount)
            pendingPerPair.initialize(repeating: 0, count: PairCounter.pairCount)
            let pendingCapacity = 64
            return PairLists(listStart: listStart, listEnd: listEnd,
                             arena: arena, arenaCapacity: capacity, arenaCount: total,
                             pendingPairs: .allocate(capacity: pendingCapacity),
                             pendingPositions: .allocate(capacity: pendingCapacity),
                             pendingCapacity: pendingCapacity, pendingPerPair: pendingPerPair)
        }

        func deallocate() {
            listStart.deallocate()
            listEnd.deallocate()
            arena.deallocate()
            pendingPairs.deallocate()
            pendingPositions.deallocate()
            pendingPerPair.deallocate()
        }

        /// Makes room for `count` new occurrences in this round (a round with `n` merges notes
        /// at most `2n`).
        mutating func reservePending(_ count: Int) {
            guard pendingCount + count > pendingCapacity else { return }
            let capacity = max(pendingCount + count, 2 * pendingCapacity)
            let pairs = UnsafeMutablePointer<UInt16>.allocate(capacity: capacity)
            let positions = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
            pairs.moveInitialize(from: pendingPairs, count: pendingCount)
            positions.moveInitialize(from: pendingPositions, count: pendingCount)
            pendingPairs.deallocate()
            pendingPositions.deallocate()
            pendingPairs = pairs
            pendingPositions = positions
            pendingCapacity = capacity
        }

        /// Notes a new occurrence of `pair` at `position`; room was reserved by `reservePending`.
        @inline(__always)
        mutating func note(_ pair: Int, at position: Int) {
            assert(pendingCount < pendingCapacity)
            pendingPairs[pendingCount] = UInt16(truncatingIfNeeded: pair)
            pendingPositions[pendingCount] = UInt32(truncatingIfNeeded: position)
            pendingCount &+= 1
            pendingPerPair[pair] &+= 1
        }

        /// Lays out the lists of the pairs `code` created this round: `(x, code)` and `(code, y)`.
        mutating func layOutNewLists(code: UInt8) {
            precondition(arenaCount + pendingCount <= arenaCapacity, "at most two notes per merge")
            let code = Int(code)
            for other in 0..<256 {
                startList(other | code &<< 8)  // (other, code)
                if other != code { startList(code | other &<< 8) }  // (code, other)
            }
            // Scatter in order, so each list stays in increasing position order.
            for entry in 0..<pendingCount {
                let pair = Int(pendingPairs[entry])
                let slot = Int(listEnd[pair])
                arena[slot] = pendingPositions[entry]
                listEnd[pair] = UInt32(truncatingIfNeeded: slot &+ 1)
            }
            pendingCount = 0
        }

        @inline(__always)
        private mutating func startList(_ pair: Int) {
            let count = Int(pendingPerPair[pair])
            guard count > 0 else { return }
            pendingPerPair[pair] = 0
            listStart[pair] = UInt32(truncatingIfNeeded: arenaCount)
            listEnd[pair] = UInt32(truncatingIfNeeded: arenaCount)
            arenaCount &+= count
        }
    }
}
