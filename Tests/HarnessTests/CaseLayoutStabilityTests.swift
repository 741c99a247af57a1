import Compressor
import Generators
import Harness
import LinkModel
import Testing

/// The layouts a campaign seed draws do not change unnoticed (issue 17, items 1 and 4): `fuzz`
/// and `mitigations` tables, saved findings' seeds and the docs' "case N of seed S" all name
/// layouts by seed. Each digest is FNV-1a of the layout's text as `kallsyms-lab fuzz --seed S
/// --symbols N [--shape X] [--arch A] --print-layout I` printed it: the small layouts as the
/// release build of eae5a93 did, the ARM-sized ones since they share their population in
/// batches (`CaseLayouts`), the `--arch` one since its calls follow the learned call profile
/// and its `.text` is scaled to the drawn size. A change that alters them must say so and
/// re-measure the tables that name seeds (docs/lab-results.md).
@Suite struct CaseLayoutStabilityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var seed: UInt64
        var symbols: Int
        var shape: String?
        var architecture: KernelArchitecture?
        var index: Int
        var digest: UInt64
        var length: Int
        var testDescription: String { "seed \(seed), \(symbols) symbols, \(shape ?? "any shape"), case \(index)" }
    }

    static let cases: [Case] = [
        Case(seed: 1, symbols: 2000, index: 0, digest: 0xcf0d_9ccf_a41a_cb0f, length: 74806),
        Case(seed: 1, symbols: 2000, index: 7, digest: 0x777c_0d78_7376_dd97, length: 74706),
        Case(seed: 12, symbols: 5000, shape: "smp-nm-pcpu32", index: 3, digest: 0x5a08_7b81_6985_1e34, length: 188050),
        Case(seed: 5, symbols: 3000, architecture: .arm, index: 2, digest: 0x5eb8_dbe7_d0e5_35d5, length: 115268),
        Case(seed: 12, symbols: LayoutGenerator.armSized, index: 0, digest: 0x5fc3_d528_fa2c_7c62, length: 4_136_575),
        Case(seed: 1, symbols: LayoutGenerator.armSized, index: 512, digest: 0xc5d7_08e3_e9af_54c8, length: 4_137_121),
    ]

    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    @Test("a case seed draws the layout it drew when it was recorded", arguments: cases)
    func sameLayout(_ expected: Case) throws {
        var configuration = Campaign.Configuration(era: .v7_0, seed: expected.seed, symbols: expected.symbols)
        configuration.shape = try expected.shape.map { try #require(LayoutShape(parsing: $0)) }
        configuration.modern = expected.architecture.map { ModernLayout.Options(architecture: $0) }
        let text = Campaign(configuration).layout(ofCase: expected.index).description
        #expect(text.utf8.count == expected.length)
        #expect(Self.fnv1a(text.utf8) == expected.digest)
    }

    /// The pass-convergence reason names the last two passes and their object sizes, read
    /// straight from the passes instead of from `BuildResult.explanation()` (whose two map
    /// comparisons cost more than the build, issue 17): both must say the same.
    @Test("a failure's reason gives the passes and object sizes of the build's explanation")
    func reasonMatchesExplanation() throws {
        let configuration = CampaignTests.configuration(cases: 40)
        let campaign = Campaign(configuration)
        var checked = 0
        for index in 0..<40 where checked < 3 {
            let result = Build(layout: campaign.layout(ofCase: index), options: configuration.buildOptions).run()
            guard case .fails(let reason) = CampaignTarget.passConvergence.verdict(of: result) else { continue }
            let explanation = try #require(result.explanation())
            #expect(
                reason.contains(
                    "; pass \(explanation.lastPass)'s object is \(explanation.newObjectSize) bytes, pass "
                        + "\(explanation.previousPass)'s \(explanation.oldObjectSize) ("))
            checked += 1
        }
        #expect(checked > 0)
    }
}
