import Compressor
import Foundation
import Generators
import Randomness
import Testing

@testable import LinkModel

@Suite struct LinkTests {
    static func letter(_ map: LinkedMap, _ name: String) -> Character? {
        map.record(named: name).map { Character(Unicode.Scalar($0.type)) }
    }

    @Test("addresses follow sizes and alignments; the kallsyms object is aligned and moves what follows")
    func addressesFollowSizesAndAlignments() throws {
        let layout = try Layout(
            parsing: """
                base 0x1000
                section .text text align 16 size 0x31
                  start _stext
                  global 0x30 last_fn
                  end _etext
                section .rodata rodata align 64 size 0x24
                  global 0x0 table_a
                  global 0x20 table_b
                  kallsyms 0x20
                  end __end_rodata
                align 256
                absolute __mark
                section .data data align 8 size 0x8
                  local 0x4 counter
                """)
        let plain = layout.link(object: nil)
        #expect(plain.address(of: "_stext") == 0x1000)
        #expect(plain.address(of: "last_fn") == 0x1030)
        #expect(plain.address(of: "_etext") == 0x1031)
        #expect(plain.address(of: "table_a") == 0x1040)
        #expect(plain.address(of: "table_b") == 0x1060)
        #expect(plain.address(of: "__end_rodata") == 0x1064)
        #expect(plain.address(of: "__mark") == 0x1100)
        #expect(plain.address(of: "counter") == 0x1104)
        #expect(Self.letter(plain, "counter") == "d" && Self.letter(plain, "__mark") == "A" && Self.letter(plain, "table_a") == "R")

        let object = KallsymsObject(
            labels: [
                .init(name: Array("kallsyms_names".utf8), offset: 0),
                .init(name: Array("kallsyms_markers".utf8), offset: 0x30),
            ],
            size: 0x40, alignment: 16)
        let linked = layout.link(object: object)
        #expect(linked.address(of: "table_a") == 0x1040)
        #expect(linked.address(of: "kallsyms_names") == 0x1060)
        #expect(linked.address(of: "kallsyms_markers") == 0x1090)
        #expect(linked.address(of: "table_b") == 0x10a0)
        #expect(linked.address(of: "__end_rodata") == 0x10a4)
        #expect(linked.address(of: "__mark") == 0x1100)
        #expect(layout.link(tablesSize: 0x200).address(of: "__mark") == 0x1300)
    }

    @Test("equal addresses are ordered by name bytes (LC_COLLATE=C), whatever the layout order")
    func equalAddressesSortByNameBytes() throws {
        let layout = try Layout(
            parsing: """
                section .text text align 8192 size 0x10
                align 8192
                section .data..percpu data size 0
                  start __per_cpu_load
                  start __per_cpu_start
                  end __per_cpu_end
                align 8192
                absolute __data_loc
                section .data data align 8192 size 0x10
                  global 0x0 some_data
                  start _sdata
                  global 0x0 Zebra
                  global 0x0 9lives
                """)
        let map = layout.link(object: nil)
        let names = map.symbols.filter { $0.address == 0x2000 }.map { String(decoding: $0.name, as: UTF8.self) }
        #expect(
            names == [
                "9lives", "Zebra", "__data_loc", "__per_cpu_end", "__per_cpu_load", "__per_cpu_start",
                "_sdata", "some_data",
            ])
    }

    /// A removed empty section between `previous` and `next`, its marker at `gap` bytes below
    /// `next`. The section holds an object's symbol too, so it has an (empty) input section and
    /// the flags of `removed`; each expectation below was checked with GNU ld 2.40
    /// (`simulate --linker gnu`).
    static func rehomed(
        previous: String, next: String, removed: String = "data", gap: UInt64,
        withInput: Bool = true
    ) throws -> Character? {
        let layout = try Layout(
            parsing: """
                section .before \(previous) align 4096 size \(0x1000 - gap)
                section .empty \(removed) size 0
                  start marker
                \(withInput ? "  global 0x0 obj" : "")
                section .after \(next) align \(gap == 0 ? 1 : 4096) size 0x10
                """)
        return letter(layout.link(object: nil), "marker")
    }

    @Test("a removed section with only script symbols has no flags of its own (GNU ld 2.40): its markers follow the next section")
    func sectionWithoutInputsHasNoFlags() throws {
        #expect(try Self.rehomed(previous: "text", next: "data", removed: "rodata", gap: 0x100, withInput: false) == "D")
        #expect(try Self.rehomed(previous: "text", next: "data", removed: "rodata", gap: 0x100) == "T")
    }

    static func letter(_ map: LinkedMap, _ name: String) -> Character {
        Character(Unicode.Scalar(map.record(named: name)!.type))
    }

    @Test("flags agree: below the next section goes to the previous one, on its start to the next (the 2012 ARM rule)")
    func agreeingFlagsDecideByAddress() throws {
        let below = try Layout(
            parsing: """
                section .init.data text align 4096 size 0x800 flags alloc,load
                align 4096
                section .data..percpu data size 0
                  start __per_cpu_start
                align 8192
                section .data data align 8192 size 0x10
                """)
        let nm2012 = LinkPlan.Conventions(letters: .binutils2012)
        #expect(Self.letter(below.link(object: nil, conventions: nm2012), "__per_cpu_start") == "T")
        #expect(Self.letter(below.link(object: nil), "__per_cpu_start") == "D", "today's nm prints .init.data by its flags")
        let on = below.resizingSection(at: 0, to: 0x1800)
        #expect(Self.letter(on.link(object: nil, conventions: nm2012), "__per_cpu_start") == "D")
    }

    @Test("read-only text before, data after: the removed data section's markers go to data at any address (binutils 2.40)")
    func readOnlyDifferenceFavoursTheMatchingNeighbour() throws {
        #expect(try Self.rehomed(previous: "text", next: "data", gap: 0x100) == "D")
        #expect(try Self.rehomed(previous: "text", next: "data", gap: 0) == "D")
        #expect(try Self.rehomed(previous: "text", next: "data", removed: "rodata", gap: 0x100) == "T")
    }

    @Test("code differs, read-only agrees: the removed section's code flag decides")
    func codeDifferenceFavoursTheMatchingNeighbour() throws {
        #expect(try Self.rehomed(previous: "text", next: "rodata", removed: "rodata", gap: 0x100) == "R")
        #expect(try Self.rehomed(previous: "rodata", next: "text", removed: "rodata", gap: 0x100) == "R")
        #expect(try Self.rehomed(previous: "rodata", next: "text", removed: "text", gap: 0) == "T")
    }

    @Test("load differs (data then bss): a loaded previous section wins")
    func loadedPreviousWinsOverBss() throws {
        #expect(try Self.rehomed(previous: "data", next: "bss", gap: 0) == "D")
    }

    @Test("no kept section before: the next; none at all: absolute")
    func missingNeighbours() throws {
        let first = try Layout(parsing: "section .empty data size 0\n  start m\nsection .text text size 4\n")
        #expect(Self.letter(first.link(object: nil), "m") == "T")
        let alone = try Layout(parsing: "section .empty data size 0\n  start m\n")
        #expect(Self.letter(alone.link(object: nil), "m") == "A")
        #expect(NearbySection.choose(previous: nil, next: nil, removed: [], address: 0) == .absolute)
    }

    @Test("an empty section without symbols is ignored; with symbols they get its aligned address but . does not move (GNU ld 2.40)")
    func emptySectionAlignment() throws {
        let layout = try Layout(
            parsing: """
                section .text text size 0x10
                section .nothing data align 4096 size 0
                section .data data align 4 size 4
                  start _sdata
                """)
        #expect(layout.link(object: nil).address(of: "_sdata") == 0x10)
        let withMarker = try Layout(parsing: layout.description.replacingOccurrences(of: "size 0x0\n", with: "size 0x0\n  start m\n"))
        #expect(withMarker.link(object: nil).address(of: "m") == 0x1000)
        #expect(withMarker.link(object: nil).address(of: "_sdata") == 0x10)
        // LLD keeps the section (it holds a symbol) and moves on past its alignment.
        #expect(withMarker.link(object: nil, conventions: .init(linker: .lld)).address(of: "_sdata") == 0x1000)
    }

    @Test("weak table declarations are undefined w lines until an object defines them")
    func weakReferencesShowUntilDefined() throws {
        let layout = try Layout(parsing: "section .text text size 4\n  global 0x0 f\nsection .rodata rodata size 4\n")
        let weak = [Array("kallsyms_names".utf8), Array("kallsyms_addresses".utf8)]
        let first = layout.link(object: nil, weakReferences: weak)
        #expect(first.undefinedWeak == [Array("kallsyms_addresses".utf8), Array("kallsyms_names".utf8)])
        #expect(String(decoding: first.text(), as: UTF8.self).hasPrefix("         w kallsyms_addresses\n"))
        let second = layout.link(
            object: KallsymsObject(labels: [.init(name: weak[0], offset: 0)], size: 8, alignment: 4),
            weakReferences: weak)
        #expect(second.undefinedWeak == [Array("kallsyms_addresses".utf8)])
        #expect(Self.letter(second, "kallsyms_names") == "R")
    }

    @Test("the direct map equals what each era's parser reads from the nm text")
    func directRecordsEqualParsedText() throws {
        let map = Scenario.arm2012UniprocessorFixed.layout.link(object: nil, weakReferences: Era.v3_3.build.weakTableNames)
        for era in [Era.v3_3, .v6_19] {
            let parsed = try era.parse(era == .v3_3 ? map.text() : MapWriter.write(map.symbols, addressWidth: 8))
            #expect(parsed.records.count == map.symbols.count)
            #expect(zip(parsed.records, map.symbols).allSatisfy { $0.sameLine(as: $1) })
        }
    }

    @Test("runs of equal addresses are sorted by name bytes, locals first among equal names, else in emission order")
    func runsOfEqualAddressesAgainstAReferenceSort() {
        var random = SeededRandom(seed: 0x50_47)
        func next() -> UInt64 { random.next() }
        let names: [[UInt8]] = ["", "a", "b", "ab", "a\u{0}", "A", "_a", "a_", "zz", "\u{ff}"].map { Array($0.utf8) }
        var unsortedRuns = 0
        for _ in 0..<2_000 {
            var address: UInt64 = 0x1000
            let records = (0..<Int(next() % 40)).map { line -> SymbolRecord in
                if next() % 3 == 0 { address += 4 }
                let type = Array("TtDd".utf8)[Int(next() % 4)]
                return SymbolRecord(address: address, type: type, name: names[Int(next() % UInt64(names.count))], line: line + 1)
            }
            var sorted = records
            MapOrder.sortRunsOfEqualAddresses(&sorted)
            // The reference: a stable sort of all records by (address, name, local first).
            let expected = records.enumerated().sorted { a, b in
                let x = a.element, y = b.element
                if x.address != y.address { return x.address < y.address }
                if x.name != y.name { return x.name.lexicographicallyPrecedes(y.name) }
                let xLocal = x.type >= UInt8(ascii: "a"), yLocal = y.type >= UInt8(ascii: "a")
                if xLocal != yLocal { return xLocal }
                return a.offset < b.offset
            }.map(\.element)
            #expect(sorted == expected)
            if sorted != records { unsortedRuns += 1 }
        }
        #expect(unsortedRuns > 1_000)
        #expect(MapOrder.compareNames(Array("a".utf8), Array("ab".utf8)) < 0)
        #expect(MapOrder.compareNames([0xFF], Array("a".utf8)) > 0)
        #expect(MapOrder.compareNames(Array("ab".utf8), Array("ab".utf8)) == 0)
    }
}
