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
    private var entries: [(key: StringsKey, namesOnly: Bool, compression: Compression, margins: RoundMargins?)] = []
    /// The most strings a revision takes out (and puts in): each is followed through every
    /// round, and more than a few rarely leave every round's choice alone.
    static let revisedStringsLimit = 32

    /// An empty cache of at most `capacity` entries.
    public init(capacity: Int = 8) {
        self.capacity = capacity
    }

    /// How many compressions the cache holds.
    public var count: Int { entries.count }

    /// The compression of `key`'s strings, exact or permuted, or else revised from one whose
    /// strings differ in a few (`RoundMargins.revise`, from the newest entry with margins that
    /// allows it); a permuted or revised one joins the cache so that the next build with the
    /// same strings finds it exactly. The result is always the compression made again.
    mutating func lookUp(_ key: StringsKey, namesOnly: Bool) -> (compression: Compression, revised: Bool)? {
        let candidates = entries.filter { $0.namesOnly == namesOnly }.map { (key: $0.key, compression: $0.compression) }
        if let found = KallsymsStep.lookUp(key, in: candidates) {
            if !found.exact { insert(found.compression, for: key, namesOnly: namesOnly) }
            return (found.compression, false)
        }
        for entry in entries.reversed() where entry.namesOnly == namesOnly {
            guard let margins = entry.margins, let difference = KallsymsStep.localDifference(from: entry.key, to: key),
                difference.removed.count <= Self.revisedStringsLimit,
                let revised = margins.revise(
                    entry.compression, of: entry.key.strings, to: key.strings, source: difference.source,
                    removed: difference.removed)
            else { continue }
            insert(revised, for: key, namesOnly: namesOnly)
            return (revised, true)
        }
        return nil
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

    /// Keeps `compression` of `key`'s strings, with its rounds' margins when it was made by the
    /// fast engine (nil: it cannot be revised).
    mutating func insert(_ compression: Compression, margins: RoundMargins? = nil, for key: StringsKey, namesOnly: Bool) {
        guard capacity > 0 else { return }
        if entries.count >= capacity { entries.removeFirst() }
        entries.append((key, namesOnly, compression, margins))
    }
}
