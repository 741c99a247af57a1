import Compressor
import Foundation
import Generators
import Harness
import LinkModel
import Synchronization

enum FuzzCommand {
    static let command = Subcommand(
        name: "fuzz",
        summary: "Search generated ARM layouts for builds that break an invariant; shrink and save every failure.",
        usage: "fuzz [--era E] [era flags] [--target pass-convergence|size-stability|stub-stability|round-trip] [--seconds T] "
            + "[--cases N] [--jobs N] [--seed S] [--symbols N] [--shape SHAPE] [--arch A] [--text-size MIN-MAX] [--call-profile FILE] [--model-rules L] [--confirm L [--linker-option OPT]…] [--mitigation M]… [--corpus DIR] [--json]",
        discussion: """
            Each case generates a 32-bit ARM kernel layout (sections of the 3.3 linker script filled
            with symbols drawn from the built-in profile of a real armhf kernel; 107103 symbols by
            default) in a shape drawn per case: uniprocessor (empty per-cpu section) or SMP, 2012 nm
            letters (.init.* prints T) or current ones, per-cpu alignment, boundary bias (see
            --shape). It runs the era's multi-pass build and checks the target:
              pass-convergence  the build ends consistent (no "Inconsistent kallsyms data");
              size-stability    every pass's kallsyms object has the same size (pass 0 excluded);
              stub-stability    every pass keeps the same symbol names (branch stubs the tables
                                push out of range break it; pass 0 excluded);
              round-trip        a generated nm map compresses with both engines alike and its
                                tables and .S decode back to the kept symbols.
            Every failure is shrunk, big steps first (a fraction of every section's symbols, whole
            sections, then single symbols and items, smaller sizes, shorter names; each candidate is
            rebuilt and must fail the same way) until it is 1-minimal (no single symbol, item, size
            step or name cut can go) or a shrink budget ends it, and saved atomically as a case file
            TARGET-ERA-SEED.case in the corpus folder as soon as it is found (replay it with
            'kallsyms-lab replay FILE'; 'fuzz --shrink FILE' continues a shrink a budget ended).
            The default folder is Tests/Corpus/findings when run from the repository root, else
            ./findings.

            Era flags: --all-symbols when none is given (KALLSYMS_ALL, as the 2012 ARM builds); given
            flags replace it. --seed defaults to a random seed, printed; case i of seed S is always
            the same case. --seconds (default 60) bounds when cases start; a running case finishes
            and a finding's shrink keeps its own budget (--shrink-steps, --shrink-seconds).

            --arch arm|thumb2|arm64 draws today's shape instead (a .text of 24-40, 12-24 or 100-200
            MiB, or --text-size MIN-MAX; the target and link address of the architecture; calls from
            .init.text to .text across the kallsyms tables, drawn from a profile of a real kernel's
            calls, built in or --call-profile FILE from 'profile --calls'; docs/linkers.md, "Branch
            stubs"): with --target
            stub-stability it finds the branch stubs that multiply as the tables grow. The model
            follows --model-rules gnu|lld (saved in each finding's "rules:" line, so replay and
            --shrink use them), else the --confirm linker's, else GNU ld's.

            --confirm gnu|lld links each shrunk finding with that real linker (docs/linkers.md) and
            saves it, with the linker's version in its "confirmed:" line, only when it fails there the
            same way; when it does not, the original layout is tried, shrunk again keeping only
            candidates both the model and the linker fail, or saved under DIR/model-disagreements as a
            model error to fix. --linker-option OPT (repeatable) is given to each of its links, e.g.
            LLD's --pic-veneer. --nm chooses the letters (default: the era's own time).

            A live line on a terminal's stderr shows cases, failures, cases/s and the time left.
            Ctrl-C or SIGTERM stops drawing cases, ends a running shrink with the smallest failing
            layout so far, saves it, prints the summary and exits 0; a second one stops at once
            (a real link confirming a finding is not waited for). Exit status: 0 when the
            campaign ran (whatever it found: see the summary), 1 on an error (an unwritable
            corpus), 2 usage.

            examples:
              kallsyms-lab fuzz --era v3.3 --seconds 600 --jobs 2 --seed 1
              kallsyms-lab fuzz --era v3.3 --symbols 2000 --shape up-nm2012-pcpu4096-biased --seconds 30
              kallsyms-lab fuzz --era v6.1 --target size-stability --cases 20 --json
              kallsyms-lab fuzz --seed 1 --print-layout 7 > case7.layout
              kallsyms-lab simulate case7.layout --era v3.3 --all-symbols --repeat 5
              kallsyms-lab fuzz --era v3.3 --symbols 2000 --cases 50 --confirm gnu
              kallsyms-lab fuzz --era v3.3 --arch arm --target stub-stability --cases 4 --seed 1
            """,
        options: EraArguments.specs + [
            OptionSpec("--target", value: "T", "pass-convergence (default), size-stability, stub-stability or round-trip."),
            OptionSpec("--seconds", value: "T", "Start no case after T seconds (default 60)."),
            OptionSpec("--cases", value: "N", "Stop after N cases."),
        ] + CampaignOptions.layoutSpecs(symbols: "layout or map") + [
            OptionSpec("--mitigation", value: "M", repeatable: true, "Build with this mitigation too (as simulate takes it)."),
            OptionSpec("--corpus", value: "DIR", "Where findings are saved (default Tests/Corpus/findings or ./findings)."),
            OptionSpec("--shrink-steps", value: "N", "Builds one shrink may run (default 1000)."),
            OptionSpec("--shrink-seconds", value: "T", "Seconds one shrink may take (default 90)."),
            OptionSpec("--json", "Print the summary as one JSON object."),
            OptionSpec("--print-layout", value: "N", "Print the layout of case N (of --seed, --symbols, --shape) and exit."),
            OptionSpec("--shrink", value: "FILE", "Shrink a saved build case further (its target, era, flags and mitigations) and save it."),
            OptionSpec(
                "--confirm", value: "L", "gnu or lld: keep a finding only when that real linker fails the same way (others go to DIR/model-disagreements)."),
            LinkerArguments.optionSpec, LinkerArguments.nmSpec, LinkerArguments.rulesSpec,
        ],
        positionals: 0...0,
        run: { try run($0, $1, cancellation: CampaignCancellation()) })

    /// Runs the campaign; `cancellation` is also cancelled by SIGINT and SIGTERM.
    static func run(_ arguments: ParsedArguments, _ io: CommandIO, cancellation: CampaignCancellation) throws -> Int32 {
        let target = try CampaignOptions.target(arguments)
        let era = try EraArguments.era(arguments)
        var configuration = Campaign.Configuration(
            target: target, era: era, kallsyms: try CampaignOptions.flags(arguments, era: era),
            mitigations: try CampaignOptions.mitigations(arguments), seed: try CampaignOptions.seed(arguments),
            symbols: try CampaignOptions.count(arguments, "--symbols") ?? LayoutGenerator.armSized,
            shape: try CampaignOptions.shape(arguments), jobs: try CampaignOptions.jobs(arguments),
            maximumCases: try CampaignOptions.count(arguments, "--cases"),
            duration: .seconds(try CampaignOptions.seconds(arguments, "--seconds") ?? 60))
        configuration.shrinkSteps = try CampaignOptions.count(arguments, "--shrink-steps") ?? configuration.shrinkSteps
        if let seconds = try CampaignOptions.seconds(arguments, "--shrink-seconds") { configuration.shrinkDuration = .seconds(seconds) }
        configuration.letters = try LinkerArguments.letters(arguments)
        configuration.modern = try CampaignOptions.modern(arguments, io: io)
        configuration.rules = try LinkerArguments.rules(arguments, realOption: "--confirm")
        if let kind = try LinkerArguments.toolchainKind(arguments, option: "--confirm") {
            // Fail now, not at the first finding, when the tools are missing.
            _ = try LinkerArguments.toolchain(kind, target: configuration.architecture?.target ?? .arm32)
            configuration.confirmation = kind
        }
        configuration.linkerOptions = try LinkerArguments.linkerOptions(arguments, realOption: "--confirm")
        if let text = arguments.value("--print-layout") {
            guard let index = Int(text), index >= 0 else { throw UsageError("--print-layout takes a case number, not \(text)") }
            try io.out(Campaign(configuration).layout(ofCase: index).description)
            return 0
        }
        let corpus = arguments.value("--corpus") ?? defaultCorpus()
        do {
            try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        } catch {
            throw CommandError("\(corpus): cannot create the corpus folder: \(error.localizedDescription)")
        }
        if let path = arguments.value("--shrink") {
            return try shrink(path, configuration: configuration, corpus: corpus, io: io, cancellation: cancellation)
        }
        io.err("fuzz: \(CampaignReport.heading(configuration)); findings go to \(corpus)\n")

        let campaign = Campaign(configuration)
        let signals = SignalStop(cancellation)
        defer { signals.restore() }
        let progress = io.standardErrorIsTerminal ? CampaignProgress(io: io, configuration: configuration) : nil
        progress?.start()
        let saved = SavedFindings()
        let summary = campaign.run(cancellation: cancellation) { event in
            switch event {
            case .caseFinished(let result):
                progress?.caseFinished(result)
            case .finding(let finding):
                let path = savedPath(finding, corpus: corpus)
                do {
                    if case .modelDisagreement = finding.confirmation {
                        try FileManager.default.createDirectory(
                            atPath: corpus + "/model-disagreements",
                            withIntermediateDirectories: true)
                    }
                    try Files.writeAtomically(Array(finding.caseFile.description.utf8), to: path, syncing: true)
                    saved.append(path, finding)
                    progress?.clear()
                    io.err("fuzz: saved \(path): " + CampaignReport.findingLine(finding) + "\n")
                } catch {
                    saved.fail("\(error)")
                    cancellation.cancel()
                }
            }
        }
        progress?.stop()
        if let error = saved.error { throw CommandError(error) }
        if summary.stopReason == .cancelled { io.err("fuzz: stopped; every finding is saved\n") }
        let report = CampaignReport(configuration: configuration, summary: summary, corpus: corpus, saved: saved.paths)
        try io.out(arguments.has("--json") ? try report.json() + "\n" : report.text())
        return 0
    }

    /// `--shrink FILE`: the saved case's layout shrunk again with this run's budgets.
    static func shrink(
        _ path: String, configuration base: Campaign.Configuration, corpus: String, io: CommandIO,
        cancellation: CampaignCancellation
    ) throws -> Int32 {
        let saved = try withInput(path, io: io) { try CaseFile(parsing: String(decoding: $0, as: UTF8.self)) }
        guard saved.kind == .build, let layout = saved.layout,
            let target = saved.target.flatMap(CampaignTarget.init(rawValue:)), target.isBuildTarget
        else {
            throw CommandError("\(path): not a build case with a layout and a build target")
        }
        var configuration = base
        configuration.target = target
        configuration.era = saved.era
        configuration.kallsyms = saved.options
        configuration.letters = saved.letters ?? configuration.letters
        configuration.rules = saved.rules ?? configuration.rules
        configuration.mitigations = try saved.mitigations.map { text in
            guard let mitigation = Mitigation(parsing: text) else { throw CommandError("\(path): unknown mitigation \(text)") }
            return mitigation
        }
        let signals = SignalStop(cancellation)
        defer { signals.restore() }
        guard let finding = Campaign(configuration).shrink(layout, seed: saved.seed ?? 0, cancellation: cancellation) else {
            throw CommandError("\(path): the layout does not fail \(target) (era \(saved.era) \(saved.options))", status: 1)
        }
        let output = savedPath(finding, corpus: corpus)
        if case .modelDisagreement = finding.confirmation {
            try FileManager.default.createDirectory(atPath: corpus + "/model-disagreements", withIntermediateDirectories: true)
        }
        try Files.writeAtomically(Array(finding.caseFile.description.utf8), to: output, syncing: true)
        try io.out("fuzz: saved \(output): " + CampaignReport.findingLine(finding) + "\n")
        return 0
    }

    /// Where a finding is saved: the corpus, or its `model-disagreements` folder when the
    /// confirming linker builds it without the failure (a model error to fix, not a finding).
    static func savedPath(_ finding: CampaignFinding, corpus: String) -> String {
        if case .modelDisagreement = finding.confirmation { return corpus + "/model-disagreements/" + finding.fileName }
        return corpus + "/" + finding.fileName
    }

    /// `Tests/Corpus/findings` in a checkout's root (a `Package.swift` beside `Tests/Corpus`), else `./findings`.
    static func defaultCorpus() -> String {
        Files.exists("Package.swift") && Files.isDirectory("Tests/Corpus") ? "Tests/Corpus/findings" : "findings"
    }
}

/// The findings saved so far (written from the campaign's event calls, read at the end).
final class SavedFindings: Sendable {
    private let state = Mutex((list: [(path: String, finding: CampaignFinding)](), firstError: String?.none))

    func append(_ path: String, _ finding: CampaignFinding) { state.withLock { $0.list.append((path, finding)) } }
    func fail(_ error: String) { state.withLock { $0.firstError = $0.firstError ?? error } }
    var paths: [(path: String, finding: CampaignFinding)] { state.withLock { $0.list } }
    var error: String? { state.withLock { $0.firstError } }
}

/// SIGINT and SIGTERM cancel a campaign instead of killing the process, until `restore()`. A
/// second signal, while a real link confirms a finding or the summary is written, ends the
/// process at once (status 128 + the signal's number, as a shell reports a kill).
final class SignalStop: Sendable {
    private static let signals: [Int32] = [SIGINT, SIGTERM]
    private let sources: Mutex<[DispatchSourceSignal]>

    init(_ cancellation: CampaignCancellation) {
        let queue = DispatchQueue(label: "kallsyms-lab.signals")
        var sources: [DispatchSourceSignal] = []
        for number in Self.signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                guard Self.endsAtOnce(signals: Int(source.data), cancellation) else { return }
                let message = "kallsyms-lab: stopped by a second signal\n"
                _ = message.withCString { write(2, $0, strlen($0)) }
                _exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
        self.sources = Mutex(sources)
    }

    /// What `signals` more signals (a dispatch source may deliver several at once) do: the
    /// first cancels the campaign; whether the process must end at once (a second one).
    static func endsAtOnce(signals: Int, _ cancellation: CampaignCancellation) -> Bool {
        let again = cancellation.isCancelled || signals > 1
        cancellation.cancel()
        return again
    }

    func restore() {
        sources.withLock { sources in
            for source in sources { source.cancel() }
            sources = []
        }
        for number in Self.signals { signal(number, SIG_DFL) }
    }
}
