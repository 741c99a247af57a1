import Compressor
import Generators
import LinkModel
import Randomness
import Testing

/// `ModernLayout`: today's kernel shapes with calls across the kallsyms tables.
@Suite struct ModernLayoutTests {
    static func layout(_ architecture: KernelArchitecture, seed: UInt64 = 7) -> Layout {
        var rng = SeededRandom(seed: seed)
        let base = LayoutGenerator(profile: .arm).generate(symbols: 3000, using: &rng)
        var modern = SeededRandom(seed: seed ^ ModernLayout.streamSalt)
        return ModernLayout.apply(base, architecture: architecture, using: &modern)
    }

    @Test("the target, link address and .text size of the architecture; calls from .init.text to .text", arguments: KernelArchitecture.allCases)
    func shape(architecture: KernelArchitecture) throws {
        let layout = Self.layout(architecture)
        #expect(layout.target == architecture.target)
        #expect(layout.usesThumb == (architecture == .thumb2))
        #expect(layout.base == architecture.base)
        let text = try #require(layout.sections.first { $0.name == ".text" })
        #expect(architecture.textSizes.contains(text.size) || text.size > architecture.textSizes.upperBound)
        let initText = try #require(layout.sections.first { $0.name == ".init.text" })
        #expect(initText.calls.count > 10)
        let textGlobals = Set(
            text.members.compactMap { member -> [UInt8]? in
                if case .symbol(let name, _, let binding) = member, binding != .local { return name } else { return nil }
            })
        #expect(initText.calls.allSatisfy { textGlobals.contains($0.target) })
        #expect(layout.sections.filter { $0.name != ".init.text" }.allSatisfy { $0.calls.isEmpty })
        // Every call is valid: the text form reads back to the same layout.
        #expect(try Layout(parsing: layout.description) == layout)
    }

    @Test("the same seed gives the same layout; another seed another one")
    func deterministic() {
        #expect(Self.layout(.arm) == Self.layout(.arm))
        #expect(Self.layout(.arm) != Self.layout(.arm, seed: 8))
    }

    @Test(".text grows by a whole factor: symbols keep their order and equal offsets")
    func growthKeepsOrder() throws {
        var rng = SeededRandom(seed: 7)
        let base = LayoutGenerator(profile: .arm).generate(symbols: 3000, using: &rng)
        let modern = Self.layout(.arm)
        let offsets = { (layout: Layout) -> [UInt64] in
            let text = layout.sections.first { $0.name == ".text" }!
            return text.members.compactMap { if case .symbol(_, let offset, _) = $0 { return offset } else { return nil } }
        }
        let before = offsets(base), after = offsets(modern)
        #expect(before.count == after.count)
        let factor = after.last! / max(1, before.last!)
        #expect(factor >= 4 && factor % 4 == 0)
        #expect(zip(before, after).allSatisfy { $1 == $0 * factor })
    }
}
