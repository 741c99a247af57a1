import Compressor

#if canImport(Glibc)
    import Glibc
#endif

/// The order of an `nm -n` map as the kernel build sees it (docs/behaviour.md §9): addresses
/// ascending, equal addresses by name bytes (`LC_COLLATE=C`, so digits < uppercase < `_` <
/// lowercase). The one home of that order: the link model, the generators, the mutations and
/// the property cases all sort and compare through it.
public enum MapOrder {
    /// Whether `a` comes before `b` in `nm -n` order (address, then name bytes).
    @inlinable
    public static func precedes(_ a: SymbolRecord, _ b: SymbolRecord) -> Bool {
        precedes(a.address, a.name, b.address, b.name)
    }

    /// Whether (`addressA`, `nameA`) comes before (`addressB`, `nameB`) in `nm -n` order.
    @inlinable
    public static func precedes(_ addressA: UInt64, _ nameA: [UInt8], _ addressB: UInt64, _ nameB: [UInt8]) -> Bool {
        if addressA != addressB { return addressA < addressB }
        return nameA.lexicographicallyPrecedes(nameB)
    }

    /// Whether `records` are in `nm -n` order (records with equal address and name may be in
    /// any order, as nm's unstable sort leaves them).
    public static func isSorted(_ records: [SymbolRecord]) -> Bool {
        zip(records, records.dropFirst()).allSatisfy { !precedes($1, $0) }
    }

    /// Sorts into `nm -n` order; records equal in address and name keep their relative order,
    /// so the result is deterministic.
    public static func sort(_ records: inout [SymbolRecord]) {
        let order = records.indices.sorted { left, right in
            let a = records[left], b = records[right]
            if precedes(a, b) { return true }
            if precedes(b, a) { return false }
            return left < right
        }
        records = order.map { records[$0] }
    }

    /// A sorted copy.
    public static func sorted(_ records: [SymbolRecord]) -> [SymbolRecord] {
        var copy = records
        sort(&copy)
        return copy
    }

    /// Sorts every run of equal addresses of a linked map by name bytes; equal names keep
    /// symbol-table order, where local symbols (lowercase letters) come first (reallink
    /// example c, docs/linkers.md), then emission order. `records` arrive in address order.
    /// - Complexity: O(n) when the runs are already in order, which is the common case.
    static func sortRunsOfEqualAddresses(_ records: inout [SymbolRecord]) {
        /// Whether `a` goes before `b` in a run of equal addresses (emission order aside).
        func goesBefore(_ a: SymbolRecord, _ b: SymbolRecord) -> Bool {
            let order = compareNames(a.name, b.name)
            return order != 0 ? order < 0 : a.type >= UInt8(ascii: "a") && b.type < UInt8(ascii: "a")
        }
        // Found first, with one byte comparison per neighbouring pair (no name is copied);
        // sorted after, which is rare.
        var unsorted: [Range<Int>] = []
        records.withUnsafeBufferPointer { records in
            var start = 0
            let count = records.count
            while start < count {
                var end = start + 1
                let address = records[start].address
                var sorted = true
                while end < count && records[end].address == address {
                    if sorted && goesBefore(records[end], records[end - 1]) { sorted = false }
                    end += 1
                }
                if !sorted { unsorted.append(start..<end) }
                start = end
            }
        }
        for range in unsorted {
            let run = records[range].enumerated().sorted { a, b in
                if goesBefore(a.element, b.element) { return true }
                if goesBefore(b.element, a.element) { return false }
                return a.offset < b.offset
            }.map(\.element)
            records.replaceSubrange(range, with: run)
        }
    }

    /// The byte order of two names (`memcmp`, then the shorter first): negative, zero or positive.
    @inline(__always)
    static func compareNames(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                let common = min(a.count, b.count)
                if common > 0, let left = a.baseAddress, let right = b.baseAddress {
                    let order = memcmp(left, right, common)
                    if order != 0 { return Int(order) }
                }
                return a.count - b.count
            }
        }
    }
}
