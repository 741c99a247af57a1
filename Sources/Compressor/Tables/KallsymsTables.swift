import Synchronization

/// The kallsyms tables of one generator run, as values (docs/behaviour.md §6).
///
/// Holds the compressed names without their length prefixes, the token table, the address
/// tables and (v6.19+) the name index; the byte forms of `kallsyms_names`, `kallsyms_markers`,
/// `kallsyms_token_table` and `kallsyms_token_index` are derived from them.
public struct KallsymsTables: Hashable, Sendable {
    /// The compressed symbols in address order, without length prefixes.
    public var compressedNames: ByteStrings
    /// How each name's length is encoded.
    public var lengthPrefix: EraRules.LengthPrefix
    /// The expansion of each of the 256 codes.
    public var tokenExpansions: [[UInt8]]
    /// The address tables. A pointer table (`kallsyms_addresses`) of a build's pass may be
    /// made when first read (`DeferredPointerTable`): most passes of a campaign need only
    /// its size, which the layout reads without making it.
    public var addresses: AddressTable {
        get {
            switch addressSource {
            case .made(let table): table
            case .deferred(let table): .addresses(table.entries)
            }
        }
        set { addressSource = .made(newValue) }
    }
    private(set) var addressSource: AddressSource
    /// v6.19+: for each position in name order, the symbol's index in address order.
    public var seqsOfNames: [Int]?

    public init(
        compressedNames: ByteStrings, lengthPrefix: EraRules.LengthPrefix, tokenExpansions: [[UInt8]],
        addresses: AddressTable, seqsOfNames: [Int]?
    ) {
        self.compressedNames = compressedNames
        self.lengthPrefix = lengthPrefix
        self.tokenExpansions = tokenExpansions
        self.addressSource = .made(addresses)
        self.seqsOfNames = seqsOfNames
    }

    /// Tables whose address table is `addresses`, made or still to be made.
    init(
        compressedNames: ByteStrings, lengthPrefix: EraRules.LengthPrefix, tokenExpansions: [[UInt8]],
        addressSource: AddressSource, seqsOfNames: [Int]?
    ) {
        self.compressedNames = compressedNames
        self.lengthPrefix = lengthPrefix
        self.tokenExpansions = tokenExpansions
        self.addressSource = addressSource
        self.seqsOfNames = seqsOfNames
    }

    /// An address table, or a pointer table to be made when first read.
    enum AddressSource: Sendable {
        case made(AddressTable)
        case deferred(DeferredPointerTable)
    }

    public static func == (a: KallsymsTables, b: KallsymsTables) -> Bool {
        a.compressedNames == b.compressedNames && a.lengthPrefix == b.lengthPrefix
            && a.tokenExpansions == b.tokenExpansions && a.seqsOfNames == b.seqsOfNames && a.addresses == b.addresses
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(compressedNames)
        hasher.combine(lengthPrefix)
        hasher.combine(tokenExpansions)
        hasher.combine(addresses)
        hasher.combine(seqsOfNames)
    }

    /// `kallsyms_num_syms`.
    public var symbolCount: Int { compressedNames.count }

    /// The length prefix bytes of a compressed name of `length` bytes. One-byte prefixes keep
    /// the low byte, as the assembler does with v3.3's unchecked `.byte 0x1f4`.
    public static func prefix(of length: Int, _ style: EraRules.LengthPrefix) -> [UInt8] {
        let bytes = prefixBytes(of: length, style)
        return bytes.second.map { [bytes.first, $0] } ?? [bytes.first]
    }

    /// `prefix(of:_:)` without an array: the first byte and, for a long base-128 length, the second.
    @inline(__always)
    static func prefixBytes(of length: Int, _ style: EraRules.LengthPrefix) -> (first: UInt8, second: UInt8?) {
        switch style {
        case .oneByte: return (UInt8(truncatingIfNeeded: length), nil)
        case .base128:
            if length <= 0x7F { return (UInt8(length), nil) }
            return (UInt8(length & 0x7F) | 0x80, UInt8((length >> 7) & 0x7F))
        }
    }

    /// How many prefix bytes a name of `length` bytes takes.
    @inlinable public static func prefixSize(of length: Int, _ style: EraRules.LengthPrefix) -> Int {
        style == .base128 && length > 0x7F ? 2 : 1
    }

    /// The bytes of `kallsyms_names`: each symbol's prefix and compressed bytes.
    public var names: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(namesSize)
        for index in compressedNames.indices {
            let prefix = Self.prefixBytes(of: compressedNames.length(of: index), lengthPrefix)
            bytes.append(prefix.first)
            if let second = prefix.second { bytes.append(second) }
            bytes.append(contentsOf: compressedNames[index])
        }
        return bytes
    }

    /// The size of `kallsyms_names` in bytes.
    public var namesSize: Int { Self.namesSize(compressedNames, lengthPrefix) }

    /// The size of a `kallsyms_names` holding `compressed` with `style` length prefixes.
    public static func namesSize(_ compressed: ByteStrings, _ style: EraRules.LengthPrefix) -> Int {
        // One-byte prefixes: one per name, whatever its length (no name needs reading).
        guard style == .base128 else { return compressed.totalLength + compressed.count }
        var size = compressed.totalLength
        for index in compressed.indices { size += prefixSize(of: compressed.length(of: index), style) }
        return size
    }

    /// `kallsyms_markers`: the offset in `kallsyms_names` of every 256th symbol.
    public var markers: [Int] {
        var result: [Int] = []
        result.reserveCapacity((symbolCount + 255) / 256)
        var offset = 0
        for index in compressedNames.indices {
            if index & 0xFF == 0 { result.append(offset) }
            let length = compressedNames.length(of: index)
            offset += Self.prefixSize(of: length, lengthPrefix) + length
        }
        return result
    }

    /// `kallsyms_token_table`: the 256 expansions, each NUL-terminated.
    public var tokenTable: [UInt8] {
        var bytes: [UInt8] = []
        for expansion in tokenExpansions {
            bytes.append(contentsOf: expansion)
            bytes.append(0)
        }
        return bytes
    }

    /// `kallsyms_token_index`: the offset of each expansion in the token table.
    public var tokenIndex: [UInt16] {
        var result: [UInt16] = []
        result.reserveCapacity(256)
        var offset = 0
        for expansion in tokenExpansions {
            result.append(UInt16(truncatingIfNeeded: offset))
            offset += expansion.count + 1
        }
        return result
    }

    /// The raw form the decoder reads.
    public var raw: RawKallsymsTables {
        RawKallsymsTables(
            symbolCount: symbolCount, names: names, markers: markers.map { UInt64($0) },
            tokenTable: tokenTable, tokenIndex: tokenIndex, addresses: addresses,
            lengthPrefix: lengthPrefix, seqsOfNames: seqsOfNames)
    }
}

/// Kallsyms tables as bytes and numbers, as read from an image or a `.S` file
/// (docs/behaviour.md §7).
public struct RawKallsymsTables: Hashable, Sendable {
    public var symbolCount: Int
    public var names: [UInt8]
    public var markers: [UInt64]
    public var tokenTable: [UInt8]
    public var tokenIndex: [UInt16]
    public var addresses: AddressTable
    public var lengthPrefix: EraRules.LengthPrefix
    public var seqsOfNames: [Int]?

    public init(
        symbolCount: Int, names: [UInt8], markers: [UInt64], tokenTable: [UInt8], tokenIndex: [UInt16],
        addresses: AddressTable, lengthPrefix: EraRules.LengthPrefix, seqsOfNames: [Int]? = nil
    ) {
        self.symbolCount = symbolCount
        self.names = names
        self.markers = markers
        self.tokenTable = tokenTable
        self.tokenIndex = tokenIndex
        self.addresses = addresses
        self.lengthPrefix = lengthPrefix
        self.seqsOfNames = seqsOfNames
    }
}

/// A pointer table (`kallsyms_addresses`) made the first time its entries are read, then
/// kept; its size is known before. Thread-safe: a build's outputs are shared.
final class DeferredPointerTable: Sendable {
    /// How many entries the table has.
    let count: Int
    private let make: @Sendable () -> [AddressEntry]
    private let made = Mutex<[AddressEntry]?>(nil)

    init(count: Int, make: @escaping @Sendable () -> [AddressEntry]) {
        self.count = count
        self.make = make
    }

    /// Whether the entries have been made.
    var isMade: Bool { made.withLock { $0 != nil } }

    var entries: [AddressEntry] {
        made.withLock { made in
            if let made { return made }
            let entries = make()
            precondition(entries.count == count, "DeferredPointerTable: the table made is not of the size promised")
            made = entries
            return entries
        }
    }
}
