import Compressor

/// The plain text form of a layout: one item per line, `#` starts a comment.
///
/// ```
/// # a uniprocessor ARM kernel, Linux 3.3 style
/// layout example
/// target arm
/// base 0xc0008000
/// section .text text align 32 size 0x1000
///   start _stext
///   global 0x0 stext
///   local 0x40 do_thing
///   end _etext_text
/// section .rodata rodata align 4096 size 0x800
///   kallsyms
/// align 4096
/// section .data..percpu data align 1 size 0x0
///   start __per_cpu_start
///   end __per_cpu_end
/// absolute __init_end
/// align 8192
/// absolute __data_loc
/// section .data data align 8192 size 0x2000
///   start _sdata
///   weak 0x10 some_weak_data
/// ```
///
/// Lines: `layout NAME`, `target arm|arm64|x86|x86_64`, `instructions arm|thumb2` (an ARM
/// layout's calls are Thumb-2 `bl`; default arm) and `base ADDRESS` come before the
/// first item; then `section NAME KIND [align N] [size N] [flags LIST] [keep]` (KIND is
/// `text`, `rodata`, `data` or `bss`; LIST is `alloc,load,readonly,code,tls` or `none`, the
/// kind's flags when absent), the members of the last section: `start NAME`, `end NAME`,
/// `global|local|weak OFFSET NAME`, `kallsyms [OFFSET]` (at most one in a layout; without
/// one the tables go at the end of the first rodata section), and between sections
/// `align N` and `absolute NAME`; and `call OFFSET TARGET` in a code section of an `arm` or
/// `arm64` layout: a 4-byte branch-and-link at OFFSET (a multiple of 4, inside the section,
/// not splitting a symbol's offset) to TARGET, a global or weak symbol the layout defines
/// exactly once; not in the section that holds the kallsyms tables, and the section aligned
/// to at least 4 (docs/linkers.md, "Branch stubs"). Numbers are decimal or `0x` hexadecimal. Names are bytes:
/// a byte below `!`, above `~`, `#` or `\` is written `\xNN`. Indentation is free.
///
/// `description` writes the canonical form (comments dropped, numbers in a fixed base), and
/// `Layout(parsing: layout.description) == layout` for every layout.
extension Layout: CustomStringConvertible {
    /// Reads the text form.
    /// - Throws: `LayoutError` naming the line.
    public init(parsing text: String) throws {
        try self.init(parsing: Array(text.utf8))
    }

    /// Reads the text form from bytes (a file's contents).
    /// - Throws: `LayoutError` naming the line.
    public init(parsing bytes: [UInt8]) throws {
        var parser = LayoutParser()
        var lineNumber = 0
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            if start < bytes.count || end > start {
                try parser.consume(bytes[start..<end], line: lineNumber)
            }
            start = end + 1
        }
        self = try parser.finish()
    }

    /// The canonical text form.
    public var description: String {
        var lines: [String] = []
        if let name { lines.append("layout \(LayoutName.escape(Array(name.utf8)))") }
        lines.append("target \(target.name)")
        if usesThumb { lines.append("instructions thumb2") }
        lines.append("base 0x\(String(base, radix: 16))")
        for item in items {
            switch item {
            case .align(let alignment):
                lines.append("align \(alignment)")
            case .absolute(let name):
                lines.append("absolute \(LayoutName.escape(name))")
            case .section(let section):
                var header =
                    "section \(LayoutName.escape(Array(section.name.utf8))) \(section.kind.rawValue)"
                    + " align \(section.alignment) size 0x\(String(section.size, radix: 16))"
                if section.flags != section.kind.defaultFlags { header += " flags \(section.flags)" }
                if section.isKeptWhenEmpty { header += " keep" }
                lines.append(header)
                for member in section.members {
                    switch member {
                    case .marker(let name, let edge):
                        lines.append("  \(edge.rawValue) \(LayoutName.escape(name))")
                    case .symbol(let name, let offset, let binding):
                        lines.append("  \(binding.rawValue) 0x\(String(offset, radix: 16)) \(LayoutName.escape(name))")
                    case .kallsyms(let offset):
                        lines.append(offset.map { "  kallsyms 0x\(String($0, radix: 16))" } ?? "  kallsyms")
                    }
                }
                for call in section.calls {
                    lines.append("  call 0x\(String(call.offset, radix: 16)) \(LayoutName.escape(call.target))")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Escaping of names in the text form.
enum LayoutName {
    static func isPlain(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "#") && byte != UInt8(ascii: "\\")
    }

    static func escape(_ name: [UInt8]) -> String {
        if name.allSatisfy(isPlain) { return String(decoding: name, as: UTF8.self) }
        var text = ""
        for byte in name {
            if isPlain(byte) { text.unicodeScalars.append(Unicode.Scalar(byte)) } else { text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16) }
        }
        return text
    }

    /// Undoes `escape`; nil for a malformed escape.
    static func unescape(_ token: ArraySlice<UInt8>) -> [UInt8]? {
        guard token.contains(UInt8(ascii: "\\")) else { return Array(token) }
        var result: [UInt8] = []
        var index = token.startIndex
        while index < token.endIndex {
            let byte = token[index]
            if byte != UInt8(ascii: "\\") {
                result.append(byte)
                index += 1
                continue
            }
            guard token.endIndex - index >= 4, token[index + 1] == UInt8(ascii: "x"),
                let high = hexDigit(token[index + 2]), let low = hexDigit(token[index + 3])
            else { return nil }
            result.append(high << 4 | low)
            index += 4
        }
        return result
    }

    static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}

/// The line-by-line reader behind `Layout(parsing:)`.
struct LayoutParser {
    var layout = Layout()
    /// The section whose members follow, not yet appended to `layout.items`.
    var open: Section?
    var openLine = 0
    var sawItem = false
    var kallsymsLine: Int?
    var sectionNames: [String: Int] = [:]
    /// Each call read so far with its line, checked against the whole layout by `finish`.
    var callLines: [(section: String, call: Section.Call, line: Int)] = []
    var instructionsLine: Int?

    private static func error(_ message: String, _ line: Int) -> LayoutError {
        LayoutError(message, line: line)
    }

    /// A token as a message shows it: bytes outside printable ASCII as `\xNN`, cut at 80 bytes.
    private static func shown(_ token: ArraySlice<UInt8>) -> String {
        LayoutName.escape(Array(token.prefix(80))) + (token.count > 80 ? "… (\(token.count) bytes)" : "")
    }

    mutating func consume(_ raw: ArraySlice<UInt8>, line: Int) throws {
        var tokens: [ArraySlice<UInt8>] = []
        var index = raw.startIndex
        while index < raw.endIndex {
            while index < raw.endIndex && (raw[index] == 0x20 || raw[index] == 0x09 || raw[index] == 0x0D) { index += 1 }
            guard index < raw.endIndex else { break }
            if raw[index] == UInt8(ascii: "#") { break }
            let start = index
            while index < raw.endIndex && raw[index] != 0x20 && raw[index] != 0x09 && raw[index] != 0x0D { index += 1 }
            tokens.append(raw[start..<index])
        }
        guard let keyword = tokens.first.map({ String(decoding: $0, as: UTF8.self) }) else { return }
        let arguments = Array(tokens.dropFirst())
        switch keyword {
        case "instructions":
            guard !sawItem else { throw Self.error("'instructions' must come before the first section", line) }
            let set = arguments.count == 1 ? String(decoding: arguments[0], as: UTF8.self) : ""
            guard set == "thumb2" || set == "arm" else {
                throw Self.error("'instructions' takes arm or thumb2", line)
            }
            layout.usesThumb = set == "thumb2"
            instructionsLine = line
        case "layout", "target", "base":
            guard !sawItem else { throw Self.error("'\(keyword)' must come before the first section", line) }
            guard arguments.count == 1 else { throw Self.error("'\(keyword)' takes one argument", line) }
            switch keyword {
            case "layout":
                layout.name = String(decoding: try name(arguments[0], line), as: UTF8.self)
            case "target":
                let text = String(decoding: arguments[0], as: UTF8.self)
                guard let target = TargetABI.all.first(where: { $0.name == text }) else {
                    throw Self.error("unknown target \(Self.shown(arguments[0])) (known: \(TargetABI.all.map(\.name).joined(separator: ", ")))", line)
                }
                layout.target = target
            default:
                layout.base = try number(arguments[0], what: "base address", line)
            }
        case "section":
            try closeSection()
            sawItem = true
            try parseSectionHeader(arguments, line: line)
        case "align", "absolute":
            try closeSection()
            sawItem = true
            guard arguments.count == 1 else { throw Self.error("'\(keyword)' takes one argument", line) }
            if keyword == "align" {
                layout.items.append(.align(try alignment(arguments[0], line)))
            } else {
                layout.items.append(.absolute(try name(arguments[0], line)))
            }
        case "call":
            guard let section = open else {
                throw Self.error("'call' outside a section (it belongs under a 'section' line)", line)
            }
            let call = try call(arguments, in: section, line: line)
            open!.calls.append(call)
            callLines.append((section.name, call, line))
        case "start", "end", "global", "local", "weak", "kallsyms":
            guard let sectionName = open?.name, let size = open?.size else {
                throw Self.error("'\(keyword)' outside a section (it belongs under a 'section' line)", line)
            }
            // Appended in place: holding a copy of the section would copy its members each line.
            let member = try member(keyword, arguments, sectionName: sectionName, size: size, line: line)
            open!.members.append(member)
        default:
            throw Self.error(
                "unknown line '\(Self.shown(tokens[0]))' (expected layout, target, base, section, align, absolute, "
                    + "start, end, global, local, weak, kallsyms or call)", line)
        }
    }

    private mutating func parseSectionHeader(_ arguments: [ArraySlice<UInt8>], line: Int) throws {
        guard arguments.count >= 2 else { throw Self.error("'section' needs a name and a kind", line) }
        let sectionName = String(decoding: try name(arguments[0], line), as: UTF8.self)
        let kindText = String(decoding: arguments[1], as: UTF8.self)
        guard let kind = SectionKind(rawValue: kindText) else {
            throw Self.error("unknown section kind \(Self.shown(arguments[1])) (known: text, rodata, data, bss)", line)
        }
        if let previous = sectionNames[sectionName] {
            throw Self.error("section \(Self.shown(arguments[0])) is already defined on line \(previous)", line)
        }
        sectionNames[sectionName] = line
        var section = Section(name: sectionName, kind: kind)
        var index = 2
        while index < arguments.count {
            let key = String(decoding: arguments[index], as: UTF8.self)
            if key == "keep" {
                section.isKeptWhenEmpty = true
                index += 1
                continue
            }
            guard ["align", "size", "flags"].contains(key) else {
                throw Self.error("unknown section attribute \(Self.shown(arguments[index])) (expected align, size, flags or keep)", line)
            }
            guard index + 1 < arguments.count else { throw Self.error("'\(key)' needs a value", line) }
            let value = arguments[index + 1]
            switch key {
            case "align": section.alignment = try alignment(value, line)
            case "size": section.size = try number(value, what: "size", line)
            default:
                let text = String(decoding: value, as: UTF8.self)
                guard let flags = SectionFlags(listing: text) else {
                    throw Self.error("unknown flags \(Self.shown(value)) (use alloc, load, readonly, code, tls joined by commas, or none)", line)
                }
                section.flags = flags
            }
            index += 2
        }
        open = section
        openLine = line
    }

    private mutating func member(
        _ keyword: String, _ arguments: [ArraySlice<UInt8>], sectionName: String,
        size: UInt64, line: Int
    ) throws -> Section.Member {
        switch keyword {
        case "start", "end":
            guard arguments.count == 1 else { throw Self.error("'\(keyword)' takes a name", line) }
            return .marker(name: try name(arguments[0], line), edge: keyword == "start" ? .start : .end)
        case "kallsyms":
            guard arguments.count <= 1 else { throw Self.error("'kallsyms' takes at most an offset", line) }
            if let previous = kallsymsLine {
                throw Self.error("the kallsyms tables are already placed on line \(previous)", line)
            }
            kallsymsLine = line
            let offset = try arguments.first.map { try number($0, what: "offset", line) }
            if let offset, offset > size {
                throw Self.error(
                    "kallsyms offset 0x\(String(offset, radix: 16)) is beyond the size 0x"
                        + "\(String(size, radix: 16)) of section \(sectionName)", line)
            }
            return .kallsyms(offset: offset)
        default:
            guard arguments.count == 2 else { throw Self.error("'\(keyword)' takes an offset and a name", line) }
            let offset = try number(arguments[0], what: "offset", line)
            if offset > size {
                throw Self.error(
                    "offset 0x\(String(offset, radix: 16)) is beyond the size 0x"
                        + "\(String(size, radix: 16)) of section \(sectionName)", line)
            }
            return .symbol(name: try name(arguments[1], line), offset: offset, binding: Binding(rawValue: keyword)!)
        }
    }

    private mutating func closeSection() throws {
        if let section = open { layout.items.append(.section(section)) }
        open = nil
    }

    mutating func finish() throws -> Layout {
        try closeSection()
        if let instructionsLine, layout.usesThumb, layout.target != .arm32 {
            throw Self.error("thumb2 instructions need target arm, not \(layout.target.name)", instructionsLine)
        }
        try checkCalls()
        return layout
    }

    /// `call OFFSET TARGET`: what can be checked on the line itself.
    private func call(_ arguments: [ArraySlice<UInt8>], in section: Section, line: Int) throws -> Section.Call {
        guard arguments.count == 2 else { throw Self.error("'call' takes an offset and a target name", line) }
        let offset = try number(arguments[0], what: "offset", line)
        let target = try name(arguments[1], line)
        guard section.flags.contains(.code) else {
            throw Self.error("a call in section \(section.name), which is not code", line)
        }
        guard section.alignment >= 4 else {
            throw Self.error("a call in section \(section.name), aligned to \(section.alignment): calls need an alignment of at least 4", line)
        }
        guard offset % 4 == 0 else { throw Self.error("call offset 0x\(String(offset, radix: 16)) is not a multiple of 4", line) }
        guard offset <= section.size, section.size - offset >= Section.Call.size else {
            throw Self.error(
                "the call at 0x\(String(offset, radix: 16)) does not fit in the size 0x"
                    + "\(String(section.size, radix: 16)) of section \(section.name)", line)
        }
        if section.calls.contains(where: { $0.offset == offset }) {
            throw Self.error("section \(section.name) already has a call at 0x\(String(offset, radix: 16))", line)
        }
        return Section.Call(offset: offset, target: target)
    }

    /// What a call needs from the whole layout: an arm or arm64 target, a target symbol defined
    /// once as global or weak, no symbol inside the instruction, and not the kallsyms host.
    private func checkCalls() throws {
        guard let first = callLines.first else { return }
        guard layout.target == .arm32 || layout.target == .arm64 else {
            throw Self.error("calls are modelled for arm and arm64 layouts, not \(layout.target.name)", first.line)
        }
        var definitions: [[UInt8]: (count: Int, binding: Binding?)] = [:]
        // Thumb-2: where each symbol is (a Thumb function lives at an even offset of code).
        var thumbFunctionSites: [[UInt8]: (section: String, isCode: Bool, offset: UInt64)] = [:]
        var host: String?
        var firstRodata: String?
        for item in layout.items {
            switch item {
            case .align: break
            case .absolute(let name): definitions[name, default: (0, nil)].count += 1
            case .section(let section):
                if section.hostsKallsyms { host = section.name }
                if section.kind == .rodata && firstRodata == nil { firstRodata = section.name }
                for member in section.members {
                    switch member {
                    case .marker(let name, _): definitions[name, default: (0, nil)].count += 1
                    case .symbol(let name, let offset, let binding):
                        definitions[name, default: (0, nil)].count += 1
                        definitions[name]!.binding = binding
                        if layout.usesThumb { thumbFunctionSites[name] = (section.name, section.flags.contains(.code), offset) }
                    case .kallsyms: break
                    }
                }
            }
        }
        host = host ?? firstRodata
        let sections = Dictionary(layout.sections.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (sectionName, call, line) in callLines {
            let target = LayoutName.escape(call.target)
            guard let definition = definitions[call.target] else {
                throw Self.error("call target \(target) is not defined in the layout", line)
            }
            guard definition.count == 1 else {
                throw Self.error("call target \(target) is defined \(definition.count) times (a call needs exactly one)", line)
            }
            guard let binding = definition.binding, binding != .local else {
                throw Self.error("call target \(target) is not a global or weak symbol of a section", line)
            }
            if sectionName == host {
                throw Self.error("a call in section \(sectionName), which holds the kallsyms tables (not modelled)", line)
            }
            if let site = thumbFunctionSites[call.target], !site.isCode || site.offset % 2 != 0 || site.section == host {
                throw Self.error(
                    "call target \(target) is not a Thumb function: thumb2 targets are at even offsets of code "
                        + "sections other than the kallsyms host", line)
            }
            if let section = sections[sectionName] {
                for case .symbol(let name, let offset, _) in section.members
                where offset > call.offset && offset < call.offset + Section.Call.size {
                    throw Self.error(
                        "symbol \(LayoutName.escape(name)) at 0x\(String(offset, radix: 16)) lies inside the call at 0x"
                            + "\(String(call.offset, radix: 16))", line)
                }
            }
        }
    }

    private func name(_ token: ArraySlice<UInt8>, _ line: Int) throws -> [UInt8] {
        guard let bytes = LayoutName.unescape(token), !bytes.isEmpty else {
            throw Self.error("malformed name \(Self.shown(token)) (escape bytes as \\xNN)", line)
        }
        guard !bytes.contains(0) else { throw Self.error("a name cannot hold a NUL byte", line) }
        return bytes
    }

    private func number(_ token: ArraySlice<UInt8>, what: String, _ line: Int) throws -> UInt64 {
        let text = String(decoding: token, as: UTF8.self)
        let value: UInt64?
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            value = text.count > 2 ? UInt64(text.dropFirst(2), radix: 16) : nil
        } else {
            value = UInt64(text)
        }
        guard let value else { throw Self.error("\(what) '\(Self.shown(token))' is not a number", line) }
        return value
    }

    private func alignment(_ token: ArraySlice<UInt8>, _ line: Int) throws -> UInt64 {
        let value = try number(token, what: "alignment", line)
        guard value > 0 && value & (value - 1) == 0 else {
            throw Self.error("alignment \(value) is not a power of two", line)
        }
        return value
    }
}

/// A layout text that does not parse: the message and the line.
public typealias LayoutError = FormatError<Layout>
