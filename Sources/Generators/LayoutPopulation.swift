import LinkModel
import Randomness

/// The symbols of generated layouts, drawn once and placed by many shapes: each region's
/// records already sorted into the sections of `ArmKernelScript`, for an SMP kernel and for a
/// uniprocessor one (whose per-cpu variables are ordinary `.data`), with the names the script
/// defines made local.
///
/// Drawing the 107 000 symbols of an ARM-sized layout costs as much as building it (issue
/// 17), so a campaign draws one population per batch of cases and varies, per case, what
/// decides whether a build converges: the shape (per-cpu section, `nm` letters, alignment,
/// boundary bias) and the sections' tails. A case's layout is `placed(base(shape), …)`; a
/// campaign keeps the bases it has made (a base depends on the shape's per-cpu section,
/// letters and alignment only) and places each case's sizes on one.
public struct LayoutPopulation: Sendable {
    /// The symbol count asked for (the layouts define this many, within a few).
    public let symbols: Int
    let smp: LayoutParts
    let uniprocessor: LayoutParts
    /// `smp` and `uniprocessor` laid out (`LayoutParts.layout(isUniprocessor:)`), once for
    /// every base: the uniprocessor one holds the SMP one's members arrays wherever the two
    /// are equal, and every base made from them holds those arrays too, so a link plan
    /// recognises their sections by storage (`LinkPlan(_:reusing:)`) across shapes.
    let smpLayout: Layout
    let uniprocessorLayout: Layout

    init(symbols: Int, smp: LayoutParts, uniprocessor: LayoutParts) {
        self.symbols = symbols
        self.smp = smp
        self.uniprocessor = uniprocessor
        smpLayout = smp.layout(isUniprocessor: false)
        uniprocessorLayout = Self.sharingMembers(uniprocessor.layout(isUniprocessor: true), with: [smpLayout])
    }

    /// A layout without tails or bias: what `placed` starts from, for every shape that has the
    /// same `BaseKey`.
    public struct Base: Sendable {
        let layout: Layout
        /// Items whose section holds population symbols: each gets a tail.
        let tailed: [Int]
    }

    /// What of a shape a `Base` depends on.
    public struct BaseKey: Hashable, Sendable {
        public var isUniprocessor: Bool
        public var letters: LayoutShape.Letters
        public var percpuAlignment: UInt64

        public init(_ shape: LayoutShape) {
            isUniprocessor = shape.isUniprocessor
            letters = shape.letters
            percpuAlignment = shape.percpuAlignment
        }
    }

    /// `base`, its sections holding the members arrays of `earlier`'s sections at the same
    /// items where they are equal: the same layout, whose sections a link plan recognises by
    /// their storage (`LinkPlan(_:reusing:)`) when another shape of the batch prepared them.
    /// O(symbols) comparisons; the layout's value does not change.
    public static func sharingMembers(_ base: Base, with earlier: [Base]) -> Base {
        Base(layout: sharingMembers(base.layout, with: earlier.map(\.layout)), tailed: base.tailed)
    }

    /// `layout` with the members arrays of `earlier`'s sections at the same items where they
    /// are equal (arrays that already share storage compare at once).
    static func sharingMembers(_ layout: Layout, with earlier: [Layout]) -> Layout {
        var layout = layout
        for index in layout.items.indices {
            guard case .section(var section) = layout.items[index] else { continue }
            for other in earlier where index < other.items.count {
                guard case .section(let candidate) = other.items[index],
                    candidate.members.count == section.members.count, candidate.members == section.members
                else { continue }
                section.members = candidate.members
                layout.items[index] = .section(section)
                break
            }
        }
        return layout
    }

    /// The largest tail, in 4-byte words.
    static let tailWords = 1024

    /// The script around the population's symbols for `shape`, without tails or bias. O(symbols).
    public func base(_ shape: LayoutShape) -> Base {
        let parts = shape.isUniprocessor ? uniprocessor : smp
        let layout = LayoutParts.shaped(shape.isUniprocessor ? uniprocessorLayout : smpLayout, shape)
        let names = Set(LayoutParts.allParts.filter { parts[keyPath: $0.path].hasSymbols }.map(\.section))
        let tailed = layout.items.indices.filter { index in
            if case .section(let section) = layout.items[index] { return names.contains(section.name) }
            return false
        }
        return Base(layout: layout, tailed: tailed)
    }

    /// `base` with `shape`'s sizes: each filled section's tail drawn from `sizes` in script
    /// order, then the boundary bias from the same stream. O(sections).
    ///
    /// A tail is 4 to 4 096 bytes (a multiple of 4): up to a page, so that where each section
    /// ends within its page is drawn afresh for every case. Cases that share a population have
    /// the same symbols and so the same kallsyms tables; the page a section's end falls in
    /// must come from the tails (a layout whose tables push the next page boundary by an odd
    /// number of pages is the one the 2012 mechanism needs, docs/behaviour.md §9).
    public func placed(_ base: Base, shape: LayoutShape, sizes: inout SeededRandom) -> Layout {
        var layout = base.layout
        for index in base.tailed {
            guard case .section(var section) = layout.items[index] else { continue }
            section.size += 4 * UInt64(RandomDraws.value(in: 1...Self.tailWords, using: &sizes))
            layout.items[index] = .section(section)
        }
        if shape.isBoundaryBiased {
            LayoutParts.bias(&layout, expectedTables: LayoutGenerator.expectedTablesSize(symbols: symbols), using: &sizes)
        }
        return layout
    }
}
