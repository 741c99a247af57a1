/// The symbols an era keeps from a parsed map, in address order (spec §3, §4.1).
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
        var strings = ByteStrings()
        strings.reserve(strings: symbols.count, bytes: symbols.reduce(0) { $0 + $1.name.count + 1 })
        for symbol in symbols {
            strings.append(symbol.type, followedBy: symbol.name)
        }
        return strings
    }
}
