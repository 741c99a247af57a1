import Compressor
import LinkModel
import Randomness
import Testing

@testable import Generators

@Suite struct LayoutGeneratorTests {
    static let generator = LayoutGenerator(profile: .arm)

    static func layout(_ count: Int, seed: UInt64, shape: LayoutShape? = nil) -> Layout {
        var rng = SeededRandom(seed: seed)
        if let shape { return generator.generate(symbols: count, shape: shape, using: &rng) }
        return generator.generate(symbols: count, using: &rng)
    }

    static func section(_ layout: Layout, _ name: String) -> Section? { layout.sections.first { $0.name == name } }

    static func names(_ section: Section) -> [String] {
        section.members.compactMap { member in
            switch member {
            case .marker(let name, _), .symbol(let name, _, _): return String(decoding: name, as: UTF8.self)
            case .kallsyms: return nil
            }
        }
    }

    @Test("the same seed gives the same layout; other seeds other layouts")
    func deterministicPerSeed() {
        let layout = Self.layout(2000, seed: 5)
        #expect(layout == Self.layout(2000, seed: 5))
        #expect(layout != Self.layout(2000, seed: 6))
    }

    @Test(
        "layouts are valid: text form round trip, offsets within sizes, one kallsyms host, about the size asked",
        arguments: [0, 19, 40, 300, 5000])
    func layoutsAreValid(_ count: Int) throws {
        for seed in UInt64(1)...3 {
            let layout = Self.layout(count, seed: seed)
            #expect(try Layout(parsing: layout.description) == layout)
            #expect(layout.target == .arm32)
            var hosts = 0
            for section in layout.sections {
                #expect(section.alignment > 0 && section.alignment & (section.alignment - 1) == 0)
                if section.hostsKallsyms { hosts += 1 }
                for case .symbol(_, let offset, _) in section.members { #expect(offset <= section.size) }
            }
            #expect(hosts == 1)
            #expect(abs(layout.symbolCount - max(count, LayoutGenerator.scriptMarkers.count)) <= max(3, count / 100))
            // Every marker of the script is defined exactly once.
            var defined: [String: Int] = [:]
            for section in layout.sections { for name in Self.names(section) { defined[name, default: 0] += 1 } }
            for case .absolute(let name) in layout.items { defined[String(decoding: name, as: UTF8.self), default: 0] += 1 }
            for marker in LayoutGenerator.scriptMarkers { #expect(defined[marker] == 1, "\(marker)") }
            // It links, and every symbol of the layout is in the map.
            #expect(layout.link(tablesSize: 0).symbols.count == layout.symbolCount)
        }
    }

    @Test("an ARM-sized layout has about the learned kernel's symbol count and links")
    func armSized() {
        let layout = Self.layout(LayoutGenerator.armSized, seed: 1)
        #expect(abs(layout.symbolCount - LayoutGenerator.armSized) < LayoutGenerator.armSized / 100)
        let map = layout.link(tablesSize: 700_000)
        #expect(map.symbols.count == layout.symbolCount)
        #expect(map.symbols.last!.address < 0xFFFF_FFFF)
        let text = Self.section(layout, ".text")!
        #expect(text.symbolCount > 30_000)
        #expect(text.size > 0x40_0000)
    }

    @Test("the shape decides the per-cpu section and the letters of .init.data")
    func shapes() {
        let up = Self.layout(3000, seed: 2, shape: .arm2012Uniprocessor)
        let percpu = Self.section(up, ".data..percpu")!
        #expect(percpu.size == 0 && Self.names(percpu) == ["__per_cpu_load", "__per_cpu_start", "__per_cpu_end"])
        #expect(Self.section(up, ".init.data")!.kind == .text)
        #expect(Self.section(up, ".init.data")!.flags == [.alloc, .load])
        #expect(up.name == "arm-up-nm2012-pcpu4096-biased")
        let smp = Self.layout(3000, seed: 2, shape: LayoutShape(isUniprocessor: false, letters: .byFlags, percpuAlignment: 32))
        #expect(Self.section(smp, ".data..percpu")!.symbolCount > 3)
        #expect(Self.section(smp, ".init.data")!.kind == .data)
        #expect(smp.items.contains(.align(32)))
    }

    /// The script laid out directly for `shape`, as `layout(shape:)` did before a population's
    /// two layouts were shaped after the fact: the oracle of `populationBases`.
    static func direct(_ parts: LayoutParts, _ shape: LayoutShape) -> Layout {
        var script = ArmKernelScript(head: parts.head, text: parts.text, rodata: parts.rodata)
        if parts.roAfterInit.hasSymbols {
            script.afterRodata = [.section(ArmKernelScript.section(".data..ro_after_init", .data, alignment: 32, parts.roAfterInit))]
        }
        script.initText = parts.initText
        script.initData = parts.initData
        script.initDataKind = shape.letters == .byName2012 ? .text : .data
        script.percpu = ArmKernelScript.Percpu(
            alignBefore: shape.percpuAlignment, alignment: 32, part: shape.isUniprocessor ? ArmKernelScript.Part() : parts.percpu)
        script.data = parts.data
        script.bss = parts.bss
        return script.layout(name: "arm-" + shape.description)
    }

    @Test("a population's bases are its two layouts shaped, equal to laying out each shape directly, members shared")
    func populationBases() throws {
        let population = Self.generator.population(symbols: 3000, seed: SeededRandom(seed: 0x17_f))
        var members: [Bool: [[Section.Member]]] = [:]
        for isUniprocessor in [false, true] {
            for letters in [LayoutShape.Letters.byFlags, .byName2012] {
                for alignment: UInt64 in [32, 4096] {
                    let shape = LayoutShape(isUniprocessor: isUniprocessor, letters: letters, percpuAlignment: alignment)
                    let parts = isUniprocessor ? population.uniprocessor : population.smp
                    let base = population.base(shape).layout
                    #expect(base == Self.direct(parts, shape), "\(shape)")
                    #expect(base == parts.layout(shape: shape), "\(shape)")
                    let arrays = base.sections.map(\.members)
                    if let earlier = members[isUniprocessor] {
                        // The same arrays, not equal copies: a link plan recognises them by storage.
                        for (a, b) in zip(arrays, earlier) {
                            #expect(a.withUnsafeBufferPointer { $0.baseAddress } == b.withUnsafeBufferPointer { $0.baseAddress })
                        }
                    }
                    members[isUniprocessor] = arrays
                }
            }
        }
        // The uniprocessor layout holds the SMP one's arrays where the two sections are equal.
        let smp = try #require(members[false]), uniprocessor = try #require(members[true])
        let shared = zip(smp, uniprocessor).filter { a, b in
            !a.isEmpty && a.withUnsafeBufferPointer { $0.baseAddress } == b.withUnsafeBufferPointer { $0.baseAddress }
        }
        #expect(shared.count >= 5)
    }

    @Test("uniprocessor parts made from the SMP ones equal the regions added with the per-cpu one as data", arguments: [true, false])
    func uniprocessorParts(percpuBeforeData: Bool) {
        var random = SeededRandom(seed: 0x17_10)
        let records = SymbolSetGenerator(profile: .arm).generate(symbols: 3000, using: &random)
        // Regions of consecutive records (sorted, so addresses rise within each); a few names
        // of the data region repeated in the per-cpu one, to make later copies local.
        var percpu = Array(records[1000..<1400]), data = Array(records[1400..<2400])
        for index in stride(from: 0, to: 40, by: 4) { percpu[index].name = data[index].name }
        let text = Array(records[0..<1000]), bss = Array(records[2400...])
        let roles: [(records: [SymbolRecord], role: LayoutGenerator.Role)] =
            percpuBeforeData
            ? [(text, .text), (percpu, .percpu), (data, .data), (bss, .bss)]
            : [(text, .text), (data, .data), (percpu, .percpu), (bss, .bss)]
        var smp = LayoutParts(), uniprocessor = LayoutParts()
        for (records, role) in roles {
            _ = smp.add(records, role: role)
            _ = uniprocessor.add(records, role: role == .percpu ? .data : role)
        }
        smp.makeScriptNamesLocal()
        uniprocessor.makeScriptNamesLocal()
        let made = smp.asUniprocessor(percpuBeforeData: percpuBeforeData)
        #expect(smp.percpu.hasSymbols && !made.percpu.hasSymbols)
        for path in LayoutParts.allParts.map(\.path) {
            #expect(made[keyPath: path].members == uniprocessor[keyPath: path].members)
            #expect(made[keyPath: path].size == uniprocessor[keyPath: path].size)
        }
        #expect(made.globalNames == uniprocessor.globalNames)
    }

    @Test("boundary bias: .init.data ends a little below a page boundary when linked without tables")
    func boundaryBias() throws {
        for seed in UInt64(1)...10 {
            let layout = Self.layout(200, seed: seed, shape: .arm2012Uniprocessor)
            let index = try #require(
                layout.items.firstIndex { item in
                    if case .section(let section) = item { return section.name == ".init.data" } else { return false }
                })
            let end = LayoutParts.endAddress(ofItem: index, in: layout)
            let below = (end + 4095) / 4096 * 4096 - end
            #expect(below >= 1 && below <= 2 * LayoutGenerator.expectedTablesSize(symbols: 200))
            // The per-cpu markers sit at that boundary in the first link.
            let map = layout.link(object: nil)
            #expect(map.address(of: "__per_cpu_start") == end + below)
        }
    }

    @Test("shapes print and parse back", arguments: ["up-nm2012-pcpu4096-biased", "smp-nm-pcpu32", "up-nm-pcpu4096"])
    func shapeText(_ text: String) {
        #expect(LayoutShape(parsing: text)?.description == text)
    }

    @Test("malformed shapes are refused", arguments: ["", "up", "up-nm2013-pcpu4096", "smp-nm-pcpu3", "up-nm-pcpu32-fast"])
    func malformedShapes(_ text: String) {
        #expect(LayoutShape(parsing: text) == nil)
    }

    @Test("drawn shapes cover every choice")
    func drawnShapes() {
        var rng = SeededRandom(seed: 9)
        let shapes = (0..<64).map { _ in LayoutShape.random(using: &rng) }
        #expect(Set(shapes.map(\.isUniprocessor)) == [true, false])
        #expect(Set(shapes.map(\.letters)) == Set(LayoutShape.Letters.allCases))
        #expect(Set(shapes.map(\.percpuAlignment)) == [32, 4096])
        #expect(Set(shapes.map(\.isBoundaryBiased)) == [true, false])
    }
}
