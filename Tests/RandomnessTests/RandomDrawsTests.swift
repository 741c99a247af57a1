import Randomness
import Testing

/// `RandomDraws` is the one place random inputs are drawn from: its results must follow from the
/// generator's outputs by the documented algorithms, so a seed replays on every toolchain.
@Suite struct RandomDrawsTests {
    @Test("below is Lemire's multiply-and-reject over the generator's outputs", arguments: [1, 2, 3, 7, 100, 1 << 20, 1_000_003])
    func belowFollowsTheOutputs(_ bound: Int) {
        var draws = SeededRandom(seed: 0x2012)
        var outputs = SeededRandom(seed: 0x2012)
        let threshold = (0 &- UInt64(bound)) % UInt64(bound)
        for _ in 0..<2000 {
            let value = RandomDraws.below(UInt64(bound), using: &draws)
            // The same computation written out: reject products whose low half falls under the
            // threshold, take the high half of the first one kept.
            var expected: UInt64
            repeat {
                let product = outputs.next().multipliedFullWidth(by: UInt64(bound))
                expected = product.high
                if product.low >= threshold { break }
            } while true
            #expect(value == expected)
            #expect(value < UInt64(bound))
        }
        #expect(draws == outputs, "both consumed the same number of outputs")
    }

    @Test("every value of a small range is drawn about equally often")
    func belowIsUniform() {
        var rng = SeededRandom(seed: 7)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[RandomDraws.index(6, using: &rng)] += 1 }
        // 10 000 expected per value; 5 standard deviations is about ±460.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 }, "\(counts)")
    }

    @Test("value(in:) stays inside its closed range and reaches both ends")
    func valueInRange() {
        var rng = SeededRandom(seed: 3)
        let drawn = Set((0..<500).map { _ in RandomDraws.value(in: -2...2, using: &rng) })
        #expect(drawn == Set(-2...2))
    }

    @Test("shuffle permutes, and the same seed shuffles the same way")
    func shufflePermutes() {
        var a = Array(0..<50), b = Array(0..<50)
        var rngA = SeededRandom(seed: 11), rngB = SeededRandom(seed: 11)
        RandomDraws.shuffle(&a, using: &rngA)
        RandomDraws.shuffle(&b, using: &rngB)
        #expect(a == b)
        #expect(a.sorted() == Array(0..<50))
        #expect(a != Array(0..<50))
    }

    @Test("sample draws distinct indices in ascending order", arguments: [(0, 10), (1, 1), (5, 5), (7, 1000)])
    func sampleIsDistinctAndSorted(_ count: Int, _ population: Int) {
        var rng = SeededRandom(seed: UInt64(count * 31 + population))
        let chosen = RandomDraws.sample(count, of: population, using: &rng)
        #expect(chosen.count == count)
        #expect(chosen == chosen.sorted() && Set(chosen).count == count)
        #expect(chosen.allSatisfy { (0..<population).contains($0) })
    }

    @Test("belowByModulo is one output reduced modulo the bound")
    func moduloDraw() {
        var draws = SeededRandom(seed: 5), outputs = SeededRandom(seed: 5)
        for bound in [1, 3, 100, 12_345] {
            #expect(RandomDraws.belowByModulo(bound, using: &draws) == Int(outputs.next() % UInt64(bound)))
        }
    }
}
