import Compressor

/// The linker's view of the generated kallsyms object: its `.rodata` data (size, alignment)
/// and the table labels it defines (docs/behaviour.md §6.2, §8).
public struct KallsymsObject: Hashable, Sendable {
    /// A global label (`kallsyms_names`, …) `offset` bytes into the object's data.
    public struct Label: Hashable, Sendable {
        public var name: [UInt8]
        public var offset: Int
        /// A label `offset` bytes into the object.
        public init(name: [UInt8], offset: Int) {
            self.name = name
            self.offset = offset
        }
    }

    /// The labels in table order.
    public var labels: [Label]
    /// The bytes the object adds to `.rodata` (end of the last table, padding included).
    public var size: Int
    /// The alignment of the object's `.rodata` input section (the era's `ALGN`).
    public var alignment: Int

    /// An object of `size` bytes aligned to `alignment` (a power of two).
    public init(labels: [Label], size: Int, alignment: Int) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignments are powers of two")
        self.labels = labels
        self.size = size
        self.alignment = alignment
    }

    /// The object the era's `.S` assembles to: each table at its aligned offset, its size
    /// `TableLayout.totalSize`.
    ///
    /// With `padding`, each table's slot is rounded up to a multiple of `padding` bytes (the
    /// `pad=B` mitigation), so a table that grows or shrinks by less than the slack moves no
    /// later label and no later address.
    public init(tables: TableLayout, padding: Int? = nil) {
        var labels: [Label] = []
        labels.reserveCapacity(tables.entries.count)
        var offset = 0
        for entry in tables.entries {
            offset = Self.roundUp(offset, tables.alignment)
            labels.append(Label(name: Array(entry.name.utf8), offset: offset))
            offset += padding.map { Self.roundUp(entry.size, $0) } ?? entry.size
        }
        self.init(labels: labels, size: offset, alignment: tables.alignment)
    }

    /// An object of `size` bytes with no labels: `link(tablesSize:)` for experiments.
    public static func opaque(size: Int, alignment: Int = 4) -> KallsymsObject {
        KallsymsObject(labels: [], size: size, alignment: alignment)
    }

    /// Whether the object defines `name`.
    public func defines(_ name: [UInt8]) -> Bool { labels.contains { $0.name == name } }

    static func roundUp(_ value: Int, _ alignment: Int) -> Int {
        alignment <= 1 ? value : (value + alignment - 1) / alignment * alignment
    }
}
