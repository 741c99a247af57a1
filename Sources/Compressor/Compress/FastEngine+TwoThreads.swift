import Synchronization

extension FastEngine {
    /// From this many input bytes, `compress(_:alongside:)` splits the rounds between two
    /// threads; below it a second thread saves less than it costs.
    static let twoThreadsFrom = 131_072

    /// `compress(_:)` on two threads, with `alongside` (work the caller would otherwise run on
    /// a second thread while compressing) run on the second of them first. Same result as
    /// `compress(_:)`.
    ///
    /// The input is cut at a symbol boundary into two stretches of about equal length, one per
    /// thread, each with its own live text and pair lists (`Stretch`): a round's merges in one
    /// stretch touch nothing of the other's, because a pair never spans two symbols. The counts
    /// are one set, kept by the calling thread: each round it picks the best pair, both threads
    /// merge it in their own stretch, each tallying its count changes per neighbouring code
    /// (`NeighbourTallies`), and the calling thread adds both tallies in once both are done
    /// (its own while the second thread may still be merging). Counts are sums, so after every round
    /// they are those of the one-thread engine, and so are the choices; the replacements within
    /// each symbol are the same left-to-right ones.
    ///
    /// The setup of the second stretch (copy, count, lists) goes to whichever thread is free
    /// first: the second after `alongside`, or the calling one after its own stretch; and
    /// until the second thread is free, the calling thread merges in both stretches.
    ///
    /// Where no second thread can be started, `compress(_:)` and then `alongside` run here.
    /// The second thread is `warm` when that is free (`Concurrently.withWarmSecondCore`).
    static func compress<Alongside>(
        _ input: ByteStrings, alongside: @escaping () -> Alongside, on warm: Concurrently.WarmCore? = nil
    ) -> (Compression, Alongside) {
        guard input.totalLength >= twoThreadsFrom, let split = twoThreadSplit(input) else {
            return Concurrently.run({ compress(input) }, alongside: alongside, on: warm)
        }
        return compress(input, splittingAt: split, listingNewPairsFrom: nil, alongside: alongside, on: warm)
    }

    /// The first symbol of the second stretch: the one after the symbol that reaches half of
    /// the input's bytes, or nil when either stretch would have fewer than two bytes.
    static func twoThreadSplit(_ input: ByteStrings) -> Int? {
        let half = input.totalLength / 2
        // The first symbol whose end is at least `half`.
        var low = 0, high = input.count
        while low < high {
            let middle = (low + high) / 2
            if input.ends[middle] < half { low = middle + 1 } else { high = middle }
        }
        let split = low + 1
        guard split < input.count, input.ends[split - 1] >= 2, input.totalLength - input.ends[split - 1] >= 2 else {
            return nil
        }
        return split
    }

    /// `compress(_:alongside:)` with the second stretch starting at symbol `split` (from 1 to
    /// `input.count - 1`) and the listing threshold `threshold` in both (nil: each stretch's own).
    static func compress<Alongside>(
        _ input: ByteStrings, splittingAt split: Int, listingNewPairsFrom threshold: Int?,
        alongside: @escaping () -> Alongside, on warm: Concurrently.WarmCore? = nil
    ) -> (Compression, Alongside) {
        precondition(split > 0 && split < input.count, "both stretches hold symbols")
        guard input.totalLength >= 2 && input.totalLength <= maximumInputLength else {
            return (compress(input, listingNewPairsFrom: threshold), alongside())
        }
        return input.bytes.withUnsafeBufferPointer { bytes in
            input.ends.withUnsafeBufferPointer { ends in
                let second = SecondThread(
                    bytes: bytes, ends: ends, symbols: split..<input.count, threshold: threshold, alongside: alongside)
                defer { second.deallocate() }
                guard let thread = Concurrently.start({ second.run() }, on: warm) else {
                    return (compress(input, listingNewPairsFrom: threshold), alongside())
                }
                let statistics = PairStatistics.allocate()
                defer { statistics.deallocate() }
                var first = Stretch.setUp(
                    bytes: bytes, ends: ends, symbols: 0..<split, counting: statistics.counts,
                    listingNewPairsFrom: threshold)
                defer { first.deallocate() }
                second.setUpUnlessTaken()
                second.waitUntilSetUp()
                // The counts over the flat buffer: both stretches' and the pair across the cut
                // (none when a stretch is empty).
                for pair in 0..<PairCounter.pairCount { statistics.counts[pair] &+= second.counts[pair] }
                let cut = ends[split - 1]
                if cut > 0 && cut < bytes.count { statistics.counts[Int(bytes[cut - 1]) | Int(bytes[cut]) &<< 8] &+= 1 }
                var table = literalTable(bytes: bytes, ends: ends, countsAcrossBoundaries: statistics.counts).table
                let tallies = second.tallies
                // This thread tallies its own stretch's changes too: 512 counters in the
                // first-level cache instead of two scattered updates of the 65 536 counts per
                // merge (with the same pair often many times in a row, each waiting on the last).
                let ownTallies = NeighbourTallies.allocate()
                defer { ownTallies.deallocate() }
                let rounds = runRounds(&table, statistics) { merge, firstIsLiteral, count in
                    guard second.available.load(ordering: .acquiring) else {
                        // Still busy with `alongside`: both stretches here, one after the other.
                        first.merge(merge, firstIsLiteral: firstIsLiteral, count: count, counts: statistics)
                        second.stretch!.merge(merge, firstIsLiteral: firstIsLiteral, count: count, counts: statistics)
                        return
                    }
                    second.post { stretch in
                        stretch.merge(merge, firstIsLiteral: firstIsLiteral, count: count, counts: tallies)
                    }
                    first.merge(merge, firstIsLiteral: firstIsLiteral, count: count, counts: ownTallies)
                    ownTallies.add(to: statistics, for: merge)
                    second.waitForTask()
                    tallies.add(to: statistics, for: merge)
                }
                // Both stretches packed into one buffer, each by its own thread. (The second
                // thread is between tasks: its stretch may be read and changed here.) The lists
                // are freed first, so the packed buffers reuse what they touched.
                first.releaseLists()
                second.stretch!.releaseLists()
                let symbolCount = input.count
                let firstLive = first.text.liveCount, secondLive = second.stretch!.text.liveCount
                var packedEnds = [Int]()
                let packedBytes = [UInt8](unsafeUninitializedCapacity: firstLive + secondLive) { buffer, initialized in
                    packedEnds = [Int](unsafeUninitializedCapacity: symbolCount) { endBuffer, endCount in
                        let (codes, symbolEnds) = (buffer.baseAddress!, endBuffer.baseAddress!)
                        second.post { stretch in
                            stretch.text.pack(
                                ends: UnsafeBufferPointer(rebasing: ends[split...]), origin: cut, into: codes,
                                ends: symbolEnds + split, from: firstLive)
                        }
                        first.text.pack(
                            ends: UnsafeBufferPointer(rebasing: ends[..<split]), origin: 0, into: codes,
                            ends: symbolEnds, from: 0)
                        second.waitForTask()
                        endCount = symbolCount
                    }
                    initialized = firstLive + secondLive
                }
                second.post(nil)
                thread.join()
                return (
                    Compression(tokens: table, names: ByteStrings(bytes: packedBytes, ends: packedEnds), rounds: rounds),
                    second.alongsideResult!
                )
            }
        }
    }

    /// The second thread's side of `compress(_:alongside:)`: it runs `alongside`, perhaps sets
    /// up the second stretch, then runs the tasks the calling thread posts on that stretch, one
    /// at a time, until a nil task.
    ///
    /// Hand-overs go through two counters: the calling thread stores the task and then the
    /// task's number in `posted` (releasing); the second thread waits for that number
    /// (acquiring), runs the task and stores the number in `finished`, which the calling thread
    /// waits for. Everything a task touches is thus written before the other side reads it.
    /// Waits are `Concurrently.spin`.
    private final class SecondThread<Alongside>: @unchecked Sendable {  // shared as described above
        let bytes: UnsafeBufferPointer<UInt8>
        let ends: UnsafeBufferPointer<Int>
        let symbols: Range<Int>
        let threshold: Int?
        let alongside: () -> Alongside
        /// Written by the second thread; read after it has been joined.
        var alongsideResult: Alongside?
        /// The stretch's pairs counted over its flat buffer (written by its setup).
        let counts: UnsafeMutablePointer<UInt32>
        let tallies: NeighbourTallies
        var stretch: Stretch?
        let setUpTaken = Atomic<Bool>(false)
        let setUpDone = Atomic<Bool>(false)
        /// Set once `alongside` and the setup are done: from then on the second thread merges
        /// in its stretch (until then the calling thread does, with its own).
        let available = Atomic<Bool>(false)
        var task: ((inout Stretch) -> Void)?
        /// The number of tasks posted (counted by the calling thread) and finished.
        var taskCount = 0
        let posted = Atomic<Int>(0)
        let finished = Atomic<Int>(0)

        init(
            bytes: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int>, symbols: Range<Int>, threshold: Int?,
            alongside: @escaping () -> Alongside
        ) {
            self.bytes = bytes
            self.ends = ends
            self.symbols = symbols
            self.threshold = threshold
            self.alongside = alongside
            counts = .allocate(capacity: PairCounter.pairCount)
            counts.initialize(repeating: 0, count: PairCounter.pairCount)
            tallies = NeighbourTallies.allocate()
        }

        func deallocate() {
            counts.deallocate()
            tallies.deallocate()
            stretch?.deallocate()
        }

        /// The second thread's body.
        func run() {
            alongsideResult = alongside()
            setUpUnlessTaken()
            waitUntilSetUp()
            available.store(true, ordering: .releasing)
            var served = 0
            while true {
                served += 1
                Concurrently.spin { posted.load(ordering: .acquiring) == served }
                guard let task else { return }
                task(&stretch!)
                finished.store(served, ordering: .releasing)
            }
        }

        /// Sets up the stretch, unless the other thread has taken that on.
        func setUpUnlessTaken() {
            guard setUpTaken.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
            else { return }
            stretch = Stretch.setUp(
                bytes: bytes, ends: ends, symbols: symbols, counting: counts, listingNewPairsFrom: threshold)
            setUpDone.store(true, ordering: .releasing)
        }

        func waitUntilSetUp() {
            Concurrently.spin { setUpDone.load(ordering: .acquiring) }
        }

        /// Hands `task` to the second thread (calling thread only); nil ends it.
        func post(_ task: ((inout Stretch) -> Void)?) {
            self.task = task
            taskCount += 1
            posted.store(taskCount, ordering: .releasing)
        }

        /// Waits until the task posted last has run (calling thread only).
        func waitForTask() {
            Concurrently.spin { finished.load(ordering: .acquiring) == taskCount }
        }
    }

    /// The second thread's count changes of one round, per neighbouring code: `before[x]`
    /// occurrences of `(x, first)` became `(x, code)`, `after[y]` of `(second, y)` became
    /// `(code, y)`. Added to the statistics in one go after the round (`add(to:for:)`), which
    /// leaves the counts and the block winners as the changes one by one would: the winners
    /// only go stale during a round (`PairStatistics`), and a block whose winner lost an
    /// occurrence goes stale either way.
    struct NeighbourTallies: NeighbourCounts {
        /// `before` at `0 ..< 256`, `after` at `256 ..< 512`.
        let tallies: UnsafeMutablePointer<UInt32>

        static func allocate() -> NeighbourTallies {
            let tallies = UnsafeMutablePointer<UInt32>.allocate(capacity: 512)
            tallies.initialize(repeating: 0, count: 512)
            return NeighbourTallies(tallies: tallies)
        }

        func deallocate() { tallies.deallocate() }

        @inline(__always)
        func replaced(before x: Int, in merge: Merge) { tallies[x] &+= 1 }

        @inline(__always)
        func replaced(after y: Int, in merge: Merge) { tallies[256 &+ y] &+= 1 }

        /// Applies the round's tallies to `statistics` and clears them.
        ///
        /// The increments go first: a pair the round made may lose occurrences later in the
        /// same round (`aaaa` → `Ta`, then `(T, a)` → `(T, T)`), and taken in this order no count
        /// goes below its final value on the way.
        func add(to statistics: PairStatistics, for merge: Merge) {
            let first = Int(merge.first) &<< 8, second = Int(merge.second), code = Int(merge.code)
            for x in 0..<256 where tallies[x] != 0 { statistics.increment(x | code &<< 8, by: tallies[x]) }
            for y in 0..<256 where tallies[256 &+ y] != 0 { statistics.increment(code | y &<< 8, by: tallies[256 &+ y]) }
            for x in 0..<256 where tallies[x] != 0 {
                statistics.decrement(x | first, by: tallies[x])
                tallies[x] = 0
            }
            for y in 0..<256 where tallies[256 &+ y] != 0 {
                statistics.decrement(second | y &<< 8, by: tallies[256 &+ y])
                tallies[256 &+ y] = 0
            }
        }
    }
}
