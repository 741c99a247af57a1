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
        #expect(architecture.textSizes.contains(text.size))
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

    @Test(".text is scaled: symbols keep their order and lie on words")
    func scalingKeepsOrder() throws {
        var rng = SeededRandom(seed: 7)
        let base = LayoutGenerator(profile: .arm).generate(symbols: 3000, using: &rng)
        let modern = Self.layout(.arm)
        let text = { (layout: Layout) in layout.sections.first { $0.name == ".text" }! }
        let offsets = { (layout: Layout) -> [UInt64] in
            text(layout).members.compactMap { if case .symbol(_, let offset, _) = $0 { return offset } else { return nil } }
        }
        let before = offsets(base), after = offsets(modern)
        #expect(before.count == after.count)
        #expect(after.allSatisfy { $0 % 4 == 0 })
        #expect(zip(after, after.dropFirst()).allSatisfy { $0 <= $1 } == zip(before, before.dropFirst()).allSatisfy { $0 <= $1 })
        let scale = Double(text(modern).size) / Double(text(base).size)
        #expect(zip(before, after).allSatisfy { $1 == UInt64(Double($0) * scale) & ~3 })
    }

    /// The calls of a 3000-symbol ARM layout drawn with `profile`.
    static func calls(_ profile: CallProfile, architecture: KernelArchitecture = .arm, seed: UInt64 = 7) -> (Layout, [Section.Call]) {
        var rng = SeededRandom(seed: seed)
        let base = LayoutGenerator(profile: .arm).generate(symbols: 3000, using: &rng)
        var stream = SeededRandom(seed: seed)
        let layout = ModernLayout.apply(base, options: .init(architecture: architecture, calls: profile), using: &stream)
        return (layout, layout.sections.first { $0.name == ".init.text" }!.calls)
    }

    @Test("as many distinct callees as the profile's share of .text's symbols, from words free of symbols", arguments: KernelArchitecture.allCases)
    func callCount(architecture: KernelArchitecture) throws {
        let profile = CallProfile.builtIn(for: architecture)
        let (layout, calls) = Self.calls(profile, architecture: architecture)
        let text = try #require(layout.sections.first { $0.name == ".text" })
        let symbols = text.members.count { if case .symbol = $0 { return true } else { return false } }
        #expect(calls.count == Int((Double(symbols) * profile.calleeShare).rounded()))
        #expect(Set(calls.map(\.target)).count == calls.count)
        #expect(zip(calls, calls.dropFirst()).allSatisfy { $0.offset < $1.offset })
        let initText = try #require(layout.sections.first { $0.name == ".init.text" })
        let inside = initText.members.compactMap { member -> UInt64? in if case .symbol(_, let offset, _) = member { return offset } else { return nil } }
        #expect(
            calls.allSatisfy { call in call.offset % 4 == 0 && call.offset + 4 <= initText.size && !inside.contains { $0 > call.offset && $0 < call.offset + 4 }
            })
    }

    @Test("callees lie in the slices the profile weighs: all in one slice, or spread like it")
    func calleesFollowSlices() throws {
        let offsetsOf = { (layout: Layout) -> [[UInt8]: UInt64] in
            let text = layout.sections.first { $0.name == ".text" }!
            var offsets: [[UInt8]: UInt64] = [:]
            for case .symbol(let name, let offset, _) in text.members { offsets[name] = offset }
            return offsets
        }
        for slice in [0, 5, 31] {
            var weights = [Int](repeating: 0, count: 32)
            weights[slice] = 1
            let profile = CallProfile(instructions: .arm, callees: 1, functions: 40, slices: weights)
            let (layout, calls) = Self.calls(profile)
            let text = try #require(layout.sections.first { $0.name == ".text" })
            let offsets = offsetsOf(layout)
            #expect(!calls.isEmpty)
            #expect(calls.allSatisfy { Int(Double(offsets[$0.target]!) / Double(text.size) * 32) == slice }, "slice \(slice)")
        }
        // The built-in profile puts far more callees in its first and last slices than uniform draws would.
        let (layout, calls) = Self.calls(.armhf)
        let text = try #require(layout.sections.first { $0.name == ".text" })
        let offsets = offsetsOf(layout)
        let first = calls.count { offsets[$0.target]! < text.size / 32 }
        #expect(Double(first) > Double(calls.count) * 0.06, "\(first) of \(calls.count) callees in the first slice (profile: 9 %, uniform: 3 %)")
        #expect(Self.calls(CallProfile(instructions: .arm, callees: 0, functions: 40, slices: [1])).1.isEmpty)
    }

    @Test("the same seed gives the same layout; another seed another one")
    func deterministic() {
        #expect(Self.layout(.arm) == Self.layout(.arm))
        #expect(Self.layout(.arm) != Self.layout(.arm, seed: 8))
    }
}
