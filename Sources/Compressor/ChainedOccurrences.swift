/// Items of an old list in a hash table of chains, each chain in ascending index order, so that
/// items of a new list can each take the first unused old item equal to them: the k-th
/// occurrence of a value in the new list gets its k-th occurrence in the old one.
///
/// `NameMatching` pairs names this way, and the link model's compression cache pairs a
/// permutation's strings with the cached ones (`KallsymsStep.permuting`).
public struct ChainedOccurrences: Sendable {
    @usableFromInline let hashes: [UInt64]
    @usableFromInline let mask: Int
    /// The first unused old index of each slot (-1: none).
    @usableFromInline var heads: [Int]
    /// The next old index of the same slot (-1: none).
    @usableFromInline var next: [Int]

    /// The old items, by their hashes (equal items must have equal hashes).
    public init(hashes: [UInt64]) {
        var capacity = 16
        while capacity < 2 * hashes.count { capacity <<= 1 }
        let mask = capacity - 1
        var heads = [Int](repeating: -1, count: capacity)
        var next = [Int](repeating: -1, count: hashes.count)
        // Inserted in reverse, so that each chain lists old indices in ascending order.
        for index in hashes.indices.reversed() {
            let slot = Int(truncatingIfNeeded: hashes[index]) & mask
            next[index] = heads[slot]
            heads[slot] = index
        }
        self.hashes = hashes
        self.mask = mask
        self.heads = heads
        self.next = next
    }

    /// The first unused old index whose hash is `hash` and for which `isEqual` holds, now used;
    /// nil when there is none.
    @inlinable
    public mutating func take(_ hash: UInt64, where isEqual: (Int) -> Bool) -> Int? {
        let slot = Int(truncatingIfNeeded: hash) & mask
        var previous = -1, candidate = heads[slot]
        while candidate >= 0 {
            if hashes[candidate] == hash && isEqual(candidate) { break }
            previous = candidate
            candidate = next[candidate]
        }
        guard candidate >= 0 else { return nil }
        if previous < 0 { heads[slot] = next[candidate] } else { next[previous] = next[candidate] }
        return candidate
    }
}
