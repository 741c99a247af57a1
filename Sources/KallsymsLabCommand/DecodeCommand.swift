import Compressor
import Foundation

enum DecodeCommand {
    static let command = Subcommand(
        name: "decode",
        summary: "Decode kallsyms tables (image blobs or a .S) back to ADDR TYPE NAME lines.",
        usage: "decode (--tables DIR | FILE.S) [--era E] [--text ADDR] [--word-size 4|8] [--absolute-percpu] "
            + "[--pc-relative [--offsets-address ADDR]]",
        discussion: """
        --tables DIR reads kallsyms_*.bin blobs cut from an image (little-endian words), e.g.
        Tests/Corpus/armhf-armmp-6.1.176/vmlinux-tables; without --era the era is v6.1 when a
        kallsyms_relative_base.bin is present, v5.10 when kallsyms_addresses.bin is, else v7.0.
        FILE.S reads a .S written by any era's generator (the era is recognised from its
        preamble; --era overrides); addresses are relative to _text = --text (default 0).
        Prints one line per symbol in table order; addresses have 8 hex digits, or 16 when some
        address needs more than 32 bits. Malformed tables are an error (exit status 1).

        examples:
          kallsyms-lab decode --tables Tests/Corpus/armhf-armmp-6.1.176/vmlinux-tables
          kallsyms-lab decode --text 0xc0008000 kallsyms.S
        """,
        options: [
            OptionSpec("--tables", value: "DIR", "Read kallsyms_*.bin blobs from DIR."),
            OptionSpec("--era", value: "E", "The era that wrote the tables."),
            OptionSpec("--text", value: "ADDR", "Address of _text for a .S (hex, default 0)."),
            OptionSpec("--word-size", value: "N", "Bytes per pointer-sized word in blobs (4 or 8, default 4)."),
            OptionSpec("--absolute-percpu", "Offsets were written with --absolute-percpu (v5.10, v6.1)."),
            OptionSpec("--pc-relative", "Blobs hold v7.0 pc-relative offsets."),
            OptionSpec("--offsets-address", value: "ADDR", "Address of kallsyms_offsets (default: from info.json)."),
        ],
        positionals: 0...1,
        run: run)

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let explicitEra = try arguments.value("--era").map { name -> Era in
            guard let era = Era(name: name) else { throw UsageError("unknown era \(name)") }
            return era
        }
        let text = try address(arguments.value("--text") ?? "0", option: "--text")
        let symbols: [DecodedSymbol]
        if let directory = arguments.value("--tables") {
            guard arguments.positionals.isEmpty else { throw UsageError("give either --tables DIR or FILE.S, not both") }
            symbols = try decodeDirectory(directory, era: explicitEra, arguments: arguments, text: text)
        } else {
            guard let path = arguments.positionals.first else { throw UsageError("missing --tables DIR or FILE.S") }
            symbols = try withInput(path, io: io) { bytes in
                let result = try AssemblyReader.read(bytes, era: explicitEra,
                                                     absolutePercpu: arguments.has("--absolute-percpu"))
                return try TableDecoder.decode(result.tables, text: text)
            }
        }
        let width = symbols.contains { $0.address > 0xFFFF_FFFF } ? 16 : 8
        var output: [UInt8] = []
        output.reserveCapacity(symbols.count * 40)
        for symbol in symbols {
            output.append(contentsOf: symbol.line(addressWidth: width))
            output.append(0x0A)
        }
        try io.writeStandardOutput(output)
        return 0
    }

    static func decodeDirectory(_ directory: String, era explicitEra: Era?, arguments: ParsedArguments,
                                text: UInt64) throws -> [DecodedSymbol] {
        guard Files.isDirectory(directory) else {
            throw CommandError("\(directory): " + (Files.exists(directory) ? "not a directory" : "No such file or directory"))
        }
        var blobs: [String: [UInt8]] = [:]
        for name in TableImage.tableNames {
            let path = directory + "/" + name + ".bin"
            if Files.exists(path) { blobs[name] = try Files.read(path, io: .process()) }
        }
        guard !blobs.isEmpty else { throw CommandError("\(directory): no kallsyms_*.bin files") }
        let era = explicitEra ?? (blobs["kallsyms_relative_base"] != nil ? .v6_1
                                  : blobs["kallsyms_addresses"] != nil ? .v5_10 : .v7_0)
        let wordSize = Int(arguments.value("--word-size") ?? "4") ?? 0
        guard wordSize == 4 || wordSize == 8 else { throw UsageError("--word-size must be 4 or 8") }
        var offsetsAddress: UInt64?
        if arguments.has("--pc-relative") {
            if let given = arguments.value("--offsets-address") {
                offsetsAddress = try address(given, option: "--offsets-address")
            } else {
                offsetsAddress = try offsetsAddressFromInfo(directory)
            }
        }
        let image = TableImage(blobs: blobs, wordSize: wordSize, absolutePercpu: arguments.has("--absolute-percpu"),
                               offsetsAddress: offsetsAddress)
        do {
            return try TableDecoder.decode(try image.tables(era: era), text: text)
        } catch let error as KallsymsError {
            throw CommandError("\(directory): \(error.message)")
        }
    }

    static func offsetsAddressFromInfo(_ directory: String) throws -> UInt64 {
        let path = directory + "/info.json"
        let bytes = try Files.read(path, io: .process())
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let blobs = object["blobs"] as? [String: Any],
              let offsets = blobs["kallsyms_offsets"] as? [String: Any],
              let vaddr = offsets["vaddr"] as? String, let value = UInt64(vaddr, radix: 16) else {
            throw CommandError("\(path): no blobs.kallsyms_offsets.vaddr; give --offsets-address")
        }
        return value
    }

    static func address(_ text: String, option: String) throws -> UInt64 {
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
        guard let value = UInt64(digits, radix: 16) else { throw UsageError("\(option) takes a hex address, not \(text)") }
        return value
    }
}
