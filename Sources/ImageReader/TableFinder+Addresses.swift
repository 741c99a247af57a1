import Compressor

extension TableFinder {
    /// One way of reading the address table next to a names candidate.
    struct AddressReading {
        var style: AddressStyle
        var wordSize: Int
        var table: AddressTable
        var relativeBase: UInt64?
        var locations: [TableLocation]
        /// Entries that are absolute per-cpu values, exempt from the segment check.
        var absoluteEntries: [Bool]?
    }

    /// The readings of the address table that give sorted addresses, decoded; and why the
    /// otherwise plausible ones were refused.
    static func readings(
        _ bytes: UnsafeBufferPointer<UInt8>, names: NamesCandidate,
        context: SearchContext
    ) -> (found: [FoundTables], refused: [String]) {
        var refused: [String] = []
        let candidates = addressReadings(bytes, names: names, context: context, refused: &refused)
        guard !candidates.isEmpty else { return ([], refused) }
        let reader = WordReader(bytes: bytes, order: names.token.order)
        var found: [FoundTables] = []
        for reading in candidates {
            var locations =
                [
                    TableLocation(name: "kallsyms_num_syms", offset: names.countOffset, size: names.countSize),
                    TableLocation(name: "kallsyms_names", offset: names.namesOffset, size: names.namesEnd - names.namesOffset),
                    TableLocation(name: "kallsyms_markers", offset: names.markersOffset, size: names.markersEnd - names.markersOffset),
                    TableLocation(name: "kallsyms_token_table", offset: names.token.tableOffset, size: names.token.tableSize),
                    TableLocation(name: "kallsyms_token_index", offset: names.token.indexOffset, size: 512),
                ] + reading.locations
            let markers = (0..<(names.count + 255) / 256).map {
                reader.word(at: names.markersOffset + $0 * names.countSize, size: names.countSize)
            }
            var raw = RawKallsymsTables(
                symbolCount: names.count, names: Array(bytes[names.namesOffset..<names.namesEnd]), markers: markers,
                tokenTable: Array(bytes[names.token.tableOffset..<(names.token.tableOffset + names.token.tableSize)]),
                tokenIndex: names.token.index, addresses: reading.table, lengthPrefix: names.lengthPrefix)
            guard let symbols = try? TableDecoder.decode(raw) else { continue }
            // A reading that gives the symbols of an earlier one is the same answer (`resolve`
            // keeps the first): drop it now rather than hold a second copy of every symbol.
            if found.contains(where: { $0.symbols == symbols }) { continue }
            if !context.segments.isEmpty {
                let outside = symbols.indices.first { index in
                    let symbol = symbols[index]
                    if symbol.type == UInt8(ascii: "A") || symbol.type == UInt8(ascii: "a") { return false }
                    if reading.absoluteEntries?[index] == true { return false }
                    return !context.contains(symbol.address)
                }
                if let outside {
                    refused.append(
                        "the \(reading.style.rawValue) reading puts \(printable(symbols[outside].name)) at "
                            + "\(hex(symbols[outside].address)), outside the image's segments")
                    continue
                }
            }
            let lastTable = reading.locations.map { $0.offset + $0.size }.max() ?? 0
            if let seqs = seqsOfNames(bytes, after: [names.markersEnd, lastTable], symbols: symbols) {
                raw.seqsOfNames = seqs.values
                locations.append(TableLocation(name: "kallsyms_seqs_of_names", offset: seqs.offset, size: 3 * names.count))
            }
            found.append(
                FoundTables(
                    byteOrder: names.token.order, wordSize: reading.wordSize, countSize: names.countSize,
                    addressStyle: reading.style, lengthPrefix: names.lengthPrefix,
                    hasLongNames: names.hasLongNames, relativeBase: reading.relativeBase,
                    locations: locations.sorted { $0.offset < $1.offset }, raw: raw, symbols: symbols))
        }
        return (found, refused)
    }

    /// The address tables that can sit next to these names: before `kallsyms_num_syms`
    /// (v3.3–v6.1) or after `kallsyms_token_index` (v6.19, v7.0).
    static func addressReadings(
        _ bytes: UnsafeBufferPointer<UInt8>, names: NamesCandidate, context: SearchContext,
        refused: inout [String]
    ) -> [AddressReading] {
        let count = names.count
        let reader = WordReader(bytes: bytes, order: names.token.order)
        let wordSizes = context.wordSize.map { [$0] } ?? [4, 8]
        var result: [AddressReading] = []
        func offsets(at start: Int) -> [UInt32] { (0..<count).map { reader.u32(at: start + 4 * $0) } }

        // Before kallsyms_num_syms: kallsyms_addresses, or kallsyms_offsets and kallsyms_relative_base.
        for wordSize in wordSizes where names.countOffset % wordSize == 0 {
            // The table ends at the count or, with v3.3's 16-byte `.align 4` on ARM, up to 12 bytes before it.
            for padding in stride(from: 0, to: 16, by: wordSize) {
                let start = names.countOffset - padding - count * wordSize
                guard start >= 0 else { break }
                // Alignment padding is zeros.
                if padding > 0 && bytes[(names.countOffset - padding)..<names.countOffset].contains(where: { $0 != 0 }) { break }
                let values = (0..<count).map { reader.word(at: start + wordSize * $0, size: wordSize) }
                // The first entries may be per-cpu symbols at 0 (x86_64 before base-relative tables).
                // Most entries lie within 1 GiB below the last one: a base-relative table
                // (small offsets, then the base) read as addresses does not.
                let last = values[count - 1]
                guard isSorted(values) else { continue }
                let near = values.reduce(0) { $0 + (last - $1 <= 1 << 30 ? 1 : 0) }  // sorted: last ≥ every entry
                // Only 64-bit kernels (x86_64's per-cpu symbols) start a kallsyms_addresses at 0.
                if last != 0 && values[0] != last && 2 * near > count && plausible(last, wordSize) && (wordSize == 8 || values[0] != 0) {
                    result.append(
                        AddressReading(
                            style: .absolute, wordSize: wordSize,
                            table: .addresses(values.map { .absolute($0) }), relativeBase: nil,
                            locations: [TableLocation(name: "kallsyms_addresses", offset: start, size: count * wordSize)]))
                    break
                }
            }
            let baseOffset = names.countOffset - wordSize
            let offsetsStart = baseOffset - alignUp(4 * count, wordSize)
            guard offsetsStart >= 0 else { continue }
            result += baseRelativeReadings(
                bytes, stored: offsets(at: offsetsStart), offsetsStart: offsetsStart,
                baseOffset: baseOffset, wordSize: wordSize, order: names.token.order, context: context,
                refused: &refused)
        }

        // After kallsyms_token_index: kallsyms_offsets (+ kallsyms_relative_base in v6.19).
        let indexEnd = names.token.indexOffset + 512
        // v6.19: `ALGN` (the word size) before kallsyms_offsets and kallsyms_relative_base.
        for wordSize in wordSizes {
            let offsetsStart = alignUp(indexEnd, wordSize)
            let baseOffset = alignUp(offsetsStart + 4 * count, wordSize)
            guard baseOffset + wordSize <= bytes.count else { continue }
            result += baseRelativeReadings(
                bytes, stored: offsets(at: offsetsStart), offsetsStart: offsetsStart,
                baseOffset: baseOffset, wordSize: wordSize, order: names.token.order, context: context,
                refused: &refused)
        }
        // v7.0: `.balign 4`, offsets only.
        let offsetsStart = alignUp(indexEnd, 4)
        if offsetsStart + 4 * count <= bytes.count {
            let stored = offsets(at: offsetsStart)
            let location = TableLocation(name: "kallsyms_offsets", offset: offsetsStart, size: 4 * count)
            let signed = stored.map { Int32(bitPattern: $0) }
            let distances = signed.indices.map { Int64(4 * $0) + Int64(signed[$0]) }
            if isSorted(distances) && !(stored[0] == 0 && isSorted(stored)) {
                if let address = context.virtualAddress(ofOffset: offsetsStart) {
                    result.append(
                        AddressReading(
                            style: .pcRelative, wordSize: context.wordSize ?? 8,
                            table: .slotRelative(signed, tableAddress: address), relativeBase: nil,
                            locations: [location]))
                } else {
                    refused.append(
                        "kallsyms_offsets at \(hex(offsetsStart)) hold pc-relative entries and the image does not "
                            + "say where it is loaded: give --load-address")
                }
            }
            if wordSizes.contains(4) && stored[0] != 0 && isSorted(stored) {
                result.append(
                    AddressReading(
                        style: .absolute32, wordSize: 4, table: .absolute32(stored), relativeBase: nil,
                        locations: [location]))
            }
        }
        // A 64-bit reading of a relative base that is a kernel address wins over the 4-byte
        // reading of half of it.
        return result.filter { reading in
            guard reading.wordSize == 4, let base = reading.locations.first(where: { $0.name == "kallsyms_relative_base" }) else { return true }
            return !result.contains { other in
                other.wordSize == 8 && other.relativeBase != nil
                    && other.locations.contains { $0.name == "kallsyms_relative_base" && abs($0.offset - base.offset) <= 4 }
            }
        }
    }

    /// The base-relative readings of `stored` offsets with the base word at `baseOffset`:
    /// plain (offsets start at 0) and `--absolute-percpu` (the first relative entry is −1).
    /// A zero 8-byte base is looked up in the image's relocations.
    static func baseRelativeReadings(
        _ bytes: UnsafeBufferPointer<UInt8>, stored: [UInt32], offsetsStart: Int, baseOffset: Int,
        wordSize: Int, order: ByteOrder, context: SearchContext, refused: inout [String]
    ) -> [AddressReading] {
        let count = stored.count
        let isPlain = stored[0] == 0 && isSorted(stored)
        let firstRelative = stored.firstIndex { Int32(bitPattern: $0) < 0 }
        let isPercpu = firstRelative.map { stored[$0] == 0xFFFF_FFFF } ?? false
        guard isPlain || isPercpu else { return [] }
        var base = WordReader(bytes: bytes, order: order).word(at: baseOffset, size: wordSize)
        if base == 0 && wordSize == 8 {
            // The relocation table is elsewhere in the image: only the whole image can say which entry patches the slot.
            let relocated =
                if let file = context.relocationFile {
                    relocatedValue(file: file.descriptor, size: file.size, slotOffset: context.streamOffset + baseOffset, order: order)
                } else if !context.isPartial {
                    relocatedValue(bytes, slotOffset: baseOffset, order: order)
                } else {
                    UInt64?.none
                }
            if let relocated { base = relocated }
        }
        if base == 0 {
            refused.append(
                "kallsyms_relative_base at \(hex(baseOffset)) is 0"
                    + (wordSize == 8 ? " and no single boot-time relocation of it was found" : ""))
            return []
        }
        // An 8-byte base is an upper-half address; a 32-bit kernel's addresses fit in 32 bits.
        guard plausible(base, wordSize), wordSize == 8 || isPercpu || base + UInt64(stored.max() ?? 0) <= 0xFFFF_FFFF else { return [] }
        let locations = [
            TableLocation(name: "kallsyms_offsets", offset: offsetsStart, size: 4 * count),
            TableLocation(name: "kallsyms_relative_base", offset: baseOffset, size: wordSize),
        ]
        var result: [AddressReading] = []
        if isPlain {
            result.append(
                AddressReading(
                    style: .baseRelative, wordSize: wordSize,
                    table: .baseRelative(offsets: stored, base: .absolute(base), absolutePercpu: false),
                    relativeBase: base, locations: locations))
        }
        if isPercpu {
            let table = AddressTable.baseRelative(offsets: stored, base: .absolute(base), absolutePercpu: true)
            if isSorted((0..<count).map { table.address(at: $0, text: 0) }) {
                result.append(
                    AddressReading(
                        style: .absolutePercpu, wordSize: wordSize, table: table, relativeBase: base,
                        locations: locations, absoluteEntries: stored.map { Int32(bitPattern: $0) >= 0 }))
            }
        }
        return result
    }

    /// `kallsyms_seqs_of_names` at one of the aligned places after `ends`: 3-byte big-endian
    /// indices forming a permutation that lists the names in order (strcmp, then address).
    static func seqsOfNames(
        _ bytes: UnsafeBufferPointer<UInt8>, after ends: [Int],
        symbols: [DecodedSymbol]
    ) -> (offset: Int, values: [Int])? {
        let count = symbols.count
        var places: [Int] = []
        for end in ends where end > 0 {
            for alignment in [1, 4, 8] where !places.contains(alignUp(end, alignment)) { places.append(alignUp(end, alignment)) }
        }
        for offset in places where offset + 3 * count <= bytes.count {
            var seen = [Bool](repeating: false, count: count)
            var values: [Int] = []
            values.reserveCapacity(count)
            var isPermutation = true
            for k in 0..<count {
                let at = offset + 3 * k
                let value = Int(bytes[at]) << 16 | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2])
                guard value < count, !seen[value] else {
                    isPermutation = false
                    break
                }
                seen[value] = true
                values.append(value)
            }
            guard isPermutation else { continue }
            var ordered = true
            for k in 1..<max(count, 1)
            where
                !(symbols[values[k - 1]].name.lexicographicallyPrecedes(symbols[values[k]].name)
                || symbols[values[k - 1]].name == symbols[values[k]].name)
            {
                ordered = false
                break
            }
            if ordered { return (offset, values) }
        }
        return nil
    }

    /// Whether `value` can be a kernel address held in a `wordSize`-byte word: a 64-bit
    /// kernel lives in the upper half of the address space (x86_64, arm64, riscv64, ppc64,
    /// mips64), so an 8-byte reading below 2^63 is half of something else.
    static func plausible(_ value: UInt64, _ wordSize: Int) -> Bool {
        wordSize == 4 || value >= 1 << 63
    }

    static func isSorted<T: Comparable>(_ values: [T]) -> Bool {
        for k in values.indices.dropFirst() where values[k] < values[k - 1] { return false }
        return true
    }
}
