/// Counts of integer values (name lengths, group sizes, address gaps), as learned from a map.
///
/// In JSON it is an object from the decimal value to its count, e.g. `{"1": 103293, "2": 1554}`.
public struct Histogram: Hashable, Sendable, Codable {
    /// Value → number of times it was seen (only positive counts are kept).
    public private(set) var counts: [Int: Int]

    /// An empty histogram.
    public init() { counts = [:] }

    /// A histogram of `values`.
    public init<S: Sequence>(_ values: S) where S.Element == Int {
        counts = [:]
        for value in values { add(value) }
    }

    /// A histogram from explicit counts (non-positive counts are dropped).
    public init(counts: [Int: Int]) {
        self.counts = counts.filter { $0.value > 0 }
    }

    /// Counts `value` `times` more times.
    public mutating func add(_ value: Int, times: Int = 1) {
        guard times > 0 else { return }
        counts[value, default: 0] += times
    }

    /// The number of observations.
    public var total: Int { counts.values.reduce(0, +) }

    /// Whether nothing was observed.
    public var isEmpty: Bool { counts.isEmpty }

    /// The values seen, ascending.
    public var values: [Int] { counts.keys.sorted() }

    /// The mean of the observations (0 when empty).
    public var mean: Double {
        let total = total
        return total == 0 ? 0 : Double(counts.reduce(0) { $0 + $1.key * $1.value }) / Double(total)
    }

    /// The share of observations equal to `value`.
    public func fraction(_ value: Int) -> Double {
        let total = total
        return total == 0 ? 0 : Double(counts[value] ?? 0) / Double(total)
    }

    /// Total variation distance to `other`: half the sum of the absolute differences of the two
    /// normalised distributions; 0 for identical shapes, 1 for disjoint ones.
    public func totalVariationDistance(to other: Histogram) -> Double {
        let (totalA, totalB) = (Double(total), Double(other.total))
        guard totalA > 0, totalB > 0 else { return totalA == totalB ? 0 : 1 }
        let keys = Set(counts.keys).union(other.counts.keys)
        return keys.reduce(0.0) {
            $0 + abs(Double(counts[$1] ?? 0) / totalA - Double(other.counts[$1] ?? 0) / totalB)
        } / 2
    }

    /// Draw table over the values, weighted by count.
    var table: WeightedTable<Int> {
        WeightedTable(values.map { ($0, counts[$0]!) })
    }

    /// Reads the JSON form described on the type.
    public init(from decoder: Decoder) throws {
        let object = try [String: Int](from: decoder)
        var counts: [Int: Int] = [:]
        for (key, count) in object {
            guard let value = Int(key) else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "histogram key \"\(key)\" is not an integer"))
            }
            counts[value] = count
        }
        self.init(counts: counts)
    }

    /// Writes the JSON form described on the type.
    public func encode(to encoder: Encoder) throws {
        try Dictionary(uniqueKeysWithValues: counts.map { (String($0.key), $0.value) }).encode(to: encoder)
    }
}
