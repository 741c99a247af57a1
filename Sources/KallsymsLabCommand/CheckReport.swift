import Compressor
import Foundation
import Harness

/// The text and JSON forms of a `check` run.
struct CheckReport {
    struct Run {
        var report: PropertyReport
        /// Where the counterexample was saved, if it was.
        var savedAs: String?
    }

    var seed: UInt64
    var runs: [Run]

    /// Every run behaved as expected.
    var behavedAsExpected: Bool { runs.allSatisfy(\.report.behavedAsExpected) }

    /// The longest map a counterexample prints before it is cut.
    static let printedMapLines = 24

    func text() -> String {
        var rows = [["property", "era", "law", "cases", "passed", "failed", "discarded", "shrunk", "result"]]
        for run in runs {
            let report = run.report
            rows.append([
                report.property, report.era.rawValue, report.expectation == .holds ? "holds" : "fails",
                String(report.casesRun), String(report.passed), String(report.failed), String(report.discarded),
                report.counterexample.map { symbols($0.shrunk.map.count) } ?? "-", report.verdict,
            ])
        }
        var lines = TextTable.lines(rows) { (3...7).contains($0) }
        for run in runs where run.report.counterexample != nil {
            lines.append("")
            lines += counterexampleLines(run)
        }
        lines.append("")
        let unexpected = runs.filter { !$0.report.behavedAsExpected }
        if unexpected.isEmpty {
            lines.append("all \(runs.count) run\(runs.count == 1 ? "" : "s") behaved as expected")
        } else {
            lines.append(
                "\(unexpected.count) of \(runs.count) runs did not behave as expected: "
                    + unexpected.map { "\($0.report.property) \($0.report.era) (\($0.report.verdict))" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func counterexampleLines(_ run: Run) -> [String] {
        let report = run.report
        guard let counterexample = report.counterexample else { return [] }
        let shrunk = counterexample.shrunk
        let kind = report.expectation == .fails ? "counterexample (expected)" : "COUNTEREXAMPLE"
        var lines = [
            "\(report.property) \(report.era): \(kind), case \(counterexample.caseIndex), seed "
                + "\(RunnerConfiguration.format(seed: counterexample.caseSeed))",
            "  shrunk from \(size(counterexample.original)) to \(size(shrunk)): \(counterexample.shrinkImprovements) "
                + "improvements in \(counterexample.shrinkSteps) steps (stopped by \(counterexample.shrinkStopReason.rawValue))",
        ]
        lines.append("  \(counterexample.reason)")
        lines.append("  flags: " + (shrunk.options.description.isEmpty ? "(none)" : shrunk.options.description))
        if !shrunk.mutations.isEmpty {
            lines.append("  mutations:")
            lines += shrunk.mutations.map { "    \($0)" }
        }
        lines.append("  map:")
        let mapLines = String(decoding: MapWriter.write(shrunk.map), as: UTF8.self).split(separator: "\n")
        lines += mapLines.prefix(Self.printedMapLines).map { "    \($0)" }
        if mapLines.count > Self.printedMapLines {
            lines.append("    … \(mapLines.count - Self.printedMapLines) more (--save keeps the whole case)")
        }
        if let saved = run.savedAs { lines.append("  saved: \(saved)") }
        lines.append("  replay: \(report.replayCommand(savedAs: run.savedAs) ?? "")")
        return lines
    }

    func symbols(_ count: Int) -> String { "\(count) symbol\(count == 1 ? "" : "s")" }

    /// `3 symbols (340 name bytes)`.
    func size(_ propertyCase: PropertyCase) -> String {
        "\(symbols(propertyCase.map.count)) (\(propertyCase.map.reduce(0) { $0 + $1.name.count }) name bytes)"
    }

    /// The `--json` form (keys sorted; `counterexample` absent when none, `file` when not saved).
    struct JSONForm: Encodable {
        struct Counterexample: Encodable {
            var caseIndex: Int, caseSeed: String, reason: String, originalSymbols: Int, symbols: Int
            var shrinkSteps: Int, shrinkImprovements: Int, flags: String, mutations: [String], map: String
            var file: String?, replay: String
        }
        struct Run: Encodable {
            var property: String, era: String, expect: String
            var casesAskedFor: Int, cases: Int, passed: Int, failed: Int, discarded: Int
            var stopReason: String, result: String, asExpected: Bool, seconds: Double
            var counterexample: Counterexample?
        }
        var seed: String, asExpected: Bool, runs: [Run]
    }

    func json() throws -> String {
        try JSONOutput.encode(
            JSONForm(
                seed: RunnerConfiguration.format(seed: seed), asExpected: behavedAsExpected,
                runs: runs.map(runJSON)))
    }

    func runJSON(_ run: Run) -> JSONForm.Run {
        let report = run.report
        let counterexample = report.counterexample.map { counterexample in
            let shrunk = counterexample.shrunk
            return JSONForm.Counterexample(
                caseIndex: counterexample.caseIndex, caseSeed: RunnerConfiguration.format(seed: counterexample.caseSeed),
                reason: counterexample.reason, originalSymbols: counterexample.original.map.count, symbols: shrunk.map.count,
                shrinkSteps: counterexample.shrinkSteps, shrinkImprovements: counterexample.shrinkImprovements,
                flags: shrunk.options.description, mutations: shrunk.mutations.map(\.description),
                map: String(decoding: MapWriter.write(shrunk.map), as: UTF8.self), file: run.savedAs,
                replay: report.replayCommand(savedAs: run.savedAs) ?? "")
        }
        return JSONForm.Run(
            property: report.property, era: "\(report.era)", expect: report.expectation.rawValue,
            casesAskedFor: report.casesAskedFor, cases: report.casesRun, passed: report.passed, failed: report.failed,
            discarded: report.discarded, stopReason: report.stopReason.rawValue, result: report.verdict,
            asExpected: report.behavedAsExpected, seconds: (report.elapsed.inSeconds * 1000).rounded() / 1000,
            counterexample: counterexample)
    }
}
