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
        // Sized first, then filled in place: one allocation per column, a copy per name.
        let symbols = self.symbols
        var total = 0
        for index in symbols.indices { total += symbols[index].name.count + 1 }
        var ends: [Int] = []
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            ends = [Int](unsafeUninitializedCapacity: symbols.count) { endBuffer, endCount in
                var offset = 0
                for index in symbols.indices {
                    buffer[offset] = symbols[index].type
                    offset += 1
                    symbols[index].name.withUnsafeBufferPointer { name in
                        if let base = name.baseAddress {
                            (buffer.baseAddress! + offset).initialize(from: base, count: name.count)
                        }
                        offset += name.count
                    }
                    endBuffer[index] = offset
                }
                endCount = symbols.count
            }
            initialized = total
        }
        return ByteStrings(bytes: bytes, ends: ends)
    }
}
