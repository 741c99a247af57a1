import Compressor

/// What is known about an image before its tables are searched for.
public struct SearchContext: Sendable {
    /// The byte order, when the container says (an ELF header, an arm64 Image header).
    public var byteOrder: ByteOrder?
    /// The pointer size in bytes, when the container says.
    public var wordSize: Int?
    /// Where the image's bytes sit in the kernel's address space, when known.
    public var segments: [Segment]
    /// The offset in the whole image of the searched bytes' first byte (`StreamSearch` searches a window).
    var streamOffset = 0
    /// The whole image's file, when only a window of it is searched: arm64's relocations, which
    /// give a zero `kallsyms_relative_base` its value, are read from it.
    var relocationFile: (descriptor: Int32, size: Int)?
    /// Whether the searched bytes may be only part of the image (a window of a stream):
    /// readings that need the whole image are then refused, not guessed.
    var isPartial = false

    /// A run of file bytes loaded at a virtual address (an ELF `PT_LOAD`, or a raw image at `--load-address`).
    public struct Segment: Hashable, Sendable {
        public var offset: Int
        public var size: Int
        public var virtualAddress: UInt64
        public var memorySize: UInt64

        public init(offset: Int, size: Int, virtualAddress: UInt64, memorySize: UInt64) {
            self.offset = offset
            self.size = size
            self.virtualAddress = virtualAddress
            self.memorySize = memorySize
        }
    }

    public init(byteOrder: ByteOrder? = nil, wordSize: Int? = nil, segments: [Segment] = []) {
        self.byteOrder = byteOrder
        self.wordSize = wordSize
        self.segments = segments
    }

    /// The virtual address of a file offset, when a segment holds it.
    public func virtualAddress(ofOffset offset: Int) -> UInt64? {
        for segment in segments where offset >= segment.offset && offset < segment.offset + segment.size {
            return segment.virtualAddress &+ UInt64(offset - segment.offset)
        }
        return nil
    }

    /// Whether `address` lies in the kernel's span: from the lowest to the end of the highest
    /// loaded segment, leaving out segments more than 4 GiB below the highest (x86_64's
    /// per-cpu segment at 0). Symbols such as `__end_rodata` sit in gaps between segments.
    func contains(_ address: UInt64) -> Bool {
        guard let span = kernelSpan else { return true }
        return span.contains(address)
    }

    var kernelSpan: ClosedRange<UInt64>? {
        // A segment that would wrap past the top of the address space ends there.
        let ends = segments.map { $0.virtualAddress.addingReportingOverflow($0.memorySize) }
        guard let top = ends.map({ $0.overflow ? UInt64.max : $0.partialValue }).max() else { return nil }
        let kernel = segments.filter { top - $0.virtualAddress <= 1 << 32 }
        guard let low = kernel.map(\.virtualAddress).min() else { return nil }
        return low...top
    }
}

/// Where one table sits in the searched bytes.
public struct TableLocation: Hashable, Sendable {
    public var name: String
    public var offset: Int
    public var size: Int
}

/// How the address table stores addresses (docs/behaviour.md §6.4).
public enum AddressStyle: String, Hashable, Sendable {
    /// `kallsyms_addresses`: one pointer per symbol (v3.3; v5.10/v6.1 without `--base-relative`).
    case absolute = "absolute"
    /// `kallsyms_offsets` + `kallsyms_relative_base` (v5.10/v6.1 `--base-relative`, v6.19).
    case baseRelative = "base-relative"
    /// v5.10/v6.1 `--base-relative --absolute-percpu`.
    case absolutePercpu = "base-relative, absolute-percpu"
    /// v7.0 `--pc-relative`: each entry is the distance from its own slot.
    case pcRelative = "pc-relative"
    /// v7.0 without `--pc-relative`: the low 32 bits of each address.
    case absolute32 = "absolute 32-bit"
}

/// The tables found in an image and what was detected about them.
public struct FoundTables: Sendable {
    public var byteOrder: ByteOrder
    /// The pointer size the address table or relative base implies (4 when nothing says).
    public var wordSize: Int
    /// The size of `kallsyms_num_syms` and each marker (pointer-sized in v3.3, else 4).
    public var countSize: Int
    public var addressStyle: AddressStyle
    public var lengthPrefix: EraRules.LengthPrefix
    /// Whether some name needs a two-byte length (otherwise the one-byte reading is the same).
    public var hasLongNames: Bool
    /// `kallsyms_relative_base`, when the style has one.
    public var relativeBase: UInt64?
    /// Every table found, in the order they sit in the image.
    public var locations: [TableLocation]
    /// The tables as the decoder reads them.
    public var raw: RawKallsymsTables
    /// The symbols in table order.
    public var symbols: [DecodedSymbol]

    /// Whether the address table comes before `kallsyms_num_syms` (≤ v6.1) rather than after the token index.
    public var addressTableFirst: Bool {
        guard let address = locations.first(where: { $0.name == "kallsyms_offsets" || $0.name == "kallsyms_addresses" }),
            let count = locations.first(where: { $0.name == "kallsyms_num_syms" })
        else { return false }
        return address.offset < count.offset
    }
}

/// Finds kallsyms tables in a byte image by their invariants (issue 18, docs/behaviour.md §6–§7): the token
/// index points at the NUL-terminated token table just before it, `kallsyms_num_syms` names
/// exactly as many symbols as the names stream holds, every name starts with a type letter,
/// the markers equal the offsets of every 256th symbol, the address table gives sorted
/// addresses (inside the loaded segments when they are known), and `kallsyms_seqs_of_names`
/// (where present) is a permutation in name order.
///
/// Complexity: one pass over the bytes for token-index candidates and one for the count
/// word; false candidates are rejected after a few symbols.
public enum TableFinder {
    /// Finds and decodes the tables; throws `ImageError` when none, or several readings that
    /// disagree, are found.
    public static func find(in bytes: UnsafeBufferPointer<UInt8>, context: SearchContext = SearchContext()) throws -> FoundTables {
        let orders: [ByteOrder] = context.byteOrder.map { [$0] } ?? [.little, .big]
        let tokens = tokenCandidates(bytes, orders: orders)
        guard !tokens.isEmpty else { throw noTokenTable(bytes.count) }
        return try resolve(bytes, tokens: tokens, context: context)
    }

    /// The error for bytes without a token table; callers that search further recognise it by its prefix.
    static func noTokenTable(_ count: Int) -> ImageError {
        ImageError(
            "no kallsyms token table (256 NUL-terminated strings followed by their 256 increasing offsets) "
                + "in \(count) bytes")
    }

    /// The tables around `tokens` (found in `bytes`), decoded; throws as `find` does.
    /// `names`: their name candidates, when the caller has already looked for them.
    static func resolve(
        _ bytes: UnsafeBufferPointer<UInt8>, tokens: [TokenCandidate], names known: [NamesCandidate]? = nil,
        context: SearchContext
    ) throws -> FoundTables {
        let names = known ?? tokens.flatMap { nameCandidates(bytes, token: $0, context: context) }
        guard !names.isEmpty else {
            let places = tokens.prefix(3).map { "\(hex($0.tableOffset)) (\($0.order.rawValue))" }.joined(separator: ", ")
            throw ImageError("found a token table at \(places) but no kallsyms_num_syms, kallsyms_names and kallsyms_markers that agree with it")
        }
        var refusals: [String] = []
        // Readings that give the same symbols are the same answer (kept as they come, so that
        // no duplicate holds its symbols longer than its comparison).
        var distinct: [FoundTables] = []
        for candidate in names {
            let (found, refused) = readings(bytes, names: candidate, context: context)
            for result in found where !distinct.contains(where: { $0.symbols == result.symbols }) { distinct.append(result) }
            refusals += refused
        }
        if distinct.count == 1 { return distinct[0] }
        let first = names[0]
        let what = "\(first.count) symbols in kallsyms_names at \(hex(first.namesOffset))"
        if distinct.isEmpty {
            if let refusal = refusals.first { throw ImageError("\(what), but \(refusal)") }
            throw ImageError(
                "\(what), but no address table next to them gives sorted addresses"
                    + (context.segments.isEmpty ? "" : " inside the image's segments"))
        }
        let readings = distinct.prefix(4).map { "\($0.addressStyle.rawValue) with \($0.wordSize)-byte words" }
        throw ImageError(
            "\(what): \(distinct.count) readings of the address table are plausible (\(readings.joined(separator: "; "))); "
                + "give --word-size or --byte-order")
    }

    // MARK: - Token table and index

    struct TokenCandidate {
        var order: ByteOrder
        var indexOffset: Int
        var tableOffset: Int
        var tableSize: Int
        var index: [UInt16]
        var expansions: [[UInt8]]
    }

    /// Every place where 256 increasing 16-bit offsets follow a table of 256 NUL-terminated strings they point into.
    /// Only token indexes starting at even offsets from `start` are looked at (a stream search
    /// scans each new chunk once).
    static func tokenCandidates(_ bytes: UnsafeBufferPointer<UInt8>, orders: [ByteOrder], from start: Int = 0) -> [TokenCandidate] {
        var result: [TokenCandidate] = []
        let count = bytes.count
        guard count >= 512 + 256 else { return result }
        var position = max(256, start + (start & 1))
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        while position + 512 <= count {
            // token_index[0] is 0 and token_index[1] is not: most 8-byte words hold no 16-bit
            // zero at an even offset and are skipped whole (the test has no false negatives:
            // a zero half borrows into its own top bit). `position + 512 <= count` keeps the load in range.
            let word = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            if (word &- 0x0001_0001_0001_0001) & ~word & 0x8000_8000_8000_8000 == 0 {
                position &+= 8
                continue
            }
            // Look at each of the four positions in the word; zero runs fail on token_index[1].
            for at in stride(from: position, to: min(position &+ 8, count &- 511), by: 2)
            where bytes[at] == 0 && bytes[at &+ 1] == 0 && bytes[at &+ 2] | bytes[at &+ 3] != 0 {
                result += tokenIndexes(bytes, at: at, orders: orders)
            }
            position &+= 8
        }
        return result
    }

    /// The token tables whose token index, in one of `orders`, starts at `position`.
    static func tokenIndexes(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, orders: [ByteOrder]) -> [TokenCandidate] {
        var result: [TokenCandidate] = []
        for order in orders {
            let reader = WordReader(bytes: bytes, order: order)
            var previous = reader.u16(at: position + 2)
            guard previous >= 1 && previous <= 1024 else { continue }
            var increasing = true
            for k in 2..<256 {
                let value = reader.u16(at: position + 2 * k)
                if value <= previous || value - previous > 1024 {
                    increasing = false
                    break
                }
                previous = value
            }
            guard increasing else { continue }
            let index = (0..<256).map { UInt16(reader.u16(at: position + 2 * $0)) }
            result += tokenTables(bytes, index: index, indexOffset: position, order: order)
        }
        return result
    }

    /// The token tables that end at most 16 bytes before `indexOffset` and agree with `index`.
    static func tokenTables(
        _ bytes: UnsafeBufferPointer<UInt8>, index: [UInt16], indexOffset: Int,
        order: ByteOrder
    ) -> [TokenCandidate] {
        var result: [TokenCandidate] = []
        let last = Int(index[255])
        for end in stride(from: indexOffset, through: max(indexOffset - 16, 2), by: -1) where bytes[end - 1] == 0 {
            // The last token runs from the NUL that ends token 254 to the NUL at end - 1.
            var scan = end - 2
            while scan >= 0 && bytes[scan] != 0 && end - scan < 4096 { scan -= 1 }
            let start = scan + 1 - last
            guard scan >= 0, start >= 0, !result.contains(where: { $0.tableOffset == start }) else { continue }
            var expansions: [[UInt8]] = []
            expansions.reserveCapacity(256)
            var valid = true
            for code in 0..<256 {
                let first = start + Int(index[code])
                let terminator = code < 255 ? start + Int(index[code + 1]) - 1 : end - 1
                guard first <= terminator, bytes[terminator] == 0 else {
                    valid = false
                    break
                }
                var k = first
                while k < terminator && bytes[k] != 0 { k += 1 }
                guard k == terminator else {
                    valid = false
                    break
                }
                expansions.append(Array(bytes[first..<terminator]))
            }
            // Every symbol's first code expands to its type letter: a table without one holds no symbols.
            guard valid, expansions.contains(where: { ($0.first ?? 0) | 0x20 >= 0x61 && ($0.first ?? 0) | 0x20 <= 0x7A }) else { continue }
            result.append(
                TokenCandidate(
                    order: order, indexOffset: indexOffset, tableOffset: start,
                    tableSize: end - start, index: index, expansions: expansions))
        }
        return result
    }
}
