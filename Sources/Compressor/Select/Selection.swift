/// The symbols an era keeps from a parsed map, in address order (docs/behaviour.md §3, §4.1).
public struct Selection: Hashable, Sendable {
    /// The kept symbols sorted by the era's address order.
    public var symbols: [KeptSymbol]
    /// The address of the symbol named `_text` (last one wins), 0 when there is none.
    public var textAddress: UInt64
    /// How many records the parser produced.
    public var recordsRead: Int

    public init(symbols: [KeptSymbol], textAddress: UInt64, recordsRead: Int) {
        self.symbols = symbols
        self.textAddress = textAddress
        self.recordsRead = recordsRead
    }

    /// The stored strings (`type ++ name`) in address order: the compressor's input.
    public var storedStrings: ByteStrings {
        let symbols = self.symbols
        var total = 0
        for index in symbols.indices { total += symbols[index].name.count + 1 }
        return ByteStrings(count: symbols.count, totalLength: total) { index, at in
            at[0] = symbols[index].type
            return symbols[index].name.withUnsafeBufferPointer { name in
                if let base = name.baseAddress { (at + 1).initialize(from: base, count: name.count) }
                return name.count + 1
            }
        }
    }
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
    var storedStrings: ByteStrings {
        let names = table.names, entries = self.entries
        var total = 0
        for entry in entries { total += names.length(of: Int(entry.row)) + 1 }
        return names.bytes.withUnsafeBufferPointer { bytes in
            ByteStrings(count: entries.count, totalLength: total) { index, at in
                let row = Int(entries[index].row)
                let start = names.start(of: row), length = names.ends[row] - start
                at[0] = entries[index].type
                if length > 0 { (at + 1).initialize(from: bytes.baseAddress! + start, count: length) }
                return length + 1
            }
        }
    }

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
