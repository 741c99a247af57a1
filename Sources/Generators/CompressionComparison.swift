import Compressor

/// How closely one map compresses like another: the realism check of generated maps.
///
/// Both maps go through the same pipeline (`MapWriter.write`, then the era's generator with the
/// given options, by default v6.1 `--all-symbols`); the comparison reports the relative
/// deviation of the compression ratio and the total variation distance between the two token
/// length histograms (every used code, literals included, as `CompressionStatistics` counts them).
public struct CompressionComparison: Sendable {
    /// The real map's statistics.
    public var reference: CompressionStatistics
    /// The generated map's statistics.
    public var candidate: CompressionStatistics

    /// Compresses both maps.
    /// - Throws: `KallsymsError` when the era's generator refuses either map.
    public init(
        reference: [SymbolRecord], candidate: [SymbolRecord], era: Era = .v6_1,
        options: KallsymsOptions = KallsymsOptions(allSymbols: true), target: TargetABI = .arm32
    ) throws {
        self.reference = try Self.statistics(reference, era: era, options: options, target: target)
        self.candidate = try Self.statistics(candidate, era: era, options: options, target: target)
    }

    /// Compares already computed statistics.
    public init(reference: CompressionStatistics, candidate: CompressionStatistics) {
        self.reference = reference
        self.candidate = candidate
    }

    /// The statistics of one map through the pipeline described above.
    public static func statistics(
        _ records: [SymbolRecord], era: Era = .v6_1,
        options: KallsymsOptions = KallsymsOptions(allSymbols: true),
        target: TargetABI = .arm32
    ) throws -> CompressionStatistics {
        CompressionStatistics(run: try era.generate(MapWriter.write(records), options: options), target: target)
    }

    /// `candidate.ratio / reference.ratio − 1`: 0.015 means 1.5 % less compressible.
    public var ratioDeviation: Double {
        reference.ratio == 0 ? 0 : candidate.ratio / reference.ratio - 1
    }

    /// Total variation distance between the token length histograms (0 = same shape, 1 = disjoint).
    public var tokenLengthDistance: Double {
        Histogram(counts: reference.tokenLengthHistogram)
            .totalVariationDistance(to: Histogram(counts: candidate.tokenLengthHistogram))
    }

    /// The realism target of the generators: ratio within ±5 % and token length distance below 0.1.
    public var isRealistic: Bool {
        abs(ratioDeviation) <= 0.05 && tokenLengthDistance < 0.1
    }
}
