import LinkModel

/// Reduces a failing layout while it keeps failing: greedy, deterministic, bounded by a number
/// of predicate calls, a duration and a stop request. The layout counterpart of `Shrinker`.
///
/// Strategies, in this order, repeated until a whole round changes nothing or a budget runs out
/// (each uses `Layout+Shrinking`'s operations):
/// 0. **thin out**: keep one symbol in 1024 (then 256, 64, 16, 4, 2) of every section at once,
///    markers kept, at three phases each: one candidate a fraction of the size, so an
///    ARM-sized layout gets small after a few cheap builds instead of a long halving;
/// 1. **drop symbols**: in each section, largest first, remove halves of its members, then
///    quarters, … then single members (first, because every later build is then cheaper);
/// 2. **drop items**: remove each section (with its symbols), `align` or `absolute`, last first;
/// 3. **shrink sizes**: resize each section to 0, to its size modulo 8 KiB (the largest
///    alignment of a generated layout, so later addresses keep their place in every page),
///    to half, to its size less 8 KiB steps, less 4 bytes;
/// 4. **shorten names**: cut each symbol's name to its first byte, else to half its length.
///
/// The result always fails: a candidate replaces the current layout only after `stillFails`
/// returned true for it. With unlimited time the result depends only on the input and the
/// predicate.
public struct LayoutShrinker: Sendable {
    /// Symbols a shrink never removes or renames: the era's `.S` refers to `_text`, so a layout
    /// without it does not link for real (docs/linkers.md).
    public static let keptNames: [[UInt8]] = [Array("_text".utf8)]

    /// Calls of `stillFails` at most, the initial check included.
    public var maximumSteps: Int
    /// Wall-clock budget, checked before each call.
    public var maximumDuration: Duration

    /// A shrinker with these budgets (defaults: 2 000 calls, two minutes).
    public init(maximumSteps: Int = 2000, maximumDuration: Duration = .seconds(120)) {
        self.maximumSteps = maximumSteps
        self.maximumDuration = maximumDuration
    }

    /// The smallest failing layout found.
    public struct Result: Hashable, Sendable {
        /// The smallest failing layout found.
        public var layout: Layout
        /// Calls of `stillFails`, the initial check included.
        public var steps: Int
        /// Calls that found a smaller failing layout.
        public var improvements: Int
        /// Why shrinking stopped (`stepBudget` also when `shouldStop` asked).
        public var stopReason: Shrinker.StopReason
    }

    /// Shrinks a failing layout.
    ///
    /// - Parameters:
    ///   - shouldStop: polled before each call; true ends shrinking with the best layout so far
    ///     (a campaign being stopped).
    ///   - repairs: when a candidate without one symbol or item, or with a shorter name, no
    ///     longer fails, these variants of it are tried in turn (each a predicate call), e.g.
    ///     the same candidate with a section grown so that later addresses keep their place in
    ///     a page. Not used for chunks of symbols (too many builds) nor for size reductions
    ///     (so shrinking terminates).
    ///   - stillFails: true when the layout still shows the failure. Called first on `layout`.
    /// - Returns: nil when `layout` itself does not fail.
    public func shrink(_ layout: Layout, shouldStop: () -> Bool = { false },
                       repairs: (Layout) -> [Layout] = { _ in [] },
                       stillFails: (Layout) -> Bool) -> Result? {
        withoutActuallyEscaping(stillFails) { predicate in
            withoutActuallyEscaping(shouldStop) { stop in
                withoutActuallyEscaping(repairs) { repairs in
                    var run = LayoutShrinkRun(layout: layout, stillFails: predicate, shouldStop: stop, repairs: repairs,
                                              maximumSteps: max(1, maximumSteps),
                                              deadline: ContinuousClock.now + maximumDuration)
                    guard run.initialLayoutFails() else { return nil }
                    while !run.isOutOfBudget {
                        var changed = false
                        changed = run.thin() || changed
                        changed = run.dropMembers() || changed
                        changed = run.dropItems() || changed
                        changed = run.shrinkSizes() || changed
                        changed = run.shortenNames() || changed
                        if !changed { break }
                    }
                    return Result(layout: run.layout, steps: run.steps, improvements: run.improvements,
                                  stopReason: run.stopReason ?? .exhausted)
                }
            }
        }
    }
}

/// The state of one layout shrink: the current (always failing) layout and the budget.
struct LayoutShrinkRun {
    private(set) var layout: Layout
    private let stillFails: (Layout) -> Bool
    private let shouldStop: () -> Bool
    private let repairs: (Layout) -> [Layout]
    private let maximumSteps: Int
    private let deadline: ContinuousClock.Instant
    private(set) var steps = 0
    private(set) var improvements = 0
    private(set) var stopReason: Shrinker.StopReason?
    /// Names a candidate must still define: those of `LayoutShrinker.keptNames` the layout
    /// defines at the start (the era's `.S` refers to `_text`; a real link needs it).
    private let requiredNames: [[UInt8]]

    /// The largest alignment a generated layout uses (THREAD_SIZE).
    static let phase: UInt64 = 8192

    init(layout: Layout, stillFails: @escaping (Layout) -> Bool, shouldStop: @escaping () -> Bool,
         repairs: @escaping (Layout) -> [Layout] = { _ in [] }, maximumSteps: Int, deadline: ContinuousClock.Instant) {
        self.layout = layout
        requiredNames = LayoutShrinker.keptNames.filter(layout.defines)
        self.stillFails = stillFails
        self.shouldStop = shouldStop
        self.repairs = repairs
        self.maximumSteps = maximumSteps
        self.deadline = deadline
    }

    var isOutOfBudget: Bool { stopReason != nil }

    mutating func initialLayoutFails() -> Bool {
        steps = 1
        return stillFails(layout)
    }

    /// Tries a candidate, then (when `repairing`) its repairs; adopts the first that still fails.
    mutating func attempt(_ candidate: Layout, repairing: Bool = true) -> Bool {
        // Calls follow their targets: a removed or renamed target takes its calls along, so
        // that every layout the shrinker keeps reads back from its text form.
        let candidate = candidate.removingUnresolvedCalls()
        if tries(candidate) { return true }
        guard repairing else { return false }
        for repaired in repairs(candidate) where !isOutOfBudget {
            if tries(repaired) { return true }
        }
        return false
    }

    private mutating func tries(_ candidate: Layout) -> Bool {
        if stopReason == nil {
            if steps >= maximumSteps || shouldStop() {
                stopReason = .stepBudget
            } else if ContinuousClock.now >= deadline {
                stopReason = .timeBudget
            }
        }
        guard stopReason == nil, candidate != layout else { return false }
        guard requiredNames.allSatisfy(candidate.defines) else { return false }
        steps += 1
        guard stillFails(candidate) else { return false }
        layout = candidate
        improvements += 1
        return true
    }

    mutating func thin() -> Bool {
        for stride in [1024, 256, 64, 16, 4, 2] where layout.symbolCount >= 4 * stride && !isOutOfBudget {
            for phase in 0..<3 where !isOutOfBudget {
                var candidate = layout
                for index in layout.sectionIndices {
                    guard case .section(var section) = layout.items[index] else { continue }
                    var kept = 0
                    section.members = section.members.filter { member in
                        guard case .symbol = member else { return true }
                        kept += 1
                        return (kept - 1) % stride == phase
                    }
                    candidate.items[index] = .section(section)
                }
                if attempt(candidate) { return true }
            }
        }
        return false
    }

    mutating func dropItems() -> Bool {
        var changed = false
        var index = layout.items.count - 1
        while index >= 0 && !isOutOfBudget {
            if index < layout.items.count && attempt(layout.removingItem(at: index)) { changed = true }
            index -= 1
        }
        return changed
    }

    mutating func dropMembers() -> Bool {
        var changed = false
        for index in layout.sectionIndices.sorted(by: { members($0) > members($1) }) where !isOutOfBudget {
            var chunk = max(1, members(index) / 2)
            while chunk >= 1 && !isOutOfBudget {
                var start = 0
                while start < members(index) && !isOutOfBudget {
                    let range = start..<min(members(index), start + chunk)
                    // Repairs cost several builds: kept for single members, where plain removal gets stuck.
                    if attempt(layout.removingMembers(range, ofItem: index), repairing: chunk == 1) {
                        changed = true
                    } else {
                        start += chunk
                    }
                }
                if chunk == 1 { break }
                chunk /= 2
            }
        }
        return changed
    }

    mutating func shrinkSizes() -> Bool {
        var changed = false
        for index in layout.sectionIndices where !isOutOfBudget {
            var progress = true
            while progress && !isOutOfBudget {
                progress = false
                for size in Self.smallerSizes(than: size(index))
                where attempt(layout.resizingSection(at: index, to: size), repairing: false) {
                    progress = true
                    changed = true
                    break
                }
            }
        }
        return changed
    }

    mutating func shortenNames() -> Bool {
        var changed = false
        for index in layout.sectionIndices where !isOutOfBudget {
            var member = 0
            while member < members(index) && !isOutOfBudget {
                if case .symbol(let name, let offset, let binding) = section(index).members[member] {
                    for length in [1, name.count / 2] where length >= 1 && length < name.count {
                        if attempt(replacing(member, ofItem: index,
                                             with: .symbol(name: Array(name.prefix(length)), offset: offset, binding: binding))) {
                            changed = true
                            break
                        }
                    }
                }
                member += 1
            }
        }
        return changed
    }

    /// Candidate sizes below `size`, most aggressive first.
    static func smallerSizes(than size: UInt64) -> [UInt64] {
        var sizes: [UInt64] = [0, size % phase, size / 2 / 4 * 4]
        var step = phase
        while step < size { step *= 2 }
        while step >= phase {
            if step < size { sizes.append(size - step) }
            step /= 2
        }
        if size >= 4 { sizes.append(size - 4) }
        var seen = Set<UInt64>()
        return sizes.filter { $0 < size && seen.insert($0).inserted }
    }

    private func section(_ index: Int) -> Section {
        guard case .section(let section) = layout.items[index] else { preconditionFailure("item \(index) is not a section") }
        return section
    }

    private func members(_ index: Int) -> Int { section(index).members.count }
    private func size(_ index: Int) -> UInt64 { section(index).size }

    private func replacing(_ member: Int, ofItem index: Int, with replacement: Section.Member) -> Layout {
        var copy = layout
        var changed = section(index)
        let original = changed.members[member]
        changed.members[member] = replacement
        copy.items[index] = .section(changed)
        // A renamed call target keeps its calls.
        if case .symbol(let old, _, _) = original, case .symbol(let new, _, _) = replacement, old != new {
            for item in copy.items.indices {
                guard case .section(var calling) = copy.items[item], calling.calls.contains(where: { $0.target == old }) else { continue }
                for call in calling.calls.indices where calling.calls[call].target == old { calling.calls[call].target = new }
                copy.items[item] = .section(calling)
            }
        }
        return copy
    }
}
