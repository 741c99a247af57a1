import Compressor
import LinkModel
import Randomness

/// Generates realistic 32-bit ARM kernel layouts: the output sections of Linux 3.3's
/// `arch/arm/kernel/vmlinux.lds.S` filled with symbols drawn from a `Profile` (by default
/// `Profile.arm`, learned from a real armhf kernel), in the shape a `LayoutShape` says.
///
/// ```
/// base 0xc0008000
/// .head.text (_text)  .text (_stext …)                       head text, text regions
/// ALIGN(4096) .rodata (__start_rodata … kallsyms tables)     rodata region, letters r/R
///             .data..ro_after_init                            rodata region, letters d/D
/// _etext  ALIGN(4096) __init_begin
/// .init.text (_sinittext … _einittext)  .init.data            init region
/// ALIGN(4096 or 32) .data..percpu (__per_cpu_load/start/end)  per-cpu region; empty on UP
/// __init_end  ALIGN(8192) __data_loc
/// .data (_data _sdata init_thread_union …) .bss (__bss_start … __bss_stop) _end
/// ```
///
/// Each region's symbols come from `SymbolSetGenerator` on that region alone, so names,
/// letters, equal-address groups, alias blocks, markers and the distances between symbols
/// follow the learned kernel; a symbol's offset in its section is its distance from the
/// region's first symbol (the bytes up to the next symbol belong to the symbol before, so a
/// region split by letter into two sections keeps every distance of each part). Letters
/// become bindings (`T`, `R`, `D`, `B` global; lower case local; `W`, `V` weak) and the
/// section's kind gives the letter back at link time. Symbols the kernel script defines (the
/// profile's boundary markers) are placed by the script above instead; absolute symbols of the
/// learned map (`A`, ARM's vector page) and the regions "low" and "high" are left out.
///
/// Sizes: `symbols` is the number of symbols the layout defines, within a few (the script's
/// 19 markers are the least a layout has); `LayoutGenerator.armSized` (107 103) is the learned
/// kernel's count.
///
/// Randomness: `generate` draws one value from the caller's generator and derives labelled
/// streams from it (shape, composition, each region, sizes), so one layout is one seed.
public struct LayoutGenerator: Sendable {
    /// The profile the symbols follow.
    public let profile: Profile
    private let regions: [Region]

    /// The symbol count of the learned armhf kernel: "real-sized".
    public static let armSized = 107_103

    /// The markers the script defines itself (not drawn from the profile).
    public static let scriptMarkers = [
        "_text", "_stext", "__start_rodata", "_etext", "__init_begin", "_sinittext", "_einittext",
        "__per_cpu_load", "__per_cpu_start", "__per_cpu_end", "__init_end", "__data_loc", "_data", "_sdata",
        "init_thread_union", "_edata", "__bss_start", "__bss_stop", "_end",
    ]

    /// Where a region's symbols go.
    enum Role: String, CaseIterable, Sendable {
        case head = "head text", text, rodata, initialization = "init", percpu = "per-cpu", data, bss
    }

    struct Region: Sendable {
        var role: Role
        var generator: SymbolSetGenerator
        var weight: Int
        /// The region's boundary markers: drawn first and dropped (the script places them).
        var boundaries: Int
    }

    /// Compiles `profile` for drawing, one symbol generator per region it knows, all drawing
    /// names from one compiled name model (O(profile size): make one generator for many layouts).
    public init(profile: Profile = .arm) {
        self.profile = profile
        let names = NameSampler(profile.names)
        regions = profile.regions.compactMap { region in
            guard let role = Role(rawValue: region.name) else { return nil }
            let alone = Profile(
                symbolCount: region.symbolCount, addressWidth: profile.addressWidth,
                regions: [region], names: profile.names)
            return Region(
                role: role, generator: SymbolSetGenerator(profile: alone, names: names), weight: max(1, region.symbolCount),
                boundaries: region.markers.filter { MarkerRules.isBoundary($0.symbol.name) }.count)
        }
    }

    /// A layout of about `count` symbols with a shape drawn by `LayoutShape.random`.
    public func generate(symbols count: Int, using rng: inout some RandomNumberGenerator) -> Layout {
        let seed = SeededRandom(drawingFrom: &rng)
        var shapeStream = seed.derived("shape")
        return generate(symbols: count, shape: .random(using: &shapeStream), seed: seed)
    }

    /// A layout of about `count` symbols with the given shape.
    public func generate(symbols count: Int, shape: LayoutShape, using rng: inout some RandomNumberGenerator) -> Layout {
        generate(symbols: count, shape: shape, seed: SeededRandom(drawingFrom: &rng))
    }

    /// One layout with a population of its own: a uniprocessor shape's per-cpu share is drawn
    /// as `.data` symbols, each region's filled sections get a tail of 4 to 64 bytes. (The
    /// layouts of a seed are what `fuzz --print-layout` printed since issue 9, and the
    /// `FuzzPassConvergence` corpus depends on them.)
    private func generate(symbols count: Int, shape: LayoutShape, seed: SeededRandom) -> Layout {
        let counts = composition(ordinary: max(0, count - Self.scriptMarkers.count), uniprocessor: shape.isUniprocessor)
        var parts = LayoutParts()
        var sizeStream = seed.derived("sizes")
        for (index, region) in regions.enumerated() where counts[index] > 0 {
            var stream = seed.derived("region").derived(UInt64(index))
            let records = region.generator.generate(symbols: counts[index] + region.boundaries, using: &stream)
                .filter { !MarkerRules.isBoundary($0.name) }
            for path in parts.add(records, role: region.role) {
                parts[keyPath: path].size += 4 * UInt64(RandomDraws.value(in: 1...16, using: &sizeStream))
            }
        }
        parts.makeScriptNamesLocal()
        var layout = parts.layout(shape: shape)
        if shape.isBoundaryBiased {
            LayoutParts.bias(&layout, expectedTables: Self.expectedTablesSize(symbols: count), using: &sizeStream)
        }
        return layout
    }

    /// The symbols of layouts of about `count` symbols, drawn from `seed`'s streams (one per
    /// region), before a shape and sizes place them: see `LayoutPopulation`. O(count).
    public func population(symbols count: Int, seed: SeededRandom) -> LayoutPopulation {
        let counts = composition(ordinary: max(0, count - Self.scriptMarkers.count), uniprocessor: false)
        var smp = LayoutParts()
        for (index, region) in regions.enumerated() where counts[index] > 0 {
            var stream = seed.derived(UInt64(index))
            let records = region.generator.generate(symbols: counts[index] + region.boundaries, using: &stream)
                .filter { !MarkerRules.isBoundary($0.name) }
            _ = smp.add(records, role: region.role)
        }
        smp.makeScriptNamesLocal()
        // A uniprocessor kernel has no per-cpu section: its per-cpu variables are data.
        let percpuRegion = regions.firstIndex { $0.role == .percpu }, dataRegion = regions.firstIndex { $0.role == .data }
        let uniprocessor = smp.asUniprocessor(percpuBeforeData: (percpuRegion ?? 0) < (dataRegion ?? 0))
        return LayoutPopulation(symbols: count, smp: smp, uniprocessor: uniprocessor)
    }

    /// Ordinary symbols per region, by the learned shares (largest remainder). `uniprocessor`:
    /// the per-cpu variables are ordinary data, their share goes to `.data`.
    private func composition(ordinary: Int, uniprocessor: Bool) -> [Int] {
        var weights = regions.map(\.weight)
        if uniprocessor, let percpu = regions.firstIndex(where: { $0.role == .percpu }) {
            if let data = regions.firstIndex(where: { $0.role == .data }) { weights[data] += weights[percpu] }
            weights[percpu] = 0
        }
        let total = max(1, weights.reduce(0, +))
        var counts = weights.map { ordinary * $0 / total }
        var remainders = weights.indices.map { (remainder: ordinary * weights[$0] % total, index: $0) }
        remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }
        for entry in remainders.prefix(ordinary - counts.reduce(0, +)) where weights[entry.index] > 0 {
            counts[entry.index] += 1
        }
        return counts
    }

    /// A rough upper estimate of the kallsyms object for `symbols` symbols (about 12 bytes per
    /// symbol plus the token tables), for the boundary bias.
    static func expectedTablesSize(symbols: Int) -> UInt64 {
        UInt64(1536 + 12 * max(0, symbols))
    }
}
