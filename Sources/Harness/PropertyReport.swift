import Compressor
import Generators

/// What one run of a property in one era found.
public struct PropertyReport: Sendable {
    /// The property's name.
    public var property: String
    /// The law in one sentence.
    public var summary: String
    /// Whether the law is expected to hold.
    public var expectation: Property.Expectation
    /// The era checked.
    public var era: Era
    /// The run seed.
    public var seed: UInt64
    /// Cases asked for.
    public var casesAskedFor: Int
    /// Cases that passed.
    public var passed = 0
    /// Cases that failed (a law stops at its first failure, so 0 or 1 for a law).
    public var failed = 0
    /// Cases discarded (outside the law).
    public var discarded = 0
    /// Why the run stopped.
    public var stopReason = StopReason.caseCount
    /// The first failing case, shrunk.
    public var counterexample: Counterexample?
    /// Wall-clock time of the run, shrinking included (for display only).
    public var elapsed: Duration = .zero

    public init(
        property: String, summary: String, expectation: Property.Expectation, era: Era, seed: UInt64,
        casesAskedFor: Int
    ) {
        self.property = property
        self.summary = summary
        self.expectation = expectation
        self.era = era
        self.seed = seed
        self.casesAskedFor = casesAskedFor
    }

    /// Why a run stopped.
    public enum StopReason: String, Hashable, Sendable {
        /// As many cases as asked for passed.
        case caseCount = "case count"
        /// The time budget was spent first.
        case timeBudget = "time budget"
        /// Too many cases were discarded (`RunnerConfiguration.discardRatio`).
        case discardLimit = "discard limit"
        /// A law failed (laws stop at their first failing case).
        case counterexample
    }

    /// Cases checked: passed plus failed.
    public var casesRun: Int { passed + failed }

    /// Whether the property behaved as expected: a law checked at least one case, none failed,
    /// and the run was not cut short by the discard limit (a generator that refuses most cases
    /// proves nothing); an expected-to-fail property found a counterexample.
    public var behavedAsExpected: Bool {
        switch expectation {
        case .holds: return failed == 0 && passed > 0 && stopReason != .discardLimit
        case .fails: return counterexample != nil
        }
    }

    /// One word or phrase for the table: `held`, `FAILED`, `found (expected)`, `NOT FOUND`,
    /// `GAVE UP` (the discard limit stopped a law), `NO CASE CHECKED`.
    public var verdict: String {
        switch (expectation, counterexample != nil) {
        case (.holds, true): return "FAILED"
        case (.fails, true): return "found (expected)"
        case (.holds, false):
            if behavedAsExpected { return "held" }
            return stopReason == .discardLimit ? "GAVE UP" : "NO CASE CHECKED"
        case (.fails, false): return "NOT FOUND"
        }
    }

    /// `kallsyms-lab replay FILE` when the counterexample was saved as `file`, else the
    /// `check` command that draws the failing case again (and shrinks it the same way, budgets
    /// permitting); nil without a counterexample.
    public func replayCommand(savedAs file: String? = nil) -> String? {
        guard let counterexample else { return nil }
        if let file { return "kallsyms-lab replay \(file)" }
        return "kallsyms-lab check --property \(property) --era \(era) --seed "
            + "\(RunnerConfiguration.format(seed: counterexample.caseSeed)) --cases 1"
    }

    /// The counterexample as a case file (expect: fails); nil without one.
    public var caseFile: CaseFile? {
        guard let counterexample else { return nil }
        return CaseFile(
            kind: .property, property: property, era: era, options: counterexample.shrunk.options,
            seed: counterexample.caseSeed, expectation: .fails, reason: counterexample.reason,
            mutations: counterexample.shrunk.mutations, map: counterexample.shrunk.map)
    }

    /// `retype-invariance-v6.1-0x1f2e.case`: a file name for the counterexample.
    public var caseFileName: String? {
        counterexample.map { "\(property)-\(era)-\(RunnerConfiguration.format(seed: $0.caseSeed)).case" }
    }
}

/// The failing case a run shrank (a law's first, an expected-to-fail property's smallest), and
/// the smallest failing case shrinking found from it.
public struct Counterexample: Hashable, Sendable {
    /// Its index in the run (0-based; discarded cases count).
    public var caseIndex: Int
    /// The seed it was drawn from.
    public var caseSeed: UInt64
    /// The case as drawn.
    public var original: PropertyCase
    /// Why it failed.
    public var originalReason: String
    /// The shrunk case: it fails too.
    public var shrunk: PropertyCase
    /// Why the shrunk case fails.
    public var reason: String
    /// Property checks shrinking made.
    public var shrinkSteps: Int
    /// Checks that found a smaller (or simpler) failing case.
    public var shrinkImprovements: Int
    /// Why shrinking stopped.
    public var shrinkStopReason: Shrinker.StopReason

    /// A counterexample not shrunk (yet).
    public init(caseIndex: Int, caseSeed: UInt64, original: PropertyCase, originalReason: String) {
        self.caseIndex = caseIndex
        self.caseSeed = caseSeed
        self.original = original
        self.originalReason = originalReason
        self.shrunk = original
        self.reason = originalReason
        self.shrinkSteps = 0
        self.shrinkImprovements = 0
        self.shrinkStopReason = .exhausted
    }
}
