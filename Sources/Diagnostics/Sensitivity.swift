import Compressor
import Dispatch
import Synchronization

/// Which single-symbol changes would change the size of `kallsyms_names` (issue 7,
/// `sensitivity`), answered for every kept symbol without recompressing the set each time.
///
/// For each change, the changed symbol alone is followed through the baseline's rounds
/// (`CompressionTrace`); at every round the winner is checked against the baseline's counts
/// plus that symbol's own count changes. When no round's winner changes, the other symbols
/// are untouched and the size difference is exact from the changed symbol alone. When one
/// does (or the set of literal bytes changes), that case is recompressed in full.
public struct SensitivityAnalysis: Sendable {
    /// One change to one kept symbol.
    public enum Change: Hashable, Sendable {
        /// Give the symbol another type letter.
        case retype(to: UInt8)
        /// Remove the symbol from the map.
        case delete
        /// Move the symbol to the front of the symbols sharing its address.
        case reorderToFront
    }

    /// The answer for one change.
    public struct Result: Hashable, Sendable {
        /// Index of the symbol in the selection (address order).
        public var symbol: Int
        public var change: Change
        /// The change in `kallsyms_names` bytes.
        public var namesDelta: Int
        /// Whether the answer needed a full recompression (a round chose differently).
        public var recompressed: Bool
        /// Why the era's generator refuses the changed map (deleting a marker it needs), or nil.
        /// A refused change has no size: `namesDelta` is 0 and means nothing then.
        public var refusal: String?

        public init(symbol: Int, change: Change, namesDelta: Int, recompressed: Bool, refusal: String? = nil) {
            self.symbol = symbol
            self.change = change
            self.namesDelta = namesDelta
            self.recompressed = recompressed
            self.refusal = refusal
        }
    }

    public let era: Era
    public let options: KallsymsOptions
    public let selection: Selection
    let engine: CompressionEngine
    let trace: CompressionTrace
    /// How often each byte occurs in all stored strings (a literal disappears at 0).
    let byteCounts: [Int]
    /// The baseline size of `kallsyms_names`.
    public let namesSize: Int
    /// Names whose removal changes which symbols are selected: a full run decides those.
    static let selectionMarkers: Set<[UInt8]> = Set(
        [
            "_text", "_stext", "_etext", "_sinittext", "_einittext",
            "_stext_l1", "_etext_l1", "_stext_l2", "_etext_l2",
            "__per_cpu_start", "__per_cpu_end",
        ].map { Array($0.utf8) })

    /// Records the baseline compression of `run` (cost: about one compression plus one
    /// replay of every symbol; memory: 256 KiB of counts per round).
    public init(run: KallsymsRun, engine: CompressionEngine = .default) {
        era = run.era
        options = run.options
        selection = run.selection
        self.engine = engine
        let strings = run.selection.storedStrings
        trace = CompressionTrace(strings, engine: engine)
        var counts = [Int](repeating: 0, count: 256)
        for byte in strings.bytes { counts[Int(byte)] += 1 }
        byteCounts = counts
        namesSize = KallsymsTables.namesSize(trace.compression.names, era.rules.lengthPrefix)
    }

    /// The retype tried for a letter: text and data flip (T↔D, t↔d), R/B → D, r/b → d, any
    /// other letter → D (d when lower case).
    public static func flipped(_ type: UInt8) -> UInt8 {
        switch type {
        case UInt8(ascii: "T"): return UInt8(ascii: "D")
        case UInt8(ascii: "D"): return UInt8(ascii: "T")
        case UInt8(ascii: "t"): return UInt8(ascii: "d")
        case UInt8(ascii: "d"): return UInt8(ascii: "t")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt8(ascii: "d")
        default: return UInt8(ascii: "D")
        }
    }

    /// The changes `kinds` stand for on symbol `index` (reorder only for symbols that share
    /// their address and are not first already).
    public func changes(for index: Int, kinds: Set<String>) -> [Change] {
        var result: [Change] = []
        let symbol = selection.symbols[index]
        if kinds.contains("retype") { result.append(.retype(to: Self.flipped(symbol.type))) }
        if kinds.contains("delete") { result.append(.delete) }
        if kinds.contains("reorder"), index > 0, selection.symbols[index - 1].address == symbol.address {
            result.append(.reorderToFront)
        }
        return result
    }

    /// The effect of `change` on symbol `index`.
    public func evaluate(_ change: Change, on index: Int) -> Result {
        let symbol = selection.symbols[index]
        let original = symbol.storedString
        let replacement: [UInt8]?
        switch change {
        case .reorderToFront:
            // Pair counts do not depend on order: the same strings are compressed.
            replacement = original
        case .retype(let type):
            // A per-cpu symbol of --absolute-percpu is stored as `A` whatever its letter.
            replacement = symbol.isPercpuAbsolute ? original : [type] + symbol.name
        case .delete:
            if Self.selectionMarkers.contains(symbol.name) { return fullRun(change, index) }
            replacement = nil
        }
        if let delta = replayedDelta(original: original, replacement: replacement) {
            return Result(symbol: index, change: change, namesDelta: delta, recompressed: false)
        }
        return recompressed(change, index, replacement)
    }

    /// The effect of `change` on symbol `index` by recompressing the whole changed set: the
    /// oracle the incremental answer is checked against.
    public func evaluateByRecompression(_ change: Change, on index: Int) -> Result {
        let symbol = selection.symbols[index]
        switch change {
        case .reorderToFront: return recompressed(change, index, symbol.storedString)
        case .retype(let type):
            return recompressed(change, index, symbol.isPercpuAbsolute ? symbol.storedString : [type] + symbol.name)
        case .delete:
            return Self.selectionMarkers.contains(symbol.name) ? fullRun(change, index) : recompressed(change, index, nil)
        }
    }

    /// The names-size change when no round's winner changes; nil when one does.
    func replayedDelta(original: [UInt8], replacement: [UInt8]?) -> Int? {
        if let replacement {
            for byte in replacement where !trace.literal[Int(byte)] { return nil }
        }
        // A literal that only this symbol holds would stop being one.
        var own = [Int: Int]()
        for byte in original { own[Int(byte), default: 0] += 1 }
        var replacementCounts = [Int: Int]()
        for byte in replacement ?? [] { replacementCounts[Int(byte), default: 0] += 1 }
        for (byte, count) in own where byteCounts[byte] - count + (replacementCounts[byte] ?? 0) == 0 { return nil }

        var before = original
        var after = replacement ?? []
        var delta = DeltaCounts()
        delta.add(after, sign: 1)
        delta.add(before, sign: -1)
        let rounds = trace.compression.rounds
        for (round, step) in rounds.enumerated() {
            if !delta.isEmpty && !winnerHolds(round, step.pair, delta) { return nil }
            let inBefore = CompressionTrace.contains(before, step.pair), inAfter = CompressionTrace.contains(after, step.pair)
            if inBefore {
                delta.add(before, sign: 1)
                RoundReplay.replace(step, in: &before)
                delta.add(before, sign: -1)
            }
            if inAfter {
                delta.add(after, sign: -1)
                RoundReplay.replace(step, in: &after)
                delta.add(after, sign: 1)
            }
        }
        // The baseline stopped because no pair was left; the change may leave one.
        if trace.stoppedForLackOfPairs && delta.entries.contains(where: { $0.delta > 0 }) { return nil }
        let prefix = era.rules.lengthPrefix
        func entrySize(_ length: Int) -> Int { KallsymsTables.prefixSize(of: length, prefix) + length }
        return (replacement == nil ? 0 : entrySize(after.count)) - entrySize(before.count)
    }

    /// Whether round `round`'s baseline winner still wins with the counts shifted by `delta`.
    func winnerHolds(_ round: Int, _ winner: Int, _ delta: DeltaCounts) -> Bool {
        let counts = trace.snapshots[round]
        let winnerValue = Int(counts[winner]) + delta[winner]
        func beats(_ pair: Int, _ value: Int) -> Bool { value != winnerValue ? value > winnerValue : pair < winner }
        for entry in delta.entries where entry.pair != winner && entry.delta > 0 {
            if beats(entry.pair, Int(counts[entry.pair]) + entry.delta) { return false }
        }
        guard delta[winner] < 0 else { return true }
        // The winner lost count: the best pair the change did not touch must not overtake it.
        for candidate in trace.ranked[round] where Int(candidate) != winner && delta[Int(candidate)] == 0 {
            return !beats(Int(candidate), Int(counts[Int(candidate)]))
        }
        // Every ranked pair was touched: decide by a full scan.
        for pair in 0..<65_536 where pair != winner && delta[pair] == 0 && beats(pair, Int(counts[pair])) { return false }
        return true
    }

    private func recompressed(_ change: Change, _ index: Int, _ replacement: [UInt8]?) -> Result {
        var strings = ByteStrings()
        strings.reserve(strings: selection.symbols.count, bytes: trace.strings.totalLength + 1)
        for i in trace.strings.indices {
            if i == index {
                if let replacement { strings.append(replacement) }
            } else {
                strings.append(trace.strings[i])
            }
        }
        let size = KallsymsTables.namesSize(engine.compress(strings).names, era.rules.lengthPrefix)
        return Result(symbol: index, change: change, namesDelta: size - namesSize, recompressed: true)
    }

    /// Deleting a marker changes the selection itself: rerun the era's selection. When the
    /// generator refuses the map without that marker, the result says so instead of a size.
    private func fullRun(_ change: Change, _ index: Int) -> Result {
        let records = selection.symbols.enumerated().filter { $0.offset != index }.map {
            SymbolRecord(address: $0.element.address, type: $0.element.type, name: $0.element.name)
        }
        var all = options
        all.allSymbols = true  // the kept symbols are already selected; keep them all
        do {
            let size = try era.generate(ParsedMap(records: records), options: all, engine: engine).tables.namesSize
            return Result(symbol: index, change: change, namesDelta: size - namesSize, recompressed: true)
        } catch {
            return Result(symbol: index, change: change, namesDelta: 0, recompressed: true, refusal: "\(error)")
        }
    }

    /// Every change of `kinds` on every kept symbol, on `jobs` threads, in symbol order.
    public func evaluateAll(kinds: Set<String>, jobs: Int, progress: (@Sendable (Int, Int) -> Void)? = nil) -> [Result] {
        let work = selection.symbols.indices.flatMap { index in changes(for: index, kinds: kinds).map { (index, $0) } }
        let chunk = 64
        let chunks = (work.count + chunk - 1) / chunk
        let workers = max(1, min(jobs, chunks))
        // Each worker evaluates its own chunks into a local array and hands them over once.
        let results = Mutex([[Result]](repeating: [], count: chunks))
        let done = Atomic(0)
        Concurrently.workers(count: workers) { worker in
            for next in stride(from: worker, to: chunks, by: workers) {
                let range = (next * chunk)..<min(work.count, (next + 1) * chunk)
                let evaluated = range.map { evaluate(work[$0].1, on: work[$0].0) }
                results.withLock { $0[next] = evaluated }
                let total = done.add(range.count, ordering: .relaxed).newValue
                progress?(total, work.count)
            }
        }
        return results.withLock { $0.flatMap { $0 } }
    }
}

/// A symbol's own pair-count changes: a short list, since one symbol has few pairs.
struct DeltaCounts {
    private(set) var entries: [(pair: Int, delta: Int)] = []

    var isEmpty: Bool { entries.isEmpty }

    subscript(pair: Int) -> Int { entries.first { $0.pair == pair }?.delta ?? 0 }

    mutating func add(_ string: [UInt8], sign: Int) {
        guard string.count >= 2 else { return }
        for i in 0..<(string.count - 1) { add(TokenTable.pairNumber(string[i], string[i + 1]), sign) }
    }

    private mutating func add(_ pair: Int, _ amount: Int) {
        if let k = entries.firstIndex(where: { $0.pair == pair }) {
            entries[k].delta += amount
            if entries[k].delta == 0 { entries.remove(at: k) }
        } else {
            entries.append((pair, amount))
        }
    }
}
