import Compressor

/// Value transformations a shrinker combines: every one returns a smaller, still valid layout
/// (offsets stay within sizes, at most one kallsyms placement) and leaves `self` unchanged.
///
/// Items are addressed by their index in `items`; members by their index in the section's
/// `members`. A removed kallsyms placement falls back to the default (end of the first
/// rodata section).
extension Layout {
    /// Without item `index` (a section with all its symbols, an `align` or an `absolute`).
    public func removingItem(at index: Int) -> Layout {
        var copy = self
        copy.items.remove(at: index)
        return copy.removingUnresolvedCalls()
    }

    /// Without the members `range` of the section at item `index`.
    /// - Precondition: item `index` is a section.
    public func removingMembers(_ range: Range<Int>, ofItem index: Int) -> Layout {
        modifyingSection(at: index) { $0.members.removeSubrange(range) }.removingUnresolvedCalls()
    }

    /// With the section at item `index` resized to `size`; symbols and the kallsyms placement
    /// beyond the new size move to its end, keeping their order.
    /// - Precondition: item `index` is a section.
    public func resizingSection(at index: Int, to size: UInt64) -> Layout {
        modifyingSection(at: index) { section in
            section.size = size
            section.members = section.members.map { member in
                switch member {
                case .symbol(let name, let offset, let binding):
                    return .symbol(name: name, offset: min(offset, size), binding: binding)
                case .kallsyms(let offset?) where offset > size:
                    return .kallsyms(offset: size)
                default:
                    return member
                }
            }
            section.calls.removeAll { $0.offset > size || size - $0.offset < Section.Call.size }
        }
    }

    /// With the alignment of the section at item `index` (or of the `align` item) set to `alignment`.
    /// - Precondition: `alignment` is a power of two.
    public func realigning(itemAt index: Int, to alignment: UInt64) -> Layout {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignments are powers of two")
        var copy = self
        switch copy.items[index] {
        case .section(var section):
            section.alignment = alignment
            copy.items[index] = .section(section)
        case .align:
            copy.items[index] = .align(alignment)
        case .absolute:
            break
        }
        return copy
    }

    /// Without every symbol, marker or absolute symbol whose name is in `names`.
    public func removingSymbols(named names: Set<[UInt8]>) -> Layout {
        var copy = self
        copy.items = items.compactMap { item in
            switch item {
            case .absolute(let name): return names.contains(name) ? nil : item
            case .align: return item
            case .section(var section):
                section.members.removeAll { member in
                    switch member {
                    case .symbol(let name, _, _), .marker(let name, _): return names.contains(name)
                    case .kallsyms: return false
                    }
                }
                return .section(section)
            }
        }
        return copy.removingUnresolvedCalls()
    }

    /// Without the calls whose target is no longer a global or weak symbol defined exactly
    /// once (what removing a symbol or a section leaves behind); every other call stays.
    public func removingUnresolvedCalls() -> Layout {
        guard items.contains(where: { if case .section(let s) = $0 { return !s.calls.isEmpty } else { return false } }) else {
            return self
        }
        let callable = callableSymbols
        var copy = self
        for index in copy.items.indices {
            guard case .section(var section) = copy.items[index], !section.calls.isEmpty else { continue }
            section.calls.removeAll { !callable.contains(NameKey($0.target)) }
            copy.items[index] = .section(section)
        }
        return copy
    }

    /// The names a call may target: global or weak section symbols defined exactly once in the
    /// layout (no other symbol, marker or absolute symbol of that name).
    public var callableSymbols: Set<NameKey> {
        // One table: a name seen once keeps whether it may be called; seen again, it may not.
        var table: [NameKey: Bool] = [:]
        table.reserveCapacity(symbolCountHint)
        func note(_ name: [UInt8], _ callable: Bool) {
            let key = NameKey(name)
            if let index = table.index(forKey: key) {
                table.values[index] = false
            } else {
                table[key] = callable
            }
        }
        for item in items {
            switch item {
            case .align: break
            case .absolute(let name): note(name, false)
            case .section(let section):
                for member in section.members {
                    switch member {
                    case .marker(let name, _): note(name, false)
                    case .symbol(let name, _, let binding): note(name, binding != .local)
                    case .kallsyms: break
                    }
                }
            }
        }
        var callable = Set<NameKey>(minimumCapacity: table.count)
        for (key, isCallable) in table where isCallable { callable.insert(key) }
        return callable
    }

    /// About how many names the layout holds (for reserving tables).
    private var symbolCountHint: Int {
        items.reduce(0) { total, item in if case .section(let section) = item { return total + section.members.count } else { return total + 1 } }
    }

    /// The item indices of the sections.
    public var sectionIndices: [Int] {
        items.indices.filter { if case .section = items[$0] { return true } else { return false } }
    }

    private func modifyingSection(at index: Int, _ body: (inout Section) -> Void) -> Layout {
        guard case .section(var section) = items[index] else {
            preconditionFailure("item \(index) is not a section")
        }
        body(&section)
        var copy = self
        copy.items[index] = .section(section)
        return copy
    }
}
