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
/// Shared by a campaign's workers: a population (and each base layout of it) is made once,
/// under a lock, by the first worker that needs it; the last few batches are kept.
final class CaseLayouts: Sendable {
    /// Cases per population, for layouts of at least `sharedFrom` symbols. Few, because cases
    /// that share a population share their token table, and whether a marker's change of
    /// letter changes the tables' size is decided by it: a batch's failure rate is nearly all
    /// or nothing, and a rate measured over a campaign needs many populations. With 16, drawing
    /// is about a tenth of an ARM-sized case's cost (docs/lab-results.md, issue 17).
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
    }
    /// The batches made most recently (workers near a batch boundary use two).
    private let batches = Mutex<[Batch]>([])

    init(campaignSeed: UInt64, symbols: Int, shape: LayoutShape?, modern: ModernLayout.Options?) {
        generator = LayoutGenerator(profile: .arm)
        self.campaignSeed = campaignSeed
        self.symbols = symbols
        self.shape = shape
        self.modern = modern
    }

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

    private func populationAndBase(batch number: Int, shape: LayoutShape) -> (LayoutPopulation, LayoutPopulation.Base) {
        batches.withLock { batches in
            let key = LayoutPopulation.BaseKey(shape)
            if !batches.contains(where: { $0.number == number }) {
                let seed = SeededRandom(seed: campaignSeed).derived("population").derived(UInt64(number))
                batches.append(Batch(number: number, population: generator.population(symbols: symbols, seed: seed)))
                if batches.count > 2 { batches.removeFirst() }
            }
            let index = batches.firstIndex { $0.number == number } ?? batches.count - 1
            if let base = batches[index].bases[key] { return (batches[index].population, base) }
            // Sections equal to another base's share its members, so that a worker's link plan
            // reuses their sorted symbols across shapes (`CompressionCache.plan`).
            let base = LayoutPopulation.sharingMembers(
                batches[index].population.base(shape), with: Array(batches[index].bases.values))
            batches[index].bases[key] = base
            return (batches[index].population, base)
        }
    }
}
