/// Every uniform random draw the project makes, written out here rather than taken from the
/// standard library (`Int.random(in:using:)`, `shuffle(using:)`), whose algorithms are not
/// promised to stay the same: a seed must replay the same map, layout or case on every
/// toolchain. The generators, the property cases and the scenarios all draw through this type.
public enum RandomDraws {
    /// A uniform value in `0..<bound` (Lemire's multiply-and-reject; `bound` > 0).
    @inlinable @inline(__always)
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
    @inlinable @inline(__always)
    public static func index(_ count: Int, using rng: inout some RandomNumberGenerator) -> Int {
        Int(below(UInt64(count), using: &rng))
    }

    /// A uniform value in `range` (not empty).
    public static func value(in range: ClosedRange<Int>, using rng: inout some RandomNumberGenerator) -> Int {
        range.lowerBound + Int(below(UInt64(range.upperBound - range.lowerBound) + 1, using: &rng))
    }

    /// True with probability `numerator / denominator`.
    public static func chance(
        _ numerator: UInt64, in denominator: UInt64,
        using rng: inout some RandomNumberGenerator
    ) -> Bool {
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

    /// A value in `0..<bound` by modulo reduction (`bound` > 0): slightly biased for bounds that
    /// are not powers of two, and one draw always. Only the built-in scenarios use it: the
    /// kernel they describe was drawn this way, and its symbols are pinned by tests and
    /// documents. New code draws with `below(_:using:)`.
    public static func belowByModulo(_ bound: Int, using rng: inout some RandomNumberGenerator) -> Int {
        precondition(bound > 0, "empty range")
        return Int(rng.next() % UInt64(bound))
    }
}
