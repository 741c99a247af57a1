import Compressor

/// Reduces a failing `(map, mutations)` case while it keeps failing: greedy, deterministic and
/// bounded by a number of predicate calls and a duration.
///
/// Strategies, in this order, repeated until a whole round changes nothing or a budget runs out:
/// 1. **drop symbols**: remove halves, quarters, … down to single symbols;
/// 2. **shorten names**: cut each name to 1 byte, to half, or by its last byte;
/// 3. **simplify characters**: make a name all `a` (letters), `0` (digits) and `_` (others),
///    else change single bytes to `a`;
/// 4. **drop or simplify mutations**: remove each mutation, else replace it by simpler ones
///    (`Mutation.simplifications`).
///
/// Names are changed through `Mutation.rename`, so maps stay in `nm -n` order, and references of
/// the mutations to a renamed symbol are rewritten to its new name.
///
/// The result always fails: a candidate replaces the current case only after `stillFails`
/// returned true for it. With an unlimited duration the result depends only on the input and
/// the predicate; a time budget can stop earlier on a slower machine.
public struct Shrinker: Sendable {
    /// Calls of `stillFails` at most, the initial check included.
    public var maximumSteps: Int
    /// Wall-clock budget (`ContinuousClock`), checked before each call.
    public var maximumDuration: Duration

    /// A shrinker with these budgets (defaults: 10 000 calls, one minute).
    public init(maximumSteps: Int = 10_000, maximumDuration: Duration = .seconds(60)) {
        self.maximumSteps = maximumSteps
        self.maximumDuration = maximumDuration
    }

    /// Why shrinking stopped.
    public enum StopReason: String, Hashable, Sendable {
        /// A whole round of strategies changed nothing: the case is locally minimal.
        case exhausted
        /// `maximumSteps` calls were made.
        case stepBudget = "step budget"
        /// `maximumDuration` passed.
        case timeBudget = "time budget"
    }

    /// The smallest failing case found.
    public struct Result: Hashable, Sendable {
        /// The smallest failing map found.
        public var map: [SymbolRecord]
        /// Its mutations.
        public var mutations: [Mutation]
        /// Calls of `stillFails`, the initial check included.
        public var steps: Int
        /// Calls that found a smaller failing case.
        public var improvements: Int
        /// Why shrinking stopped.
        public var stopReason: StopReason
    }

    /// Shrinks a failing case.
    ///
    /// - Parameter stillFails: true when the case still shows the failure being shrunk. It is
    ///   called first on the initial case; a predicate that throws counts as "does not fail".
    /// - Returns: the smallest failing case found, or nil when the initial case does not fail.
    public func shrink(
        map: [SymbolRecord], mutations: [Mutation],
        stillFails: ([SymbolRecord], [Mutation]) throws -> Bool
    ) -> Result? {
        withoutActuallyEscaping(stillFails) { predicate in
            var run = ShrinkRun(
                map: map, mutations: mutations, stillFails: predicate,
                maximumSteps: max(1, maximumSteps), deadline: ContinuousClock.now + maximumDuration)
            guard run.initialCaseFails() else { return nil }
            while !run.isOutOfBudget {
                var changed = false
                changed = run.dropSymbols() || changed
                changed = run.shortenNames() || changed
                changed = run.simplifyCharacters() || changed
                changed = run.dropOrSimplifyMutations() || changed
                if !changed { break }
            }
            return Result(
                map: run.map, mutations: run.mutations, steps: run.steps, improvements: run.improvements,
                stopReason: run.stopReason ?? .exhausted)
        }
    }
}

/// The state of one shrink: the current (always failing) case and the budget.
struct ShrinkRun {
    private(set) var map: [SymbolRecord]
    private(set) var mutations: [Mutation]
    private let stillFails: ([SymbolRecord], [Mutation]) throws -> Bool
    private let maximumSteps: Int
    private let deadline: ContinuousClock.Instant
    private(set) var steps = 0
    private(set) var improvements = 0
    private(set) var stopReason: Shrinker.StopReason?

    init(
        map: [SymbolRecord], mutations: [Mutation], stillFails: @escaping ([SymbolRecord], [Mutation]) throws -> Bool,
        maximumSteps: Int, deadline: ContinuousClock.Instant
    ) {
        self.map = map
        self.mutations = mutations
        self.stillFails = stillFails
        self.maximumSteps = maximumSteps
        self.deadline = deadline
    }

    var isOutOfBudget: Bool { stopReason != nil }

    mutating func initialCaseFails() -> Bool {
        steps = 1
        return (try? stillFails(map, mutations)) ?? false
    }

    /// Tries a candidate; adopts it when it still fails. False when it passes or the budget is spent.
    mutating func attempt(_ candidateMap: [SymbolRecord], _ candidateMutations: [Mutation]) -> Bool {
        if stopReason == nil {
            if steps >= maximumSteps {
                stopReason = .stepBudget
            } else if ContinuousClock.now >= deadline {
                stopReason = .timeBudget
            }
        }
        guard stopReason == nil else { return false }
        steps += 1
        guard (try? stillFails(candidateMap, candidateMutations)) == true else { return false }
        map = candidateMap
        mutations = candidateMutations
        improvements += 1
        return true
    }
}
