import Compressor

/// The order of an `nm -n` map as the kernel build sees it (docs/behaviour.md §9): addresses
/// ascending, equal addresses by name bytes (`LC_COLLATE=C`, so digits < uppercase < `_` <
/// lowercase).
public enum MapOrder {
    /// Whether `a` comes before `b` in `nm -n` order (address, then name bytes).
    @inlinable
    public static func precedes(_ a: SymbolRecord, _ b: SymbolRecord) -> Bool {
        if a.address != b.address { return a.address < b.address }
        return a.name.lexicographicallyPrecedes(b.name)
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
}
