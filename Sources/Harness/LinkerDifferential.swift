import Compressor
import Generators
import LinkModel
import Randomness
import RealLink

/// `model-matches-linker`: a small random layout builds to the same `nm -n` maps and the same
/// outcome with the model as with a real linker (docs/linkers.md, "The differential property").
///
/// A case is a layout of a few sections of every kind, with empty sections, symbols at equal
/// addresses, a local and a global of the same name, absolute symbols, `align` items, and
/// 2012-style `.init` sections, built in a random era with `--all-symbols`. The real build
/// links every image with the toolchain and the model links the same objects beside it
/// (`RealLinker.comparisons`); a separate model-only build must end the same way.
public enum LinkerDifferential {
    /// The property's name in reports.
    public static let name = "model-matches-linker"

    /// One case: the layout and how to build it.
    public struct Case: Sendable {
        public var layout: Layout
        public var options: BuildOptions
    }

    /// The case for `seed` (deterministic).
    public static func draw(seed: UInt64, target: TargetABI = .arm32) -> Case {
        var rng = SeededRandom(seed: seed)
        let era = Era.seeded[RandomDraws.index(Era.seeded.count, using: &rng)]
        var options = BuildOptions(era: era, kallsyms: KallsymsOptions(allSymbols: true))
        options.letters = RandomDraws.chance(1, in: 2, using: &rng) ? .binutils2012 : .modern
        let pool: [(String, SectionKind, SectionFlags?)] = [
            (".head.text", .text, nil), (".text", .text, nil), (".rodata", .rodata, nil), (".init.text", .text, nil),
            (".init.data", .data, nil), (".data..percpu", .data, nil), (".data", .data, nil), (".bss", .bss, nil),
            (".data..ro_after_init", .data, nil), (".notes", .rodata, nil), (".exit.data", .data, [.alloc, .load]),
        ]
        let count = RandomDraws.value(in: 2...7, using: &rng)
        var chosen = RandomDraws.sample(count, of: pool.count, using: &rng)
        // The first section (with `_text` and bytes) is a loaded one, as in every kernel: GNU ld
        // writes no local symbol of an object none of whose sections with contents is linked.
        if let loaded = chosen.firstIndex(where: { pool[$0].1 != .bss }), loaded != 0 { chosen.swapAt(0, loaded) }
        let names = ["start_a", "f", "g", "x", "y", "obj", "__marker", "9lives", "Zed", "_", "a.b", "a$b"]
        var items: [Layout.Item] = []
        var first = true
        for index in chosen {
            let (name, kind, flags) = pool[index]
            if RandomDraws.chance(1, in: 4, using: &rng) {
                items.append(.align(UInt64(1) << UInt64(RandomDraws.value(in: 2...13, using: &rng))))
            }
            if RandomDraws.chance(1, in: 6, using: &rng) {
                items.append(.absolute(Array("abs_\(items.count)".utf8)))
            }
            // Code is at least word aligned, as in every kernel (clang's assembler aligns AArch64
            // code sections to 4 whatever the source asks).
            let alignment = max(kind == .text ? 4 : 1, UInt64(1) << UInt64([0, 2, 4, 5, 8, 12][RandomDraws.index(6, using: &rng)]))
            let size: UInt64 =
                first || RandomDraws.chance(2, in: 3, using: &rng)
                ? 4 * UInt64(RandomDraws.value(in: 1...300, using: &rng)) : 0
            var members: [Section.Member] = []
            if first { members.append(.marker(name: Array("_text".utf8), edge: .start)) }
            first = false
            if RandomDraws.chance(1, in: 2, using: &rng) { members.append(.marker(name: Array("\(name.dropFirst())_start".utf8), edge: .start)) }
            for _ in 0..<RandomDraws.value(in: 0...5, using: &rng) {
                let symbol = names[RandomDraws.index(names.count, using: &rng)]
                let offset = size == 0 ? 0 : 4 * UInt64(RandomDraws.index(Int(size / 4) + 1, using: &rng))
                let binding = Binding.allCases[RandomDraws.index(3, using: &rng)]
                members.append(.symbol(name: Array(symbol.utf8), offset: min(offset, size), binding: binding))
            }
            if RandomDraws.chance(1, in: 2, using: &rng) { members.append(.marker(name: Array("\(name.dropFirst())_end".utf8), edge: .end)) }
            items.append(.section(Section(name: name, kind: kind, flags: flags, alignment: alignment, size: size, members: members)))
        }
        let layout = Layout(
            name: "differential-\(seed)", target: target, base: target.pointerSize == 8 ? 0xffff_8000_0800_0000 : 0xc000_8000,
            items: items)
        return Case(layout: Self.uniqueGlobals(layout), options: options)
    }

    /// A case of today's shape (`ModernLayout` with its built-in call profile) on a generated
    /// layout of `symbols` symbols, built in v6.1 with modern letters: the calls of `fuzz --arch`
    /// as campaigns draw them, at a size a real link takes in seconds.
    public static func modern(seed: UInt64, architecture: KernelArchitecture, symbols: Int, textSizes: ClosedRange<UInt64>? = nil) -> Case {
        var rng = SeededRandom(seed: seed)
        let base = LayoutGenerator(profile: .arm).generate(symbols: symbols, using: &rng)
        var stream = SeededRandom(seed: seed ^ ModernLayout.streamSalt)
        var layout = ModernLayout.apply(base, options: ModernLayout.Options(architecture: architecture, textSizes: textSizes), using: &stream)
        layout.name = "modern-\(architecture)-\(seed)"
        var options = BuildOptions(era: .v6_1, kallsyms: KallsymsOptions(allSymbols: true))
        options.letters = .modern
        return Case(layout: layout, options: options)
    }

    /// The case for `seed` with calls (deterministic): `draw(seed:target:)`'s layout, then,
    /// from a separate random stream, big `align` items between sections (gaps of up to 64 MB
    /// on ARM, 256 MB on arm64, without file bytes), global functions in the code sections and
    /// calls from the code sections to them, so that both linkers add branch stubs
    /// (docs/linkers.md, "Branch stubs").
    /// `thumb`: an ARM layout of Thumb-2 code (gaps of up to 32 MB).
    public static func drawWithCalls(seed: UInt64, target: TargetABI = .arm32, thumb: Bool = false) -> Case {
        var testCase = draw(seed: seed, target: target)
        var rng = SeededRandom(seed: seed ^ 0x5eed_ca11_5eed_ca11)
        var layout = testCase.layout
        layout.name = "differential-calls-\(seed)"
        layout.usesThumb = thumb && target == .arm32
        // log2 of the branch range: 27 (AArch64), 25 (ARM), 24 (Thumb-2).
        let range = target.pointerSize == 8 ? 27 : layout.usesThumb ? 24 : 25
        // Make sure there are two code sections at least, the second one far away.
        let far = Section(name: ".text.far", kind: .text, alignment: 4, size: 4 * UInt64(RandomDraws.value(in: 2...64, using: &rng)))
        layout.items.append(.align(UInt64(1) << UInt64(range)))
        layout.items.append(.section(far))
        var items: [Layout.Item] = []
        for item in layout.items {
            if case .section = item, !items.isEmpty, RandomDraws.chance(1, in: 3, using: &rng) {
                // 2^23…2^26 on ARM, 2^25…2^28 on arm64, 2^22…2^25 on Thumb-2: often just in or
                // just out of range.
                let exponent = RandomDraws.value(in: (range - 2)...(range + 1), using: &rng)
                items.append(.align(UInt64(1) << UInt64(exponent)))
            }
            items.append(item)
        }
        layout.items = items
        // Functions: a few globals at word offsets of every code section.
        var functionCount = 0
        for index in layout.items.indices {
            guard case .section(var section) = layout.items[index], section.flags.contains(.code), section.size >= 4 else { continue }
            for _ in 0..<RandomDraws.value(in: 1...4, using: &rng) {
                let offset = 4 * UInt64(RandomDraws.index(Int(section.size / 4), using: &rng))
                section.members.append(.symbol(name: Array("fn_\(functionCount)".utf8), offset: offset, binding: .global))
                functionCount += 1
            }
            layout.items[index] = .section(section)
        }
        var callable = layout.callableSymbols.map(\.bytes).sorted { $0.lexicographicallyPrecedes($1) }
        if layout.usesThumb {
            // Thumb functions: symbols of code sections (at word offsets here).
            let code = Set(
                layout.sections.filter { $0.flags.contains(.code) && !$0.hostsKallsyms }.flatMap { section in
                    section.members.compactMap { member -> [UInt8]? in if case .symbol(let name, _, _) = member { return name } else { return nil } }
                })
            callable = callable.filter(code.contains)
        }
        for index in layout.items.indices {
            guard case .section(var section) = layout.items[index], section.flags.contains(.code), section.size >= 4,
                !callable.isEmpty
            else { continue }
            var used = Set<UInt64>()
            for _ in 0..<RandomDraws.value(in: 0...12, using: &rng) {
                let offset = 4 * UInt64(RandomDraws.index(Int(section.size / 4), using: &rng))
                guard used.insert(offset).inserted else { continue }
                let target = callable[RandomDraws.index(callable.count, using: &rng)]
                section.calls.append(Section.Call(offset: offset, target: target))
            }
            section.calls.sort { $0.offset < $1.offset }
            layout.items[index] = .section(section)
        }
        testCase.layout = layout
        return testCase
    }

    /// A name may be defined once as a global or weak symbol (more is a link error); further
    /// global copies become locals.
    static func uniqueGlobals(_ layout: Layout) -> Layout {
        var seen = Set<[UInt8]>()
        var copy = layout
        for (itemIndex, item) in copy.items.enumerated() {
            guard case .section(var section) = item else { continue }
            for (memberIndex, member) in section.members.enumerated() {
                switch member {
                case .marker(let name, _):
                    if !seen.insert(name).inserted { section.members[memberIndex] = .symbol(name: name, offset: 0, binding: .local) }
                case .symbol(let name, let offset, let binding) where binding != .local:
                    if !seen.insert(name).inserted { section.members[memberIndex] = .symbol(name: name, offset: offset, binding: .local) }
                default:
                    break
                }
            }
            copy.items[itemIndex] = .section(section)
        }
        return copy
    }

    /// What one case showed.
    public enum Verdict: Sendable {
        /// `stubs`: branch stubs in the real linker's last map.
        case agrees(images: Int, stubs: Int)
        /// The maps or the outcome differ: why.
        case differs(String)
        /// The era's generator refused the layout's symbols (the same in both).
        case refused(String)
    }

    /// Builds `testCase` with `toolchain` and with the model, and compares.
    /// - Throws: `Toolchain.Failure` when a tool fails (a layout the real linker refuses).
    public static func check(_ testCase: Case, toolchain: Toolchain) throws -> Verdict {
        var options = testCase.options
        options.linker = toolchain.kind.flavour
        let plan = LinkPlan(testCase.layout)
        var linker = try RealLinker(plan: plan, toolchain: toolchain, options: options, comparesModel: true)
        var cache = CompressionCache()
        let real = try Build(layout: testCase.layout, options: options).run(
            target: testCase.layout.target, cache: &cache,
            linker: &linker)
        let model = Build(layout: testCase.layout, options: options).run(plan: plan)
        if case .generatorFailed(_, let error) = model.outcome { return .refused(error.message) }
        for (index, comparison) in linker.comparisons.enumerated() where !comparison.agrees {
            let model = comparison.onlyInModel.prefix(3).map(Self.line).joined(separator: ", ")
            let real = comparison.onlyInReal.prefix(3).map(Self.line).joined(separator: ", ")
            return .differs(
                "image \(index + 1): model only [\(model)], real only [\(real)]"
                    + (comparison.firstOrderDifference.map { ", order differs at line \($0)" } ?? ""))
        }
        let summary: (BuildResult) -> String = { result in
            "\(result.isConsistent ? "consistent" : "not consistent") after \(result.linkedPasses.count) passes, objects "
                + result.linkedPasses.map { String($0.output.object.size) }.joined(separator: "/")
        }
        guard summary(real) == summary(model) else { return .differs("outcome: real \(summary(real)), model \(summary(model))") }
        let stubs = real.vmlinux?.symbols.filter { Self.isStub($0.name) }.count ?? 0
        return .agrees(images: linker.comparisons.count, stubs: stubs)
    }

    /// GNU ld's `__…_veneer` and LLD's `__…Thunk_…` names.
    static func isStub(_ name: [UInt8]) -> Bool {
        let text = String(decoding: name, as: UTF8.self)
        return text.hasPrefix("__") && (text.hasSuffix("_veneer") || text.contains("Thunk_"))
    }

    static func line(_ record: SymbolRecord) -> String {
        "\(String(record.address, radix: 16)) \(Character(Unicode.Scalar(record.type))) \(String(decoding: record.name, as: UTF8.self))"
    }
}
