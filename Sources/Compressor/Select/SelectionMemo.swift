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
    let entries: [RowSelection.Entry]
    /// The kept rows, in input order.
    let inputOrder: [Int32]
    /// Per kept row in input order: whether its address equals the previous kept row's.
    let continuesRun: [Bool]
    /// The row of the last `_text` (its address is the selection's `textAddress`).
    let textRow: Int?
    /// How many records were selected.
    public var recordCount: Int { records.count }

    /// Whether a memo of a selection with `options` can be reused at all.
    static func applies(to options: KallsymsOptions) -> Bool {
        options.allSymbols && !options.absolutePercpu
    }

    /// The memo of the selection from `records` that kept `entries` (in address order), or
    /// nil when its options do not allow one or its kept addresses do not ascend (then the
    /// order came from a full sort, which the runs do not describe).
    init?(era: Era, options: KallsymsOptions, records: [SymbolRecord], entries: [RowSelection.Entry], textRow: Int?) {
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
    public func reselect(
        _ records: [SymbolRecord], era: Era, options: KallsymsOptions
    ) -> (selection: Selection, memo: SelectionMemo)? {
        guard era == self.era, options == self.options, records.count == self.records.count else { return nil }
        let same = records.withUnsafeBufferPointer { new in
            self.records.withUnsafeBufferPointer { old in
                func differs(_ row: Int) -> Bool { new[row].type != old[row].type || !Self.sameName(new[row].name, old[row].name) }
                // A few rows first: a memo of another layout usually differs early.
                return !stride(from: 0, to: new.count, by: 4096).contains(where: differs) && !new.indices.contains(where: differs)
            }
        }
        guard same, let continues = Self.runs(inputOrder, of: records), continues == continuesRun else { return nil }
        let selection = Selection(entries: entries, of: records, textAddress: textRow.map { records[$0].address } ?? 0)
        var memo = self
        memo.records = records
        return (selection, memo)
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
        let (selection, entries, textRow) = try selectRecords(records, options: options)
        memo = SelectionMemo(era: self, options: options, records: records, entries: entries, textRow: textRow)
        return selection
    }
}
