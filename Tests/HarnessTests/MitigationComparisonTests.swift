import Compressor
import Generators
import Harness
import LinkModel
import Randomness
import Testing

@Suite struct MitigationComparisonTests {
    static func configuration(cases: Int, jobs: Int = 1) -> MitigationComparison.Configuration {
        MitigationComparison.Configuration(
            era: .v3_3, cases: cases, seed: 11, symbols: 300,
            shape: .arm2012Uniprocessor, jobs: jobs)
    }

    static let table = MitigationComparison(configuration(cases: 24)).run()

    static func row(_ label: String) -> MitigationComparison.Row {
        table.rows.first { $0.label == label }!
    }

    @Test("every standard mitigation is a row, after the baseline, and every row saw every layout")
    func rows() {
        #expect(
            Self.table.rows.map(\.label)
                == ["none", "extra-pass", "fixed-point=8", "pad=64", "pad=4096", "uncompressed-type", "reuse-tokens"])
        #expect(Self.table.rows.allSatisfy { $0.cases == 24 })
        #expect(Self.table.cases == 24 && Self.table.builds == 24 * 7 && !Self.table.cancelled)
        // Pass 1's compression is shared by the rows of a layout.
        #expect(Self.table.reusedCompressions > Self.table.compressions)
    }

    @Test("what each mitigation does to 2012 uniprocessor layouts under v3.3")
    func mitigationsBehaveAsModelled() {
        let none = Self.row("none")
        #expect(none.failures > 0)
        #expect(none.totalExtraBytes == 0 && none.worstPasses == 2 && none.meanPasses == 2)
        // The extra pass always links a third time.
        #expect(Self.row("extra-pass").meanPasses == 3)
        // A raw type byte takes the letter out of the compression: a letter flip changes no size.
        let raw = Self.row("uncompressed-type")
        #expect(raw.failures == 0 && raw.sizeChanges == 0)
        #expect(raw.meanExtraBytes > 0)
        // Padding costs bytes, more for larger slots; fixed-point runs until the object repeats.
        #expect(Self.row("pad=64").meanExtraBytes > 0)
        #expect(Self.row("pad=4096").meanExtraBytes > Self.row("pad=64").meanExtraBytes)
        #expect(Self.row("fixed-point=8").worstPasses <= 8)
        #expect(Self.row("fixed-point=8").failures <= none.failures)
        #expect(Self.row("reuse-tokens").worstPasses == 2)
    }

    @Test("each row names its failed layouts, and each one fails when built alone")
    func failedCasesAreNamed() throws {
        let none = Self.row("none")
        #expect(none.failedCases.count == none.failures && none.failedCases == none.failedCases.sorted())
        let comparison = MitigationComparison(Self.configuration(cases: 24))
        let index = try #require(none.failedCases.first)
        let layout = comparison.layout(index)
        let result = Build(layout: layout, options: BuildOptions(era: .v3_3, kallsyms: .init(allSymbols: true))).run()
        #expect(result.isInconsistent)
        let passing = try #require((0..<24).first { !none.failedCases.contains($0) })
        #expect(
            !Build(layout: comparison.layout(passing), options: BuildOptions(era: .v3_3, kallsyms: .init(allSymbols: true)))
                .run().isInconsistent)
    }

    @Test("jobs do not change the table")
    func jobsDoNotChangeTheTable() {
        let single = MitigationComparison(Self.configuration(cases: 6)).run()
        let double = MitigationComparison(Self.configuration(cases: 6, jobs: 2)).run()
        #expect(single.rows == double.rows)
    }

    @Test("the layouts are the campaign's layouts for the same seed")
    func sameLayoutsAsTheCampaign() {
        let comparison = MitigationComparison(Self.configuration(cases: 2))
        var rng = SeededRandom(seed: Campaign.caseSeed(1, campaignSeed: 11))
        let expected = LayoutGenerator(profile: .arm).generate(symbols: 300, shape: .arm2012Uniprocessor, using: &rng)
        #expect(comparison.layout(1) == expected)
    }

    @Test("a cancelled comparison stops before the next layout")
    func cancellation() {
        let stop = CampaignCancellation()
        stop.cancel()
        let table = MitigationComparison(Self.configuration(cases: 5)).run(cancellation: stop)
        #expect(table.cases == 0 && table.cancelled)
    }
}
