import Compressor
import TestSupport
import Testing

/// `kallsyms-lab decode` and `kallsyms-lab stats`, end to end.
@Suite struct DecodeCommandTests {
    static let armhf = Corpus.path(Corpus.armhf)

    @Test("--tables reproduces decoded.txt byte for byte")
    func tablesFolder() {
        let result = runTool(["decode", "--tables", Self.armhf + "/vmlinux-tables"])
        #expect(result.status == 0)
        #expect(result.output == Corpus.bytes(Corpus.armhf + "/vmlinux-tables/decoded.txt"))
    }

    @Test("a .S from compress decodes to the same listing", arguments: Era.allCases)
    func assemblyRoundTrip(_ era: Era) throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let small = Corpus.path("golden/inputs/small.map")
        #expect(runTool(["compress", "--era", era.rawValue, "--all-symbols", "--output", folder + "/k.S", small]).status == 0)
        let decoded = runTool(["decode", "--text", "c0008000", folder + "/k.S"])
        #expect(decoded.status == 0)
        let run = try era.generate(Corpus.goldenInput("small.map"), options: KallsymsOptions(allSymbols: true))
        let expected = run.selection.symbols.map {
            DecodedSymbol(address: $0.address, type: $0.type, name: $0.name).line(addressWidth: 8).text + "\n"
        }.joined()
        #expect(decoded.output.text == expected)
    }

    @Test("damaged tables are an error, not a crash")
    func damagedTables() {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        for name in [
            "kallsyms_names", "kallsyms_markers", "kallsyms_token_table", "kallsyms_token_index",
            "kallsyms_offsets", "kallsyms_relative_base", "kallsyms_num_syms",
        ] {
            var bytes = Corpus.bytes(Corpus.armhf + "/vmlinux-tables/\(name).bin")
            if name == "kallsyms_names" { bytes.removeLast(1000) }
            write(bytes, to: folder + "/\(name).bin")
        }
        let result = runTool(["decode", "--tables", folder])
        #expect(result.status == 1)
        #expect(result.errors.contains("kallsyms_names ends"))
    }

    @Test("stats reports the armhf kernel's tables")
    func stats() {
        let result = runTool(["stats", "--era", "v6.1", "--base-relative", Self.armhf + "/System.map"])
        #expect(result.status == 0)
        let text = result.output.text
        #expect(text.contains("symbols read        107103"))
        #expect(text.contains("symbols kept        45665"))
        #expect(text.contains("kallsyms_names            182668     570052"))
        let json = runTool(["stats", "--era", "v6.1", "--base-relative", "--json", Self.armhf + "/System.map"])
        #expect(json.output.text.contains("\"namesTableBytes\":570052"))
    }
}
