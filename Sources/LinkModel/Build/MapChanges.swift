import Compressor

/// What changed between two `nm -n` maps of the same layout: letters, order, addresses,
/// symbols that appeared or disappeared. Symbols are matched by `NameMatching` (the k-th
/// occurrence of a name with the k-th), as `explain`'s `MapDifference` matches kept symbols.
///
/// This is what explains an "Inconsistent kallsyms data": a letter change or a changed set
/// changes the strings kallsyms compresses, hence the table sizes, hence every later address.
public struct MapChanges: Sendable {
    /// A symbol whose `nm` letter changed.
    public struct LetterChange: Hashable, Sendable {
        public var name: [UInt8]
        public var oldAddress: UInt64
        public var newAddress: UInt64
        public var oldLetter: UInt8
        public var newLetter: UInt8
    }

    /// A run of consecutive symbols (in the new order) whose addresses moved by the same amount.
    public struct Shift: Hashable, Sendable {
        /// The first symbol of the run.
        public var first: [UInt8]
        /// Its old address.
        public var from: UInt64
        /// How many symbols the run holds.
        public var count: Int
        /// new − old.
        public var delta: Int64
    }

    /// A symbol whose place among the others changed (not on a longest common order).
    public struct Reordering: Hashable, Sendable {
        public var name: [UInt8]
        public var oldAddress: UInt64
        public var newAddress: UInt64
        /// The symbol it now follows (nil: first).
        public var nowAfter: [UInt8]?
    }

    /// Symbols whose letter changed, in the new order.
    public var letters: [LetterChange] = []
    /// Symbols off one longest common order of both maps, in the new order.
    public var reordered: [Reordering] = []
    /// Runs of equal address shifts, in the new order.
    public var shifts: [Shift] = []
    /// How many matched symbols changed address.
    public var movedCount = 0
    /// Symbols only the new map has.
    public var added: [SymbolRecord] = []
    /// Symbols only the old map has.
    public var removed: [SymbolRecord] = []

    /// Whether the maps are identical.
    public var isEmpty: Bool {
        letters.isEmpty && reordered.isEmpty && movedCount == 0 && added.isEmpty && removed.isEmpty
    }

    /// Compares `old` with `new`.
    /// - Complexity: O(n log n).
    public init(from old: [SymbolRecord], to new: [SymbolRecord]) {
        let matching = NameMatching(old: old.lazy.map(\.name), new: new.lazy.map(\.name))
        let matchedOld = matching.pairs.map(\.old)  // for each matched new symbol in new order: its old index
        let matchedNew = matching.pairs.map(\.new)
        added = matching.onlyInNew.map { new[$0] }
        removed = matching.onlyInOld.map { old[$0] }

        var run: Shift?
        for (position, newIndex) in matchedNew.enumerated() {
            let before = old[matchedOld[position]], after = new[newIndex]
            if before.type != after.type {
                letters.append(
                    LetterChange(
                        name: after.name, oldAddress: before.address, newAddress: after.address,
                        oldLetter: before.type, newLetter: after.type))
            }
            let delta = Int64(bitPattern: after.address &- before.address)
            if delta != 0 { movedCount += 1 }
            if var current = run, current.delta == delta {
                current.count += 1
                run = current
            } else {
                if let current = run, current.delta != 0 { shifts.append(current) }
                run = Shift(first: after.name, from: before.address, count: 1, delta: delta)
            }
        }
        if let current = run, current.delta != 0 { shifts.append(current) }

        let stable = Self.longestIncreasing(matchedOld)
        for (position, newIndex) in matchedNew.enumerated() where !stable[position] {
            let record = new[newIndex]
            reordered.append(
                Reordering(
                    name: record.name, oldAddress: old[matchedOld[position]].address,
                    newAddress: record.address, nowAfter: newIndex > 0 ? new[newIndex - 1].name : nil))
        }
    }

    /// Marks the positions of one longest strictly increasing subsequence (patience sorting).
    static func longestIncreasing(_ values: [Int]) -> [Bool] {
        var tails: [Int] = []  // positions
        var parent = [Int](repeating: -1, count: values.count)
        for (position, value) in values.enumerated() {
            var low = 0, high = tails.count
            while low < high {
                let middle = (low + high) / 2
                if values[tails[middle]] < value { low = middle + 1 } else { high = middle }
            }
            if low > 0 { parent[position] = tails[low - 1] }
            if low == tails.count { tails.append(position) } else { tails[low] = position }
        }
        var marks = [Bool](repeating: false, count: values.count)
        var position = tails.last ?? -1
        while position >= 0 {
            marks[position] = true
            position = parent[position]
        }
        return marks
    }
}
