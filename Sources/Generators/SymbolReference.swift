import Compressor

/// Names one symbol of a map: by name, plus its address and an occurrence number when the name
/// repeats (the armhf map has 2350 repeated names, `__func__.1` among them).
///
/// Text form `NAME[@ADDRESS][#N]`: the name escaped as in `NameEscaping`, the address in hex
/// (at least 8 digits, no `0x`), `N` the 0-based occurrence among the symbols that match name
/// (and address, when given), in map order. `sys_ni_syscall`, `__func__.1@c0e0000c`,
/// `__key.0@c15ebbc8#2`.
public struct SymbolReference: Hashable, Sendable, CustomStringConvertible {
    /// The symbol's name bytes.
    public var name: [UInt8]
    /// The symbol's address, or nil to match any address.
    public var address: UInt64?
    /// Which of the matching symbols, from 0, in map order.
    public var occurrence: Int

    public init(name: [UInt8], address: UInt64? = nil, occurrence: Int = 0) {
        self.name = name
        self.address = address
        self.occurrence = occurrence
    }

    /// Convenience: `SymbolReference("sys_ni_syscall", at: 0xc03724cc)`.
    public init(_ name: String, at address: UInt64? = nil, occurrence: Int = 0) {
        self.init(name: Array(name.utf8), address: address, occurrence: occurrence)
    }

    /// The reference to `map[index]` that mutations print: name and address, and an occurrence
    /// only when several symbols share both.
    public static func canonical(_ index: Int, in map: [SymbolRecord]) -> SymbolReference {
        let record = map[index]
        // Equal (address, name) pairs are adjacent in nm order, but do not rely on it.
        var occurrence = 0
        for earlier in map[..<index] where earlier.address == record.address && earlier.name == record.name {
            occurrence += 1
        }
        return SymbolReference(name: record.name, address: record.address, occurrence: occurrence)
    }

    /// The index of the referenced symbol in `map`.
    /// - Throws: `MutationError(.noSuchSymbol)`.
    /// - Complexity: O(n).
    public func resolve(in map: [SymbolRecord]) throws -> Int {
        var seen = 0
        for (index, record) in map.enumerated()
        where record.name == name && (address == nil || record.address == address!) {
            if seen == occurrence { return index }
            seen += 1
        }
        throw MutationError(
            .noSuchSymbol,
            "no symbol \(self)"
                + (seen > 0 ? " (\(seen) symbol\(seen == 1 ? "" : "s") match; occurrences count from 0)" : ""))
    }

    /// `NAME[@ADDRESS][#N]`, the name escaped.
    public var description: String {
        var text = NameEscaping.escape(name)
        if let address { text += "@" + MutationText.address(address) }
        if occurrence > 0 { text += "#\(occurrence)" }
        return text
    }

    /// Parses `NAME[@ADDRESS][#N]`.
    /// - Throws: `MutationSyntaxError`.
    public init(parsing text: Substring) throws {
        var rest = text
        var occurrence = 0
        if let hash = rest.lastIndex(of: "#") {
            guard let value = Int(rest[rest.index(after: hash)...]), value >= 0 else {
                throw MutationSyntaxError("bad occurrence in symbol \"\(text)\" (NAME[@ADDRESS][#N])")
            }
            occurrence = value
            rest = rest[..<hash]
        }
        var address: UInt64?
        if let at = rest.lastIndex(of: "@") {
            address = try MutationText.parseAddress(rest[rest.index(after: at)...], what: "address in symbol \"\(text)\"")
            rest = rest[..<at]
        }
        guard !rest.isEmpty else { throw MutationSyntaxError("missing name in symbol \"\(text)\"") }
        self.init(name: try NameEscaping.unescape(rest), address: address, occurrence: occurrence)
    }
}
