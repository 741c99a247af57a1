import Compressor
import Randomness
import Testing

@testable import LinkModel

/// A small kernel whose empty per-cpu section's markers are `D` without tables and `T` once
/// the first tables push `.init.data` past a page: the smallest 2012-style trigger.
enum FlipLayout {
    static func make(initSize: UInt64, initAlignment: UInt64 = 16) -> Layout {
        var text = """
            base 0xc0008000
            section .text text align 4096 size 0x200
              start _text
              start _stext
              global 0x0 stext
              global 0x40 start_kernel
              local 0x80 rest_init
              global 0xc0 panic
              local 0x100 do_one_initcall
              end _etext
            section .rodata rodata align 4096 size 0x40
              global 0x0 linux_banner
              local 0x20 __func__.12345
            section .init.data text align \(initAlignment) size 0x\(String(initSize, radix: 16)) flags alloc,load
              global 0x0 __setup_start
              local 0x10 __irf_start
            align 4096
            section .data..percpu data size 0
              start __per_cpu_load
              start __per_cpu_start
              end __per_cpu_end
            absolute __init_end
            align 8192
            absolute __data_loc
            section .data data align 8192 size 0x2100
              start _data
              start _sdata
              global 0x0 init_thread_union
              local 0x2000 jiffies_lock
            section .bss bss align 32 size 0x40
              global 0x0 jiffies
              local 0x20 counter
            """
        text += "\n"
        return try! Layout(parsing: text)
    }

    /// `.init.data` ends `gap` bytes below the 8 KiB boundary in the first link.
    static func endingBelowBoundary(by gap: UInt64) -> Layout {
        // .text at 0xc0008000, .rodata at 0xc0009000 (0x40 bytes), .init.data right after it; 0xc000c000 is 8 KiB aligned.
        make(initSize: 0xc000_c000 - gap - 0xc000_9040)
    }
}

@Suite struct BuildTests {
    static func build(
        _ layout: Layout, _ era: Era, allSymbols: Bool = true, extra: String? = nil,
        _ mitigations: [Mitigation] = []
    ) -> BuildResult {
        Build(
            layout: layout,
            options: BuildOptions(
                era: era, kallsyms: KallsymsOptions(allSymbols: allSymbols),
                mitigations: mitigations, kallsymsExtraPass: extra,
                letters: .binutils2012)
        ).run()
    }

    @Test("the flip layout puts the per-cpu markers on .data (D) first, one page below (T) with tables")
    func flipLayoutFlips() {
        let result = Self.build(FlipLayout.endingBelowBoundary(by: 0x100), .v3_3)
        let letters = result.linkedPasses.map { Character(Unicode.Scalar($0.map.record(named: "__per_cpu_start")!.type)) }
        #expect(letters == ["D", "T"])
        // The flip shrinks kallsyms_token_table by 3 bytes, which v3.3's 16-byte `.align 4`
        // on ARM absorbs: same object, consistent.
        #expect(
            result.passes[0].output.tables.size(of: "kallsyms_token_table")
                != result.passes[1].output.tables.size(of: "kallsyms_token_table"))
        #expect(result.passes[0].output.object == result.passes[1].output.object)
        #expect(result.isConsistent)
    }

    @Test("v3.3: two passes; KALLSYMS_EXTRA_PASS set and not 0 adds the third")
    func v33PassStructure() {
        let layout = FlipLayout.endingBelowBoundary(by: 0x100)
        #expect(Self.build(layout, .v3_3).passes.map(\.number) == [1, 2])
        #expect(Self.build(layout, .v3_3, extra: "0").passes.map(\.number) == [1, 2])
        #expect(Self.build(layout, .v3_3, extra: "").passes.map(\.number) == [1, 2])
        #expect(Self.build(layout, .v3_3, extra: "1").passes.map(\.number) == [1, 2, 3])
        let result = Self.build(layout, .v3_3)
        #expect(result.passes[0].image == ".tmp_vmlinux1" && result.passes[0].linkedWithPass == nil)
        #expect(result.passes[1].linkedWithPass == 1)
        #expect(result.passes[0].map.undefinedWeak.count == 6)
        #expect(result.passes[1].map.undefinedWeak.isEmpty)
    }

    @Test("v5.10 and v6.1: a third pass by itself when the object size changed; any non-empty EXTRA_PASS, even 0")
    func automaticThirdPass() {
        let layout = FlipLayout.endingBelowBoundary(by: 0x100)
        for era in [Era.v5_10, .v6_1] {
            let result = Self.build(layout, era)
            let sizes = result.linkedPasses.map(\.output.object.size)
            #expect(sizes[0] != sizes[1], "the letter flip must change the object size for this test")
            #expect(result.passes.map(\.number) == [1, 2, 3])
            #expect(Self.build(layout, era, extra: "0").passes.count == 3)
        }
        let fixed = Scenario.arm2012UniprocessorFixed.layout
        let steady = Build(layout: fixed, options: BuildOptions(era: .v5_10, kallsyms: KallsymsOptions(allSymbols: true))).run()
        #expect(steady.passes.map(\.number) == [1, 2])
        #expect(steady.isConsistent)
    }

    @Test("v5.10 declares both address tables weak: the one not generated stays undefined")
    func weakDeclarationsPerEra() {
        let layout = FlipLayout.endingBelowBoundary(by: 0x100)
        let plain = Self.build(layout, .v5_10)
        #expect(plain.passes[0].map.undefinedWeak.count == 8)
        #expect(plain.passes[1].map.undefinedWeak == [Array("kallsyms_offsets".utf8), Array("kallsyms_relative_base".utf8)])
        let relative = Build(layout: layout, options: BuildOptions(era: .v5_10, kallsyms: KallsymsOptions(allSymbols: true, baseRelative: true))).run()
        #expect(relative.passes[1].map.undefinedWeak == [Array("kallsyms_addresses".utf8)])
        let v619 = Self.build(layout, .v6_19).passes
        #expect(v619.count >= 3, "pass 0 and at least two linked passes")
        #expect(v619.allSatisfy { $0.map.undefinedWeak.isEmpty })
    }

    @Test("v6.19 and v7.0: pass 0 runs kallsyms on no symbols and every image holds an object")
    func passZero() {
        for era in [Era.v6_19, .v7_0] {
            let result = Self.build(FlipLayout.endingBelowBoundary(by: 0x100), era)
            #expect(result.passes.first?.number == 0)
            #expect(result.passes[0].output.symbolsKept == 0)
            #expect(result.passes[0].output.tables.size(of: "kallsyms_names") == 0)
            #expect(result.passes[1].linkedWithPass == 0)
            #expect(result.passes[1].image == ".tmp_vmlinux1")
            #expect(result.passes[1].map.address(of: "kallsyms_names") != nil)
            #expect(result.passes[1].input.contains { $0.name == Array("kallsyms_names".utf8) })
        }
    }

    @Test("v3.3 and v5.10 feed kallsyms the raw nm; v6.1+ the mksysmap-filtered .syms")
    func kallsymsInputPerEra() throws {
        let layout = try Layout(
            parsing: """
                section .text text align 4 size 0x40
                  global 0x0 _stext
                  local 0x4 $d
                  local 0x8 .LANCHOR0
                  global 0x10 __crc_foo
                  global 0x20 real
                section .rodata rodata size 4
                """)
        func names(_ era: Era) -> Set<String> {
            Set(Self.build(layout, era).passes.last!.input.map { String(decoding: $0.name, as: UTF8.self) })
        }
        #expect(names(.v3_3).isSuperset(of: ["$d", ".LANCHOR0", "__crc_foo", "real"]))
        #expect(names(.v5_10).isSuperset(of: ["$d", ".LANCHOR0", "__crc_foo"]))
        #expect(names(.v6_1).isDisjoint(with: ["$d", ".LANCHOR0", "__crc_foo"]) && names(.v6_1).contains("real"))
        #expect(names(.v7_0).isDisjoint(with: ["$d", ".LANCHOR0", "__crc_foo"]))
    }

    @Test("the final check compares mksysmap(vmlinux) with mksysmap(last image), as cmp does")
    func finalCheck() {
        let result = ScenarioTests.uniprocessor
        guard case .inconsistent(let mismatch) = result.outcome else {
            Issue.record("expected inconsistent, got \(result.outcome)")
            return
        }
        #expect(mismatch.referenceName == ".tmp_System.map")
        #expect(mismatch.differingLines > 0)
        let filter = SystemMapFilter.v3_3
        let expected = zip(filter.apply(result.vmlinux!.symbols), filter.apply(result.passes.last!.map.symbols))
            .filter { !$0.sameLine(as: $1) }.count
        #expect(mismatch.differingLines == expected)
        let v61 = Self.build(FlipLayout.endingBelowBoundary(by: 0x100), .v6_1, extra: nil, [.fixedPoint(maxPasses: 2)])
        guard case .inconsistent(let other) = v61.outcome else {
            Issue.record("v6.1 capped at 2 passes: expected inconsistent, got \(v61.outcome)")
            return
        }
        #expect(other.referenceName == ".tmp_vmlinux.kallsyms2.syms")
        #expect(Build.compare([SymbolRecord(1, "T", "a")], with: [SymbolRecord(1, "T", "a", line: 9)], reference: "x") == nil)
    }

    @Test("mksysmap per era: v3.3 keeps A and .L, drops a, w, __crc_ anywhere and $a/$d/$t")
    func systemMapFilters() {
        let records = [
            SymbolRecord(1, "A", "__data_loc"), SymbolRecord(1, "a", "local_abs"), SymbolRecord(1, "w", "weak"),
            SymbolRecord(1, "T", "x__crc_y"), SymbolRecord(1, "t", "$d.1"), SymbolRecord(1, "t", ".L1"),
            SymbolRecord(1, "T", "__ARMV7PILongThunk_foo"), SymbolRecord(1, "T", "foo_veneer"),
            SymbolRecord(1, "r", "__UNIQUE_ID_modinfo12"), SymbolRecord(1, "T", "kept"),
        ]
        func kept(_ filter: SystemMapFilter) -> [String] { filter.apply(records).map { String(decoding: $0.name, as: UTF8.self) } }
        #expect(kept(.v3_3) == ["__data_loc", ".L1", "__ARMV7PILongThunk_foo", "foo_veneer", "__UNIQUE_ID_modinfo12", "kept"])
        #expect(kept(.v5_10) == ["__data_loc", "__ARMV7PILongThunk_foo", "foo_veneer", "__UNIQUE_ID_modinfo12", "kept"])
        #expect(kept(.v6_19) == ["__data_loc", "x__crc_y", "kept"])
    }

    @Test(
        "mksysmap's indexed matcher agrees with a plain reading of each era's patterns",
        arguments: [SystemMapFilter.v3_3, .v5_10, .v6_1, .v6_19])
    func systemMapFilterMatchesPlainReading(_ filter: SystemMapFilter) {
        func plainKeeps(_ record: SymbolRecord) -> Bool {
            let name = record.name
            func occurs(_ pattern: [UInt8], at offset: Int) -> Bool {
                offset >= 0 && offset + pattern.count <= name.count && Array(name[offset..<(offset + pattern.count)]) == pattern
            }
            if filter.droppedTypes.contains(record.type) || filter.droppedNames.contains(name) { return false }
            if filter.droppedPrefixes.contains(where: { occurs($0, at: 0) }) { return false }
            if filter.droppedSuffixes.contains(where: { occurs($0, at: name.count - $0.count) }) { return false }
            if filter.droppedSubstrings.contains(where: { pattern in (0...name.count).contains { occurs(pattern, at: $0) } }) {
                return false
            }
            return name.withUnsafeBufferPointer { !(filter.dropsThunksAndModinfo && (SystemMapFilter.isThunk($0) || SystemMapFilter.isModinfoID($0))) }
        }
        // Names built from the patterns' own pieces, so that near misses are common.
        let pieces = [
            "", "_", "__", "$", "$a", ".L", "L0", "__crc_", "crc", "__kstrtab_", "Thunk_", "__ARMV7", "_veneer",
            "_from_arm", ".long_branch.", "__UNIQUE_ID_modinfo", "12", "x", "_SDA_BASE_", "__pi_", "__kvm_nvhe_",
        ]
        var generator = SeededRandom(seed: 0x5eed_f11e)
        var kept = 0, dropped = 0
        for _ in 0..<3000 {
            let name = (0..<Int.random(in: 0...3, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let type: Character = ["T", "t", "a", "A", "w", "N", "U", "d"].randomElement(using: &generator)!
            let record = SymbolRecord(1, type, name)
            #expect(filter.keeps(record) == plainKeeps(record), "\(type) \(name)")
            if plainKeeps(record) { kept += 1 } else { dropped += 1 }
        }
        // The drawn names land on both sides of the filter.
        #expect(kept >= 300 && dropped >= 300, "kept \(kept), dropped \(dropped)")
    }

    @Test("a pass the generator refuses ends the build with an error, not a crash")
    func generatorRefusalIsAnOutcome() throws {
        let layout = try Layout(parsing: "absolute only_absolute\nsection .rodata rodata size 4\n")
        let result = Self.build(layout, .v3_3, allSymbols: false)
        guard case .generatorFailed(let pass, let error) = result.outcome else {
            Issue.record("expected a refusal, got \(result.outcome)")
            return
        }
        #expect(pass == 1 && error.kind == .noValidSymbol)
        #expect(result.vmlinux == nil)
    }

    @Test("identical inputs reuse the tables; a map that only moved reuses the compression")
    func cachesAvoidRecompression() {
        let result = Build(
            layout: Scenario.arm2012UniprocessorFixed.layout,
            options: Scenario.arm2012UniprocessorFixed.options(mitigations: [.extraPass])
        ).run()
        #expect(result.passes.map(\.output.work) == [.compressed, .reusedCompression, .reusedTables])
        #expect(result.isConsistent)
    }

    @Test("a cache shared by builds of one layout compresses pass 1 once (a mitigations campaign)")
    func sharedCacheAcrossBuilds() {
        let scenario = Scenario.arm2012UniprocessorFixed
        let plan = LinkPlan(scenario.layout)
        var cache = CompressionCache()
        let first = Build(layout: plan.layout, options: scenario.options()).run(plan: plan, cache: &cache)
        let padded = Build(layout: plan.layout, options: scenario.options(mitigations: [.pad(bytes: 64)]))
            .run(plan: plan, cache: &cache)
        #expect(first.passes.first?.output.work == .compressed)
        #expect(padded.passes.map(\.output.work) == [.reusedCompression, .reusedCompression])
        #expect(padded.passes[0].output.tables == first.passes[0].output.tables)
        let uncompressedType = Build(layout: plan.layout, options: scenario.options(mitigations: [.uncompressedType]))
            .run(plan: plan, cache: &cache)
        #expect(uncompressedType.passes.first?.output.work == .compressed)
        let computed = [first, padded, uncompressedType].flatMap(\.passes).filter { $0.output.work == .compressed }
        #expect(computed.count == 2)
        // Each computed compression, and the permutation of it that pass 2 used (kept so that
        // the next build with pass 2's strings finds it exactly).
        #expect(cache.count == 4)
    }

    @Test(
        "KALLSYMS_EXTRA_PASS is tested per era",
        arguments: [
            (Era.v3_3, "0", false), (.v3_3, "1", true), (.v3_3, "", false), (.v5_10, "0", true), (.v6_19, "", false),
        ])
    func extraPassSwitch(_ era: Era, _ value: String, _ asks: Bool) {
        #expect(era.build.asksForExtraPass(value) == asks)
    }
}
