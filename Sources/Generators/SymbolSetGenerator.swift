import Compressor
import LinkModel
import Randomness

/// Generates random `nm -n` maps that follow a `Profile`.
///
/// A map of `n` symbols keeps the profile's proportions: every boundary marker (when `n`
/// allows), a share of the other markers and of each alias block scaled by
/// `n / profile.symbolCount`, and ordinary symbols split over the regions as in the learned map.
/// Each region starts at its learned address, or at the next multiple of its alignment when the
/// region before grew past it; its addresses advance by the learned gaps and groups, never past
/// the region's learned room (scaled up for larger maps) nor the profile's highest address.
/// Names come from the profile's name model, conditioned on the type letter: 1…126 bytes of
/// `[A-Za-z0-9_.]`, never a boundary marker's name, so every era's parser reads them (no blank,
/// no NUL, below v5.10's 128-byte limit).
///
/// Randomness: `generate` draws one value from the caller's generator and derives labelled
/// `SeededRandom` streams from it (composition, then per region: addresses, letters, names), so
/// a change in how names are drawn moves no address and vice versa.
public struct SymbolSetGenerator: Sendable {
    /// The profile the maps follow.
    public let profile: Profile
    private let names: NameSampler
    private let regions: [CompiledRegion]

    /// The largest map the generator is tested with (larger ones work; they get slower linearly).
    public static let testedSymbolLimit = 250_000

    /// Compiles `profile` for drawing (O(profile size); reuse the generator for many maps).
    public init(profile: Profile) {
        self.init(profile: profile, names: NameSampler(profile.names))
    }

    /// `init(profile:)` with `profile.names` already compiled (`LayoutGenerator`'s regions share
    /// one model, and compiling it is most of the cost).
    init(profile: Profile, names: NameSampler) {
        self.profile = profile
        self.names = names
        var fallbackLetters = WeightedTable<UInt8>()
        for (letter, count) in profile.typeLetters.sorted(by: { $0.key < $1.key }) {
            if let type = try? NameEscaping.unescapeType(Substring(letter)) { fallbackLetters.append(type, weight: count) }
        }
        regions = profile.regions.map { CompiledRegion($0, fallbackLetters: fallbackLetters) }
    }

    /// A map of exactly `count` symbols in `nm -n` order (address, then name bytes).
    ///
    /// Deterministic: equal generator states give equal maps. Records carry line 0.
    /// - Precondition: `count >= 0`.
    /// - Complexity: O(count log count).
    public func generate(symbols count: Int, using rng: inout some RandomNumberGenerator) -> [SymbolRecord] {
        precondition(count >= 0, "a map cannot have \(count) symbols")
        let seed = SeededRandom(drawingFrom: &rng)
        var compositionStream = seed.derived("composition")
        let plan = Composition(profile: profile, count: count, using: &compositionStream)
        var records: [SymbolRecord] = []
        records.reserveCapacity(count)
        var previousEnd: UInt64?
        for (index, region) in regions.enumerated() {
            let stream = seed.derived("region").derived(UInt64(index))
            previousEnd =
                region.generate(
                    plan.regions[index], after: previousEnd, highest: profile.highestAddress,
                    names: names, stream: stream, into: &records) ?? previousEnd
        }
        MapOrder.sort(&records)
        return records
    }
}

/// How many symbols of each kind a generated map gets, region by region.
private struct Composition {
    struct RegionPlan {
        var ordinary = 0
        /// Indices into the region's markers, in map order.
        var markers: [Int] = []
        /// Members kept per alias block.
        var blockMembers: [[ProfileSymbol]] = []
    }

    var regions: [RegionPlan]

    init(profile: Profile, count: Int, using rng: inout SeededRandom) {
        regions = profile.regions.map { RegionPlan(blockMembers: Array(repeating: [], count: $0.aliasBlocks.count)) }
        let learned = max(1, profile.symbolCount)
        // Markers: boundaries by priority, then a random share of the others.
        var boundary: [(region: Int, marker: Int, priority: Int)] = []
        var others: [(region: Int, marker: Int)] = []
        for (regionIndex, region) in profile.regions.enumerated() {
            for (markerIndex, marker) in region.markers.enumerated() {
                if let priority = MarkerRules.boundaryPriority[marker.symbol.name] {
                    boundary.append((regionIndex, markerIndex, priority))
                } else {
                    others.append((regionIndex, markerIndex))
                }
            }
        }
        boundary.sort { ($0.priority, $0.region, $0.marker) < ($1.priority, $1.region, $1.marker) }
        var chosen = boundary.prefix(count).map { ($0.region, $0.marker) }
        let otherShare = min(others.count, scaled(others.count, count, learned), count - chosen.count)
        for index in RandomDraws.sample(otherShare, of: others.count, using: &rng) { chosen.append(others[index]) }
        for (region, marker) in chosen { regions[region].markers.append(marker) }
        for index in regions.indices { regions[index].markers.sort() }

        // Alias blocks, scaled; dropped when fewer than two members would remain.
        var remaining = count - chosen.count
        for (regionIndex, region) in profile.regions.enumerated() {
            for (blockIndex, block) in region.aliasBlocks.enumerated() {
                let size = min(block.members.count, scaled(block.members.count, count, learned))
                guard size >= 2, size <= remaining else { continue }
                regions[regionIndex].blockMembers[blockIndex] = block.members(keeping: size)
                remaining -= size
            }
        }

        // Ordinary symbols by learned share (largest remainder; ties to the earlier region).
        let weights = profile.regions.map(\.symbolCount)
        let total = weights.reduce(0, +)
        guard !regions.isEmpty, remaining > 0 else { return }
        let shares = total > 0 ? weights : Array(repeating: 1, count: weights.count)
        let shareTotal = total > 0 ? total : weights.count
        var assigned = 0
        var remainders: [(remainder: Int, region: Int)] = []
        for (index, share) in shares.enumerated() {
            let exact = remaining * share
            regions[index].ordinary = exact / shareTotal
            assigned += regions[index].ordinary
            remainders.append((exact % shareTotal, index))
        }
        remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.region < $1.region }
        for entry in remainders.prefix(remaining - assigned) { regions[entry.region].ordinary += 1 }
    }
}

/// `value · count / learned`, rounded to nearest.
private func scaled(_ value: Int, _ count: Int, _ learned: Int) -> Int {
    (value * count * 2 + learned) / (2 * learned)
}

/// A `RegionProfile` compiled for drawing.
private struct CompiledRegion: Sendable {
    let profile: RegionProfile
    let letters: WeightedTable<UInt8>
    let groupSizes: WeightedTable<Int>
    let gaps: GapSampler

    init(_ profile: RegionProfile, fallbackLetters: WeightedTable<UInt8>) {
        self.profile = profile
        var letters = WeightedTable<UInt8>()
        for (letter, count) in profile.typeLetters.sorted(by: { $0.key < $1.key }) {
            if let type = try? NameEscaping.unescapeType(Substring(letter)) { letters.append(type, weight: count) }
        }
        if letters.isEmpty { letters = fallbackLetters }
        if letters.isEmpty { letters.append(UInt8(ascii: "T"), weight: 1) }
        self.letters = letters
        groupSizes = profile.groupSizes.table
        gaps = GapSampler(profile.gaps)
    }

    private enum Item {
        case ordinary
        case marker(Marker)
        case block([ProfileSymbol])
    }

    /// Appends the region's symbols; returns the last address used (nil when it has none).
    func generate(
        _ plan: Composition.RegionPlan, after previousEnd: UInt64?, highest: UInt64,
        names: NameSampler, stream: SeededRandom, into records: inout [SymbolRecord]
    ) -> UInt64? {
        let items = self.items(plan)
        guard !items.isEmpty else { return nil }
        var addressStream = stream.derived("addresses")
        var letterStream = stream.derived("letters")
        var nameStream = stream.derived("names")

        var start = min(profile.start, highest)
        if let previousEnd, previousEnd >= start {
            let alignment = max(1, profile.alignment)
            let (next, overflow) = (previousEnd / alignment + 1).multipliedReportingOverflow(by: alignment)
            start = overflow ? highest : min(next, highest)
        }
        let learned = max(1, profile.symbolCount)
        let growth = max(1.0, Double(plan.ordinary) / Double(learned))
        let room = Double(profile.room) * growth
        let limit = room >= Double(highest - start) ? highest : start + UInt64(room)

        var address = start
        var isFirst = true
        var sameAddressLeft = 0
        var previousSharesNext = false
        func advance() {
            let remaining = limit - address
            var gap = min(gaps.smallest, remaining)
            for _ in 0..<8 {
                let drawn = gaps.draw(using: &addressStream)
                if drawn <= remaining {
                    gap = drawn
                    break
                }
            }
            address += gap
        }
        for item in items {
            switch item {
            case .marker(let marker):
                if !isFirst && !marker.sharesAddressWithPrevious && !previousSharesNext {
                    advance()
                    sameAddressLeft = 0
                }
                records.append(SymbolRecord(address: address, type: marker.symbol.type, name: marker.symbol.name))
                previousSharesNext = marker.sharesAddressWithNext
            case .ordinary:
                if isFirst || previousSharesNext {
                    if isFirst { sameAddressLeft = groupSizes.isEmpty ? 0 : groupSizes.draw(using: &addressStream) - 1 }
                } else if sameAddressLeft > 0 {
                    sameAddressLeft -= 1
                } else {
                    advance()
                    sameAddressLeft = groupSizes.isEmpty ? 0 : groupSizes.draw(using: &addressStream) - 1
                }
                let type = letters.draw(using: &letterStream)
                records.append(SymbolRecord(address: address, type: type, name: names.name(type: type, using: &nameStream)))
                previousSharesNext = false
            case .block(let members):
                if !isFirst { advance() }
                for member in members { records.append(SymbolRecord(address: address, type: member.type, name: member.name)) }
                sameAddressLeft = 0
                previousSharesNext = false
            }
            isFirst = false
        }
        return address
    }

    /// Ordinary symbols with the kept markers and blocks at their scaled places.
    private func items(_ plan: Composition.RegionPlan) -> [Item] {
        let learned = profile.symbolCount
        func place(_ ordinaryBefore: Int) -> Int {
            learned == 0 ? 0 : min(plan.ordinary, (ordinaryBefore * plan.ordinary * 2 + learned) / (2 * learned))
        }
        // (place, learned place, kind, index) orders fixed items; markers before blocks on ties.
        var fixed: [(place: Int, learned: Int, kind: Int, index: Int, item: Item)] = []
        for index in plan.markers {
            let marker = profile.markers[index]
            fixed.append((place(marker.ordinaryBefore), marker.ordinaryBefore, 0, index, .marker(marker)))
        }
        for (index, members) in plan.blockMembers.enumerated() where !members.isEmpty {
            let before = profile.aliasBlocks[index].ordinaryBefore
            fixed.append((place(before), before, 1, index, .block(members)))
        }
        fixed.sort { ($0.place, $0.learned, $0.kind, $0.index) < ($1.place, $1.learned, $1.kind, $1.index) }
        var items: [Item] = []
        items.reserveCapacity(plan.ordinary + fixed.count)
        var next = 0
        for ordinary in 0...plan.ordinary {
            while next < fixed.count && fixed[next].place == ordinary {
                items.append(fixed[next].item)
                next += 1
            }
            if ordinary < plan.ordinary { items.append(.ordinary) }
        }
        return items
    }
}
