import Compressor
import Foundation
import ImageReader
import Randomness
import Testing

/// Compressed payloads found by magic and decompressed by the system's programs, as in
/// zImage and bzImage files; hostile files.
@Suite struct KernelImageTests {
    static func temporaryFile(_ bytes: [UInt8]) -> String {
        let path = NSTemporaryDirectory() + "kallsyms-lab-image-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// `program arguments` on `input`, or nil when the program is not installed.
    static func compress(_ input: [UInt8], with format: PayloadFormat) -> [UInt8]? {
        let (program, arguments): (String, [String]) =
            switch format {
            case .gzip: ("gzip", ["-c", "-9"])
            case .xz: ("xz", ["-c", "--check=crc32"])
            case .lzma: ("xz", ["-c", "--format=lzma", "--lzma1=dict=16MiB"])  // the kernel's magic 5d 00 00 00 needs a dictionary of 16 MiB or more
            case .zstd: ("zstd", ["-c", "-q"])
            case .lz4: ("lz4", ["-c", "-l", "-q"])
            case .lzo: ("lzop", ["-c"])
            case .bzip2: ("bzip2", ["-c"])
            }
        guard let path = Decompressor.locate(program) else { return nil }
        let inputPath = temporaryFile(input)
        defer { try? FileManager.default.removeItem(atPath: inputPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle(forReadingAtPath: inputPath)
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? [UInt8](data) : nil
    }

    static func read(_ bytes: [UInt8], options: ImageOptions = .init()) throws -> ImageReport {
        let path = temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try bytes.withUnsafeBufferPointer { try KernelImage.read($0, path: path, options: options) }
    }

    @Test("a payload behind a stub and before a trailer is found and decompressed", arguments: PayloadFormat.allCases)
    func compressedPayloadIsFound(_ format: PayloadFormat) throws {
        let image = try SyntheticImage(
            era: .v6_1, options: .init(allSymbols: true, baseRelative: true), wordSize: 4,
            byteOrder: .little, seed: 21)
        guard let payload = Self.compress(image.bytes, with: format) else {
            // A machine may lack lz4 or lzop (then this format is not checked here); `.ci/run`
            // installs both and sets the variable, so there a missing compressor fails.
            #expect(
                ProcessInfo.processInfo.environment["KALLSYMS_LAB_ALL_COMPRESSORS"] == nil,
                "the \(format) compressor is missing or failed: this payload format was not checked")
            return
        }
        var random = SeededRandom(seed: 9)
        let stub = (0..<3000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let trailer: [UInt8] = [0x12, 0x34, 0x56, 0x78] + [UInt8](repeating: 0, count: 60)
        let report = try Self.read(stub + payload + trailer)
        #expect(report.compression == format)
        #expect(report.payloadOffset == 3000 || report.payloadOffset.map { $0 < 3000 } == true)
        #expect(report.tables.symbols == image.expected)
    }

    @Test("an ELF vmlinux inside an xz payload (a bzImage's shape) decodes with its segments")
    func elfInsidePayload() throws {
        let image = try SyntheticImage(
            era: .v7_0, options: .init(allSymbols: true, pcRelative: true), wordSize: 8,
            byteOrder: .little, seed: 4)
        let payload = try #require(Self.compress(image.elf, with: .xz), "xz (which decode's own tests need) failed")
        var header = [UInt8](repeating: 0x90, count: 0x400)
        header[0x202...0x205] = [0x48, 0x64, 0x72, 0x53]  // "HdrS"
        let report = try Self.read(header + payload)
        #expect(report.format == "x86 bzImage")
        #expect(report.searchedFormat == "ELF64 little-endian")
        #expect(report.tables.symbols == image.expected)
    }

    @Test("hostile files: empty, random, truncated payload, a decompression bomb: one-line errors")
    func hostileFilesAreRefused() throws {
        var random = SeededRandom(seed: 13)
        let noise = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let image = try SyntheticImage(era: .v6_19, options: .init(allSymbols: true), wordSize: 8, byteOrder: .big, seed: 2)
        var inputs: [(String, [UInt8], ImageOptions)] = [("empty", [], .init()), ("random", noise, .init())]
        if let payload = Self.compress(image.bytes, with: .gzip) {
            inputs.append(("truncated gzip", Array(payload.prefix(payload.count / 2)), .init()))
            var flipped = payload
            flipped[payload.count / 3] ^= 0x55
            inputs.append(("corrupted gzip", flipped, .init()))
        }
        if let bomb = Self.compress([UInt8](repeating: 0, count: 40 << 20), with: .gzip) {
            inputs.append(("bomb", bomb, ImageOptions(decompressionLimit: 8 << 20)))
        }
        for (name, bytes, options) in inputs {
            do {
                _ = try Self.read(bytes, options: options)
                Issue.record("\(name) decoded")
            } catch let error as ImageError {
                #expect(!error.message.isEmpty && !error.message.contains("\n"), "\(name)")
                if name == "bomb" { #expect(error.message.contains("limit"), "\(error.message)") }
            }
        }
    }

    @Test("a missing decompressor is named with its Debian package")
    func missingProgramIsNamed() throws {
        let bytes: [UInt8] = [0x89, 0x4C, 0x5A, 0x4F, 0x00, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 7, count: 4000)
        #expect(throws: ImageError("lzop not found on PATH: it decompresses the lzo payload at 0x0 (Debian package lzop)")) {
            _ = try Self.read(bytes, options: ImageOptions(searchPath: "/nonexistent"))
        }
    }
}
