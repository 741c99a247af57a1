import Compressor
import Dispatch
import Generators
import LinkModel
import Randomness
import RealLink
import Synchronization

/// A search campaign: generates cases from a seed, runs the target on each, shrinks every
/// failure and reports each case and each finding as an event (issue 6, part 4).
///
/// Values in (`Campaign.Configuration`), a stream of events out (`CampaignEvent`, delivered
/// one at a time), a summary at the end; no printing, no files. Cases are numbered 0, 1, 2, …;
/// case `i`'s seed is `Campaign.caseSeed(i, campaignSeed:)` and everything the case does
/// (layout, build, shrink) depends only on that seed and the configuration, so the same cases
/// give the same verdicts and findings whatever `jobs` is (a shrink cut short by its time
/// budget or by cancellation is the exception, and says so in its `stopReason`).
public struct Campaign: Sendable {
    /// What to search.
    public struct Configuration: Hashable, Sendable {
        /// The invariant searched for a counterexample.
        public var target: CampaignTarget
        /// The era whose build (or generator) runs.
        public var era: Era
        /// The generator's flags.
        public var kallsyms: KallsymsOptions
        /// Mitigations every build runs with (none by default).
        public var mitigations: [Mitigation]
        /// The campaign seed.
        public var seed: UInt64
        /// Symbols per generated layout or map.
        public var symbols: Int
        /// Every layout's shape, or nil to draw one per case (`LayoutShape.random`).
        public var shape: LayoutShape?
        /// Worker threads (≥ 1).
        public var jobs: Int
        /// Stop after this many cases (nil: no limit).
        public var maximumCases: Int?
        /// Start no case after this long (nil: no limit).
        public var duration: Duration?
        /// Budgets of each finding's shrink.
        public var shrinkSteps: Int
        public var shrinkDuration: Duration
        /// The `nm` letters of every build (nil: the era's own time).
        public var letters: SymbolLetters?
        /// A real linker that must confirm each finding (nil: the model's word is kept).
        public var confirmation: Toolchain.Kind?
        /// Options given to every link of the confirming linker (`Toolchain.adding(linkerOptions:)`).
        public var linkerOptions: [String] = []
        /// Whose stub rules the model follows (nil: the confirming linker's, else GNU ld's).
        public var rules: LinkerFlavour?
        /// Today's kernel shape with calls (`ModernLayout`), or nil for the 2012 ARM layouts.
        public var modern: ModernLayout.Options?
        /// The architecture of `modern`, if any.
        public var architecture: KernelArchitecture? { modern?.architecture }

        /// A configuration; defaults: ARM-sized cases, shapes drawn per case, one job, 1 000
        /// shrink steps or 90 s per finding.
        public init(
            target: CampaignTarget = .passConvergence, era: Era, kallsyms: KallsymsOptions = .init(allSymbols: true),
            mitigations: [Mitigation] = [], seed: UInt64, symbols: Int = LayoutGenerator.armSized,
            shape: LayoutShape? = nil, jobs: Int = 1, maximumCases: Int? = nil, duration: Duration? = nil,
            shrinkSteps: Int = 1000, shrinkDuration: Duration = .seconds(90)
        ) {
            self.target = target
            self.era = era
            self.kallsyms = kallsyms
            self.mitigations = mitigations
            self.seed = seed
            self.symbols = symbols
            self.shape = shape
            self.jobs = max(1, jobs)
            self.maximumCases = maximumCases
            self.duration = duration
            self.shrinkSteps = shrinkSteps
            self.shrinkDuration = shrinkDuration
        }

        /// Whose rules the model follows: `rules`, else the confirming linker's, else GNU ld's.
        public var modelRules: LinkerFlavour { rules ?? confirmation?.flavour ?? .gnu }

        /// The build options of every case.
        public var buildOptions: BuildOptions {
            BuildOptions(era: era, kallsyms: kallsyms, mitigations: mitigations, letters: letters, linker: modelRules)
        }
    }

    /// Why a campaign ended.
    public enum StopReason: String, Hashable, Sendable {
        /// `maximumCases` cases ran.
        case caseLimit = "case limit"
        /// `duration` passed.
        case timeLimit = "time limit"
        /// `CampaignCancellation.cancel()` was called.
        case cancelled
    }

    /// Totals of a campaign.
    public struct Summary: Hashable, Sendable {
        public var cases = 0
        public var failures = 0
        public var refused = 0
        /// Builds (or generator runs, for round-trip) of generated cases.
        public var builds = 0
        /// Builds run while shrinking.
        public var shrinkBuilds = 0
        /// Thread-seconds spent generating cases, building them and shrinking.
        public var generateSeconds = 0.0
        public var buildSeconds = 0.0
        public var shrinkSeconds = 0.0
        /// Symbols of all generated cases.
        public var symbols = 0
        /// Passes of the builds of generated cases, and how many of them compressed from
        /// scratch (the others reused an earlier pass's compression or tables).
        public var passes = 0
        public var compressions = 0
        public var findings = 0
        /// Wall-clock seconds.
        public var elapsedSeconds = 0.0
        public var stopReason = StopReason.caseLimit

        public init() {}

        /// Cases per wall-clock second.
        public var casesPerSecond: Double { cases == 0 ? 0 : Double(cases) / max(elapsedSeconds, 1e-9) }
        /// Builds of generated cases per wall-clock second (all jobs together).
        public var buildsPerSecond: Double { builds == 0 ? 0 : Double(builds) / max(elapsedSeconds, 1e-9) }
        /// Builds per second of one thread, on generated cases (build time only).
        public var buildsPerThreadSecond: Double { builds == 0 ? 0 : Double(builds) / max(buildSeconds, 1e-9) }
    }

    /// The configuration.
    public let configuration: Configuration
    private let runner: CampaignCaseRunner

    /// A campaign; compiles the ARM profile's generators once.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        runner = CampaignCaseRunner(configuration)
    }

    /// Layouts of at least this many symbols share their population (their symbols) with the
    /// other cases of their batch of `casesPerPopulation`; smaller ones are drawn whole per
    /// case. See `CaseLayouts`.
    public static let populationSharedFrom = CaseLayouts.sharedFrom
    public static let casesPerPopulation = CaseLayouts.batchSize

    /// The seed of case `index`: drawn from the campaign seed's stream `index` (so cases are
    /// independent and any one can be rerun alone).
    public static func caseSeed(_ index: Int, campaignSeed: UInt64) -> UInt64 {
        var stream = SeededRandom(seed: campaignSeed).derived(UInt64(index))
        return stream.next()
    }

    /// The layout case `index` builds (for build targets).
    public func layout(ofCase index: Int) -> Layout {
        runner.layout(index: index)
    }

    /// Shrinks a failing layout (a saved finding, say) with the configuration's target, options
    /// and budgets; nil when the layout does not fail the target.
    public func shrink(
        _ layout: Layout, seed: UInt64, cancellation: CampaignCancellation = CampaignCancellation()
    )
        -> CampaignFinding?
    {
        let result = Build(layout: layout, options: configuration.buildOptions).run()
        guard configuration.target.isBuildTarget, configuration.target.verdict(of: result).isFailure else { return nil }
        return runner.shrink(layout, failing: result, index: 0, seed: seed, cancellation: cancellation)
    }

    /// Runs one case alone (what a worker does for case `index`).
    public func runCase(_ index: Int, cancellation: CampaignCancellation = CampaignCancellation()) -> CampaignCaseResult {
        var cache = CompressionCache()
        return runCase(index, cancellation: cancellation, cache: &cache)
    }

    /// Runs one case with a worker's compression cache (the result does not depend on it).
    public func runCase(
        _ index: Int, cancellation: CampaignCancellation, cache: inout CompressionCache
    )
        -> CampaignCaseResult
    {
        runner.run(
            index: index, seed: Self.caseSeed(index, campaignSeed: configuration.seed), cancellation: cancellation,
            cache: &cache)
    }

    /// Runs the campaign on `configuration.jobs` threads until the case limit, the time limit or
    /// cancellation; `events` receives every case and finding, one call at a time (never
    /// concurrently), from the worker threads.
    ///
    /// A case already running when the campaign stops completes (a shrink in progress stops
    /// early at cancellation and reports the smallest failing layout it has).
    /// - Precondition: a case limit, a duration or a cancellation that will come.
    public func run(
        cancellation: CampaignCancellation = CampaignCancellation(),
        events: @escaping @Sendable (CampaignEvent) -> Void = { _ in }
    ) -> Summary {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = configuration.duration.map { start + $0 }
        let schedule = CaseSchedule(batchSize: runner.casesPerBatch, limit: configuration.maximumCases)
        let state = Mutex(Summary())
        let reason = Mutex<StopReason?>(nil)
        let jobs = configuration.jobs
        Concurrently.workers(count: jobs) { _ in
            var cache = CompressionCache()
            var previous: Int?
            while true {
                if cancellation.isCancelled {
                    reason.withLock { $0 = $0 ?? .cancelled }
                    return
                }
                if let deadline, clock.now >= deadline {
                    reason.withLock { $0 = $0 ?? .timeLimit }
                    return
                }
                guard let index = schedule.next(after: previous) else {
                    reason.withLock { $0 = $0 ?? .caseLimit }
                    return
                }
                previous = index
                let result = runCase(index, cancellation: cancellation, cache: &cache)
                state.withLock { summary in
                    summary.add(result)
                    events(.caseFinished(result))
                    if let finding = result.finding { events(.finding(finding)) }
                }
            }
        }
        var summary = state.withLock { $0 }
        summary.elapsedSeconds = (clock.now - start).inSeconds
        summary.stopReason = cancellation.isCancelled ? .cancelled : reason.withLock { $0 } ?? .caseLimit
        return summary
    }
}

extension Campaign.Summary {
    mutating func add(_ result: CampaignCaseResult) {
        cases += 1
        switch result.verdict {
        case .holds: break
        case .fails: failures += 1
        case .refused: refused += 1
        }
        builds += result.builds
        shrinkBuilds += result.finding?.shrinkSteps ?? 0
        generateSeconds += result.generateSeconds
        buildSeconds += result.buildSeconds
        shrinkSeconds += result.shrinkSeconds
        symbols += result.symbols
        passes += result.passes
        compressions += result.compressions
        if result.finding != nil { findings += 1 }
    }
}

/// What a running campaign reports.
public enum CampaignEvent: Sendable {
    /// A case finished (with its finding, if any, reported right after as `.finding`).
    case caseFinished(CampaignCaseResult)
    /// A failure, shrunk, as a case file to save.
    case finding(CampaignFinding)
}

/// One case's outcome.
public struct CampaignCaseResult: Hashable, Sendable {
    /// The case number and its seed.
    public var index: Int
    public var seed: UInt64
    /// The layout's name (its shape) or `map` for round-trip cases.
    public var input: String
    /// Symbols of the generated input.
    public var symbols: Int
    /// What the target said.
    public var verdict: CampaignVerdict
    /// Builds run on the generated input (1; round-trip: 1 generator run).
    public var builds: Int
    /// Passes of the build (0 for round-trip), pass 0 included, and how many compressed from scratch.
    public var passes: Int
    public var compressions: Int
    /// Thread-seconds spent.
    public var generateSeconds: Double
    public var buildSeconds: Double
    public var shrinkSeconds: Double
    /// The shrunk failure, when the verdict is a failure.
    public var finding: CampaignFinding?
}

/// What the real linker said of a finding (`Campaign.Configuration.confirmation`).
public enum FindingConfirmation: Hashable, Sendable {
    /// No real linker was asked.
    case notAsked
    /// It fails the same way when linked for real, by this linker (its version line).
    case confirmed(String)
    /// The real linker builds it without the failure (or could not link it): a model error.
    case modelDisagreement(String)
}

/// A shrunk failure.
public struct CampaignFinding: Hashable, Sendable {
    /// The case it came from.
    public var index: Int
    public var seed: UInt64
    /// The case to save: the shrunk layout (or map), `expect: fails`, the reason.
    public var caseFile: CaseFile
    /// Symbols before and after shrinking.
    public var originalSymbols: Int
    public var shrunkSymbols: Int
    /// Sections before and after shrinking (0 for maps).
    public var originalSections: Int
    public var shrunkSections: Int
    /// Predicate calls of the shrink and why it stopped.
    public var shrinkSteps: Int
    public var stopReason: Shrinker.StopReason
    /// Whether a real linker confirmed it.
    public var confirmation: FindingConfirmation = .notAsked

    /// Whether the shrink ended on a 1-minimal layout (`LayoutShrinker.Result.isOneMinimal`):
    /// no single symbol, item, size step or name cut can go with the failure kept. Otherwise a
    /// budget stopped it, and `fuzz --shrink FILE` continues from the saved case.
    public var isOneMinimal: Bool { stopReason == .exhausted }

    /// A file name for the finding: `TARGET-ERA-SEED.case` (e.g. `pass-convergence-v3.3-0x1f2e.case`).
    public var fileName: String {
        "\(caseFile.target ?? caseFile.property ?? "case")-\(caseFile.era)-0x\(String(seed, radix: 16)).case"
    }
}
