import Compressor
import Harness
import Testing
import TestSupport

/// The laws behind the libFuzzer targets, on the seed inputs and on regression inputs.
@Suite struct FuzzChecksTests {
    @Test("every selector byte picks a valid era and flag set", arguments: 0...255)
    func selectorsAreValid(_ selector: Int) throws {
        let (era, options) = FuzzChecks.configuration(UInt8(selector))
        try era.validate(options)
    }

    @Test("the round-trip law holds on the small golden inputs for every era", arguments: ["small.map", "basic-0002.map", "x86pcpu.map"])
    func roundTripOnSeeds(_ input: String) {
        for selector in Array(0..<40) + Array(128..<168) {
            let outcome = FuzzChecks.roundTrip([UInt8(selector)] + Corpus.goldenInput(input))
            #expect(outcome == .passed, "selector \(selector)")
        }
    }

    @Test("decoding arbitrary bytes never traps")
    func decodeNeverTraps() {
        var state: UInt64 = 99
        for length in 0..<600 {
            let bytes = (0..<length).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 41)
            }
            #expect(FuzzChecks.decode(bytes) == .passed)
        }
    }

    /// Every input a fuzzer flagged, kept under Tests/Corpus/fuzz-regressions/<target>/.
    @Test("fuzz regressions stay fixed")
    func regressions() throws {
        for target in ["FuzzRoundTrip", "FuzzDecode"] {
            for file in Corpus.files(in: "fuzz-regressions/\(target)") {
                let input = Corpus.bytes("fuzz-regressions/\(target)/\(file)")
                let outcome = target == "FuzzRoundTrip" ? FuzzChecks.roundTrip(input) : FuzzChecks.decode(input)
                #expect(outcome == .passed, "\(target) \(file)")
            }
        }
    }
}
