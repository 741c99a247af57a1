/// The order of the kallsyms tables (spec §4.1).
///
/// Key, first difference decides: address ascending; non-weak (`w`/`W`) first; names that do
/// not look linker-provided first; fewer leading underscores first; input position. Positions
/// are unique, so this is a strict total order and any sort gives the same result.
public enum AddressOrder {
    /// Sorts symbols into table order.
    public static func sorted(_ symbols: [KeptSymbol]) -> [KeptSymbol] {
        let keys = symbols.map(Key.init)
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        return order.map { symbols[$0] }
    }

    /// The sort key of one symbol.
    public struct Key: Comparable, Sendable {
        public var address: UInt64
        public var isWeak: Bool
        public var looksLinkerProvided: Bool
        public var leadingUnderscores: Int
        public var position: Int

        public init(_ symbol: KeptSymbol) {
            address = symbol.address
            isWeak = symbol.type == UInt8(ascii: "w") || symbol.type == UInt8(ascii: "W")
            looksLinkerProvided = AddressOrder.looksLinkerProvided(symbol.name)
            leadingUnderscores = symbol.name.prefix { $0 == UInt8(ascii: "_") }.count
            position = symbol.position
        }

        public static func < (a: Key, b: Key) -> Bool {
            if a.address != b.address { return a.address < b.address }
            if a.isWeak != b.isWeak { return !a.isWeak }
            if a.looksLinkerProvided != b.looksLinkerProvided { return !a.looksLinkerProvided }
            if a.leadingUnderscores != b.leadingUnderscores { return a.leadingUnderscores < b.leadingUnderscores }
            return a.position < b.position
        }
    }

    /// At least 8 bytes, `__` then `start_`/`stop_`/`end_`, or ending in `_start`/`_end`.
    public static func looksLinkerProvided<C: Collection>(_ name: C) -> Bool where C.Element == UInt8 {
        let bytes = Array(name)
        guard bytes.count >= 8, bytes[0] == UInt8(ascii: "_"), bytes[1] == UInt8(ascii: "_") else { return false }
        let rest = bytes[2...]
        for infix in ["start_", "stop_", "end_"] where rest.starts(with: infix.utf8) { return true }
        return bytes.reversed().starts(with: "_start".utf8.reversed())
            || bytes.reversed().starts(with: "_end".utf8.reversed())
    }
}

/// The order of `kallsyms_seqs_of_names` (spec §4.2).
public enum NameOrder {
    /// The address-order indices of `symbols` (already in address order), sorted by name bytes
    /// (without the type, C `strcmp`), then address, then index.
    public static func sequence(of symbols: [KeptSymbol]) -> [Int] {
        symbols.indices.sorted { a, b in
            let left = symbols[a], right = symbols[b]
            if left.name != right.name {
                return left.name.lexicographicallyPrecedes(right.name)
            }
            if left.address != right.address { return left.address < right.address }
            return a < b
        }
    }
}
