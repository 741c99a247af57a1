import Compressor
import Generators
import Harness
import LinkModel
import Testing

/// What a build takes from its own passes instead of linking again (issue 17, fourth step):
/// vmlinux's map is the last pass's when the model links the same object, and a raw-`nm`
/// pass's map is numbered in place as kallsyms' input. Each build must equal the same build
/// with a linker that links every image.
@Suite struct LinkReuseBuildTests {
    /// The model, linking vmlinux too (`mapsDependOnObjectOnly` is false by default).
    struct LinkingEveryImage: ImageLinker {
        var model: ModelLinker

        mutating func link(_ output: KallsymsOutput?, weakReferences: [[UInt8]]) -> LinkedMap {
            model.link(output, weakReferences: weakReferences)
        }
    }

    /// Builds `plan` both ways; returns whether the build was inconsistent.
    @discardableResult
    static func expectSameBuild(_ plan: LinkPlan, _ options: BuildOptions, _ label: String) -> Bool {
        let reused = Build(layout: plan.layout, options: options).run(plan: plan)
        var linker = LinkingEveryImage(model: ModelLinker(plan: plan, conventions: options.linkConventions))
        var cache = CompressionCache()
        let linked = Build(layout: plan.layout, options: options).run(
            target: plan.layout.target, cache: &cache, linker: &linker)
        PassReuseBuildTests.expectEqual(reused, linked, label)
        // (`SymbolRecord`'s equality ignores lines: compare them too.)
        #expect(reused.passes.map { $0.input.map(\.line) } == linked.passes.map { $0.input.map(\.line) }, "\(label)")
        for pass in reused.passes where options.era.rules.nameLengthLimit == nil {
            // Kallsyms numbers the lines it reads one after another (after the undefined weak
            // ones of a raw map).
            let first = pass.input.first?.line ?? 1
            let expected = pass.input.indices.map { first + $0 }
            #expect(pass.input.map(\.line) == expected, "\(label) pass \(pass.number)")
        }
        if case .inconsistent = reused.outcome { return true }
        return false
    }

    @Test("small layouts, some inconsistent, built with the last map reused equal builds linking every image")
    func smallLayouts() {
        let configuration = Campaign.Configuration(era: .v3_3, seed: 12, symbols: 2000)
        let campaign = Campaign(configuration)
        var inconsistent = 0
        for index in 0..<48 {
            let plan = LinkPlan(campaign.layout(ofCase: index))
            if Self.expectSameBuild(plan, configuration.buildOptions, "v3.3 case \(index)") { inconsistent += 1 }
        }
        // Inconsistent builds are those whose vmlinux differs from the last map: they must occur.
        #expect(inconsistent > 0)
    }

    @Test("every mitigation row, every era: the last map reused equals linking every image", arguments: Era.allCases)
    func mitigationRows(_ era: Era) {
        let configuration = Campaign.Configuration(era: era, seed: 0x17_a, symbols: 1500)
        let campaign = Campaign(configuration)
        for index in 0..<2 {
            let plan = LinkPlan(campaign.layout(ofCase: index))
            for mitigations in MitigationComparison.standardRows {
                let options = BuildOptions(era: era, kallsyms: configuration.kallsyms, mitigations: mitigations)
                Self.expectSameBuild(plan, options, "\(era) case \(index) \(mitigations)")
            }
        }
    }

    @Test("an ARM-sized case and an --arch case: the last map reused equals linking every image")
    func largeLayouts() {
        let plan = LinkPlan(Campaign(.init(era: .v3_3, seed: 0x17_b)).layout(ofCase: 0))
        Self.expectSameBuild(plan, Campaign.Configuration(era: .v3_3, seed: 0x17_b).buildOptions, "ARM-sized v3.3")
        var configuration = Campaign.Configuration(era: .v6_1, seed: 0x17_c)
        configuration.modern = ModernLayout.Options(architecture: .arm)
        configuration.rules = .lld
        let arch = LinkPlan(Campaign(configuration).layout(ofCase: 0))
        Self.expectSameBuild(arch, configuration.buildOptions, "--arch arm v6.1")
    }
}
