/// One line of an `nm -n` map as an era's parser read it (docs/behaviour.md §2).
///
/// Names are bytes, never `String`: the kernel compares and compresses bytes, and a
/// name may hold any byte but NUL (C strings end there) and, per era, blanks.
public struct SymbolRecord: Hashable, Sendable {
    /// The symbol's value as parsed (hexadecimal in the map, saturated at 2⁶⁴−1).
    public var address: UInt64
    /// The nm type letter byte (`T`, `t`, `D`, …).
    public var type: UInt8
    /// The name bytes, without the type and without any line terminator.
    public var name: [UInt8]
    /// The 1-based line of the input on which the record's address started (0 when unknown).
    public var line: Int

    public init(address: UInt64, type: UInt8, name: [UInt8], line: Int = 0) {
        self.address = address
        self.type = type
        self.name = name
        self.line = line
    }

    /// Convenience for tests and generators: `SymbolRecord(0xc0008000, "T", "_text")`.
    public init(_ address: UInt64, _ type: Character, _ name: String, line: Int = 0) {
        self.init(
            address: address, type: type.asciiValue ?? UInt8(ascii: "?"),
            name: Array(name.utf8), line: line)
    }

    /// The string the kernel stores and compresses: the type byte, then the name
    /// (docs/behaviour.md §2.3).
    public var storedString: [UInt8] { [type] + name }

    /// Records are equal when address, type and name are; the line is where a record came
    /// from, not what it is.
    public static func == (a: SymbolRecord, b: SymbolRecord) -> Bool {
        a.address == b.address && a.type == b.type && a.name == b.name
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(address)
        hasher.combine(type)
        hasher.combine(name)
    }
}

/// A symbol that survived an era's selection, in the form the later stages need.
public struct KeptSymbol: Hashable, Sendable {
    // (The one-byte fields come last: 40 bytes a symbol instead of 48.)
    /// The symbol's address.
    public var address: UInt64
    /// The name bytes.
    public var name: [UInt8]
    /// The order in which the parser accepted the record: the last tie-breaker of
    /// docs/behaviour.md §4.1.
    public var position: Int
    /// The input line the record came from (0 when unknown).
    public var line: Int
    /// The type byte as stored (after v5.10/v6.1's per-cpu `A` override).
    public var type: UInt8
    /// Set by `--absolute-percpu` (v5.10, v6.1): the address is emitted as an absolute value.
    public var isPercpuAbsolute: Bool

    public init(
        address: UInt64, type: UInt8, name: [UInt8], isPercpuAbsolute: Bool = false,
        position: Int, line: Int = 0
    ) {
        self.address = address
        self.type = type
        self.name = name
        self.isPercpuAbsolute = isPercpuAbsolute
        self.position = position
        self.line = line
    }

    /// `type ++ name`: the byte string that is compressed (docs/behaviour.md §2.3).
    public var storedString: [UInt8] { [type] + name }
}
