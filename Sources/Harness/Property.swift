import Compressor

/// A named check over a generated input that passes or fails with a reason.
///
/// A property is a value: its name (after the law it checks), whether the law is expected to
/// hold, the shape of its cases, how many it checks by default, and the check itself (a pure
/// function of the case). The built-in ones are `Property.all`; `check` and `replay` find them
/// by name.
///
/// Some laws are expected **not** to hold (`expectation == .fails`): for those, the runner
/// finding and shrinking a counterexample is the expected outcome, and a run that finds none
/// did not behave as expected.
public struct Property: Sendable, CustomStringConvertible {
    /// Whether the law is expected to hold.
    public enum Expectation: String, Hashable, Sendable {
        /// A law: every case must pass.
        case holds
        /// Expected not to hold: the runner must find a counterexample.
        case fails
    }

    /// The law's name, e.g. `round-trip`, `reorder-invariance`.
    public var name: String
    /// The law in one sentence.
    public var summary: String
    /// Whether the law is expected to hold.
    public var expectation: Expectation
    /// Which mutations its cases carry.
    public var shape: PropertyCase.Shape
    /// How many cases `check` runs when not told otherwise.
    public var defaultCases: Int
    private let law: @Sendable (PropertyCase) -> Verdict

    public init(
        name: String, summary: String, expectation: Expectation = .holds, shape: PropertyCase.Shape = .plain,
        defaultCases: Int = 100, law: @escaping @Sendable (PropertyCase) -> Verdict
    ) {
        self.name = name
        self.summary = summary
        self.expectation = expectation
        self.shape = shape
        self.defaultCases = defaultCases
        self.law = law
    }

    /// Checks one case. Deterministic: the same case always gives the same verdict.
    public func check(_ propertyCase: PropertyCase) -> Verdict { law(propertyCase) }

    /// The case this property checks for `seed` in `era` (`PropertyCase.draw` with its shape).
    public func draw(era: Era, seed: UInt64, maximumSymbols: Int = PropertyCase.defaultMaximumSymbols) -> PropertyCase {
        PropertyCase.draw(shape, era: era, seed: seed, maximumSymbols: maximumSymbols)
    }

    /// The name.
    public var description: String { name }

    /// The built-in properties, in the order `check` runs them.
    public static let all: [Property] = [.roundTrip, .determinism, .engineEquivalence, .reorderInvariance, .retypeInvariance]

    /// The built-in property called `name`.
    public static func named(_ name: String) -> Property? { all.first { $0.name == name } }
}
