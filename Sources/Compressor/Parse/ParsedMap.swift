/// What an era's parser made of an `nm -n` text: the records and the warnings it printed.
public struct ParsedMap: Hashable, Sendable {
    /// The records as columns (what the pipeline reads).
    public var symbols: SymbolTable
    public var warnings: [KallsymsWarning]

    public init(symbols: SymbolTable, warnings: [KallsymsWarning] = []) {
        self.symbols = symbols
        self.warnings = warnings
    }

    public init(records: [SymbolRecord], warnings: [KallsymsWarning] = []) {
        self.init(symbols: SymbolTable(records), warnings: warnings)
    }

    /// The records as values (each name its own array; convenient, not for hot paths).
    public var records: [SymbolRecord] {
        get { symbols.records }
        set { symbols = SymbolTable(newValue) }
    }
}

extension Era {
    /// Parses `nm -n` text the way this era's generator reads it (docs/behaviour.md §2).
    ///
    /// v3.3–v6.1 read whitespace-separated tokens (scanf semantics, names split at the buffer
    /// size); v6.19+ read strict `ADDR␠T␠NAME` lines and throw `lineFormat` on anything else.
    /// Names at or above the era's length limit are skipped with the era's warning.
    /// - Complexity: O(n) in the input size.
    public func parse(_ input: [UInt8]) throws -> ParsedMap {
        try input.withUnsafeBufferPointer { try parse($0) }
    }

    /// `parse(_:)` over bytes the caller holds (e.g. a mapped file), without copying them.
    public func parse(_ input: UnsafeBufferPointer<UInt8>) throws -> ParsedMap {
        try parse(input, on: nil)
    }

    /// `parse(_:)`, with a second thread reading chunks of a large input when `warm` is given
    /// (`ChunkedWork`; the result is the same).
    func parse(_ input: UnsafeBufferPointer<UInt8>, on warm: Concurrently.WarmCore?) throws -> ParsedMap {
        let rules = self.rules
        var map: ParsedMap
        switch rules.parsing {
        case .whitespaceTokens(let nameBuffer):
            map = TokenMapParser.parse(input, nameBuffer: nameBuffer, on: warm)
        case .strictLines:
            map = try LineMapParser.parse(input, on: warm)
        }
        if let limit = rules.nameLengthLimit {
            let names = map.symbols.names
            let tooLong = map.symbols.indices.filter { names.length(of: $0) >= limit }
            if !tooLong.isEmpty {
                for row in tooLong {
                    let name = names[row]
                    map.warnings.append(
                        KallsymsWarning(
                            "Symbol \(String(decoding: name.prefix(64), as: UTF8.self))"
                                + "\(name.count > 64 ? "…" : "") too long for kallsyms "
                                + "(\(name.count) >= \(limit)). Please increase KSYM_NAME_LEN both in kernel and kallsyms.c",
                            line: Int(map.symbols.lines[row])))
                }
                map.symbols = map.symbols.filter { names.length(of: $0) < limit }
            }
        }
        return map
    }
}

/// The byte classes of C's `isspace` in the C locale: space, `\t`, `\n`, `\v`, `\f`, `\r`.
@inline(__always) func isCSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
}

@inline(__always) func hexValue(_ byte: UInt8) -> UInt64? {
    switch byte {
    case 0x30...0x39: return UInt64(byte &- 0x30)
    case 0x41...0x46: return UInt64(byte &- 0x41 &+ 10)
    case 0x61...0x66: return UInt64(byte &- 0x61 &+ 10)
    default: return nil
    }
}

/// Accumulates hexadecimal digits like `strtoull`: saturating at 2⁶⁴−1 on overflow.
struct HexAccumulator {
    var value: UInt64 = 0
    var overflowed = false
    var digits = 0

    mutating func add(_ digit: UInt64) {
        digits += 1
        if overflowed { return }
        if value > (UInt64.max >> 4) {
            overflowed = true
            value = .max
        } else {
            value = value << 4 | digit
        }
    }

    /// The final value; a leading `-` negates as `strtoull` does (but never an overflowed value).
    func result(negative: Bool) -> UInt64 {
        if overflowed { return .max }
        return negative ? 0 &- value : value
    }
}
