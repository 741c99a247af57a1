/// One symbol recovered from kallsyms tables.
public struct DecodedSymbol: Hashable, Sendable {
    public var address: UInt64
    public var type: UInt8
    public var name: [UInt8]

    public init(address: UInt64, type: UInt8, name: [UInt8]) {
        self.address = address
        self.type = type
        self.name = name
    }

    /// `ADDR TYPE NAME` with the address in `width` hex digits, as `decoded.txt` and `nm` print it.
    public func line(addressWidth width: Int) -> [UInt8] {
        var text = Array(String(address, radix: 16).leftPadded(to: width).utf8)
        text.append(0x20)
        text.append(type)
        text.append(0x20)
        text.append(contentsOf: name)
        return text
    }
}

/// Expands kallsyms tables back into symbols, as the kernel's `kernel/kallsyms.c` does
/// (docs/behaviour.md §7).
///
/// Every read is bounds-checked: malformed tables throw `malformedTables` naming the symbol
/// and offset, never trap.
public enum TableDecoder {
    /// Decodes every symbol in table order; `text` is the address of `_text`.
    public static func decode(_ tables: RawKallsymsTables, text: UInt64 = 0) throws -> [DecodedSymbol] {
        let count = tables.symbolCount
        guard count >= 0 else { throw malformed("negative symbol count \(count)") }
        guard tables.addresses.count == count else {
            throw malformed("the address table has \(tables.addresses.count) entries for \(count) symbols")
        }
        let expectedMarkers = (count + 255) / 256
        guard tables.markers.count >= expectedMarkers else {
            throw malformed("\(tables.markers.count) markers for \(count) symbols (need \(expectedMarkers))")
        }
        let tokens = try tokenExpansions(tables)
        var symbols: [DecodedSymbol] = []
        symbols.reserveCapacity(min(count, tables.names.count))
        let names = tables.names
        var scratch: [UInt8] = []
        scratch.reserveCapacity(256)
        var offset = 0
        for index in 0..<count {
            if index & 0xFF == 0 {
                let marker = tables.markers[index >> 8]
                guard marker == UInt64(offset) else {
                    throw malformed(
                        "marker \(index >> 8) says symbol \(index) starts at offset \(marker), "
                            + "but it starts at \(offset)")
                }
            }
            guard offset < names.count else {
                throw malformed("kallsyms_names ends at \(names.count) bytes, before symbol \(index) of \(count)")
            }
            var length = Int(names[offset])
            var prefix = 1
            if tables.lengthPrefix == .base128 && length & 0x80 != 0 {
                guard offset + 1 < names.count else {
                    throw malformed("kallsyms_names ends inside the length of symbol \(index) at offset \(offset)")
                }
                length = (length & 0x7F) | Int(names[offset + 1]) << 7
                prefix = 2
            }
            let start = offset + prefix
            guard length > 0 else { throw malformed("symbol \(index) at offset \(offset) has length 0") }
            guard start + length <= names.count else {
                throw malformed(
                    "symbol \(index) at offset \(offset) needs \(length) bytes, "
                        + "but kallsyms_names ends at \(names.count)")
            }
            let first = tokens[Int(names[start])]
            guard let type = first.first else {
                throw malformed(
                    "symbol \(index) at offset \(offset) starts with the empty code 0x"
                        + String(names[start], radix: 16))
            }
            // Expanded into a reused buffer, then copied once: an array grown token by token keeps
            // up to twice its length (about 20 bytes a symbol more on a 45 000-symbol kernel).
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: first.dropFirst())
            for position in (start + 1)..<(start + length) {
                scratch.append(contentsOf: tokens[Int(names[position])])
            }
            symbols.append(
                DecodedSymbol(
                    address: tables.addresses.address(at: index, text: text),
                    type: type, name: exactCopy(scratch)))
            offset = start + length
        }
        if let seqs = tables.seqsOfNames {
            guard seqs.count == count else {
                throw malformed("kallsyms_seqs_of_names has \(seqs.count) entries for \(count) symbols")
            }
            var seen = [Bool](repeating: false, count: count)
            for seq in seqs {
                guard seq >= 0 && seq < count && !seen[seq] else {
                    throw malformed("kallsyms_seqs_of_names entry \(seq) is out of range or repeated")
                }
                seen[seq] = true
            }
        }
        return symbols
    }

    /// A copy of `bytes` in a buffer of its size (`Array(bytes)` would share `bytes`' buffer).
    static func exactCopy(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            _ = buffer.initialize(from: bytes)
            count = bytes.count
        }
    }

    /// The 256 NUL-terminated strings the token index points at.
    static func tokenExpansions(_ tables: RawKallsymsTables) throws -> [[UInt8]] {
        guard tables.tokenIndex.count == 256 else {
            throw malformed("kallsyms_token_index has \(tables.tokenIndex.count) entries, not 256")
        }
        let table = tables.tokenTable
        return try tables.tokenIndex.enumerated().map { code, start in
            let start = Int(start)
            guard start < table.count else {
                throw malformed("token \(code) starts at \(start), past the \(table.count)-byte token table")
            }
            guard let end = table[start...].firstIndex(of: 0) else {
                throw malformed("token \(code) at \(start) is not NUL-terminated")
            }
            return Array(table[start..<end])
        }
    }

    static func malformed(_ message: String) -> KallsymsError {
        KallsymsError(.malformedTables, message)
    }
}
