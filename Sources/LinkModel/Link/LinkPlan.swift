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
    /// The layout's symbols and markers (its `symbolCount`, counted once here).
    public let symbolCount: Int
    /// The layout's calls whose target resolves, in item then offset order (the order both
    /// linkers read relocations in).
    let calls: [PreparedCall]
    /// For each item, the place (1: `.text`) of its first input section among the sections of
    /// the main object `LinkerInput` writes (0: none); GNU ld's stub order depends on it.
    let mainObjectOrdinals: [Int]
    /// Where each call target is defined (empty without calls).
    let callTargets: [NameKey: (item: Int, offset: UInt64, isAbove: Bool)]

    enum PreparedItem: Equatable, Sendable {
        case align(UInt64)
        case absolute([UInt8])
        case section(PreparedSection)
    }

    struct PreparedSection: Equatable, Sendable {
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
        /// Whether the object goes at the end (`placement` is the size), not at a member's offset.
        var placesAtEnd: Bool
        /// Symbols that stay below the object, sorted by (offset, name, input order).
        var below: [Entry]
        /// Symbols that move up by the object's size (end markers, symbols at or after the
        /// placement), sorted the same way; offsets are content offsets.
        var above: [Entry]

        var hasSymbols: Bool { !below.isEmpty || !above.isEmpty }
        /// Whether an input section of the layout holds a symbol (not only script markers).
        var hasObjectSymbols: Bool
        /// Whether the linker script defines a symbol in it (`start`/`end` markers).
        var hasMarkers: Bool { below.contains(where: \.isMarker) || above.contains(where: \.isMarker) }
    }

    struct Entry: Equatable, Sendable {
        var name: [UInt8]
        var offset: UInt64
        var binding: Binding
        /// A linker-script marker (`start`/`end`), not a label of an input section.
        var isMarker = false

        var absoluteLetter: UInt8 { SymbolLetters.letter(UInt8(ascii: "a"), binding: binding) }
    }

    /// What a link prints and how it treats empty sections.
    public struct Conventions: Hashable, Sendable {
        /// Which `nm` prints the map.
        public var letters: SymbolLetters
        /// Which linker's rules for empty output sections apply.
        public var linker: LinkerFlavour
        /// `letters` with `linker`'s rules.
        public init(letters: SymbolLetters = .modern, linker: LinkerFlavour = .gnu) {
            self.letters = letters
            self.linker = linker
        }
    }

    /// Prepares `layout`. Without a `kallsyms` member the tables go at the end of the first
    /// rodata section; a layout without rodata gets an implicit `.rodata` section of its own
    /// after the last item.
    public init(_ layout: Layout) {
        self.init(layout, reusing: nil)
    }

    /// Prepares `layout`, taking a section's sorted symbols from `earlier` where the section at
    /// the same item holds the very same members array (the cases of a campaign batch place one
    /// population: their sections share their members and differ in size). The plan is the one
    /// `init(_:)` makes (`PlanReuseTests`).
    public init(_ layout: Layout, reusing earlier: LinkPlan?) {
        self.init(layout, reusing: earlier.map { [$0] } ?? [])
    }

    /// `init(_:reusing:)` with several earlier plans (a campaign's cases draw their shapes, so
    /// the plan of the same population's base is often a few cases back): each section comes
    /// from the first of them that has it.
    public init(_ layout: Layout, reusing earlier: [LinkPlan]) {
        self.layout = layout
        var items: [PreparedItem] = []
        items.reserveCapacity(layout.items.count + 1)
        let explicitHost = layout.items.firstIndex { if case .section(let s) = $0 { return s.hostsKallsyms } else { return false } }
        let host =
            explicitHost
            ?? layout.items.firstIndex {
                if case .section(let s) = $0 { return s.kind == .rodata } else { return false }
            }
        var count = 0
        var preparedCalls: [PreparedCall] = []
        // Call targets matter only to a layout with calls (today's shapes, `--arch`); the 2012
        // layouts have none, and the set costs a hash of every name.
        let hasCalls = layout.items.contains { if case .section(let s) = $0 { return !s.calls.isEmpty } else { return false } }
        let callable = hasCalls ? layout.callableSymbols : []
        var targets: [NameKey: (item: Int, offset: UInt64, isAbove: Bool)] = [:]
        var calling: [(item: Int, section: Section)] = []
        for (index, item) in layout.items.enumerated() {
            switch item {
            case .align(let alignment): items.append(.align(alignment))
            case .absolute(let name):
                items.append(.absolute(name))
                count += 1
            case .section(let section):
                let prepared =
                    earlier.lazy.compactMap { $0.reusedSection(at: index, for: section, hosts: index == host) }.first
                    ?? Self.prepare(section, hosts: index == host)
                count += prepared.below.count + prepared.above.count
                items.append(.section(prepared))
                if !callable.isEmpty {
                    for case .symbol(let name, let offset, let binding) in section.members
                    where binding != .local && callable.contains(NameKey(name)) {
                        targets[NameKey(name)] = (index, offset, index == host && offset >= prepared.placement)
                    }
                }
                if !section.calls.isEmpty && index != host { calling.append((index, section)) }
            }
        }
        if host == nil {
            items.append(.section(Self.prepare(Section(name: ".rodata", kind: .rodata), hosts: true)))
        }
        for (index, section) in calling {
            for call in section.calls.sorted(by: { $0.offset < $1.offset }) {
                guard let target = targets[NameKey(call.target)] else { continue }
                preparedCalls.append(
                    PreparedCall(
                        item: index, offset: call.offset, target: call.target, targetItem: target.item,
                        targetOffset: target.offset, targetIsAbove: target.isAbove))
            }
        }
        self.items = items
        symbolCount = count
        calls = preparedCalls
        callTargets = preparedCalls.isEmpty ? [:] : targets
        mainObjectOrdinals = preparedCalls.isEmpty ? [] : Self.mainObjectOrdinals(items)
    }

    /// A call whose target is a symbol of the layout.
    struct PreparedCall: Sendable {
        var item: Int
        var offset: UInt64
        var target: [UInt8]
        var targetItem: Int
        var targetOffset: UInt64
        /// The target sits above the kallsyms tables in their host: it moves with them.
        var targetIsAbove: Bool
    }

    /// `LinkerInput`'s main object holds `.text`, `.data`, `.bss` (the assembler's), then one
    /// input section per section part that has bytes or a first copy of a label, in item order.
    static func mainObjectOrdinals(_ items: [PreparedItem]) -> [Int] {
        var ordinals = [Int](repeating: 0, count: items.count)
        var seen = Set<NameKey>()
        var next = 4
        for (index, item) in items.enumerated() {
            guard case .section(let section) = item else { continue }
            var parts: [(size: UInt64, entries: [Entry])] = [
                (
                    section.hostsKallsyms ? section.placement : section.size,
                    section.below.filter { !$0.isMarker }
                )
            ]
            if section.hostsKallsyms {
                parts.append((section.size - section.placement, section.above.filter { !$0.isMarker }))
            }
            for (partIndex, part) in parts.enumerated() {
                var hasFirstCopy = false
                for entry in part.entries where seen.insert(NameKey(entry.name)).inserted { hasFirstCopy = true }
                if hasFirstCopy || part.size > 0 {
                    if partIndex == 0 { ordinals[index] = next }
                    next += 1
                }
            }
        }
        return ordinals
    }

    /// This plan's prepared section at item `index`, adjusted to `section`, when its layout's
    /// section there has the same members array (same storage, so the same members) and the
    /// symbols split the same way. Symbols and start markers do not depend on the size; end
    /// markers sit at the size: outside the kallsyms host they are all of `above` and keep their
    /// order (equal offsets, ordered by name and member order) whatever the size; in the host
    /// they follow the symbols above the tables, and a host at another size is reused only when
    /// its symbols split the same way at the new placement and lie below both sizes.
    func reusedSection(at index: Int, for section: Section, hosts: Bool) -> PreparedSection? {
        guard index < items.count, index < layout.items.count, case .section(var prepared) = items[index],
            case .section(let old) = layout.items[index], prepared.hostsKallsyms == hosts,
            Self.sameStorage(old.members, section.members)
        else { return nil }
        if old.size != section.size {
            // Outside the host every symbol is below and `above` holds the end markers alone.
            // In the host, the symbols must split the same way at the new placement, and those
            // above must lie below both sizes, so that the end markers stay last.
            let placement = prepared.placesAtEnd ? section.size : prepared.placement
            if hosts, let last = prepared.below.last(where: { !$0.isMarker }), last.offset >= placement { return nil }
            let lowest = min(old.size, section.size)
            for position in prepared.above.indices {
                if prepared.above[position].isMarker {
                    prepared.above[position].offset = section.size
                } else if !hosts || prepared.above[position].offset < placement || prepared.above[position].offset >= lowest {
                    return nil
                }
            }
            prepared.placement = placement
        }
        prepared.name = section.name
        prepared.kind = section.kind
        prepared.flags = section.flags
        prepared.alignment = section.alignment
        prepared.size = section.size
        prepared.isKeptWhenEmpty = section.isKeptWhenEmpty
        return prepared
    }

    /// Whether two arrays share their storage (and so hold the same elements).
    static func sameStorage(_ a: [Section.Member], _ b: [Section.Member]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBufferPointer { left in b.withUnsafeBufferPointer { left.baseAddress == $0.baseAddress } }
    }

    private static func prepare(_ section: Section, hosts: Bool) -> PreparedSection {
        let explicitPlacement = hosts ? section.kallsymsOffset ?? nil : nil
        let placement = explicitPlacement ?? section.size
        var below: [(Entry, Int)] = []
        var above: [(Entry, Int)] = []
        var hasObjectSymbols = false
        for (order, member) in section.members.enumerated() {
            switch member {
            case .marker(let name, .start):
                below.append((Entry(name: name, offset: 0, binding: .global, isMarker: true), order))
            case .marker(let name, .end):
                above.append((Entry(name: name, offset: section.size, binding: .global, isMarker: true), order))
            case .symbol(let name, let offset, let binding):
                hasObjectSymbols = true
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
            }.map { pair in
                // A copy of each name, made in map order: the names a link lists one after the
                // other then lie one after the other in memory, where every pass's selection and
                // strings read them (the population's own copies are scattered by its drawing).
                var entry = pair.0
                entry.name = entry.name.withUnsafeBufferPointer { Array($0) }
                return entry
            }
        }
        return PreparedSection(
            name: section.name, kind: section.kind, flags: section.flags,
            alignment: section.alignment, size: section.size,
            isKeptWhenEmpty: section.isKeptWhenEmpty, hostsKallsyms: hosts,
            placement: placement, placesAtEnd: explicitPlacement == nil, below: sorted(below), above: sorted(above),
            hasObjectSymbols: hasObjectSymbols)
    }

    /// The `nm -n` map of the image linked with `object` (nil: no kallsyms object at all).
    ///
    /// `weakReferences` are the kallsyms table names the kernel declares weak (v3.3–v6.1);
    /// those the object does not define are listed as undefined `w` symbols, as `nm` shows
    /// them in the first link. `conventions` say which `nm` prints the letters and which
    /// linker's rules for empty output sections apply.
    public func link(
        object: KallsymsObject?, weakReferences: [[UInt8]] = [],
        conventions: Conventions = Conventions()
    ) -> LinkedMap {
        let stubs = placeStubs(object: object, linker: conventions.linker)
        let addresses = assignAddresses(object: object, linker: conventions.linker, stubs: stubs)
        let letters = sectionLetters(addresses, conventions: conventions)
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
                    appendKept(
                        section, index: index, start: start, letter: letters[index], object: object,
                        stubs: stubs, addresses: addresses, into: &records)
                    previousKept = index
                } else if section.hasSymbols {
                    // GNU ld: the removed section's globals move to a neighbour; its locals
                    // are not written at all.
                    let home = rehome(
                        removed: section, hasInputs: addresses.hasInputs[index], address: start,
                        previous: previousKept, next: nextKept[index], starts: addresses.starts)
                    for entry in section.below + section.above where entry.binding != .local {
                        let letter =
                            home.map { SymbolLetters.letter(letters[$0], binding: entry.binding) }
                            ?? entry.absoluteLetter
                        records.append(SymbolRecord(address: start, type: letter, name: entry.name))
                    }
                }
            }
        }
        // A removed section's symbols sit at its aligned address, which can lie beyond the start
        // of the sections after it (`.` did not move): restore address order, stably.
        if records.indices.dropFirst().contains(where: { records[$0].address < records[$0 - 1].address }) {
            records = records.enumerated().sorted {
                $0.element.address != $1.element.address ? $0.element.address < $1.element.address : $0.offset < $1.offset
            }.map(\.element)
        }
        MapOrder.sortRunsOfEqualAddresses(&records)
        let undefined = weakReferences.filter { !(object?.defines($0) ?? false) }
            .sorted { $0.lexicographicallyPrecedes($1) }
        return LinkedMap(symbols: records, undefinedWeak: undefined)
    }

    /// `link(object: .opaque(size:))`: the map with `tablesSize` bytes of unlabelled tables.
    public func link(tablesSize: Int, alignment: Int = 4, conventions: Conventions = Conventions()) -> LinkedMap {
        link(object: .opaque(size: tablesSize, alignment: alignment), conventions: conventions)
    }

    /// Where every item starts and which sections the linker keeps.
    struct Addresses {
        var starts: [UInt64]
        var isKept: [Bool]
        /// Whether the section receives input sections: bytes, the kallsyms object, or labels.
        var hasInputs: [Bool]
        /// Where each section's stub area starts and the bytes from its content's end to the
        /// area's end (empty when no section has stubs).
        var stubAreaStarts: [UInt64] = []
        var stubExtents: [UInt64] = []

        func stubExtent(_ index: Int) -> UInt64 { stubExtents.isEmpty ? 0 : stubExtents[index] }
    }

    /// GNU ld places sections with one location counter and evaluates script symbols with
    /// another (`lang_size_sections`, then `lang_do_assignments`): they agree at every kept
    /// section but not across removed ones (reallink examples b and d, docs/linkers.md):
    /// - a removed section with input sections (here: labels) is sized at its aligned address;
    ///   it moves the placing counter there only if the script also defines a symbol in it;
    ///   symbols read the aligned address from then on;
    /// - a removed section with only script symbols is never created: its symbols, and the
    ///   absolute symbols after it, see the evaluating counter aligned, sections do not
    ///   until the next `. = ALIGN(N);`, which sets both.
    /// LLD keeps every section with a symbol, so both counters stay one.
    func assignAddresses(object: KallsymsObject?, linker: LinkerFlavour = .gnu, stubs: StubAreas? = nil) -> Addresses {
        var starts = [UInt64](repeating: 0, count: items.count)
        var isKept = [Bool](repeating: false, count: items.count)
        var hasInputs = [Bool](repeating: false, count: items.count)
        var stubAreaStarts: [UInt64] = [], stubExtents: [UInt64] = []
        if stubs != nil {
            stubAreaStarts = [UInt64](repeating: 0, count: items.count)
            stubExtents = [UInt64](repeating: 0, count: items.count)
        }
        var dot = layout.base
        var assignmentDot = layout.base
        for (index, item) in items.enumerated() {
            switch item {
            case .align(let alignment):
                // `. = ALIGN(N);` is itself an assignment: both counters continue from the
                // evaluating one.
                dot = Self.roundUp(assignmentDot, alignment)
                assignmentDot = dot
            case .absolute:
                starts[index] = assignmentDot
            case .section(let section):
                let inserted = insertedSize(section, object: object)
                let total = section.size &+ inserted
                let kept: Bool
                switch linker {
                case .gnu: kept = total > 0 || section.isKeptWhenEmpty
                case .lld: kept = total > 0 || section.isKeptWhenEmpty || section.hasSymbols
                }
                var alignment = section.alignment
                if let object, section.hostsKallsyms { alignment = max(alignment, UInt64(object.alignment)) }
                isKept[index] = kept
                hasInputs[index] = total > 0 || section.hasObjectSymbols
                let area = stubs.map { $0.sizes[index] } ?? 0
                let areaAlignment = stubs.map { $0.alignments[index] } ?? 1
                if area > 0, let rules = stubs?.rules, rules.raisesSectionAlignment {
                    alignment = max(alignment, areaAlignment)
                }
                if kept {
                    dot = Self.roundUp(dot, alignment)
                    starts[index] = dot
                    dot = dot &+ total
                    if area > 0 {
                        let areaStart = Self.roundUp(dot, areaAlignment)
                        stubAreaStarts[index] = areaStart
                        stubExtents[index] = areaStart &+ area &- dot
                        dot = areaStart &+ area
                    }
                    assignmentDot = dot
                } else if hasInputs[index] {
                    starts[index] = Self.roundUp(dot, alignment)
                    if section.hasMarkers {
                        dot = starts[index]
                        assignmentDot = starts[index]
                    }
                } else if section.hasMarkers {
                    starts[index] = Self.roundUp(assignmentDot, alignment)
                    assignmentDot = starts[index]
                } else {
                    starts[index] = dot
                }
            }
        }
        return Addresses(
            starts: starts, isKept: isKept, hasInputs: hasInputs, stubAreaStarts: stubAreaStarts,
            stubExtents: stubExtents)
    }

    /// The lowercase `nm` letter of each kept section (0 for other items).
    ///
    /// LLD gives an output section without input sections (only script markers) the flags of
    /// the output section before it, less everything but "allocated" and "writable": such a
    /// section prints as data, or read-only data after a read-only or code section.
    func sectionLetters(_ addresses: Addresses, conventions: Conventions) -> [UInt8] {
        var letters = [UInt8](repeating: 0, count: items.count)
        var previousFlags: SectionFlags?
        for (index, item) in items.enumerated() {
            guard case .section(let section) = item, addresses.isKept[index] else { continue }
            var flags = section.flags
            if conventions.linker == .lld, !addresses.hasInputs[index] {
                flags = [.alloc, .load]
                if previousFlags?.contains(.readOnly) ?? true { flags.insert(.readOnly) }
            }
            letters[index] = conventions.letters.sectionLetter(name: section.name, flags: flags)
            previousFlags = flags
        }
        return letters
    }

    static func flagsWithoutInputs(_ name: String) -> SectionFlags {
        name == ".text" ? [.alloc, .readOnly] : []
    }

    /// The bytes the object adds to its host: padding to its alignment, then its data.
    func insertedSize(_ section: PreparedSection, object: KallsymsObject?) -> UInt64 {
        guard let object, section.hostsKallsyms else { return 0 }
        let alignment = UInt64(object.alignment)
        return Self.roundUp(section.placement, alignment) - section.placement + UInt64(object.size)
    }

    private func appendKept(
        _ section: PreparedSection, index: Int, start: UInt64, letter: UInt8, object: KallsymsObject?,
        stubs: StubAreas?, addresses: Addresses, into records: inout [SymbolRecord]
    ) {
        for entry in section.below {
            records.append(
                SymbolRecord(
                    address: start &+ entry.offset, type: SymbolLetters.letter(letter, binding: entry.binding),
                    name: entry.name))
        }
        let shift = insertedSize(section, object: object)
        if let object, section.hostsKallsyms {
            let objectStart = start &+ Self.roundUp(section.placement, UInt64(object.alignment))
            let global = SymbolLetters.letter(letter, binding: .global)
            for label in object.labels {
                records.append(SymbolRecord(address: objectStart &+ UInt64(label.offset), type: global, name: label.name))
            }
        }
        if let stubs, !stubs.symbols[index].isEmpty {
            let areaStart = addresses.stubAreaStarts[index]
            for stub in stubs.symbols[index] {
                records.append(SymbolRecord(address: areaStart &+ stub.offset, type: letter, name: stub.name))
            }
        }
        let extent = addresses.stubExtent(index)
        for entry in section.above {
            records.append(
                SymbolRecord(
                    address: start &+ entry.offset &+ shift &+ extent,
                    type: SymbolLetters.letter(letter, binding: entry.binding), name: entry.name))
        }
    }

    /// The kept section binutils moves a removed section's symbols to (nil: absolute).
    /// A section with only script symbols has no input section to take flags from: ld
    /// creates it with none, except that one named exactly `.text` compares as allocated
    /// read-only data (measured with GNU ld 2.40: docs/linkers.md, "Removed sections").
    private func rehome(
        removed: PreparedSection, hasInputs: Bool, address: UInt64, previous: Int?, next: Int?,
        starts: [UInt64]
    ) -> Int? {
        func neighbour(_ index: Int?) -> NearbySection.Neighbour? {
            guard let index, case .section(let section) = items[index] else { return nil }
            return NearbySection.Neighbour(flags: section.flags, start: starts[index])
        }
        switch NearbySection.choose(
            previous: neighbour(previous), next: neighbour(next),
            removed: hasInputs ? removed.flags : Self.flagsWithoutInputs(removed.name),
            address: address)
        {
        case .previous: return previous
        case .next: return next
        case .absolute: return nil
        }
    }

    static func roundUp(_ value: UInt64, _ alignment: UInt64) -> UInt64 {
        alignment <= 1 ? value : (value &+ alignment &- 1) & ~(alignment &- 1)
    }
}

extension Layout {
    /// The `nm -n` map of this layout linked with `object`; see `LinkPlan.link(object:weakReferences:)`.
    /// Prepare a `LinkPlan` once to link the same layout many times.
    public func link(
        object: KallsymsObject?, weakReferences: [[UInt8]] = [],
        conventions: LinkPlan.Conventions = .init()
    ) -> LinkedMap {
        LinkPlan(self).link(object: object, weakReferences: weakReferences, conventions: conventions)
    }

    /// The `nm -n` map with `tablesSize` bytes of (unlabelled) kallsyms data.
    public func link(tablesSize: Int, alignment: Int = 4, conventions: LinkPlan.Conventions = .init()) -> LinkedMap {
        LinkPlan(self).link(tablesSize: tablesSize, alignment: alignment, conventions: conventions)
    }
}
