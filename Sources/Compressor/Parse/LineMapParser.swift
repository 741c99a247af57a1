/// The v6.19+ reader: one `ADDR␠T␠NAME` record per line (docs/behaviour.md §2.2).
///
/// The address is read as `strtoull(…, 16)` reads it (leading blanks, a sign and `0x`
/// accepted); then exactly one space, one ASCII type byte and one space must follow. The name
/// is the whole rest of the line (up to a NUL, where C strings end), `\r` included.
enum LineMapParser {
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> ParsedMap {
        var symbols = SymbolTable()
        symbols.reserve(rows: bytes.count / 24, nameBytes: bytes.count)
        do {
            var lineStart = 0
            var lineNumber = 0
            while lineStart < bytes.count {
                lineNumber += 1
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
                guard parseLine(bytes, lineStart, lineEnd, lineNumber, into: &symbols) else {
                    throw KallsymsError(.lineFormat, "line format error (expected \"ADDRESS TYPE NAME\" "
                                        + "with single spaces): \(preview(bytes, lineStart, lineEnd))",
                                        line: lineNumber)
                }
                lineStart = lineEnd + 1
            }
        }
        return ParsedMap(symbols: symbols)
    }

    /// Appends the line's record; false when the line is malformed.
    private static func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                                  _ lineNumber: Int, into symbols: inout SymbolTable) -> Bool {
        var p = start
        while p < end, isCSpace(bytes[p]) { p += 1 }
        var negative = false
        if p < end, bytes[p] == UInt8(ascii: "-") || bytes[p] == UInt8(ascii: "+") {
            negative = bytes[p] == UInt8(ascii: "-")
            p += 1
        }
        // strtoull skips "0x" only when a hex digit follows it.
        if p + 2 < end, bytes[p] == UInt8(ascii: "0"), bytes[p + 1] | 0x20 == UInt8(ascii: "x"),
           hexValue(bytes[p + 2]) != nil {
            p += 2
        }
        var number = HexAccumulator()
        while p < end, let digit = hexValue(bytes[p]) {
            number.add(digit)
            p += 1
        }
        guard number.digits > 0 else { return false }
        guard p + 3 <= end else { return false }
        guard bytes[p] == 0x20, bytes[p + 1] < 0x80, bytes[p + 2] == 0x20 else { return false }
        let type = bytes[p + 1]
        var nameEnd = p + 3
        while nameEnd < end, bytes[nameEnd] != 0 { nameEnd += 1 }
        symbols.append(address: number.result(negative: negative), type: type,
                       name: UnsafeBufferPointer(rebasing: bytes[(p + 3)..<nameEnd]), line: lineNumber)
        return true
    }

    /// The start of a bad line, printable, for the error message.
    private static func preview(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        if start == end { return "empty line" }
        let cut = min(end, start + 60)
        var text = ""
        for byte in bytes[start..<cut] {
            if byte >= 0x20 && byte < 0x7F { text.unicodeScalars.append(Unicode.Scalar(byte)) }
            else { text += "\\x" + String(byte, radix: 16).leftPadded(to: 2) }
        }
        return "\"\(text)\(end > cut ? "…" : "")\""
    }
}

extension String {
    /// Left-pads with zeros to `width` characters.
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
