/// What an era's parser made of an `nm -n` text: the records and the warnings it printed.
public struct ParsedMap: Hashable, Sendable {
    public var records: [SymbolRecord]
    public var warnings: [KallsymsWarning]

    public init(records: [SymbolRecord], warnings: [KallsymsWarning] = []) {
        self.records = records
        self.warnings = warnings
    }
}

extension Era {
    /// Parses `nm -n` text the way this era's generator reads it (spec §2).
    ///
    /// v3.3–v6.1 read whitespace-separated tokens (scanf semantics, names split at the buffer
    /// size); v6.19+ read strict `ADDR␠T␠NAME` lines and throw `lineFormat` on anything else.
    /// Names at or above the era's length limit are skipped with the era's warning.
    /// - Complexity: O(n) in the input size.
    public func parse(_ input: [UInt8]) throws -> ParsedMap {
        let rules = self.rules
        var map: ParsedMap
        switch rules.parsing {
        case .whitespaceTokens(let nameBuffer):
            map = TokenMapParser.parse(input, nameBuffer: nameBuffer)
        case .strictLines:
            map = try LineMapParser.parse(input)
        }
        if let limit = rules.nameLengthLimit {
            var kept: [SymbolRecord] = []
            kept.reserveCapacity(map.records.count)
            for record in map.records {
                if record.name.count >= limit {
                    map.warnings.append(KallsymsWarning(
                        "Symbol \(String(decoding: record.name.prefix(64), as: UTF8.self))"
                        + "\(record.name.count > 64 ? "…" : "") too long for kallsyms "
                        + "(\(record.name.count) >= \(limit)). Please increase KSYM_NAME_LEN both in kernel and kallsyms.c",
                        line: record.line))
                } else {
                    kept.append(record)
                }
            }
            map.records = kept
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
