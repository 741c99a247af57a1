import Compressor
import Foundation

/// How a property run draws and shrinks its cases: the seed, the case count, the time budget
/// and the shrink budget.
///
/// The environment overrides the defaults (`fromEnvironment`), so `swift test` and a long run
/// use the same code:
///
/// | variable | meaning | example |
/// |---|---|---|
/// | `KALLSYMS_LAB_SEED` | the run seed, decimal or `0x` hexadecimal | `KALLSYMS_LAB_SEED=0x2a` |
/// | `KALLSYMS_LAB_CASES` | cases to check per property and era | `KALLSYMS_LAB_CASES=5000` |
/// | `KALLSYMS_LAB_SECONDS` | time budget per property and era, in seconds (decimals allowed) | `KALLSYMS_LAB_SECONDS=60` |
///
/// A run stops at whichever comes first: the case count, the time budget, or a failing case.
public struct RunnerConfiguration: Hashable, Sendable {
    /// The run seed: case 0 is drawn from it, case k ≥ 1 from `PropertyRunner.caseSeed(run:index:)`.
    public var seed: UInt64
    /// Cases to check (passed or failed; discards do not count); nil: the property's `defaultCases`.
    public var cases: Int?
    /// Stop drawing cases after this long (checked before each case); nil: no limit.
    public var timeBudget: Duration?
    /// `Shrinker.maximumSteps`: property checks while shrinking one failure.
    public var shrinkSteps: Int
    /// `Shrinker.maximumDuration`.
    public var shrinkTimeBudget: Duration
    /// The largest map `PropertyCase.draw` draws (before an equal-address group is added).
    public var maximumSymbols: Int
    /// Give up after this many discarded cases per case asked for (QuickCheck's discard ratio).
    public var discardRatio: Int

    public init(
        seed: UInt64, cases: Int? = nil, timeBudget: Duration? = nil, shrinkSteps: Int = 3_000,
        shrinkTimeBudget: Duration = .seconds(20), maximumSymbols: Int = PropertyCase.defaultMaximumSymbols,
        discardRatio: Int = 10
    ) {
        self.seed = seed
        self.cases = cases
        self.timeBudget = timeBudget
        self.shrinkSteps = shrinkSteps
        self.shrinkTimeBudget = shrinkTimeBudget
        self.maximumSymbols = maximumSymbols
        self.discardRatio = discardRatio
    }

    /// The variable that sets `seed`.
    public static let seedVariable = "KALLSYMS_LAB_SEED"
    /// The variable that sets `cases`.
    public static let casesVariable = "KALLSYMS_LAB_CASES"
    /// The variable that sets `timeBudget`.
    public static let secondsVariable = "KALLSYMS_LAB_SECONDS"

    /// `defaults` with whatever `KALLSYMS_LAB_SEED`, `KALLSYMS_LAB_CASES` and
    /// `KALLSYMS_LAB_SECONDS` set in `environment` (empty values are ignored).
    /// - Throws: `RunnerConfigurationError` naming the variable when a value does not
    ///   parse: a typo must not quietly run the default.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        defaults: RunnerConfiguration
    ) throws -> RunnerConfiguration {
        var configuration = defaults
        if let text = value(seedVariable, environment) {
            guard let seed = parseSeed(text) else {
                throw RunnerConfigurationError("\(seedVariable)=\(text): expected a decimal or 0x-hexadecimal 64-bit seed")
            }
            configuration.seed = seed
        }
        if let text = value(casesVariable, environment) {
            guard let cases = Int(text), cases >= 0 else {
                throw RunnerConfigurationError("\(casesVariable)=\(text): expected a count of cases")
            }
            configuration.cases = cases
        }
        if let text = value(secondsVariable, environment) {
            guard let seconds = parseSeconds(text) else {
                throw RunnerConfigurationError("\(secondsVariable)=\(text): expected seconds, e.g. 60 or 2.5")
            }
            configuration.timeBudget = seconds
        }
        return configuration
    }

    /// `42`, `0x2a`, `0X2A`; nil when not a 64-bit value.
    public static func parseSeed(_ text: String) -> UInt64? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
        return UInt64(text)
    }

    /// `60`, `2.5`, `0`; nil when negative or not a number.
    public static func parseSeconds(_ text: String) -> Duration? {
        guard let value = Double(text), value.isFinite, value >= 0, value < 1e9 else { return nil }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// `0x2a`: how seeds are printed.
    public static func format(seed: UInt64) -> String { "0x" + String(seed, radix: 16) }

    private static func value(_ name: String, _ environment: [String: String]) -> String? {
        guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }
}

/// An environment variable of the property runner whose value does not parse.
public typealias RunnerConfigurationError = FormatError<RunnerConfiguration>
