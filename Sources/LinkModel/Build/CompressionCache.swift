import Compressor

/// Compressions of earlier kallsyms runs, looked up by the strings compressed: exactly, or
/// as a permutation (symbols reordered at equal addresses compress to the same strings,
/// permuted; see `KallsymsStep.permuting`).
///
/// Every build keeps one; a campaign that builds the same layout several times (under each
/// mitigation, say) passes one cache to `Build.run(plan:cache:)` so that the first pass is
/// compressed once. Entries are full compressions, so they do not depend on the engine
/// (every engine gives the same bytes) nor on the build's mitigations, except that
/// `uncompressed-type` compresses names without their type and is kept apart.
public struct CompressionCache: Sendable {
    /// How many compressions are kept (the oldest are forgotten first).
    public var capacity: Int
    private var entries: [(key: StringsKey, namesOnly: Bool, compression: Compression)] = []

    /// An empty cache of at most `capacity` entries.
    public init(capacity: Int = 8) {
        self.capacity = capacity
    }

    /// How many compressions the cache holds.
    public var count: Int { entries.count }

    /// The compression of `key`'s strings, exact or permuted; a permuted one joins the cache
    /// so that the next build with the same strings finds it exactly.
    mutating func lookUp(_ key: StringsKey, namesOnly: Bool) -> Compression? {
        let candidates = entries.filter { $0.namesOnly == namesOnly }.map { (key: $0.key, compression: $0.compression) }
        guard let found = KallsymsStep.lookUp(key, in: candidates) else { return nil }
        if !found.exact { insert(found.compression, for: key, namesOnly: namesOnly) }
        return found.compression
    }

    /// Selections of earlier kallsyms runs (`Era.select`), by the era, its flags and the whole
    /// input, line numbers included: the builds of one layout under several mitigations read
    /// the same map in most passes (every row whose objects so far had the same sizes), and
    /// a selection is a pure function of those three. The most recent `capacity` are kept.
    private var selections: [(key: InputKey, era: Era, options: KallsymsOptions, selection: Selection)] = []

    /// The selection of `key`'s records by `era` with `options`, when an earlier run made it.
    func selection(of key: InputKey, era: Era, options: KallsymsOptions) -> Selection? {
        selections.last { entry in
            entry.era == era && entry.options == options && entry.key.records.count == key.records.count
                && entry.key.hash == key.hash && entry.key.records == key.records
        }?.selection
    }

    mutating func insert(_ selection: Selection, of key: InputKey, era: Era, options: KallsymsOptions) {
        guard capacity > 0 else { return }
        if selections.count >= capacity { selections.removeFirst() }
        selections.append((key, era, options, selection))
    }

    /// Work of the most recent passes that the next pass redoes only where its input differs
    /// (`CompressionCache+Passes.swift`); nothing is kept when `capacity` is 0.
    var passes = PassMemo()

    mutating func insert(_ compression: Compression, for key: StringsKey, namesOnly: Bool) {
        guard capacity > 0 else { return }
        if entries.count >= capacity { entries.removeFirst() }
        entries.append((key, namesOnly, compression))
    }
}
