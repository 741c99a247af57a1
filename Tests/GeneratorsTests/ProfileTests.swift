import Compressor
import Foundation
import Generators
import LinkModel
import Randomness
import TestSupport
import Testing

@Suite struct ProfileTests {
    @Test("the built-in ARM profile is what learning the corpus map gives (regenerate with profile --swift)")
    func builtInARMProfileMatchesTheCorpusMap() {
        let learned = Profile.learn(from: Fixtures.armRecords)
        #expect(
            learned == Profile.arm,
            """
            Profile.arm drifted from Tests/Corpus/armhf-armmp-6.1.176/System.map; regenerate it with
            kallsyms-lab profile --swift Tests/Corpus/armhf-armmp-6.1.176/System.map > Sources/Generators/Profile+ARM.swift
            """)
    }

    @Test("the ARM profile has the armhf map's regions, markers and weak-alias block")
    func armProfileDescribesTheArmhfMap() throws {
        let profile = Profile.arm
        #expect(profile.symbolCount == 107_103)
        #expect(profile.addressWidth == 8)
        #expect(profile.regions.map(\.name) == ["low", "head text", "text", "rodata", "init", "per-cpu", "data", "bss", "high"])
        #expect(profile.regions.first { $0.name == "text" }?.start == 0xc030_0000)
        #expect(profile.regions.first { $0.name == "per-cpu" }?.start == 0xc132_a000)
        let markerNames = Set(profile.markers.map { String(decoding: $0.symbol.name, as: UTF8.self) })
        for name in [
            "_text", "_stext", "_etext", "_sinittext", "_einittext", "__per_cpu_start", "__per_cpu_end",
            "_sdata", "__bss_start", "_end", "__start___ksymtab", "__stop___ksymtab",
        ] {
            #expect(markerNames.contains(name), "missing marker \(name)")
        }
        let block = try #require(profile.aliasBlocks.first)
        #expect(profile.aliasBlocks.count == 1)
        #expect(block.members.count == 79)
        #expect(block.members.contains(ProfileSymbol(type: UInt8(ascii: "T"), name: Array("sys_ni_syscall".utf8))))
        #expect(block.members.filter { $0.type == UInt8(ascii: "W") }.count == 78)
        // Every symbol is a marker, a block member or counted in a region.
        let ordinary = profile.regions.reduce(0) { $0 + $1.symbolCount }
        #expect(ordinary + profile.markers.count + 79 == profile.symbolCount)
        #expect(profile.names.learnedNames == ordinary)
        #expect(profile.names.maximumLength == 96)
    }

    @Test("a profile round-trips through its pretty, sorted JSON")
    func jsonRoundTripPreservesTheProfile() throws {
        let json = Profile.arm.json()
        #expect(try Profile(json: json) == Profile.arm)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"addressWidth\" : 8,\n  \"format\" : 1,\n"))
        #expect(text.contains("\"start\" : \"0xc0300000\""))
        #expect(json.count < 400_000)
    }

    @Test("malformed JSON is a ProfileError with a line number")
    func malformedJSONNamesItsLine() {
        let broken = Array("{\n  \"format\" : 1,\n  \"symbolCount\" : \"many\"\n}\n".utf8)
        #expect(throws: ProfileError(".symbolCount: Expected to decode Int but found a string instead.", line: 3)) {
            try Profile(json: broken)
        }
        do {
            _ = try Profile(json: Array("{\n  \"format\" : 1,\n  \"x\" :\n}".utf8))
            Issue.record("invalid JSON was accepted")
        } catch let error as ProfileError {
            #expect(error.line == 4)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        var future = Profile.arm
        future.format = 2
        #expect(throws: ProfileError.self) { try Profile(json: future.json()) }
    }

    @Test("learning does not depend on the order of the records")
    func learningIgnoresRecordOrder() throws {
        let sample = Array(Fixtures.armRecords.prefix(3000))
        var shuffled = sample
        var rng = SeededRandom(seed: 8)
        shuffled.shuffle(using: &rng)
        try #require(shuffled != sample)
        let learned = Profile.learn(from: sample)
        #expect(Profile.learn(from: shuffled) == learned)
        // The comparison can tell profiles apart: what is learned depends on the records.
        #expect(learned.symbolCount == 3000)
        #expect(learned.names.learnedNames >= 1_000, "the name model learned \(learned.names.learnedNames) names")
        #expect(Profile.learn(from: Array(sample.prefix(2000))) != learned)
        #expect(
            Profile.learn(
                from: sample.map {
                    var r = $0
                    r.name += Array("_x".utf8)
                    return r
                }) != learned)
    }

    @Test("regions come from the boundary markers present, with low and high around them")
    func regionsFollowTheBoundaryMarkers() {
        let map = Fixtures.records([
            (0x24, "A", "cpu_suspend_size"),
            (0xc000_8000, "T", "_text"), (0xc000_8000, "T", "stext"),
            (0xc010_0000, "T", "_stext"), (0xc010_0000, "T", "start_kernel"), (0xc010_0040, "t", "helper"),
            (0xc020_0000, "D", "_etext"), (0xc020_0000, "r", "__func__.1"),
            (0xc030_0000, "B", "__bss_start"), (0xc030_0010, "b", "counter"), (0xc030_0020, "B", "_end"),
            (0xffff_0000, "t", "vector_irq"),
        ])
        let profile = Profile.learn(from: map)
        #expect(profile.regions.map(\.name) == ["low", "head text", "text", "rodata", "bss", "high"])
        #expect(profile.regions.map(\.symbolCount) == [1, 1, 2, 1, 1, 1])
        #expect(profile.regions[2].typeLetters == ["T": 1, "t": 1])
        #expect(profile.regions[2].alignment == 0x10_0000)
        let stext = profile.regions[2].markers[0]
        #expect(stext.symbol.description == "T _stext")
        #expect(stext.ordinaryBefore == 0 && !stext.sharesAddressWithPrevious && stext.sharesAddressWithNext)
        let end = profile.regions[4].markers.last!
        #expect(end.symbol.description == "B _end" && end.ordinaryBefore == 1)
    }

    @Test("a map without markers or symbols still gives a usable profile")
    func degenerateMapsGiveUsableProfiles() {
        for map in [[], Fixtures.records([(0x1000, "T", "only")]), Fixtures.records([(0x1000, "T", "has space"), (0x1004, "t", "x\ty")])] {
            let profile = Profile.learn(from: map)
            var rng = SeededRandom(seed: 1)
            let generated = SymbolSetGenerator(profile: profile).generate(symbols: 25, using: &rng)
            #expect(generated.count == 25)
            #expect(MapOrder.isSorted(generated))
            #expect(generated.allSatisfy { !$0.name.isEmpty && !$0.name.contains(0x20) && !$0.name.contains(0x09) })
        }
        #expect(Profile.learn(from: Fixtures.records([(0x1000, "T", "has space")])).names.skippedNames == 1)
    }
}

@Suite struct NameModelTests {
    @Test("names split into a leading separator run and word+separator units")
    func unitsFollowTheSeparators() {
        let model = NameModel.learn(
            from: [
                (type: UInt8(ascii: "d"), name: Array("__compound_literal.12".utf8)),
                (type: UInt8(ascii: "T"), name: Array("sys_ni_syscall".utf8)),
            ],
            limits: .init(vocabularySize: 10, minimumTransitionCount: 1))
        #expect(model.chain["^d"] == "__ 1")
        #expect(model.chain["^d__"] == "compound_ 1")
        #expect(model.chain["compound_"] == "literal. 1")
        #expect(model.chain["literal."] == "12 1")
        #expect(model.chain["12"] == "$ 1")
        #expect(model.chain["^T"] == "sys_ 1")
        #expect(model.lengths.counts == [21: 1, 14: 1])
    }

    @Test("rare units become #SEP tokens drawn from the character model")
    func rareUnitsUseTheCharacterModel() {
        let names = ["alpha_beta", "alpha_gamma", "alpha_delta"].map { (type: UInt8(ascii: "t"), name: Array($0.utf8)) }
        let model = NameModel.learn(from: names, limits: .init(vocabularySize: 1, minimumTransitionCount: 1))
        #expect(model.chain["^t"] == "alpha_ 3")
        #expect(model.chain["alpha_"] == "# 3")
        #expect(model.rareWordLengths.counts == [4: 1, 5: 2])
        #expect(model.rareWordCharacters["^^"] == "b 1 d 1 g 1")
    }
}
