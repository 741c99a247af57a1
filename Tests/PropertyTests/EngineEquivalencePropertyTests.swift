import Compressor
import Harness
import Testing

/// `engine-equivalence`: the fast engine writes the reference engine's tables.
@Suite struct EngineEquivalencePropertyTests {
    @Test("the fast engine equals the reference engine", arguments: Era.allCases)
    func fastEngineEqualsReferenceEngine(era: Era) {
        PropertyTestRun.expectLawHolds(.engineEquivalence, era: era, cases: 25)
    }
}
