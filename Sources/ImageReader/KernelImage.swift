import Compressor
import Foundation

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

    public init(wordSize: Int? = nil, byteOrder: ByteOrder? = nil, loadAddress: UInt64? = nil,
                decompressionLimit: Int = 512 << 20, payloadAttempts: Int = 32, searchPath: String? = nil) {
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
    public var searchedSize: Int
    public var tables: FoundTables
    /// The ELF machine of the searched bytes, or the container's architecture.
    public var machine: UInt16?
}

/// Reads a kernel image: a vmlinux ELF, a raw Image, an ARM zImage or an x86 bzImage, with
/// a compressed payload found at any offset and decompressed by the system's program.
public enum KernelImage {
    /// The container format of `bytes`, the search context it implies and its ELF machine.
    static func container(_ bytes: UnsafeBufferPointer<UInt8>, options: ImageOptions) throws
        -> (format: String, context: SearchContext, machine: UInt16?) {
        var context = SearchContext(byteOrder: options.byteOrder, wordSize: options.wordSize)
        if ELFFile.isELF(bytes) {
            let elf = try ELFFile(bytes)
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
            context.segments = [.init(offset: 0, size: bytes.count, virtualAddress: loadAddress, memorySize: UInt64(bytes.count))]
        }
        let reader = WordReader(bytes: bytes, order: .little)
        if bytes.count >= 0x40 && reader.word(at: 0x38, size: 4) == 0x644D_5241 { // "ARM\x64"
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

    /// Finds and decodes the tables of the image in `bytes`, read from `path` (a file the
    /// decompressors can read; standard input is first copied to a temporary file).
    public static func read(_ bytes: UnsafeBufferPointer<UInt8>, path: String, options: ImageOptions = .init()) throws -> ImageReport {
        guard bytes.count > 0 else { throw ImageError("empty image (0 bytes)") }
        let outer = try container(bytes, options: options)
        var direct: ImageError?
        // A zImage or bzImage holds its kernel compressed: no need to search the container.
        let isContainer = outer.format == "ARM zImage" || outer.format == "x86 bzImage"
        if !isContainer { do {
            let tables = try TableFinder.find(in: bytes, context: outer.context)
            return ImageReport(format: outer.format, compression: nil, payloadOffset: nil, searchedFormat: outer.format,
                               searchedSize: bytes.count, tables: tables, machine: outer.machine)
        } catch let error as ImageError {
            direct = error
        } }
        // A token table was found but the rest did not agree: that is the answer, not a reason to decompress.
        if let direct, !direct.message.hasPrefix("no kallsyms token table") && outer.format != "ARM zImage" && outer.format != "x86 bzImage" {
            throw direct
        }
        var missing: [String] = []
        var lastRefusal: ImageError?
        var tried = 0
        var limited = false
        var failures: [String] = []
        for candidate in PayloadFormat.candidates(in: bytes, limit: options.payloadAttempts) {
            tried += 1
            let output: Decompressor.Output
            do {
                output = try Decompressor.run(candidate.format, file: path, offset: candidate.offset, limit: options.decompressionLimit,
                                              searchPath: options.searchPath)
            } catch let error as ImageError {
                if error.message.contains("not found on PATH") {
                    if !missing.contains(error.message) { missing.append(error.message) }
                    continue
                }
                throw error
            }
            if !output.succeeded && !output.reachedLimit && output.bytes.count >= 1024 {
                failures.append("\(candidate.format.command.program) stopped with an error after \(output.bytes.count) bytes "
                                + "of the \(candidate.format.rawValue) payload at \(hex(candidate.offset))")
            }
            guard output.bytes.count >= 1024 else { continue }
            if output.reachedLimit { limited = true }
            do {
                return try withExtendedLifetime(output.storage) {
                    let payload = output.bytes
                    var inner = try container(payload, options: options)
                    if inner.format == "raw" {
                        // A zImage's payload is a raw image of the same word size and byte order.
                        inner.context.wordSize = inner.context.wordSize ?? outer.context.wordSize
                        inner.context.byteOrder = inner.context.byteOrder ?? outer.context.byteOrder
                    }
                    let tables = try TableFinder.find(in: payload, context: inner.context)
                    return ImageReport(format: outer.format, compression: candidate.format, payloadOffset: candidate.offset,
                                       searchedFormat: inner.format, searchedSize: payload.count, tables: tables,
                                       machine: inner.machine ?? outer.machine)
                }
            } catch let error as ImageError {
                if !error.message.hasPrefix("no kallsyms token table") { lastRefusal = error }
                if output.reachedLimit { continue }
            }
        }
        if let lastRefusal { throw lastRefusal }
        if let first = missing.first { throw ImageError(first) }
        if limited {
            throw ImageError("a payload decompressed past the \(options.decompressionLimit >> 20) MiB limit without kallsyms tables in it")
        }
        var message = "no kallsyms tables in this \(outer.format) image of \(bytes.count) bytes"
        message += tried == 0 ? " and no compressed payload (gzip, xz, lzma, zstd, lz4, lzo, bzip2 magic)"
                              : " nor in the \(tried) compressed payload\(tried == 1 ? "" : "s") tried"
        if let failure = failures.first { message += " (\(failure))" }
        throw ImageError(message)
    }
}
