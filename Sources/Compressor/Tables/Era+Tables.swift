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
        try tables(for: selection, compression: compression, seqsOfNames: nil, options: options)
    }

    /// `tables(for:compression:options:)` with v6.19+'s name order already known: `seqsOfNames`
    /// must be `NameOrder.sequence(of: selection.symbols)` (for instance from
    /// `NameOrder.sequence(of:reusing:)`); eras without that table ignore it.
    public func tables(
        for selection: Selection, compression: Compression, seqsOfNames: [Int],
        options: KallsymsOptions
    ) throws -> KallsymsTables {
        try tables(for: selection, compression: compression, seqsOfNames: Optional(seqsOfNames), options: options)
    }

    /// The tables from a selection's rows when its kept symbols are not made yet.
    private func tables(
        for selection: Selection, compression: Compression, seqsOfNames: [Int]?, options: KallsymsOptions
    ) throws -> KallsymsTables {
        if let rows = selection.recordRows {
            // A build's pass: a pointer table is made only if someone reads it (its size is
            // all the next link needs).
            var deferred: DeferredPointerTable?
            if writesPointerTable(options) {
                let names = compression.names, test = rules.absoluteTest
                deferred = DeferredPointerTable(count: rows.count) {
                    Self.pointerTable(for: rows, compressedNames: names, test: test)
                }
            }
            return try tables(
                for: rows, storedStrings: nil, compression: compression, seqsOfNames: seqsOfNames, options: options,
                deferredPointerTable: deferred)
        }
        return try tables(
            for: MadeSymbols(selection: selection), storedStrings: nil, compression: compression, seqsOfNames: seqsOfNames,
            options: options)
    }

    /// `tables(for:compression:options:)` with pieces the caller may already hold: the
    /// selection's stored strings, and v6.19+'s name order (sorted while the compression ran).
    /// `selection` is a `Selection` or, before its kept symbols are made, a `RowSelection`.
    func tables(
        for selection: some KeptColumns, storedStrings: ByteStrings?, compression: Compression,
        seqsOfNames: [Int]?, options: KallsymsOptions, deferredPointerTable: DeferredPointerTable? = nil
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
                            + "(\(length) bytes) for \(printable(selection.name(index)))",
                        line: selection.line(index))
                }
            }
        }
        let addresses: KallsymsTables.AddressSource =
            try deferredPointerTable.map { .deferred($0) }
            ?? .made(addressTable(for: selection, compressedNames: names, options: options))
        var seqs: [Int]?
        if rules.writesSeqsOfNames {
            seqs =
                seqsOfNames
                ?? NameOrder.sequence(
                    ofStored: storedStrings ?? selection.storedStrings,
                    addresses: (0..<selection.count).map(selection.address))
        }
        return KallsymsTables(
            compressedNames: names, lengthPrefix: rules.lengthPrefix,
            tokenExpansions: compression.tokens.expansions, addressSource: addresses,
            seqsOfNames: seqs)
    }

    private func addressTable(
        for symbols: some KeptColumns, compressedNames: ByteStrings,
        options: KallsymsOptions
    ) throws -> AddressTable {
        let text = symbols.textAddress
        let indices = 0..<symbols.count
        // `rules` builds the era's rules afresh: read the one answer needed once, not per symbol.
        let absoluteTest = rules.absoluteTest
        func pointerTable() -> AddressTable {
            .addresses(Self.pointerTable(for: symbols, compressedNames: compressedNames, test: absoluteTest))
        }
        switch rules.addressStyle {
        case .addresses:
            return pointerTable()
        case .addressesOrBaseRelative where !options.baseRelative:
            return pointerTable()
        case .addressesOrBaseRelative, .baseRelative:
            // Base: the first non-absolute symbol in address order (0 if none).
            let base = indices.first { !symbols.isPercpuAbsolute($0) }.map(symbols.address) ?? 0
            var offsets: [UInt32] = []
            offsets.reserveCapacity(symbols.count)
            for index in indices {
                let address = symbols.address(index), isPercpuAbsolute = symbols.isPercpuAbsolute(index)
                let value: Int64
                let fits: Bool
                if options.absolutePercpu && isPercpuAbsolute {
                    value = Int64(bitPattern: address)
                    fits = value >= 0 && value <= Int64(Int32.max)
                } else if options.absolutePercpu {
                    value = Int64(bitPattern: base &- address &- 1)
                    fits = value >= Int64(Int32.min) && value < 0
                } else {
                    value = Int64(bitPattern: address &- base)
                    fits = value >= 0 && value <= Int64(UInt32.max)
                }
                guard fits else {
                    throw KallsymsError(
                        .valueOutOfRange,
                        "kallsyms failure: \(isPercpuAbsolute ? "absolute" : "relative") "
                            + "symbol value \(hex(address)) out of range in relative mode "
                            + "(\(printable(symbols.name(index))), base \(hex(base)))", line: symbols.line(index))
                }
                offsets.append(UInt32(truncatingIfNeeded: value))
            }
            return .baseRelative(
                offsets: offsets, base: .relative(base, text: text),
                absolutePercpu: options.absolutePercpu)
        case .offsetsFromMinimum:
            let base = indices.first.map(symbols.address) ?? 0
            var offsets: [UInt32] = []
            offsets.reserveCapacity(symbols.count)
            for index in indices {
                let address = symbols.address(index)
                let offset = address &- base
                guard offset <= UInt64(UInt32.max) else {
                    throw KallsymsError(
                        .valueOutOfRange,
                        "kallsyms failure: relative symbol value \(hex(address)) out of range "
                            + "(\(printable(symbols.name(index))) is \(hex(offset)) above the base \(hex(base)); "
                            + "offsets are 32-bit)", line: symbols.line(index))
                }
                offsets.append(UInt32(offset))
            }
            return .baseRelative(offsets: offsets, base: .relative(base, text: text), absolutePercpu: false)
        case .offsetsOnly where options.pcRelative:
            var values: [Int32] = []
            values.reserveCapacity(symbols.count)
            for index in indices {
                let address = symbols.address(index)
                let distance = Int64(bitPattern: address &- text)
                guard let value = Int32(exactly: distance) else {
                    throw KallsymsError(
                        .valueOutOfRange,
                        "kallsyms failure: \(printable(symbols.name(index))) at \(hex(address)) is "
                            + "\(distance) bytes from _text (\(hex(text))), beyond the 32-bit pc-relative range",
                        line: symbols.line(index))
                }
                values.append(value)
            }
            return .textRelative(values)
        case .offsetsOnly:
            return .absolute32(indices.map { UInt32(truncatingIfNeeded: symbols.address($0)) })
        }
    }

    /// Whether this era with `options` writes `kallsyms_addresses` (a pointer per symbol, which
    /// no address can overflow).
    private func writesPointerTable(_ options: KallsymsOptions) -> Bool {
        switch rules.addressStyle {
        case .addresses: true
        case .addressesOrBaseRelative: !options.baseRelative
        default: false
        }
    }

    /// The entries of `kallsyms_addresses`.
    private static func pointerTable(
        for symbols: some KeptColumns, compressedNames: ByteStrings, test: EraRules.AbsoluteTest
    ) -> [AddressEntry] {
        let text = symbols.textAddress
        return (0..<symbols.count).map { index in
            isPrintedAbsolute(symbols.isPercpuAbsolute(index), compressed: compressedNames[index], test: test)
                ? .absolute(symbols.address(index))
                : .relative(symbols.address(index), text: text)
        }
    }

    /// Whether the address of a symbol is printed as a raw value (docs/behaviour.md §3.4).
    private static func isPrintedAbsolute(
        _ isPercpuAbsolute: Bool, compressed: ArraySlice<UInt8>,
        test: EraRules.AbsoluteTest
    ) -> Bool {
        switch test {
        case .compressedFirstByte:
            // v3.3 looks at the first byte of the compressed symbol, which is the type
            // only when the type byte was not merged into a token.
            let first = compressed.first
            return first == UInt8(ascii: "A") || first == UInt8(ascii: "a")
        case .percpuFlag: return isPercpuAbsolute
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

/// What the tables need of the kept symbols, by index in address order: a `Selection`'s
/// `KeptSymbol`s (`MadeSymbols`), the kept rows of a selection from records before those are
/// made (`RecordRowColumns`), or the rows of a `RowSelection` (`Era.generate` makes its kept
/// symbols only when someone asks for `KallsymsRun.selection`).
protocol KeptColumns {
    var count: Int { get }
    /// The address of `_text` (0 if none).
    var textAddress: UInt64 { get }
    var storedStrings: ByteStrings { get }
    func address(_ index: Int) -> UInt64
    func isPercpuAbsolute(_ index: Int) -> Bool
    /// For messages.
    func name(_ index: Int) -> [UInt8]
    func line(_ index: Int) -> Int
}

extension RowSelection: KeptColumns {
    func address(_ index: Int) -> UInt64 { table.addresses[Int(entries[index].row)] }
    func isPercpuAbsolute(_ index: Int) -> Bool { entries[index].isPercpuAbsolute }
    func name(_ index: Int) -> [UInt8] { Array(table.names[Int(entries[index].row)]) }
    func line(_ index: Int) -> Int { Int(table.lines[Int(entries[index].row)]) }
}
