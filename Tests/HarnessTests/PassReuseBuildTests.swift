import Compressor
import Generators
import Harness
import LinkModel
import Testing

/// Builds whose passes reuse their predecessors' work (mksysmap's verdicts, strings keys,
/// v6.19+'s name order, selections sharing the linked names) against the same builds with
/// nothing reused (a cache of capacity 0): passes, maps, tables and outcome must be equal,
/// on random ARM-sized cases built one after another by one worker, in every era.
@Suite struct PassReuseBuildTests {
    /// Expects equal builds, naming the first pass that differs (printing two maps of 107 000
    /// symbols would take minutes).
    static func expectEqual(_ reused: BuildResult, _ scratch: BuildResult, _ label: String) {
        let passes = reused.passes.map(SharedCacheTests.PassOutcome.init)
        let expected = scratch.passes.map(SharedCacheTests.PassOutcome.init)
        let differing = zip(passes, expected).first { $0 != $1 }.map { "pass \($0.0.number)" } ?? "none"
        #expect(passes.count == expected.count && differing == "none", "\(label): passes differ (\(differing))")
        let sameImage = reused.vmlinux == scratch.vmlinux
        #expect(sameImage, "\(label): vmlinux differs")
        #expect(SharedCacheTests.outcome(reused) == SharedCacheTests.outcome(scratch), "\(label)")
        #expect(reused.cycle == scratch.cycle, "\(label)")
    }

    static func buildBothWays(_ configuration: Campaign.Configuration, cases: Range<Int>, label: String) {
        let campaign = Campaign(configuration)
        var worker = CompressionCache()
        for index in cases {
            // The worker's plan reuses the previous case's sorted sections (`CompressionCache.plan`).
            let plan = LinkPlan(campaign.layout(ofCase: index))
            let reusedPlan = worker.plan(plan.layout)
            let options = configuration.buildOptions
            let reused = Build(layout: plan.layout, options: options).run(plan: reusedPlan, cache: &worker)
            var nothing = CompressionCache(capacity: 0)
            let scratch = Build(layout: plan.layout, options: options).run(plan: plan, cache: &nothing)
            Self.expectEqual(reused, scratch, "\(label) case \(index)")
        }
    }

    @Test("ARM-sized cases built with pass reuse equal their builds with nothing reused", arguments: Era.allCases)
    func armSizedCases(_ era: Era) {
        // Cases 14-17 cross a batch boundary: the worker's memo then holds another population.
        Self.buildBothWays(.init(era: era, seed: 0x17_7), cases: 14..<18, label: "\(era)")
    }

    @Test("every mitigation row with pass reuse equals its build with nothing reused", arguments: [Era.v3_3, .v6_1, .v7_0])
    func mitigationRows(_ era: Era) {
        let configuration = Campaign.Configuration(era: era, seed: 0x17_8)
        let plan = LinkPlan(Campaign(configuration).layout(ofCase: 3))
        var worker = CompressionCache()
        for mitigations in MitigationComparison.standardRows {
            let options = BuildOptions(era: era, kallsyms: configuration.kallsyms, mitigations: mitigations)
            let reused = Build(layout: plan.layout, options: options).run(plan: plan, cache: &worker)
            var nothing = CompressionCache(capacity: 0)
            let scratch = Build(layout: plan.layout, options: options).run(plan: plan, cache: &nothing)
            Self.expectEqual(reused, scratch, "\(era) \(mitigations)")
        }
    }

    @Test("--arch layouts (branch stubs change names between passes) with pass reuse equal their builds from scratch")
    func archCases() {
        var configuration = Campaign.Configuration(era: .v6_1, seed: 0x17_9)
        configuration.modern = ModernLayout.Options(architecture: .arm)
        configuration.rules = .lld
        Self.buildBothWays(configuration, cases: 0..<3, label: "arm v6.1")
        configuration.era = .v7_0
        Self.buildBothWays(configuration, cases: 0..<3, label: "arm v7.0")
    }
}
