extension FastEngine {
    /// One round's merge: the pair being replaced and the code replacing it (docs/behaviour.md §5
    /// step 3d).
    struct Merge {
        let first: UInt8
        let second: UInt8
        let code: UInt8
        /// `first + 256·second`.
        let pair: Int

        init(pair: Int, code: UInt8) {
            first = UInt8(truncatingIfNeeded: pair)
            second = UInt8(truncatingIfNeeded: pair &>> 8)
            self.code = code
            self.pair = pair
        }

        /// Replaces the occurrence of the pair at `position`, if it is still there, and updates
        /// the counts around it. The caller has checked that `position` holds `first`.
        ///
        /// A round calls this for the listed positions in increasing order, which makes the
        /// replacements of each symbol left to right and non-overlapping (`aaa` → `Ta`): an
        /// occurrence overlapping an earlier replacement has lost its first half, now a hole,
        /// by the time it is visited.
        ///
        /// The counts are kept equal to the pair counts of the current text, which is what
        /// "remove all the symbol's pairs, replace, add them back" (docs/behaviour.md §5 step 3d)
        /// amounts to once the round is over: replacing `(a, b)` at `i, j` by `T` between
        /// neighbours `x` (before) and `y` (after) removes `(x, a)`, `(a, b)`, `(b, y)` and adds
        /// `(x, T)`, `(T, y)`; every other adjacency is untouched. `(a, b)` itself is zeroed once
        /// per round (`PairStatistics.retire`); the other four changes go to `counts`, the two
        /// new pairs are noted in `lists`.
        @inline(__always)
        func apply(at position: Int, in text: LiveText, counts: some NeighbourCounts, lists: inout PairLists) {
            let codes = text.codes
            assert(codes[position] == first)
            // One window of each bitmap, from 8 positions before `position`, answers for the
            // usual short symbol whether `position` is live, where the live positions before it
            // (`before`) and after it (`partner`, `after`) are, and where its symbol ends.
            let base = position &- 8  // at worst inside the bitmaps' front padding
            let live = text.liveWindow(at: base), starts = text.startWindow(at: base)
            guard live & 0x100 != 0 else { return }  // a hole
            // Bit `k` of these is position `position + 1 + k`, for `k` up to at least 47.
            let above = live &>> 9, startsAbove = starts &>> 9
            let symbolEnd = startsAbove.trailingZeroBitCount  // 64: not within the window
            let aboveAfterPartner = above & (above &- 1)
            // Decisive when a live bit or the symbol's end lies within the window; otherwise
            // (a run of more than 46 holes) ask the bitmap position by position.
            let partner: Int
            if above != 0 || startsAbove != 0 {
                let distance = above.trailingZeroBitCount
                partner = distance < symbolEnd ? position &+ 1 &+ distance : -1
            } else {
                partner = text.nextLive(after: position)
            }
            guard partner >= 0 && codes[partner] == second else { return }
            let after: Int
            if aboveAfterPartner != 0 || startsAbove != 0 {
                let distance = aboveAfterPartner.trailingZeroBitCount
                after = distance < symbolEnd ? position &+ 1 &+ distance : -1
            } else {
                after = text.nextLive(after: partner)
            }
            // The live position before, unless `position` starts its symbol: the highest live
            // bit of the 8 below it, or (after a run of 8 holes) the bitmap position by position.
            let before: Int
            if starts & 0x100 != 0 {
                before = -1
            } else if live & 0xFF != 0 {
                before = base &+ 63 &- (live & 0xFF).leadingZeroBitCount
            } else {
                before = text.previousLive(before: position)
            }
            // All reads above come before the writes below: a bitmap window read just after a
            // byte of it was written would wait for that store.
            codes[position] = code
            text.makeHole(partner)
            // The pair itself is counted down by `retire` at the end of the round.
            if before >= 0 {
                let x = Int(codes[before])
                counts.replaced(before: x, in: self)
                lists.noteLeft(x, at: before)
            }
            if after >= 0 {
                // `after` lies ahead, not merged yet this round: it cannot hold the code.
                let y = Int(codes[after])
                assert(y != Int(code))
                counts.replaced(after: y, in: self)
                lists.noteRight(y, at: position)
            }
        }
    }

    /// Where `Merge.apply` sends the count changes around a replaced occurrence: straight to
    /// the pair statistics (`PairStatistics`), or, on the second thread of a run in two halves,
    /// into per-neighbour tallies that the first thread adds to the statistics after the round
    /// (`NeighbourTallies`).
    protocol NeighbourCounts {
        /// The live code `x` came before a replaced occurrence: `(x, first)` became `(x, code)`.
        func replaced(before x: Int, in merge: Merge)
        /// The live code `y` came after a replaced occurrence: `(second, y)` became `(code, y)`.
        func replaced(after y: Int, in merge: Merge)
    }
}

extension FastEngine.PairStatistics: FastEngine.NeighbourCounts {
    @inline(__always)
    func replaced(before x: Int, in merge: FastEngine.Merge) {
        decrement(x | Int(merge.first) &<< 8)
        increment(x | Int(merge.code) &<< 8)
    }

    @inline(__always)
    func replaced(after y: Int, in merge: FastEngine.Merge) {
        decrement(Int(merge.second) | y &<< 8)
        increment(Int(merge.code) | y &<< 8)
    }
}
