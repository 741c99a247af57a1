import Compressor
import Generators
import Randomness

/// Runs a property over cases drawn from a seed, within a case count and a time budget, and
/// shrinks the first failing case to a minimal counterexample (x-sheep/swift-property-based's
/// loop, Hypothesis's budgets).
///
/// Every case has its own seed (`caseSeed(run:index:)`) and is drawn from it alone, so
/// `check --property P --era E --seed CASE_SEED --cases 1` draws exactly that case again (case
/// 0 of a run is drawn from the run seed itself). The runner never picks a seed: the caller
/// does, and prints it. It never prints either: `progress` reports while it runs.
public struct PropertyRunner: Sendable {
    /// Seed and budgets.
    public var configuration: RunnerConfiguration

    public init(_ configuration: RunnerConfiguration) {
        self.configuration = configuration
    }

    /// Where a run is, for a progress line.
    public struct Progress: Sendable {
        /// Cases checked so far (passed or failed).
        public var casesRun: Int
        /// Cases asked for.
        public var casesAskedFor: Int
        /// Cases discarded so far.
        public var discarded: Int
        /// Property checks made while shrinking, once a failure is being shrunk.
        public var shrinkSteps: Int?
    }

    /// The seed of case `index` of a run seeded with `seed`: the run seed itself for case 0,
    /// else a child stream of it named by the index (`SeededRandom.derived(_:)`), so each
    /// case's seed is known without drawing the cases before it.
    public static func caseSeed(run seed: UInt64, index: Int) -> UInt64 {
        index == 0 ? seed : SeededRandom(seed: seed).derived(UInt64(index)).state
    }

    /// Checks `property` in `era` until `cases` cases were checked (`configuration.cases`, else
    /// the property's default), the time budget is spent, or too many cases were discarded,
    /// then shrinks a failing case (`Shrinker`, bounded by the shrink budget) to a smaller case
    /// that still fails.
    ///
    /// A law (`expectation == .holds`) stops at its first failing case: that is a bug, and the
    /// case is shrunk at once. A property expected to fail checks every case, counts the
    /// failures, and shrinks the smallest failing case (fewest symbols, then fewest name
    /// bytes), so its counterexample is as small as the cases drawn allow.
    ///
    /// - Parameter progress: called after each case and each shrink step.
    public func run(_ property: Property, era: Era, progress: (Progress) -> Void = { _ in }) -> PropertyReport {
        let clock = ContinuousClock()
        let start = clock.now
        let target = max(0, configuration.cases ?? property.defaultCases)
        var report = PropertyReport(
            property: property.name, summary: property.summary, expectation: property.expectation,
            era: era, seed: configuration.seed, casesAskedFor: target)
        var smallest: Counterexample?
        var index = 0
        checking: while report.casesRun < target {
            if let budget = configuration.timeBudget, clock.now - start >= budget {
                report.stopReason = .timeBudget
                break
            }
            if report.discarded >= max(1, target) * max(1, configuration.discardRatio) {
                report.stopReason = .discardLimit
                break
            }
            let seed = Self.caseSeed(run: configuration.seed, index: index)
            let drawn = property.draw(era: era, seed: seed, maximumSymbols: configuration.maximumSymbols)
            switch property.check(drawn) {
            case .pass:
                report.passed += 1
            case .discard:
                report.discarded += 1
            case .fail(let reason):
                report.failed += 1
                if smallest.map({ Self.size(of: drawn) < Self.size(of: $0.original) }) ?? true {
                    smallest = Counterexample(caseIndex: index, caseSeed: seed, original: drawn, originalReason: reason)
                }
                if property.expectation == .holds {
                    report.stopReason = .counterexample
                    break checking
                }
            }
            index += 1
            progress(Progress(casesRun: report.casesRun, casesAskedFor: target, discarded: report.discarded))
        }
        if let smallest {
            report.counterexample = shrink(smallest, property: property, report: report, progress: progress)
        }
        report.elapsed = clock.now - start
        return report
    }

    /// How a failing case is ranked for shrinking: symbols, then name bytes.
    static func size(of propertyCase: PropertyCase) -> Size {
        Size(symbols: propertyCase.map.count, nameBytes: propertyCase.map.reduce(0) { $0 + $1.name.count })
    }

    struct Size: Comparable {
        var symbols: Int
        var nameBytes: Int
        static func < (a: Size, b: Size) -> Bool { (a.symbols, a.nameBytes) < (b.symbols, b.nameBytes) }
    }

    /// Shrinks a counterexample's case with `Shrinker` on (map, mutations); the result still fails.
    func shrink(
        _ found: Counterexample, property: Property, report: PropertyReport,
        progress: (Progress) -> Void
    ) -> Counterexample {
        var counterexample = found
        let original = found.original
        var steps = 0
        let shrinker = Shrinker(maximumSteps: configuration.shrinkSteps, maximumDuration: configuration.shrinkTimeBudget)
        let result = shrinker.shrink(map: original.map, mutations: original.mutations) { map, mutations in
            steps += 1
            progress(
                Progress(
                    casesRun: report.casesRun, casesAskedFor: report.casesAskedFor, discarded: report.discarded,
                    shrinkSteps: steps))
            return property.check(PropertyCase(map: map, mutations: mutations, era: original.era, options: original.options)).isFailure
        }
        guard let result else {
            // The check is deterministic, so the case that just failed fails again.
            preconditionFailure("\(property.name): a failing case passed when checked again (is the check deterministic?)")
        }
        let shrunk = PropertyCase(map: result.map, mutations: result.mutations, era: original.era, options: original.options)
        guard case .fail(let reason) = property.check(shrunk) else {
            preconditionFailure("\(property.name): the shrinker returned a case that does not fail")
        }
        counterexample.shrunk = shrunk
        counterexample.reason = reason
        counterexample.shrinkSteps = result.steps
        counterexample.shrinkImprovements = result.improvements
        counterexample.shrinkStopReason = result.stopReason
        return counterexample
    }
}
