import Randomness

/// How far apart consecutive distinct addresses lie in a region: the most common distances
/// exactly, the rest as power-of-two ranges with the alignment their members shared.
public struct GapModel: Hashable, Sendable, Codable {
    /// The most frequent distances (at most `commonLimit` of them) and their counts.
    public var common: Histogram
    /// Every other distance, by range.
    public var ranges: [GapRange]

    /// How many distinct distances are kept exactly.
    public static let commonLimit = 48

    public init(common: Histogram, ranges: [GapRange]) {
        self.common = common
        self.ranges = ranges
    }

    /// Learns from the distances between consecutive distinct addresses (all positive).
    public static func learn(_ gaps: [UInt64]) -> GapModel {
        var counts: [UInt64: Int] = [:]
        for gap in gaps where gap > 0 { counts[gap, default: 0] += 1 }
        // Exact values: the most frequent small ones (ties: the smaller distance first).
        let exact = counts.filter { $0.key <= UInt64(Int32.max) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(commonLimit)
        var common = Histogram()
        for (gap, count) in exact { common.add(Int(gap), times: count) }
        // The rest by bit width: count, sum, and how often each alignment (capped at 16) occurs.
        var byWidth: [Int: (count: Int, sum: UInt64, alignments: [UInt64: Int])] = [:]
        for (gap, count) in counts where gap > UInt64(Int32.max) || common.counts[Int(gap)] == nil {
            let width = 64 - gap.leadingZeroBitCount
            let alignment = min(16, UInt64(1) << UInt64(gap.trailingZeroBitCount))
            var entry = byWidth[width] ?? (0, 0, [:])
            entry.count += count
            entry.sum = entry.sum.addingReportingOverflow(gap.multipliedReportingOverflow(by: UInt64(count)).partialValue).partialValue
            entry.alignments[alignment, default: 0] += count
            byWidth[width] = entry
        }
        var ranges: [GapRange] = []
        for width in byWidth.keys.sorted() {
            let entry = byWidth[width]!
            let lower: UInt64 = 1 << UInt64(width - 1)
            let upper: UInt64 = width == 64 ? .max : (lower << 1) - 1
            // The most common alignment; ties to the smaller one.
            let alignment = entry.alignments.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
            let mean = min(upper, max(lower, entry.sum / UInt64(entry.count)))
            ranges.append(GapRange(lowerBound: lower, upperBound: upper, alignment: alignment, mean: mean, count: entry.count))
        }
        return GapModel(common: common, ranges: ranges)
    }

    /// The smallest distance the model can produce (4 for an empty model).
    public var smallest: UInt64 {
        let exact = common.values.first.map(UInt64.init)
        let ranged = ranges.map { Swift.max($0.lowerBound, $0.alignment) }.min()
        return [exact, ranged].compactMap { $0 }.min() ?? 4
    }

    /// The number of distances learned.
    public var total: Int { common.total + ranges.reduce(0) { $0 + $1.count } }
}

/// Distances in `lowerBound...upperBound` (one power-of-two octave): drawn uniformly from the
/// widest interval around `mean` that fits the octave, as multiples of `alignment`, so the
/// expected distance (hence a region's expected span) is the learned one.
public struct GapRange: Hashable, Sendable, Codable {
    /// The smallest distance of the octave.
    public var lowerBound: UInt64
    /// The largest distance of the octave (inclusive).
    public var upperBound: UInt64
    /// The most common power-of-two alignment (1 … 16) of the distances seen in the range.
    public var alignment: UInt64
    /// The mean of the distances seen in the range.
    public var mean: UInt64
    /// How many distances fell in the range.
    public var count: Int

    public init(lowerBound: UInt64, upperBound: UInt64, alignment: UInt64, mean: UInt64, count: Int) {
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.alignment = alignment
        self.mean = mean
        self.count = count
    }

    enum CodingKeys: String, CodingKey { case lowerBound, upperBound, alignment, mean, count }

    /// Reads the JSON form described on the type.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        lowerBound = try HexNumber.decode(container, .lowerBound)
        upperBound = try HexNumber.decode(container, .upperBound)
        alignment = try HexNumber.decode(container, .alignment)
        mean = try HexNumber.decode(container, .mean)
        count = try container.decode(Int.self, forKey: .count)
    }

    /// Writes the JSON form described on the type.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(HexNumber.text(lowerBound), forKey: .lowerBound)
        try container.encode(HexNumber.text(upperBound), forKey: .upperBound)
        try container.encode(HexNumber.text(alignment), forKey: .alignment)
        try container.encode(HexNumber.text(mean), forKey: .mean)
        try container.encode(count, forKey: .count)
    }
}

/// A `GapModel` compiled for drawing.
struct GapSampler: Sendable {
    private enum Choice: Sendable {
        case exact(UInt64)
        case range(GapRange)
    }

    private let table: WeightedTable<Choice>
    let smallest: UInt64

    init(_ model: GapModel) {
        var table = WeightedTable<Choice>()
        for gap in model.common.values { table.append(.exact(UInt64(gap)), weight: model.common.counts[gap]!) }
        for range in model.ranges { table.append(.range(range), weight: range.count) }
        self.table = table
        smallest = model.smallest
    }

    /// One distance, at least 1.
    func draw(using rng: inout some RandomNumberGenerator) -> UInt64 {
        guard !table.isEmpty else { return smallest }
        switch table.draw(using: &rng) {
        case .exact(let gap):
            return gap
        case .range(let range):
            let alignment = Swift.max(1, range.alignment)
            let mean = Swift.min(Swift.max(range.mean, range.lowerBound), range.upperBound)
            let half = Swift.min(mean - range.lowerBound, range.upperBound - mean)
            let low = mean - half
            let span = 2 * half  // fits: both ends lie inside one octave
            let value = low + (span == .max ? RandomDraws.below(span, using: &rng) : RandomDraws.below(span + 1, using: &rng))
            return Swift.max(alignment, value / alignment * alignment)
        }
    }
}
