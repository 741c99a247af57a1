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
