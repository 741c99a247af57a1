/// The 256 codes of the compression and what each stands for (docs/behaviour.md §5).
public struct TokenTable: Hashable, Sendable {
    /// What one code means.
    public enum Entry: Hashable, Sendable {
        /// Not used: expands to the empty string.
        case empty
        /// A byte that occurs in some symbol: stands for itself.
        case literal
        /// A token: the expansion of `first` followed by the expansion of `second`.
        case pair(first: UInt8, second: UInt8)
    }

    /// `entries[code]`, always 256 of them.
    public private(set) var entries: [Entry]

    /// A table with every code empty.
    public init() {
        entries = Array(repeating: .empty, count: 256)
    }

    public init(entries: [Entry]) {
        precondition(entries.count == 256, "a token table has 256 codes")
        self.entries = entries
    }

    public subscript(code: UInt8) -> Entry {
        get { entries[Int(code)] }
        set { entries[Int(code)] = newValue }
    }

    /// The pair number `first + 256·second` of a pair (docs/behaviour.md §5 terminology).
    @inlinable public static func pairNumber(_ first: UInt8, _ second: UInt8) -> Int {
        Int(first) | Int(second) << 8
    }

    /// The expansions of all 256 codes (docs/behaviour.md §5 step 4).
    ///
    /// Memoized depth-first expansion: each code is expanded once, so the cost is linear in
    /// the total expansion length. A pair that refers back to itself (only possible in a
    /// hand-made table; the greedy loop only refers to literals and earlier tokens) expands
    /// its cyclic half to nothing instead of recursing forever.
    public var expansions: [[UInt8]] {
        var result = Array(repeating: [UInt8](), count: 256)
        var state = Array(repeating: UInt8(0), count: 256)  // 0 new, 1 in progress, 2 done
        func expand(_ code: Int) {
            guard state[code] == 0 else { return }
            state[code] = 1
            switch entries[code] {
            case .empty: break
            case .literal: result[code] = [UInt8(code)]
            case .pair(let first, let second):
                expand(Int(first))
                expand(Int(second))
                result[code] =
                    (state[Int(first)] == 2 ? result[Int(first)] : [])
                    + (state[Int(second)] == 2 ? result[Int(second)] : [])
            }
            state[code] = 2
        }
        for code in 0..<256 { expand(code) }
        return result
    }

    /// How many codes are tokens (pairs).
    public var tokenCount: Int { entries.reduce(0) { if case .pair = $1 { return $0 + 1 } else { return $0 } } }
    /// How many codes are literals.
    public var literalCount: Int { entries.reduce(0) { $0 + ($1 == .literal ? 1 : 0) } }
}
