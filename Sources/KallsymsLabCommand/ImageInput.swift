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

    /// Hands the listing to `write` in chunks of at most 256 KiB (`ImageListing`).
    static func writeListing(_ symbols: [DecodedSymbol], to write: (UnsafeBufferPointer<UInt8>) -> Void) {
        ImageListing.write(symbols, to: write)
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
