/// A seeded, splittable pseudo-random number generator: SplitMix64.
///
/// The algorithm is Steele, Lea and Flood's SplitMix64 ("Fast splittable pseudorandom number
/// generators", OOPSLA 2014), as in `java.util.SplittableRandom`: the state advances by the odd
/// constant γ = 0x9E3779B97F4A7C15 and each output is the state passed through Stafford's
/// "Mix13" finalizer. Its whole state is one `UInt64`, so a case is replayed by printing
/// `state` and rebuilding the generator with `init(state:)`.
///
/// Independent streams come in two flavours:
/// - `derived(_:)` names a child stream by a label or an index **without drawing** from the
///   parent, so code that derives `"names"` and `"addresses"` from one generator gets the same
///   two streams however many values either of them draws (STYLE point 6);
/// - `split()` draws one value from the parent and returns a child seeded from it, for loops
///   that need a fresh stream per iteration.
///
/// Children are seeded through the finalizer, never with the parent's state plus a constant,
/// so a child's outputs are not a shifted copy of the parent's. This is not a cryptographic
/// generator.
public struct SeededRandom: RandomNumberGenerator, Sendable, Hashable, Codable,
    CustomStringConvertible
{
    /// SplitMix64's increment (the golden ratio in 64-bit fixed point, odd).
    @usableFromInline static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The whole state. Save it to replay the stream from this point on.
    public var state: UInt64

    /// A generator whose first output is SplitMix64's first output for `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// A generator that continues from a saved `state`.
    public init(state: UInt64) {
        self.state = state
    }

    /// The next 64 random bits. (Inlinable, as `RandomDraws`' draws are: the generators in other
    /// modules draw millions of times per ARM-sized population.)
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= Self.gamma
        return Self.mix(state)
    }

    /// A child stream named by `label`; the parent is not advanced.
    ///
    /// The same parent state and label always give the same child; different labels give
    /// unrelated streams (the label is hashed with 64-bit FNV-1a, then mixed with the state).
    public func derived(_ label: String) -> SeededRandom {
        derived(Self.fnv1a(label))
    }

    /// A child stream named by `index` (e.g. a region or case number); the parent is not advanced.
    public func derived(_ index: UInt64) -> SeededRandom {
        SeededRandom(seed: Self.mix(state ^ Self.mix(index &+ Self.gamma)))
    }

    /// Draws one value and returns a child stream seeded from it (the parent advances by one).
    public mutating func split() -> SeededRandom {
        SeededRandom(seed: Self.mix(next() ^ 0x6A09_E667_F3BC_C909))
    }

    /// `SeededRandom(state: 0x…)`: what `init(state:)` needs to replay.
    public var description: String {
        "SeededRandom(state: 0x" + String(state, radix: 16) + ")"
    }

    /// Stafford's Mix13 finalizer: a bijection of 64-bit values with good avalanche.
    @inlinable @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64-bit FNV-1a of the label's UTF-8 bytes (stable across runs, unlike `Hasher`).
    static func fnv1a(_ label: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in label.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

extension SeededRandom {
    /// A generator seeded from one draw of any other generator (the caller's stream advances
    /// by exactly one value). Library entry points that take `inout some RandomNumberGenerator`
    /// use this to derive their labelled child streams.
    public init(drawingFrom source: inout some RandomNumberGenerator) {
        self.init(seed: source.next())
    }
}
