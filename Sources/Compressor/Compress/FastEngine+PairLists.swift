extension FastEngine {
    /// For every pair, the positions where it may occur, in increasing order, so a round visits
    /// only those.
    ///
    /// Lists are supersets: a position stays listed after a merge changed its pair (the round
    /// that visits it checks the pair and moves on). They never miss an occurrence, because of
    /// one fact about the greedy loop: a merge only creates adjacencies next to its new code
    /// (the pair before it and the pair after it). So a pair of two input bytes never appears
    /// where it was not at the start, and a pair involving a token gets all its occurrences
    /// during the round that created its newer half. Each list is therefore one contiguous
    /// stretch of a shared arena, written once:
    ///
    /// - the lists of the input's pairs by a counting sort before the first round;
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
        /// The current round's new occurrences, in the order they were made, by side: `left`
        /// holds those of pairs `(x, code)` (`x` may be the code itself), `right` those of pairs
        /// `(code, y)` with `y` another code; each entry is `x << 32 | position` or
        /// `y << 32 | position`. Two sides of 256 pairs each are laid out with 256 write heads
        /// at a time, which stay in the first-level cache; 511 would not.
        var pendingLeft: UnsafeMutablePointer<UInt64>
        var pendingRight: UnsafeMutablePointer<UInt64>
        var pendingCapacity: Int
        var leftCount = 0
        var rightCount = 0
        /// Scratch for `layOutNewLists`: entries per other code, then list cursors.
        let cursors: UnsafeMutablePointer<UInt32>

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
            HugePages.advise(arena, byteCount: capacity * MemoryLayout<UInt32>.stride)
            // Counting-sort fill in position order: the pair at `position` is the 16-bit load
            // there. Each slot taken is one of the `counts[p]` reserved for `p`, because this
            // sweep visits exactly the positions that were counted. Per chunk of positions, two
            // sweeps: the first only hands out slots, into a small scratch array that stays in
            // cache; the second scatters. Storing through a slot just loaded from the cursor
            // table would make every next cursor load wait for that store's address, which
            // halves the speed.
            let chunkSize = 16_384
            let slots = UnsafeMutablePointer<UInt32>.allocate(capacity: chunkSize)
            defer { slots.deallocate() }
            let raw = UnsafeRawPointer(text.codes)
            let lastPosition = text.count &- 1  // the last position starts no pair
            var chunkStart = 0
            while chunkStart < lastPosition {
                let chunkEnd = min(chunkStart &+ chunkSize, lastPosition)
                var position = chunkStart
                while position < chunkEnd {
                    let pair = Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt16.self)))
                    let slot = listEnd[pair]
                    slots[position &- chunkStart] = slot
                    listEnd[pair] = slot &+ 1
                    position &+= 1
                }
                position = chunkStart
                while position < chunkEnd {
                    arena[Int(slots[position &- chunkStart])] = UInt32(truncatingIfNeeded: position)
                    position &+= 1
                }
                chunkStart = chunkEnd
            }
            let pendingCapacity = 64
            return PairLists(
                listStart: listStart, listEnd: listEnd,
                arena: arena, arenaCapacity: capacity, arenaCount: total,
                pendingLeft: .allocate(capacity: pendingCapacity),
                pendingRight: .allocate(capacity: pendingCapacity),
                pendingCapacity: pendingCapacity, cursors: .allocate(capacity: 256))
        }

        func deallocate() {
            listStart.deallocate()
            listEnd.deallocate()
            arena.deallocate()
            pendingLeft.deallocate()
            pendingRight.deallocate()
            cursors.deallocate()
        }

        /// Makes room for a round of at most `merges` merges (each notes at most one occurrence
        /// on each side).
        mutating func reservePending(_ merges: Int) {
            guard merges > pendingCapacity else { return }
            let capacity = max(merges, 2 * pendingCapacity)
            pendingLeft.deallocate()
            pendingRight.deallocate()
            pendingLeft = .allocate(capacity: capacity)
            pendingRight = .allocate(capacity: capacity)
            pendingCapacity = capacity
        }

        /// Notes a new occurrence of `(x, code)` at `position`; room was reserved by
        /// `reservePending`.
        @inline(__always)
        mutating func noteLeft(_ x: Int, at position: Int) {
            assert(leftCount < pendingCapacity)
            pendingLeft[leftCount] = UInt64(truncatingIfNeeded: x) &<< 32 | UInt64(truncatingIfNeeded: position)
            leftCount &+= 1
        }

        /// Notes a new occurrence of `(code, y)` at `position`, `y` not the code itself.
        @inline(__always)
        mutating func noteRight(_ y: Int, at position: Int) {
            assert(rightCount < pendingCapacity)
            pendingRight[rightCount] = UInt64(truncatingIfNeeded: y) &<< 32 | UInt64(truncatingIfNeeded: position)
            rightCount &+= 1
        }

        /// Lays out the lists of the pairs `code` created this round: `(x, code)` and `(code, y)`.
        mutating func layOutNewLists(code: UInt8) {
            precondition(arenaCount + leftCount + rightCount <= arenaCapacity, "at most two notes per merge")
            let code = Int(code)
            layOut(pendingLeft, count: leftCount) { x in x | code &<< 8 }
            layOut(pendingRight, count: rightCount) { y in code | y &<< 8 }
            leftCount = 0
            rightCount = 0
        }

        /// Counts the entries per other code, gives each pair its stretch of the arena, and
        /// copies the positions there in order, so each list is in increasing position order.
        @inline(__always)
        private mutating func layOut(_ entries: UnsafeMutablePointer<UInt64>, count: Int, pair: (Int) -> Int) {
            cursors.initialize(repeating: 0, count: 256)
            for entry in 0..<count { cursors[Int(truncatingIfNeeded: entries[entry] &>> 32)] &+= 1 }
            for other in 0..<256 {
                let size = Int(cursors[other])
                guard size > 0 else { continue }
                let pair = pair(other)
                listStart[pair] = UInt32(truncatingIfNeeded: arenaCount)
                listEnd[pair] = UInt32(truncatingIfNeeded: arenaCount &+ size)
                cursors[other] = UInt32(truncatingIfNeeded: arenaCount)
                arenaCount &+= size
            }
            // Slots `cursors[other] ..< listEnd[pair]` were reserved for exactly these entries.
            // As in the fill, slots are handed out first (written over each entry's code half)
            // and the positions scattered after, so no cursor load waits on a scattered store.
            for entry in 0..<count {
                let note = entries[entry]
                let other = Int(truncatingIfNeeded: note &>> 32)
                let slot = cursors[other]
                entries[entry] = UInt64(slot) &<< 32 | note & 0xFFFF_FFFF
                cursors[other] = slot &+ 1
            }
            for entry in 0..<count {
                let note = entries[entry]
                arena[Int(truncatingIfNeeded: note &>> 32)] = UInt32(truncatingIfNeeded: note)
            }
        }
    }
}
