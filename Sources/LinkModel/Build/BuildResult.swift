import Compressor

/// One link-and-kallsyms pass of a build (docs/behaviour.md §8).
public struct BuildPass: Sendable {
    /// 1, 2, 3…; 0 for the empty-table step of v6.19+.
    public var number: Int
    /// The temporary image's name (nil for pass 0, which links nothing).
    public var image: String?
    /// The pass whose kallsyms object this image holds (nil: none, v3.3–v6.1 pass 1).
    public var linkedWithPass: Int?
    /// `nm -n` of the image (with the input's line numbers when kallsyms read it raw and whole).
    public var map: LinkedMap
    /// What kallsyms read (raw `nm -n` or the `.syms` file, as the era feeds it).
    public var input: [SymbolRecord]
    /// What kallsyms produced.
    public var output: KallsymsOutput
}

/// Everything a build did and how it ended.
public struct BuildResult: Sendable {
    /// The options it ran with.
    public var options: BuildOptions
    /// The passes, in order (pass 0 first in v6.19+).
    public var passes: [BuildPass]
    /// `nm -n` of the final vmlinux (nil when the generator refused an input). With the model
    /// linker and the last image's object, the last pass's map itself (its line numbers too).
    public var vmlinux: LinkedMap?
    /// How it ended.
    public var outcome: Outcome
    /// `fixed-point=K`: the objects started repeating with this period.
    public var cycle: Cycle?

    /// How a build ended.
    public enum Outcome: Sendable {
        /// The check passed after this many passes (pass 0 not counted).
        case consistent(passes: Int)
        /// "Inconsistent kallsyms data": `System.map` differs from the reference.
        case inconsistent(Mismatch)
        /// The era's generator refused a pass's input (exit 1 in the real build).
        case generatorFailed(pass: Int, error: KallsymsError)
    }

    /// The differing lines of the final check.
    public struct Mismatch: Sendable {
        /// `.tmp_System.map` or the last `.syms` file.
        public var referenceName: String
        /// How many line positions differ.
        public var differingLines: Int
        /// The first differing positions.
        public var samples: [Line]

        /// How many differing lines are kept as samples.
        public static let sampleLimit = 40

        /// One differing line position (1-based) in both files.
        public struct Line: Sendable {
            public var line: Int
            public var reference: SymbolRecord?
            public var systemMap: SymbolRecord?
        }
    }

    /// A repetition of an earlier pass's object that is not the previous pass's.
    public struct Cycle: Hashable, Sendable {
        /// The first pass of the repeating sequence.
        public var firstPass: Int
        /// How many passes one round of the cycle takes.
        public var period: Int
    }

    /// Whether the build ended consistent.
    public var isConsistent: Bool {
        if case .consistent = outcome { return true }
        return false
    }

    /// Whether the build ended with "Inconsistent kallsyms data".
    public var isInconsistent: Bool {
        if case .inconsistent = outcome { return true }
        return false
    }

    /// The passes that ran kallsyms on a linked image (pass 0 excluded).
    public var linkedPasses: [BuildPass] { passes.filter { $0.number > 0 } }

    /// Bytes the kallsyms object takes in the final image.
    public var finalObjectSize: Int? { vmlinux == nil ? nil : passes.last?.output.object.size }
}
