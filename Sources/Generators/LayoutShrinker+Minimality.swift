import LinkModel

extension LayoutShrinker {
    /// Every layout one step smaller than `layout`: without one symbol or marker, without one
    /// item (a section with its symbols, an `align` or an absolute symbol), with one section at
    /// one of its smaller sizes (`smallerSizes`, down to 4 bytes less), or with one name cut
    /// to its first byte or its first half. Symbols named in `keptNames` are never removed or
    /// renamed.
    ///
    /// A layout is **1-minimal** for a predicate when it fails and none of these does. A shrink
    /// that ends `exhausted` has tried every one of them on its result (its last round changed
    /// nothing), so its result is 1-minimal; `isOneMinimal(_:stillFails:)` checks it again.
    /// - Complexity: O(members + items + sections) layouts, each a copy of `layout`.
    public static func singleStepReductions(of layout: Layout) -> [Layout] {
        let kept = Set(keptNames)
        var reductions: [Layout] = []
        for index in layout.sectionIndices {
            guard case .section(let section) = layout.items[index] else { continue }
            for (member, content) in section.members.enumerated() {
                switch content {
                case .symbol(let name, let offset, let binding) where !kept.contains(name):
                    reductions.append(layout.removingMembers(member..<member + 1, ofItem: index))
                    for length in [1, name.count / 2] where length >= 1 && length < name.count {
                        var copy = section
                        copy.members[member] = .symbol(name: Array(name.prefix(length)), offset: offset, binding: binding)
                        var shortened = layout
                        shortened.items[index] = .section(copy)
                        reductions.append(shortened)
                    }
                case .marker(let name, _) where !kept.contains(name):
                    reductions.append(layout.removingMembers(member..<member + 1, ofItem: index))
                default:
                    break
                }
            }
            for size in LayoutShrinkRun.smallerSizes(than: section.size) {
                reductions.append(layout.resizingSection(at: index, to: size))
            }
        }
        for index in layout.items.indices where !keepsRequiredName(layout.items[index], kept) {
            reductions.append(layout.removingItem(at: index))
        }
        var seen = Set<Layout>([layout])
        return reductions.filter { seen.insert($0).inserted }
    }

    /// Whether `layout` fails and no single-step reduction of it does (see
    /// `singleStepReductions`): one predicate call per reduction, the first failing one ends it.
    public static func isOneMinimal(_ layout: Layout, stillFails: (Layout) -> Bool) -> Bool {
        stillFails(layout) && !singleStepReductions(of: layout).contains(where: stillFails)
    }

    private static func keepsRequiredName(_ item: Layout.Item, _ kept: Set<[UInt8]>) -> Bool {
        switch item {
        case .align: return false
        case .absolute(let name): return kept.contains(name)
        case .section(let section):
            return section.members.contains { member in
                switch member {
                case .symbol(let name, _, _), .marker(let name, _): return kept.contains(name)
                case .kallsyms: return false
                }
            }
        }
    }
}
