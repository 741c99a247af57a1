/// One run of an era's generator: every stage's result, from parsed records to the `.S` text.
public struct KallsymsRun: Sendable {
    public var era: Era
    public var options: KallsymsOptions
    public var parsed: ParsedMap
    public var selection: Selection
    public var compression: Compression
    public var tables: KallsymsTables
    /// How long each stage took.
    public var timings = StageTimings()
    /// The compressor's input (`type ++ name` of every kept symbol, in address order), kept for
    /// the comments of v6.19+'s `.S`: one buffer instead of a reference-counted array per name.
    var storedStrings: ByteStrings

    /// The `.S` file, byte-identical to the era's `scripts/kallsyms`.
    public var assembly: [UInt8] {
        AssemblyWriter.write(
            tables, symbols: selection.symbols, storedStrings: storedStrings,
            era: era, options: options)
    }

    /// Writes the `.S` file to `sink` in chunks (see `AssemblyWriter.write(_:symbols:era:options:to:)`).
    public func writeAssembly(to sink: (UnsafeBufferPointer<UInt8>) -> Void) {
        AssemblyWriter.write(
            tables, symbols: selection.symbols, storedStrings: storedStrings,
            era: era, options: options, to: sink)
    }

    /// The warnings the generator would print on stderr.
    public var warnings: [KallsymsWarning] { parsed.warnings }
}

extension Era {
    /// Runs this era's generator over `nm -n` text: parse, select and order, compress, lay out.
    ///
    /// - Throws: `KallsymsError` where the era's generator exits non-zero.
    public func generate(
        _ input: [UInt8], options: KallsymsOptions = .init(),
        engine: CompressionEngine = .default
    ) throws -> KallsymsRun {
        try input.withUnsafeBufferPointer { try generate($0, options: options, engine: engine) }
    }

    /// `generate(_:options:engine:)` over bytes the caller holds (e.g. a mapped file).
    public func generate(
        _ input: UnsafeBufferPointer<UInt8>, options: KallsymsOptions = .init(),
        engine: CompressionEngine = .default
    ) throws -> KallsymsRun {
        try validate(options)
        let clock = ContinuousClock()
        let start = clock.now
        let parsed = try parse(input)
        let parseTime = clock.now - start
        var run = try generate(parsed, options: options, engine: engine)
        run.timings.parse = parseTime
        return run
    }

    /// Runs the generator on already parsed records.
    public func generate(
        _ parsed: ParsedMap, options: KallsymsOptions = .init(),
        engine: CompressionEngine = .default
    ) throws -> KallsymsRun {
        var timings = StageTimings()
        let clock = ContinuousClock()
        var start = clock.now
        func lap() -> Duration {
            let now = clock.now
            defer { start = now }
            return now - start
        }
        let rows = try selectRows(parsed.symbols, options: options)
        timings.select = lap()
        let storedStrings = rows.storedStrings
        // The kept symbols (a name array each) and v6.19+'s name order depend on the selection
        // alone: on a large input they are made on a second thread while this one compresses
        // (then `compress` times both).
        let compression: Compression
        let selection: Selection
        var seqsOfNames: [Int]?
        let writesSeqsOfNames = rules.writesSeqsOfNames
        let alongside = { () -> (Selection, [Int]?) in
            let seqs = writesSeqsOfNames ? NameOrder.sequence(ofStored: storedStrings, addresses: rows.addresses) : nil
            return (rows.selection, seqs)
        }
        if storedStrings.count >= Self.secondThreadFrom {
            (compression, (selection, seqsOfNames)) = Concurrently.run(
                { engine.compress(storedStrings) }, alongside: alongside)
        } else {
            (selection, seqsOfNames) = alongside()
            compression = engine.compress(storedStrings)
        }
        timings.compress = lap()
        let tables = try tables(
            for: selection, storedStrings: storedStrings, compression: compression,
            seqsOfNames: seqsOfNames, options: options)
        timings.tables = lap()
        return KallsymsRun(
            era: self, options: options, parsed: parsed, selection: selection,
            compression: compression, tables: tables, timings: timings,
            storedStrings: storedStrings)
    }
}

extension Era {
    /// From this many symbols on, the kept symbols are made (and `kallsyms_seqs_of_names`
    /// sorted) on a second thread (below it, starting a thread costs more than the work).
    static let secondThreadFrom = 8_192
}

/// The wall-clock time of each stage of one generator run (`parse` is zero when the run
/// started from parsed records).
public struct StageTimings: Hashable, Sendable {
    public var parse: Duration = .zero
    /// Selection and address order.
    public var select: Duration = .zero
    public var compress: Duration = .zero
    /// Token table, names, markers, addresses and the sequence by name.
    public var tables: Duration = .zero

    public init() {}
}
