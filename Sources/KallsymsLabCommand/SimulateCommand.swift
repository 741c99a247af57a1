import Compressor
import Foundation
import Generators
import LinkModel
import RealLink

enum SimulateCommand {
    static let command = Subcommand(
        name: "simulate",
        summary: "Run an era's multi-pass vmlinux build on a layout and report each pass and the outcome.",
        usage: "simulate (LAYOUT_FILE | --scenario NAME) [--era E] [era flags] [--mitigation M]… "
            + "[--linker L [--linker-option OPT]…] [--limit N] [--json] [--repeat N] | --list-scenarios | --print-layout",
        discussion: """
            Links the layout (a file in the layout text form, - for standard input, or a named scenario)
            the way the era's build links vmlinux (docs/behaviour.md §8): v3.3 two passes (a third with
            KALLSYMS_EXTRA_PASS), v5.10/v6.1 a third pass by itself when the kallsyms object changed
            size, v6.19/v7.0 a pass 0 with empty tables first. Each pass runs the era's generator on
            what that era feeds it and links the next image with the result; the final check compares
            System.map with the map the last tables came from.

            For every pass it prints the table sizes and the symbols whose letter, order or address
            changed since the previous pass (at most --limit of each, with a count), then why the
            build failed and the outcome.

            A scenario brings its era and flags (the 2012 ones: v3.3 --all-symbols) unless --era or an
            era flag is given, in which case exactly the options given apply. A layout file builds
            with v7.0 and no flags unless told otherwise.

            Mitigations (repeatable): extra-pass (KALLSYMS_EXTRA_PASS=1), fixed-point=K (link until the
            object repeats, at most K passes; cycles are reported), pad=B (each table padded to a
            multiple of B bytes), uncompressed-type (the type byte stored raw, out of the
            compression), reuse-tokens (pass 1's token table encodes the later passes),
            ignore=PREFIX (the era's name filter drops names starting with PREFIX: a linker's stub
            names, as kernels fix it; scripts/kallsyms' list up to v6.1, mksysmap's from v6.12).

            --linker gnu or lld links every image with a real toolchain instead of the model: the layout
            becomes an assembly file and a linker script, each pass's .S is assembled, the image linked
            and its nm -n map read back (docs/linkers.md). GNU needs Debian's binutils-arm-linux-gnueabihf
            (or binutils-aarch64-linux-gnu for arm64 layouts); LLD is the Swift toolchain's ld.lld, clang
            and llvm-nm. --compare-model lists, per image, the lines where the model's map differs.
            --linker-option OPT (repeatable) is given to every real link, e.g. LLD's --pic-veneer,
            which names its thunks __ARMV7PILongThunk_… (in v6.1's ignore list); the model does not
            follow such options.
            --nm chooses the letters: 2012 (binutils before 2.24: a section named .init* prints T) or
            modern (by the section's flags); each era defaults to the nm of its time (v3.3: 2012).

            Exit status: 0 consistent, 3 "Inconsistent kallsyms data", 1 error (unreadable or malformed
            layout, FILE:LINE: message; a pass the generator refuses), 2 usage.

            examples:
              kallsyms-lab simulate --scenario arm-2012-up --era v3.3 --all-symbols
              kallsyms-lab simulate --scenario arm-2012-up --mitigation extra-pass
              kallsyms-lab simulate --scenario arm-2012-up --era v5.10 --all-symbols --kallsyms-extra-pass 0
              kallsyms-lab simulate --scenario arm-2012-up --print-layout > up.layout
              kallsyms-lab simulate up.layout --era v6.1 --all-symbols --mitigation fixed-point=6 --json
              kallsyms-lab simulate --scenario arm-large --repeat 5
              kallsyms-lab simulate --scenario arm-2012-up --linker gnu --compare-model
            """,
        options: EraArguments.specs + [
            EraArguments.engineSpec,
            OptionSpec("--scenario", value: "NAME", "Build a named scenario instead of a layout file."),
            OptionSpec("--list-scenarios", "List the named scenarios and exit."),
            OptionSpec("--print-layout", "Print the layout's text form and exit."),
            OptionSpec(
                "--mitigation", value: "M", repeatable: true,
                "extra-pass, fixed-point=K, pad=B, uncompressed-type, reuse-tokens or ignore=PREFIX (repeatable)."),
            OptionSpec(
                "--kallsyms-extra-pass", value: "V",
                "The environment's KALLSYMS_EXTRA_PASS (v3.3: set and not 0; later eras: any non-empty value)."),
            OptionSpec("--limit", value: "N", "Show at most N changed symbols of each kind per pass (default 12)."),
            OptionSpec("--json", "Print one JSON object instead of the report."),
            OptionSpec(
                "--write-maps", value: "DIR",
                "Write each pass's nm -n map (DIR/.tmp_vmlinuxN.map, DIR/vmlinux.map) for 'explain'."),
            OptionSpec("--repeat", value: "N", "Time N more builds (fresh caches, then a shared cache) and print builds/s on stderr."),
        ] + LinkerArguments.specs + [
            LinkerArguments.compareSpec,
            LinkerArguments.optionSpec,
        ],
        positionals: 0...1,
        run: run)

    /// Writes the map of every linked image, named after the image, atomically.
    static func writeMaps(_ result: BuildResult, to directory: String) throws {
        if !Files.isDirectory(directory) {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw CommandError("\(directory): cannot create the folder: \(error.localizedDescription)")
            }
        }
        for pass in result.passes {
            guard let image = pass.image else { continue }
            try Files.writeAtomically(pass.map.text(), to: "\(directory)/\(image).map")
        }
        if let vmlinux = result.vmlinux { try Files.writeAtomically(vmlinux.text(), to: "\(directory)/vmlinux.map") }
    }

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        if arguments.has("--list-scenarios") {
            let width = (Scenario.all.map(\.name.count).max() ?? 0) + 2
            for scenario in Scenario.all {
                try io.out(scenario.name.padding(toLength: width, withPad: " ", startingAt: 0) + scenario.summary + "\n")
            }
            return 0
        }
        let (layout, scenario, source) = try input(arguments, io: io)
        if arguments.has("--print-layout") {
            try io.out(layout.description)
            return 0
        }
        let options = try buildOptions(arguments, scenario: scenario)
        let limit = try positiveInteger(arguments, "--limit") ?? 12
        let plan = LinkPlan(layout)
        let kind = try LinkerArguments.toolchainKind(arguments)
        if arguments.has("--compare-model") && kind == nil { throw UsageError("--compare-model needs --linker gnu or lld") }
        let linkerOptions = try LinkerArguments.linkerOptions(arguments, realOption: "--linker")
        var comparisons: [MapComparison]?
        let result: BuildResult
        if let kind {
            if arguments.has("--repeat") { throw UsageError("--repeat times the model; it does not take --linker \(kind)") }
            let (real, linker) = try LinkerArguments.run(
                Build(layout: layout, options: options), plan: plan, kind: kind,
                comparesModel: arguments.has("--compare-model"), linkerOptions: linkerOptions)
            result = real
            if arguments.has("--compare-model") { comparisons = linker.comparisons }
            io.err("kallsyms-lab simulate: linked with \(linker.toolchain.version)\n")
        } else {
            result = Build(layout: layout, options: options).run(plan: plan)
        }
        if let repeats = try positiveInteger(arguments, "--repeat") {
            // Fresh caches: what a campaign pays for a new layout. Then one shared cache: the
            // build machinery alone (links, selections, tables), compressions reused.
            let fresh = timed(repeats) { _ = Build(layout: layout, options: options).run(plan: plan) }
            var cache = CompressionCache()
            _ = Build(layout: layout, options: options).run(plan: plan, cache: &cache)
            let shared = timed(repeats) { _ = Build(layout: layout, options: options).run(plan: plan, cache: &cache) }
            io.err(
                String(
                    format: "%d builds of %d symbols: %.3f s, %.2f builds/s (each compresses afresh)\n",
                    repeats, layout.symbolCount, fresh, Double(repeats) / max(fresh, 1e-9)))
            io.err(
                String(
                    format: "%d builds of %d symbols: %.3f s, %.2f builds/s (compressions from a shared cache)\n",
                    repeats, layout.symbolCount, shared, Double(repeats) / max(shared, 1e-9)))
        }
        if let directory = arguments.value("--write-maps") {
            try writeMaps(result, to: directory)
        }
        if arguments.has("--json") {
            try io.out(SimulateReport.json(result, layout: layout, source: source) + "\n")
        } else {
            try io.out(SimulateReport.text(result, layout: layout, source: source, scenario: scenario, limit: limit))
            if let comparisons { try io.out(SimulateReport.comparison(comparisons, result: result, width: layout.target.pointerSize * 2, limit: limit)) }
        }
        switch result.outcome {
        case .consistent: return 0
        case .inconsistent: return 3
        case .generatorFailed(let pass, let error):
            if !arguments.has("--json") {
                io.err("kallsyms-lab simulate: the \(options.era) generator refused pass \(pass)'s input: \(error.description)\n")
            }
            return 1
        }
    }

    /// The layout, the scenario it came from (if any) and a name for messages.
    static func input(_ arguments: ParsedArguments, io: CommandIO) throws -> (Layout, Scenario?, String) {
        if let name = arguments.value("--scenario") {
            guard arguments.positionals.isEmpty else { throw UsageError("give a layout file or --scenario, not both") }
            guard let scenario = Scenario.named(name) else {
                throw UsageError("unknown scenario \(name) (known: \(Scenario.all.map(\.name).joined(separator: ", ")))")
            }
            return (scenario.layout, scenario, "scenario \(name)")
        }
        guard let path = arguments.positionals.first else {
            throw UsageError("missing LAYOUT_FILE (or --scenario NAME, or --list-scenarios)")
        }
        let layout = try withInput(path, io: io) { try Layout(parsing: $0) }
        return (layout, nil, displayName(path))
    }

    static func buildOptions(_ arguments: ParsedArguments, scenario: Scenario?) throws -> BuildOptions {
        let typedFlags = ["--era", "--all-symbols", "--absolute-percpu", "--base-relative", "--pc-relative", "--symbol-prefix"]
        var options: BuildOptions
        if let scenario, !typedFlags.contains(where: arguments.has) {
            options = scenario.options()
        } else {
            let era = try EraArguments.era(arguments)
            options = BuildOptions(era: era, kallsyms: try EraArguments.options(arguments, era: era))
        }
        options.engine = try EraArguments.engine(arguments)
        options.kallsymsExtraPass = arguments.value("--kallsyms-extra-pass")
        try LinkerArguments.apply(arguments, to: &options)
        for text in arguments.values["--mitigation"] ?? [] {
            guard let mitigation = Mitigation(parsing: text) else {
                throw UsageError(
                    "unknown mitigation \(text) (known: \(Mitigation.syntax.joined(separator: ", ")); "
                        + "K ≥ 2, B ≥ 1)")
            }
            options.mitigations.append(mitigation)
        }
        return options
    }

    /// Seconds `body` takes `times` times.
    static func timed(_ times: Int, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<times { body() }
        return (clock.now - start).inSeconds
    }

    static func positiveInteger(_ arguments: ParsedArguments, _ name: String) throws -> Int? {
        guard let text = arguments.value(name) else { return nil }
        guard let value = Int(text), value > 0 else { throw UsageError("\(name) takes a positive number, not \(text)") }
        return value
    }
}
