/// Writes symbols as `nm -n` text: `ADDRESS TYPE NAME` lines (docs/behaviour.md §9).
public enum MapWriter {
    /// One line per record, the address in `addressWidth` lowercase hex digits (8 for 32-bit
    /// images, 16 for 64-bit ones, as `nm` prints them); `nil` picks 8 or 16 from the values.
    public static func write(_ records: [SymbolRecord], addressWidth: Int? = nil) -> [UInt8] {
        let width = addressWidth ?? (records.contains { $0.address > 0xFFFF_FFFF } ? 16 : 8)
        // Per line: the address (at least `width`, at most 16 digits), type, two blanks, name, newline.
        let bound = records.reduce(64) { $0 + max(width, 16) + 4 + $1.name.count }
        return TextBuffer.build(upperBound: bound) { out in
            for record in records {
                out.appendFixedHex(record.address, digits: width)
                out.append(byte: 0x20)
                out.append(byte: record.type)
                out.append(byte: 0x20)
                out.append(raw: record.name)
                out.append(byte: 0x0A)
            }
        }
    }
}
