import Compressor
import LinkModel
import Randomness
import Testing

@testable import Generators

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
        let culprit = try #require(
            Self.layout.sections.first { $0.name == ".text" }?.members.compactMap { member -> String? in
                if case .symbol(let name, _, _) = member { return String(decoding: name, as: UTF8.self) }
                return nil
            }.dropFirst(5).first)
        let result = try #require(
            LayoutShrinker(maximumSteps: 5000, maximumDuration: .seconds(600))
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
        let result = try #require(
            LayoutShrinker().shrink(
                Self.layout, shouldStop: { calls >= 3 },
                stillFails: { _ in
                    calls += 1
                    return true
                }))
        #expect(result.steps == 3)
        #expect(result.stopReason == .stepBudget)
    }

    /// Every layout one step smaller than `layout`, written out here apart from
    /// `LayoutShrinker.singleStepReductions`: without one symbol or marker (other than `_text`),
    /// without one item that does not hold `_text`, with one section 4 bytes smaller.
    static func oneStepSmaller(_ layout: Layout) -> [Layout] {
        let text = Array("_text".utf8)
        var smaller: [Layout] = []
        for (index, item) in layout.items.enumerated() {
            var holdsText = false
            if case .section(let section) = item {
                for (member, content) in section.members.enumerated() {
                    switch content {
                    case .symbol(let name, _, _), .marker(let name, _):
                        if name == text {
                            holdsText = true
                            continue
                        }
                        smaller.append(layout.removingMembers(member..<member + 1, ofItem: index))
                    case .kallsyms: continue
                    }
                }
                if section.size >= 4 { smaller.append(layout.resizingSection(at: index, to: section.size - 4)) }
            }
            if case .absolute(let name) = item, name == text { holdsText = true }
            if !holdsText { smaller.append(layout.removingItem(at: index)) }
        }
        return smaller
    }

    /// Fails while the layout has at least three symbols whose names start with `s` in sections
    /// of 0x1000 bytes or more altogether: many symbols, items and bytes can go, not all.
    static func needsThreeAndAPage(_ layout: Layout) -> Bool {
        let sections = layout.sections
        let named = sections.reduce(0) { total, section in
            total
                + section.members.filter { member in
                    if case .symbol(let name, _, _) = member { return name.first == UInt8(ascii: "s") }
                    return false
                }.count
        }
        return named >= 3 && sections.reduce(0) { $0 + $1.size } >= 0x1000
    }

    @Test("an exhausted shrink is 1-minimal: no single symbol, item or 4-byte size step can go and still fail")
    func exhaustedShrinkIsOneMinimal() throws {
        try #require(Self.needsThreeAndAPage(Self.layout))
        let result = try #require(
            LayoutShrinker(maximumSteps: 20_000, maximumDuration: .seconds(600))
                .shrink(Self.layout, stillFails: Self.needsThreeAndAPage))
        #expect(result.stopReason == .exhausted && result.isOneMinimal)
        #expect(Self.needsThreeAndAPage(result.layout))
        let smaller = Self.oneStepSmaller(result.layout)
        #expect(smaller.count >= 4, "the check must look at something")
        for candidate in smaller { #expect(!Self.needsThreeAndAPage(candidate), "\(candidate)") }
        #expect(LayoutShrinker.isOneMinimal(result.layout, stillFails: Self.needsThreeAndAPage))
        // The original is not: one symbol fewer still fails.
        #expect(!LayoutShrinker.isOneMinimal(Self.layout, stillFails: Self.needsThreeAndAPage))
    }

    @Test("while a layout is large, a removal of members ends the round, so that it is thinned again first")
    func largeLayoutThinsAgainAfterAChunk() throws {
        var rng = SeededRandom(seed: 17)
        let large = LayoutGenerator(profile: .arm).generate(symbols: 4_000, shape: .arm2012Uniprocessor, using: &rng)
        for (layout, ends) in [(large, true), (Self.layout, false)] {
            try #require((layout.symbolCount > LayoutShrinkRun.thinAgainAbove) == ends)
            // Fails while it keeps `_text`: every member but `_text`'s can go.
            let stillFails: (Layout) -> Bool = { $0.defines(Array("_text".utf8)) }
            var run = LayoutShrinkRun(
                layout: layout, stillFails: stillFails, shouldStop: { false }, maximumSteps: 100_000,
                deadline: ContinuousClock.now + .seconds(600))
            let dropped = run.dropMembers()
            #expect(dropped)
            #expect(run.endsRound == ends)
            if ends {
                // One chunk (half of the largest section) went, and the round stopped there.
                #expect(run.layout.symbolCount < layout.symbolCount && run.layout.symbolCount > layout.symbolCount / 2)
                #expect(run.improvements == 1)
            } else {
                // Below the bound the pass goes on to single members.
                #expect(run.layout.symbolCount < layout.symbolCount / 2)
            }
        }
    }

    @Test("a shrink cut short by its budget says it is not known to be 1-minimal")
    func budgetIsNotMinimal() throws {
        let result = try #require(LayoutShrinker(maximumSteps: 3).shrink(Self.layout, stillFails: Self.needsThreeAndAPage))
        #expect(result.stopReason == .stepBudget && !result.isOneMinimal)
    }

    @Test("the single-step reductions include every removal the test's own list makes")
    func reductionsCoverTheSingleSteps() {
        let reductions = Set(LayoutShrinker.singleStepReductions(of: Self.layout))
        let smaller = Self.oneStepSmaller(Self.layout)
        #expect(smaller.count > 100)
        #expect(smaller.allSatisfy(reductions.contains))
        #expect(!reductions.contains(Self.layout))
    }

    @Test("sizes shrink in 8 KiB steps first, so later addresses keep their place in a page")
    func smallerSizes() {
        #expect(Array(LayoutShrinkRun.smallerSizes(than: 0x5004).prefix(3)) == [0, 0x1004, 0x2800])
        #expect(LayoutShrinkRun.smallerSizes(than: 0x5004).contains(0x3004))
        #expect(LayoutShrinkRun.smallerSizes(than: 0).isEmpty)
    }
}
