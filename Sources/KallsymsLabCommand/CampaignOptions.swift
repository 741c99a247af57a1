import Compressor
import Foundation
import Generators
import Harness
import LinkModel

/// Options `fuzz` and `mitigations` share.
enum CampaignOptions {
    /// `--jobs`, `--seed`, `--symbols`, `--shape`: which layouts, on how many threads.
    static func layoutSpecs(symbols: String) -> [OptionSpec] {
        [
            OptionSpec("--jobs", value: "N", "Worker threads (default: all cores)."),
            OptionSpec("--seed", value: "S", "Campaign seed, decimal or 0x hex (default: random, printed)."),
            OptionSpec("--symbols", value: "N", "Symbols per generated \(symbols) (default \(LayoutGenerator.armSized))."),
            OptionSpec(
                "--shape", value: "SHAPE",
                "Every layout in one shape, e.g. up-nm2012-pcpu4096-biased or smp-nm-pcpu32 (default: drawn per case)."),
            OptionSpec("--arch", value: "A", "arm, thumb2 or arm64: today's kernel shape, a big .text and calls from .init.text (default: none)."),
        ]
    }

    /// `--arch arm|thumb2|arm64`, or nil.
    static func architecture(_ arguments: ParsedArguments) throws -> KernelArchitecture? {
        guard let text = arguments.value("--arch") else { return nil }
        guard let architecture = KernelArchitecture(rawValue: text) else {
            throw UsageError("unknown architecture \(text) (known: \(KernelArchitecture.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return architecture
    }

    static func target(_ arguments: ParsedArguments) throws -> CampaignTarget {
        guard let text = arguments.value("--target") else { return .passConvergence }
        guard let target = CampaignTarget(rawValue: text) else {
            throw UsageError("unknown target \(text) (known: \(CampaignTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return target
    }

    /// The era flags given, or `--all-symbols` when none is.
    static func flags(_ arguments: ParsedArguments, era: Era) throws -> KallsymsOptions {
        let flags = ["--all-symbols", "--absolute-percpu", "--base-relative", "--pc-relative", "--symbol-prefix"]
        guard flags.contains(where: arguments.has) else { return KallsymsOptions(allSymbols: true) }
        return try EraArguments.options(arguments, era: era)
    }

    static func mitigations(_ arguments: ParsedArguments) throws -> [Mitigation] {
        try (arguments.values["--mitigation"] ?? []).map { text in
            guard let mitigation = Mitigation(parsing: text) else {
                throw UsageError("unknown mitigation \(text) (known: \(Mitigation.syntax.joined(separator: ", ")); K ≥ 2, B ≥ 1)")
            }
            return mitigation
        }
    }

    /// `--seed` (decimal or 0x hex), else a fresh random seed.
    static func seed(_ arguments: ParsedArguments) throws -> UInt64 {
        guard let text = arguments.value("--seed") else { return UInt64.random(in: 0...UInt64.max) }
        let value = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        guard let value else { throw UsageError("--seed takes a number (decimal or 0x hex), not \(text)") }
        return value
    }

    static func jobs(_ arguments: ParsedArguments) throws -> Int {
        try count(arguments, "--jobs") ?? ProcessInfo.processInfo.activeProcessorCount
    }

    static func shape(_ arguments: ParsedArguments) throws -> LayoutShape? {
        guard let text = arguments.value("--shape") else { return nil }
        guard let shape = LayoutShape(parsing: text) else {
            throw UsageError("unknown shape \(text) (up|smp-nm2012|nm-pcpuN[-biased], e.g. up-nm2012-pcpu4096-biased)")
        }
        return shape
    }

    /// A positive count, if given.
    static func count(_ arguments: ParsedArguments, _ name: String) throws -> Int? {
        guard let text = arguments.value(name) else { return nil }
        guard let value = Int(text), value > 0 else { throw UsageError("\(name) takes a positive number, not \(text)") }
        return value
    }

    /// A positive number of seconds, if given.
    static func seconds(_ arguments: ParsedArguments, _ name: String) throws -> Double? {
        guard let text = arguments.value(name) else { return nil }
        guard let value = Double(text), value > 0, value.isFinite else {
            throw UsageError("\(name) takes a positive number of seconds, not \(text)")
        }
        return value
    }
}

/// The live line of a campaign on a terminal's stderr, redrawn on every case and each second.
final class CampaignProgress: @unchecked Sendable {
    private let io: CommandIO
    private let configuration: Campaign.Configuration
    private let lock = NSLock()
    private let started = ContinuousClock.now
    private var cases = 0, failures = 0
    private var timer: DispatchSourceTimer?

    init(io: CommandIO, configuration: Campaign.Configuration) {
        self.io = io
        self.configuration = configuration
    }

    func start() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "kallsyms-lab.progress"))
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in self?.draw() }
        timer.resume()
        self.timer = timer
    }

    func caseFinished(_ result: CampaignCaseResult) {
        lock.withLock {
            cases += 1
            if result.verdict.isFailure { failures += 1 }
        }
        draw()
    }

    func draw() {
        lock.withLock {
            let elapsed = Campaign.secondsSince(started)
            var line = "\r  \(cases) cases, \(failures) failures, " + String(format: "%.2f cases/s", Double(cases) / max(elapsed, 1e-9))
            if let duration = configuration.duration {
                let left = max(0, duration.inSeconds - elapsed)
                line += left > 0 ? String(format: ", %d:%02d left", Int(left) / 60, Int(left) % 60) : ", finishing"
            }
            io.err(line + "\u{1B}[K")
        }
    }

    func clear() { lock.withLock { io.err("\r\u{1B}[K") } }

    func stop() {
        timer?.cancel()
        timer = nil
        clear()
    }
}

extension Campaign {
    /// Seconds since `instant`.
    static func secondsSince(_ instant: ContinuousClock.Instant) -> Double { (ContinuousClock.now - instant).inSeconds }
}
