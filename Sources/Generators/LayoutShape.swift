import LinkModel
import Randomness

/// The configuration and link effects one generated layout models, drawn per case (or given).
///
/// Each choice is a real property of a 32-bit ARM kernel build that decides whether a marker
/// symbol can change between the passes of the vmlinux link (docs/behaviour.md §8, §9):
/// - `isUniprocessor`: before ARM 7428/1, `PERCPU_SECTION` emitted an empty `.data..percpu`
///   output section on uniprocessor kernels; ld removes it and re-homes `__per_cpu_load`,
///   `__per_cpu_start` and `__per_cpu_end` to a neighbouring section (`NearbySection`). On SMP
///   the section holds the per-cpu variables and is kept.
/// - `letters`: which `nm` the build used. 2012 binutils took the letter of a symbol in a
///   section named `.init*` from the name (`t`/`T`), so `.init.data`, whose flags are those of
///   writable data, printed `T`; binutils since takes it from the flags (`D`). Only with the
///   2012 letters can a re-homed marker change letter (`T` below `.data`, `D` on its first byte).
/// - `percpuAlignment`: `. = ALIGN(PAGE_SIZE)` before the per-cpu section (ARM 3.3) or only
///   its own cache-line alignment (32).
/// - `isBoundaryBiased`: `.init.data` is padded so that its end lies a little below a page
///   boundary in the first link, by at most about twice the expected size of the kallsyms
///   tables: the tables of pass 1 then push it across the boundary (or not) in pass 2. Without
///   the bias, small layouts almost never cross a boundary; ARM-sized ones (tables of several
///   hundred KiB) cross pages either way.
///
/// What these shapes do not draw: calls. `LinkPlan` adds the linkers' branch stubs for a
/// layout's `call` lines (docs/linkers.md, "Branch stubs"), but the layouts drawn here have
/// none, so their builds never see a stub.
public struct LayoutShape: Hashable, Sendable, CustomStringConvertible {
    /// An empty per-cpu output section (uniprocessor, before ARM 7428/1).
    public var isUniprocessor: Bool
    /// Which `nm` letters the build sees.
    public var letters: Letters
    /// `ALIGN(N)` before the per-cpu section: 4096 or 32.
    public var percpuAlignment: UInt64
    /// `.init.data` ends a little below a page boundary in the first link.
    public var isBoundaryBiased: Bool

    /// How `nm` gives letters to symbols of `.init*` output sections.
    public enum Letters: String, CaseIterable, Hashable, Sendable {
        /// 2012 binutils: by section name, `.init*` prints `t`/`T` whatever the flags.
        case byName2012 = "nm2012"
        /// Current binutils: by flags, `.init.data` prints `d`/`D`.
        case byFlags = "nm"
    }

    /// A shape.
    public init(isUniprocessor: Bool, letters: Letters, percpuAlignment: UInt64 = 4096, isBoundaryBiased: Bool = false) {
        precondition(percpuAlignment > 0 && percpuAlignment & (percpuAlignment - 1) == 0, "alignments are powers of two")
        self.isUniprocessor = isUniprocessor
        self.letters = letters
        self.percpuAlignment = percpuAlignment
        self.isBoundaryBiased = isBoundaryBiased
    }

    /// The 2012 uniprocessor ARM kernel of the seed report, with the boundary bias.
    public static let arm2012Uniprocessor = LayoutShape(
        isUniprocessor: true, letters: .byName2012,
        percpuAlignment: 4096, isBoundaryBiased: true)

    /// A shape drawn uniformly: uniprocessor or SMP, 2012 or current letters, per-cpu
    /// alignment 4096 (3 in 4) or 32, boundary bias or not (each 1 in 2).
    public static func random(using rng: inout some RandomNumberGenerator) -> LayoutShape {
        LayoutShape(
            isUniprocessor: RandomDraws.chance(1, in: 2, using: &rng),
            letters: RandomDraws.chance(1, in: 2, using: &rng) ? .byName2012 : .byFlags,
            percpuAlignment: RandomDraws.chance(3, in: 4, using: &rng) ? 4096 : 32,
            isBoundaryBiased: RandomDraws.chance(1, in: 2, using: &rng))
    }

    /// `up-nm2012-pcpu4096-biased`: the layout's name in its text form.
    public var description: String {
        (isUniprocessor ? "up" : "smp") + "-" + letters.rawValue + "-pcpu\(percpuAlignment)"
            + (isBoundaryBiased ? "-biased" : "")
    }

    /// Reads `description` back; nil when `text` is not one.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-").map(String.init)
        guard parts.count == 3 || (parts.count == 4 && parts[3] == "biased"),
            parts[0] == "up" || parts[0] == "smp", let letters = Letters(rawValue: parts[1]),
            parts[2].hasPrefix("pcpu"), let alignment = UInt64(parts[2].dropFirst(4)),
            alignment > 0, alignment & (alignment - 1) == 0
        else { return nil }
        self.init(
            isUniprocessor: parts[0] == "up", letters: letters, percpuAlignment: alignment,
            isBoundaryBiased: parts.count == 4)
    }
}
