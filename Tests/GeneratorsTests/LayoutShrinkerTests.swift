import Compressor
@testable import Generators
import LinkModel
import Testing
import Randomness

@Suite struct LayoutShrinkerTests {
    static let layout: Layout = {
        var rng = SeededRandom(seed: 3)
        return LayoutGenerator(profile: .arm).generate(symbols: 400, shape: .arm2012Uniprocessor, using: &rng)
    }()

    static func holds(_ layout: Layout, _ name: String) -> Bool {
        layout.sections.contains { section in
            section.members.contains { member in
                if case .symbol(let symbol, _, _) = member { return symbol.starts(with: Array(name.utf8)) }
                return false
            }
        }
    }

    @Test("a layout that fails while it defines a symbol shrinks to that symbol's section alone")
    func shrinksToTheCulprit() throws {
        let culprit = try #require(Self.layout.sections.first { $0.name == ".text" }?.members.compactMap { member -> String? in
            if case .symbol(let name, _, _) = member { return String(decoding: name, as: UTF8.self) }
            return nil
        }.dropFirst(5).first)
        let result = try #require(LayoutShrinker(maximumSteps: 5000, maximumDuration: .seconds(600))
            .shrink(Self.layout) { Self.holds($0, String(culprit.prefix(1))) })
        #expect(result.stopReason == .exhausted)
        // `_text` stays (LayoutShrinker.keptNames: the .S refers to it), in its own section.
        let keepsText = Self.layout.defines(Array("_text".utf8))
        #expect(result.layout.items.count == (keepsText ? 2 : 1))
        #expect(result.layout.symbolCount == (keepsText ? 2 : 1))
        #expect(result.layout.defines(Array("_text".utf8)) == keepsText)
        #expect(result.layout.sections.allSatisfy { $0.size == 0 })
        #expect(Self.holds(result.layout, String(culprit.prefix(1))))
    }

    @Test("the result always fails, and a passing layout gives nil")
    func resultFails() throws {
        let predicate: (Layout) -> Bool = { layout in layout.symbolCount % 3 == 1 || layout.items.count > 12 }
        try #require(predicate(Self.layout), "the generated layout must fail for the shrinker to start")
        let result = try #require(LayoutShrinker(maximumSteps: 400).shrink(Self.layout, stillFails: predicate))
        #expect(predicate(result.layout))
        #expect(result.steps <= 400)
        #expect(result.layout.symbolCount < Self.layout.symbolCount)
        #expect(LayoutShrinker().shrink(Self.layout) { _ in false } == nil)
    }

    @Test("a stop request ends shrinking with the layout so far")
    func stopRequest() throws {
        var calls = 0
        let result = try #require(LayoutShrinker().shrink(Self.layout, shouldStop: { calls >= 3 }) { _ in
            calls += 1
            return true
        })
        #expect(result.steps == 3)
        #expect(result.stopReason == .stepBudget)
    }

    @Test("sizes shrink in 8 KiB steps first, so later addresses keep their place in a page")
    func smallerSizes() {
        #expect(Array(LayoutShrinkRun.smallerSizes(than: 0x5004).prefix(3)) == [0, 0x1004, 0x2800])
        #expect(LayoutShrinkRun.smallerSizes(than: 0x5004).contains(0x3004))
        #expect(LayoutShrinkRun.smallerSizes(than: 0).isEmpty)
    }
}
