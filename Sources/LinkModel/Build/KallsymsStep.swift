import Compressor

/// One run of the era's generator inside a build, with the mitigations' compressor
/// variants and the caches that keep a campaign from recompressing needlessly.
///
/// Caches, cheapest first: the same input records as the previous pass reuse its tables
/// outright; the same strings to compress as any earlier pass (a map that differs only in
/// addresses) reuse that pass's compression and rebuild only the address tables. Keys are
/// compared by count and hash, then by equality.
struct KallsymsStep {
    let era: Era
    let options: KallsymsOptions
    let engine: CompressionEngine
    let target: TargetABI
    let padding: Int?
    let keepsTypeUncompressed: Bool
    let reusesTokens: Bool

    private var previous: (key: InputKey, output: KallsymsOutput)?
    /// Full compressions (shareable across builds of one campaign).
    var cache: CompressionCache
    /// `reuse-tokens`: encodings with the frozen table (valid only for that table).
    private var encodings: [(key: StringsKey, compression: Compression)] = []
    private var fixed: FixedTokens?

    init(options: BuildOptions, target: TargetABI, cache: CompressionCache = CompressionCache()) {
        self.cache = cache
        era = options.era
        self.options = options.kallsyms
        engine = options.engine
        self.target = target
        padding = options.padding
        keepsTypeUncompressed = options.keepsTypeUncompressed
        reusesTokens = options.reusesTokens
    }

    /// Runs the generator on `input` (the records kallsyms reads, line numbers set).
    /// `freezesTokens`: this is the pass whose token table `reuse-tokens` keeps.
    mutating func run(_ input: [SymbolRecord], freezesTokens: Bool) throws -> KallsymsOutput {
        let key = InputKey(input)
        if let previous, previous.key == key {
            var output = previous.output
            output.work = .reusedTables
            return output
        }
        let selection: Selection
        // A selection made from a memo has its memo's stored strings (known once one pass used them).
        var memoized: (key: StringsKey?, isNewest: Bool) = (nil, false)
        if let cached = cache.selection(of: key, era: era, options: options) {
            selection = cached
        } else {
            let selected = try cache.select(input, era: era, options: options)
            (selection, memoized) = (selected.selection, (selected.stringsKey, selected.memoized))
            cache.insert(selection, of: key, era: era, options: options)
        }
        let strings: ByteStrings
        let stringsKey: StringsKey
        if !keepsTypeUncompressed, let known = memoized.key {
            (strings, stringsKey) = (known.strings, known)
            cache.reuse(known)
        } else {
            strings = keepsTypeUncompressed ? Self.namesOnly(selection) : selection.storedStrings
            stringsKey = cache.key(of: strings, namesOnly: keepsTypeUncompressed)
            if !keepsTypeUncompressed && memoized.isNewest { cache.rememberStrings(stringsKey) }
        }
        var work: KallsymsOutput.Work
        var compression: Compression
        if reusesTokens, !freezesTokens, let fixed {
            if let reused = Self.lookUp(stringsKey, in: encodings) {
                (compression, work) = (reused.compression, .reusedCompression)
            } else if let encoded = fixed.encode(strings) {
                (compression, work) = (encoded, .encodedWithFrozenTokens)
                encodings.append((stringsKey, encoded))
            } else {
                compression = compress(strings, key: stringsKey, namesOnly: keepsTypeUncompressed).compression
                self.fixed = FixedTokens(compression)
                encodings = [(stringsKey, compression)]
                work = .rebuiltFrozenTokens
            }
        } else {
            (compression, work) = compress(strings, key: stringsKey, namesOnly: keepsTypeUncompressed)
            if reusesTokens && !strings.isEmpty && (freezesTokens || fixed == nil) {
                fixed = FixedTokens(compression)
                encodings = [(stringsKey, compression)]
            }
        }
        if keepsTypeUncompressed { compression = Self.prependingTypes(compression, selection) }
        let tables = try cache.tables(for: selection, compression: compression, era: era, options: options)
        let layout = tables.layout(era: era, target: target)
        let output = KallsymsOutput(
            selection: selection, tables: layout, data: tables,
            object: KallsymsObject(tables: layout, padding: padding),
            namesBytes: tables.compressedNames.totalLength, work: work)
        previous = (key, output)
        return output
    }

    /// Strings of at least this many bytes are compressed with their rounds' margins. Recording
    /// costs about a millisecond whatever the input (a scan of 4 000 counts per round): about
    /// 4 % of an ARM-sized compression (2 MB), more than the compression itself for the small
    /// layouts a shrink builds, whose strings a revision seldom fits anyway.
    static let revisableFrom = 1 << 18

    /// The compression of `strings` from the cache (as it is, or revised), or a full compression
    /// that joins the cache, with its rounds' margins when the fast engine makes it from
    /// `revisableFrom` bytes, so that a later pass whose strings differ in a few can revise it.
    private mutating func compress(
        _ strings: ByteStrings, key: StringsKey, namesOnly: Bool
    )
        -> (compression: Compression, work: KallsymsOutput.Work)
    {
        if let found = cache.lookUp(key, namesOnly: namesOnly) {
            return (found.compression, found.revised ? .revisedCompression : .reusedCompression)
        }
        let (compression, margins) =
            engine == .fast && strings.totalLength >= Self.revisableFrom
            ? FastEngine.compress(strings, recordingMargins: true) : (engine.compress(strings), nil)
        cache.insert(compression, margins: margins, for: key, namesOnly: namesOnly)
        return (compression, .compressed)
    }

    /// An exact or permuted match of `key` among `entries`.
    static func lookUp(
        _ key: StringsKey, in entries: [(key: StringsKey, compression: Compression)]
    )
        -> (compression: Compression, exact: Bool)?
    {
        if let exact = entries.first(where: { $0.key == key }) { return (exact.compression, true) }
        return entries.lazy.compactMap { permuting($0, to: key) }.first.map { ($0, false) }
    }

    /// The cached compression rearranged for `key`'s strings when they are the cached strings
    /// in another order. The greedy loop's tokens depend only on the multiset of strings and
    /// each string's encoding only on the tokens, so a permutation (symbols reordered at equal
    /// addresses) compresses to the same strings, permuted.
    static func permuting(_ cached: (key: StringsKey, compression: Compression), to key: StringsKey) -> Compression? {
        let old = cached.key, new = key
        guard old.multisetHash == new.multisetHash, old.strings.count == new.strings.count,
            old.strings.totalLength == new.strings.totalLength
        else { return nil }
        if let source = localPermutation(from: old, to: new) {
            return Compression(
                tokens: cached.compression.tokens, names: cached.compression.names.gathering(source),
                rounds: cached.compression.rounds)
        }
        // Each new string takes the first unused old copy of itself. Equal strings encode
        // equally, so which copy it takes does not matter.
        let count = old.strings.count
        var occurrences = ChainedOccurrences(hashes: old.stringHashes)
        var source = [Int](repeating: 0, count: count)
        let matched = old.strings.bytes.withUnsafeBufferPointer { oldBytes in
            new.strings.bytes.withUnsafeBufferPointer { newBytes in
                for index in 0..<count {
                    let string = UnsafeBufferPointer(rebasing: newBytes[new.strings.start(of: index)..<new.strings.ends[index]])
                    let found = occurrences.take(new.stringHashes[index]) { candidate in
                        let start = old.strings.start(of: candidate), end = old.strings.ends[candidate]
                        return UnsafeBufferPointer(rebasing: oldBytes[start..<end]).elementsEqual(string)
                    }
                    guard let found else { return false }
                    source[index] = found
                }
                return true
            }
        }
        guard matched else { return nil }
        return Compression(
            tokens: cached.compression.tokens, names: cached.compression.names.gathering(source),
            rounds: cached.compression.rounds)
    }

    /// Where each of `new`'s strings is among `old`'s when nearly every string stands at its
    /// own index (symbols reordered among equal addresses move a few); nil when many moved or
    /// the two differ in a string (`localDifference`).
    static func localPermutation(from old: StringsKey, to new: StringsKey) -> [Int]? {
        guard let difference = localDifference(from: old, to: new), difference.removed.isEmpty else { return nil }
        return difference.source
    }

    /// How `new`'s strings differ from `old`'s when the two have as many strings and nearly
    /// every string stands at its own index: `source[i]` is the index in `old` of a string equal
    /// to `new`'s string `i`, or -1 when `old` has no copy of it left; `removed` are the indices
    /// of `old`'s strings that `new` lacks. The strings not at their own index are paired
    /// through a dictionary of their hashes. Nil when the counts differ or many strings moved.
    /// O(n) sequential comparisons, where the hash table of `permuting` costs a random access
    /// per string.
    static func localDifference(from old: StringsKey, to new: StringsKey) -> (source: [Int], removed: [Int])? {
        let count = new.strings.count
        guard old.strings.count == count else { return nil }
        var moved: [Int] = []
        if let earlier = new.earlier, earlier.serial == old.serial {
            // `new` was made from `old` and knows where they differ (nil: more places than
            // `localDifferenceLimit`, which it applied to these same strings).
            guard let differing = earlier.differing else { return nil }
            moved = differing
        } else {
            let limit = localDifferenceLimit(count)
            let aligned = old.strings.bytes.withUnsafeBufferPointer { oldBytes in
                new.strings.bytes.withUnsafeBufferPointer { newBytes in
                    for index in 0..<count {
                        if old.stringHashes[index] == new.stringHashes[index],
                            sameString(old.strings, index, oldBytes, as: new.strings, index, newBytes)
                        {
                            continue
                        }
                        moved.append(index)
                        if moved.count > limit { return false }
                    }
                    return true
                }
            }
            guard aligned else { return nil }
        }
        var source = Array(0..<count)
        if moved.isEmpty { return (source, []) }
        var free: [UInt64: [Int]] = [:]
        for index in moved { free[old.stringHashes[index], default: []].append(index) }
        old.strings.bytes.withUnsafeBufferPointer { oldBytes in
            new.strings.bytes.withUnsafeBufferPointer { newBytes in
                for index in moved {
                    let hash = new.stringHashes[index]
                    guard var candidates = free[hash],
                        let found = candidates.firstIndex(where: {
                            sameString(old.strings, $0, oldBytes, as: new.strings, index, newBytes)
                        })
                    else {
                        source[index] = -1
                        continue
                    }
                    source[index] = candidates.remove(at: found)
                    free[hash] = candidates
                }
            }
        }
        return (source, free.values.flatMap { $0 }.sorted())
    }

    /// How many of `count` strings may stand elsewhere than at their own index for
    /// `localDifference(from:to:)` to pair them (it gives up beyond).
    static func localDifferenceLimit(_ count: Int) -> Int { max(64, count / 16) }

    /// Whether string `a` of `first` equals string `b` of `second` (`firstBytes` and
    /// `secondBytes` are their buffers).
    @inline(__always) static func sameString(
        _ first: ByteStrings, _ a: Int, _ firstBytes: UnsafeBufferPointer<UInt8>,
        as second: ByteStrings, _ b: Int, _ secondBytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        let start = first.start(of: a), length = first.ends[a] &- start
        let otherStart = second.start(of: b)
        guard second.ends[b] &- otherStart == length else { return false }
        return StringsKey.sameBytes(
            UnsafeBufferPointer(rebasing: firstBytes[start..<(start &+ length)]),
            UnsafeBufferPointer(rebasing: secondBytes[otherStart..<(otherStart &+ length)]))
    }

    /// The names alone, in address order: what `uncompressed-type` compresses.
    static func namesOnly(_ selection: Selection) -> ByteStrings {
        ByteStrings(joining: selection.symbols.map(\.name))
    }

    /// Each compressed name with its raw type byte in front.
    static func prependingTypes(_ compression: Compression, _ selection: Selection) -> Compression {
        Compression(
            tokens: compression.tokens, names: compression.names.prefixing(selection.symbols.map(\.type)),
            rounds: compression.rounds)
    }
}
