import Compressor

/// A layout prepared for linking many times: each section's symbols are sorted once, so a
/// link only assigns addresses, re-homes the symbols of empty sections and merges runs of
/// equal addresses (docs/behaviour.md §8.4 "The model", §9).
///
/// Cost of `link`: O(symbols) plus a sort of each run of equal addresses that spans two
/// items (rare and short).
public struct LinkPlan: Sendable {
    /// The layout this plan links.
    public let layout: Layout
    let items: [PreparedItem]
    let symbolCount: Int

    enum PreparedItem: Sendable {
        case align(UInt64)
        case absolute([UInt8])
        case section(PreparedSection)
    }

    struct PreparedSection: Sendable {
        var name: String
        var kind: SectionKind
        var flags: SectionFlags
        var alignment: UInt64
        var size: UInt64
        var isKeptWhenEmpty: Bool
        /// Whether the kallsyms object goes into this section.
        var hostsKallsyms: Bool
        /// The content offset where the object goes (the size when at the end).
        var placement: UInt64
        /// Symbols that stay below the object, sorted by (offset, name, input order).
        var below: [Entry]
        /// Symbols that move up by the object's size (end markers, symbols at or after the
        /// placement), sorted the same way; offsets are content offsets.
        var above: [Entry]

        var hasSymbols: Bool { !below.isEmpty || !above.isEmpty }
    }

    struct Entry: Sendable {
        var name: [UInt8]
        var offset: UInt64
        var binding: Binding

        func letter(in kind: SectionKind) -> UInt8 {
            binding == .weak ? UInt8(ascii: "W") : kind.letter(global: binding == .global)
        }

        var absoluteLetter: UInt8 {
            binding == .weak ? UInt8(ascii: "W") : (binding == .global ? UInt8(ascii: "A") : UInt8(ascii: "a"))
        }
    }

    /// Prepares `layout`. Without a `kallsyms` member the tables go at the end of the first
    /// rodata section; a layout without rodata gets an implicit `.rodata` section of its own
    /// after the last item.
    public init(_ layout: Layout) {
        self.layout = layout
        var items: [PreparedItem] = []
        items.reserveCapacity(layout.items.count + 1)
        let explicitHost = layout.items.firstIndex { if case .section(let s) = $0 { return s.hostsKallsyms } else { return false } }
        let host = explicitHost ?? layout.items.firstIndex {
            if case .section(let s) = $0 { return s.kind == .rodata } else { return false }
        }
        var count = 0
        for (index, item) in layout.items.enumerated() {
            switch item {
            case .align(let alignment): items.append(.align(alignment))
            case .absolute(let name):
                items.append(.absolute(name))
                count += 1
            case .section(let section):
                let prepared = Self.prepare(section, hosts: index == host)
                count += prepared.below.count + prepared.above.count
                items.append(.section(prepared))
            }
        }
        if host == nil {
            items.append(.section(Self.prepare(Section(name: ".rodata", kind: .rodata), hosts: true)))
        }
        self.items = items
        symbolCount = count
    }

    private static func prepare(_ section: Section, hosts: Bool) -> PreparedSection {
        let placement = hosts ? (section.kallsymsOffset ?? nil) ?? section.size : section.size
        var below: [(Entry, Int)] = []
        var above: [(Entry, Int)] = []
        for (order, member) in section.members.enumerated() {
            switch member {
            case .marker(let name, .start):
                below.append((Entry(name: name, offset: 0, binding: .global), order))
            case .marker(let name, .end):
                above.append((Entry(name: name, offset: section.size, binding: .global), order))
            case .symbol(let name, let offset, let binding):
                let entry = Entry(name: name, offset: offset, binding: binding)
                if hosts && offset >= placement { above.append((entry, order)) } else { below.append((entry, order)) }
            case .kallsyms:
                break
            }
        }
        func sorted(_ list: [(Entry, Int)]) -> [Entry] {
            list.sorted { a, b in
                if a.0.offset != b.0.offset { return a.0.offset < b.0.offset }
                if a.0.name != b.0.name { return a.0.name.lexicographicallyPrecedes(b.0.name) }
                return a.1 < b.1
            }.map(\.0)
        }
        return PreparedSection(name: section.name, kind: section.kind, flags: section.flags,
                               alignment: section.alignment, size: section.size,
                               isKeptWhenEmpty: section.isKeptWhenEmpty, hostsKallsyms: hosts,
                               placement: placement, below: sorted(below), above: sorted(above))
    }

    /// The `nm -n` map of the image linked with `object` (nil: no kallsyms object at all).
    ///
    /// `weakReferences` are the kallsyms table names the kernel declares weak (v3.3–v6.1);
    /// those the object does not define are listed as undefined `w` symbols, as `nm` shows
    /// them in the first link.
    public func link(object: KallsymsObject?, weakReferences: [[UInt8]] = []) -> LinkedMap {
        let addresses = assignAddresses(object: object)
        var records: [SymbolRecord] = []
        records.reserveCapacity(symbolCount + (object?.labels.count ?? 0))
        // Neighbours for re-homing: the nearest kept section before and after each item.
        var nextKept = [Int?](repeating: nil, count: items.count)
        var following: Int?
        for index in items.indices.reversed() {
            nextKept[index] = following
            if addresses.isKept[index] { following = index }
        }
        var previousKept: Int?
        for (index, item) in items.enumerated() {
            let start = addresses.starts[index]
            switch item {
            case .align:
                break
            case .absolute(let name):
                records.append(SymbolRecord(address: start, type: UInt8(ascii: "A"), name: name))
            case .section(let section):
                if addresses.isKept[index] {
                    appendKept(section, start: start, object: object, into: &records)
                    previousKept = index
                } else if section.hasSymbols {
                    let home = rehome(removed: section, address: start, previous: previousKept,
                                      next: nextKept[index], starts: addresses.starts)
                    for entry in section.below + section.above {
                        let letter = home.map { entry.letter(in: $0) } ?? entry.absoluteLetter
                        records.append(SymbolRecord(address: start, type: letter, name: entry.name))
                    }
                }
            }
        }
        Self.sortRunsOfEqualAddresses(&records)
        let undefined = weakReferences.filter { !(object?.defines($0) ?? false) }
            .sorted { $0.lexicographicallyPrecedes($1) }
        return LinkedMap(symbols: records, undefinedWeak: undefined)
    }

    /// `link(object: .opaque(size:))`: the map with `tablesSize` bytes of unlabelled tables.
    public func link(tablesSize: Int, alignment: Int = 4) -> LinkedMap {
        link(object: .opaque(size: tablesSize, alignment: alignment))
    }

    /// Where every item starts and which sections the linker keeps.
    struct Addresses {
        var starts: [UInt64]
        var isKept: [Bool]
    }

    func assignAddresses(object: KallsymsObject?) -> Addresses {
        var starts = [UInt64](repeating: 0, count: items.count)
        var isKept = [Bool](repeating: false, count: items.count)
        var dot = layout.base
        for (index, item) in items.enumerated() {
            switch item {
            case .align(let alignment):
                dot = Self.roundUp(dot, alignment)
            case .absolute:
                starts[index] = dot
            case .section(let section):
                let inserted = insertedSize(section, object: object)
                let total = section.size &+ inserted
                let kept = total > 0 || section.isKeptWhenEmpty
                var alignment = section.alignment
                if let object, section.hostsKallsyms { alignment = max(alignment, UInt64(object.alignment)) }
                // ld ignores the address assignments of a removed section unless the script
                // defines symbols in it (ld manual, "Output Section Discarding").
                if kept || section.hasSymbols { dot = Self.roundUp(dot, alignment) }
                starts[index] = dot
                isKept[index] = kept
                dot = dot &+ total
            }
        }
        return Addresses(starts: starts, isKept: isKept)
    }

    /// The bytes the object adds to its host: padding to its alignment, then its data.
    func insertedSize(_ section: PreparedSection, object: KallsymsObject?) -> UInt64 {
        guard let object, section.hostsKallsyms else { return 0 }
        let alignment = UInt64(object.alignment)
        return Self.roundUp(section.placement, alignment) - section.placement + UInt64(object.size)
    }

    private func appendKept(_ section: PreparedSection, start: UInt64, object: KallsymsObject?,
                            into records: inout [SymbolRecord]) {
        for entry in section.below {
            records.append(SymbolRecord(address: start &+ entry.offset, type: entry.letter(in: section.kind), name: entry.name))
        }
        let shift = insertedSize(section, object: object)
        if let object, section.hostsKallsyms {
            let objectStart = start &+ Self.roundUp(section.placement, UInt64(object.alignment))
            let letter = section.kind.letter(global: true)
            for label in object.labels {
                records.append(SymbolRecord(address: objectStart &+ UInt64(label.offset), type: letter, name: label.name))
            }
        }
        for entry in section.above {
            records.append(SymbolRecord(address: start &+ entry.offset &+ shift, type: entry.letter(in: section.kind),
                                        name: entry.name))
        }
    }

    /// The kind of the kept section binutils moves a removed section's symbols to (nil: absolute).
    private func rehome(removed: PreparedSection, address: UInt64, previous: Int?, next: Int?,
                        starts: [UInt64]) -> SectionKind? {
        func neighbour(_ index: Int?) -> (NearbySection.Neighbour, SectionKind)? {
            guard let index, case .section(let section) = items[index] else { return nil }
            return (NearbySection.Neighbour(flags: section.flags, start: starts[index]), section.kind)
        }
        let before = neighbour(previous), after = neighbour(next)
        switch NearbySection.choose(previous: before?.0, next: after?.0, removed: removed.flags, address: address) {
        case .previous: return before?.1
        case .next: return after?.1
        case .absolute: return nil
        }
    }

    /// Sorts every run of equal addresses by name bytes (`nm -n` under `LC_COLLATE=C`),
    /// keeping emission order among equal names. Records arrive in address order.
    static func sortRunsOfEqualAddresses(_ records: inout [SymbolRecord]) {
        var start = 0
        let count = records.count
        while start < count {
            var end = start + 1
            let address = records[start].address
            var sorted = true
            while end < count && records[end].address == address {
                if sorted && records[end].name.lexicographicallyPrecedes(records[end - 1].name) { sorted = false }
                end += 1
            }
            if !sorted {
                let run = records[start..<end].enumerated().sorted { a, b in
                    if a.element.name != b.element.name { return a.element.name.lexicographicallyPrecedes(b.element.name) }
                    return a.offset < b.offset
                }.map(\.element)
                records.replaceSubrange(start..<end, with: run)
            }
            start = end
        }
    }

    static func roundUp(_ value: UInt64, _ alignment: UInt64) -> UInt64 {
        alignment <= 1 ? value : (value &+ alignment &- 1) & ~(alignment &- 1)
    }
}

extension Layout {
    /// The `nm -n` map of this layout linked with `object`; see `LinkPlan.link(object:weakReferences:)`.
    /// Prepare a `LinkPlan` once to link the same layout many times.
    public func link(object: KallsymsObject?, weakReferences: [[UInt8]] = []) -> LinkedMap {
        LinkPlan(self).link(object: object, weakReferences: weakReferences)
    }

    /// The `nm -n` map with `tablesSize` bytes of (unlabelled) kallsyms data.
    public func link(tablesSize: Int, alignment: Int = 4) -> LinkedMap {
        LinkPlan(self).link(tablesSize: tablesSize, alignment: alignment)
    }
}
