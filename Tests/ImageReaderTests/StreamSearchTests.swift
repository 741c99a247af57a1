import Compressor
import Foundation
import Testing

@testable import ImageReader

/// The window search: tables found after bytes were dropped, reading stopped after them,
/// tables wider than the window sent back to a whole read, and payloads decompressed only as
/// far as their tables.
@Suite struct StreamSearchTests {
    /// Runs `search` over `bytes` as a stream (handed over as `search` asks for them); the
    /// outcome and how many bytes were handed over.
    static func run(
        _ search: StreamSearch, over bytes: [UInt8], context: SearchContext
    ) throws
        -> (outcome: StreamSearch.Outcome, delivered: Int)
    {
        var delivered = 0
        let outcome = try bytes.withUnsafeBufferPointer { source in
            try search.run(
                read: { buffer, count in
                    let n = min(count, source.count - delivered)
                    if n > 0 { buffer.update(from: source.baseAddress! + delivered, count: n) }
                    delivered += n
                    return n
                }, context: { _ in context })
        }
        return (outcome, delivered)
    }

    /// Random bytes, a whole number of the window's drop units (so alignment is kept).
    ///
    /// SplitMix64 inline, eight bytes a step: filler needs no replayable draws, and this file
    /// then depends on no test-support module.
    static func filler(units: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var bytes: [UInt8] = []
        bytes.reserveCapacity(units * StreamSearch.dropUnit)
        while bytes.count < units * StreamSearch.dropUnit {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: z >> (8 * UInt64(k)))) }
        }
        return bytes
    }

    /// Searches `bytes` as a stream handed over `readSize` bytes at a time; also returns how many were handed over.
    static func search(_ bytes: [UInt8], window: Int, readSize: Int) throws -> (outcome: StreamSearch.Outcome, delivered: Int) {
        try run(StreamSearch(windowSize: window, limit: Int.max, readSize: readSize), over: bytes, context: SearchContext())
    }

    @Test("tables after dropped bytes are found, with their offsets in the stream, and reading stops after them")
    func tablesAfterDroppedBytes() throws {
        let image = try SyntheticImage(
            era: .v6_1, options: .init(allSymbols: true, baseRelative: true), wordSize: 4,
            byteOrder: .little, seed: 5)
        let bytes = Self.filler(units: 5, seed: 1) + image.bytes + Self.filler(units: 16, seed: 2)
        let whole = try bytes.withUnsafeBufferPointer { try TableFinder.find(in: $0, context: SearchContext()) }
        let (outcome, delivered) = try Self.search(bytes, window: 64 << 10, readSize: 4096)
        guard case .found(let tables, let bytesRead, let ended) = outcome else {
            Issue.record("not found: \(outcome)")
            return
        }
        #expect(tables.symbols == image.expected)
        #expect(tables.locations == whole.locations)
        #expect(!ended && bytesRead == delivered && delivered < bytes.count - (512 << 10))
    }

    @Test("tables wider than the window send the search back to the whole stream, which finds them")
    func tablesWiderThanTheWindow() throws {
        let image = try SyntheticImage(
            era: .v6_19, options: .init(allSymbols: true), wordSize: 8, byteOrder: .big,
            count: 30000, seed: 6)
        let bytes = Self.filler(units: 3, seed: 3) + image.bytes
        let (outcome, _) = try Self.search(bytes, window: 64 << 10, readSize: 4096)
        guard case .needsWholeStream = outcome else {
            Issue.record("the window held the tables: \(outcome)")
            return
        }
        let path = KernelImageTests.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try KernelImage.read(path: path, options: ImageOptions(searchWindow: 64 << 10))
        #expect(report.tables.symbols == image.expected)
        #expect(report.searchedSize == bytes.count)
    }

    @Test("a compressed payload is decompressed only as far as its tables")
    func payloadStopsAfterItsTables() throws {
        let image = try SyntheticImage(
            era: .v6_1, options: .init(allSymbols: true, baseRelative: true), wordSize: 4,
            byteOrder: .little, seed: 7)
        let payload = Self.filler(units: 2, seed: 4) + image.bytes + Self.filler(units: 64, seed: 5)
        let compressed = try #require(KernelImageTests.compress(payload, with: .gzip), "gzip, present on every Linux, failed")
        let path = KernelImageTests.temporaryFile([UInt8](repeating: 0x55, count: 512) + compressed)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try KernelImage.read(path: path, options: ImageOptions(searchWindow: 64 << 10))
        #expect(report.compression == .gzip && report.payloadOffset == 512)
        #expect(report.tables.symbols == image.expected)
        #expect(report.searchedSize == nil)
        #expect(report.searchedBytesRead < payload.count - (1 << 20), "\(report.searchedBytesRead) of \(payload.count)")
    }

    @Test("a raw image file and the same bytes in memory give the same report")
    func fileAndMemoryAgree() throws {
        let image = try SyntheticImage(
            era: .v5_10, options: .init(allSymbols: true, absolutePercpu: true, baseRelative: true),
            wordSize: 8, byteOrder: .little, seed: 8)
        let bytes = Self.filler(units: 4, seed: 6) + image.bytes
        let path = KernelImageTests.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try KernelImage.read(path: path, options: ImageOptions(searchWindow: 64 << 10))
        let fromMemory = try bytes.withUnsafeBufferPointer { try KernelImage.read($0, path: path) }
        #expect(fromFile.tables.symbols == fromMemory.tables.symbols)
        #expect(fromFile.tables.locations == fromMemory.tables.locations)
        #expect(fromFile.tables.addressStyle == .absolutePercpu)
    }

    @Test("a zero relative base in an Image file is taken from the relocations, read from the file")
    func zeroBaseFromTheFile() throws {
        let image = try SyntheticImage(
            era: .v6_1, options: .init(allSymbols: true, baseRelative: true), wordSize: 8,
            byteOrder: .little, seed: 31)
        let found = try image.bytes.withUnsafeBufferPointer { try TableFinder.find(in: $0, context: SearchContext()) }
        let prefix = Self.filler(units: 3, seed: 9)
        var bytes = prefix + image.bytes
        let slot = prefix.count + (try #require(found.locations.first { $0.name == "kallsyms_relative_base" })).offset
        let base = try #require(found.relativeBase)
        for k in 0..<8 { bytes[slot + k] = 0 }
        // Slots other relocations patch (zero), then the relocation table, after the window has moved on.
        let zeros = bytes.count
        bytes += [UInt8](repeating: 0, count: 4096) + Self.filler(units: 2, seed: 10)
        var table: [(UInt64, UInt64)] = [(image.loadAddress + UInt64(slot), base)]
        for k in 0..<40 { table.append((image.loadAddress + UInt64(zeros + 8 * k), image.loadAddress + UInt64(k * 64))) }
        for (offset, addend) in table {
            for value in [offset, 1027, addend] { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))) } }
        }
        let path = KernelImageTests.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try KernelImage.read(path: path, options: ImageOptions(searchWindow: 64 << 10))
        #expect(report.tables.relativeBase == base)
        #expect(report.tables.symbols == image.expected)
    }

    @Test("a first window that may cut the tables stops at once; the full window then finds what one search finds")
    func firstWindowStopsWhenCut() throws {
        let image = try SyntheticImage(
            era: .v6_1, options: .init(allSymbols: true, baseRelative: true), wordSize: 8,
            byteOrder: .little, count: 12000, seed: 41)
        let bytes = Self.filler(units: 3, seed: 11) + image.bytes + Self.filler(units: 32, seed: 12)
        let first = StreamSearch(windowSize: 64 << 10, limit: Int.max, readSize: 4096, stopsWhenCut: true)
        let (outcome, delivered) = try Self.run(first, over: bytes, context: SearchContext())
        guard case .needsWholeStream = outcome else {
            Issue.record("the first window held the tables: \(outcome)")
            return
        }
        #expect(delivered < bytes.count - (1 << 20), "it stopped at the tables, not at the end: \(delivered)")
        let path = KernelImageTests.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let twoSearches = try KernelImage.read(path: path, options: ImageOptions(firstSearchWindow: 64 << 10))
        let oneSearch = try KernelImage.read(path: path, options: ImageOptions(firstSearchWindow: 4 << 20))
        #expect(twoSearches.tables.symbols == image.expected)
        #expect(twoSearches.tables.locations == oneSearch.tables.locations)
    }

    @Test("a compressed payload searched through a small first window, then again through the full one, gives the one-search report")
    func payloadSearchedTwice() throws {
        let image = try SyntheticImage(
            era: .v6_1, options: .init(allSymbols: true, baseRelative: true), wordSize: 4,
            byteOrder: .big, count: 20000, seed: 42)
        let payload = Self.filler(units: 4, seed: 13) + image.bytes + Self.filler(units: 16, seed: 14)
        let compressed = try #require(KernelImageTests.compress(payload, with: .gzip), "gzip, present on every Linux, failed")
        let path = KernelImageTests.temporaryFile([UInt8](repeating: 0x55, count: 256) + compressed)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let twoSearches = try KernelImage.read(path: path, options: ImageOptions(firstSearchWindow: 64 << 10))
        let oneSearch = try KernelImage.read(path: path, options: ImageOptions(firstSearchWindow: 4 << 20))
        #expect(twoSearches.tables.symbols == image.expected)
        #expect(twoSearches.tables.locations == oneSearch.tables.locations)
        #expect(twoSearches.compression == .gzip && twoSearches.payloadOffset == 256 && twoSearches.searchedSize == nil)
    }

    @Test("tables inside the first window are found in one search, through it")
    func firstWindowHoldsTheTables() throws {
        let image = try SyntheticImage(
            era: .v6_1, options: .init(allSymbols: true, baseRelative: true), wordSize: 4,
            byteOrder: .little, count: 2000, seed: 43)
        let bytes = Self.filler(units: 40, seed: 15) + image.bytes + Self.filler(units: 8, seed: 16)
        let first = StreamSearch(windowSize: 256 << 10, limit: Int.max, readSize: 4096, stopsWhenCut: true)
        let (outcome, _) = try Self.run(first, over: bytes, context: SearchContext(wordSize: 4))
        guard case .found(let tables, _, _) = outcome else {
            Issue.record("not found in the first window: \(outcome)")
            return
        }
        #expect(tables.symbols == image.expected)
    }
}
