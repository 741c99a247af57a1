import Compressor
import FuzzLaws
import Generators
import Harness
import LinkModel
import Randomness
import TestSupport
import Testing

/// `FuzzPassConvergence`'s input format and check (`PassConvergenceInput`,
/// `FuzzChecks.passConvergence`), without the fuzzer.
@Suite struct PassConvergenceInputTests {
    /// An input: era byte, shape byte, symbols, seed, then edits.
    static func input(era: UInt8 = 0, shape: UInt8 = 0, symbols: Int = 280, seed: UInt64, edits: [UInt8] = []) -> [UInt8] {
        [era, shape, UInt8(symbols & 0xFF), UInt8(symbols >> 8)] + (0..<8).map { UInt8(truncatingIfNeeded: seed >> (8 * $0)) } + edits
    }

    @Test("the empty input is the 2012 uniprocessor v3.3 case of 20 symbols; each byte decides one thing")
    func decoding() {
        let empty = PassConvergenceInput([])
        #expect(empty.era == .v3_3 && empty.letters == nil && empty.symbols == 20 && empty.seed == 0 && empty.edits.isEmpty)
        #expect(empty.shape == LayoutShape.arm2012Uniprocessor)
        let decoded = PassConvergenceInput(
            Self.input(
                era: 3 | 1 << 3, shape: 0b1111, symbols: 1000, seed: 0x1234,
                edits: [0, 5, 1, 2, 1, 5, 0, 3, 3, 9, 1, 0, 5, 0, 1, 0]))
        #expect(decoded.era == .v6_19 && decoded.letters == .binutils2012 && decoded.symbols == 1020 && decoded.seed == 0x1234)
        #expect(decoded.shape == LayoutShape(isUniprocessor: false, letters: .byFlags, percpuAlignment: 32, isBoundaryBiased: false))
        let expected: [PassConvergenceInput.Edit] = [
            .grow(section: 5, by: 0x1020), .shrink(section: 5, by: 12), .flipMarker(section: 9, marker: 1),
            .placeKallsyms(offset: nil),
        ]
        #expect(decoded.edits == expected)
        // A trailing partial edit reads its missing bytes as 0.
        #expect(PassConvergenceInput(Self.input(seed: 1, edits: [2, 7])).edits == [.realign(item: 7, log2: 0)])
    }

    @Test("every byte string gives a valid layout: its text reads back the same, and it builds")
    func editsKeepLayoutsValid() throws {
        var rng = SeededRandom(seed: 0xf022)
        let generator = LayoutGenerator(profile: .arm)
        var built = 0
        for _ in 0..<60 {
            let length = 12 + Int(rng.next() % 48)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var input = PassConvergenceInput(bytes)
            input.symbols = min(input.symbols, 200)
            let layout = input.layout(generator: generator)
            #expect(try Layout(parsing: layout.description) == layout)
            _ = Build(layout: layout, options: input.buildOptions).run()
            built += 1
        }
        #expect(built == 60)
    }

    @Test("a failing input gives a case file that replays as the same failure; a converging one gives none")
    func findingReplays() throws {
        var findings = 0, converging = 0
        for seed in UInt64(0)..<120 where findings < 2 {
            switch FuzzChecks.passConvergence(Self.input(seed: seed)) {
            case .converges:
                converging += 1
            case .refused(let reason):
                Issue.record("seed \(seed) refused: \(reason)")
            case .finding(let file):
                findings += 1
                #expect(file.era == .v3_3 && file.kind == .build && file.target == "pass-convergence" && file.expectation == .fails)
                #expect(file.reason.hasPrefix("Inconsistent kallsyms data"))
                let replayed = try CaseReplay.replay(text: file.description)
                #expect(replayed.matchesExpectation, "\(replayed.observation)")
                let name = FuzzChecks.passConvergenceFileName(file, input: Self.input(seed: seed))
                #expect(name.hasPrefix("pass-convergence-v3.3-fuzz-") && name.hasSuffix(".case"))
            }
        }
        #expect(findings == 2, "300-symbol biased 2012 uniprocessor layouts fail v3.3 often (CampaignTests)")
        #expect(converging > 0)
    }

    @Test("every input the fuzzer stopped on still ends in Inconsistent kallsyms data")
    func regressions() throws {
        let files = try Corpus.requiredFiles(in: "fuzz-regressions/FuzzPassConvergence")
        for name in files {
            let bytes = Corpus.bytes("fuzz-regressions/FuzzPassConvergence/" + name)
            guard case .finding(let file) = FuzzChecks.passConvergence(bytes) else {
                Issue.record("\(name) no longer fails")
                continue
            }
            #expect(file.reason.hasPrefix("Inconsistent kallsyms data"), "\(name)")
            #expect(try CaseReplay.replay(text: file.description).matchesExpectation, "\(name)")
        }
        #expect(files.count >= 1)
    }
}
