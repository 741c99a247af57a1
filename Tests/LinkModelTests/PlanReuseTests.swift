import Compressor
import Generators
import Randomness
import Testing

@testable import LinkModel

/// Link plans that take their sorted sections from an earlier plan (`LinkPlan(_:reusing:)`,
/// `CompressionCache.plan(_:)`) must equal the plans prepared from scratch.
@Suite struct PlanReuseTests {
    /// Expects `reused` to be `LinkPlan(layout)`, item for item, and to link the same maps.
    static func expectSamePlan(_ reused: LinkPlan, _ layout: Layout, _ label: String) {
        let fresh = LinkPlan(layout)
        #expect(reused.items == fresh.items, "\(label): prepared items differ")
        #expect(reused.symbolCount == fresh.symbolCount, "\(label)")
        // (A campaign reports the plan's count as the layout's.)
        #expect(fresh.symbolCount == layout.symbolCount, "\(label): the plan counts other symbols than the layout")
        for size in [0, 4_000, 123_456] {
            #expect(reused.link(tablesSize: size) == fresh.link(tablesSize: size), "\(label): link with \(size) bytes")
        }
    }

    @Test("cases placed on one population reuse the sorted sections and equal plans from scratch")
    func placedCases() {
        let population = LayoutGenerator(profile: .arm).population(symbols: 20_000, seed: SeededRandom(seed: 0x17_4))
        let rng = SeededRandom(seed: 0x17_5)
        var cache = CompressionCache()
        var earlier: LinkPlan?
        // As a campaign does: one base per shape, placed by every case of that shape.
        var bases: [LayoutPopulation.BaseKey: LayoutPopulation.Base] = [:]
        var reusedSections = 0
        for index in 0..<8 {
            // Two shapes in turn (bases with other members), and each case its own tails.
            let shape =
                index % 4 < 2
                ? LayoutShape(isUniprocessor: false, letters: .byFlags, isBoundaryBiased: index % 2 == 0)
                : LayoutShape(isUniprocessor: true, letters: .byName2012, percpuAlignment: 32)
            let base = bases[LayoutPopulation.BaseKey(shape)] ?? population.base(shape)
            bases[LayoutPopulation.BaseKey(shape)] = base
            var sizes = rng.derived(UInt64(index))
            let layout = population.placed(base, shape: shape, sizes: &sizes)
            let direct = LinkPlan(layout, reusing: earlier)
            if let earlier {
                reusedSections +=
                    layout.items.indices.filter { item in
                        guard case .section(let section) = layout.items[item] else { return false }
                        return earlier.reusedSection(at: item, for: section, hosts: direct.items[item].hostsKallsyms) != nil
                    }.count
            }
            Self.expectSamePlan(direct, layout, "case \(index)")
            Self.expectSamePlan(cache.plan(layout), layout, "case \(index) through the cache")
            earlier = direct
        }
        // Cases placed on bases of one shape share their sections' members: some are reused.
        #expect(reusedSections > 0)
    }

    @Test(
        "a section with the same members at another size moves its end markers; a host only when its symbols split the same way",
        arguments: [UInt64?.some(12), nil])
    func resizedSections(_ tablesOffset: UInt64?) {
        let members: [Section.Member] = [
            .marker(name: Array("__start_x".utf8), edge: .start),
            .symbol(name: Array("b".utf8), offset: 8, binding: .global),
            .symbol(name: Array("a".utf8), offset: 8, binding: .local),
            .symbol(name: Array("z".utf8), offset: 16, binding: .global),
            .marker(name: Array("__stop_x".utf8), edge: .end),
            .marker(name: Array("__end_x".utf8), edge: .end),
        ]
        var hostMembers = members
        hostMembers.insert(.kallsyms(offset: tablesOffset), at: 3)
        func layout(_ size: UInt64, _ hostSize: UInt64) -> Layout {
            Layout(
                base: 0x1000,
                items: [
                    .section(Section(name: ".text", kind: .text, size: size, members: members)),
                    .align(4096),
                    .section(Section(name: ".rodata", kind: .rodata, size: hostSize, members: hostMembers)),
                ])
        }
        for (firstSize, firstHostSize) in [(UInt64(16), UInt64(16)), (20, 20)] {
            let first = layout(firstSize, firstHostSize)
            let plan = LinkPlan(first)
            var resized = first
            for (size, hostSize) in [(UInt64(16), UInt64(24)), (24, 16), (40, 40), (20, 20), (16, 36)] {
                guard case .section(var text) = resized.items[0], case .section(var host) = resized.items[2] else { return }
                text.size = size
                host.size = hostSize
                resized.items[0] = .section(text)
                resized.items[2] = .section(host)
                #expect(plan.reusedSection(at: 0, for: text, hosts: false) != nil)
                // `z` at 16 lies above tables at 12; with the tables at the end it is above them
                // at size 16 and below at any other size. A host is reused when `z` is on the
                // same side and, above, below both sizes.
                let zAbove = tablesOffset != nil || hostSize == 16
                let wasAbove = tablesOffset != nil || firstHostSize == 16
                let expected =
                    hostSize == firstHostSize
                    || (zAbove == wasAbove && (!zAbove || min(hostSize, firstHostSize) > 16))
                let reused = plan.reusedSection(at: 2, for: host, hosts: true) != nil
                #expect(reused == expected, "from \(firstHostSize) to \(hostSize)")
                Self.expectSamePlan(LinkPlan(resized, reusing: plan), resized, "sizes \(size), \(hostSize)")
            }
            // Equal members in another array are not taken for the same.
            let text = Section(name: ".text", kind: .text, size: 16, members: members.map { $0 })
            #expect(plan.reusedSection(at: 0, for: text, hosts: false) == nil)
        }
    }
}

extension LinkPlan.PreparedItem {
    var hostsKallsyms: Bool {
        if case .section(let section) = self { return section.hostsKallsyms }
        return false
    }
}
