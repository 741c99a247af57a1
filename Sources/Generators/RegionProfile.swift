import Compressor

/// One region of a kernel image as a profile describes it (text, rodata, init, per-cpu, data,
/// bss, …): where it starts, how many ordinary symbols it holds, their type letters, how their
/// addresses are spaced and grouped, and the markers and alias blocks it contains.
public struct RegionProfile: Hashable, Sendable, Codable {
    /// `"text"`, `"rodata"`, … (see `MarkerRules.regionBoundaries`), or `"low"`, `"high"`, `"all"`.
    public var name: String
    /// The address of the region's first symbol in the learned map.
    public var start: UInt64
    /// The largest power of two (at most 4 MiB) dividing `start`: where a generated region
    /// starts when the one before it grew past `start`.
    public var alignment: UInt64
    /// The learned map's address space between `start` and the next region's start (or the
    /// top of the address space): a generated region of the learned size never grows past it.
    public var room: UInt64
    /// Ordinary symbols (neither markers nor alias-block members) in the learned map.
    public var symbolCount: Int
    /// Type letter → number of ordinary symbols with it (keys escaped as in `NameEscaping`).
    public var typeLetters: [String: Int]
    /// Sizes of the groups of ordinary symbols sharing one address (1 for a lone symbol).
    public var groupSizes: Histogram
    /// Distances between consecutive distinct addresses of ordinary symbols.
    public var gaps: GapModel
    /// The region's markers, in map order.
    public var markers: [Marker]
    /// Large groups of symbols at one address, mostly weak aliases.
    public var aliasBlocks: [AliasBlock]

    public init(
        name: String, start: UInt64, alignment: UInt64, room: UInt64, symbolCount: Int,
        typeLetters: [String: Int], groupSizes: Histogram, gaps: GapModel,
        markers: [Marker], aliasBlocks: [AliasBlock]
    ) {
        self.name = name
        self.start = start
        self.alignment = alignment
        self.room = room
        self.symbolCount = symbolCount
        self.typeLetters = typeLetters
        self.groupSizes = groupSizes
        self.gaps = gaps
        self.markers = markers
        self.aliasBlocks = aliasBlocks
    }

    enum CodingKeys: String, CodingKey {
        case name, start, alignment, room, symbolCount, typeLetters, groupSizes, gaps, markers, aliasBlocks
    }

    /// Reads the JSON form described on the type.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        start = try HexNumber.decode(container, .start)
        alignment = try HexNumber.decode(container, .alignment)
        room = try HexNumber.decode(container, .room)
        symbolCount = try container.decode(Int.self, forKey: .symbolCount)
        typeLetters = try container.decode([String: Int].self, forKey: .typeLetters)
        groupSizes = try container.decode(Histogram.self, forKey: .groupSizes)
        gaps = try container.decode(GapModel.self, forKey: .gaps)
        markers = try container.decode([Marker].self, forKey: .markers)
        aliasBlocks = try container.decode([AliasBlock].self, forKey: .aliasBlocks)
    }

    /// Writes the JSON form described on the type.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(HexNumber.text(start), forKey: .start)
        try container.encode(HexNumber.text(alignment), forKey: .alignment)
        try container.encode(HexNumber.text(room), forKey: .room)
        try container.encode(symbolCount, forKey: .symbolCount)
        try container.encode(typeLetters, forKey: .typeLetters)
        try container.encode(groupSizes, forKey: .groupSizes)
        try container.encode(gaps, forKey: .gaps)
        try container.encode(markers, forKey: .markers)
        try container.encode(aliasBlocks, forKey: .aliasBlocks)
    }
}

/// A type byte and a name, written in JSON as one string `"T _stext"` (name escaped as in
/// `NameEscaping`).
public struct ProfileSymbol: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The type byte.
    public var type: UInt8
    /// The name bytes.
    public var name: [UInt8]

    public init(type: UInt8, name: [UInt8]) {
        self.type = type
        self.name = name
    }

    /// `T _stext`.
    public var description: String { NameEscaping.escapeType(type) + " " + NameEscaping.escape(name) }

    /// Reads the JSON form described on the type.
    public init(from decoder: Decoder) throws {
        let text = try String(from: decoder)
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        do {
            guard parts.count == 2 else { throw ProfileError("expected \"TYPE NAME\"") }
            type = try NameEscaping.unescapeType(parts[0])
            name = try NameEscaping.unescape(parts[1])
        } catch let error as any LocatedError {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "\"\(text)\": \(error.message)"))
        }
    }

    /// Writes the JSON form described on the type.
    public func encode(to encoder: Encoder) throws {
        try description.encode(to: encoder)
    }
}

/// A linker-provided symbol kept by name, type and relative place in its region.
public struct Marker: Hashable, Sendable, Codable {
    /// The marker's type and name, e.g. `D __per_cpu_start`.
    public var symbol: ProfileSymbol
    /// How many of the region's ordinary symbols precede it (out of the region's `symbolCount`):
    /// a generated region of n symbols places it after `ordinaryBefore · n / symbolCount` of them.
    public var ordinaryBefore: Int
    /// Whether the symbol just before it in the learned map had the same address.
    public var sharesAddressWithPrevious: Bool
    /// Whether the symbol just after it in the learned map had the same address.
    public var sharesAddressWithNext: Bool

    public init(
        symbol: ProfileSymbol, ordinaryBefore: Int, sharesAddressWithPrevious: Bool,
        sharesAddressWithNext: Bool
    ) {
        self.symbol = symbol
        self.ordinaryBefore = ordinaryBefore
        self.sharesAddressWithPrevious = sharesAddressWithPrevious
        self.sharesAddressWithNext = sharesAddressWithNext
    }

    /// Whether it is one of `MarkerRules.boundaryNames`.
    public var isBoundary: Bool { MarkerRules.isBoundary(symbol.name) }
}

/// A large group of symbols at one address, mostly weak aliases of one function (like the 78
/// weak `sys_*`/`compat_sys_*` aliases of `sys_ni_syscall` on 32-bit ARM).
public struct AliasBlock: Hashable, Sendable, Codable {
    /// How many of the region's ordinary symbols precede the block.
    public var ordinaryBefore: Int
    /// Every member in `nm -n` order.
    public var members: [ProfileSymbol]

    public init(ordinaryBefore: Int, members: [ProfileSymbol]) {
        self.ordinaryBefore = ordinaryBefore
        self.members = members
    }

    /// The first `count` members a scaled-down map keeps: the non-weak ones (the alias
    /// targets) first, then weak ones in map order.
    public func members(keeping count: Int) -> [ProfileSymbol] {
        let targets = members.filter { !MarkerRules.isWeak($0.type) }
        let aliases = members.filter { MarkerRules.isWeak($0.type) }
        return Array((targets + aliases).prefix(count))
    }
}

/// Addresses written as `"0x…"` strings in profiles (JSON numbers lose 64-bit precision in
/// many readers, and hex is what a kernel developer reads).
enum HexNumber {
    static func text(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    static func parse(_ text: String) -> UInt64? {
        guard text.hasPrefix("0x") else { return UInt64(text) }
        return UInt64(text.dropFirst(2), radix: 16)
    }

    static func decode<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> UInt64 {
        let text = try container.decode(String.self, forKey: key)
        guard let value = parse(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container,
                debugDescription: "\"\(text)\" is not a hexadecimal address")
        }
        return value
    }
}
