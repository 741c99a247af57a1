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
