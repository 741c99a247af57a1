import Compressor
import LinkModel
import Randomness

/// Reduces a failing layout while it keeps failing: greedy, deterministic, bounded by a number
/// of predicate calls, a duration and a stop request. The layout counterpart of `Shrinker`.
///
/// Strategies, big steps first (as delta debugging and Hypothesis shrink), in this order,
/// repeated until a whole round changes nothing or a budget runs out (each uses
/// `Layout+Shrinking`'s operations):
/// 0. **thin out**: keep one symbol in 1024 (then 256, 64, 16, 4, 2: halve every section;
///    then drop one in 4, one in 8) of every section at once, markers and each section's first
///    and last symbol kept, a few subsets per level (every N-th, then random ones): one
///    candidate a fraction of the size, so an ARM-sized layout gets small after a few cheap
///    builds instead of a long halving;
/// 1. **drop items**: remove each section (with all its symbols), `align` or `absolute`, last
///    first;
/// 2. **drop symbols**: in each section, largest first, remove halves of its members, then
///    quarters, … then single members; while the layout is large (`thinAgainAbove` symbols), a
///    removal ends the round, so the next one thins the smaller layout first (a layout whose
///    thinned candidates all pass can thin again once a chunk is gone, instead of being cut a
///    chunk at a time through tens of thousands of costly builds);
/// 3. **shrink sizes**: resize each section to 0, to its size modulo 8 KiB (the largest
///    alignment of a generated layout, so later addresses keep their place in every page),
///    to half, to its size less 8 KiB steps, less 4 bytes;
/// 4. **shorten names**: cut each symbol's name to its first byte, else to half its length.
///
/// The result always fails: a candidate replaces the current layout only after `stillFails`
/// returned true for it. With unlimited time the result depends only on the input and the
/// predicate. The budget is what a shrink may still fail to reach: a minimum that only a
/// repaired candidate leads to costs up to 16 builds per single step. A shrink that ends
/// `exhausted` is **1-minimal**: its last round tried every
/// single-step reduction of the result (`singleStepReductions`) and none failed; one that ends
/// on a budget says so (`Result.isOneMinimal`), and shrinking its result again continues.
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

        /// Whether no single symbol, item, size step or name cut can be taken away with the
        /// layout still failing: true exactly when the last round changed nothing.
        public var isOneMinimal: Bool { stopReason == .exhausted }
    }

    /// Shrinks a failing layout.
    ///
    /// - Parameters:
    ///   - shouldStop: polled before each call; true ends shrinking with the best layout so far
    ///     (a campaign being stopped).
    ///   - knownToFail: the caller has just seen `layout` fail (a campaign's case): the first
    ///     call of `stillFails` on it is skipped (on an ARM-sized layout it is the costliest).
    ///   - repairs: when a thinned candidate, or one without one symbol or item, or with a
    ///     shorter name, no longer fails, these variants of it are tried in turn (each a
    ///     predicate call), e.g. the same candidate with a section grown so that later addresses
    ///     keep their place in a page. For single steps only in a round after a round of plain
    ///     single steps changed nothing (they multiply the builds of a round); never for chunks
    ///     of symbols nor for size reductions (so shrinking terminates).
    ///   - stillFails: true when the layout still shows the failure. Called first on `layout`.
    /// - Returns: nil when `layout` itself does not fail.
    public func shrink(
        _ layout: Layout, knownToFail: Bool = false, shouldStop: () -> Bool = { false },
        repairs: (Layout) -> [Layout] = { _ in [] },
        stillFails: (Layout) -> Bool
    ) -> Result? {
        withoutActuallyEscaping(stillFails) { predicate in
            withoutActuallyEscaping(shouldStop) { stop in
                withoutActuallyEscaping(repairs) { repairs in
                    var run = LayoutShrinkRun(
                        layout: layout, stillFails: predicate, shouldStop: stop, repairs: repairs,
                        maximumSteps: max(1, maximumSteps),
                        deadline: ContinuousClock.now + maximumDuration)
                    guard run.initialLayoutFails(known: knownToFail) else { return nil }
                    while !run.isOutOfBudget {
                        var changed = false
                        changed = run.thin() || changed
                        changed = run.dropItems() || changed
                        changed = run.dropMembers() || changed
                        if run.endsRound {
                            // A large layout lost members: thin it first, not its sizes or names.
                            run.endsRound = false
                            run.repairsSingleSteps = false
                            continue
                        }
                        changed = run.shrinkSizes() || changed
                        changed = run.shortenNames() || changed
                        if changed {
                            run.repairsSingleSteps = false
                        } else if !run.repairsSingleSteps {
                            // Plain single steps are exhausted: one more round with the repairs.
                            run.repairsSingleSteps = true
                        } else {
                            break
                        }
                    }
                    return Result(
                        layout: run.layout, steps: run.steps, improvements: run.improvements,
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

    init(
        layout: Layout, stillFails: @escaping (Layout) -> Bool, shouldStop: @escaping () -> Bool,
        repairs: @escaping (Layout) -> [Layout] = { _ in [] }, maximumSteps: Int, deadline: ContinuousClock.Instant
    ) {
        self.layout = layout
        requiredNames = LayoutShrinker.keptNames.filter(layout.defines)
        self.stillFails = stillFails
        self.shouldStop = shouldStop
        self.repairs = repairs
        self.maximumSteps = maximumSteps
        self.deadline = deadline
    }

    var isOutOfBudget: Bool { stopReason != nil }

    /// Whether single-step candidates get their repairs too (thinned ones always do).
    var repairsSingleSteps = false
    /// `dropMembers` removed members of a large layout: the round ends there.
    var endsRound = false

    mutating func initialLayoutFails(known: Bool = false) -> Bool {
        steps = 1
        return known || stillFails(layout)
    }

    /// Tries a candidate, then (when `repairing`) its repairs; adopts the first that still fails.
    mutating func attempt(_ candidate: Layout, repairing: Bool = true) -> Bool {
        // Calls follow their targets: a removed or renamed target takes its calls along, so
        // that every layout the shrinker keeps reads back from its text form.
        let candidate = candidate.removingUnresolvedCalls()
        // A repaired copy of the layout itself would be adopted as progress (a bigger section,
        // nothing removed) and undone by `shrinkSizes`, round after round.
        guard candidate != layout else { return false }
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

    /// The fractions of every section's symbols `thin` keeps, most aggressive first: keep one
    /// in 1024 … one in 2 (halve every section), then drop one in 4, one in 8.
    static let thinningLevels: [(kept: UInt64, of: UInt64)] = [(1, 1024), (1, 256), (1, 64), (1, 16), (1, 4), (1, 2), (3, 4), (7, 8)]
    /// Different random subsets tried per level before a smaller step is taken.
    static let thinningTries = 6

    /// Big steps: keeps `kept/of` of every section's symbols, and always its first and last
    /// symbol and its markers (the symbols at a section's edges behave like markers when the
    /// section's place moves). Per level it tries every `of`-th symbol, then random subsets
    /// (`thinningTries` in all, each with its repairs; 2 when a candidate would still have
    /// more than 20 000 symbols, whose builds are costly), and after every success starts
    /// again from the most aggressive level that still applies. Several subsets per level, not
    /// one systematic cut: when a failure hangs on where a section lands in a page, whether a
    /// candidate keeps it depends on the candidate's exact tables size, about as likely for a
    /// big cut as for a small one, so a few different big cuts beat many small ones.
    /// Deterministic: the subsets come from a fixed seed, the level, the try and the count.
    mutating func thin() -> Bool {
        var changed = false
        var progress = true
        while progress && !isOutOfBudget {
            progress = false
            let count = UInt64(layout.symbolCount)
            for (level, fraction) in Self.thinningLevels.enumerated()
            where count * fraction.kept >= fraction.of && count * (fraction.of - fraction.kept) >= fraction.of && !isOutOfBudget {
                let tries = count * fraction.kept / fraction.of > 20_000 ? 2 : Self.thinningTries
                for tryNumber in 0..<tries where !isOutOfBudget {
                    var rng = SeededRandom(seed: 0x5157_1a11).derived(UInt64(level)).derived(UInt64(tryNumber)).derived(count)
                    var candidate = layout
                    for index in layout.sectionIndices {
                        guard case .section(var section) = layout.items[index] else { continue }
                        let symbols = section.members.indices.filter {
                            if case .symbol = section.members[$0] { return true } else { return false }
                        }
                        var kept = Set([symbols.first, symbols.last].compactMap { $0 })
                        for (position, member) in symbols.enumerated() {
                            let keeps =
                                tryNumber == 0
                                ? UInt64(position) % fraction.of < fraction.kept
                                : RandomDraws.below(fraction.of, using: &rng) < fraction.kept
                            if keeps { kept.insert(member) }
                        }
                        section.members = section.members.indices.compactMap { index in
                            guard case .symbol = section.members[index] else { return section.members[index] }
                            return kept.contains(index) ? section.members[index] : nil
                        }
                        candidate.items[index] = .section(section)
                    }
                    if attempt(candidate) {
                        progress = true
                        changed = true
                        break
                    }
                }
                if progress { break }
            }
        }
        return changed
    }

    mutating func dropItems() -> Bool {
        var changed = false
        var index = layout.items.count - 1
        while index >= 0 && !isOutOfBudget {
            if index < layout.items.count && attempt(layout.removingItem(at: index), repairing: repairsSingleSteps) {
                changed = true
            }
            index -= 1
        }
        return changed
    }

    /// Above this many symbols, a removal of members ends `dropMembers`' round.
    static let thinAgainAbove = 1_000

    mutating func dropMembers() -> Bool {
        var changed = false
        for index in layout.sectionIndices.sorted(by: { members($0) > members($1) }) where !isOutOfBudget {
            var chunk = max(1, members(index) / 2)
            while chunk >= 1 && !isOutOfBudget {
                var start = 0
                while start < members(index) && !isOutOfBudget {
                    let range = start..<min(members(index), start + chunk)
                    // Repairs cost several builds: kept for single members, where plain removal gets stuck.
                    if attempt(layout.removingMembers(range, ofItem: index), repairing: chunk == 1 && repairsSingleSteps) {
                        if layout.symbolCount > Self.thinAgainAbove {
                            endsRound = true
                            return true
                        }
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
                        if attempt(
                            replacing(
                                member, ofItem: index,
                                with: .symbol(name: Array(name.prefix(length)), offset: offset, binding: binding)),
                            repairing: repairsSingleSteps)
                        {
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
