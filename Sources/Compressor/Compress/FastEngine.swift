/// The default compression engine: the greedy loop of docs/behaviour.md §5 with work proportional
/// to what each round changes. Its result is identical to `ReferenceEngine`'s for every input.
///
/// How it avoids the reference engine's full scans, and why the result cannot differ:
///
/// - **The text** stays at fixed positions (`LiveText`): a merge writes its code over the
///   pair's first byte and turns the second into a hole, so a position found once stays valid.
/// - **Counts** are made once by `PairCounter` and then updated only around each replacement
///   (`Merge.apply`). Removing a symbol's pairs and adding back those of the shortened string,
///   as docs/behaviour.md §5 words it, changes exactly the pairs that touch a replaced byte, so the
///   counts after every round are the reference engine's counts.
/// - **The best pair** comes from a two-level index over the counts (`PairStatistics`) that
///   keeps each block of 256 counters' first maximum exact, so the choice — largest count,
///   smallest pair number among equals — is the reference engine's linear scan.
/// - **The positions visited** in a round are those listed for its pair (`PairLists`), in
///   increasing order: a superset of its occurrences, each checked before it is replaced, so
///   the replacements are the reference engine's left-to-right, non-overlapping ones. A pair
///   too rare to have been listed is listed when chosen, by a scan of the text for its first
///   half: a superset too.
///
/// Everything else — literal codes, codes 255 → 0, stopping at the first round whose best count
/// is 0 — follows docs/behaviour.md §5 as the reference engine does.
///
/// Cost: one pass to count pairs, two to list them, then per round a scan of the 256 block
/// winners (plus stale blocks) and a few dozen instructions per listed position. On the armhf
/// kernel (v6.1, 45 665 symbols, 943 KB) that is about 15 ms against about 1 s for the reference
/// engine in a release build; time grows about linearly with the input.
public enum FastEngine {
    /// The longest input the engine takes on (about 1.4 GB, so that positions and list slots
    /// fit in 32 bits); longer inputs go to `ReferenceEngine`, with the same result.
    public static let maximumInputLength = (Int(UInt32.max) - 16) / 3

    /// Below this many input bytes every new pair is listed: the lists are small, and the
    /// threshold's scan of 65 536 counts would cost more than it saves (the result is the same
    /// for every threshold).
    static let everyPairListedBelow = 65_536

    /// Compresses `input` (stored strings, in address order) as docs/behaviour.md §5 describes.
    ///
    /// - Complexity: one pass over the bytes to count and list pairs, then per round work
    ///   proportional to the positions listed for its pair, plus a 256-entry scan.
    public static func compress(_ input: ByteStrings) -> Compression {
        input.totalLength <= smallInputLength ? compressSmall(input) : compress(input, listingNewPairsFrom: nil)
    }

    /// `compress(_:)` with the listing threshold of `PairLists` chosen by the caller: a new
    /// pair with fewer occurrences than `threshold` is not listed (nil: the engine's own choice).
    /// Always the large engine, whatever the input's length (`compressSmall` is not taken).
    /// The result is the same for every threshold; tests force high ones so that every round
    /// of a token pair takes the scan of `PairLists.listByScanning`.
    static func compress(_ input: ByteStrings, listingNewPairsFrom threshold: Int?) -> Compression {
        compress(input, listingNewPairsFrom: threshold, recordingMargins: false).compression
    }

    /// `compress(_:)` and, for inputs the large engine takes, the margins of its rounds
    /// (`RoundMargins`), from which the compression of a set that differs in a few strings
    /// can often be revised instead of made again.
    public static func compress(_ input: ByteStrings, recordingMargins: Bool) -> (compression: Compression, margins: RoundMargins?) {
        guard recordingMargins, input.totalLength > smallInputLength else { return (compress(input), nil) }
        return compress(input, listingNewPairsFrom: nil, recordingMargins: true)
    }

    /// `compress(_:listingNewPairsFrom:)`, recording the rounds' margins when asked.
    static func compress(
        _ input: ByteStrings, listingNewPairsFrom threshold: Int?, recordingMargins: Bool
    ) -> (compression: Compression, margins: RoundMargins?) {
        guard input.totalLength <= maximumInputLength else { return (ReferenceEngine.compress(input), nil) }
        return input.bytes.withUnsafeBufferPointer { bytes in
            input.ends.withUnsafeBufferPointer { ends in
                let statistics = PairStatistics.allocate()
                defer { statistics.deallocate() }
                // Steps 1 and 2: pair statistics and literal codes. The pairs are counted over
                // the flat buffer first, pairs across symbol boundaries included; the lists are
                // laid out from those counts, then the boundary pairs are taken back out.
                var whole = Stretch.setUp(
                    bytes: bytes, ends: ends, symbols: 0..<input.count, counting: statistics.counts,
                    listingNewPairsFrom: threshold)
                defer { whole.deallocate() }
                let literals = literalTable(bytes: bytes, ends: ends, countsAcrossBoundaries: statistics.counts)
                var table = literals.table
                var margins = recordingMargins ? RoundMargins(byteCounts: literals.byteCounts) : nil
                let rounds = runRounds(&table, statistics, choosing: { margins?.record(statistics, best: $0) }) {
                    merge, firstIsLiteral, count in
                    whole.merge(merge, firstIsLiteral: firstIsLiteral, count: count, counts: statistics)
                }
                whole.releaseLists()
                return (Compression(tokens: table, names: whole.text.packed(input), rounds: rounds), margins)
            }
        }
    }

    /// Step 2 and the end of step 1: a table with a literal code for every byte that occurs
    /// (and how often each byte occurs, which `RoundMargins` keeps), and `counts`, taken over
    /// the flat buffer, turned into the pair counts of the symbols (the pairs across symbol
    /// boundaries taken back out).
    static func literalTable(
        bytes: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int>,
        countsAcrossBoundaries counts: UnsafeMutablePointer<UInt32>
    ) -> (table: TokenTable, byteCounts: [Int]) {
        var table = TokenTable()
        let occurrences = byteCounts(bytes, countsAcrossBoundaries: counts)
        for code in 0..<256 where occurrences[code] > 0 { table[UInt8(code)] = .literal }
        PairCounter.removeBoundaryPairs(bytes, ends: ends, from: counts)
        return (table, occurrences)
    }

    /// Step 3: codes 255 → 0, skipping literals, each given the best pair of `statistics`
    /// (a count of 0 stops the whole loop); `merging(merge, firstIsLiteral, count)` replaces
    /// the pair's listed occurrences and brings the counts up to date, all but the pair's own
    /// count and the block winners of the new code's pairs, done here. `choosing(pair)` hears
    /// of each round's pair first, while the statistics are as `best()` left them.
    @inline(__always)
    static func runRounds(
        _ table: inout TokenTable, _ statistics: PairStatistics, choosing: (_ pair: Int) -> Void = { _ in },
        merging: (_ merge: Merge, _ firstIsLiteral: Bool, _ count: Int) -> Void
    ) -> [Compression.Round] {
        var rounds: [Compression.Round] = []
        for code in stride(from: 255, through: 0, by: -1) {
            let code = UInt8(code)
            if table[code] == .literal { continue }
            // a, b: the best pair; a count of 0 stops the whole loop.
            let pair = statistics.best()
            let count = Int(statistics.counts[pair])
            if count == 0 { break }
            choosing(pair)
            // c: the code stands for that pair.
            let merge = Merge(pair: pair, code: code)
            table[code] = .pair(first: merge.first, second: merge.second)
            rounds.append(.init(code: code, pair: pair, count: count))
            // d: every listed position, left to right (a pair left unlisted is listed now).
            merging(merge, table[merge.first] == .literal, count)
            statistics.retire(pair)
            statistics.admitNewPairs(code: code)
        }
        return rounds
    }

    /// A stretch of whole symbols being compressed: its live text, its pair lists and a
    /// round's scratch. The one-thread engine has one over the whole input; the two-thread
    /// engine (`compress(_:alongside:)`) one per thread.
    ///
    /// A value over memory it allocates: `setUp(…)` once, `deallocate()` once.
    struct Stretch {
        let text: LiveText
        var lists: PairLists
        let batch: UnsafeMutablePointer<UInt32>
        /// Set by `releaseLists()`.
        private var listsReleased = false

        /// Copies `symbols` of the input whose bytes and end offsets are `bytes` and `ends`,
        /// adds the pairs of the copied bytes to `counts` as if they were one string
        /// (`PairCounter.countAcrossBoundaries`) and lists them. `counts` must hold no other
        /// pairs: they size the lists. `threshold` as in `compress(_:listingNewPairsFrom:)`.
        static func setUp(
            bytes: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int>, symbols: Range<Int>,
            counting counts: UnsafeMutablePointer<UInt32>, listingNewPairsFrom threshold: Int?
        ) -> Stretch {
            let origin = symbols.lowerBound == 0 ? 0 : ends[symbols.lowerBound &- 1]
            let end = symbols.isEmpty ? origin : ends[symbols.upperBound &- 1]
            let own = UnsafeBufferPointer(rebasing: bytes[origin..<end])
            let text = LiveText.allocate(copying: own, ends: UnsafeBufferPointer(rebasing: ends[symbols]), origin: origin)
            PairCounter.countAcrossBoundaries(own, into: counts)
            let lists = PairLists.allocate(
                text: text, countsAcrossBoundaries: counts,
                listingNewPairsFrom: threshold
                    ?? (own.count < everyPairListedBelow ? 1 : PairLists.listingThreshold(countsAcrossBoundaries: counts)))
            return Stretch(text: text, lists: lists, batch: .allocate(capacity: batchSize))
        }

        func deallocate() {
            text.deallocate()
            if !listsReleased { lists.deallocate() }
            batch.deallocate()
        }

        /// Frees the pair lists (the largest part by far) once the last round is over, so that
        /// packing the text, which needs only the text, writes into memory they touched rather
        /// than into fresh pages. No more merges after this.
        mutating func releaseLists() {
            guard !listsReleased else { return }
            lists.deallocate()
            listsReleased = true
        }

        /// Step 3d over this stretch: replaces the occurrences of `merge`'s pair at the
        /// positions listed for it, left to right, sending the count changes to `counts`, and
        /// lists the pairs the round made. `count` bounds the replacements.
        @inline(__always)
        mutating func merge(_ merge: Merge, firstIsLiteral: Bool, count: Int, counts: some NeighbourCounts) {
            lists.reservePending(count)
            let (positions, listed) = lists.positions(of: merge.pair, text: text)
            visitListedPositions(
                positions, count: listed, applying: merge, firstIsLiteral: firstIsLiteral,
                text: text, counts: counts, lists: &lists, batch: batch)
            lists.release(merge.pair)
            lists.layOutNewLists(code: merge.code)
        }
    }

    /// How many listed positions are looked up before any is merged.
    static let batchSize = 32

    /// Applies `merge` at the `count` positions listed at `positions`, in list order.
    ///
    /// A listed position is a cache miss (it was listed long ago, anywhere in the text), and
    /// merging is long enough that the processor cannot run ahead to the next miss on its own.
    /// So the positions are taken a batch at a time: a tight loop first reads each one's code —
    /// independent loads whose misses overlap — and keeps those that may still hold the pair,
    /// then those are merged, in order, while their bytes are in cache. `batch` has room for
    /// `batchSize` positions.
    @inline(__always)
    static func visitListedPositions(
        _ arena: UnsafePointer<UInt32>, count end: Int, applying merge: Merge, firstIsLiteral: Bool,
        text: LiveText, counts: some NeighbourCounts, lists: inout PairLists,
        batch: UnsafeMutablePointer<UInt32>
    ) {
        var slot = 0
        let first = merge.first, second = merge.second
        let codes = text.codes
        while slot < end {
            let batchEnd = min(slot &+ batchSize, end)
            var batchCount = 0
            // At most `batchSize` positions are kept: one per slot. When `first` is an input
            // byte, a live position holding it was never merged, so no hole follows it and its
            // partner can only be the next position: that one must hold `second` (a listed
            // position is never the text's last). A hole still holding `first` may pass either
            // test; `Merge.apply` rejects it.
            if firstIsLiteral {
                while slot < batchEnd {
                    let position = Int(arena[slot])
                    batch[batchCount] = UInt32(truncatingIfNeeded: position)
                    let holdsPair = (codes[position] == first ? 1 : 0) & (codes[position &+ 1] == second ? 1 : 0)
                    batchCount &+= holdsPair
                    slot &+= 1
                }
            } else {
                while slot < batchEnd {
                    let position = arena[slot]
                    batch[batchCount] = position
                    batchCount &+= codes[Int(position)] == first ? 1 : 0
                    slot &+= 1
                }
            }
            for index in 0..<batchCount {
                merge.apply(at: Int(batch[index]), in: text, counts: counts, lists: &lists)
            }
        }
    }

    /// How often each byte occurs in `input`, read off its pair counts taken across boundaries.
    ///
    /// Counted over the flat buffer, every byte but the last is the first half of one pair, so
    /// the 65 536 counters give the counts (the last byte added on its own) — cheaper than a
    /// second pass over the text.
    static func byteCounts(_ input: UnsafeBufferPointer<UInt8>, countsAcrossBoundaries counts: UnsafeMutablePointer<UInt32>) -> [Int] {
        var result = [Int](repeating: 0, count: 256)
        result.withUnsafeMutableBufferPointer { result in
            for second in 0..<256 {
                let row = counts + second &<< 8
                for first in 0..<256 { result[first] &+= Int(row[first]) }
            }
            if let last = input.last { result[Int(last)] &+= 1 }
        }
        return result
    }
}
