import Compressor
import TestSupport
import Testing

/// The v6.12 era (docs/behaviour.md §10): what it keeps that v6.1 drops, its table order, its
/// `kallsyms_seqs_of_names`, and `--absolute-percpu` offsets without `--base-relative`.
@Suite struct Era612Tests {
    /// x86_64 style: per-cpu symbols at 0, text from `_text` up, the tables' own labels in
    /// `.rodata` (as every pass of a 6.12 link has them, from the pass-0 object on).
    static let map = """
        0000000000000000 D __per_cpu_start
        0000000000000000 D fixed_percpu_data
        0000000000000040 D cpu_number
        0000000000002000 D __per_cpu_end
        ffffffff81000000 T _text
        ffffffff81000000 T _stext
        ffffffff81000010 T start_kernel
        ffffffff81000020 T do_one_initcall
        ffffffff81000030 T _etext
        ffffffff82000000 R kallsyms_num_syms
        ffffffff82000008 R kallsyms_names
        ffffffff82000100 R kallsyms_markers
        ffffffff82000108 R kallsyms_token_table
        ffffffff82000400 R kallsyms_token_index
        ffffffff82000600 R kallsyms_offsets
        ffffffff82000700 R kallsyms_relative_base
        ffffffff82000708 R kallsyms_seqs_of_names

        """

    static func names(_ run: KallsymsRun) -> [String] { run.selection.symbols.map { $0.name.text } }

    @Test("v6.12 keeps the kallsyms_* labels that v5.10 and v6.1 ignore")
    func keepsTableSymbols() throws {
        let options = KallsymsOptions(allSymbols: true, absolutePercpu: true)
        let v612 = try Era.v6_12.generate(Self.map.bytes, options: options)
        var v61Options = options
        v61Options.baseRelative = true
        let v61 = try Era.v6_1.generate(Self.map.bytes, options: v61Options)
        let labels = [
            "kallsyms_num_syms", "kallsyms_names", "kallsyms_markers", "kallsyms_token_table",
            "kallsyms_token_index", "kallsyms_offsets", "kallsyms_relative_base",
        ]
        for label in labels {
            #expect(Self.names(v612).contains(label), "\(label)")
            #expect(!Self.names(v61).contains(label), "\(label)")
        }
        // Not in v6.1's list, so both keep it.
        #expect(Self.names(v612).contains("kallsyms_seqs_of_names"))
        #expect(Self.names(v61).contains("kallsyms_seqs_of_names"))
        #expect(v612.selection.symbols.count == v61.selection.symbols.count + labels.count)
    }

    @Test("v6.12 keeps what v6.1's generator filters itself: mksysmap does it now")
    func leavesFilteringToMksysmap() throws {
        let map = """
            c0008000 T _stext
            c0008010 T __crc_foo
            c0008020 T $x
            c0008030 U big_u
            c0008040 T __efistub_bar
            c0008050 T baz_veneer
            c0008060 T _SDA_BASE_
            c0008070 T _etext

            """
        let kept = Self.names(try Era.v6_12.generate(map.bytes, options: .init(allSymbols: true)))
        for name in ["__crc_foo", "$x", "big_u", "__efistub_bar", "baz_veneer", "_SDA_BASE_"] {
            #expect(kept.contains(name), "\(name)")
        }
        var v61 = KallsymsOptions(allSymbols: true)
        v61.baseRelative = true
        let keptBy61 = Self.names(try Era.v6_1.generate(map.bytes, options: v61))
        for name in ["big_u", "__efistub_bar", "baz_veneer", "_SDA_BASE_"] { #expect(!keptBy61.contains(name), "\(name)") }
    }

    @Test("v6.12 writes v6.19's order: counts and names first, then offsets, base and seqs_of_names")
    func tableOrder() throws {
        let run = try Era.v6_12.generate(Self.map.bytes, options: .init(allSymbols: true, absolutePercpu: true))
        #expect(
            run.tables.layout(era: .v6_12, target: .x86_64).entries.map(\.name) == [
                "kallsyms_num_syms", "kallsyms_names", "kallsyms_markers", "kallsyms_token_table",
                "kallsyms_token_index", "kallsyms_offsets", "kallsyms_relative_base", "kallsyms_seqs_of_names",
            ])
        let text = run.assembly.text
        let labels = ["kallsyms_num_syms:", "kallsyms_token_index:", "kallsyms_offsets:", "kallsyms_relative_base:", "kallsyms_seqs_of_names:"]
        let positions = try labels.map { label in try #require(text.range(of: label)).lowerBound }
        #expect(positions == positions.sorted())
        // v6.1 puts the address tables first.
        var v61 = KallsymsOptions(allSymbols: true, absolutePercpu: true)
        v61.baseRelative = true
        let old = try Era.v6_1.generate(Self.map.bytes, options: v61)
        #expect(old.tables.layout(era: .v6_1, target: .x86_64).entries.first?.name == "kallsyms_offsets")
        #expect(old.tables.seqsOfNames == nil)
    }

    @Test("v6.12's kallsyms_seqs_of_names lists the symbols in name order, 3 bytes each")
    func seqsOfNames() throws {
        let run = try Era.v6_12.generate(Self.map.bytes, options: .init(allSymbols: true, absolutePercpu: true))
        let seqs = try #require(run.tables.seqsOfNames)
        let names = run.selection.symbols.map(\.name)
        #expect(seqs.sorted() == Array(names.indices))
        let inOrder = seqs.map { names[$0] }
        #expect(zip(inOrder, inOrder.dropFirst()).allSatisfy { !$1.lexicographicallyPrecedes($0) })
        #expect(run.tables.layout(era: .v6_12, target: .x86_64).size(of: "kallsyms_seqs_of_names") == 3 * names.count)
    }

    @Test("--absolute-percpu without --base-relative: per-cpu values as they are, the rest base − 1 − address")
    func absolutePercpuOffsets() throws {
        let run = try Era.v6_12.generate(Self.map.bytes, options: .init(allSymbols: true, absolutePercpu: true))
        guard case .baseRelative(let offsets, let base, true) = run.tables.addresses else {
            Issue.record("not --absolute-percpu offsets: \(run.tables.addresses)")
            return
        }
        let symbols = run.selection.symbols
        // The base is the first non-absolute symbol in address order, _text here.
        #expect(base.resolved(text: 0xFFFF_FFFF_8100_0000) == 0xFFFF_FFFF_8100_0000)
        for (symbol, offset) in zip(symbols, offsets) {
            if symbol.isPercpuAbsolute {
                #expect(symbol.type == UInt8(ascii: "A"))
                #expect(UInt64(offset) == symbol.address)
            } else {
                #expect(Int32(bitPattern: offset) < 0)
                #expect(0xFFFF_FFFF_8100_0000 &- 1 &- UInt64(bitPattern: Int64(Int32(bitPattern: offset))) == symbol.address)
            }
            #expect(run.tables.addresses.address(at: symbols.firstIndex { $0.name == symbol.name }!, text: 0xFFFF_FFFF_8100_0000) == symbol.address)
        }
        #expect(symbols.contains { $0.isPercpuAbsolute })
        // v6.19 has neither the flag nor a base below the per-cpu symbols: it refuses this map.
        #expect(throws: KallsymsError.self) { try Era.v6_19.generate(Self.map.bytes, options: .init(allSymbols: true)) }
    }

    @Test("without --absolute-percpu v6.12 writes plain offsets from the lowest address")
    func plainOffsets() throws {
        let map = "c0008000 T _text\nc0008000 T _stext\nc0008010 T a\nc0008020 T _etext\n"
        let run = try Era.v6_12.generate(map.bytes, options: .init())
        #expect(run.tables.addresses == .baseRelative(offsets: [0, 0, 0x10, 0x20], base: .textPlus(0), absolutePercpu: false))
        #expect(run.assembly.text.contains("kallsyms_relative_base:\n\tPTR\t_text + 0\n"))
    }

    @Test("v6.12 is named v6.12, 6.12 or 6.12.107 and sits between v6.1 and v6.19")
    func names() {
        #expect(Era(name: "v6.12") == .v6_12)
        #expect(Era(name: "6.12") == .v6_12)
        #expect(Era(name: "6.12.107") == .v6_12)
        #expect(Era.v6_1 < .v6_12 && Era.v6_12 < .v6_19)
        #expect(!Era.seeded.contains(.v6_12))
    }
}
