import Compressor

#if canImport(Glibc)
    import Glibc
#endif

/// How to read a kernel image.
public struct ImageOptions: Sendable {
    /// Forced pointer size (4 or 8), when the container does not say.
    public var wordSize: Int?
    /// Forced byte order.
    public var byteOrder: ByteOrder?
    /// The virtual address of a raw image's first byte (for v7.0 pc-relative tables).
    public var loadAddress: UInt64?
    /// The most bytes one decompressed payload may have (a bound against decompression bombs).
    public var decompressionLimit: Int
    /// The most payload offsets tried.
    public var payloadAttempts: Int
    /// Where decompressors are looked for (`PATH` when nil).
    public var searchPath: String?
    /// The bytes of a file or payload kept behind the newest byte read while searching
    /// (`StreamSearch`): tables spanning more than this are found by reading the whole again.
    public var searchWindow: Int
    /// The window of a first search, read 256 KiB at a time, when smaller than `searchWindow`:
    /// it stops as soon as a candidate may have been cut by it, and the file or payload is then
    /// searched again with `searchWindow` (docs/images.md, "Peak memory: decode in its own
    /// executable"). 1.25 MiB holds the tables of a 32-bit kernel of 45 000 symbols with room
    /// to spare; larger kernels are read twice.
    public var firstSearchWindow: Int

    public init(
        wordSize: Int? = nil, byteOrder: ByteOrder? = nil, loadAddress: UInt64? = nil,
        decompressionLimit: Int = 512 << 20, payloadAttempts: Int = 32, searchPath: String? = nil,
        searchWindow: Int = 4 << 20, firstSearchWindow: Int = 1280 << 10
    ) {
        precondition(
            searchWindow >= StreamSearch.headerSize && searchWindow % StreamSearch.dropUnit == 0
                && firstSearchWindow >= StreamSearch.headerSize && firstSearchWindow % StreamSearch.dropUnit == 0,
            "the search window holds the header and drops whole units")
        self.searchWindow = searchWindow
        self.firstSearchWindow = firstSearchWindow
        self.searchPath = searchPath
        self.wordSize = wordSize
        self.byteOrder = byteOrder
        self.loadAddress = loadAddress
        self.decompressionLimit = decompressionLimit
        self.payloadAttempts = payloadAttempts
    }
}

/// A kernel image read: its container, payload and tables.
public struct ImageReport: Sendable {
    /// `ELF64 big-endian`, `ARM zImage`, `x86 bzImage`, `arm64 Image`, `raw`.
    public var format: String
    /// The compressed payload the tables came from, if any.
    public var compression: PayloadFormat?
    public var payloadOffset: Int?
    /// The format of the bytes searched (the decompressed payload's, when there is one).
    public var searchedFormat: String
    /// The size of the bytes searched: the file's, or the payload's when it was decompressed
    /// to its end; nil when decompression was stopped once the tables were read.
    public var searchedSize: Int?
    /// How many of the searched bytes were read or decompressed.
    public var searchedBytesRead: Int
    public var tables: FoundTables
    /// The ELF machine of the searched bytes, or the container's architecture.
    public var machine: UInt16?
}

/// Reads a kernel image: a vmlinux ELF, a raw Image, an ARM zImage or an x86 bzImage, with
/// a compressed payload found at any offset and decompressed by the system's program.
public enum KernelImage {
    /// The container format of `bytes`, the search context it implies and its ELF machine.
    /// `bytes` may be the first bytes only (`StreamSearch.headerSize`) of a file of `fileSize` bytes.
    static func container(
        _ bytes: UnsafeBufferPointer<UInt8>, fileSize: Int, options: ImageOptions
    ) throws
        -> (format: String, context: SearchContext, machine: UInt16?)
    {
        var context = SearchContext(byteOrder: options.byteOrder, wordSize: options.wordSize)
        if ELFFile.isELF(bytes) {
            let elf = try ELFFile(bytes, fileSize: fileSize)
            var elfContext = elf.context
            if options.byteOrder != nil && options.byteOrder != elf.byteOrder {
                throw ImageError("--byte-order \(options.byteOrder!.rawValue) contradicts the ELF header")
            }
            if options.wordSize != nil && options.wordSize != elfContext.wordSize {
                throw ImageError("--word-size \(options.wordSize!) contradicts the ELF header (ELF\(elf.is64Bit ? 64 : 32))")
            }
            elfContext.byteOrder = elf.byteOrder
            return ("ELF\(elf.is64Bit ? 64 : 32) \(elf.byteOrder.rawValue)", elfContext, elf.machine)
        }
        if let loadAddress = options.loadAddress {
            // A payload's size is not known while it streams: 4 GiB bounds what a kernel maps.
            let size = min(fileSize, 1 << 32)
            context.segments = [.init(offset: 0, size: size, virtualAddress: loadAddress, memorySize: UInt64(size))]
        }
        let reader = WordReader(bytes: bytes, order: .little)
        if bytes.count >= 0x40 && reader.word(at: 0x38, size: 4) == 0x644D_5241 {  // "ARM\x64"
            context.wordSize = context.wordSize ?? 8
            context.byteOrder = context.byteOrder ?? (bytes[0x18] & 1 == 0 ? .little : .big)
            return ("arm64 Image", context, 183)
        }
        if bytes.count >= 0x30 {
            let magic = reader.word(at: 0x24, size: 4)
            if magic == 0x016F_2818 || magic == 0x1828_6F01 {
                context.wordSize = context.wordSize ?? 4
                return ("ARM zImage", context, 40)
            }
        }
        if bytes.count >= 0x206 && bytes[0x202] == 0x48 && bytes[0x203] == 0x64 && bytes[0x204] == 0x72 && bytes[0x205] == 0x53 {
            return ("x86 bzImage", context, 62)
        }
        return ("raw", context, nil)
    }

    /// Finds and decodes the tables of the kernel image in the file at `path`, reading it front
    /// to back through a window (`StreamSearch`), so that neither the file nor a decompressed
    /// payload is ever held whole unless the tables span more than the window.
    public static func read(path: String, options: ImageOptions = .init()) throws -> ImageReport {
        let file = open(path, O_RDONLY)
        guard file >= 0 else { throw ImageError(String(cString: strerror(errno))) }
        defer { close(file) }
        var status = stat()
        guard fstat(file, &status) == 0 else { throw ImageError(String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT != S_IFDIR else { throw ImageError("is a directory") }
        let size = Int(status.st_size)
        guard size > 0 else { throw ImageError("empty image (0 bytes)") }
        var header = [UInt8](repeating: 0, count: min(size, StreamSearch.headerSize))
        let got = header.withUnsafeMutableBytes { pread(file, $0.baseAddress, $0.count, 0) }
        guard got == header.count else { throw ImageError("cannot read the first \(header.count) bytes") }
        let outer = try header.withUnsafeBufferPointer { try container($0, fileSize: size, options: options) }
        if !isCompressedContainer(outer.format) {
            var context = outer.context
            context.relocationFile = (file, size)
            var outcome = StreamSearch.Outcome.needsWholeStream
            // The tables take 3–6 % of Debian's uncompressed kernels (docs/images.md).
            for search in searches(options, limit: Int.max, estimate: size / 16) {
                guard case .needsWholeStream = outcome else { break }
                guard lseek(file, 0, SEEK_SET) == 0 else { throw ImageError(String(cString: strerror(errno))) }
                outcome = try search.run(read: { buffer, count in readRetrying(file, buffer, count) }, context: { _ in context })
            }
            var refusal: ImageError?
            switch outcome {
            case .found(let tables, let bytesRead, _):
                return ImageReport(
                    format: outer.format, compression: nil, payloadOffset: nil, searchedFormat: outer.format,
                    searchedSize: size, searchedBytesRead: bytesRead, tables: tables, machine: outer.machine)
            case .needsWholeStream:
                do {
                    let tables = try withMapping(file, size: size) { try TableFinder.find(in: $0, context: outer.context) }
                    return ImageReport(
                        format: outer.format, compression: nil, payloadOffset: nil, searchedFormat: outer.format,
                        searchedSize: size, searchedBytesRead: size, tables: tables, machine: outer.machine)
                } catch let error as ImageError {
                    refusal = error
                }
            case .notFound(_, _, let why):
                refusal = why
            }
            if let refusal, !refusal.message.hasPrefix("no kallsyms token table") {
                return try withMapping(file, size: size) {
                    try readPayloads(in: $0, outer: outer, path: path, options: options, orRefuse: refusal)
                }
            }
        }
        return try withMapping(file, size: size) { try readPayloads(in: $0, outer: outer, path: path, options: options) }
    }

    /// `readPayloads`, after a token table of the container itself was found whose other tables
    /// did not agree: that refusal is the answer unless a payload decodes. (A compressor may
    /// store a block it cannot shrink as it is, so a kernel's tables can lie verbatim inside its
    /// compressed payload: lzop does, on a small image.)
    static func readPayloads(
        in bytes: UnsafeBufferPointer<UInt8>, outer: (format: String, context: SearchContext, machine: UInt16?), path: String, options: ImageOptions,
        orRefuse refusal: ImageError
    ) throws -> ImageReport {
        guard let report = try? readPayloads(in: bytes, outer: outer, path: path, options: options) else { throw refusal }
        return report
    }

    /// Finds and decodes the tables of the image in `bytes`, read from `path` (a file the
    /// decompressors can read; standard input is first copied to a temporary file).
    public static func read(_ bytes: UnsafeBufferPointer<UInt8>, path: String, options: ImageOptions = .init()) throws -> ImageReport {
        guard bytes.count > 0 else { throw ImageError("empty image (0 bytes)") }
        let outer = try container(bytes, fileSize: bytes.count, options: options)
        if !isCompressedContainer(outer.format) {
            do {
                let tables = try TableFinder.find(in: bytes, context: outer.context)
                return ImageReport(
                    format: outer.format, compression: nil, payloadOffset: nil, searchedFormat: outer.format,
                    searchedSize: bytes.count, searchedBytesRead: bytes.count, tables: tables, machine: outer.machine)
            } catch let error as ImageError {
                if !error.message.hasPrefix("no kallsyms token table") {
                    return try readPayloads(in: bytes, outer: outer, path: path, options: options, orRefuse: error)
                }
            }
        }
        return try readPayloads(in: bytes, outer: outer, path: path, options: options)
    }

    /// The searches to run in turn, each only when the one before ended with `.needsWholeStream`:
    /// through a first window (stopping as soon as the tables may be wider than it), then
    /// through `searchWindow`. The first window is `firstSearchWindow`, or `estimate` when that
    /// is larger: a guess at the tables' span from the input's size, so that a large kernel is
    /// not read twice. Whatever the guess, the answer is the one `searchWindow` gives.
    static func searches(_ options: ImageOptions, limit: Int, estimate: Int) -> [StreamSearch] {
        let full = StreamSearch(windowSize: options.searchWindow, limit: limit)
        let first = max(options.firstSearchWindow, alignUp(max(0, estimate), StreamSearch.dropUnit))
        guard first < options.searchWindow else { return [full] }
        return [StreamSearch(windowSize: first, limit: limit, readSize: 256 << 10, stopsWhenCut: true), full]
    }

    /// A zImage or bzImage holds its kernel compressed: no need to search the container itself.
    static func isCompressedContainer(_ format: String) -> Bool {
        format == "ARM zImage" || format == "x86 bzImage"
    }

    /// Decompresses each candidate payload of `bytes` (the file at `path`) in turn, in file
    /// order, searching its output as it comes; the first one whose tables decode is the
    /// answer, and the file is not scanned for magic beyond it.
    static func readPayloads(
        in bytes: UnsafeBufferPointer<UInt8>, outer: (format: String, context: SearchContext, machine: UInt16?),
        path: String, options: ImageOptions
    ) throws -> ImageReport {
        let size = bytes.count
        var missing: [String] = []
        var lastRefusal: ImageError?
        var tried = 0
        var limited = false
        var failures: [String] = []
        var next = 0
        while tried < options.payloadAttempts, let candidate = PayloadFormat.nextCandidate(in: bytes, from: next) {
            next = candidate.offset + 1
            tried += 1
            var running: Decompressor.Running?
            var inner: (format: String, context: SearchContext, machine: UInt16?)?
            var outcome = StreamSearch.Outcome.needsWholeStream
            var failed = false
            // A first search through a small window, and one through the full window when the
            // tables may be wider than it: the payload is decompressed again from its start.
            // The tables take 16–29 % of the compressed size of Debian's kernels, up to the token index (docs/images.md).
            for search in searches(options, limit: options.decompressionLimit, estimate: (size - candidate.offset) / 3) {
                guard case .needsWholeStream = outcome else { break }
                running?.finish(stopping: true)
                do {
                    running = try Decompressor.start(candidate.format, file: path, offset: candidate.offset, searchPath: options.searchPath)
                } catch let error as ImageError {
                    if error.message.contains("not found on PATH") {
                        if !missing.contains(error.message) { missing.append(error.message) }
                        failed = true
                        break
                    }
                    throw error
                }
                do {
                    outcome = try search.run(read: running!.read) { header in
                        // The payload's size is not known until it has been decompressed.
                        var found = try container(header, fileSize: Int.max >> 2, options: options)
                        if found.format == "raw" {
                            // A zImage's payload is a raw image of the same word size and byte order.
                            found.context.wordSize = found.context.wordSize ?? outer.context.wordSize
                            found.context.byteOrder = found.context.byteOrder ?? outer.context.byteOrder
                        }
                        inner = found
                        return found.context
                    }
                } catch let error as ImageError {
                    running!.finish(stopping: true)
                    if !error.message.hasPrefix("no kallsyms token table") { lastRefusal = error }
                    failed = true
                    break
                }
            }
            guard !failed, let running else { continue }
            switch outcome {
            case .found(let tables, let bytesRead, let ended):
                running.finish(stopping: !ended)
                return ImageReport(
                    format: outer.format, compression: candidate.format, payloadOffset: candidate.offset,
                    searchedFormat: inner?.format ?? "raw", searchedSize: ended ? bytesRead : nil,
                    searchedBytesRead: bytesRead, tables: tables, machine: inner?.machine ?? outer.machine)
            case .needsWholeStream:
                running.finish(stopping: true)
                do {
                    return try readWholePayload(candidate, outer: outer, path: path, options: options)
                } catch let error as ImageError {
                    if !error.message.hasPrefix("no kallsyms token table") { lastRefusal = error }
                }
            case .notFound(let bytesRead, let reachedLimit, let refusal):
                let succeeded = running.finish(stopping: reachedLimit)
                if reachedLimit { limited = true }
                if !succeeded && !reachedLimit && bytesRead >= 1024 {
                    failures.append(
                        "\(candidate.format.command.program) stopped with an error after \(bytesRead) bytes "
                            + "of the \(candidate.format.rawValue) payload at \(hex(candidate.offset))")
                }
                if let refusal { lastRefusal = refusal }
            }
        }
        if let lastRefusal { throw lastRefusal }
        if let first = missing.first { throw ImageError(first) }
        if limited {
            throw ImageError("a payload decompressed past the \(options.decompressionLimit >> 20) MiB limit without kallsyms tables in it")
        }
        var message = "no kallsyms tables in this \(outer.format) image of \(size) bytes"
        message +=
            tried == 0
            ? " and no compressed payload (gzip, xz, lzma, zstd, lz4, lzo, bzip2 magic)"
            : " nor in the \(tried) compressed payload\(tried == 1 ? "" : "s") tried"
        if let failure = failures.first { message += " (\(failure))" }
        throw ImageError(message)
    }

    /// Decompresses a whole payload into memory and searches all of it: for tables that span
    /// more than the search window.
    static func readWholePayload(
        _ candidate: (offset: Int, format: PayloadFormat), outer: (format: String, context: SearchContext, machine: UInt16?),
        path: String, options: ImageOptions
    ) throws -> ImageReport {
        let output = try Decompressor.run(
            candidate.format, file: path, offset: candidate.offset, limit: options.decompressionLimit,
            searchPath: options.searchPath)
        return try withExtendedLifetime(output.storage) {
            let payload = output.bytes
            var inner = try container(payload, fileSize: payload.count, options: options)
            if inner.format == "raw" {
                inner.context.wordSize = inner.context.wordSize ?? outer.context.wordSize
                inner.context.byteOrder = inner.context.byteOrder ?? outer.context.byteOrder
            }
            let tables = try TableFinder.find(in: payload, context: inner.context)
            return ImageReport(
                format: outer.format, compression: candidate.format, payloadOffset: candidate.offset,
                searchedFormat: inner.format, searchedSize: output.reachedLimit ? nil : payload.count,
                searchedBytesRead: payload.count, tables: tables, machine: inner.machine ?? outer.machine)
        }
    }

    /// `body` on the whole file mapped read-only; pages are read as they are touched.
    static func withMapping<R>(_ file: Int32, size: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, file, 0), address != MAP_FAILED else {
            throw ImageError("cannot map \(size) bytes: \(String(cString: strerror(errno)))")
        }
        defer { munmap(address, size) }
        return try body(UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size))
    }

    /// `read(2)`, again after an interruption.
    static func readRetrying(_ file: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
        while true {
            let got = Glibc.read(file, buffer, count)
            if got < 0 && errno == EINTR { continue }
            return got
        }
    }
}
