/// A selection from records kept so that the next one, from records that differ only in their
/// addresses and lines, is made without the rules or the sort (`Era.select(_:options:memo:)`).
///
/// Under `--all-symbols` (without `--absolute-percpu`) what an era keeps, and each kept
/// symbol's position, depend on the names and types alone: the read-time rules look at the
/// address only to remember markers, and the validity stage looks at no address at all. The
/// order is the address order, and for records whose kept addresses ascend (`nm -n`) only runs
/// of equal addresses are sorted, by keys without the address. So records with the same names
/// and types, row by row, whose kept addresses ascend and fall into the same runs, keep the
/// same rows in the same order: the kept symbols are the memo's rows with the new addresses
/// and lines. A link of the same layout at other section sizes, or the next pass of a build,
/// gives such records.
public struct SelectionMemo: Sendable {
    let era: Era
    let options: KallsymsOptions
    /// The records selected (their names are compared by storage first).
    private(set) var records: [SymbolRecord]
    /// The kept rows, in address order.
    private(set) var entries: [RowSelection.Entry]
    /// The kept rows, in input order.
    private(set) var inputOrder: [Int32]
    /// Per kept row in input order: whether its address equals the previous kept row's.
    private(set) var continuesRun: [Bool]
    /// The row of the last `_text` (its address is the selection's `textAddress`).
    let textRow: Int?
    /// The rows the read-time rules accepted, ascending (a kept row's position is its index
    /// here): what a patch that changes a row's verdict renumbers.
    private(set) var acceptedRows: [Int32]
    /// How many records were selected.
    public var recordCount: Int { records.count }

    /// Whether a memo of a selection with `options` can be reused at all.
    static func applies(to options: KallsymsOptions) -> Bool {
        options.allSymbols && !options.absolutePercpu
    }

    /// The memo of the selection from `records` that kept `entries` (in address order), or
    /// nil when its options do not allow one or its kept addresses do not ascend (then the
    /// order came from a full sort, which the runs do not describe).
    init?(
        era: Era, options: KallsymsOptions, records: [SymbolRecord], entries: [RowSelection.Entry], textRow: Int?,
        acceptedRows: [Int32]
    ) {
        guard Self.applies(to: options) else { return nil }
        let inputOrder = entries.map(\.row).sorted()
        guard let continuesRun = Self.runs(inputOrder, of: records) else { return nil }
        self.era = era
        self.options = options
        self.records = records
        self.entries = entries
        self.inputOrder = inputOrder
        self.continuesRun = continuesRun
        self.textRow = textRow
        self.acceptedRows = acceptedRows
    }

    /// Whether each row's address equals the previous row's, or nil when the addresses of
    /// `rows` (ascending row numbers) do not ascend.
    static func runs(_ rows: [Int32], of records: [SymbolRecord]) -> [Bool]? {
        var continues = [Bool](repeating: false, count: rows.count)
        let ascending = records.withUnsafeBufferPointer { records in
            var previous: UInt64?
            for (index, row) in rows.enumerated() {
                let address = records[Int(row)].address
                if let previous {
                    if address < previous { return false }
                    continues[index] = address == previous
                }
                previous = address
            }
            return true
        }
        return ascending ? continues : nil
    }

    /// The selection of `records` by `era` with `options`, and the memo of it, when they are
    /// this memo's era and options and its records at other addresses and lines (same count,
    /// and row by row the same type and name) whose kept addresses ascend in the same runs;
    /// nil otherwise.
    ///
    /// `patching`: rows may also differ in name or type, a few of them (`patchLimit`), when each
    /// such row is accepted and kept exactly as the memo's row was (its verdict depends on its
    /// type and name alone, `SelectionState.fixedVerdict`), and the kept addresses may fall into
    /// other runs: the kept rows and their positions are then the memo's, each changed kept row
    /// takes its new type, and only the runs of equal addresses around a changed row or a
    /// changed run are sorted again (`PassReuseTests` and `SelectionMemoTests` compare with
    /// selections from scratch). The cases of one campaign
    /// batch share a population and differ in a few hundred rows between shapes (the per-cpu
    /// variables and the markers around them): a selection patched from another shape's costs
    /// a fraction of one from scratch (issue 17).
    public func reselect(
        _ records: [SymbolRecord], era: Era, options: KallsymsOptions, patching: Bool = false
    ) -> (selection: Selection, memo: SelectionMemo)? {
        guard era == self.era, options == self.options, records.count == self.records.count else { return nil }
        var changed: [Int] = []
        let limit = patching ? Self.patchLimit(records.count) : 0
        let comparable = records.withUnsafeBufferPointer { new in
            self.records.withUnsafeBufferPointer { old in
                func differs(_ row: Int) -> Bool { new[row].type != old[row].type || !Self.sameName(new[row].name, old[row].name) }
                // A few rows first: a memo of another layout usually differs early (and at
                // most rows: a patch needs nearly all of them the same).
                var sampled = 0, sampledDiffering = 0
                for row in stride(from: 0, to: new.count, by: 4096) {
                    sampled += 1
                    if differs(row) { sampledDiffering += 1 }
                }
                guard sampledDiffering <= (patching ? sampled / 8 : 0) else { return false }
                for row in new.indices where differs(row) {
                    changed.append(row)
                    if changed.count > limit { return false }
                }
                return true
            }
        }
        guard comparable, let continues = Self.runs(inputOrder, of: records), patching || continues == continuesRun else {
            return nil
        }
        var memo = self
        memo.records = records
        if !changed.isEmpty || continues != continuesRun {
            if let patched = patchedEntries(changed, of: records, continues: continues) {
                memo.entries = patched
                memo.continuesRun = continues
            } else {
                guard let renumbered = renumbered(changed, of: records) else { return nil }
                memo = renumbered
            }
        }
        let selection = Selection(entries: memo.entries, of: records, textAddress: textRow.map { records[$0].address } ?? 0)
        return (selection, memo)
    }

    /// At most this many rows may differ for `reselect(_:era:options:patching:)` to patch.
    static func patchLimit(_ count: Int) -> Int { max(64, count / 64) }

    /// The memo's entries for `records`, whose rows differ from the memo's records only at the
    /// rows `changed` (ascending) and whose kept rows' addresses fall into the runs `continues`:
    /// nil when a changed row is not accepted and kept as before, or is or was `_text`.
    ///
    /// The kept rows and their positions are the memo's. In address order a run of equal
    /// addresses holds the same indices as in `inputOrder` (the addresses ascend), so the rows
    /// at a range of indices made of whole runs, old and new, are the same in both arrays: each
    /// such range around a changed row or a changed run is sorted again, by the whole key.
    private func patchedEntries(_ changed: [Int], of records: [SymbolRecord], continues: [Bool]) -> [RowSelection.Entry]? {
        let state = SelectionState(era: era, options: options)
        var entries = self.entries
        var dirty: [Range<Int>] = []
        /// The smallest range of indices around `index` made of whole runs in both structures.
        func wholeRuns(around index: Int) -> Range<Int> {
            var start = index, end = index + 1
            while true {
                let before = (start, end)
                while start > 0 && (continuesRun[start] || continues[start]) { start -= 1 }
                while end < continues.count && (continuesRun[end] || continues[end]) { end += 1 }
                if before == (start, end) { return start..<end }
            }
        }
        for row in changed {
            let old = self.records[row], new = records[row]
            guard let before = state.fixedVerdict(old), let after = state.fixedVerdict(new),
                before == after
            else { return nil }
            guard after.kept else { continue }
            // The row's index among the kept rows in input order (a kept row is in `inputOrder`).
            var low = 0, high = inputOrder.count
            while low < high {
                let middle = (low + high) / 2
                if Int(inputOrder[middle]) < row { low = middle + 1 } else { high = middle }
            }
            guard low < inputOrder.count, Int(inputOrder[low]) == row else { return nil }
            let range = wholeRuns(around: low)
            guard let slot = range.first(where: { Int(entries[$0].row) == row }) else { return nil }
            entries[slot].type = new.type
            if range.count > 1 { dirty.append(range) }
        }
        for index in continues.indices where continues[index] != continuesRun[index] {
            dirty.append(wholeRuns(around: index))
        }
        records.withUnsafeBufferPointer { records in
            var sortedUpTo = 0
            for range in dirty.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.upperBound > sortedUpTo {
                // Each range is a smallest union of whole runs of both structures: two are equal or disjoint.
                entries[range].sort { Self.key($0, of: records) < Self.key($1, of: records) }
                sortedUpTo = range.upperBound
            }
        }
        return entries
    }

    /// The memo of `records`, whose rows differ from the memo's records only at the rows
    /// `changed` (ascending), when a changed row's verdict may differ from the old one's: the
    /// other rows keep their verdicts, the kept rows are numbered again and sorted into address
    /// order (`AddressOrder.sort`, runs of equal addresses only). Nil when a changed row is or
    /// was `_text`, or the kept addresses do not ascend. No name rule runs but on the changed
    /// rows: the rest is a few passes over the rows.
    private func renumbered(_ changed: [Int], of records: [SymbolRecord]) -> SelectionMemo? {
        let state = SelectionState(era: era, options: options)
        var verdicts: [(accepted: Bool, kept: Bool)] = []
        verdicts.reserveCapacity(changed.count)
        for row in changed {
            let old = self.records[row], new = records[row]
            guard state.fixedVerdict(old) != nil, let verdict = state.fixedVerdict(new)
            else { return nil }
            verdicts.append(verdict)
        }
        var entries: [RowSelection.Entry] = []
        var accepted: [Int32] = []
        entries.reserveCapacity(inputOrder.count + changed.count)
        accepted.reserveCapacity(acceptedRows.count + changed.count)
        var nextAccepted = 0, nextKept = 0, nextChanged = 0
        for row in records.indices {
            let row32 = Int32(truncatingIfNeeded: row)
            var isAccepted = nextAccepted < acceptedRows.count && acceptedRows[nextAccepted] == row32
            if isAccepted { nextAccepted += 1 }
            var isKept = nextKept < inputOrder.count && inputOrder[nextKept] == row32
            if isKept { nextKept += 1 }
            if nextChanged < changed.count && changed[nextChanged] == row {
                (isAccepted, isKept) = verdicts[nextChanged]
                nextChanged += 1
            }
            guard isAccepted else { continue }
            if isKept {
                entries.append(
                    RowSelection.Entry(
                        row: row32, position: Int32(truncatingIfNeeded: accepted.count), type: records[row].type,
                        isPercpuAbsolute: false))
            }
            accepted.append(row32)
        }
        guard entries.count > 0 || !era.rules.refusesEmptySelection else { return nil }
        let inputOrder = entries.map(\.row)
        guard let continuesRun = Self.runs(inputOrder, of: records) else { return nil }
        records.withUnsafeBufferPointer { records in
            AddressOrder.sort(&entries, address: { records[Int($0.row)].address }, key: { Self.key($0, of: records) })
        }
        var memo = self
        memo.records = records
        memo.entries = entries
        memo.inputOrder = inputOrder
        memo.continuesRun = continuesRun
        memo.acceptedRows = accepted
        return memo
    }

    /// The table-order key of a kept row of `records`.
    @inline(__always)
    static func key(_ entry: RowSelection.Entry, of records: UnsafeBufferPointer<SymbolRecord>) -> AddressOrder.Key {
        let record = records[Int(entry.row)]
        return record.name.withUnsafeBufferPointer {
            AddressOrder.Key(address: record.address, type: entry.type, name: $0, position: Int(entry.position))
        }
    }

    /// Whether two names hold the same bytes: the same storage (a name a link copied from
    /// one plan) without reading either, else by their bytes.
    @inline(__always)
    static func sameName(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        // An array is one reference to its storage: equal references share their bytes.
        unsafeBitCast(a, to: UInt.self) == unsafeBitCast(b, to: UInt.self) || a == b
    }
}

extension Era {
    /// `select(_:options:)`, made from `memo` when `records` are its records at other
    /// addresses (see `SelectionMemo`), else from scratch; `memo` becomes this selection's.
    /// The result is the same either way.
    public func select(_ records: [SymbolRecord], options: KallsymsOptions, memo: inout SelectionMemo?) throws -> Selection {
        if let reused = memo?.reselect(records, era: self, options: options) {
            memo = reused.memo
            return reused.selection
        }
        let (selection, entries, textRow, accepted) = try selectRecords(records, options: options)
        memo = SelectionMemo(
            era: self, options: options, records: records, entries: entries, textRow: textRow,
            acceptedRows: SelectionMemo.applies(to: options) ? accepted.map(\.row) : [])
        return selection
    }
}
