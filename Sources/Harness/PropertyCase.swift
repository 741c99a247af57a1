import Compressor
import Generators

/// One input of a property: a map, the mutations applied to it, the era and its flags.
///
/// The map is what the generator reads before the mutations; properties that compare two
/// runs (reorder, retype) compare `map` with `mutatedMap()`, the others read `mutatedMap()`.
public struct PropertyCase: Hashable, Sendable {
    /// The `nm -n` map, in `nm -n` order.
    public var map: [SymbolRecord]
    /// The mutations, applied in order by `mutatedMap()`.
    public var mutations: [Mutation]
    /// The generator's era.
    public var era: Era
    /// The generator's flags (valid for `era`).
    public var options: KallsymsOptions

    public init(map: [SymbolRecord], mutations: [Mutation] = [], era: Era, options: KallsymsOptions = .init()) {
        self.map = map
        self.mutations = mutations
        self.era = era
        self.options = options
    }

    /// The map after every mutation.
    /// - Throws: the first `MutationError`.
    public func mutatedMap() throws -> [SymbolRecord] {
        try MutationList(mutations).apply(to: map)
    }

    /// Runs the era's generator on `records` written as `nm -n` text (so the era's parser reads
    /// them, as the kernel's does).
    /// - Throws: `KallsymsError` where the era's generator refuses the input.
    public func generate(_ records: [SymbolRecord], engine: CompressionEngine = .fast) throws -> KallsymsRun {
        try era.generate(MapWriter.write(records), options: options, engine: engine)
    }
}
