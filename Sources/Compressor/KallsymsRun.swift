import Synchronization

/// One run of an era's generator: every stage's result, from parsed records to the `.S` text.
public struct KallsymsRun: Sendable {
    public var era: Era
    public var options: KallsymsOptions
    public var parsed: ParsedMap
    /// The kept symbols, made the first time they are asked for (a name array each: the `.S`
    /// itself needs only the stored strings and the rows' addresses).
    public var selection: Selection { keptSymbols.selection }
    public var compression: Compression
    public var tables: KallsymsTables
    /// How long each stage took.
    public var timings = StageTimings()
    /// The compressor's input (`type ++ name` of every kept symbol, in address order), kept for
    /// the comments of v6.19+'s `.S`: one buffer instead of a reference-counted array per name.
    var storedStrings: ByteStrings
    let keptSymbols: KeptSymbols

    /// The `.S` file, byte-identical to the era's `scripts/kallsyms`.
    public var assembly: [UInt8] {
        AssemblyWriter.write(tables, storedStrings: storedStrings, era: era, options: options)
    }

    /// Writes the `.S` file to `sink` in chunks (see `AssemblyWriter.write(_:symbols:era:options:to:)`).
    public func writeAssembly(to sink: (UnsafeBufferPointer<UInt8>) -> Void) {
        AssemblyWriter.write(tables, storedStrings: storedStrings, era: era, options: options, to: sink)
    }

    /// The size of each buffer `writeAssembly(into:handingOver:)` writes into.
    public static let assemblyChunkSize = TextBuffer.chunkSize

    /// Writes the `.S` file into `first` (of `assemblyChunkSize` bytes) and, each time a buffer
    /// is full, hands its bytes over for good to `handOver`, which returns the next buffer of
    /// that size to write into (for the last chunk too; that one is not written to). The writer
    /// on the other side keeps each chunk until it has written it: no copy.
    public func writeAssembly(
        into first: UnsafeMutableBufferPointer<UInt8>,
        handingOver handOver: (UnsafeBufferPointer<UInt8>) -> UnsafeMutableBufferPointer<UInt8>
    ) {
        AssemblyWriter.write(
            tables, storedStrings: storedStrings, era: era, options: options, into: first, handingOver: handOver)
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
        try generate(options: options, engine: engine, secondThread: input.count >= Self.secondThreadFromBytes) { parse in
            try parse(input)
        }
    }

    /// Runs the generator on the input `read` hands to its argument (a mapped file, say, which
    /// `read` may unmap once that returns: the parsed map holds its own copy of the names).
    ///
    /// With the fast engine a second thread is started first and kept to the end: it reads
    /// half of a large input while this one reads the other, and takes half of the compression.
    /// `timings.parse` covers `read`.
    public func generate(
        options: KallsymsOptions = .init(), engine: CompressionEngine = .default,
        reading read: (_ parse: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Void
    ) throws -> KallsymsRun {
        try generate(options: options, engine: engine, secondThread: true, reading: read)
    }

    private func generate(
        options: KallsymsOptions, engine: CompressionEngine, secondThread: Bool,
        reading read: (_ parse: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Void
    ) throws -> KallsymsRun {
        try validate(options)
        func run(_ warm: Concurrently.WarmCore?) throws -> KallsymsRun {
            let clock = ContinuousClock()
            let start = clock.now
            var parsed: ParsedMap?
            try read { parsed = try parse($0, on: warm) }
            guard let parsed else { preconditionFailure("Era.generate(reading:): read never called its argument") }
            let parseTime = clock.now - start
            var run = try generate(parsed, options: options, engine: engine, warm: warm)
            run.timings.parse = parseTime
            return run
        }
        guard engine == .fast && secondThread else { return try run(nil) }
        return try Concurrently.withWarmSecondCore(run)
    }

    /// Runs the generator on already parsed records.
    public func generate(
        _ parsed: ParsedMap, options: KallsymsOptions = .init(),
        engine: CompressionEngine = .default
    ) throws -> KallsymsRun {
        // From the selection on, a second thread is kept awake for the compression's second
        // half: the selection's few milliseconds cover the time a new thread takes to start.
        guard parsed.symbols.count >= Self.secondThreadFrom && engine == .fast else {
            return try generate(parsed, options: options, engine: engine, warm: nil)
        }
        return try Concurrently.withWarmSecondCore { try generate(parsed, options: options, engine: engine, warm: $0) }
    }

    /// `generate(_:options:engine:)`, the compression's second thread `warm` when there is one.
    private func generate(
        _ parsed: ParsedMap, options: KallsymsOptions, engine: CompressionEngine, warm: Concurrently.WarmCore?
    ) throws -> KallsymsRun {
        var timings = StageTimings()
        let clock = ContinuousClock()
        var start = clock.now
        func lap() -> Duration {
            let now = clock.now
            defer { start = now }
            return now - start
        }
        let rows = try selectRows(parsed.symbols, options: options, on: warm)
        timings.select = lap()
        let storedStrings = rows.storedStrings(on: warm)
        // v6.19+'s name order depends on the selection alone: on a large input it is sorted on
        // a second thread while this one compresses (then `compress` times both), and with the
        // fast engine that thread takes on half of the compression once it is done.
        let compression: Compression
        var seqsOfNames: [Int]?
        let writesSeqsOfNames = rules.writesSeqsOfNames
        let alongside = { () -> [Int]? in
            writesSeqsOfNames ? NameOrder.sequence(ofStored: storedStrings, addresses: rows.addresses) : nil
        }
        if storedStrings.count >= Self.secondThreadFrom && engine == .fast {
            (compression, seqsOfNames) = FastEngine.compress(storedStrings, alongside: alongside, on: warm)
        } else if storedStrings.count >= Self.secondThreadFrom {
            (compression, seqsOfNames) = Concurrently.run({ engine.compress(storedStrings) }, alongside: alongside)
        } else {
            seqsOfNames = alongside()
            compression = engine.compress(storedStrings)
        }
        timings.compress = lap()
        let tables = try tables(
            for: rows, storedStrings: storedStrings, compression: compression,
            seqsOfNames: seqsOfNames, options: options)
        timings.tables = lap()
        return KallsymsRun(
            era: self, options: options, parsed: parsed, compression: compression, tables: tables,
            timings: timings, storedStrings: storedStrings, keptSymbols: KeptSymbols(rows))
    }
}

/// A run's kept symbols: the rows they come from, and the `Selection` made from them the first
/// time it is asked for (then kept; the lock makes a run safe to share between threads).
final class KeptSymbols: Sendable {
    private let rows: RowSelection
    private let made = Mutex<Selection?>(nil)

    init(_ rows: RowSelection) { self.rows = rows }

    var selection: Selection {
        made.withLock { made in
            if let made { return made }
            let selection = rows.selection
            made = selection
            return selection
        }
    }
}

extension Era {
    /// From this many symbols on, `kallsyms_seqs_of_names` is sorted on a second thread, which
    /// then takes on half of the compression's rounds when the input is long enough
    /// (`FastEngine.twoThreadsFrom`); below it, starting a thread costs more than the work.
    static let secondThreadFrom = 8_192
    /// `generate(_:options:engine:)` starts the second thread before parsing from inputs of this
    /// many bytes (about 8 192 lines of `nm -n`).
    static let secondThreadFromBytes = 192 << 10
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
