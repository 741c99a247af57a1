import Compressor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Searches bytes that arrive front to back (a decompressor's output, a file read in order)
/// for kallsyms tables while holding only a window of them, and stops reading as soon as the
/// tables are decoded.
///
/// Why: the tables sit in the kernel's read-only data, 30–70 % of the way into the payload;
/// decompressing the rest, and holding a 20–66 MB payload at once, cost most of the time and
/// the memory of a run (docs/images.md, "Speed and memory"). The window keeps the last
/// `windowSize` bytes read, and up to 1 MiB more; every token index is looked for once, as its
/// bytes arrive; when one is found with names before it, reading goes on only until the bytes
/// an address table or `kallsyms_seqs_of_names` after the token index can take have arrived,
/// then the tables are read as `TableFinder.find` reads a whole image.
///
/// The answer is the same as `TableFinder.find` on the whole stream, except that a second,
/// different set of tables after the first is not looked for. When a candidate fails while
/// the window is not the whole stream (bytes before it were dropped, or bytes after it not yet
/// read: an arm64 relocation table), and no later one succeeds, the outcome is
/// `.needsWholeStream`, and the caller reads the whole stream instead.
public struct StreamSearch: Sendable {
    /// How a search ended.
    public enum Outcome {
        /// The tables, with offsets in the stream; `bytesRead` bytes were read (`streamEnded`: all of them).
        case found(FoundTables, bytesRead: Int, streamEnded: Bool)
        /// No tables: the stream ended (or passed `limit`); `refusal` says why the last candidate failed.
        case notFound(bytesRead: Int, reachedLimit: Bool, refusal: ImageError?)
        /// A candidate failed after bytes before it had been dropped: only the whole stream can say.
        case needsWholeStream
    }

    /// The bytes always kept behind the newest one, at least; the buffer holds up to twice as many.
    public var windowSize: Int
    /// The most bytes read in all (a bound against decompression bombs).
    public var limit: Int
    /// The most bytes asked of `read` at a time.
    public var readSize: Int
    /// Whether to stop with `.needsWholeStream` as soon as a candidate may have been cut by the
    /// window (its names, or the address table that may precede them, start before it), rather
    /// than read on: the first, small window of `KernelImage.read`, which then searches again
    /// with a larger one. A candidate found is then one whose every byte the whole stream's
    /// search could look at was in the window.
    public var stopsWhenCut: Bool

    /// Keeps at least `windowSize` bytes (a multiple of `dropUnit`, at least `headerSize`) behind the newest.
    public init(windowSize: Int, limit: Int, readSize: Int = 1 << 20, stopsWhenCut: Bool = false) {
        precondition(
            windowSize >= Self.headerSize && windowSize % Self.dropUnit == 0 && readSize > 0,
            "the window holds the header and drops whole units")
        self.windowSize = windowSize
        self.limit = limit
        self.readSize = readSize
        self.stopsWhenCut = stopsWhenCut
    }
    /// The first bytes of the stream kept for `context` (ELF program headers, an arm64 header).
    public static let headerSize = 64 << 10
    /// Dropped bytes come off in multiples of this, so that alignment in the window is alignment in the stream.
    public static let dropUnit = 64 << 10

    /// Reads with `read` (which fills at most the given count and returns it, 0 at the end, <0
    /// on error) until tables are found, the stream ends or `limit` is passed. `context` turns
    /// the stream's first bytes (up to `headerSize`) into what is known before searching.
    public func run(
        read: (UnsafeMutablePointer<UInt8>, Int) -> Int,
        context makeContext: (UnsafeBufferPointer<UInt8>) throws -> SearchContext
    ) throws -> Outcome {
        // Each 1 MiB read moves the window once it is full: at most `windowSize` bytes copied per MiB.
        var capacity = windowSize + alignUp(readSize, Self.dropUnit)  // a full buffer always has a unit to drop
        guard var base = malloc(capacity)?.assumingMemoryBound(to: UInt8.self) else { fatalError("out of memory for \(capacity) bytes") }
        defer { free(base) }
        var context: SearchContext?  // made once the header has arrived, before any byte is dropped
        var windowStart = 0  // stream offset of base[0]
        var held = 0
        var scanFrom = 0  // window offset of the first token-index position not yet looked at
        var pending: (tokens: [TableFinder.TokenCandidate], names: [TableFinder.NamesCandidate], need: Int)?
        var mayBeCut = false
        var refusal: ImageError?
        var ended = false
        var reachedLimit = false

        /// Reads the pending candidate's tables; returns them (offsets in the stream) or records why not.
        func resolvePending() throws -> FoundTables? {
            guard let candidate = pending else { return nil }
            pending = nil
            let window = UnsafeBufferPointer(start: base, count: held)
            var searched = context!.shifted(by: windowStart)
            searched.isPartial = windowStart > 0 || !ended
            do {
                var found = try TableFinder.resolve(window, tokens: candidate.tokens, names: candidate.names, context: searched)
                for k in found.locations.indices { found.locations[k].offset += windowStart }
                return found
            } catch let error as ImageError {
                // Bytes before the window or after it might have made the difference.
                if searched.isPartial { mayBeCut = true } else { refusal = error }
                return nil
            }
        }

        while !ended && !reachedLimit {
            if held == capacity {
                if let candidate = pending {
                    // Keep everything until the candidate's tail has arrived.
                    capacity = alignUp(max(candidate.need, capacity + 1), 1 << 20)
                    guard let grown = realloc(base, capacity) else { fatalError("out of memory for \(capacity) bytes") }
                    base = grown.assumingMemoryBound(to: UInt8.self)
                } else {
                    let drop = (held - windowSize) / Self.dropUnit * Self.dropUnit
                    memmove(base, base + drop, held - drop)
                    held -= drop
                    windowStart += drop
                    scanFrom = max(0, scanFrom - drop)
                }
            }
            let got = read(base + held, min(capacity - held, readSize))
            if got <= 0 {
                ended = true
            } else {
                held += got
                if windowStart + held > limit { reachedLimit = true }
            }
            if context == nil && (ended || held >= Self.headerSize) {
                precondition(windowStart == 0, "no byte is dropped before the header is read")
                context = try makeContext(UnsafeBufferPointer(start: base, count: min(held, Self.headerSize)))
            }
            if pending == nil, let context {
                let window = UnsafeBufferPointer(start: base, count: held)
                let orders: [ByteOrder] = context.byteOrder.map { [$0] } ?? [.little, .big]
                let tokens = TableFinder.tokenCandidates(window, orders: orders, from: scanFrom)
                scanFrom = max(scanFrom, (held - 511 + 1) & ~1)
                if !tokens.isEmpty {
                    let context = context.shifted(by: windowStart)
                    let names = tokens.flatMap { TableFinder.nameCandidates(window, token: $0, context: context) }
                    // After the token index: offsets (4 per symbol), a base, kallsyms_seqs_of_names (3 per symbol), alignment.
                    let need = names.map { $0.token.indexOffset + 512 + 7 * $0.count + 64 }.max() ?? 0
                    if stopsWhenCut && windowStart > 0 {
                        // An address table before the count takes at most a word a symbol, then a base and alignment.
                        let wordSize = context.wordSize ?? 8
                        if names.isEmpty || names.contains(where: { $0.countOffset < wordSize * $0.count + 64 }) {
                            return .needsWholeStream
                        }
                    }
                    if need > 0 {
                        pending = (tokens, names, need)
                    } else if windowStart > 0 {
                        mayBeCut = true
                    } else {
                        do { _ = try TableFinder.resolve(window, tokens: tokens, names: [], context: context) } catch let error as ImageError {
                            refusal = error
                        }
                    }
                }
            }
            if let candidate = pending, ended || reachedLimit || held >= candidate.need {
                if let found = try resolvePending() {
                    return .found(found, bytesRead: windowStart + held, streamEnded: ended)
                }
                if stopsWhenCut && mayBeCut { return .needsWholeStream }
            }
        }
        if mayBeCut { return .needsWholeStream }
        return .notFound(bytesRead: windowStart + held, reachedLimit: reachedLimit, refusal: refusal)
    }
}

extension SearchContext {
    /// The context for a window that starts `offset` bytes into the stream.
    func shifted(by offset: Int) -> SearchContext {
        guard offset != 0 else { return self }
        var shifted = self
        shifted.streamOffset += offset
        for k in shifted.segments.indices { shifted.segments[k].offset -= offset }
        return shifted
    }
}
