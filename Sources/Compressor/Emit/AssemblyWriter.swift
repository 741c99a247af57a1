/// Writes the `.S` file of an era, byte for byte as its `scripts/kallsyms` prints it
/// (docs/behaviour.md §6).
public enum AssemblyWriter {
    /// The `.S` text for `tables`, whose symbols (in address order) are `symbols`.
    ///
    /// `symbols` supply the uncompressed `type ++ name` of v6.19+'s comments.
    /// `options.symbolPrefix` (v3.3) is put in front of every label.
    public static func write(
        _ tables: KallsymsTables, symbols: [KeptSymbol], era: Era,
        options: KallsymsOptions
    ) -> [UInt8] {
        write(tables, storedStrings: storedStrings(of: symbols), era: era, options: options)
    }

    /// Writes the same `.S` text to `sink` in chunks (at most 256 KiB of memory, whatever the
    /// output's size); each chunk is valid only during the call.
    public static func write(
        _ tables: KallsymsTables, symbols: [KeptSymbol], era: Era, options: KallsymsOptions,
        to sink: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        write(tables, storedStrings: storedStrings(of: symbols), era: era, options: options, to: sink)
    }

    /// `write(_:symbols:era:options:)` from the symbols' stored strings (`type ++ name`, in
    /// address order), all the writer needs of them.
    static func write(
        _ tables: KallsymsTables, storedStrings: ByteStrings, era: Era, options: KallsymsOptions
    ) -> [UInt8] {
        let rules = era.rules
        let comments = commentStrings(storedStrings, rules)
        return TextBuffer.build(upperBound: upperBound(tables, storedStrings)) { out in
            write(tables, comments: comments, rules: rules, options: options, to: &out)
        }
    }

    /// `write(_:symbols:era:options:to:)` from the symbols' stored strings.
    static func write(
        _ tables: KallsymsTables, storedStrings: ByteStrings, era: Era,
        options: KallsymsOptions, to sink: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        let rules = era.rules
        let comments = commentStrings(storedStrings, rules)
        TextBuffer.stream(to: sink) { out in
            write(tables, comments: comments, rules: rules, options: options, to: &out)
        }
    }

    /// `write(_:storedStrings:era:options:to:)`, writing into `first` and then into each buffer
    /// `handOver` gives back for the chunk it takes for good (`TextBuffer.stream(into:handingOver:)`).
    static func write(
        _ tables: KallsymsTables, storedStrings: ByteStrings, era: Era, options: KallsymsOptions,
        into first: UnsafeMutableBufferPointer<UInt8>,
        handingOver handOver: (UnsafeBufferPointer<UInt8>) -> UnsafeMutableBufferPointer<UInt8>
    ) {
        let rules = era.rules
        let comments = commentStrings(storedStrings, rules)
        TextBuffer.stream(into: first, handingOver: handOver) { out in
            write(tables, comments: comments, rules: rules, options: options, to: &out)
        }
    }

    /// The symbols' stored strings (`type ++ name` each).
    private static func storedStrings(of symbols: [KeptSymbol]) -> ByteStrings {
        Selection(symbols: symbols, textAddress: 0, recordsRead: 0).storedStrings
    }

    /// What the comments print (`type ++ name` of each symbol), when the era prints any.
    private static func commentStrings(_ storedStrings: ByteStrings, _ rules: EraRules) -> ByteStrings {
        rules.writesComments || rules.writesSeqsOfNames ? storedStrings : ByteStrings()
    }

    private static func write(
        _ tables: KallsymsTables, comments: ByteStrings, rules: EraRules,
        options: KallsymsOptions, to out: inout TextBuffer
    ) {
        // The comment lines index the comments without checks.
        precondition(comments.isEmpty || comments.count == tables.symbolCount, "one stored string per symbol")
        comments.bytes.withUnsafeBufferPointer { bytes in
            comments.ends.withUnsafeBufferPointer { ends in
                write(tables, commentBytes: bytes, commentEnds: ends, rules: rules, options: options, to: &out)
            }
        }
    }

    /// The whole `.S`; comment `i` is `commentBytes[commentEnds[i - 1] ..< commentEnds[i]]`.
    private static func write(
        _ tables: KallsymsTables, commentBytes: UnsafeBufferPointer<UInt8>,
        commentEnds: UnsafeBufferPointer<Int>, rules: EraRules,
        options: KallsymsOptions, to out: inout TextBuffer
    ) {
        let label = Labeler(prefix: options.symbolPrefix, align: rules.preambleInclude == nil ? ".balign 4" : "ALGN")
        let pointer: StaticString = "\tPTR\t"
        let counts: StaticString = rules.countsArePointerSized ? "\tPTR\t" : "\t.long\t"

        if let include = rules.preambleInclude {
            out.append(string: "#include \(include)\n#if BITS_PER_LONG == 64\n#define PTR .quad\n")
            out.append(string: "#define ALGN \(rules.alignDirective) 8\n#else\n#define PTR .long\n")
            out.append(string: "#define ALGN \(rules.alignDirective) 4\n#endif\n")
        }
        out.append("\t.section .rodata, \"a\"\n")

        // The pieces repeated on every line of the three per-symbol tables, as word stores.
        let commentOpen = TextBuffer.FixedText("\t/* ")
        let commentClose = TextBuffer.FixedText(" */\n")
        let newline = TextBuffer.FixedText("\n")
        let byteDirective = TextBuffer.FixedText("\t.byte ")
        let longDirective = TextBuffer.FixedText("\t.long\t")
        let textRelativeOpen = TextBuffer.FixedText("\t.long\t_text - . + (")
        let closeParen = TextBuffer.FixedText(")")

        // One buffer for every comment's `type ++ name`: no reference-counted array per symbol.
        // Ends the line: the comment when the era prints one, then the newline.
        func endLine(_ index: Int, comment: Bool) {
            guard comment else { return out.append(newline) }
            endLine(index, commentFrom: index == 0 ? 0 : commentEnds[index &- 1])
        }
        // The comment of symbol `index`, whose bytes start at `start`, and the newline.
        func endLine(_ index: Int, commentFrom start: Int) {
            out.append(commentOpen)
            out.append(name: UnsafeBufferPointer(rebasing: commentBytes[start..<commentEnds[index]]))
            out.append(commentClose)
        }
        let comments = rules.writesComments

        func writeAddressTables() {
            switch tables.addresses {
            case .addresses(let entries):
                label.write("kallsyms_addresses", to: &out)
                for entry in entries {
                    out.append(pointer)
                    writeEntry(entry, to: &out)
                    out.append("\n")
                }
                out.append("\n")
            case .baseRelative(let offsets, let base, _):
                label.write("kallsyms_offsets", to: &out)
                for (index, offset) in offsets.enumerated() {
                    out.append(longDirective)
                    out.appendAlternateHex(UInt64(offset))
                    endLine(index, comment: comments)
                }
                out.append("\n")
                label.write("kallsyms_relative_base", to: &out)
                out.append(pointer)
                writeEntry(base, to: &out)
                out.append("\n\n")
            case .textRelative(let values):
                label.write("kallsyms_offsets", to: &out)
                for (index, value) in values.enumerated() {
                    out.append(textRelativeOpen)
                    out.appendDecimal(Int64(value))
                    out.append(closeParen)
                    endLine(index, comment: comments)
                }
                out.append("\n")
            case .absolute32(let values):
                label.write("kallsyms_offsets", to: &out)
                for (index, value) in values.enumerated() {
                    out.append(longDirective)
                    out.appendAlternateHex(UInt64(value))
                    endLine(index, comment: comments)
                }
                out.append("\n")
            case .slotRelative:
                preconditionFailure("slot-relative tables come from images, never from the generator")
            }
        }

        if rules.addressTablesFirst { writeAddressTables() }

        label.write("kallsyms_num_syms", to: &out)
        out.append(counts)
        out.appendDecimal(tables.symbolCount)
        out.append("\n\n")

        label.write("kallsyms_names", to: &out)
        let names = tables.compressedNames
        for index in names.indices {
            let length = names.length(of: index)
            out.append(byteDirective)
            switch rules.lengthPrefix {
            case .oneByte:
                out.appendPaddedHex(length)
            case .base128:
                // (Built without an array: one per symbol cost as much as the rest of the line.)
                let prefix = KallsymsTables.prefixBytes(of: length, .base128)
                out.appendByteHex(prefix.first)
                if let second = prefix.second {
                    out.appendByteListEntry(second)
                }
            }
            names.withBytes(of: index) { out.appendByteList($0) }
            endLine(index, comment: comments)
        }
        out.append("\n")

        label.write("kallsyms_markers", to: &out)
        for marker in tables.markers {
            out.append(counts)
            out.appendDecimal(marker)
            out.append("\n")
        }
        out.append("\n")

        label.write("kallsyms_token_table", to: &out)
        for expansion in tables.tokenExpansions {
            out.append("\t.asciz\t\"")
            out.append(raw: expansion)
            out.append("\"\n")
        }
        out.append("\n")

        label.write("kallsyms_token_index", to: &out)
        for offset in tables.tokenIndex {
            out.append("\t.short\t")
            out.appendDecimal(Int(offset))
            out.append("\n")
        }
        out.append("\n")

        if !rules.addressTablesFirst { writeAddressTables() }

        if let seqs = tables.seqsOfNames {
            label.write("kallsyms_seqs_of_names", to: &out)
            // The lines go in name order, so each comment is read from anywhere in the buffer.
            // Taken one line at a time, the two loads that find a comment (its end offset, then
            // its bytes) wait for each other and stall the line; so the comments of a block of
            // lines are located first, in a loop whose loads do not depend on one another, and
            // their first bytes touched, so that the lines then find them in cache.
            let blockSize = 32
            var touched: UInt8 = 0
            withUnsafeTemporaryAllocation(of: Int.self, capacity: blockSize) { starts in
                seqs.withUnsafeBufferPointer { seqs in
                    var blockStart = 0
                    while blockStart < seqs.count {
                        let blockEnd = min(blockStart &+ blockSize, seqs.count)
                        for line in blockStart..<blockEnd {
                            let index = seqs[line]
                            let start = index == 0 ? 0 : commentEnds[index &- 1]
                            starts[line &- blockStart] = start
                            if start < commentBytes.count { touched |= commentBytes[start] }
                        }
                        for line in blockStart..<blockEnd {
                            let index = seqs[line]
                            out.append(byteDirective)
                            out.appendByteHex(UInt8((index >> 16) & 0xFF))
                            out.appendByteListEntry(UInt8((index >> 8) & 0xFF))
                            out.appendByteListEntry(UInt8(index & 0xFF))
                            endLine(index, commentFrom: starts[line &- blockStart])
                        }
                        blockStart = blockEnd
                    }
                }
            }
            keep(touched)
            out.append("\n")
        }
    }

    /// Takes a value the optimizer must then compute (so the loads that made it are kept).
    @inline(never) @_optimize(none) private static func keep(_ value: UInt8) {}

    private static func writeEntry(_ entry: AddressEntry, to out: inout TextBuffer) {
        switch entry {
        case .textPlus(let delta):
            out.append("_text + ")
            out.appendAlternateHex(delta)
        case .textMinus(let delta):
            out.append("_text - ")
            out.appendAlternateHex(delta)
        case .absolute(let value):
            out.appendAlternateHex(value)
        }
    }

    /// An upper bound of the `.S` size, from the longest form each line can take: per symbol a
    /// names line (`\t.byte ` + a prefix of up to 20 characters + 6 per compressed byte + a
    /// comment with the name), an address or offset line (up to 41 + the name), a seqs line (up
    /// to 32 + the name) and its share of markers; plus 256 token lines and fixed text.
    static func upperBound(_ tables: KallsymsTables, _ storedStrings: ByteStrings) -> Int {
        let names = storedStrings.totalLength
        let expansions = tables.tokenExpansions.reduce(0) { $0 + $1.count }
        return 8_192 + 256 * 30 + expansions + tables.symbolCount * 130
            + 6 * tables.compressedNames.totalLength + 3 * names
    }

    /// The three lines that open a table: `.globl NAME`, the alignment, `NAME:`.
    private struct Labeler {
        let prefix: UInt8?
        let align: String

        func write(_ name: StaticString, to out: inout TextBuffer) {
            out.append(".globl ")
            if let prefix { out.append(byte: prefix) }
            out.append(name)
            out.append("\n\t")
            out.append(string: align)
            out.append("\n")
            if let prefix { out.append(byte: prefix) }
            out.append(name)
            out.append(":\n")
        }
    }
}
