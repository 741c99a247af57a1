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
    /// A round's own list is never read again once the round is over (its pair cannot occur
    /// again), so its stretch becomes a *gap* (`release`) and later lists are written into gaps
    /// where they fit: memory already touched, instead of fresh pages at the arena's end.
    ///
    /// A new pair with fewer occurrences than `listingThreshold` is not listed at all: only a
    /// few hundred pairs are ever merged, almost all of them among the most frequent, and the
    /// rest of the lists would be written and never read. Should such a pair be chosen after
    /// all, its round lists it then by scanning the text (`listByScanning`): every position
    /// holding its first half, a superset like any list.
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
        /// Scratch for `layOutNewLists`: per block of the round's entries (`layOutBlocks` of
        /// them) 256 counters, entries per other code and then that block's list cursors; after
        /// them, how far a cursor moves per entry (256 more: 0 for a pair left unlisted, whose
        /// entries all go to the one slot `discard`).
        let cursors: UnsafeMutablePointer<UInt32>
        /// New pairs with fewer occurrences are left unlisted (`unlisted` as their start).
        let listingThreshold: Int
        /// The arena slot past `arenaCapacity` that takes the entries of unlisted pairs.
        var discard: UInt32 { UInt32(truncatingIfNeeded: arenaCapacity) }
        /// Positions of an unlisted pair, found by `listByScanning` (allocated at the first
        /// need, room for every position; pages are touched only as positions are written).
        var scanned: UnsafeMutablePointer<UInt32>?

        /// Stretches of the arena no list uses any more, each `start << 32 | size`; none is
        /// shorter than `listingThreshold` (no list would fit).
        var gaps: [UInt64] = []

        /// The start of a pair that has no list.
        static let unlisted = UInt32.max

        /// Lists every position of `text` under its pair.
        ///
        /// `text` must be a fresh copy of the input and `counts` its pair counts taken over the
        /// flat buffer (`PairCounter.countAcrossBoundaries`): they size the lists. The lists
        /// then also hold the positions whose pair straddles two symbols; a round rejects those
        /// like any stale entry (the second byte is not in the first one's symbol), and in
        /// exchange the fill is one flat sweep.
        static func allocate(
            text: LiveText, countsAcrossBoundaries counts: UnsafeMutablePointer<UInt32>, listingNewPairsFrom threshold: Int
        ) -> PairLists {
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
            let arena = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity &+ 1)  // and `discard`
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
                pendingCapacity: pendingCapacity, cursors: .allocate(capacity: 256 * (layOutBlocks + 1)),
                listingThreshold: threshold)
        }

        /// The listing threshold for an input with these pair counts (taken across boundaries):
        /// a quarter to a half of the 256th largest count, rounded down to a power of two.
        ///
        /// A compression has at most 256 rounds, and a round's pair has the largest count of
        /// the moment, so a pair much rarer than the 256th most frequent input pair is seldom
        /// chosen. (On the kernels measured, the last round's count was 0.7–0.8 of that 256th
        /// count, two to three times this threshold.) Nothing depends on it but speed.
        static func listingThreshold(countsAcrossBoundaries counts: UnsafeMutablePointer<UInt32>) -> Int {
            // How many pairs have a count of each bit width (1 ... 32).
            var widths = [Int](repeating: 0, count: 33)
            for pair in 0..<PairCounter.pairCount { widths[32 &- counts[pair].leadingZeroBitCount] &+= 1 }
            var atLeast = 0
            for width in stride(from: 32, through: 1, by: -1) {
                atLeast &+= widths[width]
                // The 256th largest count is at least `1 << (width - 1)`.
                if atLeast >= 256 { return width >= 2 ? 1 &<< (width &- 2) : 1 }
            }
            return 1
        }

        func deallocate() {
            listStart.deallocate()
            listEnd.deallocate()
            arena.deallocate()
            pendingLeft.deallocate()
            pendingRight.deallocate()
            cursors.deallocate()
            scanned?.deallocate()
        }

        /// Gives `pair`'s list back as a gap, once the round that merged `pair` is over: its
        /// pair can never occur again (every adjacency a merge makes involves the new code), so
        /// the list is never read again. The pair is left unlisted.
        mutating func release(_ pair: Int) {
            let start = listStart[pair]
            guard start != Self.unlisted else { return }
            let size = listEnd[pair] &- start
            listStart[pair] = Self.unlisted
            listEnd[pair] = Self.unlisted
            guard Int(size) >= listingThreshold else { return }
            gaps.append(UInt64(start) &<< 32 | UInt64(size))
        }

        /// Room for a list of `size` positions: the front of the smallest gap it fits in, or
        /// the arena's end.
        @inline(__always)
        private mutating func reserve(_ size: Int) -> Int {
            var best = -1
            var bestSize = UInt64.max
            for index in gaps.indices {
                let gapSize = gaps[index] & 0xFFFF_FFFF
                if gapSize >= UInt64(size) && gapSize < bestSize {
                    best = index
                    bestSize = gapSize
                }
            }
            guard best >= 0 else {
                defer { arenaCount &+= size }
                return arenaCount
            }
            let start = Int(truncatingIfNeeded: gaps[best] &>> 32)
            let rest = Int(bestSize) &- size
            if rest >= listingThreshold && rest > 0 {
                gaps[best] = UInt64(start &+ size) &<< 32 | UInt64(rest)
            } else {
                gaps.swapAt(best, gaps.count &- 1)
                gaps.removeLast()
            }
            return start
        }

        /// Where the positions listed for `pair` are, and how many there are; a pair left
        /// unlisted is listed now, by `listByScanning`.
        mutating func positions(of pair: Int, text: LiveText) -> (UnsafePointer<UInt32>, Int) {
            let start = listStart[pair]
            if start != Self.unlisted { return (UnsafePointer(arena + Int(start)), Int(listEnd[pair] &- start)) }
            return listByScanning(first: UInt8(truncatingIfNeeded: pair), text: text)
        }

        /// Every position but the last that holds `first`, in increasing order: a superset of
        /// the positions of every pair `(first, y)`, live or not.
        ///
        /// Eight codes at a time: a word with no byte equal to `first` is skipped whole; the
        /// candidates of the others are checked one by one.
        mutating func listByScanning(first: UInt8, text: LiveText) -> (UnsafePointer<UInt32>, Int) {
            let positions = scanned ?? .allocate(capacity: max(text.count, 1))
            scanned = positions
            let end = text.count &- 1  // the last position starts no pair
            let raw = UnsafeRawPointer(text.codes)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let pattern = ones &* UInt64(first)
            var found = 0, position = 0
            while position &+ 8 <= end {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)) ^ pattern
                // A high bit set for every zero byte (and perhaps for some above one).
                var candidates = (word &- ones) & ~word & (ones &<< 7)
                while candidates != 0 {
                    let candidate = position &+ candidates.trailingZeroBitCount &>> 3
                    positions[found] = UInt32(truncatingIfNeeded: candidate)
                    found &+= text.codes[candidate] == first ? 1 : 0
                    candidates &= candidates &- 1
                }
                position &+= 8
            }
            while position < end {
                positions[found] = UInt32(truncatingIfNeeded: position)
                found &+= text.codes[position] == first ? 1 : 0
                position &+= 1
            }
            return (UnsafePointer(positions), found)
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
        ///
        /// The entries are cut into `layOutBlocks` consecutive blocks, each with its own counters
        /// and cursors, and the blocks are walked side by side. Entries of one code often come
        /// in long runs, and one table would make each entry's update wait for the previous
        /// one's; four tables make four independent chains. A block's cursor for a code starts
        /// after the earlier blocks' entries of that code, so every list is still filled in
        /// entry order.
        @inline(__always)
        private mutating func layOut(_ entries: UnsafeMutablePointer<UInt64>, count: Int, pair: (Int) -> Int) {
            let tables = cursors, steps = cursors + 256 &* Self.layOutBlocks
            tables.initialize(repeating: 0, count: 256 &* Self.layOutBlocks)
            let blocks = LayOutBlocks(count: count)
            blocks.visit { block, entry in
                tables[block &<< 8 | Int(truncatingIfNeeded: entries[entry] &>> 32)] &+= 1
            }
            for other in 0..<256 {
                var size = 0
                for block in 0..<Self.layOutBlocks { size &+= Int(tables[block &<< 8 | other]) }
                guard size > 0 else { continue }
                let pair = pair(other)
                guard size >= listingThreshold else {
                    listStart[pair] = Self.unlisted
                    listEnd[pair] = Self.unlisted
                    for block in 0..<Self.layOutBlocks { tables[block &<< 8 | other] = discard }
                    steps[other] = 0
                    continue
                }
                let start = reserve(size)
                listStart[pair] = UInt32(truncatingIfNeeded: start)
                listEnd[pair] = UInt32(truncatingIfNeeded: start &+ size)
                var cursor = UInt32(truncatingIfNeeded: start)
                for block in 0..<Self.layOutBlocks {
                    let entries = tables[block &<< 8 | other]
                    tables[block &<< 8 | other] = cursor
                    cursor &+= entries
                }
                steps[other] = 1
            }
            // Slots `listStart[pair] ..< listEnd[pair]` were reserved for exactly these entries
            // (an unlisted pair's all go to `discard`). As in the fill, slots are handed out first
            // (written over each entry's code half) and the positions scattered after, so no
            // cursor load waits on a scattered store.
            blocks.visit { block, entry in
                let note = entries[entry]
                let other = Int(truncatingIfNeeded: note &>> 32)
                let slot = tables[block &<< 8 | other]
                entries[entry] = UInt64(slot) &<< 32 | note & 0xFFFF_FFFF
                tables[block &<< 8 | other] = slot &+ steps[other]
            }
            for entry in 0..<count {
                let note = entries[entry]
                arena[Int(truncatingIfNeeded: note &>> 32)] = UInt32(truncatingIfNeeded: note)
            }
        }

        /// How many blocks `layOut` cuts a round's entries into.
        static let layOutBlocks = 4

        /// `count` entries cut into `PairLists.layOutBlocks` (4) consecutive blocks: the first
        /// three of `size` entries, the last of what is left (at most `size`).
        struct LayOutBlocks {
            let count: Int
            let size: Int

            init(count: Int) {
                self.count = count
                size = (count &+ 3) &>> 2
            }

            /// Calls `body(block, entry)` for every entry, each block in increasing order, the
            /// four blocks taking turns.
            @inline(__always)
            func visit(_ body: (_ block: Int, _ entry: Int) -> Void) {
                // The last block's length; the first three hold `size` each (when `count` is
                // below 4, some of them hold fewer: the tail loop takes those).
                let last = max(0, count &- 3 &* size)
                var index = 0
                while index < last {
                    body(0, index)
                    body(1, size &+ index)
                    body(2, 2 &* size &+ index)
                    body(3, 3 &* size &+ index)
                    index &+= 1
                }
                // The first three blocks' rest, each in order (blocks stay independent).
                for block in 0..<3 {
                    var entry = block &* size &+ last
                    let end = min(count, (block &+ 1) &* size)
                    while entry < end {
                        body(block, entry)
                        entry &+= 1
                    }
                }
            }
        }
    }
}
