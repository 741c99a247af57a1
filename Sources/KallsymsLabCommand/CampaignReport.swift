import Compressor
import Foundation
import Generators
import Harness
import LinkModel

/// The summary of a `fuzz` run, as text and as JSON.
struct CampaignReport {
    let configuration: Campaign.Configuration
    let summary: Campaign.Summary
    let corpus: String
    let saved: [(path: String, finding: CampaignFinding)]

    /// `target pass-convergence, era v3.3 --all-symbols, seed 0x1, 107103 symbols per case, 2 jobs, 60 s`
    static func heading(_ configuration: Campaign.Configuration) -> String {
        var text = "target \(configuration.target), era \(configuration.era)"
        let flags = configuration.kallsyms.description
        if !flags.isEmpty { text += " \(flags)" }
        if !configuration.mitigations.isEmpty { text += ", mitigations " + configuration.mitigations.map(\.description).joined(separator: " ") }
        if let modern = configuration.modern { text += ", " + CampaignOptions.describe(modern) + ", \(configuration.modelRules) stub rules" }
        text += ", seed 0x\(String(configuration.seed, radix: 16)), \(configuration.symbols) symbols per case"
        text += ", shapes " + (configuration.shape?.description ?? "drawn per case")
        text += ", \(configuration.jobs) job\(configuration.jobs == 1 ? "" : "s")"
        if let duration = configuration.duration { text += String(format: ", %.0f s", duration.inSeconds) }
        if let cases = configuration.maximumCases { text += ", at most \(cases) cases" }
        return text
    }

    /// `107134 → 23 symbols, 14 → 5 sections, 412 shrink builds (exhausted: 1-minimal)`
    static func findingLine(_ finding: CampaignFinding) -> String {
        var text = "\(finding.originalSymbols) → \(finding.shrunkSymbols) symbols"
        if finding.originalSections > 0 { text += ", \(finding.originalSections) → \(finding.shrunkSections) sections" }
        text +=
            ", \(finding.shrinkSteps) shrink builds (\(finding.stopReason.rawValue)"
            + (finding.isOneMinimal ? ": 1-minimal)" : "; fuzz --shrink FILE continues)")
        switch finding.confirmation {
        case .notAsked: return text
        case .confirmed(let version): return text + "; confirmed by \(version)"
        case .modelDisagreement(let why): return text + "; NOT confirmed, a model disagreement: \(why)"
        }
    }

    private func rate(_ count: Int) -> String {
        summary.cases == 0 ? "" : String(format: " (%.1f %%)", Double(count) * 100 / Double(summary.cases))
    }

    func text() -> String {
        var lines = ["fuzz: " + Self.heading(configuration)]
        func add(_ label: String, _ value: String) { lines.append(label.padding(toLength: 18, withPad: " ", startingAt: 0) + value) }
        add("cases", "\(summary.cases)")
        add("failures", "\(summary.failures)" + rate(summary.failures))
        add("refused", "\(summary.refused)" + (summary.refused > 0 ? " (the generator refused a pass's input)" : ""))
        add("findings saved", "\(saved.count) in \(corpus)")
        add("elapsed", String(format: "%.1f s", summary.elapsedSeconds) + " (\(summary.stopReason.rawValue))")
        add("cases/s", String(format: "%.3f", summary.casesPerSecond))
        let unit = configuration.target.isBuildTarget ? "builds" : "checks"
        let work = configuration.target.isBuildTarget ? "build" : "check"
        add(
            "\(unit)/s",
            String(format: "%.3f", summary.buildsPerSecond)
                + " on \(configuration.jobs) job\(configuration.jobs == 1 ? "" : "s") (one thread: "
                + String(format: "%.2f", summary.buildsPerThreadSecond) + " \(unit)/s of \(work) time)")
        if summary.cases > 0 {
            let cases = Double(summary.cases)
            add(
                "per case",
                String(format: "generate %.3f s, ", summary.generateSeconds / cases) + work
                    + String(
                        format: " %.3f s (thread-seconds); %d symbols on average", summary.buildSeconds / cases,
                        summary.symbols / summary.cases))
        }
        if configuration.target.isBuildTarget {
            add(
                "passes",
                "\(summary.passes): \(summary.compressions) compressed from scratch, "
                    + "\(summary.passes - summary.compressions) reused an earlier pass's compression or tables")
        }
        add("shrinking", String(format: "%d builds, %.1f thread-seconds", summary.shrinkBuilds, summary.shrinkSeconds))
        for (path, finding) in saved { lines.append("  \(path): " + Self.findingLine(finding)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `--json` form (keys sorted; `shape` absent when drawn per case; rates of a run too
    /// short to measure are 0).
    struct JSONForm: Encodable {
        struct Finding: Encodable {
            var file: String, `case`: Int, seed: String, originalSymbols: Int, shrunkSymbols: Int
            var originalSections: Int, shrunkSections: Int, shrinkSteps: Int, shrinkStop: String, oneMinimal: Bool
            var reason: String
        }
        var target: String, era: String, flags: String, mitigations: [String], seed: String, symbols: Int
        var shape: String?
        var jobs: Int, cases: Int, failures: Int, refused: Int, elapsedSeconds: Double, stopReason: String
        var casesPerSecond: Double, buildsPerSecond: Double, buildsPerThreadSecond: Double
        var generateSeconds: Double, buildSeconds: Double, passes: Int, compressions: Int
        var shrinkBuilds: Int, shrinkSeconds: Double, corpus: String, findings: [Finding]
    }

    func json() throws -> String {
        func number(_ value: Double) -> Double { value.isFinite ? value : 0 }
        return try JSONOutput.encode(
            JSONForm(
                target: "\(configuration.target)", era: "\(configuration.era)", flags: configuration.kallsyms.description,
                mitigations: configuration.mitigations.map(\.description), seed: "0x" + String(configuration.seed, radix: 16),
                symbols: configuration.symbols, shape: configuration.shape?.description, jobs: configuration.jobs,
                cases: summary.cases, failures: summary.failures, refused: summary.refused,
                elapsedSeconds: number(summary.elapsedSeconds), stopReason: summary.stopReason.rawValue,
                casesPerSecond: number(summary.casesPerSecond), buildsPerSecond: number(summary.buildsPerSecond),
                buildsPerThreadSecond: number(summary.buildsPerThreadSecond), generateSeconds: number(summary.generateSeconds),
                buildSeconds: number(summary.buildSeconds), passes: summary.passes, compressions: summary.compressions,
                shrinkBuilds: summary.shrinkBuilds, shrinkSeconds: number(summary.shrinkSeconds), corpus: corpus,
                findings: saved.map { path, finding in
                    JSONForm.Finding(
                        file: path, case: finding.index, seed: "0x" + String(finding.seed, radix: 16),
                        originalSymbols: finding.originalSymbols, shrunkSymbols: finding.shrunkSymbols,
                        originalSections: finding.originalSections, shrunkSections: finding.shrunkSections,
                        shrinkSteps: finding.shrinkSteps, shrinkStop: finding.stopReason.rawValue,
                        oneMinimal: finding.isOneMinimal, reason: finding.caseFile.reason)
                }))
    }
}
