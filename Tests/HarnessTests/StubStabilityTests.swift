import Compressor
import Foundation
import Generators
import Harness
import LinkModel
import TestSupport
import Testing

/// `stub-stability` (`CampaignTarget.stubStability`): every linked pass keeps the same symbol
/// names. The reallink example `e-modern-failure` breaks it the way today's kernels do: the
/// tables push `.init.text` callers out of BL range and the branch stubs' names join the tables
/// (docs/linkers.md, "Branch stubs").
@Suite("stub-stability")
struct StubStabilityTests {
    static func layout() throws -> Layout {
        try Layout(parsing: Corpus.bytes("reallink/e-modern-failure.layout"))
    }

    static func build(_ layout: Layout, _ era: Era, _ linker: LinkerFlavour) -> BuildResult {
        var options = BuildOptions(era: era)
        options.linker = linker
        return Build(layout: layout, options: options).run()
    }

    @Test(
        "breaks where the era keeps the linker's stub names, holds where it drops them",
        arguments: [
            (Era.v3_3, LinkerFlavour.gnu, true), (.v3_3, .lld, true), (.v6_1, .gnu, false), (.v6_1, .lld, true),
            (.v6_19, .gnu, false), (.v6_19, .lld, false),
        ])
    func findsTheModernFailure(era: Era, linker: LinkerFlavour, breaks: Bool) throws {
        let result = Self.build(try Self.layout(), era, linker)
        #expect(CampaignTarget.stubStability.fails(result) == breaks, "\(era) \(linker): \(CampaignTarget.stubStability.verdict(of: result))")
        #expect(CampaignTarget.stubStability.verdict(of: result).isFailure == breaks)
        // Here every broken stub-stability ends inconsistent too (the third pass of v6.1 does
        // not settle LLD's thunks).
        #expect(result.isInconsistent == breaks)
        if breaks {
            let signature = CampaignTarget.stubStability.signature(of: result)
            #expect(!signature.isEmpty)
            #expect(signature.allSatisfy { String(decoding: $0, as: UTF8.self).contains(linker == .gnu ? "_veneer" : "Thunk_") })
        }
    }

    @Test("a layout without calls keeps the same names in every pass")
    func holdsWithoutCalls() throws {
        var layout = try Self.layout()
        for index in layout.items.indices {
            guard case .section(var section) = layout.items[index] else { continue }
            section.calls = []
            layout.items[index] = .section(section)
        }
        #expect(!CampaignTarget.stubStability.fails(Self.build(layout, .v6_1, .lld)))
    }

    @Test("the layout shrinker keeps a failing, smaller layout whose calls still read back")
    func shrinksTheFailure() throws {
        let layout = try Self.layout()
        let shrinker = LayoutShrinker(maximumSteps: 400)
        let result = try #require(
            shrinker.shrink(layout) { candidate in
                CampaignTarget.stubStability.fails(Self.build(candidate, .v6_1, .lld))
            })
        let calls = { (layout: Layout) in layout.sections.reduce(0) { $0 + $1.calls.count } }
        #expect(CampaignTarget.stubStability.fails(Self.build(result.layout, .v6_1, .lld)))
        #expect(result.layout.symbolCount < layout.symbolCount)
        #expect(calls(result.layout) > 0 && calls(result.layout) < calls(layout))
        #expect(try Layout(parsing: result.layout.description) == result.layout)
        print(
            "stub-stability shrink: \(layout.symbolCount) → \(result.layout.symbolCount) symbols, \(calls(layout)) → "
                + "\(calls(result.layout)) calls in \(result.steps) steps")
    }

    @Test("a build case's rules: line makes replay follow LLD's stub rules")
    func caseFileCarriesTheRules() throws {
        var file = CaseFile(
            kind: .build, target: "pass-convergence", era: .v6_1, options: KallsymsOptions(allSymbols: true),
            expectation: .fails, reason: "", layout: try Self.layout())
        file.letters = .modern
        file.rules = .lld
        let text = file.description
        #expect(text.contains("\nrules: lld\n"))
        let parsed = try CaseFile(parsing: text)
        #expect(parsed.rules == .lld)
        #expect(try CaseReplay.replay(parsed).matchesExpectation)
        file.rules = nil
        #expect(try !CaseReplay.replay(file).matchesExpectation, "with GNU ld's rules v6.1 drops the veneers")
        #expect(throws: CaseFileError.self) { try CaseFile(parsing: text.replacingOccurrences(of: "rules: lld", with: "rules: gold")) }
    }
}
