import Compressor
import Generators
import Harness
import LinkModel
import Testing

/// The builds of one layout under every mitigation share a `CompressionCache` (compressions
/// and, since issue 17, selections of identical inputs): each must end exactly as the same
/// build from scratch, in every era.
@Suite struct SharedCacheTests {
    /// What a pass produced, without `work` (which says how it was produced).
    struct PassOutcome: Equatable {
        var number: Int
        var map: LinkedMap
        var input: [SymbolRecord]
        var kept: [KeptSymbol]
        var tables: TableLayout
        var data: KallsymsTables
        var object: KallsymsObject

        init(_ pass: BuildPass) {
            number = pass.number
            map = pass.map
            input = pass.input
            kept = pass.output.kept
            tables = pass.output.tables
            data = pass.output.data
            object = pass.output.object
        }
    }

    static func outcome(_ result: BuildResult) -> String {
        switch result.outcome {
        case .consistent(let passes): "consistent after \(passes)"
        case .inconsistent(let mismatch): "inconsistent: \(mismatch.differingLines) lines"
        case .generatorFailed(let pass, let error): "refused in pass \(pass): \(error.message)"
        }
    }

    @Test("every mitigation row built with the shared cache equals its build from scratch", arguments: Era.allCases)
    func sharedEqualsScratch(_ era: Era) {
        let configuration = Campaign.Configuration(era: era, seed: 0x17, symbols: 1500)
        let campaign = Campaign(configuration)
        for index in 0..<3 {
            let plan = LinkPlan(campaign.layout(ofCase: index))
            var shared = CompressionCache()
            for mitigations in MitigationComparison.standardRows {
                let options = BuildOptions(era: era, kallsyms: configuration.kallsyms, mitigations: mitigations)
                let cached = Build(layout: plan.layout, options: options).run(plan: plan, cache: &shared)
                let scratch = Build(layout: plan.layout, options: options).run(plan: plan)
                #expect(cached.passes.map(PassOutcome.init) == scratch.passes.map(PassOutcome.init), "\(era) case \(index) \(mitigations)")
                #expect(cached.vmlinux == scratch.vmlinux)
                #expect(Self.outcome(cached) == Self.outcome(scratch))
            }
        }
    }
}

/// Campaign workers keep one `CompressionCache` from case to case (issue 17): ARM-sized cases
/// of a batch share their population, so later cases mostly reuse earlier compressions. Each
/// case must build exactly as from scratch.
@Suite struct WorkerCacheTests {
    static let configuration = Campaign.Configuration(era: .v3_3, seed: 0x17, symbols: Campaign.populationSharedFrom)

    @Test("cases built one after another with one cache equal their builds from scratch")
    func workerCacheEqualsScratch() {
        let campaign = Campaign(Self.configuration)
        var cache = CompressionCache()
        var reused = 0, revised = 0
        for index in 0..<6 {
            let plan = LinkPlan(campaign.layout(ofCase: index))
            let options = Self.configuration.buildOptions
            let cached = Build(layout: plan.layout, options: options).run(plan: plan, cache: &cache)
            let scratch = Build(layout: plan.layout, options: options).run(plan: plan)
            #expect(cached.passes.map(SharedCacheTests.PassOutcome.init) == scratch.passes.map(SharedCacheTests.PassOutcome.init), "case \(index)")
            #expect(cached.vmlinux == scratch.vmlinux)
            #expect(SharedCacheTests.outcome(cached) == SharedCacheTests.outcome(scratch))
            reused += cached.passes.filter { $0.output.work == .reusedCompression }.count
            revised += cached.passes.filter { $0.output.work == .revisedCompression }.count
        }
        // The cases share a population: the cache must have been used, or this test tests nothing;
        // and one case's strings differ from an earlier one's in a few, so a revision is built too.
        #expect(reused > 0)
        #expect(revised > 0)
    }

    @Test("ARM-sized cases of one batch share their symbols and differ in sizes; the next batch has others")
    func batchesSharePopulations() throws {
        let campaign = Campaign(Self.configuration)
        func names(_ layout: Layout) -> Set<[UInt8]> {
            Set(layout.sections.flatMap { $0.members.compactMap { if case .symbol(let name, _, _) = $0 { name } else { nil } } })
        }
        func sizes(_ layout: Layout) -> [UInt64] { layout.sections.map(\.size) }
        let first = campaign.layout(ofCase: 0), second = campaign.layout(ofCase: 1)
        let later = campaign.layout(ofCase: Campaign.casesPerPopulation)
        #expect(names(first) == names(second))
        #expect(sizes(first) != sizes(second))
        #expect(names(first) != names(later))
        // Case i of seed S is the same layout wherever it is asked for.
        #expect(Campaign(Self.configuration).layout(ofCase: 1) == second)
        #expect(MitigationComparison(.init(era: .v3_3, cases: 2, seed: 0x17, symbols: Campaign.populationSharedFrom)).layout(1) == second)
    }
}
