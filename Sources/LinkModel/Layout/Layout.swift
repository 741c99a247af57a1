import Compressor

/// A kernel image as the linker script lays it out: ordered output sections with their
/// symbols, the location-counter steps between them, and where the kallsyms tables go.
///
/// A layout is a plain value. It has a text form (`Layout(parsing:)`, `description`, see
/// `Layout+Text.swift`) and value transformations a shrinker needs (`Layout+Shrinking.swift`).
/// `LinkPlan` turns it into `nm -n` maps for any size of the kallsyms object
/// (docs/behaviour.md §8.4, §9).
public struct Layout: Hashable, Sendable {
    /// A name for messages (`layout NAME` in the text form), or nil.
    public var name: String?
    /// Pointer size and alignment rules of the generated kallsyms object.
    public var target: TargetABI
    /// The location counter's value before the first item (the image's link address).
    public var base: UInt64
    /// The linker script, in order.
    public var items: [Item]
    /// ARM layouts: the code is Thumb-2 (`instructions thumb2`), so calls are Thumb `bl`
    /// (±16 MB) to Thumb functions. False for every other layout.
    public var usesThumb: Bool = false

    /// A layout; an empty one links to an empty map.
    public init(name: String? = nil, target: TargetABI = .arm32, base: UInt64 = 0, items: [Item] = []) {
        self.name = name
        self.target = target
        self.base = base
        self.items = items
    }

    /// One statement of the linker script.
    public enum Item: Hashable, Sendable {
        /// An output section.
        case section(Section)
        /// `. = ALIGN(n);` between output sections.
        case align(UInt64)
        /// `NAME = .;` between output sections: an absolute symbol (`nm` letter `A`), as the
        /// 2012 toolchains made every symbol assigned outside an output section
        /// (docs/behaviour.md §9, the seed's `A __data_loc`, `A __init_end`).
        case absolute([UInt8])
    }

    /// The sections, in order.
    public var sections: [Section] {
        items.compactMap { if case .section(let section) = $0 { return section } else { return nil } }
    }

    /// Whether a section symbol, marker or absolute symbol of the layout is named `name`.
    public func defines(_ name: [UInt8]) -> Bool {
        items.contains { item in
            switch item {
            case .align: return false
            case .absolute(let absolute): return absolute == name
            case .section(let section):
                return section.members.contains { member in
                    switch member {
                    case .symbol(let symbol, _, _), .marker(let symbol, _): return symbol == name
                    case .kallsyms: return false
                    }
                }
            }
        }
    }

    /// How many symbols the layout defines (section symbols, markers, absolute symbols),
    /// without the kallsyms tables' own labels.
    public var symbolCount: Int {
        items.reduce(0) { total, item in
            switch item {
            case .section(let section): return total + section.symbolCount
            case .align: return total
            case .absolute: return total + 1
            }
        }
    }
}

/// One output section of a `Layout`.
public struct Section: Hashable, Sendable {
    /// The output section's name (`.text`, `.data..percpu`, …).
    public var name: String
    /// Decides the `nm` letters of its symbols.
    public var kind: SectionKind
    /// The BFD flags binutils compares when it re-homes the symbols of an empty section.
    public var flags: SectionFlags
    /// The section's start is aligned to this (a power of two).
    public var alignment: UInt64
    /// The bytes of input sections it holds, without the kallsyms tables.
    public var size: UInt64
    /// `KEEP`-like: kept even when empty. An empty section that is not kept is removed by the
    /// linker and its symbols are re-homed to a neighbour (docs/behaviour.md §9).
    public var isKeptWhenEmpty: Bool
    /// Symbols, markers and the kallsyms placement, in the order of the text form.
    public var members: [Member]
    /// Branch-and-link instructions in the section's content, by offset (docs/linkers.md,
    /// "Branch stubs"). Empty for every layout written before calls existed.
    public var calls: [Call]

    /// A section; `flags` default to the kind's (`SectionKind.defaultFlags`).
    /// - Precondition: `alignment` is a power of two; offsets of `members` are at most `size`.
    public init(
        name: String, kind: SectionKind, flags: SectionFlags? = nil, alignment: UInt64 = 1,
        size: UInt64 = 0, isKeptWhenEmpty: Bool = false, members: [Member] = [], calls: [Call] = []
    ) {
        self.name = name
        self.kind = kind
        self.flags = flags ?? kind.defaultFlags
        self.alignment = alignment
        self.size = size
        self.isKeptWhenEmpty = isKeptWhenEmpty
        self.members = members
        self.calls = calls
    }

    /// A call: a branch-and-link instruction (`bl`, 4 bytes) at `offset` in the section's
    /// content to the global or weak symbol `target`. A real linker adds a branch stub when
    /// the target is out of the instruction's range; the model does the same (`BranchStubs`).
    public struct Call: Hashable, Sendable {
        /// Where the instruction sits, from the section's start; a multiple of 4.
        public var offset: UInt64
        /// The symbol called: defined once in the layout, global or weak.
        public var target: [UInt8]

        public init(offset: UInt64, target: [UInt8]) {
            self.offset = offset
            self.target = target
        }

        /// The instruction's size.
        public static let size: UInt64 = 4
    }

    /// One line inside a section.
    public enum Member: Hashable, Sendable {
        /// A symbol of an input section, `offset` bytes from the section's start.
        case symbol(name: [UInt8], offset: UInt64, binding: Binding)
        /// A linker-script symbol at the section's start (`__per_cpu_start = .;` first thing
        /// inside the section) or end; always global.
        case marker(name: [UInt8], edge: Edge)
        /// The generated kallsyms object goes here: `offset` bytes into the section's content
        /// (nil: after all of it). Content at or after the offset moves up by the object's size.
        case kallsyms(offset: UInt64?)
    }

    /// Where a marker sits.
    public enum Edge: String, Hashable, Sendable {
        case start
        case end
    }

    /// How many symbols the section defines (symbols and markers).
    public var symbolCount: Int {
        members.reduce(0) { total, member in
            if case .kallsyms = member { return total }
            return total + 1
        }
    }

    /// Whether the kallsyms object is placed in this section.
    public var hostsKallsyms: Bool {
        members.contains { if case .kallsyms = $0 { return true } else { return false } }
    }

    /// The placement offset of the kallsyms object (nil when placed at the end).
    var kallsymsOffset: UInt64?? {
        for member in members { if case .kallsyms(let offset) = member { return .some(offset) } }
        return nil
    }
}
