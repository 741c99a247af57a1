import Compressor

/// A selection memo and the strings key of its selection's stored strings (the same for every
/// selection made from the memo: same names, same types, same order).
struct MemoizedSelection: Sendable {
    var memo: SelectionMemo
    var stringsKey: StringsKey?
}

/// What the most recent pass computed that the next pass of a build (or the next build of a
/// worker) can reuse where its input is the same: most passes link the same symbols at moved
/// addresses, so their names, letters and strings hardly change.
///
/// Each reuse gives exactly what the work from scratch gives (`PassReuseTests`):
/// - mksysmap's verdict on a line depends on its letter and name alone, so a line equal in
///   both to the earlier map's line at the same index keeps that line's verdict;
/// - a string equal to the earlier pass's string at its index has that string's hash;
/// - v6.19+'s name order of the same names in the same order differs only inside runs of
///   equal names (`NameOrder.sequence(of:reusing:)`);
/// - under `--all-symbols`, records with an earlier selection's names and types at other
///   addresses, whose kept addresses ascend in the same runs, keep its rows in its order
///   (`SelectionMemo`), and so its stored strings.
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
    /// The most recent selections from records, newest first: the next records with the same
    /// names and types at other addresses are selected from one of them (`SelectionMemo`). A
    /// campaign's cases of one batch draw their shapes among a few, and each shape's build
    /// selects from two kinds of maps (without and with the kallsyms labels). With 12, a 2-job
    /// `fuzz` of ARM-sized layouts peaked at 680 MB, against 546 MB without memos.
    var selections: [MemoizedSelection] = []
    static let selectionCapacity = 12
    /// How many selections were made from a memo, and how many of them took its strings key
    /// (counted for the tests).
    var reselections = 0
    var reusedStringsKeys = 0
    /// How many of the reselections patched a memo of other records (counted for the tests).
    var patchedSelections = 0
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

    /// `era.select(records, options:)`, made from one of the most recent selections of as many
    /// records when they differ from its records only in addresses and lines (`SelectionMemo`);
    /// with that selection's strings key when it is known. `memoized`: the selection's memo is
    /// now the newest (`rememberStrings` can add its key).
    mutating func select(
        _ records: [SymbolRecord], era: Era, options: KallsymsOptions
    ) throws -> (selection: Selection, stringsKey: StringsKey?, memoized: Bool) {
        guard reusesPasses else { return (try era.select(records, options: options), nil, false) }
        for index in passes.selections.indices where passes.selections[index].memo.recordCount == records.count {
            if let reused = passes.selections[index].memo.reselect(records, era: era, options: options) {
                var entry = passes.selections.remove(at: index)
                entry.memo = reused.memo
                passes.selections.insert(entry, at: 0)
                passes.reselections += 1
                return (reused.selection, entry.stringsKey, true)
            }
        }
        // A memo of the same population in another shape: patched, it becomes a memo of its
        // own (other stored strings), and the memo it came from stays for its shape's cases.
        for index in passes.selections.indices where passes.selections[index].memo.recordCount == records.count {
            if let patched = passes.selections[index].memo.reselect(records, era: era, options: options, patching: true) {
                remember(patched.memo)
                passes.reselections += 1
                passes.patchedSelections += 1
                return (patched.selection, nil, true)
            }
        }
        var memo: SelectionMemo?
        let selection = try era.select(records, options: options, memo: &memo)
        guard let memo else { return (selection, nil, false) }
        remember(memo)
        return (selection, nil, true)
    }

    /// Keeps `memo` as the newest selection memo.
    private mutating func remember(_ memo: SelectionMemo) {
        passes.selections.insert(MemoizedSelection(memo: memo), at: 0)
        if passes.selections.count > PassMemo.selectionCapacity { passes.selections.removeLast() }
    }

    /// Keeps `key` (of the stored strings of the selection `select` memoized last) with its memo.
    mutating func rememberStrings(_ key: StringsKey) {
        guard !passes.selections.isEmpty else { return }
        passes.selections[0].stringsKey = key
    }

    /// `key`, the strings key of a selection made from a memo, as the most recent pass's key
    /// (`key(of:namesOnly:)` compares the next pass's strings with it).
    mutating func reuse(_ key: StringsKey) {
        guard reusesPasses else { return }
        passes.stringsKey = key
        passes.reusedStringsKeys += 1
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
