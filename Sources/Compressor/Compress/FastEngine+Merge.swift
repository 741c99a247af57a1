extension FastEngine {
    /// One round's merge: the pair being replaced and the code replacing it (spec §5 step 3d).
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
        /// The counts are kept equal to the pair counts of the current text, which is what the
        /// spec's "remove all the symbol's pairs, replace, add them back" amounts to once the
        /// round is over: replacing `(a, b)` at `i, j` by `T` between neighbours `x` (before) and
        /// `y` (after) removes `(x, a)`, `(a, b)`, `(b, y)` and adds `(x, T)`, `(T, y)`; every
        /// other adjacency is untouched. `(a, b)` itself is zeroed once per round
        /// (`PairStatistics.retire`); the two new pairs are noted in `lists`.
        @inline(__always)
        func apply(at position: Int, in text: LiveText, statistics: PairStatistics, lists: inout PairLists) {
            let codes = text.codes
            assert(codes[position] == first)
            // One window of each bitmap from `position` answers, for the usual short symbol,
            // whether it is live, where its next two live positions are (`partner`, `after`),
            // and where its symbol ends (the next start).
            let live = text.liveWindow(at: position)
            guard live & 1 != 0 else { return }  // a hole
            let starts = text.startWindow(at: position)
            let symbolEnd = (starts & ~1).trailingZeroBitCount  // 64: not within the window
            let rest = live & ~1, restAfterPartner = rest & (rest &- 1)
            // Decisive when a live bit or the symbol's end lies within the window; otherwise
            // (a run of more than 55 holes) ask the bitmap position by position.
            let partner: Int
            if rest != 0 || symbolEnd < 64 {
                let distance = rest.trailingZeroBitCount
                partner = distance < symbolEnd ? position &+ distance : -1
            } else {
                partner = text.nextLive(after: position)
            }
            guard partner >= 0 && codes[partner] == second else { return }
            let after: Int
            if restAfterPartner != 0 || symbolEnd < 64 {
                let distance = restAfterPartner.trailingZeroBitCount
                after = distance < symbolEnd ? position &+ distance : -1
            } else {
                after = text.nextLive(after: partner)
            }
            // All reads before the writes: a bitmap window read just after a byte of it was
            // written would wait for that store (a wide load cannot take a narrow store's value).
            let before = starts & 1 != 0 ? -1 : text.previousLive(before: position)
            codes[position] = code
            text.makeHole(partner)
            // The pair itself is counted down by `retire` at the end of the round.
            if before >= 0 {
                let x = Int(codes[before])
                statistics.decrement(x | Int(first) &<< 8)
                let added = x | Int(code) &<< 8
                statistics.increment(added)
                lists.note(added, at: before)
            }
            if after >= 0 {
                let y = Int(codes[after]) &<< 8
                statistics.decrement(Int(second) | y)
                let added = Int(code) | y
                statistics.increment(added)
                lists.note(added, at: position)
            }
        }
    }
}
