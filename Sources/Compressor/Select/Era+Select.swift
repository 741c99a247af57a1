extension Era {
    /// Keeps the symbols this era's generator keeps, in its address order (docs/behaviour.md §3,
    /// §4.1).
    ///
    /// Applies the read-time rules, the text-range filter (unless `--all-symbols`) with its
    /// `_etext`/`_einittext` corner case, v6.19+'s `__start_`/`__stop_` exception, v3.3's
    /// pass-varying names, and v5.10/v6.1's `--absolute-percpu` rewrite, then sorts.
    /// - Throws: `unsupportedOption` for a flag the era lacks; `noValidSymbol` when v3.3–v6.1
    ///   would keep nothing.
    ///
    /// Reads the records in place: each kept symbol shares its record's name (no copy), so a
    /// build's passes, which link the same name arrays again, select without copying names.
    public func select(_ records: [SymbolRecord], options: KallsymsOptions) throws -> Selection {
        try selectRecords(records, options: options).selection
    }

    /// `select(_:options:)`, with the kept rows in address order, the row of the last `_text`
    /// and the rows the read-time rules accepted (what a `SelectionMemo` keeps).
    func selectRecords(
        _ records: [SymbolRecord], options: KallsymsOptions
    ) throws -> (selection: Selection, entries: [RowSelection.Entry], textRow: Int?, accepted: [AcceptedRow]) {
        let kept = try records.withUnsafeBufferPointer { try keptRows(RecordRows(records: $0), options: options) }
        let selection = Selection(entries: kept.entries, of: records, textAddress: kept.textAddress)
        return (selection, kept.entries, kept.textRow, kept.accepted)
    }

    /// The kept symbols of `entries` (in their order), each sharing its record's name.
    static func keptSymbols(_ entries: [RowSelection.Entry], of records: [SymbolRecord]) -> [KeptSymbol] {
        records.withUnsafeBufferPointer { records in
            [KeptSymbol](unsafeUninitializedCapacity: entries.count) { buffer, initialized in
                for (index, entry) in entries.enumerated() {
                    let record = records[Int(entry.row)]
                    (buffer.baseAddress! + index).initialize(
                        to: KeptSymbol(
                            address: record.address, type: entry.type, name: record.name,
                            isPercpuAbsolute: entry.isPercpuAbsolute, position: Int(entry.position),
                            // The line as `SymbolTable` stores it (32 bits), so both overloads agree.
                            line: Int(Int32(truncatingIfNeeded: record.line))))
                }
                initialized = entries.count
            }
        }
    }

    /// `select(_:options:)` on parsed columns (no per-record allocation until a symbol is kept).
    public func select(_ table: SymbolTable, options: KallsymsOptions) throws -> Selection {
        try selectRows(table, options: options).selection
    }

    /// The rows of `table` this era keeps, in its address order, before their `KeptSymbol`s
    /// are made: `generate` compresses their stored strings while a second thread makes the
    /// selection (107 000 name arrays on an ARM-sized map).
    /// - Throws: as `select(_:options:)`; `valueOutOfRange` for a table of 2^31 rows or more
    ///   (the generator's counts are 32-bit).
    ///
    /// With `warm`, a large table's read-time verdicts are found on two threads first
    /// (`ReadTimeVerdicts`); the selection is the same.
    func selectRows(_ table: SymbolTable, options: KallsymsOptions, on warm: Concurrently.WarmCore? = nil) throws -> RowSelection {
        let kept = try table.names.bytes.withUnsafeBufferPointer {
            try keptRows(ColumnRows(table: table, nameBytes: $0), options: options, on: warm)
        }
        return RowSelection(table: table, entries: kept.entries, textAddress: kept.textAddress)
    }

    /// The rows this era keeps, in its address order, with the `_text` address and the row of
    /// the last `_text`: the read-time rules, the validity stage, the per-cpu rewrite and the
    /// sort, on records in place or on parsed columns alike.
    /// - Throws: as `select(_:options:)`; `valueOutOfRange` for 2^31 rows or more (the
    ///   generator's counts are 32-bit).
    @inline(__always)
    private func keptRows<Rows: SelectionRows>(
        _ rows: Rows, options: KallsymsOptions, on warm: Concurrently.WarmCore? = nil
    ) throws -> (entries: [RowSelection.Entry], textAddress: UInt64, textRow: Int?, accepted: [AcceptedRow]) {
        try validate(options)
        guard rows.count <= Int(Int32.max) else {
            throw KallsymsError(.valueOutOfRange, "kallsyms failure: \(rows.count) symbols are more than a 32-bit count holds")
        }
        var state = SelectionState(era: self, options: options)
        // (row, position) of the symbols that stay: read-time rules, then validity. A record's
        // position is its index among the records accepted at read time (docs/behaviour.md §3.1).
        // The name is read once, while the read-time rules have it in cache; the validity stage
        // then reads addresses (and a name only at a range's end).
        var accepted: [AcceptedRow] = []
        accepted.reserveCapacity(rows.count)
        var textRow: Int?
        // A row whose verdict needs no state (nearly all) takes it from `verdicts` when there are.
        let verdicts = warm.flatMap { ReadTimeVerdicts(rows, state: state, on: $0) }
        for row in 0..<rows.count {
            if let verdicts {
                switch verdicts[row] {
                case .dropped: continue
                case .accepted(let validity):
                    accepted.append((Int32(truncatingIfNeeded: row), validity))
                    continue
                case .needsState: break
                }
            }
            let address = rows.address(row), type = rows.type(row)
            let marks = state.textMarks
            let validity = rows.withName(row) { name in
                state.acceptsAtReadTime(address: address, type: type, name: name) ? state.nameValidity(name) : nil
            }
            if state.textMarks != marks { textRow = row }
            if let validity { accepted.append((Int32(truncatingIfNeeded: row), validity)) }
        }
        var kept: [RowSelection.Entry] = []
        kept.reserveCapacity(accepted.count)
        for (position, (row, validity)) in accepted.enumerated() {
            let index = Int(row)
            if state.isValid(address: rows.address(index), nameValidity: validity, name: { rows.withName(index, $0) }) {
                kept.append(
                    RowSelection.Entry(
                        row: row, position: Int32(truncatingIfNeeded: position), type: rows.type(index), isPercpuAbsolute: false))
            }
        }
        try checkNotEmpty(kept.count)
        // The rewrite to type A happens before sorting, so the weak test sees the new type.
        if let percpuRange = percpuRange(state, options: options) {
            for index in kept.indices where percpuRange.contains(rows.address(Int(kept[index].row))) {
                kept[index].type = UInt8(ascii: "A")
                kept[index].isPercpuAbsolute = true
            }
        }
        AddressOrder.sort(
            &kept, address: { rows.address(Int($0.row)) },
            key: { entry in
                let row = Int(entry.row)
                return rows.withName(row) {
                    AddressOrder.Key(address: rows.address(row), type: entry.type, name: $0, position: Int(entry.position))
                }
            })
        return (kept, state.textAddress, textRow, accepted)
    }

    /// A row the read-time rules accepted, and its name's part of the validity stage.
    typealias AcceptedRow = (row: Int32, name: SelectionState.NameValidity)

    /// Tables of at least this many rows have their read-time verdicts found on two threads.
    static let verdictsOnTwoThreadsFrom = 16_384

    /// v3.3–v6.1 refuse an empty selection (docs/behaviour.md §3.3).
    private func checkNotEmpty(_ count: Int) throws {
        if count == 0 && rules.refusesEmptySelection {
            throw KallsymsError(.noValidSymbol, "No valid symbol.")
        }
    }

    /// The per-cpu range of `--absolute-percpu`: empty unless both markers were kept
    /// (docs/behaviour.md §3.4).
    private func percpuRange(_ state: SelectionState, options: KallsymsOptions) -> ClosedRange<UInt64>? {
        guard options.absolutePercpu && rules.recordsPercpuMarkers, let start = state.percpuStart,
            let end = state.percpuEnd, start <= end
        else { return nil }
        return start...end
    }
}

/// The markers seen while reading and the rules that use them.
struct SelectionState {
    /// The era's rules and name matchers (shared by every selection of the era).
    private let tables: SelectionTables
    private let allSymbols: Bool
    private let symbolPrefix: UInt8?
    var textAddress: UInt64 = 0
    /// How many `_text` records have set `textAddress` (a selection memo keeps the last one's row).
    var textMarks = 0
    /// `[start, end]` per text range; a range whose markers were not seen stays `[0, 0]`.
    var ranges: [(start: UInt64, end: UInt64)]
    var percpuStart: UInt64?
    var percpuEnd: UInt64?

    /// For the common case: `isPlain[type]`, `isPlain[256 + first byte]` and
    /// `isPlain[512 + last byte]` hold when no read-time rule looks at that byte (`_`, which every
    /// marker starts with, is never plain). A record plain on all three and free of the
    /// ignored substrings is kept without further tests. All false under `--symbol-prefix`.
    private let isPlain: [Bool]

    init(era: Era, options: KallsymsOptions) {
        tables = SelectionTables.of(era)
        allSymbols = options.allSymbols
        symbolPrefix = options.symbolPrefix
        ranges = Array(repeating: (0, 0), count: tables.rangeStartNames.count)
        isPlain = options.symbolPrefix == nil ? tables.isPlain : SelectionTables.nothingPlain
    }

    /// The name the rules compare: v3.3 strips one leading `--symbol-prefix` character.
    @inline(__always)
    func comparedName(_ name: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        if let prefix = symbolPrefix, name.first == prefix { return UnsafeBufferPointer(rebasing: name.dropFirst()) }
        return name
    }

    /// What a record is to the read-time rules.
    enum ReadTimeVerdict {
        case dropped
        case kept
        /// `_text`: remember its address; `keep` says whether the symbol itself stays.
        case text(keep: Bool)
        /// A range marker at `range`, start or end.
        case rangeMarker(range: Int, isStart: Bool)
        case percpuStart, percpuEnd
    }

    /// The index of the range whose start (or end) marker `name` is.
    private func rangeMarker(_ name: UnsafeBufferPointer<UInt8>) -> (range: Int, isStart: Bool)? {
        // Every range marker starts with "_" and is at most 10 bytes long.
        guard name.first == UInt8(ascii: "_"), name.count <= 10 else { return nil }
        for index in tables.rangeStartNames.indices {
            if name.equals(tables.rangeStartNames[index]) { return (index, true) }
            if name.equals(tables.rangeEndNames[index]) { return (index, false) }
        }
        return nil
    }

    /// The read-time rules of docs/behaviour.md §3.1, without side effects. `storedName` is the
    /// name as read (v3.3's `$` test looks at it before the symbol prefix is stripped).
    func verdict(type: UInt8, storedName: UnsafeBufferPointer<UInt8>) -> ReadTimeVerdict {
        let name = comparedName(storedName)
        let isText = name.equals("_text")
        if tables.rules.markersBypassReadTimeRules {
            if isText { return .text(keep: true) }
            if let marker = rangeMarker(name) { return .rangeMarker(range: marker.range, isStart: marker.isStart) }
            return isIgnored(type, name, storedName) ? .dropped : .kept
        }
        if isText { return .text(keep: !isIgnored(type, name, storedName)) }
        if isIgnored(type, name, storedName) { return .dropped }
        if let marker = rangeMarker(name) { return .rangeMarker(range: marker.range, isStart: marker.isStart) }
        if tables.rules.recordsPercpuMarkers {
            if name.equals("__per_cpu_start") { return .percpuStart }
            if name.equals("__per_cpu_end") { return .percpuEnd }
        }
        return .kept
    }

    /// Applies the read-time rules and records the markers; returns whether the record is kept.
    @inline(__always)
    mutating func acceptsAtReadTime(address: UInt64, type: UInt8, name: UnsafeBufferPointer<UInt8>) -> Bool {
        if isPlainlyKept(type: type, name: name) { return true }
        return acceptsAtReadTime(verdict(type: type, storedName: name), address: address)
    }

    /// The read-time rules' quick answer for nearly every record: a type and a first and last
    /// name byte that no rule looks at, and none of the era's ignored substrings, mean kept with
    /// no marker to record. False sends the record through `verdict(type:storedName:)`.
    @inline(__always)
    private func isPlainlyKept(type: UInt8, name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = name.first else { return false }
        return isPlain[Int(type)] && isPlain[256 &+ Int(first)] && isPlain[512 &+ Int(name[name.count &- 1])]
            && !tables.ignoredSubstrings.matches(name)
    }

    /// Whether the read-time rules accept a record and the validity stage then keeps it, when
    /// neither depends on anything but its type and name under `--all-symbols`; nil for `_text`
    /// (its address is the selection's `textAddress`). Pure: no marker is recorded.
    func fixedVerdict(type: UInt8, name: UnsafeBufferPointer<UInt8>) -> (accepted: Bool, kept: Bool)? {
        switch readTimeVerdict(type: type, name: name) {
        case .dropped: return (false, false)
        case .text: return nil
        case .kept, .rangeMarker, .percpuStart, .percpuEnd: return (true, nameValidity(name) != .dropped)
        }
    }

    /// The read-time verdict of a row with its name's validity when it needs no state (nor
    /// changes any): `.needsState` for `_text`, the range markers and the per-cpu markers.
    @inline(__always)
    func pureVerdict(type: UInt8, name: UnsafeBufferPointer<UInt8>) -> ReadTimeVerdicts.Verdict {
        switch readTimeVerdict(type: type, name: name) {
        case .dropped: return .dropped
        case .kept: return ReadTimeVerdicts.Verdict(accepted: nameValidity(name))
        case .text, .rangeMarker, .percpuStart, .percpuEnd: return .needsState
        }
    }

    /// `verdict(type:storedName:)`, through the quick answer for a plainly kept record.
    @inline(__always)
    private func readTimeVerdict(type: UInt8, name: UnsafeBufferPointer<UInt8>) -> ReadTimeVerdict {
        isPlainlyKept(type: type, name: name) ? .kept : verdict(type: type, storedName: name)
    }

    /// `fixedVerdict(type:name:)` of a record.
    func fixedVerdict(_ record: SymbolRecord) -> (accepted: Bool, kept: Bool)? {
        record.name.withUnsafeBufferPointer { fixedVerdict(type: record.type, name: $0) }
    }

    /// Records the markers a verdict names; returns whether the record is kept.
    private mutating func acceptsAtReadTime(_ verdict: ReadTimeVerdict, address: UInt64) -> Bool {
        switch verdict {
        case .dropped: return false
        case .kept: return true
        case .text(let keep):
            textAddress = address
            textMarks &+= 1
            return keep
        case .rangeMarker(let range, let isStart):
            if isStart { ranges[range].start = address } else { ranges[range].end = address }
            return true
        case .percpuStart:
            percpuStart = address
            return true
        case .percpuEnd:
            percpuEnd = address
            return true
        }
    }

    private func isIgnored(_ type: UInt8, _ name: UnsafeBufferPointer<UInt8>, _ storedName: UnsafeBufferPointer<UInt8>) -> Bool {
        if type == UInt8(ascii: "A") || type == UInt8(ascii: "a") { return !SelectionTables.absoluteWhitelist.matches(name) }
        if tables.ignoredTypes[Int(type)] { return true }
        if tables.rules.dropsMappingAndDollarSymbols {
            if Self.isARMMappingSymbol(name) || storedName.first == UInt8(ascii: "$") { return true }
        }
        return tables.ignoredNames.matches(name) || tables.ignoredPrefixes.matches(name) || tables.ignoredSuffixes.matches(name)
            || tables.ignoredSubstrings.matches(name)
    }

    /// `$a`, `$t`, `$d`, alone or followed by `.` and anything (v3.3).
    static func isARMMappingSymbol(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count >= 2, name[0] == UInt8(ascii: "$") else { return false }
        let kind = name[1]
        guard kind == UInt8(ascii: "a") || kind == UInt8(ascii: "t") || kind == UInt8(ascii: "d") else { return false }
        return name.count == 2 || name[2] == UInt8(ascii: ".")
    }

    /// What the validity stage (docs/behaviour.md §3.2) decides from a name alone.
    enum NameValidity {
        /// v3.3's pass-varying names: dropped even with `--all-symbols`.
        case dropped
        /// v6.19+'s `__start_`/`__stop_` names: kept whatever their address.
        case keptAnywhere
        /// Up to the address tests.
        case byAddress
    }

    /// The name's part of the validity stage (read while the read-time rules have the name).
    func nameValidity(_ storedName: UnsafeBufferPointer<UInt8>) -> NameValidity {
        let name = comparedName(storedName)
        if tables.passVaryingNames.matches(name) || tables.passVaryingSubstrings.matches(name) { return .dropped }
        if tables.rules.alwaysKeepsStartStopSymbols && (name.hasPrefix("__start_") || name.hasPrefix("__stop_")) {
            return .keptAnywhere
        }
        return .byAddress
    }

    /// The validity stage of docs/behaviour.md §3.2, given the name's part of it: `name` hands
    /// the stored name to its argument, and is called only for a symbol at a range's end (the
    /// `_etext` corner case).
    func isValid(
        address: UInt64, nameValidity: NameValidity, name: ((UnsafeBufferPointer<UInt8>) -> Bool) -> Bool
    ) -> Bool {
        switch nameValidity {
        case .dropped: return false
        case .keptAnywhere: return true
        case .byAddress: break
        }
        if allSymbols { return true }
        guard ranges.contains(where: { $0.start <= address && address <= $0.end }) else { return false }
        // Symbols at _etext / _einittext may move across the boundary between passes.
        for index in 0..<min(2, ranges.count) where address == ranges[index].end {
            if name({ !comparedName($0).equals(tables.rangeEndNames[index]) }) { return false }
        }
        return true
    }
}

/// The read-time rules' verdict on every row of a table, found on two threads (`ChunkedWork`):
/// a verdict that depends on nothing but the row (dropped, or accepted with its name's
/// validity) is final; a row that would record a marker or `_text` is left to the selection's
/// one pass in order, which owns the state. Each chunk's rows are written in place, by the
/// thread that claimed it.
struct ReadTimeVerdicts {
    enum Verdict: UInt8 {
        case dropped, needsState, acceptedDropped, acceptedAnywhere, acceptedByAddress

        init(accepted validity: SelectionState.NameValidity) {
            switch validity {
            case .dropped: self = .acceptedDropped
            case .keptAnywhere: self = .acceptedAnywhere
            case .byAddress: self = .acceptedByAddress
            }
        }
    }

    enum Row {
        case dropped, needsState
        case accepted(SelectionState.NameValidity)
    }

    private let verdicts: [Verdict]

    /// nil for a table too small to be worth a second thread.
    init?<Rows: SelectionRows>(_ rows: Rows, state: SelectionState, on warm: Concurrently.WarmCore) {
        let count = rows.count
        guard count >= Era.verdictsOnTwoThreadsFrom else { return nil }
        let bounds = ChunkedWork<Void>.bounds(ofItems: count, minimum: 2_048)
        verdicts = [Verdict](unsafeUninitializedCapacity: count) { buffer, initialized in
            let start = buffer.baseAddress!
            _ = ChunkedWork(bounds: bounds) { chunk in
                for row in bounds[chunk]..<bounds[chunk + 1] {
                    let verdict = rows.withName(row) { name in state.pureVerdict(type: rows.type(row), name: name) }
                    (start + row).initialize(to: verdict)
                }
            }.run(on: warm)
            initialized = count
        }
    }

    subscript(row: Int) -> Row {
        switch verdicts[row] {
        case .dropped: .dropped
        case .needsState: .needsState
        case .acceptedDropped: .accepted(.dropped)
        case .acceptedAnywhere: .accepted(.keptAnywhere)
        case .acceptedByAddress: .accepted(.byAddress)
        }
    }
}

/// What `SelectionState` needs from an era's rules, built once per era (a shrink or a small
/// property case selects thousands of times; building the name matchers was a few per cent of
/// each of its builds).
struct SelectionTables: Sendable {
    let rules: EraRules
    let rangeStartNames: [[UInt8]]
    let rangeEndNames: [[UInt8]]
    let ignoredNames: NameMatcher
    let ignoredPrefixes: NameMatcher
    let ignoredSuffixes: NameMatcher
    let ignoredSubstrings: NameMatcher
    let passVaryingNames: NameMatcher
    let passVaryingSubstrings: NameMatcher
    let ignoredTypes: [Bool]
    /// `SelectionState.isPlain` without `--symbol-prefix`.
    let isPlain: [Bool]

    static let absoluteWhitelist = NameMatcher(EraRules.absoluteWhitelist, mode: .exact)
    /// `isPlain` under `--symbol-prefix`: no byte is plain.
    static let nothingPlain = [Bool](repeating: false, count: 768)
    // One lazily built value per era: a `compress` run needs one era's tables, and building
    // all six (and a dictionary keyed by `Era`, whose metadata the runtime looks up through
    // the conformance tables of the whole executable) took about 0.7 ms of each run.
    private static let v3_3 = SelectionTables(Era.v3_3.rules)
    private static let v5_10 = SelectionTables(Era.v5_10.rules)
    private static let v6_1 = SelectionTables(Era.v6_1.rules)
    private static let v6_12 = SelectionTables(Era.v6_12.rules)
    private static let v6_19 = SelectionTables(Era.v6_19.rules)
    private static let v7_0 = SelectionTables(Era.v7_0.rules)

    static func of(_ era: Era) -> SelectionTables {
        switch era {
        case .v3_3: v3_3
        case .v5_10: v5_10
        case .v6_1: v6_1
        case .v6_12: v6_12
        case .v6_19: v6_19
        case .v7_0: v7_0
        }
    }

    init(_ rules: EraRules) {
        self.rules = rules
        rangeStartNames = rules.textRanges.map { Array($0.start.utf8) }
        rangeEndNames = rules.textRanges.map { Array($0.end.utf8) }
        ignoredNames = NameMatcher(rules.ignoredNames, mode: .exact)
        ignoredPrefixes = NameMatcher(rules.ignoredPrefixes, mode: .prefix)
        ignoredSuffixes = NameMatcher(rules.ignoredSuffixes, mode: .suffix)
        ignoredSubstrings = NameMatcher(rules.ignoredSubstrings, mode: .substring)
        passVaryingNames = NameMatcher(rules.passVaryingNames, mode: .exact)
        passVaryingSubstrings = NameMatcher(rules.passVaryingSubstrings, mode: .substring)
        var types = Array(repeating: false, count: 256)
        for type in rules.ignoredTypes { types[Int(type)] = true }
        ignoredTypes = types
        var plain = Array(repeating: true, count: 768)
        for type in rules.ignoredTypes.union([UInt8(ascii: "A"), UInt8(ascii: "a")]) { plain[Int(type)] = false }
        for name in Array(rules.ignoredNames) + rules.ignoredPrefixes { if let first = name.first { plain[256 + Int(first)] = false } }
        plain[256 + Int(UInt8(ascii: "_"))] = false
        if rules.dropsMappingAndDollarSymbols { plain[256 + Int(UInt8(ascii: "$"))] = false }
        for suffix in rules.ignoredSuffixes { if let last = suffix.last { plain[512 + Int(last)] = false } }
        isPlain = plain
    }
}

/// What a selection reads of its input's rows: records in place, or parsed columns.
protocol SelectionRows {
    var count: Int { get }
    func address(_ row: Int) -> UInt64
    func type(_ row: Int) -> UInt8
    func withName<R>(_ row: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R
}

/// Records, each with its own name array.
struct RecordRows: SelectionRows {
    let records: UnsafeBufferPointer<SymbolRecord>
    var count: Int { records.count }
    @inline(__always) func address(_ row: Int) -> UInt64 { records[row].address }
    @inline(__always) func type(_ row: Int) -> UInt8 { records[row].type }
    @inline(__always) func withName<R>(_ row: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        records[row].name.withUnsafeBufferPointer(body)
    }
}

/// A `SymbolTable`'s columns; `nameBytes` is its names' buffer.
struct ColumnRows: SelectionRows {
    let table: SymbolTable
    let nameBytes: UnsafeBufferPointer<UInt8>
    var count: Int { table.count }
    @inline(__always) func address(_ row: Int) -> UInt64 { table.addresses[row] }
    @inline(__always) func type(_ row: Int) -> UInt8 { table.types[row] }
    @inline(__always) func withName<R>(_ row: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(UnsafeBufferPointer(rebasing: nameBytes[table.names.start(of: row)..<table.names.ends[row]]))
    }
}
