import Compressor

/// What the most recent pass computed that the next pass of a build (or the next build of a
/// worker) can reuse where its input is the same: most passes link the same symbols at moved
/// addresses, so their names, letters and strings hardly change.
///
/// Each reuse gives exactly what the work from scratch gives (`PassReuseTests`):
/// - mksysmap's verdict on a line depends on its letter and name alone, so a line equal in
///   both to the earlier map's line at the same index keeps that line's verdict;
/// - a string equal to the earlier pass's string at its index has that string's hash;
/// - v6.19+'s name order of the same names in the same order differs only inside runs of
///   equal names (`NameOrder.sequence(of:reusing:)`).
struct PassMemo: Sendable {
    /// The most recent map filtered by mksysmap, and whether each of its lines survived.
    var filtered: (filter: SystemMapFilter, records: [SymbolRecord], keeps: [Bool])?
    /// The strings key of the most recent pass.
    var stringsKey: StringsKey?
    /// The same for `uncompressed-type`'s names without their type: kept apart, so that a
    /// mitigation table's rows do not rehash every string on entering and leaving that row.
    var namesOnlyStringsKey: StringsKey?
    /// The most recent `kallsyms_seqs_of_names` and the symbols it orders.
    var nameOrder: NameOrder.Memo?
    /// The most recent link plans made through the cache (`CompressionCache.plan(_:)`), newest
    /// first; at most `planCapacity`.
    var plans: [LinkPlan] = []
    /// A campaign draws each case's shape, and cases of one shape share a base: with 8 plans,
    /// the last case of the same base is nearly always among them.
    static let planCapacity = 8
}

extension CompressionCache {
    /// Whether passes reuse each other's work (`PassMemo`); a cache of capacity 0 keeps nothing.
    var reusesPasses: Bool { capacity > 0 }

    /// The link plan of `layout`, with the sorted symbols of every section that shares its
    /// members with one of the most recent plans made here (a worker's cases of one batch
    /// place the same population); the same plan as `LinkPlan(layout)`.
    public mutating func plan(_ layout: Layout) -> LinkPlan {
        guard reusesPasses else { return LinkPlan(layout) }
        let plan = LinkPlan(layout, reusing: passes.plans)
        passes.plans.insert(plan, at: 0)
        if passes.plans.count > PassMemo.planCapacity { passes.plans.removeLast() }
        return plan
    }

    /// `filter.apply(records)`, reusing the verdicts on the most recent filtered map.
    mutating func filter(_ records: [SymbolRecord], with filter: SystemMapFilter) -> [SymbolRecord] {
        guard reusesPasses else { return filter.apply(records) }
        let earlier = passes.filtered.flatMap { $0.filter == filter ? (records: $0.records, keeps: $0.keeps) : nil }
        let (kept, keeps) = filter.apply(records, reusing: earlier)
        if !records.isEmpty { passes.filtered = (filter, records, keeps) }
        return kept
    }

    /// The key of `strings`: the most recent pass's when its strings are the same, else one
    /// that hashes only the strings that differ from it at their index. `namesOnly`: the strings
    /// are names without their type (`uncompressed-type`), compared with the last such pass.
    mutating func key(of strings: ByteStrings, namesOnly: Bool = false) -> StringsKey {
        guard reusesPasses else { return StringsKey(strings) }
        let memo = namesOnly ? \PassMemo.namesOnlyStringsKey : \PassMemo.stringsKey
        let earlier = passes[keyPath: memo]
        if let earlier, StringsKey.sameStrings(earlier.strings, strings) { return earlier }
        let key = StringsKey(strings, reusing: earlier)
        // v6.19+'s pass 0 (no strings) would otherwise displace pass 1's key before pass 2.
        if !strings.isEmpty { passes[keyPath: memo] = key }
        return key
    }

    /// `era.tables(for:compression:options:)`, with the name order reused from the most recent
    /// pass that wrote one when the names are the same.
    mutating func tables(
        for selection: Selection, compression: Compression, era: Era, options: KallsymsOptions
    ) throws -> KallsymsTables {
        guard reusesPasses else { return try era.tables(for: selection, compression: compression, options: options) }
        let tables: KallsymsTables
        if era.rules.writesSeqsOfNames, let earlier = passes.nameOrder,
            let reused = NameOrder.sequence(of: selection.symbols, reusing: earlier)
        {
            tables = try era.tables(for: selection, compression: compression, seqsOfNames: reused.sequence, options: options)
            passes.nameOrder = reused
        } else {
            tables = try era.tables(for: selection, compression: compression, options: options)
            if let sequence = tables.seqsOfNames, !sequence.isEmpty {
                passes.nameOrder = NameOrder.Memo(symbols: selection.symbols, sequence: sequence)
            }
        }
        return tables
    }
}
