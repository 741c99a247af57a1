import Compressor
import Diagnostics
import TestSupport
import Testing

/// `explain`: the differences, the sizes, the first different round and its causes.
@Suite struct ExplanationTests {
    static let base = """
        c0008000 T _text
        c0008000 T _stext
        c0008010 T do_thing
        c0008020 t helper_one
        c0008030 T do_other
        c0008040 T _etext
        c0009000 T __per_cpu_start
        c0009000 T __per_cpu_end
        c000a000 D __data_loc
        c000a000 D _sdata
        c000a010 d some_data

        """

    func explain(_ a: String, _ b: String, era: Era = .v3_3) throws -> Explanation {
        try Explanation.explain(a.bytes, b.bytes, era: era, options: KallsymsOptions(allSymbols: true), target: .arm32)
    }

    @Test("identical maps: no change, no divergence, no size difference")
    func identicalMaps() throws {
        let e = try explain(Self.base, Self.base)
        #expect(e.difference.isEmpty)
        #expect(e.divergence == nil)
        #expect(e.totalDelta == 0)
        #expect(e.mitigations.isEmpty)
        #expect(e.verdict.hasPrefix("The kept symbols of the two maps are identical"))
    }

    @Test("a retyped marker that joins the data boundary: the 2012 story in words")
    func retypedMarker() throws {
        let b = Self.base.replacingOccurrences(of: "c0009000 T __per_cpu_end", with: "c000a000 D __per_cpu_end")
        let e = try explain(Self.base, b)
        let retyped = e.difference.changes(of: .retyped)
        #expect(retyped.map { $0.name.text } == ["__per_cpu_end"])
        #expect(retyped.first?.letterChange == "T -> D")
        #expect(e.changedPairCount > 0)
        let divergence = try #require(e.divergence)
        #expect(divergence.culprits.map { $0.name.text } == ["__per_cpu_end"])
        #expect(e.verdict.contains("`__per_cpu_end` changed from T to D"))
        #expect(e.verdict.contains("now shares c000a000 with"))
        #expect(e.verdict.contains("round \(divergence.round) chose"))
    }

    @Test("reordering equal addresses moves symbols but changes no pair count")
    func reorderOnly() throws {
        let a = Self.base.replacingOccurrences(
            of: "c0008010 T do_thing\nc0008020 t helper_one\nc0008030 T do_other",
            with: "c0008030 T do_other\nc0008030 T do_thing\nc0008030 t helper_one")
        let b = Self.base.replacingOccurrences(
            of: "c0008010 T do_thing\nc0008020 t helper_one\nc0008030 T do_other",
            with: "c0008030 t helper_one\nc0008030 T do_thing\nc0008030 T do_other")
        let e = try explain(a, b)
        #expect(e.difference.changes(of: .moved).count == 2)
        #expect(e.difference.changes.count == 2 && e.difference.changes.allSatisfy { $0.kind == .moved })
        #expect(e.changedPairCount == 0)
        #expect(e.divergence == nil)
        #expect(e.totalDelta == 0)
        #expect(e.verdict.contains("no pair count changed"))
    }

    @Test("added and removed symbols are attributed")
    func addedAndRemoved() throws {
        let b = Self.base.replacingOccurrences(of: "c0008020 t helper_one\n", with: "c0008020 t __helper_one_veneer\n")
        let e = try explain(Self.base, b)
        #expect(e.difference.changes(of: .added).map { $0.name.text } == ["__helper_one_veneer"])
        #expect(e.difference.changes(of: .removed).map { $0.name.text } == ["helper_one"])
        #expect(e.namesDelta != 0 || e.divergence != nil)
    }

    @Test("a mitigation is only claimed when it was computed to keep the size")
    func mitigationsAreComputed() throws {
        let b = Self.base.replacingOccurrences(of: "c0009000 T __per_cpu_end", with: "c000a000 D __per_cpu_end")
        let e = try explain(Self.base, b)
        #expect(e.totalDelta != 0)
        for mitigation in e.mitigations where mitigation.hasPrefix("pad=") {
            let padding = Int(mitigation.dropFirst(4).prefix { $0.isNumber })!
            #expect((e.layoutA.totalSize + padding - 1) / padding == (e.layoutB.totalSize + padding - 1) / padding)
        }
    }
}
