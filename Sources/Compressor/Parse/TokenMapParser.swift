/// The v3.3–v6.1 reader: scanf `"%llx %c %<N>s\n"` records over the whole byte stream
/// (docs/behaviour.md §2.1).
///
/// Records are not line based: a blank run of any kind separates fields, a two-field line takes
/// the next line's address as its name, a name longer than the buffer is split and its tail is
/// read as the next record's address. When a record does not convert completely the rest of
/// that physical line (at most one buffer's worth) is discarded, as the kernel's `fgets` does.
enum TokenMapParser {
    /// Reads `bytes` as the era's generator does, on `warm` too when there is one (see
    /// `ChunkedWork`; `chunkSize` is for tests). `readsPlainRecordsFast` (a switch for tests
    /// only) sends every record through the general scanner instead of `scanPlainRecord` first.
    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, nameBuffer: Int, readsPlainRecordsFast: Bool = true,
        on warm: Concurrently.WarmCore? = nil, chunkSize: Int = ChunkedWork<Part>.chunkSize
    ) -> ParsedMap {
        if let warm,
            let map = parseInChunks(
                bytes, nameBuffer: nameBuffer, readsPlainRecordsFast: readsPlainRecordsFast, on: warm, chunkSize: chunkSize)
        {
            return map
        }
        let part = parse(bytes, from: 0, stoppingAt: Int.max, nameBuffer: nameBuffer, readsPlainRecordsFast: readsPlainRecordsFast)
        return ParsedMap(symbols: part.symbols, warnings: part.warnings)
    }

    /// `parse` on two threads (`ChunkedWork`): nil when the input is too small to cut or a
    /// record runs across a cut (a part that does not stop exactly where the next one starts).
    static func parseInChunks(
        _ bytes: UnsafeBufferPointer<UInt8>, nameBuffer: Int, readsPlainRecordsFast: Bool = true,
        on warm: Concurrently.WarmCore?, chunkSize: Int = ChunkedWork<Part>.chunkSize
    ) -> ParsedMap? {
        guard let bounds = ChunkedWork<Part>.bounds(of: bytes, chunkSize: chunkSize) else { return nil }
        let parts = ChunkedWork(bounds: bounds) { chunk in
            parse(
                bytes, from: bounds[chunk], stoppingAt: chunk == bounds.count - 2 ? Int.max : bounds[chunk + 1],
                nameBuffer: nameBuffer, readsPlainRecordsFast: readsPlainRecordsFast)
        }.run(on: warm)
        // Each part must have stopped where the next one starts, as the whole read would.
        for chunk in parts.indices.dropLast() where parts[chunk].end != bounds[chunk + 1] || parts[chunk].atEndOfFile {
            return nil
        }
        var warnings: [KallsymsWarning] = []
        var lineOffset = 0
        var offsets: [Int] = []
        for part in parts {
            offsets.append(lineOffset)
            warnings += part.warnings.map { KallsymsWarning($0.message, line: $0.line.map { $0 + lineOffset }) }
            lineOffset += part.lines
        }
        return ParsedMap(symbols: SymbolTable(joining: parts.map(\.symbols), lineOffsets: offsets), warnings: warnings)
    }

    /// What reading from one place to another made: rows (their lines counted from 1 where
    /// the reading began), warnings, where it stopped and how many lines it passed.
    struct Part {
        var symbols: SymbolTable
        var warnings: [KallsymsWarning]
        var end: Int
        var atEndOfFile: Bool
        var lines: Int
    }

    /// Reads records from `start` as the generator would from there, until a record ends at or
    /// beyond `stop` (or the input ends).
    private static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, stoppingAt stop: Int, nameBuffer: Int, readsPlainRecordsFast: Bool
    ) -> Part {
        // Every name is a stretch of the input: the records keep where theirs starts and ends,
        // and the names are copied into one buffer at the end, each with one memory copy (by
        // the thread that read them, when the input is read in chunks).
        var records = SymbolTable.Builder(expectedRows: (min(stop, bytes.count) - start) / 24)
        var warnings: [KallsymsWarning] = []
        let base = bytes.baseAddress
        func offset(_ name: UnsafeBufferPointer<UInt8>) -> Int { name.baseAddress.map { $0 - base! } ?? 0 }
        var scanner = Scanner(bytes: bytes)
        scanner.offset = start
        while !scanner.atEndOfFile && scanner.offset < stop {
            if readsPlainRecordsFast, let record = scanner.scanPlainRecord(nameBuffer: nameBuffer) {
                records.append(
                    address: record.address, type: record.type, nameAt: offset(record.name),
                    length: record.name.count, line: record.line)
                continue
            }
            let outcome = scanner.scanRecord(nameBuffer: nameBuffer)
            switch outcome {
            case .record(let address, let type, let name, let line):
                records.append(address: address, type: type, nameAt: offset(name), length: name.count, line: line)
            case .endOfFile:
                break
            case .incomplete(let converted):
                // scanf returned 0–2: the generator reads the rest of the line and drops it.
                if !scanner.discardRestOfLine(limit: nameBuffer) {
                    warnings.append(
                        KallsymsWarning(
                            "Read error or end of file (a record with only \(converted) of 3 fields)",
                            line: scanner.line))
                }
            }
        }
        return Part(
            symbols: records.build(names: bytes), warnings: warnings, end: scanner.offset, atEndOfFile: scanner.atEndOfFile,
            lines: scanner.line - 1)
    }

    enum Outcome {
        case record(address: UInt64, type: UInt8, name: UnsafeBufferPointer<UInt8>, line: Int)
        case incomplete(converted: Int)
        case endOfFile
    }

    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0
        var line = 1
        /// Set once a read has hit the end of the input, like C's `feof`.
        var atEndOfFile = false

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        /// Skips C blanks; returns false (and sets `atEndOfFile`) when the input ends.
        mutating func skipBlanks() -> Bool {
            var cursor = offset
            defer { offset = cursor }
            while cursor < bytes.count {
                let byte = bytes[cursor]
                guard isCSpace(byte) else { return true }
                if byte == 0x0A { line &+= 1 }
                cursor &+= 1
            }
            atEndOfFile = true
            return false
        }

        /// The record at `offset` when it has the shape nearly every line of `nm -n` output
        /// has, `HEX␠T␠NAME\n` (1–16 hex digits, single spaces, a name of bytes above space
        /// shorter than the buffer), read with a few instructions per byte; nil, with nothing
        /// consumed, for anything else, which `scanRecord` then reads. On such a line both
        /// readers take the same fields and stop at the same place.
        @inline(__always)
        mutating func scanPlainRecord(nameBuffer: Int) -> (address: UInt64, type: UInt8, name: UnsafeBufferPointer<UInt8>, line: Int)? {
            guard let base = bytes.baseAddress else { return nil }
            let count = bytes.count
            let (address, end) = PlainHexAddress.read(base, from: offset, count: count)
            let cursor = end
            let digits = cursor &- offset
            // Digits, a space, the type, a space, at least one name byte and the newline.
            guard digits > 0, digits <= 16, count &- cursor >= 5, base[cursor] == 0x20 else { return nil }
            let type = base[cursor &+ 1]
            guard !isCSpace(type), base[cursor &+ 2] == 0x20 else { return nil }
            let nameStart = cursor &+ 3
            // The name runs to the first byte at or below space: eight bytes at a time while a
            // whole word is left, then byte by byte.
            var nameEnd = nameStart
            let raw = UnsafeRawPointer(base)
            while nameEnd &+ 8 <= count {
                let low = flagsOfBytes(below: 0x21, in: raw.loadUnaligned(fromByteOffset: nameEnd, as: UInt64.self))
                if low != 0 {
                    nameEnd &+= low.trailingZeroBitCount &>> 3
                    break
                }
                nameEnd &+= 8
            }
            if nameEnd &+ 8 > count {
                while nameEnd < count && base[nameEnd] > 0x20 { nameEnd &+= 1 }
            }
            guard nameEnd > nameStart, nameEnd < count, base[nameEnd] == 0x0A, nameEnd &- nameStart < nameBuffer else { return nil }
            let recordLine = line
            line &+= 1
            offset = nameEnd &+ 1
            // The format's closing "\n" takes any further blanks.
            if offset >= count {
                atEndOfFile = true
            } else if isCSpace(base[offset]) {
                _ = skipBlanks()
            }
            return (address, type, UnsafeBufferPointer(start: base + nameStart, count: nameEnd &- nameStart), recordLine)
        }

        mutating func scanRecord(nameBuffer: Int) -> Outcome {
            // %llx: blanks, optional sign, optional 0x, hex digits.
            guard skipBlanks() else { return .endOfFile }
            let recordLine = line
            var negative = false
            let first = bytes[offset]
            if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
                negative = first == UInt8(ascii: "-")
                offset += 1
            }
            var number = HexAccumulator()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "0") {
                number.add(0)
                offset += 1
                if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "x") {
                    offset += 1
                }
            }
            var cursor = offset
            while cursor < bytes.count, let digit = hexValue(bytes[cursor]) {
                number.add(digit)
                cursor &+= 1
            }
            offset = cursor
            if offset >= bytes.count { atEndOfFile = true }
            guard number.digits > 0 else {
                // A matching failure; at end of input scanf reports EOF instead.
                return atEndOfFile ? .endOfFile : .incomplete(converted: 0)
            }
            let address = number.result(negative: negative)
            // " %c": blanks, then any one byte.
            guard skipBlanks() else { return .incomplete(converted: 1) }
            let type = bytes[offset]
            offset += 1
            // " %Ns": blanks, then up to N non-blank bytes.
            guard skipBlanks() else { return .incomplete(converted: 2) }
            let nameStart = offset
            let nameLimit = min(bytes.count, offset + nameBuffer)
            // C strings end at the first NUL: the name is cut there, the scan goes on.
            var nameCursor = offset
            var nameEnd = -1
            while nameCursor < nameLimit {
                let byte = bytes[nameCursor]
                if isCSpace(byte) { break }
                if byte == 0 && nameEnd < 0 { nameEnd = nameCursor }
                nameCursor &+= 1
            }
            offset = nameCursor
            if offset >= bytes.count { atEndOfFile = true }
            let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<(nameEnd < 0 ? nameCursor : nameEnd)])
            // "\n": any run of blanks.
            _ = skipBlanks()
            return .record(address: address, type: type, name: name, line: recordLine)
        }

        /// `fgets(buffer, limit + 1)`: reads through the next newline or `limit` bytes.
        /// Returns false when nothing could be read (end of input).
        mutating func discardRestOfLine(limit: Int) -> Bool {
            guard offset < bytes.count else {
                atEndOfFile = true
                return false
            }
            var taken = 0
            while offset < bytes.count, taken < limit {
                let byte = bytes[offset]
                offset += 1
                taken += 1
                if byte == 0x0A {
                    line += 1
                    return true
                }
            }
            if offset >= bytes.count { atEndOfFile = true }
            return true
        }
    }
}
