import Compressor

/// A named, documented layout with the build it is meant to be run with.
public struct Scenario: Sendable {
    /// The name `simulate --scenario` takes.
    public var name: String
    /// One line for `--list-scenarios`.
    public var summary: String
    /// Why the build ends as it does, in plain words.
    public var explanation: String
    /// The era and flags the scenario is about.
    public var era: Era
    public var kallsyms: KallsymsOptions
    /// The outcome the scenario exists to show.
    public var expectsConsistent: Bool
    private let makeLayout: @Sendable () -> Layout

    /// A scenario; `layout` is called each time the layout is asked for.
    public init(
        name: String, summary: String, explanation: String, era: Era, kallsyms: KallsymsOptions,
        expectsConsistent: Bool, layout: @escaping @Sendable () -> Layout
    ) {
        self.name = name
        self.summary = summary
        self.explanation = explanation
        self.era = era
        self.kallsyms = kallsyms
        self.expectsConsistent = expectsConsistent
        makeLayout = layout
    }

    /// The layout (generated deterministically on each call).
    public var layout: Layout { makeLayout() }

    /// The build options the scenario is meant for, with `mitigations`.
    public func options(mitigations: [Mitigation] = []) -> BuildOptions {
        BuildOptions(era: era, kallsyms: kallsyms, mitigations: mitigations)
    }

    /// Every named scenario.
    public static let all: [Scenario] = [.arm2012Uniprocessor, .arm2012UniprocessorFixed, .armLarge]

    /// The scenario named `name`, if any.
    public static func named(_ name: String) -> Scenario? { all.first { $0.name == name } }
}

extension Scenario {
    /// The recipe both 2012 scenarios share; only the per-cpu section differs.
    static func arm2012Recipe(percpu: Bool) -> ArmUniprocessorKernel {
        ArmUniprocessorKernel(
            seed: 2012_03_25, textFunctions: 2600, initFunctions: 180, rodataObjects: 706,
            dataObjects: 500, bssObjects: 260, rodataTail: 0x1_25c8, initDataHead: 0x4b0,
            hasPercpuSection: percpu)
    }

    /// The 2012 "Inconsistent kallsyms data" on a uniprocessor ARM kernel (docs/behaviour.md §8.1,
    /// §9, the seed report): v3.3 `--all-symbols` ends inconsistent, `extra-pass` rescues it. See
    /// `explanation` for the mechanism; `ScenarioTests` pins every step of it.
    public static let arm2012Uniprocessor = Scenario(
        name: "arm-2012-up",
        summary: "Uniprocessor ARM, Linux 3.3 Makefile build, --all-symbols: the empty per-cpu section flips its markers between D and T (fails)",
        explanation: """
            On a uniprocessor kernel PERCPU_SECTION still emits an empty .data..percpu output section, \
            page aligned, between .init.data and the 8 KiB aligned .data. ld removes it and binutils \
            re-homes __per_cpu_load/start/end to a neighbour: .init.data and .data have the same flags, \
            so the address decides (docs/behaviour.md §9): on .data's first byte they go to .data (D), below it to \
            .init.data, which 2012 nm printed as T (its name starts with .init). In .tmp_vmlinux1 (no \
            tables) the markers sit on the 8 KiB boundary: D. Pass 1's tables (65104 bytes) push the init \
            sections up by 15 pages, an odd number, so in .tmp_vmlinux2 the markers sit one page below \
            .data: T. kallsyms compresses the type letter with the name, so "D__per_cpu_start" and \
            "T__per_cpu_start" compress to different byte counts: kallsyms_names shrinks by 3 bytes, which \
            crosses one of v3.3's 16-byte steps (.align 4 on ARM), and the object shrinks by 16. vmlinux, \
            linked with pass 2's tables, has every address from kallsyms_markers on 16 bytes lower than \
            .tmp_vmlinux2, so System.map differs from .tmp_System.map. KALLSYMS_EXTRA_PASS=1 links once \
            more with pass 2's tables; 16 bytes do not move the init sections across a page, the markers \
            stay T, pass 3's tables equal pass 2's, and the build passes.
            """,
        era: .v3_3, kallsyms: KallsymsOptions(allSymbols: true), expectsConsistent: false,
        layout: { arm2012Recipe(percpu: true).layout(name: "arm-2012-up") })

    /// The same kernel with ARM 7428/1 (no per-cpu output section on uniprocessor).
    public static let arm2012UniprocessorFixed = Scenario(
        name: "arm-2012-up-fixed",
        summary: "The same kernel with ARM 7428/1 (no per-cpu output section on uniprocessor): consistent",
        explanation: """
            "ARM: 7428/1: Prevent KALLSYM size mismatch on ARM" emits PERCPU_SECTION only on SMP. \
            Without the empty section no marker is re-homed, no symbol changes letter between passes, \
            the strings kallsyms compresses are the same in every pass (only addresses and the order of \
            absolute symbols at equal addresses change, and neither changes a table size), so pass 2's \
            tables have pass 1's sizes and vmlinux's map equals .tmp_vmlinux2's.
            """,
        era: .v3_3, kallsyms: KallsymsOptions(allSymbols: true), expectsConsistent: true,
        layout: { arm2012Recipe(percpu: false).layout(name: "arm-2012-up-fixed") })

    /// An ARM-sized layout (about 100 000 symbols) for timing builds.
    public static let armLarge = Scenario(
        name: "arm-large",
        summary: "An ARM-sized layout (~100 000 symbols, 3.3 style with the 7428/1 fix) for timing builds",
        explanation: """
            The arm-2012-up-fixed recipe scaled to the symbol count of a distribution ARM kernel. It \
            exists to measure builds per second (simulate --repeat N) on realistic sizes.
            """,
        era: .v3_3, kallsyms: KallsymsOptions(allSymbols: true), expectsConsistent: true,
        layout: {
            ArmUniprocessorKernel(
                seed: 107_103, textFunctions: 62_000, initFunctions: 3_000, rodataObjects: 18_000,
                dataObjects: 12_000, bssObjects: 5_000, rodataTail: 0x1000, initDataHead: 0x4b0,
                hasPercpuSection: false
            ).layout(name: "arm-large")
        })
}
