/// The order of the kallsyms tables (docs/behaviour.md §4.1).
///
/// Key, first difference decides: address ascending; non-weak (`w`/`W`) first; names that do
/// not look linker-provided first; fewer leading underscores first; input position. Positions
/// are unique, so this is a strict total order and any sort gives the same result.
public enum AddressOrder {
    /// Sorts symbols into table order.
    ///
    /// `nm -n` input already has non-decreasing addresses; then only the runs of equal
    /// addresses need sorting, which is O(n log g) for groups of size g. Any other input is
    /// sorted whole, O(n log n).
    public static func sorted(_ symbols: [KeptSymbol]) -> [KeptSymbol] {
        var result = symbols
        sort(&result)
        return result
    }

    /// Sorts `symbols` into table order in place.
    public static func sort(_ symbols: inout [KeptSymbol]) {
        sort(&symbols, address: \.address, key: Key.init)
    }

    /// Sorts `items` into table order in place, given each item's address and sort key.
    @inline(__always)
    static func sort<Item>(_ items: inout [Item], address: (Item) -> UInt64, key: (Item) -> Key) {
        let addressesAscend = items.indices.dropFirst().allSatisfy { address(items[$0 - 1]) <= address(items[$0]) }
        guard addressesAscend else {
            let keys = items.map(key)
            let order = keys.indices.sorted { keys[$0] < keys[$1] }
            items = order.map { items[$0] }
            return
        }
        // Only groups of equal addresses can be out of order; each is small.
        var start = 0
        while start < items.count {
            let first = address(items[start])
            var end = start + 1
            while end < items.count && address(items[end]) == first { end += 1 }
            if end - start > 1 { items[start..<end].sort { key($0) < key($1) } }
            start = end
        }
    }

    /// The sort key of one symbol.
    public struct Key: Comparable, Sendable {
        public var address: UInt64
        public var isWeak: Bool
        public var looksLinkerProvided: Bool
        public var leadingUnderscores: Int
        public var position: Int

        public init(_ symbol: KeptSymbol) {
            self = symbol.name.withUnsafeBufferPointer {
                Key(address: symbol.address, type: symbol.type, name: $0, position: symbol.position)
            }
        }

        init(address: UInt64, type: UInt8, name: UnsafeBufferPointer<UInt8>, position: Int) {
            self.address = address
            isWeak = type == UInt8(ascii: "w") || type == UInt8(ascii: "W")
            looksLinkerProvided = AddressOrder.looksLinkerProvided(name)
            leadingUnderscores = name.prefix { $0 == UInt8(ascii: "_") }.count
            self.position = position
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
        Array(name).withUnsafeBufferPointer(looksLinkerProvided)
    }

    static func looksLinkerProvided(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count >= 8, name.hasPrefix("__") else { return false }
        let rest = UnsafeBufferPointer(rebasing: name[2...])
        return rest.hasPrefix("start_") || rest.hasPrefix("stop_") || rest.hasPrefix("end_")
            || name.hasSuffix("_start") || name.hasSuffix("_end")
    }
}

/// The order of `kallsyms_seqs_of_names` (docs/behaviour.md §4.2).
public enum NameOrder {
    /// The address-order indices of `symbols` (already in address order), sorted by name bytes
    /// (without the type, C `strcmp`), then address, then index.
    public static func sequence(of symbols: [KeptSymbol]) -> [Int] {
        sequence(ofStored: Selection(symbols: symbols, textAddress: 0, recordsRead: 0).storedStrings, symbols: symbols)
    }

    /// `sequence(of:)` from the symbols' stored strings (`type ++ name`, in the same order),
    /// which hold every name in one buffer.
    static func sequence(ofStored stored: ByteStrings, symbols: [KeptSymbol]) -> [Int] {
        sequence(ofStored: stored, addresses: symbols.map(\.address))
    }

    /// `sequence(ofStored:symbols:)` given only the symbols' addresses.
    static func sequence(ofStored stored: ByteStrings, addresses: [UInt64]) -> [Int] {
        precondition(stored.count == addresses.count, "one stored string per symbol")
        var entries = (0..<stored.count).map { Entry(key: 0, index: Int32($0)) }
        stored.bytes.withUnsafeBufferPointer { bytes in
            stored.ends.withUnsafeBufferPointer { ends in
                entries.withUnsafeMutableBufferPointer { entries in
                    addresses.withUnsafeBufferPointer { addresses in
                        sort(entries, bytes: bytes, ends: ends, addresses: addresses)
                    }
                }
            }
        }
        return entries.map { Int($0.index) }
    }

    /// Sorts `entries` by name (string `i` of `bytes`/`ends` without its first byte, the type),
    /// then address, then index.
    ///
    /// Sorted by eight name bytes at a time as one big-endian number (zero-padded), which orders
    /// like `strcmp` up to ties; runs of equal numbers go eight bytes deeper, and after a few
    /// levels (or when every name in the run has ended) the full comparison settles them.
    private static func sort(
        _ entries: UnsafeMutableBufferPointer<Entry>, bytes: UnsafeBufferPointer<UInt8>,
        ends: UnsafeBufferPointer<Int>, addresses: UnsafeBufferPointer<UInt64>
    ) {
        func name(_ index: Int32) -> UnsafeBufferPointer<UInt8> {
            let index = Int(index)
            // Every stored string holds at least its type byte, so `start + 1 <= end`.
            let start = index == 0 ? 0 : ends[index &- 1]
            return UnsafeBufferPointer(rebasing: bytes[(start &+ 1)..<ends[index]])
        }
        let scratch = UnsafeMutablePointer<Entry>.allocate(capacity: max(entries.count, 1))
        defer { scratch.deallocate() }
        func refine(_ range: Range<Int>, depth: Int) {
            let offset = depth &* 8
            var longest = 0
            for position in range {
                let string = name(entries[position].index)
                var key: UInt64 = 0
                if string.count >= offset &+ 8 {
                    // The eight bytes as one big-endian number: the first byte most significant.
                    key = UInt64(bigEndian: UnsafeRawPointer(string.baseAddress! + offset).loadUnaligned(as: UInt64.self))
                } else {
                    for k in offset..<(offset &+ 8) { key = key &<< 8 | (k < string.count ? UInt64(string[k]) : 0) }
                }
                entries[position].key = key
                longest = max(longest, string.count)
            }
            if range.count >= radixSortFrom {
                radixSort(UnsafeMutableBufferPointer(rebasing: entries[range]), scratch: scratch)
            } else {
                entries[range].sort { $0.key < $1.key }
            }
            var start = range.lowerBound
            while start < range.upperBound {
                var end = start &+ 1
                while end < range.upperBound && entries[end].key == entries[start].key { end &+= 1 }
                if end &- start > 1 {
                    if depth < 3 && longest > offset &+ 8 {
                        refine(start..<end, depth: depth &+ 1)
                    } else {
                        entries[start..<end].sort { a, b in
                            switch compareBytes(name(a.index), name(b.index)) {
                            case .less: return true
                            case .greater: return false
                            case .equal:
                                let left = addresses[Int(a.index)], right = addresses[Int(b.index)]
                                return left != right ? left < right : a.index < b.index
                            }
                        }
                    }
                }
                start = end
            }
        }
        refine(0..<entries.count, depth: 0)
    }

    private struct Entry {
        var key: UInt64
        var index: Int32
    }

    /// From this many entries on, a run is sorted by `radixSort` rather than by comparisons.
    private static let radixSortFrom = 512

    /// Sorts `entries` by key: one stable counting pass per key byte, least significant
    /// first, skipping the bytes in which all keys agree; `scratch` has room for as many
    /// entries. (A kernel's names share long prefixes, so many runs differ in few bytes.)
    private static func radixSort(_ entries: UnsafeMutableBufferPointer<Entry>, scratch: UnsafeMutablePointer<Entry>) {
        let count = entries.count
        guard count > 1, let base = entries.baseAddress else { return }
        var common = UInt64.max, some: UInt64 = 0
        for entry in entries {
            common &= entry.key
            some |= entry.key
        }
        let differing = common ^ some
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { slots in
            var source = base, target = scratch
            for shift in stride(from: 0, to: 64, by: 8) where (differing &>> UInt64(shift)) & 0xFF != 0 {
                slots.initialize(repeating: 0)
                for index in 0..<count { slots[Int(truncatingIfNeeded: (source[index].key &>> UInt64(shift)) & 0xFF)] &+= 1 }
                var total = 0
                for digit in 0..<256 {
                    let size = slots[digit]
                    slots[digit] = total
                    total &+= size
                }
                for index in 0..<count {
                    let digit = Int(truncatingIfNeeded: (source[index].key &>> UInt64(shift)) & 0xFF)
                    target[slots[digit]] = source[index]
                    slots[digit] &+= 1
                }
                swap(&source, &target)
            }
            if source != base { base.update(from: source, count: count) }
        }
    }

    enum Comparison { case less, equal, greater }

    /// `strcmp` on NUL-free byte strings: unsigned bytes, a prefix sorts first.
    @inline(__always) static func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Comparison {
        let common = min(a.count, b.count)
        var k = 0
        while k < common {
            if a[k] != b[k] { return a[k] < b[k] ? .less : .greater }
            k &+= 1
        }
        return a.count == b.count ? .equal : (a.count < b.count ? .less : .greater)
    }
}
