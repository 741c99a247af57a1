import Compressor
import Generators
import Randomness
import TestSupport

/// Data shared by the generator tests, computed once per test process.
enum Fixtures {
    /// The armhf System.map's records, parsed as the generator commands parse maps.
    static let armRecords: [SymbolRecord] = {
        // The corpus map is well-formed (CompressorTests check it); a failure here is a broken checkout.
        try! Era.v6_19.parse(Corpus.armhfMap).records
    }()

    /// The generator for the built-in profile.
    static let armGenerator = SymbolSetGenerator(profile: .arm)

    /// A generated map of `count` symbols for `seed`.
    static func map(_ count: Int, seed: UInt64) -> [SymbolRecord] {
        var rng = SeededRandom(seed: seed)
        return armGenerator.generate(symbols: count, using: &rng)
    }

    /// A full-size generated map (as many symbols as the armhf map), seed 1.
    static let fullSizeMap: [SymbolRecord] = map(Profile.arm.symbolCount, seed: 1)

    /// Records from `address type name` lines.
    static func records(_ lines: [(UInt64, Character, String)]) -> [SymbolRecord] {
        lines.map { SymbolRecord($0.0, $0.1, $0.2) }
    }
}
