import Synchronization

/// The symbols an era keeps from a parsed map, in address order (docs/behaviour.md §3, §4.1).
///
/// A selection made from records (`Era.select(_:options:)`) holds the records and the kept
/// rows until someone reads `symbols`: its stored strings and its tables come from the rows, so
/// a build's pass that only needs those never makes the `KeptSymbol`s (107 000 name arrays
/// retained, then released, per pass of an ARM-sized layout).
public struct Selection: Hashable, Sendable {
    /// The kept symbols sorted by the era's address order (made on first read from a
    /// selection of records, once: copies share them).
    public var symbols: [KeptSymbol] {
        get {
            switch storage {
            case .symbols(let symbols): symbols
            case .rows(let rows): rows.symbols
            }
        }
        set { storage = .symbols(newValue) }
    }
    /// The address of the symbol named `_text` (last one wins), 0 when there is none.
    public var textAddress: UInt64
    /// How many records the parser produced.
    public var recordsRead: Int

    private var storage: Storage
    private enum Storage: Sendable {
        case symbols([KeptSymbol])
        case rows(RecordRowSelection)
    }

    public init(symbols: [KeptSymbol], textAddress: UInt64, recordsRead: Int) {
        storage = .symbols(symbols)
        self.textAddress = textAddress
        self.recordsRead = recordsRead
    }

    /// The selection of `entries` (kept rows in address order) from `records`, whose kept
    /// symbols are made when first read.
    init(entries: [RowSelection.Entry], of records: [SymbolRecord], textAddress: UInt64) {
        storage = .rows(RecordRowSelection(records: records, entries: entries))
        self.textAddress = textAddress
        recordsRead = records.count
    }

    /// How many symbols are kept.
    public var count: Int {
        switch storage {
        case .symbols(let symbols): symbols.count
        case .rows(let rows): rows.entries.count
        }
    }

    /// The stored strings (`type ++ name`) in address order: the compressor's input.
    public var storedStrings: ByteStrings {
        switch storage {
        case .symbols(let symbols):
            Self.storedStrings(count: symbols.count) {
                symbols[$0].type
            } name: {
                symbols[$0].name
            }
        case .rows(let rows):
            rows.records.withUnsafeBufferPointer { records in
                Self.storedStrings(count: rows.entries.count) {
                    rows.entries[$0].type
                } name: {
                    records[Int(rows.entries[$0].row)].name
                }
            }
        }
    }

    @inline(__always)
    private static func storedStrings(
        count: Int, type: (Int) -> UInt8, name: (Int) -> [UInt8]
    ) -> ByteStrings {
        var total = 0
        for index in 0..<count { total += name(index).count + 1 }
        return ByteStrings(count: count, totalLength: total) { index, at in
            at[0] = type(index)
            return name(index).withUnsafeBufferPointer { name in
                if let base = name.baseAddress { (at + 1).initialize(from: base, count: name.count) }
                return name.count + 1
            }
        }
    }

    /// The kept rows, when this is a selection from records (what the tables read without
    /// making the kept symbols).
    var recordRows: RecordRowColumns? {
        guard case .rows(let rows) = storage else { return nil }
        return RecordRowColumns(rows: rows, textAddress: textAddress)
    }

    public static func == (a: Selection, b: Selection) -> Bool {
        a.textAddress == b.textAddress && a.recordsRead == b.recordsRead && a.symbols == b.symbols
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(textAddress)
        hasher.combine(recordsRead)
        hasher.combine(symbols)
    }
}

/// The kept rows of a selection from records, and its kept symbols once made.
final class RecordRowSelection: Sendable {
    let records: [SymbolRecord]
    let entries: [RowSelection.Entry]
    private let made = Mutex<[KeptSymbol]?>(nil)

    init(records: [SymbolRecord], entries: [RowSelection.Entry]) {
        self.records = records
        self.entries = entries
    }

    var symbols: [KeptSymbol] {
        made.withLock { made in
            if let made { return made }
            let symbols = Era.keptSymbols(entries, of: records)
            made = symbols
            return symbols
        }
    }
}

/// A selection's made kept symbols, as the tables read them.
struct MadeSymbols: KeptColumns {
    let selection: Selection
    let symbols: [KeptSymbol]

    init(selection: Selection) {
        self.selection = selection
        symbols = selection.symbols
    }

    var count: Int { symbols.count }
    var textAddress: UInt64 { selection.textAddress }
    var storedStrings: ByteStrings { selection.storedStrings }
    func address(_ index: Int) -> UInt64 { symbols[index].address }
    func isPercpuAbsolute(_ index: Int) -> Bool { symbols[index].isPercpuAbsolute }
    func name(_ index: Int) -> [UInt8] { symbols[index].name }
    func line(_ index: Int) -> Int { symbols[index].line }
}

/// A selection of records' kept rows, as the tables read them.
struct RecordRowColumns: KeptColumns, Sendable {
    let rows: RecordRowSelection
    let textAddress: UInt64

    var count: Int { rows.entries.count }
    var storedStrings: ByteStrings {
        Selection(entries: rows.entries, of: rows.records, textAddress: textAddress).storedStrings
    }
    func address(_ index: Int) -> UInt64 { rows.records[Int(rows.entries[index].row)].address }
    func isPercpuAbsolute(_ index: Int) -> Bool { rows.entries[index].isPercpuAbsolute }
    func name(_ index: Int) -> [UInt8] { rows.records[Int(rows.entries[index].row)].name }
    // The line as `SymbolTable` stores it (32 bits), as `Era.keptSymbols` makes it.
    func line(_ index: Int) -> Int { Int(Int32(truncatingIfNeeded: rows.records[Int(rows.entries[index].row)].line)) }
}

/// A selection from a `SymbolTable` before its kept symbols are made: which rows stay, in the
/// era's address order, with their type after the per-cpu rewrite (`Era.selectRows`). Its
/// stored strings are the compressor's input and its rows are all the tables need;
/// `selection` makes the `KeptSymbol`s, one name array each, which `Era.generate` leaves until
/// someone asks for `KallsymsRun.selection` (the `.S` does not).
struct RowSelection: Sendable {
    struct Entry: Sendable {
        var row: Int32
        /// The record's index among those the read-time rules accepted.
        var position: Int32
        var type: UInt8
        var isPercpuAbsolute: Bool
    }

    let table: SymbolTable
    let entries: [Entry]
    let textAddress: UInt64

    var count: Int { entries.count }

    /// `type ++ name` of each kept symbol, in address order (as `Selection.storedStrings`).
    var storedStrings: ByteStrings { storedStrings(on: nil) }

    /// `storedStrings`, the bytes copied on `warm` too when there is one and the selection is
    /// large: the end offsets are summed first, so each chunk of symbols knows where its
    /// strings go (`ChunkedWork`).
    func storedStrings(on warm: Concurrently.WarmCore?) -> ByteStrings {
        let names = table.names, entries = self.entries
        let ends = names.ends.withUnsafeBufferPointer { nameEnds in
            [Int](unsafeUninitializedCapacity: entries.count) { ends, initialized in
                var total = 0
                for (index, entry) in entries.enumerated() {
                    let row = Int(entry.row)
                    total &+= nameEnds[row] &- (row == 0 ? 0 : nameEnds[row &- 1]) &+ 1
                    ends[index] = total
                }
                initialized = entries.count
            }
        }
        let bytes = [UInt8](unsafeUninitializedCapacity: ends.last ?? 0) { buffer, initialized in
            let base = buffer.baseAddress
            names.bytes.withUnsafeBufferPointer { nameBytes in
                names.ends.withUnsafeBufferPointer { nameEnds in
                    ends.withUnsafeBufferPointer { ends in
                        entries.withUnsafeBufferPointer { entries in
                            // Strings `range` of the selection, each at its offset.
                            func copy(_ range: Range<Int>) {
                                for index in range {
                                    let row = Int(entries[index].row)
                                    let start = row == 0 ? 0 : nameEnds[row &- 1]
                                    let at = base! + (index == 0 ? 0 : ends[index &- 1])
                                    at.initialize(to: entries[index].type)
                                    let length = nameEnds[row] &- start
                                    if length > 0 { (at + 1).initialize(from: nameBytes.baseAddress! + start, count: length) }
                                }
                            }
                            if let warm, entries.count >= Self.storedStringsOnTwoThreadsFrom {
                                let bounds = ChunkedWork<Void>.bounds(ofItems: entries.count, minimum: 4_096)
                                _ = ChunkedWork(bounds: bounds) { chunk in copy(bounds[chunk]..<bounds[chunk + 1]) }.run(on: warm)
                            } else {
                                copy(0..<entries.count)
                            }
                        }
                    }
                }
            }
            initialized = ends.last ?? 0
        }
        return ByteStrings(bytes: bytes, ends: ends)
    }

    /// Selections of at least this many symbols have their stored strings copied on two threads.
    static let storedStringsOnTwoThreadsFrom = 16_384

    /// The kept symbols' addresses, in address order.
    var addresses: [UInt64] { entries.map { table.addresses[Int($0.row)] } }

    /// The selection these rows make.
    var selection: Selection {
        let table = self.table, entries = self.entries, names = table.names
        let symbols = names.bytes.withUnsafeBufferPointer { bytes in
            [KeptSymbol](unsafeUninitializedCapacity: entries.count) { buffer, initialized in
                for (index, entry) in entries.enumerated() {
                    let row = Int(entry.row)
                    (buffer.baseAddress! + index).initialize(
                        to: KeptSymbol(
                            address: table.addresses[row], type: entry.type,
                            name: Array(UnsafeBufferPointer(rebasing: bytes[names.start(of: row)..<names.ends[row]])),
                            isPercpuAbsolute: entry.isPercpuAbsolute, position: Int(entry.position),
                            line: Int(table.lines[row])))
                }
                initialized = entries.count
            }
        }
        return Selection(symbols: symbols, textAddress: textAddress, recordsRead: table.count)
    }
}
