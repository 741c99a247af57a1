/// Reads a `.S` file written by any era's generator (or `compress`) back into tables.
///
/// It understands exactly the lines the generators print (docs/behaviour.md §6); anything else
/// throws `malformedAssembly` with the line number.
public struct AssemblyReader {
    /// What the file says about its era.
    public struct Result: Sendable {
        public var tables: RawKallsymsTables
        /// The era the preamble and layout point to.
        public var era: Era
        /// The uncompressed `type ++ name` comments of v6.19+ names lines, if any.
        public var comments: [[UInt8]]
    }

    /// Parses `text`. `era`, when given, decides the length-prefix style; otherwise it is inferred.
    public static func read(_ text: [UInt8], era: Era? = nil, absolutePercpu: Bool = false) throws -> Result {
        var reader = AssemblyReader()
        try reader.parse(text)
        return try reader.result(era: era, absolutePercpu: absolutePercpu)
    }

    private var include: String?
    private var sawPreamble = false
    private var table: String?
    private var numSyms: Int?
    private var nameLines: [[Int]] = []
    private var comments: [[UInt8]] = []
    private var markers: [UInt64] = []
    private var tokens: [[UInt8]] = []
    private var tokenIndex: [UInt16] = []
    private var addressEntries: [AddressEntry] = []
    private var offsets: [UInt32] = []
    private var textRelative: [Int32] = []
    private var relativeBase: AddressEntry?
    private var sawOffsets = false
    private var seqs: [Int] = []
    private var sawSeqs = false
    private var lineNumber = 0

    private func fail(_ message: String) -> KallsymsError {
        KallsymsError(.malformedAssembly, message, line: lineNumber)
    }

    private mutating func parse(_ text: [UInt8]) throws {
        var start = 0
        while start < text.count {
            lineNumber += 1
            var end = start
            while end < text.count, text[end] != 0x0A { end += 1 }
            try parseLine(text[start..<end])
            start = end + 1
        }
    }

    private mutating func parseLine(_ line: ArraySlice<UInt8>) throws {
        if line.isEmpty { return }
        if line.first == UInt8(ascii: "#") {
            sawPreamble = true
            let string = String(decoding: line, as: UTF8.self)
            if string.hasPrefix("#include ") { include = String(string.dropFirst("#include ".count)) }
            return
        }
        if line.starts(with: ".globl ".utf8) { return }
        if line.last == UInt8(ascii: ":") {
            // v3.3's --symbol-prefix puts one character before the label.
            let label = line.dropLast()
            let name = label.starts(with: "kallsyms_".utf8) ? label : label.dropFirst()
            guard name.starts(with: "kallsyms_".utf8) else { throw fail("unknown label \(printable(label))") }
            table = String(decoding: name, as: UTF8.self)
            return
        }
        guard line.first == 0x09 else { throw fail("unexpected line \(printable(line))") }
        let body = line.dropFirst()
        if body.starts(with: ".section".utf8) || body.elementsEqual("ALGN".utf8) || body.starts(with: ".balign".utf8)
            || body.starts(with: ".align".utf8)
        {
            return
        }
        guard let table else { throw fail("data before any kallsyms label") }

        if table == "kallsyms_token_table" {
            guard body.starts(with: ".asciz\t\"".utf8), body.last == UInt8(ascii: "\""), body.count >= 9 else {
                throw fail("expected .asciz\t\"…\" in kallsyms_token_table")
            }
            tokens.append(Array(body.dropFirst(8).dropLast()))
            return
        }
        // Split off a trailing "\t/* … */" comment.
        var directive = body
        var comment: ArraySlice<UInt8>?
        if let tab = findComment(body) {
            directive = body[body.startIndex..<tab]
            let rest = body[(tab + 4)...]
            guard rest.count >= 3, rest.suffix(3).elementsEqual(" */".utf8) else { throw fail("unterminated comment") }
            comment = rest.dropLast(3)
        }
        let words = String(decoding: directive, as: UTF8.self)
        switch table {
        case "kallsyms_num_syms":
            numSyms = try integer(operand(words, of: ["PTR", ".long"]))
        case "kallsyms_names":
            nameLines.append(try byteList(words))
            if let comment { comments.append(Array(comment)) }
        case "kallsyms_markers":
            let value = try integer(operand(words, of: ["PTR", ".long"]))
            markers.append(UInt64(bitPattern: Int64(value)))
        case "kallsyms_token_index":
            let value = try integer(operand(words, of: [".short"]))
            guard let short = UInt16(exactly: value) else { throw fail("token index \(value) out of range") }
            tokenIndex.append(short)
        case "kallsyms_addresses":
            addressEntries.append(try entry(operand(words, of: ["PTR"])))
        case "kallsyms_relative_base":
            relativeBase = try entry(operand(words, of: ["PTR"]))
        case "kallsyms_offsets":
            sawOffsets = true
            let value = try operand(words, of: [".long"])
            if value.hasPrefix("_text - . + (") && value.hasSuffix(")") {
                let inner = value.dropFirst("_text - . + (".count).dropLast()
                guard let distance = Int32(inner) else { throw fail("bad pc-relative offset \(value)") }
                textRelative.append(distance)
            } else {
                guard let number = UInt32(exactly: try integer(value)) else { throw fail("offset \(value) out of range") }
                offsets.append(number)
            }
        case "kallsyms_seqs_of_names":
            sawSeqs = true
            let bytes = try byteList(words)
            guard bytes.count == 3, bytes.allSatisfy({ $0 <= 0xFF }) else { throw fail("expected 3 bytes") }
            seqs.append(bytes[0] << 16 | bytes[1] << 8 | bytes[2])
        default:
            throw fail("unknown table \(table)")
        }
    }

    private func findComment(_ body: ArraySlice<UInt8>) -> Int? {
        var index = body.startIndex
        while index + 3 < body.endIndex {
            if body[index] == 0x09 && body[index + 1] == UInt8(ascii: "/") && body[index + 2] == UInt8(ascii: "*")
                && body[index + 3] == 0x20
            {
                return index
            }
            index += 1
        }
        return nil
    }

    private func operand(_ words: String, of directives: [String]) throws -> String {
        for directive in directives where words.hasPrefix(directive + "\t") {
            return String(words.dropFirst(directive.count + 1))
        }
        throw fail("expected \(directives.joined(separator: " or ")) in \(table ?? "?")")
    }

    private func integer(_ text: String) throws -> Int {
        if text == "0" { return 0 }
        if text.hasPrefix("0x"), let value = Self.unsigned(text.dropFirst(2), radix: 16) {
            return Int(truncatingIfNeeded: value)
        }
        if let value = Self.unsigned(Substring(text), radix: 10), let exact = Int(exactly: value) { return exact }
        throw fail("not a number: \(text)")
    }

    /// Digits only: Swift's integer parsing also takes a sign (`0x-b` would be -11), which no
    /// generator writes and which must not reach a byte conversion.
    private static func unsigned(_ digits: Substring, radix: Int) -> UInt64? {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "+") }) else { return nil }
        return UInt64(digits, radix: radix)
    }

    private func entry(_ text: String) throws -> AddressEntry {
        func magnitude(_ text: Substring) throws -> UInt64 {
            if text == "0" { return 0 }
            guard text.hasPrefix("0x"), let value = Self.unsigned(text.dropFirst(2), radix: 16) else {
                throw fail("not a hex number: \(text)")
            }
            return value
        }
        if text.hasPrefix("_text + ") { return .textPlus(try magnitude(text.dropFirst(8))) }
        if text.hasPrefix("_text - ") { return .textMinus(try magnitude(text.dropFirst(8))) }
        return .absolute(try magnitude(Substring(text)))
    }

    /// `.byte 0x01, 0x02, …` as numbers (v3.3 length bytes may exceed 0xff).
    private func byteList(_ words: String) throws -> [Int] {
        guard words.hasPrefix(".byte ") else { throw fail("expected .byte") }
        return try words.dropFirst(6).split(separator: ",").map { item in
            let trimmed = item.trimmingPrefix(" ")
            guard trimmed.hasPrefix("0x"), let value = Self.unsigned(trimmed.dropFirst(2), radix: 16),
                let exact = Int(exactly: value)
            else {
                throw fail("not a byte: \(trimmed)")
            }
            return exact
        }
    }

    private func inferredEra() -> Era {
        switch include {
        case "<asm/types.h>": return .v3_3
        case nil where !sawPreamble: return .v7_0
        default:
            if sawSeqs { return .v6_19 }
            // v5.10 writes a one-byte prefix even for a 128-byte name; v6.1 writes two bytes.
            let oneByteEvidence = nameLines.contains { $0.count >= 2 && $0[0] >= 0x80 && $0[0] == $0.count - 1 }
            return oneByteEvidence ? .v5_10 : .v6_1
        }
    }

    private func result(era explicit: Era?, absolutePercpu: Bool) throws -> Result {
        let era = explicit ?? inferredEra()
        guard let numSyms else { throw KallsymsError(.malformedAssembly, "no kallsyms_num_syms table") }
        var names: [UInt8] = []
        for line in nameLines {
            guard let first = line.first else { throw KallsymsError(.malformedAssembly, "an empty .byte line") }
            // The assembler keeps the low byte of an oversized `.byte` value (v3.3).
            names.append(UInt8(truncatingIfNeeded: first))
            for value in line.dropFirst() {
                guard value <= 0xFF else { throw KallsymsError(.malformedAssembly, "byte value \(value) > 0xff") }
                names.append(UInt8(value))
            }
        }
        var tokenTable: [UInt8] = []
        for token in tokens {
            tokenTable.append(contentsOf: token)
            tokenTable.append(0)
        }
        let addresses: AddressTable
        if !addressEntries.isEmpty || (!sawOffsets && numSyms == 0 && era.rules.addressStyle == .addresses) {
            addresses = .addresses(addressEntries)
        } else if let relativeBase {
            addresses = .baseRelative(offsets: offsets, base: relativeBase, absolutePercpu: absolutePercpu)
        } else if !textRelative.isEmpty {
            guard offsets.isEmpty else {
                throw KallsymsError(.malformedAssembly, "kallsyms_offsets mixes pc-relative and plain entries")
            }
            addresses = .textRelative(textRelative)
        } else {
            addresses = .absolute32(offsets)
        }
        let tables = RawKallsymsTables(
            symbolCount: numSyms, names: names, markers: markers, tokenTable: tokenTable,
            tokenIndex: tokenIndex, addresses: addresses,
            lengthPrefix: era.rules.lengthPrefix, seqsOfNames: sawSeqs ? seqs : nil)
        return Result(tables: tables, era: era, comments: comments)
    }
}
