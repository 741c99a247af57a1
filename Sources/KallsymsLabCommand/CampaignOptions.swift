import Compressor
import Foundation
import Generators
import Harness
import LinkModel
import Synchronization

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
            OptionSpec("--text-size", value: "MIN-MAX", "With --arch: .text sizes drawn, in MiB (default 24-40 arm, 12-24 thumb2, 100-200 arm64)."),
            OptionSpec("--call-profile", value: "FILE", "With --arch: draw the calls from this profile ('profile --calls'; default: built in)."),
        ]
    }

    /// `--arch arm|thumb2|arm64` with `--text-size` and `--call-profile`, or nil.
    static func modern(_ arguments: ParsedArguments, io: CommandIO) throws -> ModernLayout.Options? {
        guard let text = arguments.value("--arch") else {
            for option in ["--text-size", "--call-profile"] where arguments.value(option) != nil {
                throw UsageError("\(option) goes with --arch")
            }
            return nil
        }
        guard let architecture = KernelArchitecture(rawValue: text) else {
            throw UsageError("unknown architecture \(text) (known: \(KernelArchitecture.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var options = ModernLayout.Options(architecture: architecture)
        if let sizes = arguments.value("--text-size") {
            options.textSizes = try textSizes(sizes, architecture: architecture)
        }
        if let path = arguments.value("--call-profile") {
            let bytes = try Files.read(path, io: io)
            let profile: CallProfile
            do {
                profile = try CallProfile(parsing: String(decoding: bytes, as: UTF8.self))
            } catch {
                throw CommandError("\(displayName(path)): \(error.description)")
            }
            let wanted: CallProfile.InstructionSet = architecture == .arm64 ? .arm64 : .arm
            guard profile.instructions == wanted else {
                throw UsageError("\(displayName(path)) profiles \(profile.instructions.rawValue) calls; --arch \(architecture) needs \(wanted.rawValue) ones")
            }
            options.calls = profile
        }
        return options
    }

    /// How a report names today's shape: `arch arm, .text 24-40 MiB, built-in armhf call profile`.
    static func describe(_ modern: ModernLayout.Options) -> String {
        let low = modern.textSizes.lowerBound >> 20, high = modern.textSizes.upperBound >> 20
        let profile =
            modern.calls == .armhf
            ? "built-in armhf call profile"
            : modern.calls == .arm64
                ? "built-in arm64 call profile"
                : "call profile of \(modern.calls.source.isEmpty ? "an unnamed kernel" : modern.calls.source)"
        return "arch \(modern.architecture), .text \(low == high ? "\(low)" : "\(low)-\(high)") MiB, \(profile)"
    }

    /// `MIN-MAX` or `SIZE` in MiB: the `.text` sizes `--arch` draws. A 32-bit image linked at
    /// 0xc0008000 keeps its `.text` under 512 MiB (room for the rest below 4 GiB), a 64-bit one
    /// under 4 GiB.
    static func textSizes(_ text: String, architecture: KernelArchitecture) throws -> ClosedRange<UInt64> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let limit: UInt64 = architecture == .arm64 ? 4096 : 512
        guard (1...2).contains(parts.count), let low = UInt64(parts[0]), let high = UInt64(parts.last!), low >= 1, low <= high, high < limit else {
            throw UsageError("--text-size takes MIN-MAX or SIZE in MiB, 1 ≤ MIN ≤ MAX < \(limit) for --arch \(architecture), not \(text)")
        }
        return low << 20...high << 20
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
final class CampaignProgress: Sendable {
    private let io: CommandIO
    private let configuration: Campaign.Configuration
    private let started = ContinuousClock.now
    /// The counts, and the lock that keeps one line from being drawn over another.
    private let counts = Mutex((cases: 0, failures: 0))
    private let timer = Mutex<DispatchSourceTimer?>(nil)

    init(io: CommandIO, configuration: Campaign.Configuration) {
        self.io = io
        self.configuration = configuration
    }

    func start() {
        timer.withLock { slot in
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "kallsyms-lab.progress"))
            timer.schedule(deadline: .now() + 1, repeating: 1)
            timer.setEventHandler { [weak self] in self?.draw() }
            timer.resume()
            slot = timer
        }
    }

    func caseFinished(_ result: CampaignCaseResult) {
        counts.withLock {
            $0.cases += 1
            if result.verdict.isFailure { $0.failures += 1 }
        }
        draw()
    }

    func draw() {
        counts.withLock { counts in
            let elapsed = Campaign.secondsSince(started)
            var line =
                "\r  \(counts.cases) cases, \(counts.failures) failures, "
                + String(format: "%.2f cases/s", Double(counts.cases) / max(elapsed, 1e-9))
            if let duration = configuration.duration {
                let left = max(0, duration.inSeconds - elapsed)
                line += left > 0 ? String(format: ", %d:%02d left", Int(left) / 60, Int(left) % 60) : ", finishing"
            }
            io.err(line + "\u{1B}[K")
        }
    }

    func clear() { counts.withLock { _ in io.err("\r\u{1B}[K") } }

    func stop() {
        timer.withLock {
            $0?.cancel()
            $0 = nil
        }
        clear()
    }
}

extension Campaign {
    /// Seconds since `instant`.
    static func secondsSince(_ instant: ContinuousClock.Instant) -> Double { (ContinuousClock.now - instant).inSeconds }
}
