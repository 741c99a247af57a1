/// The v6.19+ reader: one `ADDR␠T␠NAME` record per line (docs/behaviour.md §2.2).
///
/// The address is read as `strtoull(…, 16)` reads it (leading blanks, a sign and `0x`
/// accepted); then exactly one space, one ASCII type byte and one space must follow. The name
/// is the whole rest of the line (up to a NUL, where C strings end), `\r` included.
enum LineMapParser {
    /// Reads `bytes`, on `warm` too when there is one (see `ChunkedWork`; `chunkSize` is for
    /// tests). Lines are read one by one, so the chunks' parts always join: the first bad line
    /// of the first chunk that has one is the one reported.
    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, on warm: Concurrently.WarmCore? = nil,
        chunkSize: Int = ChunkedWork<Part>.chunkSize
    ) throws -> ParsedMap {
        guard let warm, let bounds = ChunkedWork<Part>.bounds(of: bytes, chunkSize: chunkSize) else {
            let part = parse(bytes, bounds: 0..<bytes.count)
            try part.throwFirstError(bytes, lineOffset: 0)
            return ParsedMap(symbols: part.symbols)
        }
        let parts = ChunkedWork(bounds: bounds) { chunk in parse(bytes, bounds: bounds[chunk]..<bounds[chunk + 1]) }.run(on: warm)
        var lineOffset = 0
        var offsets: [Int] = []
        for part in parts {
            try part.throwFirstError(bytes, lineOffset: lineOffset)
            offsets.append(lineOffset)
            lineOffset += part.lines
        }
        return ParsedMap(symbols: SymbolTable(joining: parts.map(\.symbols), lineOffsets: offsets))
    }

    /// The rows of a stretch of whole lines (numbered from 1 where it starts), up to its first
    /// bad line if it has one.
    struct Part {
        var symbols: SymbolTable
        var lines: Int
        /// The first bad line: its number and where it starts and ends.
        var badLine: (number: Int, start: Int, end: Int)?

        func throwFirstError(_ bytes: UnsafeBufferPointer<UInt8>, lineOffset: Int) throws {
            guard let badLine else { return }
            throw KallsymsError(
                .lineFormat,
                "line format error (expected \"ADDRESS TYPE NAME\" "
                    + "with single spaces): \(preview(bytes, badLine.start, badLine.end))",
                line: lineOffset + badLine.number)
        }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, bounds: Range<Int>) -> Part {
        // Every name is a stretch of the input: rows keep where theirs starts, and the names are
        // copied into one buffer at the end (by the thread that read them).
        var records = SymbolTable.Builder(expectedRows: bounds.count / 24)
        var lineStart = bounds.lowerBound
        var lineNumber = 0
        while lineStart < bounds.upperBound {
            lineNumber &+= 1
            if let next = parsePlainLine(bytes, lineStart, lineNumber, into: &records) {
                lineStart = next
                continue
            }
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            guard parseLine(bytes, lineStart, lineEnd, lineNumber, into: &records) else {
                return Part(symbols: SymbolTable(), lines: lineNumber, badLine: (lineNumber, lineStart, lineEnd))
            }
            lineStart = lineEnd + 1
        }
        return Part(symbols: records.build(names: bytes), lines: lineNumber, badLine: nil)
    }

    /// The line at `start` when it has the shape of nearly every line of `nm -n` output and
    /// `/proc/kallsyms`: 1–16 hex digits at the start of the line, a space, a type byte below
    /// 0x80 other than `\n`, a space, then name bytes above `\n` up to the `\n` that ends the line. Appends its
    /// record and returns where the next line starts; nil, with nothing appended, for any other
    /// line (blanks, a sign or `0x` before the address, a NUL, control bytes below `\v` in the
    /// name, no final newline), which `parseLine` then reads. On a line of that shape both
    /// readers take the same fields.
    @inline(__always)
    private static func parsePlainLine(
        _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ lineNumber: Int,
        into records: inout SymbolTable.Builder
    ) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        let (address, end) = PlainHexAddress.read(base, from: start, count: count)
        let cursor = end
        let digits = cursor &- start
        // 16 digits cannot overflow; a space, the type, a space and the newline must follow.
        guard digits > 0, digits <= 16, count &- cursor >= 4, base[cursor] == 0x20 else { return nil }
        let type = base[cursor &+ 1]
        guard type < 0x80, type != 0x0A, base[cursor &+ 2] == 0x20 else { return nil }
        let nameStart = cursor &+ 3
        // The name runs to the first byte at or below `\n`: eight bytes at a time while a whole
        // word is left, then byte by byte.
        var nameEnd = nameStart
        let raw = UnsafeRawPointer(base)
        while nameEnd &+ 8 <= count {
            let low = flagsOfBytes(below: 0x0B, in: raw.loadUnaligned(fromByteOffset: nameEnd, as: UInt64.self))
            if low != 0 {
                nameEnd &+= low.trailingZeroBitCount &>> 3
                break
            }
            nameEnd &+= 8
        }
        if nameEnd &+ 8 > count {
            while nameEnd < count && base[nameEnd] > 0x0A { nameEnd &+= 1 }
        }
        guard nameEnd < count, base[nameEnd] == 0x0A else { return nil }
        records.append(address: address, type: type, nameAt: nameStart, length: nameEnd &- nameStart, line: lineNumber)
        return nameEnd &+ 1
    }

    /// Appends the line's record; false when the line is malformed.
    private static func parseLine(
        _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
        _ lineNumber: Int, into records: inout SymbolTable.Builder
    ) -> Bool {
        var p = start
        while p < end, isCSpace(bytes[p]) { p += 1 }
        var negative = false
        if p < end, bytes[p] == UInt8(ascii: "-") || bytes[p] == UInt8(ascii: "+") {
            negative = bytes[p] == UInt8(ascii: "-")
            p += 1
        }
        // strtoull skips "0x" only when a hex digit follows it.
        if p + 2 < end, bytes[p] == UInt8(ascii: "0"), bytes[p + 1] | 0x20 == UInt8(ascii: "x"),
            hexValue(bytes[p + 2]) != nil
        {
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
        records.append(
            address: number.result(negative: negative), type: type, nameAt: p + 3,
            length: nameEnd - (p + 3), line: lineNumber)
        return true
    }

    /// The start of a bad line, printable, for the error message.
    private static func preview(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        if start == end { return "empty line" }
        let cut = min(end, start + 60)
        var text = ""
        for byte in bytes[start..<cut] {
            if byte >= 0x20 && byte < 0x7F {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + String(byte, radix: 16).leftPadded(to: 2)
            }
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
