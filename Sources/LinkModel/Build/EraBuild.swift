import Compressor

/// How an era's build links vmlinux around kallsyms and checks the result (docs/behaviour.md §8):
/// every build difference between eras, as data. `Build` reads this and never asks which era it
/// runs.
public struct EraBuild: Sendable {
    /// The era.
    public var era: Era

    /// What kallsyms reads in each pass.
    public enum KallsymsInput: Hashable, Sendable {
        /// The raw `nm -n` of the temporary image on stdin (v3.3, v5.10). Its undefined weak
        /// lines (blank address) fail the generator's `%llx` conversion and are skipped.
        case rawNm
        /// The `.syms` file: `nm -n` filtered by the era's mksysmap (v6.1+).
        case symsFile
    }
    public var kallsymsInput: KallsymsInput

    /// The era's `scripts/mksysmap`.
    public var systemMapFilter: SystemMapFilter

    /// v6.19+: step 0 runs kallsyms on an empty `.syms` file and every temporary image is
    /// linked with an object, so the table labels exist from the first link
    /// (docs/behaviour.md §8.3).
    public var startsWithEmptyTables: Bool

    /// How `KALLSYMS_EXTRA_PASS` is tested.
    public enum ExtraPassTest: Hashable, Sendable {
        /// v3.3's Makefile: set and not `0`.
        case setAndNotZero
        /// link-vmlinux.sh (v5.10+): non-empty, so even `0` asks for the extra pass.
        case nonEmpty
    }
    public var extraPassTest: ExtraPassTest

    /// v5.10+: a third pass runs by itself when the kallsyms objects of passes 1 and 2
    /// differ in size (`scripts/file-size.sh`; modelled on the object's data size).
    public var repeatsWhenObjectSizeChanges: Bool

    /// What the final map is compared with.
    public enum Check: Hashable, Sendable {
        /// v3.3, v5.10: `cmp` of `System.map` = mksysmap(vmlinux) and `.tmp_System.map` =
        /// mksysmap(last temporary image).
        case temporarySystemMap
        /// v6.1+: `cmp` of `System.map` and the last `.syms` file (the same filter, so the
        /// same comparison; only the reference file differs).
        case lastSymsFile
    }
    public var check: Check

    /// The table names the kernel declares `__weak` (v3.3–v6.1): undefined `w` in `nm` when
    /// no object defines them (the first link; `kallsyms_addresses` or `kallsyms_offsets`
    /// in every link of v5.10/v6.1). Empty from v6.19 on (normal declarations).
    public var weakTableNames: [[UInt8]]

    /// What the build prints when the check fails.
    public var failureMessage: [String]

    /// The temporary image names, `#` standing for the pass number (`.tmp_vmlinux#`).
    public var imagePattern: String
    /// The kallsyms object names, `#` standing for the pass number (`.tmp_kallsyms#.o`).
    public var objectPattern: String

    /// The temporary image of pass `number` (`.tmp_vmlinux2`, `.tmp_vmlinux.kallsyms2`).
    public func imageName(pass number: Int) -> String {
        Self.fill(imagePattern, number)
    }

    /// The kallsyms object generated in pass `number`.
    public func objectName(pass number: Int) -> String {
        Self.fill(objectPattern, number)
    }

    private static func fill(_ pattern: String, _ number: Int) -> String {
        pattern.split(separator: "#", omittingEmptySubsequences: false).joined(separator: String(number))
    }

    /// The file the final `System.map` is compared with, after pass `last`.
    public func referenceName(lastPass last: Int) -> String {
        switch check {
        case .temporarySystemMap: return ".tmp_System.map"
        case .lastSymsFile: return imageName(pass: last) + ".syms"
        }
    }

    /// Whether the environment value `value` of `KALLSYMS_EXTRA_PASS` asks for the extra pass.
    public func asksForExtraPass(_ value: String?) -> Bool {
        guard let value, !value.isEmpty else { return false }
        switch extraPassTest {
        case .setAndNotZero: return value != "0"
        case .nonEmpty: return true
        }
    }

    private static func names(_ list: [String]) -> [[UInt8]] { list.map { Array($0.utf8) } }
    private static let workaround = #"Try "make KALLSYMS_EXTRA_PASS=1" as a workaround"#

    static let v3_3 = EraBuild(
        era: .v3_3, kallsymsInput: .rawNm, systemMapFilter: .v3_3, startsWithEmptyTables: false,
        extraPassTest: .setAndNotZero, repeatsWhenObjectSizeChanges: false, check: .temporarySystemMap,
        weakTableNames: names([
            "kallsyms_addresses", "kallsyms_num_syms", "kallsyms_names", "kallsyms_markers",
            "kallsyms_token_table", "kallsyms_token_index",
        ]),
        failureMessage: ["Inconsistent kallsyms data", "This is a bug - please report about it", workaround],
        imagePattern: ".tmp_vmlinux#", objectPattern: ".tmp_kallsyms#.o")

    static let v5_10 = EraBuild(
        era: .v5_10, kallsymsInput: .rawNm, systemMapFilter: .v5_10, startsWithEmptyTables: false,
        extraPassTest: .nonEmpty, repeatsWhenObjectSizeChanges: true, check: .temporarySystemMap,
        weakTableNames: names([
            "kallsyms_addresses", "kallsyms_offsets", "kallsyms_relative_base", "kallsyms_num_syms",
            "kallsyms_names", "kallsyms_markers", "kallsyms_token_table", "kallsyms_token_index",
        ]),
        failureMessage: ["Inconsistent kallsyms data", workaround],
        imagePattern: ".tmp_vmlinux.kallsyms#", objectPattern: ".tmp_vmlinux.kallsyms#.o")

    static let v6_1: EraBuild = {
        var build = v5_10
        build.era = .v6_1
        build.kallsymsInput = .symsFile
        build.systemMapFilter = .v6_1
        build.check = .lastSymsFile
        return build
    }()

    static let v6_19 = EraBuild(
        era: .v6_19, kallsymsInput: .symsFile, systemMapFilter: .v6_19, startsWithEmptyTables: true,
        extraPassTest: .nonEmpty, repeatsWhenObjectSizeChanges: true, check: .lastSymsFile,
        weakTableNames: [], failureMessage: ["Inconsistent kallsyms data", workaround],
        imagePattern: ".tmp_vmlinux#", objectPattern: ".tmp_vmlinux#.kallsyms.o")

    /// 6.12's link-vmlinux.sh is v6.19's: step 0 on an empty `.syms` file ("kbuild: remove
    /// PROVIDE() for kallsyms symbols") and `.tmp_vmlinuxN` images shared with BTF ("kbuild:
    /// merge temporary vmlinux for BTF and kallsyms"), both merged before 6.12; it still adds
    /// `--absolute-percpu` for `CONFIG_KALLSYMS_ABSOLUTE_PERCPU` (docs/behaviour.md §8.3). Its
    /// mksysmap is taken to be v6.19's (an assumption: see `SystemMapFilter.v6_19`).
    static let v6_12: EraBuild = {
        var build = v6_19
        build.era = .v6_12
        return build
    }()

    static let v7_0: EraBuild = {
        var build = v6_19
        build.era = .v7_0
        return build
    }()
}

extension EraBuild {
    /// Whether the era keeps its list of names kallsyms must not see in `scripts/kallsyms`
    /// itself (v3.3–v6.1: its generator has the list, or reads raw `nm` output), rather than
    /// in mksysmap's patterns (v6.12+, whose generator has no list of its own).
    public var ignoresNamesInGenerator: Bool { kallsymsInput == .rawNm || !era.rules.ignoredPrefixes.isEmpty }
}

extension Era {
    /// How this era's build links and checks (docs/behaviour.md §8).
    public var build: EraBuild {
        switch self {
        case .v3_3: return .v3_3
        case .v5_10: return .v5_10
        case .v6_1: return .v6_1
        case .v6_12: return .v6_12
        case .v6_19: return .v6_19
        case .v7_0: return .v7_0
        }
    }
}
