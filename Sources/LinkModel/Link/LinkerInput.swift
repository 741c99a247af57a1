import Compressor

/// A layout as a real linker takes it: assembly for the object that defines the layout's
/// sections, calls and symbols, symbol-only objects for its repeated names, and a linker script
/// that places them (docs/linkers.md, "From a layout to a link").
///
/// - Each output section's bytes are one input section `.ks.N.lo` of the main object (and,
///   in the section that hosts the kallsyms tables, `.ks.N.hi` for the bytes after them),
///   filled with `.space`, its flags from the layout's: alloc `a`, not read-only `w`, code
///   `x`, thread-local `T`; `%progbits` when loaded, else `%nobits`.
/// - A symbol is a label at its offset (`.globl`, `.weak`, or local). A name the layout
///   defines more than once goes to a further object (`repeats`: the k-th copy of every name to
///   object k) whose empty section `.ks.N.dP` comes first in the output section, the symbol at
///   its offset. Those objects have only symbols, so they are written directly, not assembled
///   (an ARM-sized layout has some 600, one per copy of its most repeated name).
/// - Markers are `NAME = .;` first or last inside the output section; `absolute NAME` is
///   `NAME = ABSOLUTE(.);`; `align N` is `. = ALIGN(N);`; `keep` adds `. = ALIGN(1);`.
/// - The kallsyms object's `.rodata` goes into the host section at its placement.
/// - A call is `bl TARGET` at its offset (ARM and AArch64 alike), so that the real linker
///   adds its branch stubs (docs/linkers.md, "Branch stubs").
public struct LinkerInput: Sendable {
    /// The main object's assembly.
    public var assembly: String
    /// The objects of the second, third, … copies of the repeated names.
    public var repeats: [SymbolObject]
    /// The linker script.
    public var script: String

    /// What a layout cannot be linked for real with.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The assembly and script for `plan`'s layout.
    /// - Throws: `Problem` for a name the assembler cannot take (a byte outside `!`…`~`,
    ///   a quote or backslash, or an assembler-local `.L` name) or a section name that is
    ///   not plain.
    public init(_ plan: LinkPlan) throws {
        var main: [String] = []
        var repeats: [SymbolObject] = []
        var script = ["SECTIONS", "{", "  . = 0x\(String(plan.layout.base, radix: 16));"]
        // How many times each label name has been defined: the first copy goes to the main
        // object, the k-th to object k.
        var seen: [[UInt8]: Int] = [:]
        func object(_ copy: Int) -> Int {
            while repeats.count < copy { repeats.append(SymbolObject()) }
            return copy - 1
        }
        // GNU ld writes an object's local symbols only when one of its sections with contents
        // reaches the output: every object gets an empty `.ks.anchor` with the flags of the first
        // loaded section that has bytes (so it changes neither that section's type nor its
        // flags, nor any address). A layout without such a section gets none.
        let anchor: (item: Int, flags: SectionFlags)? = plan.items.indices.lazy.compactMap { index in
            guard case .section(let section) = plan.items[index], section.size > 0, section.flags.contains(.load) else { return nil }
            return (index, section.flags)
        }.first
        let callsByItem = Dictionary(grouping: plan.calls, by: \.item)
        // Thumb-2: Thumb code in code sections, and call targets are Thumb functions (so that a `bl`
        // stays a Thumb-to-Thumb call and the linkers choose their Thumb stubs).
        let thumb = plan.layout.usesThumb
        let thumbFunctions = thumb ? Set(plan.calls.map(\.target)) : []
        if thumb { main += ["  .arch armv7-a", "  .syntax unified"] }
        for (itemIndex, item) in plan.items.enumerated() {
            switch item {
            case .align(let alignment):
                script.append("  . = ALIGN(\(alignment));")
            case .absolute(let name):
                script.append("  \(try Self.quoted(name)) = ABSOLUTE(.);")
            case .section(let section):
                guard section.name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") }) else {
                    throw Problem(description: "section name \(section.name) is not plain enough for a linker script")
                }
                let flags = Self.flags(section.flags)
                var lines: [String] = []
                var parts: [(name: String, size: UInt64, entries: [LinkPlan.Entry], base: UInt64)] = []
                let lowSize = section.hostsKallsyms ? section.placement : section.size
                parts.append((".ks.\(itemIndex).lo", lowSize, section.below.filter { !$0.isMarker }, 0))
                if section.hostsKallsyms {
                    parts.append(
                        (
                            ".ks.\(itemIndex).hi", section.size - section.placement,
                            section.above.filter { !$0.isMarker }, section.placement
                        ))
                }
                var contents: [String] = []
                var duplicates: [String] = []
                for (partIndex, part) in parts.enumerated() {
                    var body: [String] = []
                    var position: UInt64 = 0
                    var extra: [Int: [SymbolObject.Symbol]] = [:]
                    // Calls are never in the kallsyms host, so they all belong to the first part.
                    var calls = partIndex == 0 ? callsByItem[itemIndex] ?? [] : []
                    func emitCalls(before offset: UInt64?) throws {
                        while let call = calls.first, offset.map({ call.offset < $0 }) ?? true {
                            calls.removeFirst()
                            if call.offset > position { body.append("  .space \(call.offset - position)") }
                            body.append("  bl \(try Self.quoted(call.target))")
                            position = call.offset + Section.Call.size
                        }
                    }
                    for entry in part.entries {
                        let name = try Self.quoted(entry.name)
                        let copy = seen[entry.name, default: 0]
                        seen[entry.name] = copy + 1
                        let offset = entry.offset - part.base
                        if copy == 0 {
                            try emitCalls(before: offset)
                            if offset > position { body.append("  .space \(offset - position)") }
                            position = max(position, offset)
                            if thumbFunctions.contains(entry.name) { body += ["  .type \(name), %function", "  .thumb_func"] }
                            body += Self.binding(entry.binding, name) + ["\(name):"]
                        } else {
                            extra[copy, default: []].append(.init(name: entry.name, binding: entry.binding, section: 0, offset: offset))
                        }
                    }
                    try emitCalls(before: nil)
                    if part.size > position { body.append("  .space \(part.size - position)") }
                    if !body.isEmpty || part.size > 0 {
                        // `.thumb` only in code: clang aligns a section that has it to 2.
                        let mode = thumb && section.flags.contains(.code) ? ["  .thumb"] : []
                        main += ["  .section \(part.name),\(flags)"] + mode + ["  .balign 1"] + body
                        contents.append(part.name)
                    }
                    for (copy, symbols) in extra.sorted(by: { $0.key < $1.key }) {
                        let name = ".ks.\(itemIndex).d\(partIndex)"
                        let index = object(copy)
                        let sectionIndex = repeats[index].sections.count
                        repeats[index].sections.append(.init(name: name, flags: section.flags))
                        repeats[index].symbols += symbols.map { symbol in
                            var symbol = symbol
                            symbol.section = sectionIndex
                            return symbol
                        }
                        if !duplicates.contains(name) { duplicates.append(name) }
                    }
                }
                let starts = section.below.filter { $0.isMarker && $0.offset == 0 }
                let ends = section.above.filter(\.isMarker)
                lines.append("  \(section.name) : ALIGN(\(section.alignment))")
                lines.append("  {")
                for marker in starts { lines.append("    \(try Self.quoted(marker.name)) = .;") }
                if itemIndex == anchor?.item {
                    lines.append("    *(.ks.anchor)")
                }
                if section.isKeptWhenEmpty { lines.append("    . = ALIGN(1);") }
                if let low = duplicates.first(where: { $0.hasSuffix("d0") }) { lines.append("    *(\(low))") }
                if contents.contains(parts[0].name) { lines.append("    *(\(parts[0].name))") }
                if section.hostsKallsyms {
                    lines.append("    *(.rodata)")
                    if let high = duplicates.first(where: { $0.hasSuffix("d1") }) { lines.append("    *(\(high))") }
                    if parts.count > 1, contents.contains(parts[1].name) { lines.append("    *(\(parts[1].name))") }
                }
                for marker in ends { lines.append("    \(try Self.quoted(marker.name)) = .;") }
                lines.append("  }")
                script += lines
            }
        }
        // The assembler's default sections (empty in every object) and ARM's interworking glue
        // would otherwise be placed as orphans and move `.`.
        script += [
            "  /DISCARD/ : { *(.ARM.attributes) *(.note.GNU-stack) *(.comment) *(.text) *(.data) *(.bss) "
                + "*(.glue_7) *(.glue_7t) *(.vfp11_veneer) *(.v4_bx) }", "}", "",
        ]
        if let anchor {
            main.append("  .section .ks.anchor,\(Self.flags(anchor.flags))")
            for index in repeats.indices { repeats[index].sections.append(.init(name: ".ks.anchor", flags: anchor.flags)) }
        }
        self.assembly = main.joined(separator: "\n") + "\n"
        self.repeats = repeats
        self.script = script.joined(separator: "\n")
    }

    static func binding(_ binding: Binding, _ name: String) -> [String] {
        switch binding {
        case .global: return ["  .globl \(name)"]
        case .weak: return ["  .weak \(name)"]
        case .local: return []
        }
    }

    /// `"a","aw","ax",…` and the section type for `flags`.
    static func flags(_ flags: SectionFlags) -> String {
        var letters = ""
        if flags.contains(.alloc) { letters += "a" }
        if !flags.contains(.readOnly) { letters += "w" }
        if flags.contains(.code) { letters += "x" }
        if flags.contains(.threadLocal) { letters += "T" }
        return "\"\(letters)\",\(flags.contains(.load) ? "%progbits" : "%nobits")"
    }

    /// `"name"`: quoted, so that names starting with a digit or holding `.`/`$` assemble.
    static func quoted(_ name: [UInt8]) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else {
            throw Problem(description: "symbol name \(String(decoding: name, as: UTF8.self).debugDescription) cannot be assembled")
        }
        guard !name.starts(with: Array(".L".utf8)) else {
            throw Problem(description: "symbol name \(String(decoding: name, as: UTF8.self)) is assembler-local (.L)")
        }
        return "\"" + String(decoding: name, as: UTF8.self) + "\""
    }
}

/// An object that only defines symbols (one of `LinkerInput.repeats`): its sections are empty,
/// each symbol sits at an offset from its section's start.
public struct SymbolObject: Sendable, Equatable {
    public struct Section: Sendable, Equatable {
        public var name: String
        public var flags: SectionFlags

        public init(name: String, flags: SectionFlags) {
            self.name = name
            self.flags = flags
        }
    }

    public struct Symbol: Sendable, Equatable {
        public var name: [UInt8]
        public var binding: Binding
        /// The index in `sections`.
        public var section: Int
        public var offset: UInt64

        public init(name: [UInt8], binding: Binding, section: Int, offset: UInt64) {
            self.name = name
            self.binding = binding
            self.section = section
            self.offset = offset
        }
    }

    public var sections: [Section]
    public var symbols: [Symbol]

    public init(sections: [Section] = [], symbols: [Symbol] = []) {
        self.sections = sections
        self.symbols = symbols
    }
}
