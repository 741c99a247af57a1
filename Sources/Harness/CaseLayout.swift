import Generators
import LinkModel
import Randomness
import Synchronization

/// The layouts of a campaign's cases: what `fuzz` builds and what `mitigations` compares, made
/// here so that case i of seed S is the same layout in both.
///
/// ARM-sized cases (`sharedFrom` symbols or more) come in batches of `batchSize` that share
/// one `LayoutPopulation` (the symbols, drawn from the campaign seed's stream "population",
/// batch b) and differ in what decides whether a build converges: the shape (drawn per case
/// unless given) and the sections' tails and bias, from the case seed (`Campaign.caseSeed`).
/// Drawing an ARM-sized population costs as much as building it, so a campaign pays it once
/// per batch (issue 17). `modern` adds today's calls and sizes (`--arch`) from a stream
/// of the case seed's own (`ModernLayout.streamSalt`).
///
/// Shared by a campaign's workers: a population (and each base layout of it) is made by the
/// first worker that needs it and kept while workers use it (`CaseSchedule` gives each worker
/// whole batches).
final class CaseLayouts: Sendable {
    /// Cases per population, for layouts of at least `sharedFrom` symbols. Few, because cases
    /// that share a population share their token table, and whether a marker's change of
    /// letter changes the tables' size is decided by it: a batch's failure rate is nearly all
    /// or nothing, and a rate measured over a campaign needs many populations. With 16, drawing
    /// was about a tenth of an ARM-sized case's cost when batches came in, and is about a sixth
    /// of the cheaper cases of `9c4595a` (docs/lab-results.md, issue 17).
    static let batchSize = 16
    /// Smaller layouts are drawn whole for each case (`LayoutGenerator.generate`, as before
    /// populations were shared): their draw is cheap.
    static let sharedFrom = 16_000

    let generator: LayoutGenerator
    let symbols: Int
    let campaignSeed: UInt64
    let shape: LayoutShape?
    let modern: ModernLayout.Options?

    private struct Batch {
        var number: Int
        var population: LayoutPopulation
        var bases: [LayoutPopulation.BaseKey: LayoutPopulation.Base] = [:]
        /// When a case last asked for it (`Batches.tick`).
        var used: Int
    }
    private struct Batches {
        var list: [Batch] = []
        var tick = 0

        /// The batch numbered `number`, marked as used now.
        mutating func use(_ number: Int) -> Batch? {
            guard let index = list.firstIndex(where: { $0.number == number }) else { return nil }
            tick += 1
            list[index].used = tick
            return list[index]
        }
    }
    /// The batches used most recently: one per worker and one more (a worker that moves on to
    /// a new batch does not push out another worker's).
    private let batches = Mutex(Batches())
    private let keptBatches: Int

    /// `jobs`: how many workers ask for layouts at once.
    init(campaignSeed: UInt64, symbols: Int, shape: LayoutShape?, modern: ModernLayout.Options?, jobs: Int = 1) {
        generator = LayoutGenerator(profile: .arm)
        self.campaignSeed = campaignSeed
        self.symbols = symbols
        self.shape = shape
        self.modern = modern
        keptBatches = max(2, jobs + 1)
    }

    /// Cases per batch of this campaign's layouts (1 when each case is drawn whole).
    var casesPerBatch: Int { symbols < Self.sharedFrom ? 1 : Self.batchSize }

    /// The layout of case `index`.
    func layout(index: Int) -> Layout {
        let caseSeed = Campaign.caseSeed(index, campaignSeed: campaignSeed)
        let layout: Layout
        if symbols < Self.sharedFrom {
            var rng = SeededRandom(seed: caseSeed)
            layout =
                shape.map { generator.generate(symbols: symbols, shape: $0, using: &rng) }
                ?? generator.generate(symbols: symbols, using: &rng)
        } else {
            let seed = SeededRandom(seed: caseSeed)
            var shapeStream = seed.derived("shape")
            let shape = self.shape ?? .random(using: &shapeStream)
            let (population, base) = populationAndBase(batch: index / Self.batchSize, shape: shape)
            var sizes = seed.derived("sizes")
            layout = population.placed(base, shape: shape, sizes: &sizes)
        }
        guard let modern else { return layout }
        var stream = SeededRandom(seed: caseSeed ^ ModernLayout.streamSalt)
        return ModernLayout.apply(layout, options: modern, using: &stream)
    }

    /// The population of batch `number` and its base for `shape`, drawn when no worker has
    /// drawn them yet. Drawing happens outside the lock, so that a worker drawing a new batch
    /// does not hold up the others; when two draw the same (one helps with another's last
    /// cases), both draws are equal and the first one kept is used.
    private func populationAndBase(batch number: Int, shape: LayoutShape) -> (LayoutPopulation, LayoutPopulation.Base) {
        let key = LayoutPopulation.BaseKey(shape)
        let known = batches.withLock { $0.use(number) }
        if let known, let base = known.bases[key] { return (known.population, base) }
        let population =
            known?.population
            ?? {
                let seed = SeededRandom(seed: campaignSeed).derived("population").derived(UInt64(number))
                let drawn = generator.population(symbols: symbols, seed: seed)
                return batches.withLock { batches in
                    if let existing = batches.use(number) { return existing.population }
                    batches.tick += 1
                    batches.list.append(Batch(number: number, population: drawn, used: batches.tick))
                    if batches.list.count > keptBatches,
                        let oldest = batches.list.indices.min(by: { batches.list[$0].used < batches.list[$1].used })
                    {
                        batches.list.remove(at: oldest)
                    }
                    return drawn
                }
            }()
        // Sections equal to another base's share its members, so that a worker's link plan
        // reuses their sorted symbols across shapes (`CompressionCache.plan`).
        let earlier = batches.withLock { $0.use(number).map { Array($0.bases.values) } ?? [] }
        let base = LayoutPopulation.sharingMembers(population.base(shape), with: earlier)
        return batches.withLock { batches in
            guard let index = batches.list.firstIndex(where: { $0.number == number }) else { return (population, base) }
            if let existing = batches.list[index].bases[key] { return (population, existing) }
            batches.list[index].bases[key] = base
            return (population, base)
        }
    }
}
