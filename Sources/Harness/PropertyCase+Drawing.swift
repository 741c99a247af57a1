import Compressor
import Generators
import LinkModel
import Randomness

extension PropertyCase {
    /// Which mutations the cases of a property carry.
    public enum Shape: String, Hashable, Sendable, CaseIterable {
        /// No mutation: the map as generated.
        case plain
        /// One `reorder` of a group of symbols sharing an address (every such case has a group).
        case reorderedGroup = "reordered-group"
        /// One `retype` of a symbol the era keeps, to a letter that keeps it kept when one does.
        case retypedSymbol = "retyped-symbol"
    }

    /// The default bound of `draw`'s map sizes.
    public static let defaultMaximumSymbols = 300

    /// The case that `seed` names: everything about it (flags, map, extra group, mutation) is
    /// drawn from `SeededRandom(seed: seed)` through labelled child streams, so the same seed,
    /// shape, era and bound always give the same case.
    ///
    /// - Flags: each flag the era has, independently: `--all-symbols`, `--base-relative` and
    ///   `--pc-relative` with probability 1/2, `--absolute-percpu` 1/4, v3.3's
    ///   `--symbol-prefix=_` 1/8.
    /// - Map: `SymbolSetGenerator` on `Profile.arm`, of 1…8 symbols (probability 1/8), 2…8
    ///   symbols with long names (1/4), 1…40 (1/4), 1…120 (1/8) or 1…`maximumSymbols` (1/4),
    ///   uniform within the range (every bound clipped to `maximumSymbols`), so most maps are
    ///   small. Long names are 60–126 bytes, generated names joined by `_`: with them even a few
    ///   symbols use up the free codes, so the greedy choices, hence the table sizes, become
    ///   sensitive to single bytes (which makes small counterexamples possible).
    /// - Equal addresses: with probability 1/4 (always for `.reorderedGroup` when the map has
    ///   no group of two), 2–8 more generated symbols are inserted at the address of a
    ///   random symbol.
    /// - Mutation: `.reorderedGroup` takes `MutationSpace.random(.reorder)`; `.retypedSymbol`
    ///   picks one kept symbol (era selection of the map) and the first letter, the section
    ///   counterpart first half of the time, under which the era still keeps it.
    ///
    /// - Complexity: O(n log n) for n ≤ `maximumSymbols` + 8 symbols; no compression.
    public static func draw(
        _ shape: Shape, era: Era, seed: UInt64,
        maximumSymbols: Int = defaultMaximumSymbols
    ) -> PropertyCase {
        let root = SeededRandom(seed: seed)
        var optionsStream = root.derived("options")
        var sizeStream = root.derived("size")
        var mapStream = root.derived("map")
        var longNameStream = root.derived("long names")
        var groupStream = root.derived("group")
        var mutationStream = root.derived("mutation")

        let options = drawOptions(era: era, using: &optionsStream)
        // Eight equal slots: 1…8 symbols; 2…8 with long names (twice); 1…40 (twice); 1…120;
        // 1…maximumSymbols (twice).
        let slot = RandomDraws.index(8, using: &sizeStream)
        let longNames = slot == 1 || slot == 2
        let range: ClosedRange<Int>
        switch slot {
        case 0: range = 1...8
        case 1, 2: range = 2...8
        case 3, 4: range = 1...40
        case 5: range = 1...120
        default: range = 1...maximumSymbols
        }
        let upper = max(1, min(range.upperBound, maximumSymbols))
        let lower = min(range.lowerBound, upper)
        let count = lower + RandomDraws.index(upper - lower + 1, using: &sizeStream)
        var map = Self.armGenerator.generate(symbols: count, using: &mapStream)
        if longNames { map = withLongNames(map, using: &longNameStream) }

        let hasGroup = map.indices.dropFirst().contains { map[$0].address == map[$0 - 1].address }
        if RandomDraws.chance(1, in: 4, using: &groupStream) || (shape == .reorderedGroup && !hasGroup) {
            map = withEqualAddressGroup(map, using: &groupStream)
        }

        var mutations: [Mutation] = []
        switch shape {
        case .plain:
            break
        case .reorderedGroup:
            mutations = [MutationSpace(map: map).random(.reorder, using: &mutationStream)]
        case .retypedSymbol:
            if let retype = retypeOfKeptSymbol(map, era: era, options: options, using: &mutationStream) {
                mutations = [retype]
            }
        }
        return PropertyCase(map: map, mutations: mutations, era: era, options: options)
    }

    /// Compiled once: the generator of every drawn map.
    static let armGenerator = SymbolSetGenerator(profile: .arm)

    static func drawOptions(era: Era, using rng: inout SeededRandom) -> KallsymsOptions {
        let flags = era.rules.flags
        var options = KallsymsOptions()
        // One draw per flag whether or not the era has it, so the eras see the same maps.
        let allSymbols = RandomDraws.chance(1, in: 2, using: &rng)
        let relative = RandomDraws.chance(1, in: 2, using: &rng)
        let percpu = RandomDraws.chance(1, in: 4, using: &rng)
        let prefix = RandomDraws.chance(1, in: 8, using: &rng)
        options.allSymbols = allSymbols && flags.contains(.allSymbols)
        options.baseRelative = relative && flags.contains(.baseRelative)
        options.pcRelative = relative && flags.contains(.pcRelative)
        options.absolutePercpu = percpu && flags.contains(.absolutePercpu)
        if prefix && flags.contains(.symbolPrefix) { options.symbolPrefix = UInt8(ascii: "_") }
        return options
    }

    /// `map` with every name lengthened to 60–126 bytes by joining generated names with `_`.
    static func withLongNames(_ map: [SymbolRecord], using rng: inout SeededRandom) -> [SymbolRecord] {
        var parts = armGenerator.generate(symbols: 64 * map.count, using: &rng).map(\.name)[...]
        var result = map
        for index in result.indices {
            let length = 60 + RandomDraws.index(NameModel.lengthLimit - 59, using: &rng)
            var name = result[index].name
            while name.count < length, let part = parts.popFirst() { name += [UInt8(ascii: "_")] + part }
            result[index].name = Array(name.prefix(length))
        }
        MapOrder.sort(&result)
        return result
    }

    /// `map` with 2–8 more symbols at the address of one of its symbols.
    static func withEqualAddressGroup(_ map: [SymbolRecord], using rng: inout SeededRandom) -> [SymbolRecord] {
        let extra = 2 + RandomDraws.index(7, using: &rng)
        let address = map.isEmpty ? 0xc000_8000 : map[RandomDraws.index(map.count, using: &rng)].address
        var result = map
        for symbol in armGenerator.generate(symbols: extra, using: &rng) {
            let insert = Mutation.insert(address: address, type: symbol.type, name: symbol.name)
            result = (try? insert.apply(to: result)) ?? result
        }
        return result
    }

    /// A retype of one symbol the era keeps; nil when it keeps none (or refuses the map).
    static func retypeOfKeptSymbol(
        _ map: [SymbolRecord], era: Era, options: KallsymsOptions,
        using rng: inout SeededRandom
    ) -> Mutation? {
        let text = MapWriter.write(map)
        guard let parsed = try? era.parse(text), let selection = try? era.select(parsed.records, options: options),
            !selection.symbols.isEmpty
        else { return nil }
        // Lines are 1-based and MapWriter writes one line per record.
        let index = selection.symbols[RandomDraws.index(selection.symbols.count, using: &rng)].line - 1
        let reference = SymbolReference.canonical(index, in: map)
        let current = map[index].type
        var letters = Array("TtDdRrBbWw".utf8).filter { $0 != current }
        RandomDraws.shuffle(&letters, using: &rng)
        if let counterpart = MutationSpace.sectionCounterpart(of: current), RandomDraws.chance(1, in: 2, using: &rng) {
            letters.removeAll { $0 == counterpart }
            letters.insert(counterpart, at: 0)
        }
        let kept = keptSymbols(selection)
        for letter in letters {
            let retype = Mutation.retype(reference, to: letter)
            guard let mutated = try? retype.apply(to: map), let parsedAgain = try? era.parse(MapWriter.write(mutated)),
                let selectionAgain = try? era.select(parsedAgain.records, options: options)
            else { continue }
            if keptSymbols(selectionAgain) == kept { return retype }
        }
        return .retype(reference, to: letters[0])
    }

    /// The kept symbols as (address, name), sorted: equal when the same symbols are kept,
    /// whatever their letters and order.
    static func keptSymbols(_ selection: Selection) -> [KeptIdentity] {
        selection.symbols.map { KeptIdentity(address: $0.address, name: $0.name) }.sorted()
    }

    struct KeptIdentity: Hashable, Comparable {
        var address: UInt64
        var name: [UInt8]
        static func < (a: Self, b: Self) -> Bool { MapOrder.precedes(a.address, a.name, b.address, b.name) }
    }
}
