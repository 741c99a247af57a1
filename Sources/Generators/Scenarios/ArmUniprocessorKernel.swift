import Compressor
import LinkModel

/// A seeded recipe for a uniprocessor 32-bit ARM kernel laid out as Linux 3.3's
/// `arch/arm/kernel/vmlinux.lds.S` lays it out (the layout of the 2012 reports):
///
/// ```
/// .head.text .text | .rodata (kallsyms tables at its end) .pci_fixup .builtin_fw __ksymtab
/// __ksymtab_strings __param __ex_table .ARM.unwind_idx .ARM.unwind_tab | _etext
/// . = ALIGN(4096) __init_begin | .init.text .init.arch.info .init.tagtable .init.pv_table .init.data
/// . = ALIGN(4096) .data..percpu (empty on UP)  __init_end  . = ALIGN(8192) __data_loc
/// .data (_data _sdata init_thread_union …) .bss _end
/// ```
///
/// Symbols assigned between output sections (`_etext`, `__init_begin`, `__init_end`,
/// `__data_loc`, `_end`) are absolute (`A`), as the 2012 toolchain made them (the seed's
/// `A __data_loc`). The `.init.*` sections print `T`/`t` because 2012 `nm` took the letter
/// from the section name (`.init` → `t`) while their flags are those of data: that is what
/// lets the empty per-cpu section's markers flip between `T` (re-homed to `.init.data`) and
/// `D` (re-homed to `.data`) under binutils' address rule (docs/behaviour.md §9).
struct ArmUniprocessorKernel {
    var seed: UInt64
    var textFunctions: Int
    var initFunctions: Int
    var rodataObjects: Int
    var dataObjects: Int
    var bssObjects: Int
    /// Read-only bytes after the last named object of `.rodata` (before the kallsyms tables).
    var rodataTail: UInt64
    /// Bytes of `.init.data` before the initcall markers.
    var initDataHead: UInt64
    /// Emit `PERCPU_SECTION(32)` on a uniprocessor kernel (before ARM 7428/1); false: the fix.
    var hasPercpuSection: Bool

    func layout(name: String) -> Layout {
        var names = KernelNames(seed: seed)
        var items: [Layout.Item] = []
        var exported: [String] = []

        // Head and text.
        items.append(
            .section(
                Self.sequential(
                    ".head.text", .text, alignment: 4, startMarkers: ["_text"],
                    symbols: [
                        ("stext", .global, 0x60), ("__create_page_tables", .local, 0x90), ("__enable_mmu", .local, 0x40),
                        ("__turn_mmu_on", .global, 0x20), ("__vet_atags", .local, 0x50), ("__mmap_switched", .local, 0x30),
                    ], names: &names)))
        var text: [(String, Binding, UInt64)] = []
        for index in 0..<textFunctions {
            let name = names.function()
            let isGlobal = names.chance(55)
            if isGlobal && names.chance(20) { exported.append(name) }
            text.append((name, isGlobal ? .global : .local, names.size(24...1600)))
            if index % 97 == 0 { text.append(("$d", .local, 8)) }
        }
        items.append(
            .section(
                Self.sequential(
                    ".text", .text, alignment: 32,
                    startMarkers: ["_stext", "__exception_text_start"],
                    symbols: text, names: &names)))

        // RO_DATA(PAGE_SIZE): .rodata with the kallsyms object at its end, then the small tables.
        var rodata: [(String, Binding, UInt64)] = []
        for _ in 0..<rodataObjects {
            let local = names.chance(60)
            rodata.append((local ? names.constant() : names.object(), local ? .local : .global, names.size(8...400)))
        }
        var rodataSection = Self.sequential(
            ".rodata", .rodata, alignment: 4096, startMarkers: ["__start_rodata"],
            symbols: rodata, names: &names)
        rodataSection.size += rodataTail
        rodataSection.members.append(.kallsyms(offset: nil))
        items.append(.section(rodataSection))
        items.append(
            .section(
                Section(
                    name: ".pci_fixup", kind: .rodata, alignment: 4,
                    members: [
                        .marker(name: Array("__start_pci_fixups_early".utf8), edge: .start),
                        .marker(name: Array("__end_pci_fixups_early".utf8), edge: .end),
                        .marker(name: Array("__start_pci_fixups_enable".utf8), edge: .start),
                        .marker(name: Array("__end_pci_fixups_enable".utf8), edge: .end),
                    ])))
        items.append(
            .section(
                Section(
                    name: ".builtin_fw", kind: .rodata, alignment: 4,
                    members: [
                        .marker(name: Array("__start_builtin_fw".utf8), edge: .start),
                        .marker(name: Array("__end_builtin_fw".utf8), edge: .end),
                    ])))
        items.append(
            .section(
                Self.sequential(
                    "__ksymtab", .rodata, alignment: 4, startMarkers: ["__start___ksymtab"],
                    symbols: exported.map { ("__ksymtab_" + $0, .local, 8) },
                    endMarkers: ["__stop___ksymtab"], names: &names)))
        items.append(
            .section(
                Self.sequential(
                    "__ksymtab_strings", .rodata, alignment: 1, startMarkers: [],
                    symbols: exported.map { ("__kstrtab_" + $0, .local, UInt64($0.utf8.count + 1)) },
                    names: &names)))
        items.append(
            .section(
                Self.sequential(
                    "__param", .rodata, alignment: 4, startMarkers: ["__start___param"],
                    symbols: (0..<12).map { _ in ("__param_" + names.object(), .local, 20) },
                    endMarkers: ["__stop___param"], names: &names)))
        items.append(.align(4))
        items.append(
            .section(
                Section(
                    name: "__ex_table", kind: .rodata, alignment: 4, size: 0x1a38,
                    members: [
                        .marker(name: Array("__start___ex_table".utf8), edge: .start),
                        .marker(name: Array("__stop___ex_table".utf8), edge: .end),
                    ])))
        items.append(.align(8))
        items.append(
            .section(
                Section(
                    name: ".ARM.unwind_idx", kind: .rodata, alignment: 4, size: 0x18e40,
                    members: [
                        .marker(name: Array("__start_unwind_idx".utf8), edge: .start),
                        .marker(name: Array("__stop_unwind_idx".utf8), edge: .end),
                    ])))
        items.append(
            .section(
                Section(
                    name: ".ARM.unwind_tab", kind: .rodata, alignment: 4, size: 0x2b0,
                    members: [
                        .marker(name: Array("__start_unwind_tab".utf8), edge: .start),
                        .marker(name: Array("__stop_unwind_tab".utf8), edge: .end),
                    ])))
        items.append(.absolute(Array("_etext".utf8)))

        // Init sections.
        items.append(.align(4096))
        items.append(.absolute(Array("__init_begin".utf8)))
        var initText: [(String, Binding, UInt64)] = []
        for _ in 0..<initFunctions {
            initText.append((names.initFunction(), names.chance(40) ? .global : .local, names.size(32...900)))
        }
        items.append(
            .section(
                Self.sequential(
                    ".init.text", .text, alignment: 32, startMarkers: ["_sinittext"],
                    symbols: initText, endMarkers: ["_einittext"], names: &names)))
        let readOnlyData: SectionFlags = [.alloc, .load, .readOnly]
        var archInfo = Self.sequential(
            ".init.arch.info", .text, alignment: 4, startMarkers: ["__arch_info_begin"],
            symbols: [("__mach_desc_OMAP3430_LDP", .local, 0x68)],
            endMarkers: ["__arch_info_end"], names: &names)
        archInfo.flags = readOnlyData
        items.append(.section(archInfo))
        var tagTable = Self.sequential(
            ".init.tagtable", .text, alignment: 4, startMarkers: ["__tagtable_begin"],
            symbols: ["core", "mem", "videotext", "ramdisk", "serialnr", "revision", "cmdline"]
                .map { ("__tagtable_parse_tag_" + $0, .local, 8) },
            endMarkers: ["__tagtable_end"], names: &names)
        tagTable.flags = readOnlyData
        items.append(.section(tagTable))
        items.append(
            .section(
                Section(
                    name: ".init.pv_table", kind: .text, flags: readOnlyData, alignment: 4, size: 0x1f4,
                    members: [
                        .marker(name: Array("__pv_table_begin".utf8), edge: .start),
                        .marker(name: Array("__pv_table_end".utf8), edge: .end),
                    ])))
        items.append(.section(initData(&names)))

        // PERCPU_SECTION(32) on a uniprocessor kernel: an empty output section.
        if hasPercpuSection {
            items.append(.align(4096))
            items.append(
                .section(
                    Section(
                        name: ".data..percpu", kind: .data, alignment: 1,
                        members: [
                            .marker(name: Array("__per_cpu_load".utf8), edge: .start),
                            .marker(name: Array("__per_cpu_start".utf8), edge: .start),
                            .marker(name: Array("__per_cpu_end".utf8), edge: .end),
                        ])))
        }
        items.append(.absolute(Array("__init_end".utf8)))
        items.append(.align(8192))
        items.append(.absolute(Array("__data_loc".utf8)))

        // .data: the init task's stack first, 8 KiB aligned.
        var data: [(String, Binding, UInt64)] = [("init_thread_union", .global, 0x2000)]
        for _ in 0..<dataObjects {
            data.append((names.object(), names.chance(45) ? .global : .local, names.size(4...600)))
        }
        var dataSection = Self.sequential(
            ".data", .data, alignment: 8192, startMarkers: ["_data", "_sdata"],
            symbols: data, endMarkers: ["_edata"], names: &names)
        dataSection.members.insert(.symbol(name: Array("__nosave_begin".utf8), offset: 0x2000, binding: .global), at: 3)
        dataSection.members.insert(.symbol(name: Array("__nosave_end".utf8), offset: 0x2000, binding: .global), at: 4)
        items.append(.section(dataSection))
        var bss: [(String, Binding, UInt64)] = []
        for _ in 0..<bssObjects {
            bss.append((names.object() + "_lock", names.chance(30) ? .global : .local, names.size(4...256)))
        }
        items.append(
            .section(
                Self.sequential(
                    ".bss", .bss, alignment: 32, startMarkers: ["__bss_start"],
                    symbols: bss, endMarkers: ["__bss_stop"], names: &names)))
        items.append(.absolute(Array("_end".utf8)))
        return Layout(name: name, target: .arm32, base: 0xc000_8000, items: items)
    }

    /// INIT_DATA, INIT_SETUP, INIT_CALLS, CON_INITCALL, SECURITY_INITCALL, INIT_RAM_FS.
    private func initData(_ names: inout KernelNames) -> Section {
        var members: [Section.Member] = []
        var offset = initDataHead
        func add(_ name: String, _ binding: Binding = .global, size: UInt64 = 0) {
            members.append(.symbol(name: Array(name.utf8), offset: offset, binding: binding))
            offset += size
        }
        add("__setup_start")
        for _ in 0..<24 { add("__setup_" + names.initFunction(), .local, size: 12) }
        add("__setup_end")
        add("__initcall_start")
        for level in ["0", "1", "2", "3", "4", "5", "rootfs", "6", "7"] {
            add("__initcall\(level)_start")
            for _ in 0..<6 { add("__initcall_" + names.initFunction() + level, .local, size: 4) }
        }
        add("__initcall_end")
        add("__con_initcall_start")
        add("__con_initcall_end")
        add("__security_initcall_start")
        add("__security_initcall_end")
        add("__irf_start", .local, size: 0x200)
        add("__initramfs_size", size: 4)
        members.insert(.symbol(name: Array("__irf_end".utf8), offset: offset - 4, binding: .local), at: members.count - 1)
        return Section(name: ".init.data", kind: .text, flags: [.alloc, .load], alignment: 16, size: offset, members: members)
    }

    /// A section whose symbols follow each other, each `size` bytes long.
    private static func sequential(
        _ name: String, _ kind: SectionKind, alignment: UInt64, startMarkers: [String],
        symbols: [(String, Binding, UInt64)], endMarkers: [String] = [],
        names: inout KernelNames
    ) -> Section {
        var members: [Section.Member] = startMarkers.map { .marker(name: Array($0.utf8), edge: .start) }
        var offset: UInt64 = 0
        for (symbol, binding, size) in symbols {
            members.append(.symbol(name: Array(symbol.utf8), offset: offset, binding: binding))
            offset += size
        }
        members += endMarkers.map { .marker(name: Array($0.utf8), edge: .end) }
        return Section(name: name, kind: kind, alignment: alignment, size: offset, members: members)
    }
}
