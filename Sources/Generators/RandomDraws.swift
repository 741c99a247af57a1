/// The few random draws the generators need, written out here rather than taken from the
/// standard library (`Int.random(in:using:)`, `shuffle(using:)`), whose algorithms are not
/// promised to stay the same: a seed must replay the same map on every toolchain.
public enum RandomDraws {
    /// A uniform value in `0..<bound` (Lemire's multiply-and-reject; `bound` > 0).
    @inline(__always)
    public static func below(_ bound: UInt64, using rng: inout some RandomNumberGenerator) -> UInt64 {
        precondition(bound > 0, "empty range")
        var product = rng.next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = rng.next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// A uniform index in `0..<count` (`count` > 0).
    @inline(__always)
    public static func index(_ count: Int, using rng: inout some RandomNumberGenerator) -> Int {
        Int(below(UInt64(count), using: &rng))
    }

    /// A uniform value in `range` (not empty).
    public static func value(in range: ClosedRange<Int>, using rng: inout some RandomNumberGenerator) -> Int {
        range.lowerBound + Int(below(UInt64(range.upperBound - range.lowerBound) + 1, using: &rng))
    }

    /// True with probability `numerator / denominator`.
    public static func chance(_ numerator: UInt64, in denominator: UInt64,
                       using rng: inout some RandomNumberGenerator) -> Bool {
        below(denominator, using: &rng) < numerator
    }

    /// Fisher–Yates, drawing from the last position down.
    public static func shuffle<T>(_ array: inout [T], using rng: inout some RandomNumberGenerator) {
        guard array.count > 1 else { return }
        for position in stride(from: array.count - 1, to: 0, by: -1) {
            let other = index(position + 1, using: &rng)
            if other != position { array.swapAt(position, other) }
        }
    }

    /// `count` distinct indices of `0..<population`, ascending (Floyd's algorithm).
    public static func sample(_ count: Int, of population: Int, using rng: inout some RandomNumberGenerator) -> [Int] {
        precondition(count <= population)
        var chosen = Set<Int>()
        for upper in (population - count)..<population {
            let candidate = index(upper + 1, using: &rng)
            chosen.insert(chosen.contains(candidate) ? upper : candidate)
        }
        return chosen.sorted()
    }
}

/// Elements with integer weights, drawn in O(log n) by a binary search over cumulative weights.
struct WeightedTable<Element> {
    private(set) var elements: [Element] = []
    private var cumulative: [UInt64] = []

    init() {}

    init<S: Sequence>(_ pairs: S) where S.Element == (Element, Int) {
        for (element, weight) in pairs { append(element, weight: weight) }
    }

    /// Adds an element; weights of zero or less are ignored.
    mutating func append(_ element: Element, weight: Int) {
        guard weight > 0 else { return }
        elements.append(element)
        cumulative.append((cumulative.last ?? 0) + UInt64(weight))
    }

    var isEmpty: Bool { elements.isEmpty }
    var totalWeight: UInt64 { cumulative.last ?? 0 }

    /// One element, with probability proportional to its weight (the table must not be empty).
    func draw(using rng: inout some RandomNumberGenerator) -> Element {
        let target = RandomDraws.below(totalWeight, using: &rng)
        // The first cumulative weight above `target`.
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return elements[low]
    }
}

extension WeightedTable: Sendable where Element: Sendable {}
