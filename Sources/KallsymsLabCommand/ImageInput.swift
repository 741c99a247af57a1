import Compressor
import Foundation
import ImageReader

/// Reading kernel images for `decode IMAGE` and `verify IMAGE`: options, input, outputs.
enum ImageInput {
    /// The options both commands take.
    static let specs: [OptionSpec] = [
        OptionSpec("--word-size", value: "N", "Bytes per pointer (4 or 8) when the image does not say."),
        OptionSpec("--byte-order", value: "O", "little or big, when the image does not say."),
        OptionSpec("--load-address", value: "ADDR", "Address of a raw image's first byte (v7.0 pc-relative tables)."),
    ]

    static func options(_ arguments: ParsedArguments) throws -> ImageOptions {
        var options = ImageOptions()
        if let size = arguments.value("--word-size") {
            guard size == "4" || size == "8" else { throw UsageError("--word-size must be 4 or 8") }
            options.wordSize = Int(size)
        }
        if let order = arguments.value("--byte-order") {
            switch order {
            case "little", "le": options.byteOrder = .little
            case "big", "be": options.byteOrder = .big
            default: throw UsageError("--byte-order must be little or big")
            }
        }
        if let address = arguments.value("--load-address") {
            options.loadAddress = try DecodeCommand.address(address, option: "--load-address")
        }
        return options
    }

    /// Reads the image at `path` (`-`: standard input, copied to a temporary file so that a
    /// decompressor can read it from any offset). Errors name the path.
    static func read(_ path: String, io: CommandIO, options: ImageOptions, standardInput: [UInt8]? = nil) throws -> ImageReport {
        do {
            if path == "-" {
                let bytes = try standardInput ?? io.readStandardInput()
                let temporary = NSTemporaryDirectory() + "kallsyms-lab-stdin-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                try Files.writeAtomically(bytes, to: temporary)
                defer { unlink(temporary) }
                return try KernelImage.read(path: temporary, options: options)
            }
            return try KernelImage.read(path: path, options: options)
        } catch let error as ImageError {
            throw CommandError("\(path == "-" ? "standard input" : path): \(error.message)")
        } catch let error as KallsymsError {
            throw CommandError("\(path == "-" ? "standard input" : path): \(error.message)")
        }
    }

    /// `ADDR TYPE NAME` lines, as `decoded.txt` and `/proc/kallsyms` print them.
    static func listing(_ symbols: [DecodedSymbol]) -> [UInt8] {
        var output: [UInt8] = []
        writeListing(symbols) { output.append(contentsOf: $0) }
        return output
    }

    /// Writes the listing to standard output in chunks of 256 KiB, not as one buffer of it all.
    static func printListing(_ symbols: [DecodedSymbol], io: CommandIO) throws {
        try io.write(to: nil) { write in writeListing(symbols, to: write) }
    }

    /// Hands the listing to `write` in chunks of at most 256 KiB, formatted digit by digit into
    /// one reused buffer: `DecodedSymbol.line` makes a String and an array per symbol, which
    /// took most of the printing time for 163 000 symbols.
    static func writeListing(_ symbols: [DecodedSymbol], to write: (UnsafeBufferPointer<UInt8>) -> Void) {
        let width = symbols.contains { $0.address > 0xFFFF_FFFF } ? 16 : 8
        let chunkSize = 256 << 10
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { buffer.deallocate() }
        let hexDigits: StaticString = "0123456789abcdef"
        var at = 0
        for symbol in symbols {
            // An address wider than `width` keeps all its digits, as `line(addressWidth:)` does.
            let digits = max(width, (64 - symbol.address.leadingZeroBitCount + 3) / 4)
            let size = digits + 3 + symbol.name.count + 1
            if at + size > chunkSize {
                write(UnsafeBufferPointer(start: buffer, count: at))
                at = 0
            }
            if size > chunkSize {  // a name longer than a chunk: formatted on its own
                var line = symbol.line(addressWidth: width)
                line.append(0x0A)
                line.withUnsafeBufferPointer { write($0) }
                continue
            }
            var value = symbol.address
            var k = digits - 1
            while k >= 0 {
                buffer[at + k] = hexDigits.utf8Start[Int(value & 0xF)]
                value >>= 4
                k -= 1
            }
            at += digits
            buffer[at] = 0x20
            buffer[at + 1] = symbol.type
            buffer[at + 2] = 0x20
            at += 3
            symbol.name.withUnsafeBufferPointer { name in
                if let start = name.baseAddress { (buffer + at).update(from: start, count: name.count) }
            }
            at += symbol.name.count
            buffer[at] = 0x0A
            at += 1
        }
        if at > 0 { write(UnsafeBufferPointer(start: buffer, count: at)) }
    }

    static func padded(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// The whole `--json` document: detection and symbols.
    static func json(_ report: ImageReport) throws -> [UInt8] {
        Array((try JSONOutput.encode(ImageJSON.Decode(report: report)) + "\n").utf8)
    }
}
