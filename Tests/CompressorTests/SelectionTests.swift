import Compressor
import TestSupport
import Testing

/// docs/behaviour.md §3: which symbols each era keeps.
@Suite struct SelectionTests {
    func kept(_ era: Era, _ text: String, _ options: KallsymsOptions = .init()) throws -> [String] {
        try era.select(era.parse(text.bytes).records, options: options).symbols.map { $0.name.text }
    }

    static let textRange = "c0001000 T _stext\nc0002000 T _etext\n"

    @Test("outside the text ranges is dropped unless --all-symbols", arguments: Era.allCases)
    func textRangeFilter(_ era: Era) throws {
        let map = Self.textRange + "c0001800 T in_text\nc0003000 D data\n"
        #expect(try kept(era, map).sorted() == ["_etext", "_stext", "in_text"])
        #expect(try kept(era, map, KallsymsOptions(allSymbols: true)).contains("data"))
    }

    @Test("the _etext corner case drops other symbols at _etext's address", arguments: Era.allCases)
    func etextCornerCase(_ era: Era) throws {
        let map = Self.textRange + "c0002000 T after_text\nc0001fff T last\n"
        let names = try kept(era, map)
        #expect(names.contains("last"))
        #expect(!names.contains("after_text"))
        #expect(names.contains("_etext"))
    }

    @Test("init text is a second range with its own corner case", arguments: Era.allCases)
    func initTextRange(_ era: Era) throws {
        let map = Self.textRange + "c0005000 T _sinittext\nc0005010 t init_fn\nc0006000 T _einittext\nc0006000 t at_end\n"
        let names = try kept(era, map)
        #expect(names.contains("init_fn"))
        #expect(!names.contains("at_end"))
    }

    @Test("missing range markers leave [0, 0], which holds address 0", arguments: Era.allCases)
    func missingMarkersHoldZero(_ era: Era) throws {
        let names = try kept(
            era,
            "00000000 T _etext\n00000000 T at_zero\n00000010 T above\n"
                + "c0000000 T _sinittext\nc0000010 T _einittext\n")
        // The text range is [0, 0]; a symbol at 0 also sits at "_etext" (0) and falls to the
        // corner case unless it is _etext itself.
        #expect(names == ["_etext", "_sinittext", "_einittext"])
    }

    @Test("__start_/__stop_ survive the range filter only in v6.19+", arguments: Era.allCases)
    func startStopSymbols(_ era: Era) throws {
        let names = try kept(era, Self.textRange + "c0001800 T x\nc0009000 D __start_sec\nc0009010 D __stop_sec\n")
        #expect(names.contains("__start_sec") == (era >= .v6_19))
        #expect(names.contains("__stop_sec") == (era >= .v6_19))
    }

    @Test("absolute symbols are dropped except the four whitelisted names", arguments: Era.allCases)
    func absoluteWhitelist(_ era: Era) throws {
        let names = try kept(
            era, "00000010 A __gp\n00000020 A other\n00000030 a __kernel_sigtramp\nc0001000 T x\n",
            KallsymsOptions(allSymbols: true))
        #expect(names.contains("__gp"))
        #expect(names.contains("__kernel_sigtramp"))
        #expect(!names.contains("other"))
    }

    @Test("undefined and debugging types", arguments: Era.allCases)
    func undefinedAndDebugging(_ era: Era) throws {
        let all = KallsymsOptions(allSymbols: true)
        let names = try kept(era, "c0001000 U big_u\nc0001000 u small_u\nc0001000 N big_n\nc0001000 n small_n\nc0001000 T t\n", all)
        #expect(!names.contains("small_u"))
        // v3.3 drops only an upper-case N.
        #expect(names.contains("small_n") == (era == .v3_3))
        // v3.3 drops U, u and N; v5.10/v6.1 drop U u N n; v6.19+ only u and n.
        #expect(names.contains("big_u") == (era >= .v6_19))
        #expect(names.contains("big_n") == (era >= .v6_19))
    }

    @Test("v3.3: _text and range markers bypass the read-time rules")
    func v33MarkersBypass() throws {
        let names = try kept(.v3_3, "c0001000 A _stext\nc0001000 U _text\nc0002000 T _etext\n")
        #expect(names.sorted() == ["_etext", "_stext", "_text"])
        // In v5.10 the same map loses the absolute and undefined ones.
        #expect(try kept(.v5_10, "c0001000 A _stext\nc0001000 U _text\nc0002000 T _etext\n") == ["_etext"])
    }

    @Test("v3.3: ARM mapping symbols, $ names, _compiled. and kallsyms_* names are dropped")
    func v33Drops() throws {
        let names = try kept(
            .v3_3,
            Self.textRange
                + "c0001100 t $a\nc0001100 t $d.1\nc0001100 t $x\nc0001100 t gcc2_compiled.\n"
                + "c0001100 T kallsyms_names\nc0001100 T keep\n", KallsymsOptions(allSymbols: true))
        #expect(names.sorted() == ["_etext", "_stext", "keep"])
    }

    @Test("v3.3: --symbol-prefix strips one character before the rules compare")
    func v33SymbolPrefix() throws {
        let options = KallsymsOptions(symbolPrefix: UInt8(ascii: "_"))
        let names = try kept(.v3_3, "c0001000 T __stext\nc0001800 T _x\nc0002000 T __etext\nc0002000 T _y\n", options)
        #expect(names == ["__stext", "_x", "__etext"])
    }

    @Test(
        "v5.10 and v6.1 name lists",
        arguments: [
            ("__crc_foo", [true, false]), (".LASANPC1", [true, false]), ("__efistub_x", [true, true]),
            ("__kvm_nvhe_x", [true, false]), ("__kvm_nvhe_$x", [true, true]), ("f_veneer", [true, true]),
            ("f_from_thumb", [true, true]), ("a.long_branch.b", [true, true]), ("__ARMV7PILongThunk_f", [false, true]),
            ("__kcfi_typeid_f", [false, true]), ("kallsyms_names", [true, true]), ("_SDA_BASE_", [true, true]),
            ("plain", [false, false]),
        ])
    func v510AndV61Lists(_ name: String, _ dropped: [Bool]) throws {
        let map = Self.textRange + "c0001800 T \(name)\n"
        #expect(try !kept(.v5_10, map).contains(name) == dropped[0], "v5.10 \(name)")
        #expect(try !kept(.v6_1, map).contains(name) == dropped[1], "v6.1 \(name)")
        #expect(try kept(.v6_19, map).contains(name), "v6.19 keeps \(name)")
    }

    @Test("--absolute-percpu makes per-cpu symbols type A before sorting", arguments: [Era.v5_10, .v6_1])
    func absolutePercpu(_ era: Era) throws {
        let options = KallsymsOptions(allSymbols: true, absolutePercpu: true, baseRelative: true)
        let selection = try era.select(
            era.parse("0 D __per_cpu_start\n100 D pcpu_var\n200 D __per_cpu_end\nc0001000 T x\n".bytes).records,
            options: options)
        #expect(selection.symbols.map { String(UnicodeScalar($0.type)) } == ["A", "A", "A", "T"])
        #expect(selection.symbols.map(\.isPercpuAbsolute) == [true, true, true, false])
    }

    @Test("--absolute-percpu needs both markers")
    func absolutePercpuNeedsBothMarkers() throws {
        let options = KallsymsOptions(allSymbols: true, absolutePercpu: true)
        for map in ["0 D __per_cpu_start\n100 D pcpu_var\n", "0 D pcpu_var\n100 D __per_cpu_end\n"] {
            let selection = try Era.v5_10.select(Era.v5_10.parse(map.bytes).records, options: options)
            #expect(selection.symbols.allSatisfy { !$0.isPercpuAbsolute })
        }
    }

    @Test("an empty selection is refused up to v6.1 and allowed later", arguments: Era.allCases)
    func emptySelection(_ era: Era) throws {
        if era <= .v6_1 {
            #expect { try era.select([], options: .init()) } throws: { ($0 as? KallsymsError)?.kind == .noValidSymbol }
        } else {
            #expect(try era.select([], options: .init()).symbols.isEmpty)
        }
    }

    @Test(
        "a flag the era does not have is refused",
        arguments: [
            (Era.v3_3, KallsymsOptions(baseRelative: true)), (Era.v6_19, KallsymsOptions(absolutePercpu: true)),
            (Era.v7_0, KallsymsOptions(baseRelative: true)), (Era.v5_10, KallsymsOptions(pcRelative: true)),
            (Era.v6_1, KallsymsOptions(symbolPrefix: UInt8(ascii: "_"))),
        ])
    func unsupportedFlags(_ era: Era, _ options: KallsymsOptions) {
        #expect { try era.validate(options) } throws: { ($0 as? KallsymsError)?.kind == .unsupportedOption }
    }
}
