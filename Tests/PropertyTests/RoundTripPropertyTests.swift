import Compressor
import Harness
import Testing

/// `round-trip`: decoding the tables (and the `.S`) gives back exactly the kept symbols.
@Suite struct RoundTripPropertyTests {
    @Test("decoding the tables gives back exactly the kept symbols", arguments: Era.allCases)
    func roundTripRestoresEverySymbol(era: Era) {
        PropertyTestRun.expectLawHolds(.roundTrip, era: era, cases: 60)
    }
}
