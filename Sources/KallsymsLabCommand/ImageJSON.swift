import Compressor
import ImageReader

/// `decode --json` and `verify --json` as `Codable` values through `JSONOutput` (keys sorted).
/// Members that may be unknown (`compression`, `payloadOffset`, `searched.size`,
/// `relativeBase`) are written as `null`, not left out: the documents always have the same keys.
enum ImageJSON {
    /// A member name.
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// What was detected: the members both documents start with.
    struct Detection {
        var report: ImageReport

        struct Searched: Encodable {
            var format: String
            /// nil: decompression was stopped once the tables were read (how far it had got
            /// depends on timing).
            var size: Int?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(format, forKey: Key("format"))
                try container.encode(size, forKey: Key("size"))
            }
        }

        struct Location: Encodable {
            var name: String
            var offset: Int
            var size: Int
        }

        func encode(into container: inout KeyedEncodingContainer<Key>) throws {
            let tables = report.tables
            try container.encode(report.format, forKey: Key("format"))
            try container.encode(report.compression?.rawValue, forKey: Key("compression"))
            try container.encode(report.payloadOffset, forKey: Key("payloadOffset"))
            try container.encode(Searched(format: report.searchedFormat, size: report.searchedSize), forKey: Key("searched"))
            try container.encode(tables.byteOrder.rawValue, forKey: Key("byteOrder"))
            try container.encode(tables.wordSize, forKey: Key("wordSize"))
            try container.encode(tables.countSize, forKey: Key("countSize"))
            try container.encode(tables.addressStyle.rawValue, forKey: Key("addressStyle"))
            try container.encode(tables.relativeBase.map { "0x" + String($0, radix: 16) }, forKey: Key("relativeBase"))
            let prefix =
                tables.lengthPrefix == .base128
                ? (tables.hasLongNames ? "base-128" : "one byte (no name needs two)")
                : "one byte"
            try container.encode(prefix, forKey: Key("lengthPrefix"))
            try container.encode(tables.symbols.count, forKey: Key("symbolCount"))
            try container.encode(
                tables.locations.map { Location(name: $0.name, offset: $0.offset, size: $0.size) }, forKey: Key("tables"))
        }
    }

    /// One decoded symbol: the address in hexadecimal (16 digits when any address needs more
    /// than 8), the type and the name as strings of one character per byte (U+0000–U+00FF), so
    /// that nothing is lost.
    struct Symbol: Encodable {
        var address: String
        var type: String
        var name: String
    }

    static func text(_ bytes: [UInt8]) -> String { String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) })) }

    /// `decode --json`: the detection and the symbols.
    struct Decode: Encodable {
        var report: ImageReport

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try Detection(report: report).encode(into: &container)
            let symbols = report.tables.symbols
            let width = symbols.contains { $0.address > 0xFFFF_FFFF } ? 16 : 8
            try container.encode(
                symbols.map { Symbol(address: ImageInput.padded($0.address, width), type: text([$0.type]), name: text($0.name)) },
                forKey: Key("symbols"))
        }
    }

    /// One era's verdict in `verify --json`.
    struct Verdict: Encodable {
        var era: String
        var flags: String
        var reproduces: Bool
        var matches: [String]
        var differences: [String]
        var notes: [String]

        init(_ verdict: EraVerdict) {
            era = verdict.era.rawValue
            flags = verdict.flags
            reproduces = verdict.reproduces
            matches = verdict.matches
            differences = verdict.differences
            notes = verdict.notes
        }
    }

    /// `verify --json`: the detection and every era's verdict.
    struct Verify: Encodable {
        var report: ImageReport
        var verdicts: [EraVerdict]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try Detection(report: report).encode(into: &container)
            try container.encode(verdicts.map(Verdict.init), forKey: Key("eras"))
        }
    }
}
