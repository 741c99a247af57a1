import Compressor
import Generators
import LinkModel
import Randomness
import TestSupport
import Testing

@Suite struct SymbolSetGeneratorTests {
    static let boundaryOrder = [
        "_text", "_stext", "_etext", "_sinittext", "_einittext", "__per_cpu_start",
        "__per_cpu_end", "_sdata", "_edata", "__bss_start", "_end",
    ]

    @Test("the same seed gives the same map; other seeds other maps")
    func generationIsDeterministicPerSeed() {
        let map = Fixtures.map(3000, seed: 17)
        #expect(map == Fixtures.map(3000, seed: 17))
        #expect(map != Fixtures.map(3000, seed: 18))
    }

    @Test("every size gives exactly that many symbols, in nm -n order", arguments: [1, 2, 3, 11, 20, 21, 64, 500, 4096])
    func everySizeWorks(_ count: Int) {
        let map = Fixtures.map(count, seed: UInt64(count))
        #expect(map.count == count)
        #expect(MapOrder.isSorted(map))
        #expect(map.allSatisfy { $0.address <= 0xFFFF_FFFF })
    }

    @Test("the largest tested size works")
    func largestTestedSizeWorks() {
        let map = Fixtures.map(SymbolSetGenerator.testedSymbolLimit, seed: 250)
        #expect(map.count == SymbolSetGenerator.testedSymbolLimit)
        #expect(MapOrder.isSorted(map))
        #expect(map.last!.address <= 0xFFFF_FFFF)
        #expect(Self.positions(of: Self.boundaryOrder, in: map).count == Self.boundaryOrder.count)
    }

    @Test("small maps keep the region boundaries first")
    func smallMapsKeepBoundaries() {
        #expect(Fixtures.map(1, seed: 1).map(\.name) == [Array("_text".utf8)])
        let names = Set(Fixtures.map(5, seed: 1).map { String(decoding: $0.name, as: UTF8.self) })
        #expect(names == ["_text", "_stext", "_etext", "_sinittext", "_einittext"])
    }

    @Test("names are valid for every era's parser: 1…126 bytes of [A-Za-z0-9_.]")
    func namesAreValidForEveryEra() throws {
        let map = Fixtures.map(20_000, seed: 3)
        for record in map {
            #expect(!record.name.isEmpty && record.name.count <= NameModel.lengthLimit)
            #expect(
                record.name.allSatisfy {
                    $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || (0x30...0x39).contains($0)
                        || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                })
        }
        let text = MapWriter.write(map, addressWidth: 8)
        for era in Era.allCases {
            let parsed = try era.parse(text)
            #expect(parsed.records.count == map.count, "\(era)")
            #expect(parsed.warnings.isEmpty, "\(era)")
        }
    }

    @Test("a full-size map honours the profile: regions, letters, markers, alias block, name lengths")
    func fullSizeMapHonoursTheProfile() throws {
        let profile = Profile.arm
        let map = Fixtures.fullSizeMap
        #expect(map.count == profile.symbolCount)
        #expect(MapOrder.isSorted(map))
        #expect(map.allSatisfy { $0.address <= 0xFFFF_FFFF })

        // Markers: all present, with their types, region boundaries in address order at their learned starts.
        let present = Set(map.map { ProfileSymbol(type: $0.type, name: $0.name) })
        for marker in profile.markers {
            #expect(present.contains(marker.symbol), "marker \(marker.symbol)")
        }
        for boundary in profile.markers where boundary.isBoundary {
            #expect(map.filter { $0.name == boundary.symbol.name }.count == 1, "\(boundary.symbol) is unique")
        }
        let byName = Dictionary(map.map { (String(decoding: $0.name, as: UTF8.self), $0) }, uniquingKeysWith: { first, _ in first })
        let boundaries = Self.boundaryOrder.map { byName[$0]!.address }
        #expect(boundaries == boundaries.sorted())
        for region in profile.regions where ["text", "rodata", "init", "per-cpu", "data"].contains(region.name) {
            #expect(map.contains { $0.address == region.start }, "region \(region.name) starts at its learned address")
        }

        // The weak-alias block: sys_ni_syscall and 78 weak aliases at one address.
        let target = try #require(byName["sys_ni_syscall"])
        let block = map.filter { $0.address == target.address }
        #expect(block.count == 79)
        #expect(block.filter { $0.type == UInt8(ascii: "W") }.count == 78)

        // Type letters: the same mix as the learned map (total variation distance).
        var letters = Histogram()
        var learned = Histogram()
        for record in map { letters.add(Int(record.type)) }
        for record in Fixtures.armRecords { learned.add(Int(record.type)) }
        #expect(letters.totalVariationDistance(to: learned) < 0.01)

        // Equal-address groups: about as many as learned.
        let groups = Dictionary(grouping: map, by: \.address).values.filter { $0.count >= 2 }.count
        let learnedGroups = Dictionary(grouping: Fixtures.armRecords, by: \.address).values.filter { $0.count >= 2 }.count
        #expect(abs(groups - learnedGroups) < learnedGroups / 10)

        // Name lengths: the same distribution shape and mean as the profile's.
        let lengths = Histogram(map.map(\.name.count))
        #expect(lengths.totalVariationDistance(to: profile.names.lengths) < 0.15)
        #expect(abs(lengths.mean / profile.names.lengths.mean - 1) < 0.03)
    }

    @Test("changing the name model moves no address and no type letter")
    func namesAndAddressesUseSeparateStreams() {
        var other = Profile.arm
        other.names = Profile.learn(from: Array(Fixtures.armRecords.prefix(2000))).names
        var first = SeededRandom(seed: 21)
        var second = SeededRandom(seed: 21)
        let a = SymbolSetGenerator(profile: .arm).generate(symbols: 5000, using: &first)
        let b = SymbolSetGenerator(profile: other).generate(symbols: 5000, using: &second)
        let key: (SymbolRecord) -> [UInt64] = { [$0.address, UInt64($0.type)] }
        #expect(a.map(key).sorted { $0.lexicographicallyPrecedes($1) } == b.map(key).sorted { $0.lexicographicallyPrecedes($1) })
        #expect(a.map(\.name) != b.map(\.name))
        #expect(first == second)
    }

    static func positions(of names: [String], in map: [SymbolRecord]) -> [Int] {
        names.compactMap { name in map.firstIndex { $0.name == Array(name.utf8) } }
    }
}
