import Compressor
import LinkModel
import Randomness

/// The sections of a generated layout while they are filled, and the linker script around them
/// (`ArmKernelScript`).
struct LayoutParts: Sendable {
    typealias Part = ArmKernelScript.Part

    var head = Part(), text = Part(), rodata = Part(), roAfterInit = Part()
    /// Global and weak names defined so far: a name the profile draws twice is global once and
    /// local after that, as in a kernel (a real link refuses two global definitions). Keyed by
    /// `NameKey` (one block hash per name, not a byte at a time).
    var globalNames = Set<NameKey>()
    var initText = Part(), initData = Part(), percpu = Part(), data = Part(), bss = Part()

    static let pageSize = ArmKernelScript.pageSize

    /// Sorts a region's records into its sections (see `LayoutGenerator`): the distance to the
    /// next record belongs to the record before. Returns the parts filled, in order of first
    /// use (where a caller adds each section's tail).
    mutating func add(_ records: [SymbolRecord], role: LayoutGenerator.Role) -> [WritableKeyPath<LayoutParts, Part>] {
        func destination(_ type: UInt8) -> WritableKeyPath<LayoutParts, Part>? {
            let isText = "TtWw".utf8.contains(type), isData = "Dd".utf8.contains(type)
            let isReadOnly = "RrVv".utf8.contains(type), isBss = "Bb".utf8.contains(type)
            switch role {
            case .head: return isText ? \.head : nil
            case .text: return isText ? \.text : nil
            case .rodata: return isReadOnly ? \.rodata : isData ? \.roAfterInit : nil
            case .initialization: return isText ? \.initText : (isData || isReadOnly) ? \.initData : nil
            case .percpu: return isData ? \.percpu : nil
            case .data: return isData ? \.data : nil
            case .bss: return isBss ? \.bss : nil
            }
        }
        // The parts this region fills, in order of first use, taken out of `self` while they
        // are filled: a key path access per symbol (107 000 per layout) cost more than the rest
        // of the loop. `slots[type]` is the index in `filled` of the type's part (-1: none).
        var filled: [(path: WritableKeyPath<LayoutParts, Part>, part: Part)] = []
        var slots = [Int](repeating: -2, count: 256)
        func slot(_ type: UInt8) -> Int {
            if slots[Int(type)] != -2 { return slots[Int(type)] }
            var found = -1
            if let path = destination(type) {
                if let index = filled.firstIndex(where: { $0.path == path }) {
                    found = index
                } else {
                    filled.append((path, self[keyPath: path]))
                    self[keyPath: path] = Part()
                    found = filled.count - 1
                }
            }
            slots[Int(type)] = found
            return found
        }
        var hasPart = [Bool](repeating: false, count: 256)
        for type in Set(records.map(\.type)) { hasPart[Int(type)] = destination(type) != nil }
        var nextKept = [Int](repeating: -1, count: records.count)
        var following = -1
        for index in records.indices.reversed() {
            nextKept[index] = following
            if hasPart[Int(records[index].type)] { following = index }
        }
        for (index, record) in records.enumerated() {
            let part = slot(record.type)
            guard part >= 0 else { continue }
            let offset = filled[part].part.size
            var binding = Self.binding(record.type)
            if binding != .local && !globalNames.insert(NameKey(record.name)).inserted { binding = .local }
            filled[part].part.members.append(.symbol(name: record.name, offset: offset, binding: binding))
            if nextKept[index] >= 0 { filled[part].part.size += records[nextKept[index]].address - record.address }
        }
        for (path, part) in filled { self[keyPath: path] = part }
        return filled.map(\.path)
    }

    /// These parts as `add` would have filled them for a uniprocessor kernel, the per-cpu
    /// region's records given the data role: the per-cpu part's members join `.data`'s, before
    /// or after the data region's (as the regions come), their offsets shifted past the ones
    /// before them, and the per-cpu part is empty. The same records pass the same filter in
    /// both roles and `globalNames` sees them in the same order, so every member, binding and
    /// size is the one `add` gives (`LayoutGeneratorTests` compares the two).
    func asUniprocessor(percpuBeforeData: Bool) -> LayoutParts {
        func shifted(_ members: [Section.Member], by shift: UInt64) -> [Section.Member] {
            guard shift > 0 else { return members }
            return members.map { member in
                guard case .symbol(let name, let offset, let binding) = member else { return member }
                return .symbol(name: name, offset: offset + shift, binding: binding)
            }
        }
        var parts = self
        let (first, second) = percpuBeforeData ? (percpu, data) : (data, percpu)
        parts.data = Part(members: first.members + shifted(second.members, by: first.size), size: first.size + second.size)
        parts.percpu = Part()
        return parts
    }

    static func binding(_ type: UInt8) -> Binding {
        if "WwVv".utf8.contains(type) { return .weak }
        return type >= UInt8(ascii: "a") ? .local : .global
    }

    /// `ArmKernelScript` around the filled sections for `shape` (names the script defines must
    /// already be local: `makeScriptNamesLocal`).
    func layout(shape: LayoutShape) -> Layout {
        Self.shaped(layout(isUniprocessor: shape.isUniprocessor), shape)
    }

    /// The layout of every shape with this `isUniprocessor` before `shaped` gives it the rest
    /// of the shape: the sections and their members, which are nearly all of the work
    /// (`LayoutPopulation` makes the two once for all the shapes of its cases).
    func layout(isUniprocessor: Bool) -> Layout {
        var script = ArmKernelScript(head: head, text: text, rodata: rodata)
        if roAfterInit.hasSymbols {
            script.afterRodata = [
                .section(ArmKernelScript.section(".data..ro_after_init", .data, alignment: 32, roAfterInit))
            ]
        }
        script.initText = initText
        script.initData = initData
        script.percpu = ArmKernelScript.Percpu(alignBefore: 32, alignment: 32, part: isUniprocessor ? Part() : percpu)
        script.data = data
        script.bss = bss
        return script.layout(name: "arm")
    }

    /// A layout of `layout(isUniprocessor:)` given what the rest of `shape` decides: its name,
    /// the alignment before the per-cpu section, and the kind of `.init.data` (2012 `nm`
    /// printed every `.init*` section's symbols as text; its flags stay those of data).
    static func shaped(_ layout: Layout, _ shape: LayoutShape) -> Layout {
        var layout = layout
        layout.name = "arm-" + shape.description
        for index in layout.items.indices {
            guard case .section(var section) = layout.items[index] else { continue }
            switch section.name {
            case ".init.data":
                section.kind = shape.letters == .byName2012 ? .text : .data
                layout.items[index] = .section(section)
            case ".data..percpu":
                guard index > 0, case .align = layout.items[index - 1] else {
                    preconditionFailure("the script aligns the location counter before .data..percpu")
                }
                layout.items[index - 1] = .align(shape.percpuAlignment)
            default:
                break
            }
        }
        return layout
    }

    /// Every part, in script order, with the output section it fills in `layout(shape:)`.
    static var allParts: [(path: WritableKeyPath<LayoutParts, Part>, section: String)] {
        [
            (\.head, ".head.text"), (\.text, ".text"), (\.rodata, ".rodata"), (\.roAfterInit, ".data..ro_after_init"),
            (\.initText, ".init.text"), (\.initData, ".init.data"), (\.percpu, ".data..percpu"), (\.data, ".data"),
            (\.bss, ".bss"),
        ]
    }

    /// A name the linker script defines (a marker or absolute symbol) or the
    /// kallsyms object defines (a table label) that the profile also drew as a global object
    /// symbol: a real link lets the script's definition replace it and refuses a second table
    /// label, so the object's copy is made local, as a kernel's would have to be.
    mutating func makeScriptNamesLocal() {
        var scriptNames = Set(
            [
                "kallsyms_addresses", "kallsyms_offsets", "kallsyms_relative_base", "kallsyms_num_syms",
                "kallsyms_names", "kallsyms_markers", "kallsyms_token_table", "kallsyms_token_index",
                "kallsyms_seqs_of_names",
            ].map { NameKey(Array($0.utf8)) })
        // Every marker and absolute symbol of the script (the shape does not change the names).
        for item in LayoutParts().layout(shape: LayoutShape(isUniprocessor: false, letters: .byFlags)).items {
            switch item {
            case .absolute(let name): scriptNames.insert(NameKey(name))
            case .section(let section):
                for case .marker(let name, _) in section.members { scriptNames.insert(NameKey(name)) }
            case .align: break
            }
        }
        for (path, _) in Self.allParts {
            var members = self[keyPath: path].members
            self[keyPath: path].members = []
            for index in members.indices {
                if case .symbol(let name, let offset, let binding) = members[index], binding != .local,
                    scriptNames.contains(NameKey(name))
                {
                    members[index] = .symbol(name: name, offset: offset, binding: .local)
                }
            }
            self[keyPath: path].members = members
        }
    }

    /// Pads `.init.data` so that, linked without kallsyms tables, it ends 1…`span` bytes below
    /// a page boundary, `span` about twice `expectedTables` (at most 16 KiB).
    static func bias(_ layout: inout Layout, expectedTables: UInt64, using rng: inout SeededRandom) {
        guard
            let index = layout.items.firstIndex(where: {
                if case .section(let section) = $0 { return section.name == ".init.data" } else { return false }
            }), case .section(var section) = layout.items[index]
        else { return }
        let end = endAddress(ofItem: index, in: layout)
        let span = min(16384, 2 * expectedTables)
        let below = UInt64(RandomDraws.value(in: 1...Int(span), using: &rng))
        let boundary = (end + span + pageSize - 1) / pageSize * pageSize
        section.size += boundary - below - end
        layout.items[index] = .section(section)
    }

    /// Where item `target` ends when the layout is linked without kallsyms tables: the location
    /// counter as `LinkPlan` advances it (a section is aligned when it is kept or defines symbols;
    /// every section a generated layout has before `.init.data` does one or the other).
    static func endAddress(ofItem target: Int, in layout: Layout) -> UInt64 {
        var dot = layout.base
        for (index, item) in layout.items.enumerated() {
            switch item {
            case .align(let alignment): dot = roundUp(dot, alignment)
            case .absolute: break
            case .section(let section):
                if section.size > 0 || section.isKeptWhenEmpty || section.symbolCount > 0 {
                    dot = roundUp(dot, section.alignment)
                }
                dot += section.size
            }
            if index == target { return dot }
        }
        return dot
    }

    static func roundUp(_ value: UInt64, _ alignment: UInt64) -> UInt64 {
        alignment <= 1 ? value : (value + alignment - 1) / alignment * alignment
    }
}
