import Compressor
import Foundation
import Harness
import Synchronization

enum CheckCommand {
    static let command = Subcommand(
        name: "check",
        summary: "Check the properties on random cases; find, shrink and save counterexamples.",
        usage: "check [--property NAME]… [--era E]… [--cases N] [--seconds T] [--seed S] [--shrink-steps N] [--save DIR] [--json]",
        discussion: """
            Runs each property in each era (default: all of both) on cases drawn from the seed:
            small random maps from the built-in ARM profile, with their flags and, for the
            invariance properties, one mutation. Each case has its own seed, derived from the run
            seed; case 0 is drawn from the run seed itself, so 'check --property P --era E --seed
            CASE_SEED --cases 1' draws a given case again. A run stops after N checked cases
            (discarded cases, outside the law, do not count), after T seconds, or, for a law, at the
            first failing case. The failing case (a law's first, an expected-to-fail property's
            smallest) is shrunk to a minimal counterexample and printed with its case seed and a
            replay command; --save writes it as a case file for 'kallsyms-lab replay'.

            properties (default cases):
              round-trip          decoding the tables and the .S gives back the kept symbols (100)
              determinism         the same input gives the same .S, byte for byte (100)
              engine-equivalence  the fast engine writes the reference engine's tables (50)
              reorder-invariance  reordering symbols at one address changes neither the size of
                                  kallsyms_names nor the token table (200)
              retype-invariance   retyping one kept symbol never changes the size of
                                  kallsyms_names; expected NOT to hold: a counterexample is the
                                  expected outcome (200)

            Without --seed, the seed comes from KALLSYMS_LAB_SEED, else a fresh one is drawn; it is
            printed first either way. KALLSYMS_LAB_CASES and KALLSYMS_LAB_SECONDS stand in for
            --cases and --seconds. --seconds is the budget of each property in each era. A live
            progress line goes to stderr when it is a terminal.

            Exit status: 0 when every property behaved as expected: every law held on every case
            it checked, checked at least one and was not stopped by the discard limit (GAVE UP),
            every expected-to-fail property found a counterexample; 1 otherwise, or when a case
            file cannot be written; 2 usage.

            examples:
              kallsyms-lab check
              kallsyms-lab check --property retype-invariance --era v6.1 --seed 0x2012 --save findings
              KALLSYMS_LAB_CASES=10000 kallsyms-lab check --property reorder-invariance --seconds 600
            """,
        options: [
            OptionSpec(
                "--property", value: "NAME", repeatable: true,
                "A property to check (repeatable; default: all of those above)."),
            OptionSpec("--era", value: "E", repeatable: true, "An era to check in (repeatable; default all five)."),
            OptionSpec("--cases", value: "N", "Cases to check per property and era (default: each property's own count)."),
            OptionSpec("--seconds", value: "T", "Time budget per property and era, in seconds (default: none)."),
            OptionSpec("--seed", value: "S", "Run seed, decimal or 0x-hex (default: KALLSYMS_LAB_SEED, else a fresh one)."),
            OptionSpec("--shrink-steps", value: "N", "Property checks allowed when shrinking one counterexample (default 3000)."),
            OptionSpec("--save", value: "DIR", "Write each counterexample to DIR as a case file (atomically)."),
            OptionSpec("--json", "Print one JSON object instead of the table."),
        ],
        positionals: 0...0,
        run: run)

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let properties = try (arguments.values["--property"] ?? Property.all.map(\.name)).map { name in
            guard let property = Property.named(name) else {
                throw UsageError("unknown property \(name) (known: \(Property.all.map(\.name).joined(separator: ", ")))")
            }
            return property
        }
        let eras = try (arguments.values["--era"] ?? Era.allCases.map(\.rawValue)).map { name in
            guard let era = Era(name: name) else {
                throw UsageError("unknown era \(name) (known: \(Era.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return era
        }
        var configuration = try self.configuration(arguments, io: io)
        if let text = arguments.value("--shrink-steps") {
            guard let steps = Int(text), steps >= 1 else { throw UsageError("--shrink-steps takes a positive count, not \(text)") }
            configuration.shrinkSteps = steps
        }
        let saveFolder = arguments.value("--save")
        if let saveFolder { try prepare(folder: saveFolder) }
        let json = arguments.has("--json")
        if !json { try io.out("seed \(RunnerConfiguration.format(seed: configuration.seed))\n") }

        let runner = PropertyRunner(configuration)
        let progress = io.standardErrorIsTerminal ? CheckProgress(io: io, runs: properties.count * eras.count) : nil
        var results: [CheckReport.Run] = []
        for property in properties {
            for era in eras {
                progress?.start(property: property.name, era: era)
                let report = runner.run(property, era: era) { progress?.update($0) }
                var saved: String?
                if let saveFolder, let file = report.caseFile, let name = report.caseFileName {
                    let path = (saveFolder as NSString).appendingPathComponent(name)
                    try Files.writeAtomically(Array(file.description.utf8), to: path, syncing: true)
                    saved = path
                }
                results.append(CheckReport.Run(report: report, savedAs: saved))
            }
        }
        progress?.finish()
        let check = CheckReport(seed: configuration.seed, runs: results)
        try io.out(json ? try check.json() + "\n" : check.text())
        return check.behavedAsExpected ? 0 : 1
    }

    /// Options first, then the environment (`RunnerConfiguration.fromEnvironment`), then a
    /// fresh seed: the only place a seed is ever picked.
    static func configuration(_ arguments: ParsedArguments, io: CommandIO) throws -> RunnerConfiguration {
        var system = SystemRandomNumberGenerator()
        var configuration: RunnerConfiguration
        do {
            configuration = try RunnerConfiguration.fromEnvironment(defaults: RunnerConfiguration(seed: system.next()))
        } catch let error as RunnerConfigurationError {
            throw UsageError(error.message)
        }
        if let text = arguments.value("--seed") {
            guard let seed = SeedArgument.parse(text) else {
                throw UsageError("--seed takes a 64-bit number (decimal or 0x-hex), not \"\(text)\"")
            }
            configuration.seed = seed
        }
        if let text = arguments.value("--cases") {
            guard let cases = Int(text), cases >= 0 else { throw UsageError("--cases takes a count, not \(text)") }
            configuration.cases = cases
        }
        if let text = arguments.value("--seconds") {
            guard let seconds = RunnerConfiguration.parseSeconds(text) else {
                throw UsageError("--seconds takes a number of seconds, not \(text)")
            }
            configuration.timeBudget = seconds
        }
        return configuration
    }

    /// Creates the --save folder when missing.
    static func prepare(folder: String) throws {
        if Files.isDirectory(folder) { return }
        guard !Files.exists(folder) else { throw CommandError("\(folder): not a directory") }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandError("\(folder): cannot create: \(error.localizedDescription)")
        }
    }
}

/// The live line on a terminal's stderr: which run, how many cases, shrink steps.
final class CheckProgress: Sendable {
    private let io: CommandIO
    private let runs: Int
    private let clock = ContinuousClock()
    private let state: Mutex<(run: Int, label: String, lastDrawn: ContinuousClock.Instant)>

    init(io: CommandIO, runs: Int) {
        self.io = io
        self.runs = runs
        state = Mutex((run: 0, label: "", lastDrawn: clock.now))
    }

    func start(property: String, era: Era) {
        let label = state.withLock { state in
            state.run += 1
            state.label = "[\(state.run)/\(runs)] \(property) \(era)"
            return state.label
        }
        draw { _ in "\(label): starting" }
    }

    func update(_ progress: PropertyRunner.Progress) {
        draw(force: false) { label in
            if let steps = progress.shrinkSteps { return "\(label): shrinking, \(steps) steps" }
            return "\(label): \(progress.casesRun)/\(progress.casesAskedFor) cases, \(progress.discarded) discarded"
        }
    }

    func finish() { io.err("\r\u{1B}[K") }

    /// At most 20 redraws a second, unless forced.
    private func draw(force: Bool = true, _ text: (String) -> String) {
        state.withLock { state in
            let now = clock.now
            guard force || now - state.lastDrawn >= .milliseconds(50) else { return }
            state.lastDrawn = now
            io.err("\r\u{1B}[K  " + text(state.label))
        }
    }
}
