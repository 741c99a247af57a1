import Compressor
import Generators
import LinkModel
import Randomness
import TestSupport
import Testing

@Suite struct MutationTests {
    static let map = Fixtures.records(
        [
            (0xc030_0000, "T", "_stext"), (0xc030_0000, "T", "__turn_mmu_on"),
            (0xc030_0044, "T", "cpu_ca15_reset"), (0xc030_0044, "T", "cpu_ca8_reset"), (0xc030_0044, "T", "cpu_v7_reset"),
            (0xc030_0060, "t", "helper"), (0xc030_0080, "t", "helper"), (0xc030_0080, "t", "helper"),
            (0xc030_0100, "t", "__printk_veneer"), (0xc030_0200, "T", "printk"),
            (0xc132_a000, "D", "__per_cpu_start"), (0xc133_4fd4, "D", "__per_cpu_end"),
            (0xc140_0000, "D", "__init_end"), (0xc140_0000, "D", "_sdata"),
        ].sorted { ($0.0, Array($0.2.utf8).lexicographicallyPrecedes(Array($1.2.utf8)) ? 0 : 1) < ($1.0, 1) })

    static func names(_ records: [SymbolRecord]) -> [String] {
        records.map { String(decoding: $0.name, as: UTF8.self) }
    }

    static func mutation(_ text: String) throws -> Mutation { try Mutation(parsing: text) }

    static func expectFailure(
        _ kind: MutationError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> [SymbolRecord]
    ) {
        do {
            _ = try body()
            Issue.record("expected a \(kind) error", sourceLocation: sourceLocation)
        } catch let error as MutationError {
            #expect(error.kind == kind, sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Text form

    @Test("every mutation round-trips through its text form, odd bytes included")
    func everyMutationRoundTripsThroughItsTextForm() throws {
        let odd: [[UInt8]] = [
            Array("a b".utf8), Array("tab\there".utf8), Array("at@hash#back\\slash".utf8), [],
            [0xC3, 0xA9, 0x7F, 0x01], Array("\\e".utf8), Array("-0x10".utf8),
        ]
        var mutations: [Mutation] = []
        for name in odd {
            let reference = SymbolReference(name: name, address: 0xc030_0000, occurrence: 2)
            mutations += [
                .retype(reference, to: 0x20), .retype(SymbolReference(name: name), to: UInt8(ascii: "#")),
                .realign(from: reference, by: -0x2c), .realign(from: reference, by: Int64.min),
                .realign(from: reference, by: Int64.max), .insertStub(.thumbv7Thunk, target: reference, at: 0),
                .removeStub(reference), .rename(reference, to: name), .insert(address: .max, type: 0xFF, name: name),
                .delete(reference),
            ]
        }
        mutations.append(.reorder(address: 0xc030_0044, order: [2, 0, 1]))
        // And random ones drawn from a generated map.
        let generated = Fixtures.map(2000, seed: 9)
        let space = MutationSpace(map: generated)
        var rng = SeededRandom(seed: 10)
        for kind in space.drawableKinds {
            for _ in 0..<25 { mutations.append(space.random(kind, using: &rng)) }
        }
        for mutation in mutations {
            let text = mutation.description
            #expect(!text.contains("\n") && !text.contains("\t"))
            #expect(try Mutation(parsing: text) == mutation, "\(text)")
        }
        let list = MutationList(mutations)
        #expect(try MutationList(parsing: list.description) == list)
    }

    @Test("the text forms read as documented")
    func textFormsReadAsDocumented() throws {
        #expect(
            try Self.mutation("retype sys_ni_syscall@c03724cc D")
                == .retype(SymbolReference("sys_ni_syscall", at: 0xc037_24cc), to: UInt8(ascii: "D")))
        #expect(try Self.mutation("reorder 0xc0300044 2,0,1") == .reorder(address: 0xc030_0044, order: [2, 0, 1]))
        #expect(try Self.mutation("realign __init_end -0x2c") == .realign(from: SymbolReference("__init_end"), by: -0x2c))
        #expect(try Self.mutation("realign  x  +64") == .realign(from: SymbolReference("x"), by: 64))
        #expect(
            try Self.mutation("insert-stub armv7-thunk printk c0d40000")
                == .insertStub(.armv7Thunk, target: SymbolReference("printk"), at: 0xc0d4_0000))
        #expect(
            try Self.mutation("rename __key.0@c15ebbc8#2 a\\x20b")
                == .rename(SymbolReference("__key.0", at: 0xc15e_bbc8, occurrence: 2), to: Array("a b".utf8)))
        #expect(try Self.mutation("insert c0300100 T \\e") == .insert(address: 0xc030_0100, type: UInt8(ascii: "T"), name: []))
        #expect(Mutation.realign(from: SymbolReference("x", at: 0x10), by: -4).description == "realign x@00000010 -0x4")
    }

    @Test("malformed texts are MutationSyntaxErrors; lists name the line")
    func malformedTextsAreRejected() {
        for text in [
            "", "frobnicate x", "retype x", "retype x TT", "reorder zz 0,1", "reorder c0300000 0,,1",
            "realign x 4q", "insert-stub trampoline x 0", "rename x a\\q", "delete x#y", "delete @c0300000",
            "insert c0300000 T", "realign x +0x8000000000000000",
        ] {
            #expect(throws: MutationSyntaxError.self, "\"\(text)\"") { try Mutation(parsing: text) }
        }
        do {
            _ = try MutationList(parsing: "# comment\n\nretype x T\nretype y\n")
            Issue.record("accepted a malformed list")
        } catch let error as MutationSyntaxError {
            #expect(error.line == 4)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    // MARK: Semantics

    @Test("retype changes one type letter and nothing else")
    func retypeChangesOneLetter() throws {
        let result = try Self.mutation("retype __per_cpu_end T").apply(to: Self.map)
        #expect(zip(result, Self.map).filter { $0.type != $1.type }.count == 1)
        #expect(result.first { $0.name == Array("__per_cpu_end".utf8) }?.type == UInt8(ascii: "T"))
        #expect(result.map(\.name) == Self.map.map(\.name))
    }

    @Test("reorder permutes one group, and a later retype keeps that order")
    func reorderPermutesAGroup() throws {
        let reordered = try Self.mutation("reorder c0300044 2,0,1").apply(to: Self.map)
        #expect(Self.names(reordered)[2...4] == ["cpu_v7_reset", "cpu_ca15_reset", "cpu_ca8_reset"])
        let retyped = try Self.mutation("retype cpu_ca8_reset d").apply(to: reordered)
        #expect(Self.names(retyped) == Self.names(reordered))
        #expect(throws: MutationError.self) { try Self.mutation("reorder c0300044 0,1").apply(to: Self.map) }
        #expect(throws: MutationError.self) { try Self.mutation("reorder c0300044 0,1,1").apply(to: Self.map) }
        #expect(throws: MutationError.self) { try Self.mutation("reorder c0300048 0").apply(to: Self.map) }
    }

    @Test("realign merges groups (sorted as nm sorts) and splits them (order kept)")
    func realignMergesAndSplits() throws {
        // __init_end and _sdata move down onto __per_cpu_end's address: one group, by name.
        let merged = try Self.mutation("realign __init_end -0xcb02c").apply(to: Self.map)
        #expect(MapOrder.isSorted(merged))
        #expect(Self.names(merged.filter { $0.address == 0xc133_4fd4 }) == ["__init_end", "__per_cpu_end", "_sdata"])
        // Splitting the reset group after its first member.
        let split = try Self.mutation("realign cpu_ca8_reset +4").apply(to: Self.map)
        #expect(Self.names(split.filter { $0.address == 0xc030_0044 }) == ["cpu_ca15_reset"])
        #expect(Self.names(split.filter { $0.address == 0xc030_0048 }) == ["cpu_ca8_reset", "cpu_v7_reset"])
        #expect(split.last!.address == 0xc140_0004)
        // A reordered group moved as a whole keeps its order.
        let reordered = try Self.mutation("reorder c0300044 2,1,0").apply(to: Self.map)
        let moved = try Self.mutation("realign cpu_v7_reset +0x10").apply(to: reordered)
        #expect(Self.names(moved.filter { $0.address == 0xc030_0054 }) == ["cpu_v7_reset", "cpu_ca8_reset", "cpu_ca15_reset"])
        Self.expectFailure(.addressOutOfRange) {
            try Self.mutation("realign _stext -0xc0300001").apply(to: Self.map)
        }
    }

    @Test("stubs are named after their target and only stubs can be removed")
    func stubsInsertAndRemove() throws {
        let inserted = try Self.mutation("insert-stub armv7-thunk printk c0300044").apply(to: Self.map)
        #expect(Self.names(inserted.filter { $0.address == 0xc030_0044 }).first == "__ARMV7PILongThunk_printk")
        #expect(inserted.first { $0.name == Array("__ARMV7PILongThunk_printk".utf8) }?.type == UInt8(ascii: "t"))
        for kind in StubKind.allCases {
            let name = kind.name(for: Array("printk".utf8))
            #expect(StubKind.parse(name)?.kind == kind && StubKind.parse(name)?.target == Array("printk".utf8))
        }
        let removed = try Self.mutation("remove-stub __printk_veneer").apply(to: Self.map)
        #expect(removed.count == Self.map.count - 1)
        Self.expectFailure(.notAStub) { try Self.mutation("remove-stub printk").apply(to: Self.map) }
        Self.expectFailure(.noSuchSymbol) { try Self.mutation("insert-stub veneer nosuch 0").apply(to: Self.map) }
    }

    @Test("rename, insert and delete keep nm -n order; references resolve by name, address and occurrence")
    func renameInsertDelete() throws {
        let renamed = try Self.mutation("rename cpu_ca15_reset zzz").apply(to: Self.map)
        #expect(Self.names(renamed.filter { $0.address == 0xc030_0044 }) == ["cpu_ca8_reset", "cpu_v7_reset", "zzz"])
        let inserted = try Self.mutation("insert c0300044 T aaa").apply(to: Self.map)
        #expect(Self.names(inserted.filter { $0.address == 0xc030_0044 }).first == "aaa")
        #expect(MapOrder.isSorted(inserted))
        let deleted = try Self.mutation("delete helper@c0300080#1").apply(to: Self.map)
        #expect(deleted.count == Self.map.count - 1)
        Self.expectFailure(.noSuchSymbol) { try Self.mutation("delete helper@c0300080#2").apply(to: Self.map) }
        #expect(try Self.mutation("delete helper#2").apply(to: Self.map).filter { $0.name == Array("helper".utf8) }.count == 2)
        Self.expectFailure(.noSuchSymbol) { try Self.mutation("retype nosuch T").apply(to: Self.map) }
    }

    @Test("a list applies in order and reports the failing position")
    func listsApplyInOrder() throws {
        let list = try MutationList(parsing: "rename printk vprintk\nretype vprintk t\n")
        let result = try list.apply(to: Self.map)
        #expect(result.first { $0.name == Array("vprintk".utf8) }?.type == UInt8(ascii: "t"))
        do {
            _ = try MutationList(parsing: "retype printk t\ndelete nosuch\n").apply(to: Self.map)
            Issue.record("applied a failing list")
        } catch let error as MutationError {
            #expect(error.position == 1 && error.kind == .noSuchSymbol)
            #expect(error.description.hasPrefix("mutation 2: "))
        }
    }

    // MARK: Mutation space

    @Test("every candidate and every random mutation applies, deterministically, leaving nm -n order")
    func candidatesAndRandomMutationsApply() throws {
        let map = Fixtures.map(1500, seed: 12)
        let space = MutationSpace(map: map)
        for kind in Mutation.Kind.allCases {
            for mutation in space.candidates(kind).prefix(300) {
                let result = try mutation.apply(to: map)
                if kind != .reorder { #expect(MapOrder.isSorted(result), "\(mutation)") }
            }
        }
        #expect(space.candidates(.reorder).count >= 1)
        #expect(space.candidates(.retype).count == map.filter { MutationSpace.sectionCounterpart(of: $0.type) != nil }.count)
        #expect(Set(space.drawableKinds) == Set(Mutation.Kind.allCases).subtracting([.removeStub]))
        // A random list, applied twice, gives the same map.
        var rng = SeededRandom(seed: 13)
        var current = map
        var list: [Mutation] = []
        for _ in 0..<60 {
            let mutation = MutationSpace(map: current).random(using: &rng)
            current = try mutation.apply(to: current)
            list.append(mutation)
        }
        #expect(try MutationList(list).apply(to: map) == current)
        #expect(try MutationList(parsing: MutationList(list).description).apply(to: map) == current)
        #expect(zip(current, current.dropFirst()).allSatisfy { $0.address <= $1.address })
    }
}
