/// Which symbols of two lists are "the same symbol": matched by name, the k-th occurrence of
/// a name in one list with the k-th in the other. Both ways of comparing two maps use it:
/// `simulate`'s pass-to-pass changes (`MapChanges`) and `explain`'s kept-symbol differences
/// (`MapDifference`).
public struct NameMatching: Sendable {
    /// Matched pairs (index in the old list, index in the new list), in the new list's order.
    public var pairs: [(old: Int, new: Int)] = []
    /// Indices of the new list that match nothing in the old one, ascending.
    public var onlyInNew: [Int] = []
    /// Indices of the old list that match nothing in the new one, ascending.
    public var onlyInOld: [Int] = []

    /// Matches the names of `old` with those of `new`.
    /// - Complexity: O(n) expected (one hash table of the old names).
    public init<Old: Collection<[UInt8]>, New: Collection<[UInt8]>>(old: Old, new: New) where Old.Index == Int, New.Index == Int {
        // Consecutive passes of a build usually keep the same names in the same order (only
        // letters and addresses change): then the k-th occurrence of each name is at the same
        // place in both lists and the matching is the identity, found without hashing a name.
        if old.count == new.count && old.elementsEqual(new) {
            pairs = zip(old.indices, new.indices).map { (old: $0, new: $1) }
            return
        }
        var byName: [[UInt8]: [Int]] = [:]
        byName.reserveCapacity(old.count)
        for (index, name) in zip(old.indices, old) { byName[name, default: []].append(index) }
        var used: [[UInt8]: Int] = [:]
        var oldIsMatched = [Bool](repeating: false, count: old.count)
        pairs.reserveCapacity(Swift.min(old.count, new.count))
        for (index, name) in zip(new.indices, new) {
            let occurrence = used[name, default: 0]
            if let candidates = byName[name], occurrence < candidates.count {
                used[name] = occurrence + 1
                let oldIndex = candidates[occurrence]
                oldIsMatched[oldIndex - old.startIndex] = true
                pairs.append((oldIndex, index))
            } else {
                onlyInNew.append(index)
            }
        }
        onlyInOld = old.indices.filter { !oldIsMatched[$0 - old.startIndex] }
    }
}
