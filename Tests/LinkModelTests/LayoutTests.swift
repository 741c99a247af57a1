import Compressor
import Generators
import Testing

@testable import LinkModel

@Suite struct LayoutTests {
    static let canonical = """
        layout example
        target arm
        base 0xc0008000
        section .text text align 32 size 0x100
          start _stext
          global 0x0 stext
          local 0x40 do_thing
          weak 0x80 maybe
          end _etext_text
        section .rodata rodata align 4096 size 0x20
          global 0x0 some_table
          kallsyms 0x10
        section .init.data text align 16 size 0x8 flags alloc,load
          global 0x4 __initcall_start
        align 4096
        section .data..percpu data align 1 size 0x0
          start __per_cpu_start
          end __per_cpu_end
        absolute __init_end
        align 8192
        absolute __data_loc
        section .data data align 8192 size 0x2000
          start _sdata
        section .bss bss align 32 size 0x0 keep
          start __bss_start

        """

    @Test("the canonical text reads back to the same text")
    func canonicalTextRoundTrips() throws {
        let layout = try Layout(parsing: Self.canonical)
        #expect(layout.description == Self.canonical)
        #expect(layout.name == "example")
        #expect(layout.sections.count == 6)
        #expect(layout.symbolCount == 13)
        #expect(layout.sections[2].flags == [.alloc, .load])
        #expect(layout.sections[5].isKeptWhenEmpty)
    }

    @Test("comments, blank lines, free indentation and decimal numbers are accepted; the value round-trips")
    func looseTextParsesToTheSameValue() throws {
        let loose = """
            # a comment
            base 3221258240   # 0xc0008000

            section .text text align 32 size 256
            start _stext
                 global 0 stext
            """
        let layout = try Layout(parsing: loose)
        #expect(layout.base == 0xc000_8000)
        #expect(try Layout(parsing: layout.description) == layout)
        #expect(layout.description.contains("global 0x0 stext"))
    }

    @Test("names with blanks, #, backslashes and high bytes are escaped and read back")
    func oddNamesRoundTrip() throws {
        let name: [UInt8] = Array("a b#c\\d".utf8) + [0xC3, 0x7F]
        let layout = Layout(items: [
            .section(
                Section(
                    name: ".text", kind: .text, size: 4,
                    members: [.symbol(name: name, offset: 0, binding: .global)]))
        ])
        #expect(layout.description.contains(#"a\x20b\x23c\x5cd\xc3\x7f"#))
        #expect(try Layout(parsing: layout.description) == layout)
    }

    @Test("every scenario's layout round-trips through its text form", arguments: Scenario.all.map(\.name))
    func scenarioLayoutsRoundTrip(_ name: String) throws {
        let layout = try #require(Scenario.named(name)).layout
        try #require(layout.symbolCount > 0)
        #expect(try Layout(parsing: layout.description) == layout)
    }

    @Test("the scenario list holds the three built-in scenarios")
    func scenarioListIsComplete() {
        #expect(Scenario.all.map(\.name) == ["arm-2012-up", "arm-2012-up-fixed", "arm-large"])
    }

    @Test(
        "errors name the line",
        arguments: [
            ("section .t text\nfrobnicate 1\n", 2, "unknown line"),
            ("global 0x0 foo\n", 1, "outside a section"),
            ("section .t text align 3\n", 1, "power of two"),
            ("section .t text size 0x10\n  global 0x20 late\n", 2, "beyond the size"),
            ("section .r rodata size 4\n  kallsyms\n  kallsyms\n", 3, "already placed on line 2"),
            ("section .t text\nsection .t data\n", 2, "already defined on line 1"),
            ("section .t code\n", 1, "unknown section kind"),
            ("target vax\n", 1, "unknown target"),
            ("section .t text\nbase 0x1000\n", 2, "before the first section"),
            ("section .t text size 12z\n", 1, "is not a number"),
            ("section .t text flags alloc,shiny\n", 1, "unknown flags"),
            ("section .t text size 4\n  local 0x0 bad\\x4\n", 2, "malformed name"),
            ("call 0x0 f\n", 1, "outside a section"),
            ("section .t text align 4 size 8\n  global 0x0 f\n  call 0x0\n", 3, "takes an offset and a target"),
            ("section .d data align 4 size 8\n  global 0x0 f\n  call 0x0 f\n", 3, "not code"),
            ("section .t text align 2 size 8\n  global 0x0 f\n  call 0x0 f\n", 3, "alignment of at least 4"),
            ("section .t text align 4 size 8\n  global 0x0 f\n  call 0x2 f\n", 3, "not a multiple of 4"),
            ("section .t text align 4 size 8\n  global 0x0 f\n  call 0x8 f\n", 3, "does not fit"),
            ("section .t text align 4 size 8\n  global 0x0 f\n  call 0x4 f\n  call 0x4 f\n", 4, "already has a call at 0x4"),
            ("section .t text align 4 size 8\n  call 0x4 nowhere\n", 2, "not defined"),
            ("section .t text align 4 size 8\n  local 0x0 f\n  call 0x4 f\n", 3, "not a global or weak"),
            (
                "section .t text align 4 size 8\n  global 0x0 f\n  call 0x4 f\nsection .u text align 4 size 4\n  local 0x0 f\n",
                3, "defined 2 times"
            ),
            ("section .t text align 4 size 8\n  start f\n  call 0x4 f\n", 3, "not a global or weak"),
            ("target x86\nsection .t text align 4 size 8\n  global 0x0 f\n  call 0x4 f\n", 4, "arm and arm64"),
            ("section .t text align 4 size 8\n  global 0x0 f\n  kallsyms\n  call 0x4 f\n", 4, "holds the kallsyms tables"),
            ("section .t text align 4 size 8\n  call 0x0 f\n  global 0x2 f\n", 2, "lies inside the call"),
            (
                "target arm\ninstructions thumb2\nsection .t text align 4 size 8\n  call 0x0 d\nsection .d data size 4\n  global 0x0 d\n",
                4, "not a Thumb function"
            ),
            ("target arm64\ninstructions thumb2\nsection .t text align 4 size 8\n", 2, "need target arm"),
            ("instructions mips\n", 1, "takes arm or thumb2"),
        ])
    func errorsNameTheLine(_ text: String, _ line: Int, _ message: String) {
        do {
            _ = try Layout(parsing: text)
            Issue.record("expected an error")
        } catch let error as LayoutError {
            #expect(error.line == line)
            #expect(error.message.contains(message), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    static let withCalls = """
        layout calls
        target arm64
        base 0xffff800008000000
        section .text text align 4 size 0x10
          start _text
          global 0x0 caller
          call 0x0 far
          call 0x8 near
          global 0xc near
        align 0x10000000
        section .far text align 4 size 0x4
          weak 0x0 far

        """

    @Test("calls read back to the same text, after the members; a layout without them prints no call line")
    func callsRoundTrip() throws {
        let layout = try Layout(parsing: Self.withCalls)
        let text = layout.sections[0]
        #expect(text.calls == [Section.Call(offset: 0, target: Array("far".utf8)), Section.Call(offset: 8, target: Array("near".utf8))])
        #expect(try Layout(parsing: layout.description) == layout)
        #expect(layout.description.contains("  global 0xc near\n  call 0x0 far\n  call 0x8 near\n"))
        #expect(try !Layout(parsing: Self.canonical).description.contains("\n  call "))
    }

    @Test("shrinking drops the calls whose target goes, and those beyond a section's new size")
    func shrinkingKeepsCallsValid() throws {
        let layout = try Layout(parsing: Self.withCalls)
        let withoutFar = layout.removingItem(at: 2)
        #expect(withoutFar.sections[0].calls.map(\.offset) == [8])
        let withoutNear = layout.removingSymbols(named: [Array("near".utf8)])
        #expect(withoutNear.sections[0].calls.map(\.offset) == [0])
        let smaller = layout.resizingSection(at: 0, to: 0x8)
        #expect(smaller.sections[0].calls.map(\.offset) == [0])
        for candidate in [withoutFar, withoutNear, smaller] {
            #expect(try Layout(parsing: candidate.description) == candidate)
        }
    }

    @Test("shrinking steps return smaller valid layouts that still round-trip")
    func shrinkingStepsKeepLayoutsValid() throws {
        let layout = try Layout(parsing: Self.canonical)
        let withoutPercpu = layout.removingItem(at: 4)
        #expect(withoutPercpu.sections.count == 5)
        let fewerSymbols = layout.removingMembers(1..<3, ofItem: 0)
        #expect(fewerSymbols.symbolCount == layout.symbolCount - 2)
        let smaller = layout.resizingSection(at: 0, to: 0x50)
        guard case .section(let text) = smaller.items[0] else {
            Issue.record("not a section")
            return
        }
        #expect(text.size == 0x50)
        #expect(text.members.contains(.symbol(name: Array("maybe".utf8), offset: 0x50, binding: .weak)))
        let shrunkRodata = layout.resizingSection(at: 1, to: 0x8)
        #expect(shrunkRodata.description.contains("kallsyms 0x8"))
        let renamed = layout.removingSymbols(named: [Array("__data_loc".utf8), Array("stext".utf8)])
        #expect(renamed.symbolCount == layout.symbolCount - 2)
        #expect(layout.realigning(itemAt: 3, to: 64).items[3] == .align(64))
        for candidate in [withoutPercpu, fewerSymbols, smaller, shrunkRodata, renamed] {
            #expect(try Layout(parsing: candidate.description) == candidate)
        }
        #expect(layout.sectionIndices == [0, 1, 2, 4, 8, 9])
    }
}
