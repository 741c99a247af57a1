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
        let flags = configuration.generator.description
        if !flags.isEmpty { text += " \(flags)" }
        if !configuration.mitigations.isEmpty { text += ", mitigations " + configuration.mitigations.map(\.description).joined(separator: " ") }
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
        text += ", \(finding.shrinkSteps) shrink builds (\(finding.stopReason.rawValue)"
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
        add("\(unit)/s", String(format: "%.3f", summary.buildsPerSecond)
            + " on \(configuration.jobs) job\(configuration.jobs == 1 ? "" : "s") (one thread: "
            + String(format: "%.2f", summary.buildsPerThreadSecond) + " \(unit)/s of \(work) time)")
        if summary.cases > 0 {
            let cases = Double(summary.cases)
            add("per case", String(format: "generate %.3f s, ", summary.generateSeconds / cases) + work
                + String(format: " %.3f s (thread-seconds); %d symbols on average", summary.buildSeconds / cases,
                         summary.symbols / summary.cases))
        }
        if configuration.target.isBuildTarget {
            add("passes", "\(summary.passes): \(summary.compressions) compressed from scratch, "
                + "\(summary.passes - summary.compressions) reused an earlier pass's compression or tables")
        }
        add("shrinking", String(format: "%d builds, %.1f thread-seconds", summary.shrinkBuilds, summary.shrinkSeconds))
        for (path, finding) in saved { lines.append("  \(path): " + Self.findingLine(finding)) }
        return lines.joined(separator: "\n") + "\n"
    }

    func json() -> String {
        func number(_ value: Double) -> String { value.isFinite ? String(format: "%.6g", value) : "0" }
        var out = "{\"target\":\"\(configuration.target)\",\"era\":\"\(configuration.era)\","
        out += "\"flags\":\(JSON.string(configuration.generator.description)),"
        out += "\"mitigations\":[" + configuration.mitigations.map { JSON.string($0.description) }.joined(separator: ",") + "],"
        out += "\"seed\":\"0x\(String(configuration.seed, radix: 16))\",\"symbols\":\(configuration.symbols),"
        out += "\"shape\":" + (configuration.shape.map { JSON.string($0.description) } ?? "null") + ","
        out += "\"jobs\":\(configuration.jobs),\"cases\":\(summary.cases),\"failures\":\(summary.failures),"
        out += "\"refused\":\(summary.refused),\"elapsedSeconds\":\(number(summary.elapsedSeconds)),"
        out += "\"stopReason\":\"\(summary.stopReason.rawValue)\",\"casesPerSecond\":\(number(summary.casesPerSecond)),"
        out += "\"buildsPerSecond\":\(number(summary.buildsPerSecond)),"
        out += "\"buildsPerThreadSecond\":\(number(summary.buildsPerThreadSecond)),"
        out += "\"generateSeconds\":\(number(summary.generateSeconds)),\"buildSeconds\":\(number(summary.buildSeconds)),"
        out += "\"passes\":\(summary.passes),\"compressions\":\(summary.compressions),"
        out += "\"shrinkBuilds\":\(summary.shrinkBuilds),\"shrinkSeconds\":\(number(summary.shrinkSeconds)),"
        out += "\"corpus\":\(JSON.string(corpus)),\"findings\":["
        out += saved.map { path, finding in
            "{\"file\":\(JSON.string(path)),\"case\":\(finding.index),\"seed\":\"0x\(String(finding.seed, radix: 16))\","
                + "\"originalSymbols\":\(finding.originalSymbols),\"shrunkSymbols\":\(finding.shrunkSymbols),"
                + "\"originalSections\":\(finding.originalSections),\"shrunkSections\":\(finding.shrunkSections),"
                + "\"shrinkSteps\":\(finding.shrinkSteps),\"shrinkStop\":\"\(finding.stopReason.rawValue)\","
                + "\"oneMinimal\":\(finding.isOneMinimal),"
                + "\"reason\":\(JSON.string(finding.caseFile.reason))}"
        }.joined(separator: ",")
        return out + "]}"
    }
}
