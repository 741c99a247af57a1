import Compressor
import Harness
import Testing

/// `determinism`: the same input gives the same bytes.
@Suite struct DeterminismPropertyTests {
    @Test("the same input gives the same .S, byte for byte", arguments: Era.allCases)
    func sameInputGivesSameBytes(era: Era) {
        PropertyTestRun.expectLawHolds(.determinism, era: era, cases: 40)
    }
}
