import Randomness
import Testing

@Suite struct SeededRandomTests {
    @Test("the outputs are SplitMix64's reference vector")
    func outputsMatchTheSplitMix64ReferenceVector() {
        // Vigna's splitmix64.c, seed 1234567.
        var rng = SeededRandom(seed: 1_234_567)
        let expected: [UInt64] = [
            6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
            4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
        ]
        #expect((0..<5).map { _ in rng.next() } == expected)
    }

    @Test("the same seed gives the same stream; another seed another")
    func sameSeedGivesSameStream() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        var c = SeededRandom(seed: 43)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        #expect(first != (0..<100).map { _ in c.next() })
    }

    @Test("a saved state replays the rest of the stream")
    func savedStateReplaysTheStream() throws {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<13 { _ = rng.next() }
        var replay = SeededRandom(state: rng.state)
        #expect((0..<20).map { _ in rng.next() } == (0..<20).map { _ in replay.next() })
        #expect(SeededRandom(state: 0x2a).description == "SeededRandom(state: 0x2a)")
    }

    @Test("derived streams do not advance the parent and depend only on state and label")
    func derivingDoesNotAdvanceTheParent() {
        let parent = SeededRandom(seed: 99)
        var copy = parent
        var names = parent.derived("names")
        var addresses = parent.derived("addresses")
        var namesAgain = parent.derived("names")
        #expect(parent == copy)
        #expect(names == namesAgain)
        #expect(names.next() != addresses.next())
        #expect(parent.derived(3) == parent.derived(3))
        #expect(parent.derived(3) != parent.derived(4))
        // A derived stream is not the parent's stream shifted.
        let parentOutputs = Set((0..<64).map { _ in copy.next() })
        #expect(!parentOutputs.contains(namesAgain.next()))
    }

    @Test("one extra draw in one derived stream changes nothing in another")
    func extraDrawsStayInTheirStream() {
        func draws(extra: Bool) -> [UInt64] {
            let root = SeededRandom(seed: 5)
            var first = root.derived("first")
            var second = root.derived("second")
            _ = first.next()
            if extra { _ = first.next() }
            return (0..<10).map { _ in second.next() }
        }
        #expect(draws(extra: false) == draws(extra: true))
    }

    @Test("split draws exactly one value from the parent")
    func splitAdvancesTheParentByOne() {
        var parent = SeededRandom(seed: 11)
        var reference = parent
        var child = parent.split()
        _ = reference.next()
        #expect(parent == reference)
        #expect(child.next() != parent.next())
    }

    @Test("a generator seeded from another draws exactly one value from it")
    func drawingFromAnotherGeneratorTakesOneValue() {
        var source = SeededRandom(seed: 3)
        var reference = source
        let child = SeededRandom(drawingFrom: &source)
        #expect(child == SeededRandom(seed: reference.next()))
        #expect(source == reference)
    }
}
