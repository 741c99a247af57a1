import Generators
import LinkModel
import Randomness

extension LayoutGenerator {
    /// The layout of one campaign case seed: what `fuzz` builds and what `mitigations` compares,
    /// drawn here once so that case i of seed S is the same layout in both. `shape` nil draws
    /// one per case; `architecture` adds today's calls and sizes (`--arch`) from a stream of
    /// its own, so the 2012-era layout underneath does not change.
    func caseLayout(seed: UInt64, symbols: Int, shape: LayoutShape?, architecture: KernelArchitecture?) -> Layout {
        var rng = SeededRandom(seed: seed)
        let layout = shape.map { generate(symbols: symbols, shape: $0, using: &rng) } ?? generate(symbols: symbols, using: &rng)
        guard let architecture else { return layout }
        var modern = SeededRandom(seed: seed ^ ModernLayout.streamSalt)
        return ModernLayout.apply(layout, architecture: architecture, using: &modern)
    }
}
