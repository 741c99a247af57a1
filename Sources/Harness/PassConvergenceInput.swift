import Compressor
import Generators
import LinkModel
import Randomness

/// The layout decisions of one `FuzzPassConvergence` input, read from the fuzzer's bytes:
/// structure-aware, so a mutated byte changes one decision (the era, a section's size, a
/// marker's place), not the whole case.
///
/// Layout of the input (a missing byte reads as 0, so the empty input is a valid case: v3.3,
/// the uniprocessor 2012 ARM shape of the seed report, 20 symbols):
///
/// | bytes | decision |
/// |---|---|
/// | 0 | bits 0–2 the era (`Era.allCases[b & 7 % 5]`), bits 3–4 the `nm` letters (the era's own, 2012, modern, the era's own) |
/// | 1 | the shape, each bit *away* from the 2012 kernel: bit 0 SMP, bit 1 current letters, bit 2 per-cpu alignment 32, bit 3 no boundary bias |
/// | 2–3 | symbols: 20 + (little-endian value mod 2 048) |
/// | 4–11 | the seed of the draw from the built-in ARM profile: which symbols, names and distances |
/// | 12… | edits, 4 bytes each: `op item a b` (see `Edit`) |
///
/// The layout is `LayoutGenerator(profile: .arm)`'s for the shape, symbols and seed, with the
/// edits applied in order; every edit keeps the layout valid (offsets within sizes, powers of
/// two as alignments).
public struct PassConvergenceInput: Hashable, Sendable {
    /// The era whose build runs.
    public var era: Era
    /// The `nm` letters (nil: the era's own time).
    public var letters: SymbolLetters?
    /// The generated layout's shape.
    public var shape: LayoutShape
    /// Symbols of the generated layout.
    public var symbols: Int
    /// The seed of the profile draw.
    public var seed: UInt64
    /// The edits applied to the generated layout, in order.
    public var edits: [Edit]

    /// The symbols a case has at least and at most (a build of 2 000 symbols takes a few
    /// milliseconds; ARM-sized layouts are left to `fuzz`).
    public static let symbolRange = 20...2067

    /// One change to the generated layout. `item` counts among the items the edit applies to
    /// (sections, or sections and `align` items), modulo their number.
    public enum Edit: Hashable, Sendable {
        /// Grow a section by `16 × amount` bytes (op 0).
        case grow(section: Int, by: UInt64)
        /// Shrink a section by `4 × amount` bytes, not below 0 (op 1).
        case shrink(section: Int, by: UInt64)
        /// Set a section's or `align` item's alignment to `1 << (a mod 14)` (op 2).
        case realign(item: Int, log2: Int)
        /// Move a section's `a`-th marker to its other edge (op 3).
        case flipMarker(section: Int, marker: Int)
        /// Remove the section's symbols `a × n / 256 ..< (a + b) × n / 256` (op 4): fewer
        /// symbols of the profile, markers kept.
        case dropSymbols(section: Int, from: Int, count: Int)
        /// Place the kallsyms object at the start, at the end or `16 × (a·256+b)` bytes into the
        /// section that hosts it (op 5; `.rodata` in a generated layout, as in the kernel).
        case placeKallsyms(offset: UInt64?)
    }

    /// Reads the decisions from `bytes`; every byte string is an input.
    public init(_ bytes: [UInt8]) {
        func byte(_ index: Int) -> UInt8 { index < bytes.count ? bytes[index] : 0 }
        era = Era.allCases[Int(byte(0) & 7) % Era.allCases.count]
        switch byte(0) >> 3 & 3 {
        case 1: letters = .binutils2012
        case 2: letters = .modern
        default: letters = nil
        }
        let bits = byte(1)
        shape = LayoutShape(
            isUniprocessor: bits & 1 == 0, letters: bits & 2 == 0 ? .byName2012 : .byFlags,
            percpuAlignment: bits & 4 == 0 ? 4096 : 32, isBoundaryBiased: bits & 8 == 0)
        symbols = Self.symbolRange.lowerBound + (Int(byte(2)) | Int(byte(3)) << 8) % Self.symbolRange.count
        seed = (4..<12).reduce(UInt64(0)) { $0 | UInt64(byte($1)) << UInt64(8 * ($1 - 4)) }
        edits = stride(from: 12, to: bytes.count, by: 4).map { start in
            Self.edit(op: byte(start), item: Int(byte(start + 1)), a: byte(start + 2), b: byte(start + 3))
        }
    }

    static func edit(op: UInt8, item: Int, a: UInt8, b: UInt8) -> Edit {
        let amount = UInt64(a) << 8 | UInt64(b)
        switch op % 6 {
        case 0: return .grow(section: item, by: 16 * amount)
        case 1: return .shrink(section: item, by: 4 * amount)
        case 2: return .realign(item: item, log2: Int(a) % 14)
        case 3: return .flipMarker(section: item, marker: Int(a))
        case 4: return .dropSymbols(section: item, from: Int(a), count: Int(b))
        default:
            switch a {
            case 0: return .placeKallsyms(offset: 0)
            case 1: return .placeKallsyms(offset: nil)
            default: return .placeKallsyms(offset: 16 * amount)
            }
        }
    }

    /// The build options of the case (`--all-symbols`, as the 2012 ARM builds).
    public var buildOptions: BuildOptions {
        BuildOptions(era: era, kallsyms: KallsymsOptions(allSymbols: true), letters: letters)
    }

    /// The layout the input describes.
    public func layout(generator: LayoutGenerator) -> Layout {
        var rng = SeededRandom(seed: seed)
        var layout = generator.generate(symbols: symbols, shape: shape, using: &rng)
        for edit in edits { Self.apply(edit, to: &layout) }
        layout.name = (layout.name ?? "layout") + "-fuzzed"
        return layout
    }

    static func apply(_ edit: Edit, to layout: inout Layout) {
        let sections = layout.sectionIndices
        guard !sections.isEmpty else { return }
        func section(_ item: Int) -> (index: Int, section: Section) {
            let index = sections[item % sections.count]
            guard case .section(let section) = layout.items[index] else { preconditionFailure("not a section") }
            return (index, section)
        }
        switch edit {
        case .grow(let item, let bytes):
            let (index, found) = section(item)
            layout = layout.resizingSection(at: index, to: found.size &+ bytes)
        case .shrink(let item, let bytes):
            let (index, found) = section(item)
            layout = layout.resizingSection(at: index, to: found.size - min(found.size, bytes))
        case .realign(let item, let log2):
            let alignable = layout.items.indices.filter {
                switch layout.items[$0] {
                case .absolute: return false
                default: return true
                }
            }
            layout = layout.realigning(itemAt: alignable[item % alignable.count], to: 1 << UInt64(log2))
        case .flipMarker(let item, let marker):
            var (index, changed) = section(item)
            let markers = changed.members.indices.filter { if case .marker = changed.members[$0] { true } else { false } }
            guard !markers.isEmpty, case .marker(let name, let edge) = changed.members[markers[marker % markers.count]]
            else { return }
            changed.members.remove(at: markers[marker % markers.count])
            if edge == .start {
                changed.members.append(.marker(name: name, edge: .end))
            } else {
                changed.members.insert(.marker(name: name, edge: .start), at: 0)
            }
            layout.items[index] = .section(changed)
        case .dropSymbols(let item, let from, let count):
            var (index, changed) = section(item)
            let symbols = changed.members.indices.filter { if case .symbol = changed.members[$0] { true } else { false } }
            let dropped = Set(symbols[(from * symbols.count / 256)..<(min(256, from + count) * symbols.count / 256)])
            changed.members = changed.members.indices.filter { !dropped.contains($0) }.map { changed.members[$0] }
            layout.items[index] = .section(changed)
        case .placeKallsyms(let offset):
            guard
                let index = sections.first(where: {
                    if case .section(let found) = layout.items[$0] { found.hostsKallsyms } else { false }
                }), case .section(var host) = layout.items[index]
            else { return }
            host.members.removeAll { if case .kallsyms = $0 { true } else { false } }
            host.members.append(.kallsyms(offset: offset.map { min($0, host.size) }))
            layout.items[index] = .section(host)
        }
    }
}
