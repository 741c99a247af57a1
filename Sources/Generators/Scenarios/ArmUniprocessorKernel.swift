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
        var script = ArmKernelScript()
        var exported: [String] = []

        // Head and text.
        script.head = Self.part([
            ("stext", .global, 0x60), ("__create_page_tables", .local, 0x90), ("__enable_mmu", .local, 0x40),
            ("__turn_mmu_on", .global, 0x20), ("__vet_atags", .local, 0x50), ("__mmap_switched", .local, 0x30),
        ])
        var text: [(String, Binding, UInt64)] = []
        for index in 0..<textFunctions {
            let name = names.function()
            let isGlobal = names.chance(55)
            if isGlobal && names.chance(20) { exported.append(name) }
            text.append((name, isGlobal ? .global : .local, names.size(24...1600)))
            if index % 97 == 0 { text.append(("$d", .local, 8)) }
        }
        script.text = Self.part(text)
        script.textMarkers = ["_stext", "__exception_text_start"]

        // RO_DATA(PAGE_SIZE): .rodata with the kallsyms object at its end, then the small tables.
        var rodata: [(String, Binding, UInt64)] = []
        for _ in 0..<rodataObjects {
            let local = names.chance(60)
            rodata.append((local ? names.constant() : names.object(), local ? .local : .global, names.size(8...400)))
        }
        script.rodata = Self.part(rodata)
        script.rodata.size += rodataTail
        script.afterRodata = readOnlyTables(exported: exported, names: &names)

        // Init sections.
        var initText: [(String, Binding, UInt64)] = []
        for _ in 0..<initFunctions {
            initText.append((names.initFunction(), names.chance(40) ? .global : .local, names.size(32...900)))
        }
        script.initText = Self.part(initText)
        script.afterInitText = Self.initTables()
        script.initData = initData(&names)
        script.initDataKind = .text
        // PERCPU_SECTION(32) on a uniprocessor kernel: an empty output section.
        if hasPercpuSection { script.percpu = ArmKernelScript.Percpu(alignBefore: 4096, alignment: 1) }

        // .data after the init task's stack, .bss.
        var data: [(String, Binding, UInt64)] = [("__nosave_begin", .global, 0), ("__nosave_end", .global, 0)]
        for _ in 0..<dataObjects {
            data.append((names.object(), names.chance(45) ? .global : .local, names.size(4...600)))
        }
        script.data = Self.part(data)
        var bss: [(String, Binding, UInt64)] = []
        for _ in 0..<bssObjects {
            bss.append((names.object() + "_lock", names.chance(30) ? .global : .local, names.size(4...256)))
        }
        script.bss = Self.part(bss)
        return script.layout(name: name)
    }

    /// The read-only tables 3.3 places between `.rodata` and `_etext`.
    private func readOnlyTables(exported: [String], names: inout KernelNames) -> [Layout.Item] {
        var items: [Layout.Item] = []
        items.append(
            .section(
                Self.markers(
                    ".pci_fixup",
                    [
                        ("__start_pci_fixups_early", .start), ("__end_pci_fixups_early", .end),
                        ("__start_pci_fixups_enable", .start), ("__end_pci_fixups_enable", .end),
                    ])))
        items.append(.section(Self.markers(".builtin_fw", [("__start_builtin_fw", .start), ("__end_builtin_fw", .end)])))
        items.append(
            .section(
                Self.sequential(
                    "__ksymtab", .rodata, alignment: 4, startMarkers: ["__start___ksymtab"],
                    symbols: exported.map { ("__ksymtab_" + $0, .local, 8) },
                    endMarkers: ["__stop___ksymtab"])))
        items.append(
            .section(
                Self.sequential(
                    "__ksymtab_strings", .rodata, alignment: 1, startMarkers: [],
                    symbols: exported.map { ("__kstrtab_" + $0, .local, UInt64($0.utf8.count + 1)) })))
        items.append(
            .section(
                Self.sequential(
                    "__param", .rodata, alignment: 4, startMarkers: ["__start___param"],
                    symbols: (0..<12).map { _ in ("__param_" + names.object(), .local, 20) },
                    endMarkers: ["__stop___param"])))
        items.append(.align(4))
        items.append(
            .section(Self.markers("__ex_table", size: 0x1a38, [("__start___ex_table", .start), ("__stop___ex_table", .end)])))
        items.append(.align(8))
        items.append(
            .section(
                Self.markers(".ARM.unwind_idx", size: 0x18e40, [("__start_unwind_idx", .start), ("__stop_unwind_idx", .end)])))
        items.append(
            .section(
                Self.markers(".ARM.unwind_tab", size: 0x2b0, [("__start_unwind_tab", .start), ("__stop_unwind_tab", .end)])))
        return items
    }

    /// `.init.arch.info`, `.init.tagtable`, `.init.pv_table`: text by name, read-only data by flags.
    private static func initTables() -> [Layout.Item] {
        let readOnlyData: SectionFlags = [.alloc, .load, .readOnly]
        var archInfo = sequential(
            ".init.arch.info", .text, alignment: 4, startMarkers: ["__arch_info_begin"],
            symbols: [("__mach_desc_OMAP3430_LDP", .local, 0x68)], endMarkers: ["__arch_info_end"])
        archInfo.flags = readOnlyData
        var tagTable = sequential(
            ".init.tagtable", .text, alignment: 4, startMarkers: ["__tagtable_begin"],
            symbols: ["core", "mem", "videotext", "ramdisk", "serialnr", "revision", "cmdline"]
                .map { ("__tagtable_parse_tag_" + $0, .local, 8) },
            endMarkers: ["__tagtable_end"])
        tagTable.flags = readOnlyData
        var pvTable = markers(".init.pv_table", size: 0x1f4, [("__pv_table_begin", .start), ("__pv_table_end", .end)])
        pvTable.kind = .text
        pvTable.flags = readOnlyData
        return [.section(archInfo), .section(tagTable), .section(pvTable)]
    }

    /// INIT_DATA, INIT_SETUP, INIT_CALLS, CON_INITCALL, SECURITY_INITCALL, INIT_RAM_FS.
    private func initData(_ names: inout KernelNames) -> ArmKernelScript.Part {
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
        return ArmKernelScript.Part(members: members, size: offset)
    }

    /// Symbols that follow each other, each `size` bytes long.
    private static func part(_ symbols: [(String, Binding, UInt64)]) -> ArmKernelScript.Part {
        var part = ArmKernelScript.Part()
        for (symbol, binding, size) in symbols {
            part.members.append(.symbol(name: Array(symbol.utf8), offset: part.size, binding: binding))
            part.size += size
        }
        return part
    }

    /// A section whose symbols follow each other, between start and end markers.
    private static func sequential(
        _ name: String, _ kind: SectionKind, alignment: UInt64, startMarkers: [String],
        symbols: [(String, Binding, UInt64)], endMarkers: [String] = []
    ) -> Section {
        ArmKernelScript.section(name, kind, alignment: alignment, part(symbols), start: startMarkers, end: endMarkers)
    }

    /// A read-only section of `size` bytes with only markers, in the order given.
    private static func markers(_ name: String, size: UInt64 = 0, _ markers: [(String, Section.Edge)]) -> Section {
        Section(
            name: name, kind: .rodata, alignment: 4, size: size,
            members: markers.map { ArmKernelScript.marker($0.0, $0.1) })
    }
}
