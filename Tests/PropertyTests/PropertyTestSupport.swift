import Compressor
import Foundation
import Harness
import Testing

/// How the property tests run: a fixed seed and small case counts by default, so `swift test`
/// stays quick and reproducible; `KALLSYMS_LAB_SEED`, `KALLSYMS_LAB_CASES` and
/// `KALLSYMS_LAB_SECONDS` override them for long runs (`RunnerConfiguration.fromEnvironment`),
/// e.g. `KALLSYMS_LAB_CASES=20000 KALLSYMS_LAB_SECONDS=600 swift test --filter PropertyTests`.
enum PropertyTestRun {
    /// The default seed of every property test.
    static let seed: UInt64 = 0x2012

    /// A runner with these defaults, overridden by the environment.
    static func runner(cases: Int, shrinkSteps: Int = 3_000) -> PropertyRunner {
        let defaults = RunnerConfiguration(seed: seed, cases: cases, shrinkSteps: shrinkSteps, shrinkTimeBudget: .seconds(3_600))
        do {
            return PropertyRunner(try RunnerConfiguration.fromEnvironment(defaults: defaults))
        } catch {
            Issue.record("\(error)")
            return PropertyRunner(defaults)
        }
    }

    /// Runs a law and records a failure that carries everything needed to replay it.
    static func expectLawHolds(
        _ property: Property, era: Era, cases: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let testRunner = runner(cases: cases)
        let report = testRunner.run(property, era: era)
        let behavedAsExpected = report.behavedAsExpected
        #expect(behavedAsExpected, "\(explanation(of: report))", sourceLocation: sourceLocation)
        // Without a time budget the run must reach the case count it was asked for.
        if testRunner.configuration.timeBudget == nil {
            #expect(
                report.passed == report.casesAskedFor && report.stopReason == .caseCount,
                "\(explanation(of: report))", sourceLocation: sourceLocation)
        }
    }

    /// What a failing run reports: the seed, the shrunk counterexample and the replay command.
    static func explanation(of report: PropertyReport) -> String {
        var text =
            "\(report.property) in \(report.era): \(report.verdict) after \(report.casesRun) cases "
            + "(\(report.discarded) discarded, run seed \(RunnerConfiguration.format(seed: report.seed)), stopped by \(report.stopReason.rawValue))"
        if let counterexample = report.counterexample {
            text +=
                "\n\(counterexample.reason)\ncase seed \(RunnerConfiguration.format(seed: counterexample.caseSeed)), "
                + "shrunk from \(counterexample.original.map.count) to \(counterexample.shrunk.map.count) symbols:\n"
                + (report.caseFile?.description ?? "")
                + "replay: \(report.replayCommand() ?? "")"
        }
        return text
    }
}
