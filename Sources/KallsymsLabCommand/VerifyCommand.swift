import Compressor
import ImageReader

enum VerifyCommand {
    static let command = Subcommand(
        name: "verify",
        summary: "Say which era's generator reproduces the kallsyms tables of a kernel image byte for byte.",
        usage: "verify IMAGE [--json] [--word-size 4|8] [--byte-order O] [--load-address ADDR]",
        discussion: """
            Decodes IMAGE as `decode IMAGE` does, then runs each era's generator on the decoded
            symbols (the set the image's generator kept, with --all-symbols and the address flags
            that write the image's address style) and compares kallsyms_names, kallsyms_markers,
            kallsyms_token_table, kallsyms_token_index, the address table and, where both have it,
            kallsyms_seqs_of_names, and the order of the tables in the image. Prints one line per era:
            the tables it reproduces, or the first place each differing table differs.
            Exit status 0 when at least one era reproduces the image, 1 when none does or the
            image cannot be read.

            example:
              kallsyms-lab verify Tests/Corpus/armhf-armmp-6.1.176/vmlinuz
            """,
        options: [OptionSpec("--json", "Print the detection and every era's verdict as one JSON object.")] + ImageInput.specs,
        positionals: 1...1,
        run: run)

    static func run(_ arguments: ParsedArguments, _ io: CommandIO) throws -> Int32 {
        let path = arguments.positionals[0]
        let report = try ImageInput.read(path, io: io, options: ImageInput.options(arguments))
        let verdicts = ImageVerifier.verify(report.tables)
        let reproducing = verdicts.filter(\.reproduces)
        if arguments.has("--json") {
            try io.out(try JSONOutput.encode(ImageJSON.Verify(report: report, verdicts: verdicts)) + "\n")
        } else {
            let tables = report.tables
            var text = "image: \(report.format)"
            if let compression = report.compression, let offset = report.payloadOffset {
                let size = report.searchedSize.map { "\($0) bytes" } ?? "decompressed as far as the tables"
                text += ", \(compression.rawValue) payload at 0x\(String(offset, radix: 16)) (\(size), \(report.searchedFormat))"
            }
            text +=
                "; \(tables.symbols.count) symbols, \(tables.addressStyle.rawValue) addresses, "
                + "\(tables.wordSize)-byte words, \(tables.byteOrder.rawValue)\n"
            for verdict in verdicts {
                let name = ([verdict.era.rawValue] + (verdict.flags.isEmpty ? [] : [verdict.flags])).joined(separator: " ")
                if verdict.reproduces {
                    text += "\(name): reproduces \(verdict.matches.joined(separator: ", "))"
                } else {
                    text += "\(name): differs: \(verdict.differences.joined(separator: "; "))"
                }
                if !verdict.notes.isEmpty { text += " (\(verdict.notes.joined(separator: "; ")))" }
                text += "\n"
            }
            if reproducing.isEmpty {
                text += "no era reproduces this image\n"
            } else {
                let names = reproducing.map { ([$0.era.rawValue] + ($0.flags.isEmpty ? [] : [$0.flags])).joined(separator: " ") }
                text += "reproduced byte for byte by: \(names.joined(separator: ", "))\n"
                if reproducing.contains(where: { $0.era == .v5_10 }) && reproducing.contains(where: { $0.era == .v6_1 }) {
                    text += "(v5.10 and v6.1 write the same bytes when no compressed name needs a two-byte length and no name is 128 bytes or longer)\n"
                }
            }
            try io.out(text)
        }
        return reproducing.isEmpty ? 1 : 0
    }
}
