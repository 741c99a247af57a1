import Compressor

/// What `nm -n` prints for a linked image (docs/behaviour.md §9): undefined symbols first (weak
/// references the kernel declares but nothing defines), then defined symbols by address,
/// equal addresses by name bytes (`LC_COLLATE=C`).
public struct LinkedMap: Hashable, Sendable {
    /// The defined symbols in `nm -n` order; `line` is 0 as linked. A build's pass that feeds
    /// the raw map to kallsyms (v3.3, v5.10) numbers the lines as kallsyms reads them: the map's
    /// records are that pass's input (`BuildPass`).
    public var symbols: [SymbolRecord]
    /// Undefined weak references (`w` with a blank address), sorted by name.
    public var undefinedWeak: [[UInt8]]

    /// A map; `symbols` must already be in `nm -n` order.
    public init(symbols: [SymbolRecord], undefinedWeak: [[UInt8]] = []) {
        self.symbols = symbols
        self.undefinedWeak = undefinedWeak
    }

    /// The `nm -n` text, addresses `addressWidth` hex digits wide (8 for 32-bit targets).
    public func text(addressWidth: Int = 8) -> [UInt8] {
        var bytes: [UInt8] = []
        for name in undefinedWeak {
            bytes += [UInt8](repeating: 0x20, count: addressWidth + 1) + [UInt8(ascii: "w"), 0x20] + name + [0x0A]
        }
        return bytes + MapWriter.write(symbols, addressWidth: addressWidth)
    }

    /// The address of the first symbol named `name`, if any.
    public func address(of name: String) -> UInt64? { record(named: name)?.address }

    /// The first record named `name`, if any.
    public func record(named name: String) -> SymbolRecord? {
        let bytes = Array(name.utf8)
        return symbols.first { $0.name == bytes }
    }
}

extension SymbolRecord {
    /// Same address, type and name (the input line is not compared).
    @inlinable func sameLine(as other: SymbolRecord) -> Bool {
        address == other.address && type == other.type && name == other.name
    }
}
