import Compressor
import Foundation
import ImageReader

enum DecodeCommand {
    static let command = Subcommand(
        name: "decode",
        summary: "Decode kallsyms tables (a kernel image, image blobs or a .S) back to ADDR TYPE NAME lines.",
        usage: "decode (IMAGE | --tables DIR | FILE.S) [--json] [--elf OUT] [--word-size 4|8] [--byte-order O] "
            + "[--load-address ADDR] [--era E] [--text ADDR] [--absolute-percpu] [--pc-relative [--offsets-address ADDR]]",
        discussion: """
            IMAGE is a kernel image (- for standard input): a vmlinux ELF (32/64-bit, either byte
            order), a raw Image, an ARM zImage or an x86 bzImage. A compressed payload (gzip, xz,
            lzma, zstd, lz4, lzo, bzip2) is found by its magic at every candidate offset, as the
            kernel's scripts/extract-vmlinux does, and decompressed by the system's program. The
            tables are found by their invariants (docs/images.md): byte order, word size, table
            positions and address style are detected; when no reading or several disagreeing
            readings fit, decode refuses (exit status 1) rather than print wrong addresses.
            --json prints what was detected and the symbols; --elf OUT writes an ELF whose symbol
            table holds the recovered symbols.

            --tables DIR reads kallsyms_*.bin blobs cut from an image (little-endian words), e.g.
            Tests/Corpus/armhf-armmp-6.1.176/vmlinux-tables; without --era the era is v6.1 when a
            kallsyms_relative_base.bin is present, v5.10 when kallsyms_addresses.bin is, else v7.0.
            FILE.S reads a .S written by any era's generator (the era is recognised from its
            preamble; --era overrides); addresses are relative to _text = --text (default 0).
            Prints one line per symbol in table order; addresses have 8 hex digits, or 16 when some
            address needs more than 32 bits. Malformed tables are an error (exit status 1).

            examples:
              kallsyms-lab decode Tests/Corpus/armhf-armmp-6.1.176/vmlinuz
              kallsyms-lab decode --tables Tests/Corpus/armhf-armmp-6.1.176/vmlinux-tables
              kallsyms-lab decode --text 0xc0008000 kallsyms.S
            """,
        options: [
            OptionSpec("--tables", value: "DIR", "Read kallsyms_*.bin blobs from DIR."),
            OptionSpec("--era", value: "E", "The era that wrote the tables."),
            OptionSpec("--text", value: "ADDR", "Address of _text for a .S (hex, default 0)."),
            OptionSpec("--json", "Print what was found in IMAGE and its symbols as one JSON object."),
            OptionSpec("--elf", value: "OUT", "Also write an ELF file with the symbols of IMAGE to OUT."),
            OptionSpec("--word-size", value: "N", "Bytes per pointer (4 or 8): of IMAGE when it does not say; of blobs (default: from their sizes)."),
            OptionSpec("--byte-order", value: "O", "little or big, when IMAGE does not say."),
            OptionSpec("--load-address", value: "ADDR", "Address of a raw IMAGE's first byte (v7.0 pc-relative tables)."),
            OptionSpec("--absolute-percpu", "Offsets were written with --absolute-percpu (v5.10, v6.1, v6.12)."),
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
            guard let path = arguments.positionals.first else { throw UsageError("missing IMAGE, --tables DIR or FILE.S") }
            // Standard input is read once and handed on, as a .S or as an image.
            let standardInput = path == "-" ? try io.readStandardInput() : nil
            let isText = standardInput.map { isAssemblyText($0.prefix(4096)) } ?? isAssembly(path)
            if !isText { return try decodeImage(path, standardInput: standardInput, arguments: arguments, io: io) }
            let input =
                standardInput.map { bytes in
                    CommandIO(
                        readStandardInput: { bytes }, writeStandardOutput: io.writeStandardOutput,
                        writeStandardError: io.writeStandardError)
                } ?? io
            symbols = try withInput(path, io: input) { bytes in
                let result = try AssemblyReader.read(
                    bytes, era: explicitEra,
                    absolutePercpu: arguments.has("--absolute-percpu"))
                return try TableDecoder.decode(result.tables, text: text)
            }
        }
        try io.writeStandardOutput(ImageInput.listing(symbols))
        return 0
    }

    /// Whether `path` holds a `.S` (text naming its sections) rather than a kernel image.
    static func isAssembly(_ path: String) -> Bool {
        guard path != "-" else { return false }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return path.hasSuffix(".S") || path.hasSuffix(".s") }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 4096)
        let count = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
        guard count > 0 else { return false }
        return isAssemblyText(head[..<count])
    }

    /// Whether the first bytes of an input are a `.S`: text without NUL bytes that names a section.
    static func isAssemblyText(_ head: ArraySlice<UInt8>) -> Bool {
        !head.isEmpty && !head.contains(0) && String(decoding: head, as: UTF8.self).contains(".section")
    }

    /// `decode IMAGE`: find the tables, then print them as a listing, JSON and/or an ELF.
    static func decodeImage(_ path: String, standardInput: [UInt8]?, arguments: ParsedArguments, io: CommandIO) throws -> Int32 {
        for option in ["--era", "--text", "--absolute-percpu", "--pc-relative", "--offsets-address"] where arguments.has(option) {
            throw UsageError("\(option) applies to --tables and FILE.S, not to an image (the image says)")
        }
        let report = try ImageInput.read(path, io: io, options: ImageInput.options(arguments), standardInput: standardInput)
        if let out = arguments.value("--elf") {
            try Files.writeAtomically(SymbolELF.file(for: report), to: out)
        }
        if arguments.has("--json") {
            try io.writeStandardOutput(try ImageInput.json(report))
        } else {
            try ImageInput.printListing(report.tables.symbols, io: io)
        }
        return 0
    }

    static func decodeDirectory(
        _ directory: String, era explicitEra: Era?, arguments: ParsedArguments,
        text: UInt64
    ) throws -> [DecodedSymbol] {
        guard Files.isDirectory(directory) else {
            throw CommandError("\(directory): " + (Files.exists(directory) ? "not a directory" : "No such file or directory"))
        }
        var blobs: [String: [UInt8]] = [:]
        for name in TableImage.tableNames {
            let path = directory + "/" + name + ".bin"
            if Files.exists(path) { blobs[name] = try Files.read(path, io: .process()) }
        }
        guard !blobs.isEmpty else { throw CommandError("\(directory): no kallsyms_*.bin files") }
        let era =
            explicitEra
            ?? (blobs["kallsyms_relative_base"] != nil
                ? .v6_1
                : blobs["kallsyms_addresses"] != nil ? .v5_10 : .v7_0)
        let wordSize = try blobWordSize(blobs, directory: directory, given: arguments.value("--word-size"))
        var offsetsAddress: UInt64?
        if arguments.has("--pc-relative") {
            if let given = arguments.value("--offsets-address") {
                offsetsAddress = try address(given, option: "--offsets-address")
            } else {
                offsetsAddress = try offsetsAddressFromInfo(directory)
            }
        }
        if let offsets = blobs["kallsyms_offsets"], blobs["kallsyms_relative_base"] == nil, offsetsAddress == nil {
            // Without a base, offsets are read as v7.0's absolute 32-bit addresses: refuse what is plainly not that.
            if let explicitEra, explicitEra != .v7_0 {
                throw CommandError("\(directory): \(explicitEra)'s kallsyms_offsets need kallsyms_relative_base.bin, which is missing")
            }
            if offsets.count >= 4 && offsets[0..<4].allSatisfy({ $0 == 0 }) && explicitEra == nil {
                throw CommandError(
                    "\(directory): kallsyms_offsets.bin starts with offset 0 as base-relative offsets do, "
                        + "but kallsyms_relative_base.bin is missing (give --era v7.0 if they are absolute addresses)")
            }
        }
        var image = TableImage(
            blobs: blobs, wordSize: wordSize, absolutePercpu: arguments.has("--absolute-percpu"),
            offsetsAddress: offsetsAddress)
        do {
            let tables = try image.tables(era: era)
            if case .baseRelative(_, .absolute(0), _) = tables.addresses {
                throw CommandError(
                    "\(directory): kallsyms_relative_base is 0 (on arm64 a relocation fills it in at boot): "
                        + "the addresses cannot be known from these blobs")
            }
            var symbols = try TableDecoder.decode(tables, text: text)
            if let unsorted = firstUnsorted(symbols) {
                // v5.10/v6.1 --absolute-percpu offsets read without the flag come out unsorted: detect them.
                if case .baseRelative(_, _, false) = tables.addresses {
                    image.absolutePercpu = true
                    let percpu = try TableDecoder.decode(try image.tables(era: era), text: text)
                    if firstUnsorted(percpu) == nil { return percpu }
                }
                throw CommandError(
                    "\(directory): the addresses are not sorted (symbol \(unsorted) \(printable(symbols[unsorted].name)) "
                        + "at \(String(symbols[unsorted].address, radix: 16)) after \(String(symbols[unsorted - 1].address, radix: 16))): "
                        + "wrong --word-size, --era or address flags")
            }
            symbols.reserveCapacity(0)
            return symbols
        } catch let error as KallsymsError {
            throw CommandError("\(directory): \(error.message)")
        }
    }

    /// The index of the first symbol whose address is below its predecessor's.
    static func firstUnsorted(_ symbols: [DecodedSymbol]) -> Int? {
        symbols.indices.dropFirst().first { symbols[$0].address < symbols[$0 - 1].address }
    }

    /// The pointer size of blobs: `--word-size`, else what kallsyms_relative_base.bin or
    /// kallsyms_addresses.bin's size says, else 4; a contradiction is an error.
    static func blobWordSize(_ blobs: [String: [UInt8]], directory: String, given: String?) throws -> Int {
        var wordSize: Int?
        if let given {
            guard given == "4" || given == "8" else { throw UsageError("--word-size must be 4 or 8") }
            wordSize = Int(given)
        }
        if let base = blobs["kallsyms_relative_base"] {
            guard base.count == 4 || base.count == 8 else {
                throw CommandError("\(directory): kallsyms_relative_base.bin is \(base.count) bytes, not 4 or 8")
            }
            if let wordSize, wordSize != base.count {
                throw CommandError("\(directory): kallsyms_relative_base.bin is \(base.count) bytes, but --word-size is \(wordSize)")
            }
            return base.count
        }
        if wordSize == nil, let addresses = blobs["kallsyms_addresses"], let count = blobs["kallsyms_num_syms"],
            count.count >= 4
        {
            let symbols = Int(count[0]) | Int(count[1]) << 8 | Int(count[2]) << 16 | Int(count[3]) << 24
            if symbols > 0 && (addresses.count == 8 * symbols || addresses.count == 4 * symbols) {
                return addresses.count / symbols
            }
        }
        return wordSize ?? 4
    }

    static func offsetsAddressFromInfo(_ directory: String) throws -> UInt64 {
        let path = directory + "/info.json"
        let bytes = try Files.read(path, io: .process())
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let blobs = object["blobs"] as? [String: Any],
            let offsets = blobs["kallsyms_offsets"] as? [String: Any],
            let vaddr = offsets["vaddr"] as? String, let value = UInt64(vaddr, radix: 16)
        else {
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
