import Randomness

/// Elements with integer weights, drawn in O(log n) by a binary search over cumulative weights.
struct WeightedTable<Element> {
    private(set) var elements: [Element] = []
    private var cumulative: [UInt64] = []
    /// The running sums of the weights (`FlatTables` copies them).
    var cumulativeWeights: [UInt64] { cumulative }

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
