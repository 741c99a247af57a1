import Compressor

/// The branch stubs a link adds, and where (docs/linkers.md, "Branch stubs").
struct StubAreas: Sendable {
    /// Whose rules.
    var rules: BranchStubs
    /// Bytes of each item's stub area (0: none).
    var sizes: [UInt64]
    /// The absolute alignment of each item's stub area.
    var alignments: [UInt64]
    /// Each item's stub symbols, by offset from its area's start.
    var symbols: [[(name: [UInt8], offset: UInt64)]]
}

extension LinkPlan {
    /// One stub: whose area it is in, what it calls, and (LLD) whether it has had to be long.
    struct PlacedStub {
        var item: Int
        var target: [UInt8]
        var isLong: Bool
    }

    /// The stubs the linker adds when the image holds `object`: both linkers lay the image
    /// out, add a stub for every call out of range that no stub serves yet, and lay it out
    /// again until nothing changes (a stub moves code, which may push other calls out of
    /// range). Stubs are never removed. Nil when the layout has no calls or its target none.
    ///
    /// GNU ld serves the calls of one caller section with one stub per target (its stub
    /// group) and checks the range to the target; LLD reuses any thunk to the target that the
    /// call reaches, otherwise adds one after the caller's input section, and makes a thunk
    /// a single `b` (4 bytes) while that reaches the target from the thunk, long for good once
    /// it does not (`getMayUseShortThunk`).
    func placeStubs(object: KallsymsObject?, linker: LinkerFlavour) -> StubAreas? {
        guard !calls.isEmpty, let rules = BranchStubs(linker: linker, target: layout.target, thumb: layout.usesThumb) else { return nil }
        var created: [PlacedStub] = []
        var groups = Set<StubGroupKey>()
        // LLD keys a thunk by where its target is (input section and offset), not by name:
        // a call to another symbol at the same place reuses it, under the first name.
        var byTarget: [TargetPlace: [Int]] = [:]
        var areas = arrange(created, rules: rules)
        // LLD gives up after 30 passes; GNU ld loops until nothing changes. Neither happens
        // with stubs that are only ever added and only ever grow, but the loop stays bounded.
        for _ in 0..<30 {
            let addresses = assignAddresses(object: object, linker: linker, stubs: areas)
            var offsets = stubOffsets(created, areas: areas)
            var changed = false
            for call in calls {
                let from = addresses.starts[call.item] &+ call.offset
                let to = targetAddress(call.targetItem, call.targetOffset, call.targetIsAbove, addresses, object)
                guard !rules.reaches(from: from, to: to) else { continue }
                if rules.isPerCallerSection {
                    guard groups.insert(StubGroupKey(item: call.item, target: call.target)).inserted else { continue }
                } else {
                    let place = TargetPlace(item: call.targetItem, offset: call.targetOffset, isAbove: call.targetIsAbove)
                    let existing = byTarget[place] ?? []
                    if existing.contains(where: { rules.reaches(from: from, to: areaStart(created[$0].item, addresses) &+ offsets[$0]) }) {
                        continue
                    }
                    byTarget[place, default: []].append(created.count)
                }
                // A new thunk is first placed at its area's start (its offset is assigned later).
                let isLong = rules.hasShortForm ? !rules.allowsShortThunk(at: areaStart(call.item, addresses), to: to) : true
                created.append(PlacedStub(item: call.item, target: call.target, isLong: isLong))
                offsets.append(0)
                changed = true
            }
            if rules.hasShortForm {
                // LLD's `ThunkSection::assignOffsets`: each thunk at its offset, short while a
                // `b` from there reaches its target.
                var next = arrange(created, rules: rules)
                var grew = true
                while grew {
                    grew = false
                    let placed = stubOffsets(created, areas: next)
                    for index in created.indices where !created[index].isLong {
                        let stub = created[index]
                        let target = callTargets[NameKey(stub.target)]!
                        let to = targetAddress(target.item, target.offset, target.isAbove, addresses, object)
                        if !rules.allowsShortThunk(at: areaStart(stub.item, addresses) &+ placed[index], to: to) {
                            created[index].isLong = true
                            grew = true
                        }
                    }
                    if grew { next = arrange(created, rules: rules) }
                }
                if next.sizes != areas.sizes || next.alignments != areas.alignments { changed = true }
                areas = next
            } else if changed {
                areas = arrange(created, rules: rules)
            }
            guard changed else { break }
        }
        return areas
    }

    private struct TargetPlace: Hashable {
        var item: Int
        var offset: UInt64
        var isAbove: Bool
    }

    private struct StubGroupKey: Hashable {
        var item: Int
        var target: [UInt8]
    }

    /// Where a symbol is in the image.
    private func targetAddress(
        _ item: Int, _ offset: UInt64, _ isAbove: Bool, _ addresses: Addresses,
        _ object: KallsymsObject?
    ) -> UInt64 {
        var address = addresses.starts[item] &+ offset
        if isAbove, case .section(let section) = items[item] {
            address = address &+ insertedSize(section, object: object)
        }
        return address
    }

    /// Where an item's stub area starts: its place in the current layout, or, when it has
    /// none yet, the end of the section's content (where LLD creates its thunk section).
    private func areaStart(_ item: Int, _ addresses: Addresses) -> UInt64 {
        if !addresses.stubAreaStarts.isEmpty, addresses.stubAreaStarts[item] != 0 { return addresses.stubAreaStarts[item] }
        guard case .section(let section) = items[item] else { return addresses.starts[item] }
        return addresses.starts[item] &+ section.size
    }

    /// Each created stub's offset in its area as `areas` arranged them (0 when not yet there).
    private func stubOffsets(_ created: [PlacedStub], areas: StubAreas) -> [UInt64] {
        var remaining: [Int: [[UInt8]: [UInt64]]] = [:]
        for (item, symbols) in areas.symbols.enumerated() where !symbols.isEmpty {
            for symbol in symbols { remaining[item, default: [:]][symbol.name, default: []].append(symbol.offset) }
        }
        return created.map { stub in
            let name = areas.rules.name(for: stub.target)
            guard let offset = remaining[stub.item]?[name]?.first else { return 0 }
            remaining[stub.item]![name]!.removeFirst()
            return offset
        }
    }

    /// Each section's stubs in the linker's order: LLD's in creation order; GNU ld's in the
    /// order its stub hash table is traversed (buckets in order, a bucket's newest entry first).
    func arrange(_ created: [PlacedStub], rules: BranchStubs) -> StubAreas {
        var areas = StubAreas(
            rules: rules, sizes: [UInt64](repeating: 0, count: items.count),
            alignments: [UInt64](repeating: 1, count: items.count),
            symbols: [[(name: [UInt8], offset: UInt64)]](repeating: [], count: items.count))
        var order = Array(created.indices)
        if rules.isInHashOrder {
            let buckets = created.map { stub in
                BranchStubs.bfdHash(
                    rules.hashKey(
                        sectionID: rules.sectionID(ordinal: mainObjectOrdinals[stub.item]),
                        target: stub.target)) % BranchStubs.hashTableSize
            }
            order.sort { buckets[$0] != buckets[$1] ? buckets[$0] < buckets[$1] : $0 > $1 }
        }
        for index in order {
            let stub = created[index]
            let item = stub.item
            let alignment = rules.alignment(isLong: stub.isLong)
            let offset = Self.roundUp(max(areas.sizes[item], rules.headerSize), alignment)
            areas.symbols[item].append((rules.name(for: stub.target), offset))
            areas.sizes[item] = offset &+ rules.size(isLong: stub.isLong)
            areas.alignments[item] = max(areas.alignments[item], rules.areaAlignment(isLong: stub.isLong))
        }
        for item in areas.symbols.indices where !areas.symbols[item].isEmpty {
            areas.sizes[item] = areas.sizes[item] &+ rules.trailingSize(stubs: areas.symbols[item].count)
        }
        return areas
    }
}
