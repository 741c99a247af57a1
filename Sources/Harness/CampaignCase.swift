import Compressor
import FuzzLaws
import Generators
import LinkModel
import Randomness
import RealLink

/// Runs one campaign case: generate from the case seed, run the target, shrink a failure.
struct CampaignCaseRunner: Sendable {
    let configuration: Campaign.Configuration
    let layouts: CaseLayouts
    /// The maps of the round-trip targets (nil for the build targets, which draw layouts).
    let maps: SymbolSetGenerator?

    init(_ configuration: Campaign.Configuration) {
        self.configuration = configuration
        layouts = CaseLayouts(
            campaignSeed: configuration.seed, symbols: configuration.symbols, shape: configuration.shape,
            modern: configuration.modern, jobs: configuration.jobs)
        maps = configuration.target.isBuildTarget ? nil : SymbolSetGenerator(profile: .arm)
    }

    /// Runs case `index`; `cache` is the worker's, kept from case to case (cases of a batch share
    /// their symbols, so most of their passes compress the same strings).
    func run(
        index: Int, seed: UInt64, cancellation: CampaignCancellation, cache: inout CompressionCache
    )
        -> CampaignCaseResult
    {
        configuration.target.isBuildTarget
            ? runBuild(index: index, seed: seed, cancellation: cancellation, cache: &cache)
            : runRoundTrip(index: index, seed: seed, cancellation: cancellation)
    }

    /// How many consecutive cases share a population (`CaseSchedule`'s batches).
    var casesPerBatch: Int { configuration.target.isBuildTarget ? layouts.casesPerBatch : 1 }

    /// The layout of case `index` (what `fuzz` generated for it).
    func layout(index: Int) -> Layout {
        layouts.layout(index: index)
    }

    private func runBuild(
        index: Int, seed: UInt64, cancellation: CampaignCancellation, cache: inout CompressionCache
    )
        -> CampaignCaseResult
    {
        let clock = ContinuousClock()
        var start = clock.now
        let layout = self.layout(index: index)
        let plan = cache.plan(layout)
        let generated = clock.now
        let options = configuration.buildOptions
        let result = Build(layout: layout, options: options).run(plan: plan, cache: &cache)
        let built = clock.now
        let verdict = configuration.target.verdict(of: result)
        var caseResult = CampaignCaseResult(
            index: index, seed: seed, input: layout.name ?? "layout", symbols: plan.symbolCount, verdict: verdict,
            builds: 1, passes: result.passes.count,
            compressions: result.passes.filter { $0.output.work == .compressed || $0.output.work == .rebuiltFrozenTokens }.count,
            generateSeconds: (generated - start).inSeconds,
            buildSeconds: (built - generated).inSeconds, shrinkSeconds: 0, finding: nil)
        guard verdict.isFailure else { return caseResult }
        start = clock.now
        caseResult.finding = shrink(layout, failing: result, index: index, seed: seed, cancellation: cancellation)
        caseResult.shrinkSeconds = (clock.now - start).inSeconds
        return caseResult
    }

    /// Shrinks a failing layout and makes its case file; the shrunk layout is built once more
    /// and must still fail (the shrinker adopts only failing candidates: a pass here is a bug).
    ///
    /// With a confirming linker, the shrunk layout is then linked for real. When the real link
    /// does not fail the same way, the original layout is: if it fails for real, it is shrunk
    /// again keeping only candidates that fail both ways; if not, the finding is a model
    /// disagreement.
    func shrink(
        _ layout: Layout, failing result: BuildResult, index: Int, seed: UInt64,
        cancellation: CampaignCancellation
    ) -> CampaignFinding {
        let options = configuration.buildOptions
        let target = configuration.target
        let shrinker = LayoutShrinker(maximumSteps: configuration.shrinkSteps, maximumDuration: configuration.shrinkDuration)
        let original = target.signature(of: result)
        func modelFails(_ candidate: Layout) -> Bool {
            let result = Build(layout: candidate, options: options).run()
            guard target.fails(result) else { return false }
            let signature = target.signature(of: result)
            return !signature.isEmpty && signature.isSubset(of: original)
        }
        var shrunk = shrinker.shrink(
            layout, knownToFail: true, shouldStop: { cancellation.isCancelled }, repairs: Self.phaseRepairs,
            stillFails: modelFails)
        var minimal = shrunk?.layout ?? layout
        var confirmation = FindingConfirmation.notAsked
        if let kind = configuration.confirmation {
            let real = RealBuildCheck(kind: kind, linkerOptions: configuration.linkerOptions, options: options, target: target)
            if real.fails(minimal) {
                confirmation = .confirmed(real.version)
            } else if real.fails(layout) {
                shrunk = shrinker.shrink(
                    layout, shouldStop: { cancellation.isCancelled }, repairs: Self.phaseRepairs,
                    stillFails: { modelFails($0) && real.fails($0) })
                minimal = shrunk?.layout ?? layout
                confirmation = .confirmed(real.version)
            } else {
                confirmation = .modelDisagreement("\(real.version) builds it without the failure (or cannot link it)")
            }
        }
        if let name = layout.name, !name.hasSuffix("-shrunk") { minimal.name = name + "-shrunk" }
        let verdict = target.verdict(of: Build(layout: minimal, options: options).run())
        guard case .fails(let reason) = verdict else {
            preconditionFailure("the shrunk layout of case \(index) no longer fails \(target): \(verdict)")
        }
        var file = CaseFile(
            kind: .build, target: target.rawValue, era: configuration.era, options: configuration.kallsyms,
            mitigations: configuration.mitigations.map(\.description), seed: seed, expectation: .fails,
            reason: reason, layout: minimal)
        file.letters = configuration.letters
        if configuration.modelRules != .gnu { file.rules = configuration.modelRules }
        if case .confirmed(let version) = confirmation { file.confirmedBy = [version] }
        var finding = CampaignFinding(
            index: index, seed: seed, caseFile: file, originalSymbols: layout.symbolCount,
            shrunkSymbols: minimal.symbolCount, originalSections: layout.sections.count,
            shrunkSections: minimal.sections.count, shrinkSteps: shrunk?.steps ?? 1,
            stopReason: shrunk?.stopReason ?? .exhausted)
        finding.confirmation = confirmation
        return finding
    }

    /// Variants of a shrink candidate that put the first empty section with symbols (the
    /// per-cpu section of a uniprocessor layout) at another place in its period: the kept
    /// section before it grown by 512, 1024, … 7680 bytes, over the whole 8 KiB of the largest
    /// alignment a generated layout has (`.data`'s THREAD_SIZE), so every place the section can
    /// take relative to the next page and to `.data` is within 512 bytes of one variant.
    /// Removing symbols changes the size of the kallsyms tables and so where that section lands
    /// in the second pass (not in the first, which links no tables); the variants look for a
    /// place where its markers again change letter between passes. Only for layouts of at most
    /// 20 000 symbols (beyond, each variant costs a full ARM-sized build).
    static func phaseRepairs(_ layout: Layout) -> [Layout] {
        guard layout.symbolCount <= 20_000 else { return [] }
        let sections = layout.sectionIndices
        guard
            let empty = sections.firstIndex(where: { index in
                guard case .section(let section) = layout.items[index] else { return false }
                return section.size == 0 && !section.isKeptWhenEmpty && section.symbolCount > 0
            }),
            let knob = sections[..<empty].last(where: { index in
                guard case .section(let section) = layout.items[index] else { return false }
                return section.size > 0
            }), case .section(let section) = layout.items[knob]
        else { return [] }
        return (1...15).map { layout.resizingSection(at: knob, to: section.size + UInt64($0) * 512) }
    }

    // MARK: round-trip

    /// The first byte of a `FuzzChecks.roundTrip` input that selects `era` and `options`, or
    /// nil when the options are not among the ones the selector can express.
    static func selector(era: Era, options: KallsymsOptions) -> UInt8? {
        (0...255).lazy.map(UInt8.init).first { selector in
            let (selected, selectedOptions) = FuzzChecks.configuration(selector)
            return selected == era && selectedOptions == options
        }
    }

    private func runRoundTrip(index: Int, seed: UInt64, cancellation: CampaignCancellation) -> CampaignCaseResult {
        let clock = ContinuousClock()
        var start = clock.now
        var rng = SeededRandom(seed: seed)
        guard let maps else { preconditionFailure("init makes the maps of every target that is not a build target") }
        let map = maps.generate(symbols: configuration.symbols, using: &rng)
        let generated = clock.now
        let selector = Self.selector(era: configuration.era, options: configuration.kallsyms) ?? 0
        let outcome = FuzzChecks.roundTrip([selector] + MapWriter.write(map))
        let checked = clock.now
        var verdict = CampaignVerdict.holds
        switch outcome {
        case .passed: break
        case .refused(let reason): verdict = .refused(reason)
        case .violated(let reason): verdict = .fails(reason)
        }
        var result = CampaignCaseResult(
            index: index, seed: seed, input: "map", symbols: map.count, verdict: verdict, builds: 1, passes: 0, compressions: 1,
            generateSeconds: (generated - start).inSeconds, buildSeconds: (checked - generated).inSeconds,
            shrinkSeconds: 0, finding: nil)
        guard case .fails(let reason) = verdict else { return result }
        start = clock.now
        let shrinker = Shrinker(maximumSteps: configuration.shrinkSteps, maximumDuration: configuration.shrinkDuration)
        let shrunk = shrinker.shrink(map: map, mutations: []) { candidate, _ in
            guard !cancellation.isCancelled,
                case .violated = FuzzChecks.roundTrip([selector] + MapWriter.write(candidate))
            else { return false }
            return true
        }
        let minimal = shrunk?.map ?? map
        let file = CaseFile(
            kind: .property, property: CampaignTarget.roundTrip.rawValue, era: configuration.era,
            options: configuration.kallsyms, seed: seed, expectation: .fails, reason: reason, map: minimal)
        result.finding = CampaignFinding(
            index: index, seed: seed, caseFile: file, originalSymbols: map.count,
            shrunkSymbols: minimal.count, originalSections: 0, shrunkSections: 0,
            shrinkSteps: shrunk?.steps ?? 1, stopReason: shrunk?.stopReason ?? .exhausted)
        result.shrinkSeconds = (clock.now - start).inSeconds
        return result
    }
}

/// Builds layouts with a real linker and says whether the target fails there.
struct RealBuildCheck {
    let kind: Toolchain.Kind
    /// Given to every link after the linker's own.
    var linkerOptions: [String] = []
    let options: BuildOptions
    let target: CampaignTarget
    /// The linker's version line (its name when it cannot run).
    var version: String { (try? Toolchain(kind, target: .arm32))?.version ?? "\(kind)" }

    /// Whether the layout's build, linked for real, fails the target. A link that cannot run
    /// counts as not failing.
    func fails(_ layout: Layout) -> Bool {
        do {
            let toolchain = try Toolchain(kind, target: layout.target).adding(linkerOptions: linkerOptions)
            let plan = LinkPlan(layout)
            var linker = try RealLinker(plan: plan, toolchain: toolchain, options: options)
            var cache = CompressionCache()
            let result = try Build(layout: layout, options: options).run(target: layout.target, cache: &cache, linker: &linker)
            return target.fails(result)
        } catch {
            return false
        }
    }
}
