extension NameOrder {
    /// A name order with what reusing it needs: the symbols it orders and where equal names
    /// sit in it.
    public struct Memo: Sendable {
        /// The symbols, in address order.
        public var symbols: [KeptSymbol]
        /// `NameOrder.sequence(of: symbols)`.
        public var sequence: [Int]
        /// The runs of two or more equal names in `sequence` (positions in it).
        public var equalNameRuns: [Range<Int>]

        /// The memo of `sequence`, the name order of `symbols`; finds its runs of equal names.
        /// - Precondition: `sequence == NameOrder.sequence(of: symbols)` (not checked).
        public init(symbols: [KeptSymbol], sequence: [Int]) {
            var runs: [Range<Int>] = []
            var start = 0
            while start < sequence.count {
                let name = symbols[sequence[start]].name
                var end = start &+ 1
                while end < sequence.count && symbols[sequence[end]].name == name { end &+= 1 }
                if end &- start > 1 { runs.append(start..<end) }
                start = end
            }
            self.init(symbols: symbols, sequence: sequence, equalNameRuns: runs)
        }

        init(symbols: [KeptSymbol], sequence: [Int], equalNameRuns: [Range<Int>]) {
            self.symbols = symbols
            self.sequence = sequence
            self.equalNameRuns = equalNameRuns
        }
    }

    /// The name order of `symbols` carried over from `earlier`, when both lists hold the same
    /// names (as a multiset) and at most a few stand at other indices; nil otherwise.
    ///
    /// The order is by name, then address, then index. Pairing every earlier index with a new
    /// index of the same name carries the earlier sequence over name for name; only the order
    /// inside each run of equal names can then differ (their addresses and indices may have
    /// changed), so each such run is sorted again. O(n) name comparisons (a name shared with
    /// the earlier list compares by identity) plus a dictionary of the names that moved and
    /// the runs' small sorts, where `sequence(of:)` sorts all n names.
    public static func sequence(of symbols: [KeptSymbol], reusing earlier: Memo) -> Memo? {
        guard symbols.count == earlier.symbols.count, earlier.sequence.count == symbols.count else { return nil }
        // The new index of each earlier index: itself where the name did not move.
        var newIndex = Array(symbols.indices)
        var moved: [Int] = []
        for index in symbols.indices where symbols[index].name != earlier.symbols[index].name {
            moved.append(index)
            // Symbols reordered among equal addresses move a few names; many moved names mean
            // another symbol list, which the full sort handles as fast.
            if moved.count > 64 && moved.count > symbols.count / 16 { return nil }
        }
        if !moved.isEmpty {
            var free: [[UInt8]: [Int]] = [:]
            for index in moved { free[symbols[index].name, default: []].append(index) }
            for index in moved {
                guard let target = free[earlier.symbols[index].name]?.popLast() else { return nil }
                newIndex[index] = target
            }
        }
        var sequence = moved.isEmpty ? earlier.sequence : earlier.sequence.map { newIndex[$0] }
        // The names are carried over one for one, so the runs of equal names stay where they were.
        for run in earlier.equalNameRuns {
            sequence[run].sort { a, b in
                let left = symbols[a].address, right = symbols[b].address
                return left != right ? left < right : a < b
            }
        }
        return Memo(symbols: symbols, sequence: sequence, equalNameRuns: earlier.equalNameRuns)
    }
}
