/// The target properties that decide how big the generated object is.
public struct TargetABI: Hashable, Sendable, CustomStringConvertible {
    /// `PTR` is `.long` (4) or `.quad` (8): `BITS_PER_LONG`.
    public var pointerSize: Int
    /// Whether `.align N` means 2^N bytes (ARM) rather than N bytes (x86). Only v3.3 uses `.align`.
    public var alignIsPowerOfTwo: Bool
    public var name: String

    public init(name: String, pointerSize: Int, alignIsPowerOfTwo: Bool) {
        self.name = name
        self.pointerSize = pointerSize
        self.alignIsPowerOfTwo = alignIsPowerOfTwo
    }

    public static let arm32 = TargetABI(name: "arm", pointerSize: 4, alignIsPowerOfTwo: true)
    public static let arm64 = TargetABI(name: "arm64", pointerSize: 8, alignIsPowerOfTwo: true)
    public static let x86_32 = TargetABI(name: "x86", pointerSize: 4, alignIsPowerOfTwo: false)
    public static let x86_64 = TargetABI(name: "x86_64", pointerSize: 8, alignIsPowerOfTwo: false)
    public static let all: [TargetABI] = [.arm32, .arm64, .x86_32, .x86_64]

    public var description: String { name }

    /// The bytes the table alignment directive of `era` aligns to on this target.
    public func tableAlignment(_ era: Era) -> Int {
        let rules = era.rules
        guard rules.preambleInclude != nil else { return 4 }  // v7.0: `.balign 4`
        let operand = pointerSize == 8 ? 8 : 4
        if rules.alignDirective == ".align" && alignIsPowerOfTwo { return 1 << operand }
        return operand
    }
}

/// Where each table sits inside the generated object's data (docs/behaviour.md §6.2), alignment
/// included.
public struct TableLayout: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var name: String
        public var offset: Int
        public var size: Int
    }

    /// The tables in the order the era writes them.
    public var entries: [Entry]
    /// The alignment of every table label.
    public var alignment: Int

    /// The size of the object's `.rodata` contribution: the end of the last table.
    public var totalSize: Int { entries.last.map { $0.offset + $0.size } ?? 0 }
    /// The bytes of all tables without padding.
    public var payloadSize: Int { entries.reduce(0) { $0 + $1.size } }

    public func size(of name: String) -> Int? { entries.first { $0.name == name }?.size }
}

extension KallsymsTables {
    /// The tables of `era` laid out for `target` (docs/behaviour.md §6.2 order, each label
    /// aligned).
    public func layout(era: Era, target: TargetABI) -> TableLayout {
        let rules = era.rules
        let pointer = target.pointerSize
        let count = rules.countsArePointerSized ? pointer : 4
        let addressTables = addressTableSizes(pointer: pointer)
        let common: [(String, Int)] = [
            ("kallsyms_num_syms", count),
            ("kallsyms_names", namesSize),
            ("kallsyms_markers", (symbolCount + 255) / 256 * count),
            ("kallsyms_token_table", tokenExpansions.reduce(0) { $0 + $1.count + 1 }),
            ("kallsyms_token_index", 2 * 256),
        ]
        var order = rules.addressTablesFirst ? addressTables + common : common + addressTables
        if let seqs = seqsOfNames { order.append(("kallsyms_seqs_of_names", seqs.count * 3)) }
        let alignment = target.tableAlignment(era)
        var offset = 0
        var entries: [TableLayout.Entry] = []
        for (name, size) in order {
            offset = (offset + alignment - 1) / alignment * alignment
            entries.append(.init(name: name, offset: offset, size: size))
            offset += size
        }
        return TableLayout(entries: entries, alignment: alignment)
    }

    /// The address tables' labels and sizes in bytes (a pointer table still to be made is
    /// not made: only its size is read).
    func addressTableSizes(pointer: Int) -> [(String, Int)] {
        if case .deferred(let table) = addressSource { return [("kallsyms_addresses", table.count * pointer)] }
        switch addresses {
        case .addresses(let entries): return [("kallsyms_addresses", entries.count * pointer)]
        case .baseRelative(let offsets, _, _): return [("kallsyms_offsets", offsets.count * 4), ("kallsyms_relative_base", pointer)]
        case .textRelative(let values): return [("kallsyms_offsets", values.count * 4)]
        case .slotRelative(let values, _): return [("kallsyms_offsets", values.count * 4)]
        case .absolute32(let values): return [("kallsyms_offsets", values.count * 4)]
        }
    }
}
