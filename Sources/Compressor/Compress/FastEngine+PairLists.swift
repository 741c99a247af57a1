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
        /// The current round's new occurrences, `pair << 32 | position`, in the order they were
        /// made (one array, so the hot loop keeps one pointer for it).
        var pending: UnsafeMutablePointer<UInt64>
        var pendingCapacity: Int
        var pendingCount = 0
        /// Scratch for `layOutNewLists`: how many pending entries each new pair has (zero
        /// outside it).
        let pendingPerPair: UnsafeMutablePointer<UInt32>

        /// Lists every position of `text` under its pair.
        ///
        /// `text` must be a fresh copy of the input and `counts` its pair counts taken over the
        /// flat buffer (`PairCounter.countAcrossBoundaries`): they size the lists. The lists
        /// then also hold the positions whose pair straddles two symbols; a round rejects those
        /// like any stale entry (the second byte is not in the first one's symbol), and in
        /// exchange the fill is one flat sweep.
        static func allocate(text: LiveText, countsAcrossBoundaries counts: UnsafeMutablePointer<UInt32>) -> PairLists {
            let listStart = UnsafeMutablePointer<UInt32>.allocate(capacity: PairCounter.pairCount)
            let listEnd = UnsafeMutablePointer<UInt32>.allocate(capacity: PairCounter.pairCount)
            // Exclusive prefix sums of the counts: pair `p` owns `counts[p]` slots. The total is
            // the number of positions but one, and with the `2 · text.count` slots reserved below
            // it stays under 2³² (`FastEngine.maximumInputLength`).
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
            let arena = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
            // Counting-sort fill in position order: the pair at `position` is the 16-bit load
            // there. Each slot written is one of the `counts[p]` reserved for `p`, because this
            // sweep visits exactly the positions that were counted.
            let raw = UnsafeRawPointer(text.codes)
            var position = 0
            while position &+ 1 < text.count {
                let pair = Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt16.self)))
                let slot = Int(listEnd[pair])
                arena[slot] = UInt32(truncatingIfNeeded: position)
                listEnd[pair] = UInt32(truncatingIfNeeded: slot &+ 1)
                position &+= 1
            }
            let pendingPerPair = UnsafeMutablePointer<UInt32>.allocate(capacity: PairCounter.pairCount)
            pendingPerPair.initialize(repeating: 0, count: PairCounter.pairCount)
            let pendingCapacity = 64
            return PairLists(listStart: listStart, listEnd: listEnd,
                             arena: arena, arenaCapacity: capacity, arenaCount: total,
                             pending: .allocate(capacity: pendingCapacity),
                             pendingCapacity: pendingCapacity, pendingPerPair: pendingPerPair)
        }

        func deallocate() {
            listStart.deallocate()
            listEnd.deallocate()
            arena.deallocate()
            pending.deallocate()
            pendingPerPair.deallocate()
        }

        /// Makes room for `count` new occurrences in this round (a round with `n` merges notes
        /// at most `2n`).
        mutating func reservePending(_ count: Int) {
            guard pendingCount + count > pendingCapacity else { return }
            let capacity = max(pendingCount + count, 2 * pendingCapacity)
            let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
            grown.moveInitialize(from: pending, count: pendingCount)
            pending.deallocate()
            pending = grown
            pendingCapacity = capacity
        }

        /// Notes a new occurrence of `pair` at `position`; room was reserved by `reservePending`.
        @inline(__always)
        mutating func note(_ pair: Int, at position: Int) {
            assert(pendingCount < pendingCapacity)
            pending[pendingCount] = UInt64(truncatingIfNeeded: pair) &<< 32 | UInt64(truncatingIfNeeded: position)
            pendingCount &+= 1
        }

        /// Lays out the lists of the pairs `code` created this round: `(x, code)` and `(code, y)`.
        mutating func layOutNewLists(code: UInt8) {
            precondition(arenaCount + pendingCount <= arenaCapacity, "at most two notes per merge")
            for entry in 0..<pendingCount { pendingPerPair[Int(truncatingIfNeeded: pending[entry] &>> 32)] &+= 1 }
            let code = Int(code)
            for other in 0..<256 {
                startList(other | code &<< 8)  // (other, code)
                if other != code { startList(code | other &<< 8) }  // (code, other)
            }
            // Scatter in order, so each list stays in increasing position order.
            for entry in 0..<pendingCount {
                let note = pending[entry]
                let pair = Int(truncatingIfNeeded: note &>> 32)
                let slot = Int(listEnd[pair])
                arena[slot] = UInt32(truncatingIfNeeded: note)
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
