import Compressor
import LinkModel

/// Linux 3.3's `arch/arm/kernel/vmlinux.lds.S` for a 32-bit ARM kernel: the one recipe both the
/// random layouts (`LayoutGenerator`) and the named 2012 scenarios (`ArmUniprocessorKernel`)
/// fill in. It owns the order of the output sections, their names, kinds, alignments and
/// linker-script markers, and the symbols assigned between sections:
///
/// ```
/// .head.text .text | .align 4096 .rodata (kallsyms tables at its end) [read-only extras] _etext
/// . = ALIGN(4096) __init_begin .init.text [init extras] .init.data
/// [. = ALIGN(n) .data..percpu] __init_end . = ALIGN(8192) __data_loc
/// .data (init_thread_union, then the data) .bss _end
/// ```
///
/// A recipe supplies each section's own symbols (`Part`: members with offsets from the section
/// start, and a size) and the extras its kernel has; docs/behaviour.md §9 says why the empty
/// per-cpu section and the `.init.data` letter matter.
struct ArmKernelScript {
    /// Symbols with offsets and a size: one output section's contents.
    struct Part: Sendable {
        var members: [Section.Member] = []
        var size: UInt64 = 0
        var hasSymbols: Bool { !members.isEmpty }
    }

    /// The per-cpu output section: its `. = ALIGN(…)` before it, its own alignment, its contents
    /// (none on a uniprocessor kernel, where it is the empty section of the 2012 reports).
    struct Percpu {
        var alignBefore: UInt64
        var alignment: UInt64
        var part = Part()
    }

    /// The image's link address (PAGE_OFFSET 0xc0000000 + TEXT_OFFSET 0x8000).
    static let base: UInt64 = 0xc000_8000
    /// `init_thread_union`: the init task's stack at the start of `.data` (THREAD_SIZE).
    static let threadSize: UInt64 = 0x2000
    static let pageSize: UInt64 = 0x1000

    var head = Part(), text = Part(), rodata = Part()
    /// Markers at the start of `.text` (3.3's `__exception_text_start` where a recipe has it).
    var textMarkers = ["_stext"]
    /// Read-only output sections between `.rodata` and `_etext`.
    var afterRodata: [Layout.Item] = []
    var initText = Part()
    /// Output sections between `.init.text` and `.init.data`.
    var afterInitText: [Layout.Item] = []
    var initData = Part()
    /// What `nm` prints `.init.data`'s symbols as: 2012 `nm` took `t` from the `.init` name,
    /// today's takes the letter from the (data) flags.
    var initDataKind = SectionKind.data
    var percpu: Percpu?
    /// `.data` after the init task's stack: offsets from the end of the stack.
    var data = Part()
    var bss = Part()

    func layout(name: String) -> Layout {
        var items: [Layout.Item] = []
        items.append(.section(Self.section(".head.text", .text, alignment: 4, head, start: ["_text"])))
        items.append(.section(Self.section(".text", .text, alignment: 32, text, start: textMarkers)))
        items.append(.align(Self.pageSize))
        items.append(
            .section(
                Self.section(
                    ".rodata", .rodata, alignment: Self.pageSize, rodata, start: ["__start_rodata"],
                    extra: [.kallsyms(offset: nil)])))
        items += afterRodata
        items.append(.absolute(Array("_etext".utf8)))
        items.append(.align(Self.pageSize))
        items.append(.absolute(Array("__init_begin".utf8)))
        items.append(
            .section(
                Self.section(".init.text", .text, alignment: 32, initText, start: ["_sinittext"], end: ["_einittext"])))
        items += afterInitText
        items.append(.section(Self.section(".init.data", initDataKind, flags: [.alloc, .load], alignment: 16, initData)))
        if let percpu {
            items.append(.align(percpu.alignBefore))
            items.append(
                .section(
                    Self.section(
                        ".data..percpu", .data, alignment: percpu.alignment, percpu.part,
                        start: ["__per_cpu_load", "__per_cpu_start"], end: ["__per_cpu_end"])))
        }
        items.append(.absolute(Array("__init_end".utf8)))
        items.append(.align(Self.threadSize))
        items.append(.absolute(Array("__data_loc".utf8)))
        var dataPart = data
        dataPart.members = dataPart.members.map { member in
            guard case .symbol(let name, let offset, let binding) = member else { return member }
            return .symbol(name: name, offset: offset + Self.threadSize, binding: binding)
        }
        dataPart.size += Self.threadSize
        items.append(
            .section(
                Self.section(
                    ".data", .data, alignment: Self.threadSize, dataPart, start: ["_data", "_sdata"],
                    end: ["_edata"],
                    extra: [.symbol(name: Array("init_thread_union".utf8), offset: 0, binding: .global)])))
        items.append(.section(Self.section(".bss", .bss, alignment: 32, bss, start: ["__bss_start"], end: ["__bss_stop"])))
        items.append(.absolute(Array("_end".utf8)))
        return Layout(name: name, target: .arm32, base: Self.base, items: items)
    }

    /// An output section: `start` markers, the part's symbols, `extra` members, `end` markers.
    static func section(
        _ name: String, _ kind: SectionKind, flags: SectionFlags? = nil, alignment: UInt64,
        _ part: Part, start: [String] = [], end: [String] = [],
        extra: [Section.Member] = []
    ) -> Section {
        Section(
            name: name, kind: kind, flags: flags, alignment: alignment, size: part.size,
            members: start.map { marker($0, .start) } + part.members + extra + end.map { marker($0, .end) })
    }

    static func marker(_ name: String, _ edge: Section.Edge) -> Section.Member {
        .marker(name: Array(name.utf8), edge: edge)
    }
}
