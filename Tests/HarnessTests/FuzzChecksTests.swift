import Compressor
import FuzzLaws
import Harness
import TestSupport
import Testing

/// The laws behind the libFuzzer targets, on the seed inputs and on regression inputs.
@Suite struct FuzzChecksTests {
    @Test("every selector byte picks a valid era and flag set", arguments: 0...255)
    func selectorsAreValid(_ selector: Int) throws {
        let (era, options) = FuzzChecks.configuration(UInt8(selector))
        try era.validate(options)
    }

    @Test("the round-trip law holds on the small golden inputs for every era", arguments: ["small.map", "basic-0002.map", "x86pcpu.map"])
    func roundTripOnSeeds(_ input: String) throws {
        // Whether the era refuses the input is the kernel's golden verdict where the manifest has
        // the run, else the era's generator's; a refusal counts apart from a pass, and the law
        // must be checked on most selectors.
        var passed = 0, confirmedByTheKernel = 0
        let selectors = Array(0..<40) + Array(128..<168)
        for selector in selectors {
            let (era, options) = FuzzChecks.configuration(UInt8(selector))
            let golden = Corpus.goldenRuns.first { $0.era == era && $0.input == input && $0.options == options }
            let accepted: Bool
            if let golden {
                accepted = golden.succeeds
                confirmedByTheKernel += 1
            } else {
                accepted = (try? era.generate(Corpus.goldenInput(input), options: options)) != nil
            }
            let outcome = FuzzChecks.roundTrip([UInt8(selector)] + Corpus.goldenInput(input))
            if accepted {
                #expect(outcome == .passed, "selector \(selector): \(era) \(options)")
                passed += 1
            } else {
                guard case .refused = outcome else {
                    Issue.record("selector \(selector): \(era) \(options) refuses \(input), yet \(outcome)")
                    continue
                }
            }
        }
        #expect(confirmedByTheKernel >= selectors.count / 2)
        #expect(passed >= selectors.count / 4, "the law was checked on \(passed) of \(selectors.count) selectors")
    }

    @Test("a refused input is reported as refused, not as passed")
    func refusalIsNotAPass() {
        // v6.1 (selector 2) refuses a map without any symbol in a text range.
        let outcome = FuzzChecks.roundTrip([2] + Array("00001000 D data_only\n".utf8))
        guard case .refused(let reason) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(!reason.isEmpty)
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
    @Test("fuzz regressions stay fixed", arguments: ["FuzzRoundTrip", "FuzzDecode"])
    func regressions(_ target: String) throws {
        let files = try Corpus.requiredFiles(in: "fuzz-regressions/\(target)")
        for file in files {
            let input = Corpus.bytes("fuzz-regressions/\(target)/\(file)")
            let outcome = target == "FuzzRoundTrip" ? FuzzChecks.roundTrip(input) : FuzzChecks.decode(input)
            #expect(outcome == .passed, "\(target) \(file)")
        }
    }
}
