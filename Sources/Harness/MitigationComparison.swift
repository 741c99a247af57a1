import Compressor
import Dispatch
import Generators
import LinkModel
import Randomness
import RealLink
import Synchronization

/// The same generated layouts built without mitigation and under each mitigation, summed up
/// per mitigation (issue 6, part 5).
///
/// Case `i` is the layout of `Campaign.caseSeed(i, campaignSeed: seed)` (the layout `fuzz`
/// generates for that case with the same seed and size). All rows of one case share one
/// `LinkPlan` and one `CompressionCache`, so pass 1's compression (identical input in every
/// row) is computed once per layout, and later passes whose strings did not change reuse it.
public struct MitigationComparison: Sendable {
    /// What to compare.
    public struct Configuration: Hashable, Sendable {
        public var era: Era
        public var kallsyms: KallsymsOptions
        /// One row per entry; `[]` is the baseline and is always run (first) even when absent.
        public var rows: [[Mitigation]]
        public var cases: Int
        public var seed: UInt64
        public var symbols: Int
        /// Every layout's shape, or nil to draw one per case.
        public var shape: LayoutShape?
        public var jobs: Int
        /// The `nm` letters (nil: the era's own time).
        public var letters: SymbolLetters?
        /// Today's kernel shape with calls (`ModernLayout`), or nil for the 2012 ARM layouts.
        public var modern: ModernLayout.Options?
        /// The architecture of `modern`, if any.
        public var architecture: KernelArchitecture? { modern?.architecture }
        /// A real linker that links every build instead of the model (nil: the model). A row it
        /// cannot build (`pad=B`, a link error) counts as refused.
        public var linker: Toolchain.Kind?
        /// Options given to every link of `linker` (`Toolchain.adding(linkerOptions:)`).
        public var linkerOptions: [String] = []
        /// Whose stub rules the model follows (nil: the real linker's, else GNU ld's).
        public var rules: LinkerFlavour?

        /// A configuration; default rows `MitigationComparison.standardRows`.
        public init(
            era: Era, kallsyms: KallsymsOptions = .init(allSymbols: true),
            rows: [[Mitigation]] = MitigationComparison.standardRows, cases: Int, seed: UInt64,
            symbols: Int = LayoutGenerator.armSized, shape: LayoutShape? = nil, jobs: Int = 1
        ) {
            self.era = era
            self.kallsyms = kallsyms
            self.rows = rows.first == [] ? rows : [[]] + rows.filter { !$0.isEmpty }
            self.cases = cases
            self.seed = seed
            self.symbols = symbols
            self.shape = shape
            self.jobs = max(1, jobs)
        }
    }

    /// none, `extra-pass`, `fixed-point=8`, `pad=64`, `pad=4096`, `uncompressed-type`,
    /// `reuse-tokens`. `pad=64` is about one cache line per table (cheap, absorbs small name
    /// changes); `pad=4096` one page per table (absorbs every change a letter flip makes).
    public static let standardRows: [[Mitigation]] = [
        [], [.extraPass], [.fixedPoint(maxPasses: 8)], [.pad(bytes: 64)], [.pad(bytes: 4096)], [.uncompressedType],
        [.reuseTokens],
    ]

    /// One row of the table.
    public struct Row: Hashable, Sendable {
        /// The mitigations (empty: none).
        public var mitigations: [Mitigation]
        public var cases = 0
        /// Builds that ended "Inconsistent kallsyms data".
        public var failures = 0
        /// Builds whose generator refused a pass's input.
        public var refused = 0
        /// Builds whose kallsyms object changed size between passes (the size-stability target).
        public var sizeChanges = 0
        /// `fixed-point=K` builds that ended in a cycle of objects.
        public var cycles = 0
        /// Linked passes (pass 0 excluded), summed, and the most of one build.
        public var totalPasses = 0
        public var worstPasses = 0
        /// Bytes of the final kallsyms object minus the baseline's for the same layout, summed,
        /// and the largest.
        public var totalExtraBytes = 0
        public var worstExtraBytes = 0
        /// The case numbers whose build ended "Inconsistent kallsyms data", ascending (print one
        /// with `fuzz --seed S --print-layout N`).
        public var failedCases: [Int] = []

        /// A row for `mitigations` with nothing counted.
        public init(mitigations: [Mitigation]) { self.mitigations = mitigations }

        /// `none`, or the mitigations as `--mitigation` takes them, joined by `+`.
        public var label: String { mitigations.isEmpty ? "none" : mitigations.map(\.description).joined(separator: "+") }
        public var failureRate: Double { cases == 0 ? 0 : Double(failures) / Double(cases) }
        public var meanPasses: Double { cases == 0 ? 0 : Double(totalPasses) / Double(cases) }
        public var meanExtraBytes: Double { cases == 0 ? 0 : Double(totalExtraBytes) / Double(cases) }
    }

    /// The outcome of one layout under one row.
    struct Measurement: Hashable, Sendable {
        var inconsistent: Bool
        var refused: Bool
        var sizeChanged: Bool
        var cycle: Bool
        var passes: Int
        var objectSize: Int
    }

    /// The table, and the work it took.
    public struct Table: Hashable, Sendable {
        public var rows: [Row]
        public var cases: Int
        public var builds: Int
        /// Compressions computed, and compressions reused from the cache or the previous pass.
        public var compressions: Int
        public var reusedCompressions: Int
        public var elapsedSeconds: Double
        public var cancelled: Bool
    }

    public let configuration: Configuration
    private let layouts: CaseLayouts

    /// A comparison; compiles the ARM profile's generators once.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        layouts = CaseLayouts(
            campaignSeed: configuration.seed, symbols: configuration.symbols, shape: configuration.shape,
            modern: configuration.modern, jobs: configuration.jobs)
    }

    /// The layout of case `index` (the layout `fuzz` draws for case `index` of the same seed).
    public func layout(_ index: Int) -> Layout {
        layouts.layout(index: index)
    }

    /// Runs every row on every case on `jobs` threads; `progress` gets the number of cases done
    /// (one call at a time). Cancellation stops before the next case; the table then holds the
    /// cases done (every row on each).
    public func run(
        cancellation: CampaignCancellation = CampaignCancellation(),
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> Table {
        let clock = ContinuousClock()
        let start = clock.now
        let schedule = CaseSchedule(batchSize: layouts.casesPerBatch, limit: configuration.cases)
        let state = Mutex((rows: configuration.rows.map { Row(mitigations: $0) }, cases: 0, builds: 0, compressions: 0, reused: 0))
        Concurrently.workers(count: configuration.jobs) { _ in
            var cache = CompressionCache()
            var previous: Int?
            while !cancellation.isCancelled, let index = schedule.next(after: previous) {
                previous = index
                let (measurements, work) = measure(index, cache: &cache)
                state.withLock { state in
                    let baseline = measurements[0].objectSize
                    for (row, measurement) in measurements.enumerated() {
                        state.rows[row].add(measurement, baseline: baseline, case: index)
                    }
                    state.cases += 1
                    state.builds += measurements.count
                    state.compressions += work.compressed
                    state.reused += work.reused
                    progress(state.cases)
                }
            }
        }
        var done = state.withLock { $0 }
        for row in done.rows.indices { done.rows[row].failedCases.sort() }
        return Table(
            rows: done.rows, cases: done.cases, builds: done.builds, compressions: done.compressions,
            reusedCompressions: done.reused, elapsedSeconds: (clock.now - start).inSeconds,
            cancelled: cancellation.isCancelled)
    }

    /// Builds case `index` under every row, sharing the plan and the worker's compression cache.
    func measure(_ index: Int, cache: inout CompressionCache) -> ([Measurement], work: (compressed: Int, reused: Int)) {
        let plan = cache.plan(layout(index))
        var work = (compressed: 0, reused: 0)
        let measurements = configuration.rows.map { mitigations -> Measurement in
            let options = BuildOptions(
                era: configuration.era, kallsyms: configuration.kallsyms, mitigations: mitigations,
                letters: configuration.letters, linker: configuration.linker?.flavour ?? configuration.rules ?? .gnu)
            let result: BuildResult
            if let kind = configuration.linker {
                do {
                    var linker = try RealLinker(
                        plan: plan,
                        toolchain: try Toolchain(kind, target: plan.layout.target).adding(linkerOptions: configuration.linkerOptions),
                        options: options)
                    result = try Build(layout: plan.layout, options: options).run(
                        target: plan.layout.target, cache: &cache,
                        linker: &linker)
                } catch {
                    return Measurement(
                        inconsistent: false, refused: true, sizeChanged: false, cycle: false, passes: 0,
                        objectSize: 0)
                }
            } else {
                result = Build(layout: plan.layout, options: options).run(plan: plan, cache: &cache)
            }
            for pass in result.passes {
                switch pass.output.work {
                case .compressed, .rebuiltFrozenTokens: work.compressed += 1
                case .reusedCompression, .revisedCompression, .reusedTables, .encodedWithFrozenTokens: work.reused += 1
                }
            }
            let sizes = result.linkedPasses.map(\.output.object.size)
            var refused = false
            if case .generatorFailed = result.outcome { refused = true }
            return Measurement(
                inconsistent: result.isInconsistent, refused: refused,
                sizeChanged: Set(sizes).count > 1, cycle: result.cycle != nil,
                passes: result.linkedPasses.count, objectSize: result.passes.last?.output.object.size ?? 0)
        }
        return (measurements, work)
    }
}

extension MitigationComparison.Row {
    mutating func add(_ measurement: MitigationComparison.Measurement, baseline: Int, case index: Int) {
        cases += 1
        if measurement.inconsistent {
            failures += 1
            failedCases.append(index)
        }
        if measurement.refused { refused += 1 }
        if measurement.sizeChanged { sizeChanges += 1 }
        if measurement.cycle { cycles += 1 }
        totalPasses += measurement.passes
        worstPasses = max(worstPasses, measurement.passes)
        let extra = measurement.objectSize - baseline
        totalExtraBytes += extra
        worstExtraBytes = cases == 1 ? extra : max(worstExtraBytes, extra)
    }
}
