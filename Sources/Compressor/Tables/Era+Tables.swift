extension Era {
    /// Lays out the tables of this era from a selection and its compression (docs/behaviour.md §6).
    ///
    /// - Throws: `symbolLength` for a compressed name outside 1…0x3FFF (v6.1+), and
    ///   `valueOutOfRange` for an address the era's offset encoding cannot hold
    ///   (docs/behaviour.md §6.4).
    public func tables(
        for selection: Selection, compression: Compression,
        options: KallsymsOptions
    ) throws -> KallsymsTables {
        try tables(for: selection, storedStrings: nil, compression: compression, seqsOfNames: nil, options: options)
    }

    /// `tables(for:compression:options:)` with v6.19+'s name order already known: `seqsOfNames`
    /// must be `NameOrder.sequence(of: selection.symbols)` (for instance from
    /// `NameOrder.sequence(of:reusing:)`); eras without that table ignore it.
    public func tables(
        for selection: Selection, compression: Compression, seqsOfNames: [Int],
        options: KallsymsOptions
    ) throws -> KallsymsTables {
        try tables(for: selection, storedStrings: nil, compression: compression, seqsOfNames: seqsOfNames, options: options)
    }

    /// `tables(for:compression:options:)` with pieces the caller may already hold: the
    /// selection's stored strings, and v6.19+'s name order (sorted while the compression ran).
    func tables(
        for selection: Selection, storedStrings: ByteStrings?, compression: Compression,
        seqsOfNames: [Int]?, options: KallsymsOptions
    ) throws -> KallsymsTables {
        let rules = self.rules
        let names = compression.names
        if rules.lengthPrefix == .base128 {
            for index in names.indices {
                let length = names.length(of: index)
                if length == 0 || length > 0x3FFF {
                    throw KallsymsError(
                        .symbolLength,
                        "kallsyms failure: unexpected \(length == 0 ? "zero" : "huge") symbol length "
                            + "(\(length) bytes) for \(printable(selection.symbols[index].name))",
                        line: selection.symbols[index].line)
                }
            }
        }
        let addresses = try addressTable(for: selection, compressedNames: names, options: options)
        var seqs: [Int]?
        if rules.writesSeqsOfNames {
            seqs =
                seqsOfNames
                ?? NameOrder.sequence(
                    ofStored: storedStrings ?? selection.storedStrings,
                    symbols: selection.symbols)
        }
        return KallsymsTables(
            compressedNames: names, lengthPrefix: rules.lengthPrefix,
            tokenExpansions: compression.tokens.expansions, addresses: addresses,
            seqsOfNames: seqs)
    }

    private func addressTable(
        for selection: Selection, compressedNames: ByteStrings,
        options: KallsymsOptions
    ) throws -> AddressTable {
        let symbols = selection.symbols
        let text = selection.textAddress
        // `rules` builds the era's rules afresh: read the one answer needed once, not per symbol.
        let absoluteTest = rules.absoluteTest
        func pointerTable() -> AddressTable {
            .addresses(
                symbols.indices.map { index in
                    Self.isPrintedAbsolute(symbols[index], compressed: compressedNames[index], test: absoluteTest)
                        ? .absolute(symbols[index].address)
                        : .relative(symbols[index].address, text: text)
                })
        }
        switch rules.addressStyle {
        case .addresses:
            return pointerTable()
        case .addressesOrBaseRelative where !options.baseRelative:
            return pointerTable()
        case .addressesOrBaseRelative, .baseRelative:
            // Base: the first non-absolute symbol in address order (0 if none).
            let base = symbols.first { !$0.isPercpuAbsolute }?.address ?? 0
            var offsets: [UInt32] = []
            offsets.reserveCapacity(symbols.count)
            for symbol in symbols {
                let value: Int64
                let fits: Bool
                if options.absolutePercpu && symbol.isPercpuAbsolute {
                    value = Int64(bitPattern: symbol.address)
                    fits = value >= 0 && value <= Int64(Int32.max)
                } else if options.absolutePercpu {
                    value = Int64(bitPattern: base &- symbol.address &- 1)
                    fits = value >= Int64(Int32.min) && value < 0
                } else {
                    value = Int64(bitPattern: symbol.address &- base)
                    fits = value >= 0 && value <= Int64(UInt32.max)
                }
                guard fits else {
                    throw KallsymsError(
                        .valueOutOfRange,
                        "kallsyms failure: \(symbol.isPercpuAbsolute ? "absolute" : "relative") "
                            + "symbol value \(hex(symbol.address)) out of range in relative mode "
                            + "(\(printable(symbol.name)), base \(hex(base)))", line: symbol.line)
                }
                offsets.append(UInt32(truncatingIfNeeded: value))
            }
            return .baseRelative(
                offsets: offsets, base: .relative(base, text: text),
                absolutePercpu: options.absolutePercpu)
        case .offsetsFromMinimum:
            let base = symbols.first?.address ?? 0
            var offsets: [UInt32] = []
            offsets.reserveCapacity(symbols.count)
            for symbol in symbols {
                let offset = symbol.address &- base
                guard offset <= UInt64(UInt32.max) else {
                    throw KallsymsError(
                        .valueOutOfRange,
                        "kallsyms failure: relative symbol value \(hex(symbol.address)) out of range "
                            + "(\(printable(symbol.name)) is \(hex(offset)) above the base \(hex(base)); "
                            + "offsets are 32-bit)", line: symbol.line)
                }
                offsets.append(UInt32(offset))
            }
            return .baseRelative(offsets: offsets, base: .relative(base, text: text), absolutePercpu: false)
        case .offsetsOnly where options.pcRelative:
            var values: [Int32] = []
            values.reserveCapacity(symbols.count)
            for symbol in symbols {
                let distance = Int64(bitPattern: symbol.address &- text)
                guard let value = Int32(exactly: distance) else {
                    throw KallsymsError(
                        .valueOutOfRange,
                        "kallsyms failure: \(printable(symbol.name)) at \(hex(symbol.address)) is "
                            + "\(distance) bytes from _text (\(hex(text))), beyond the 32-bit pc-relative range",
                        line: symbol.line)
                }
                values.append(value)
            }
            return .textRelative(values)
        case .offsetsOnly:
            return .absolute32(symbols.map { UInt32(truncatingIfNeeded: $0.address) })
        }
    }

    /// Whether the address of `symbol` is printed as a raw value (docs/behaviour.md §3.4).
    private static func isPrintedAbsolute(
        _ symbol: KeptSymbol, compressed: ArraySlice<UInt8>,
        test: EraRules.AbsoluteTest
    ) -> Bool {
        switch test {
        case .compressedFirstByte:
            // v3.3 looks at the first byte of the compressed symbol, which is the type
            // only when the type byte was not merged into a token.
            let first = compressed.first
            return first == UInt8(ascii: "A") || first == UInt8(ascii: "a")
        case .percpuFlag: return symbol.isPercpuAbsolute
        case .none: return false
        }
    }
}

/// `0x1f` style, 0 as bare `0` (C's `%#llx`).
func hex(_ value: UInt64) -> String { value == 0 ? "0" : "0x" + String(value, radix: 16) }

/// A name for a message: printable ASCII, other bytes as `\xNN`, cut at 80 bytes.
public func printable<C: Collection>(_ name: C) -> String where C.Element == UInt8 {
    var text = ""
    for byte in name.prefix(80) {
        if byte >= 0x20 && byte < 0x7F { text.unicodeScalars.append(Unicode.Scalar(byte)) } else { text += "\\x" + String(byte, radix: 16).leftPadded(to: 2) }
    }
    if name.count > 80 { text += "… (\(name.count) bytes)" }
    return text
}
