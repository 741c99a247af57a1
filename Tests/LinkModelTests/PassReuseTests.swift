import Compressor
import Generators
import Randomness
import Testing

@testable import LinkModel

/// What a pass reuses from the pass before it (`PassMemo`): each reuse must equal the work
/// done from scratch.
@Suite struct PassReuseTests {
    static let pool: [[UInt8]] =
        (0..<30).map { Array("name_\($0)".utf8) }
        + [
            "$a", "$d.x", "$t", ".Lfoo", "__crc_bar", "x__crc_y", "__kstrtab_z", "L0", "_SDA_BASE_", "__efistub_q",
            "f_veneer", "g_from_arm", "a.long_branch.b", "__ArmThunk_x", "__UNIQUE_ID_modinfo12", "__UNIQUE_ID_modinfoz",
            "", "_",
        ].map { Array($0.utf8) }

    static func randomMap(_ count: Int, using random: inout SeededRandom) -> [SymbolRecord] {
        let letters = Array("TtDdaANUwWr".utf8)
        return (0..<count).map { index in
            SymbolRecord(
                address: UInt64(index) &* 4, type: letters[Int(random.next() % UInt64(letters.count))],
                name: pool[Int(random.next() % UInt64(pool.count))])
        }
    }

    /// `earlier` with some lines changed, inserted or removed, and every address moved.
    static func edited(_ earlier: [SymbolRecord], using random: inout SeededRandom) -> [SymbolRecord] {
        var map = earlier
        for _ in 0..<Int(random.next() % 5) where !map.isEmpty {
            let index = Int(random.next() % UInt64(map.count))
            switch random.next() % 4 {
            case 0: map[index].type = Array("TtDdaANUw".utf8)[Int(random.next() % 9)]
            case 1: map[index].name = pool[Int(random.next() % UInt64(pool.count))]
            case 2: map.insert(randomMap(1, using: &random)[0], at: index)
            default: map.remove(at: index)
            }
        }
        // Moved unevenly, so that equal names can change their order by address.
        for index in map.indices { map[index].address &+= 0x1000 &+ (random.next() % 3) &* 4 }
        return map
    }

    @Test("mksysmap reusing an earlier map's verdicts keeps exactly the lines it keeps from scratch")
    func filterReuseEqualsScratch() {
        var random = SeededRandom(seed: 0x17_5)
        for filter in [SystemMapFilter.v3_3, .v5_10, .v6_1, .v6_19] {
            for _ in 0..<100 {
                let earlier = Self.randomMap(Int(random.next() % 200), using: &random)
                let first = filter.apply(earlier, reusing: nil)
                #expect(first.kept == filter.apply(earlier))
                #expect(first.keeps == earlier.map(filter.keeps))
                let next = Self.edited(earlier, using: &random)
                let reused = filter.apply(next, reusing: (earlier, first.keeps))
                #expect(reused.kept == filter.apply(next))
                #expect(reused.keeps == next.map(filter.keeps))
            }
        }
    }

    @Test("strings compared a word at a time are equal exactly when they are equal")
    func wordwiseComparisonEqualsEquality() {
        var random = SeededRandom(seed: 0x17_b)
        for _ in 0..<300 {
            let strings = (0..<Int(random.next() % 20)).map { _ in
                (0..<Int(random.next() % 13)).map { _ in UInt8(truncatingIfNeeded: random.next() % 4) }
            }
            var other = strings
            if !other.isEmpty && random.next() % 2 == 0 {
                let index = Int(random.next() % UInt64(other.count))
                if other[index].isEmpty || random.next() % 2 == 0 {
                    other[index].append(UInt8(truncatingIfNeeded: random.next() % 4))
                } else {
                    other[index][Int(random.next() % UInt64(other[index].count))] = UInt8(truncatingIfNeeded: random.next() % 4)
                }
            }
            let a = ByteStrings(strings), b = ByteStrings(other)
            #expect(StringsKey.sameStrings(a, b) == (a == b))
            #expect((StringsKey(a) == StringsKey(b)) == (a == b))
        }
    }

    @Test("a permuted compression equals compressing afresh, a few strings moved (paired locally) or many (hash table)")
    func permutedCompressionEqualsFresh() throws {
        var random = SeededRandom(seed: 0x17_a)
        let names = (0..<2000).map { _ in Self.pool[Int(random.next() % UInt64(Self.pool.count))] }.map { [UInt8(ascii: "T")] + $0 }
        let cached = (key: StringsKey(ByteStrings(names)), compression: FastEngine.compress(ByteStrings(names)))
        for swaps in [1, 3, 40, 1000] {
            var permuted = names
            for _ in 0..<swaps {
                permuted.swapAt(Int(random.next() % UInt64(names.count)), Int(random.next() % UInt64(names.count)))
            }
            let key = StringsKey(ByteStrings(permuted))
            #expect((KallsymsStep.localPermutation(from: cached.key, to: key) != nil) == (swaps < 100), "\(swaps) swaps")
            let reused = try #require(KallsymsStep.permuting(cached, to: key))
            #expect(reused == FastEngine.compress(ByteStrings(permuted)), "\(swaps) swaps")
        }
        var other = names
        other[7] = Array("Tnot_in_the_pool".utf8)
        #expect(KallsymsStep.localPermutation(from: cached.key, to: StringsKey(ByteStrings(other))) == nil)
    }

    @Test("the cache's filter, strings key and name order equal the work from scratch, pass after pass")
    func cacheReuseEqualsScratch() throws {
        var random = SeededRandom(seed: 0x17_6)
        var cache = CompressionCache()
        var map = Self.randomMap(300, using: &random)
        for _ in 0..<40 {
            map = random.next() % 4 == 0 ? Self.randomMap(300, using: &random) : Self.edited(map, using: &random)
            let kept = cache.filter(map, with: .v6_19)
            #expect(kept == SystemMapFilter.v6_19.apply(map))
            let records = kept.enumerated().map { SymbolRecord(address: $1.address, type: $1.type, name: $1.name, line: $0 + 1) }
            guard let selection = try? Era.v6_19.select(records, options: .init(allSymbols: true)) else { continue }
            let strings = selection.storedStrings
            let key = cache.key(of: strings)
            let scratchKey = StringsKey(strings)
            #expect(key == scratchKey && key.multisetHash == scratchKey.multisetHash && key.stringHashes == scratchKey.stringHashes)
            // `uncompressed-type`'s names alone, memoised apart, now and then.
            if random.next() % 2 == 0 {
                let names = ByteStrings(joining: selection.symbols.map(\.name))
                let namesKey = cache.key(of: names, namesOnly: true)
                let scratchNamesKey = StringsKey(names)
                #expect(namesKey == scratchNamesKey && namesKey.stringHashes == scratchNamesKey.stringHashes)
            }
            let compression = CompressionEngine.fast.compress(strings)
            let tables = try cache.tables(for: selection, compression: compression, era: .v6_19, options: .init(allSymbols: true))
            #expect(tables == (try Era.v6_19.tables(for: selection, compression: compression, options: .init(allSymbols: true))))
        }
    }

    @Test(
        "cases of one shape built with one cache select from memos and take their strings, and equal builds from scratch",
        arguments: [Era.v3_3, .v6_1, .v7_0])
    func memoizedSelections(_ era: Era) {
        let population = LayoutGenerator(profile: .arm).population(symbols: 20_000, seed: SeededRandom(seed: 0x17_c))
        let shape = LayoutShape(isUniprocessor: true, letters: .byName2012, percpuAlignment: 32)
        let base = population.base(shape)
        let options = BuildOptions(era: era, kallsyms: KallsymsOptions(allSymbols: true))
        var cache = CompressionCache()
        for index in 0..<4 {
            var sizes = SeededRandom(seed: 0x17_d).derived(UInt64(index))
            let layout = population.placed(base, shape: shape, sizes: &sizes)
            let reused = Build(layout: layout, options: options).run(plan: cache.plan(layout), cache: &cache)
            var nothing = CompressionCache(capacity: 0)
            let scratch = Build(layout: layout, options: options).run(plan: LinkPlan(layout), cache: &nothing)
            #expect(reused.passes.count == scratch.passes.count, "\(era) case \(index)")
            for (a, b) in zip(reused.passes, scratch.passes) {
                #expect(a.map == b.map && a.input == b.input, "\(era) case \(index) pass \(a.number): maps differ")
                #expect(a.output.kept == b.output.kept, "\(era) case \(index) pass \(a.number): kept symbols differ")
                #expect(a.output.data == b.output.data && a.output.object == b.output.object, "\(era) case \(index) pass \(a.number)")
            }
            #expect("\(reused.outcome)" == "\(scratch.outcome)", "\(era) case \(index)")
        }
        // Every case after the first links the same names and letters at other addresses.
        #expect(cache.passes.reselections >= 3)
        #expect(cache.passes.reusedStringsKeys >= 3)
    }

    @Test(
        "cases of one population in every shape, built with one cache, patch each other's selections and equal builds from scratch",
        arguments: [Era.v3_3, .v6_1])
    func patchedSelections(_ era: Era) {
        let population = LayoutGenerator(profile: .arm).population(symbols: 20_000, seed: SeededRandom(seed: 0x17_e))
        let options = BuildOptions(era: era, kallsyms: KallsymsOptions(allSymbols: true))
        var cache = CompressionCache()
        var shapes: [LayoutShape] = []
        for isUniprocessor in [true, false] {
            for letters in LayoutShape.Letters.allCases {
                for alignment: UInt64 in [4096, 32] { shapes.append(LayoutShape(isUniprocessor: isUniprocessor, letters: letters, percpuAlignment: alignment)) }
            }
        }
        for (index, shape) in shapes.enumerated() {
            var sizes = SeededRandom(seed: 0x17_f).derived(UInt64(index))
            let layout = population.placed(population.base(shape), shape: shape, sizes: &sizes)
            let reused = Build(layout: layout, options: options).run(plan: cache.plan(layout), cache: &cache)
            var nothing = CompressionCache(capacity: 0)
            let scratch = Build(layout: layout, options: options).run(plan: LinkPlan(layout), cache: &nothing)
            #expect(reused.passes.count == scratch.passes.count, "\(era) \(shape)")
            for (a, b) in zip(reused.passes, scratch.passes) {
                #expect(a.output.kept == b.output.kept, "\(era) \(shape) pass \(a.number): kept symbols differ")
                #expect(a.output.data == b.output.data && a.output.object == b.output.object, "\(era) \(shape) pass \(a.number)")
            }
            #expect("\(reused.outcome)" == "\(scratch.outcome)", "\(era) \(shape)")
        }
        // Shapes of one population differ in a few rows: some selections are patched.
        #expect(cache.passes.patchedSelections >= 2, "\(cache.passes.patchedSelections) patched")
    }
}
