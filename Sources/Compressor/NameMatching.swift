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
        // letters and addresses change), or differ after a common beginning (a marker that
        // changed letter moves among equal addresses): the k-th occurrence of a name within
        // the common beginning is the k-th in both lists, so that beginning matches itself
        // and only the rest is hashed. Its occurrences are numbered after the beginning's in
        // both lists, so matching the rests alone pairs the same occurrences.
        let oldStart = old.startIndex, newStart = new.startIndex
        var common = 0
        let shorter = Swift.min(old.count, new.count)
        while common < shorter && old[oldStart + common] == new[newStart + common] { common += 1 }
        pairs.reserveCapacity(shorter)
        for offset in 0..<common { pairs.append((oldStart + offset, newStart + offset)) }
        if common == old.count {
            onlyInNew = Array((newStart + common)..<(newStart + new.count))
            return
        }
        if common == new.count {
            onlyInOld = Array((oldStart + common)..<(oldStart + old.count))
            return
        }

        // The rest of the old names by their hashes; each new name takes its next occurrence.
        let restCount = old.count - common
        let oldRest = (0..<restCount).map { old[oldStart + common + $0] }
        var occurrences = ChainedOccurrences(hashes: oldRest.map(Self.hash))
        var oldIsMatched = [Bool](repeating: false, count: restCount)
        for index in (newStart + common)..<(newStart + new.count) {
            let name = new[index]
            guard let candidate = occurrences.take(Self.hash(name), where: { oldRest[$0] == name }) else {
                onlyInNew.append(index)
                continue
            }
            oldIsMatched[candidate] = true
            pairs.append((oldStart + common + candidate, index))
        }
        onlyInOld = (0..<restCount).filter { !oldIsMatched[$0] }.map { oldStart + common + $0 }
    }

    /// FNV-1a over the name's bytes, then a 64-bit avalanche mix (the table's slot is the low
    /// bits).
    @inline(__always) static func hash(_ name: [UInt8]) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        name.withUnsafeBufferPointer { bytes in
            for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        value = (value ^ (value >> 33)) &* 0xff51_afd7_ed55_8ccd
        value = (value ^ (value >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return value ^ (value >> 33)
    }
}
