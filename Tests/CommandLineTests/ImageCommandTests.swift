import Compressor
import Foundation
import Randomness
import TestSupport
import Testing

/// `decode IMAGE` and `verify IMAGE` on the real Debian armhf zImage, hostile files, and
/// `--tables` folders that used to decode to wrong addresses with exit status 0.
@Suite struct ImageCommandTests {
    static let image = Corpus.path(Corpus.armhf + "/vmlinuz")
    static let decoded = Corpus.armhf + "/vmlinux-tables/decoded.txt"

    @Test("decode of the armhf zImage equals the kernel's own table listing byte for byte; nm reads the same from --elf")
    func armhfImageDecodes() throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let result = runTool(["decode", "--elf", folder + "/armhf.elf", Self.image])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == Corpus.bytes(Self.decoded))
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/nm") else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nm")
        process.arguments = [folder + "/armhf.elf"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let listed = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let nmLines = String(decoding: listed, as: UTF8.self).split(separator: "\n").sorted()
        let ourLines = Corpus.text(Self.decoded).split(separator: "\n").sorted()
        #expect(nmLines == ourLines, "nm's letters, addresses and names from the ELF")
    }

    @Test("verify names v6.1 --base-relative for the armhf zImage")
    func armhfImageVerifies() {
        let result = runTool(["verify", Self.image])
        #expect(result.status == 0, "\(result.errors)")
        let text = result.output.text
        #expect(text.contains("v6.1 --base-relative: reproduces kallsyms_names, kallsyms_markers, kallsyms_token_table, kallsyms_token_index"))
        #expect(text.contains("reproduced byte for byte by: v5.10 --base-relative, v6.1 --base-relative\n"))
        #expect(text.contains("v6.19: differs: table order"))
    }

    @Test("verify --json gives the detection and every era's verdict; v6.1 --base-relative reproduces the armhf zImage")
    func armhfVerifyJSON() throws {
        let result = runTool(["verify", "--json", Self.image])
        #expect(result.status == 0, "\(result.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output)) as? [String: Any])
        #expect(object["format"] as? String == "ARM zImage")
        #expect(object["symbolCount"] as? Int == 45665)
        let searched = try #require(object["searched"] as? [String: Any])
        #expect(searched["format"] as? String == "raw")
        // Decompression stops once the tables are read: the payload's size is not known.
        #expect(searched["size"] is NSNull)
        let eras = try #require(object["eras"] as? [[String: Any]])
        #expect(eras.map { $0["era"] as? String ?? "" } == Era.allCases.map(\.rawValue))
        let v6_1 = try #require(eras.first { $0["era"] as? String == "v6.1" })
        #expect(v6_1["flags"] as? String == "--base-relative")
        #expect(v6_1["reproduces"] as? Bool == true)
        #expect((v6_1["differences"] as? [String])?.isEmpty == true)
        #expect(
            (v6_1["matches"] as? [String])?.starts(with: [
                "kallsyms_names", "kallsyms_markers", "kallsyms_token_table",
                "kallsyms_token_index",
            ]) == true)
        let v6_19 = try #require(eras.first { $0["era"] as? String == "v6.19" })
        #expect(v6_19["reproduces"] as? Bool == false)
        #expect((v6_19["differences"] as? [String])?.contains { $0.hasPrefix("table order") } == true)
    }

    @Test("decode --json from standard input reports what was detected")
    func armhfJSONFromStandardInput() throws {
        let result = runTool(["decode", "--json", "-"], stdin: Corpus.bytes(Corpus.armhf + "/vmlinuz"))
        #expect(result.status == 0, "\(result.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output)) as? [String: Any])
        #expect(object["format"] as? String == "ARM zImage")
        #expect(object["compression"] as? String == "xz")
        #expect(object["addressStyle"] as? String == "base-relative")
        #expect(object["relativeBase"] as? String == "0xc0300000")
        #expect(object["symbolCount"] as? Int == 45665)
        let tables = try #require(object["tables"] as? [[String: Any]])
        #expect(
            tables.map { $0["name"] as? String ?? "" } == [
                "kallsyms_offsets", "kallsyms_relative_base", "kallsyms_num_syms", "kallsyms_names", "kallsyms_markers",
                "kallsyms_seqs_of_names", "kallsyms_token_table", "kallsyms_token_index",
            ])
        let symbols = try #require(object["symbols"] as? [[String: String]])
        #expect(symbols.first == ["address": "c0300000", "type": "T", "name": "_stext"])
    }

    @Test("decode - still reads a .S from standard input")
    func assemblyFromStandardInput() {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        #expect(runTool(["compress", "--era", "v6.19", "--output", folder + "/k.S", Corpus.path("golden/inputs/small.map")]).status == 0)
        let fromFile = runTool(["decode", folder + "/k.S"])
        let fromStandardInput = runTool(["decode", "-"], stdin: contents(of: folder + "/k.S") ?? [])
        #expect(fromFile.status == 0 && fromStandardInput.status == 0, "\(fromStandardInput.errors)")
        #expect(fromStandardInput.output == fromFile.output)
    }

    @Test("hostile images: one line on stderr, exit status 1, nothing on stdout")
    func hostileImagesAreRefused() {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        var random = SeededRandom(seed: 18)
        let zImage = Corpus.bytes(Corpus.armhf + "/vmlinuz")
        var flipped = zImage
        flipped[zImage.count / 2] ^= 0x40
        let files: [(String, [UInt8])] = [
            ("empty", []),
            ("random", (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &random) }),
            ("truncated", Array(zImage.prefix(zImage.count / 3))),
            ("flipped", flipped),
        ]
        for (name, bytes) in files {
            write(bytes, to: folder + "/" + name)
            for command in name == "empty" || name == "random" ? ["decode", "verify"] : ["decode"] {
                let result = runTool([command, folder + "/" + name])
                #expect(result.status == 1, "\(command) \(name)")
                #expect(result.output.isEmpty, "\(command) \(name)")
                #expect(result.errors.hasPrefix("kallsyms-lab \(command): \(folder)/\(name): "), "\(result.errors)")
                #expect(result.errors.filter { $0 == "\n" }.count == 1, "\(result.errors)")
                if command == "decode" && (name == "empty" || name == "random") {
                    let refused = runTool(["decode", "--elf", folder + "/out.elf", folder + "/" + name])
                    #expect(refused.status == 1 && !FileManager.default.fileExists(atPath: folder + "/out.elf"))
                }
            }
        }
    }

    @Test("--tables without kallsyms_relative_base, or with a word size its size contradicts, is an error")
    func tablesThatWouldDecodeWronglyAreRefused() {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        for name in [
            "kallsyms_names", "kallsyms_markers", "kallsyms_token_table", "kallsyms_token_index",
            "kallsyms_offsets", "kallsyms_num_syms",
        ] {
            write(Corpus.bytes(Corpus.armhf + "/vmlinux-tables/\(name).bin"), to: folder + "/\(name).bin")
        }
        let missing = runTool(["decode", "--tables", folder])
        #expect(missing.status == 1)
        #expect(missing.errors.contains("kallsyms_relative_base.bin is missing"))
        let explicit = runTool(["decode", "--tables", folder, "--era", "v6.1"])
        #expect(explicit.status == 1)
        write(Corpus.bytes(Corpus.armhf + "/vmlinux-tables/kallsyms_relative_base.bin"), to: folder + "/kallsyms_relative_base.bin")
        let wrongSize = runTool(["decode", "--tables", folder, "--word-size", "8"])
        #expect(wrongSize.status == 1)
        #expect(wrongSize.errors.contains("kallsyms_relative_base.bin is 4 bytes, but --word-size is 8"))
        write([0, 0, 0, 0], to: folder + "/kallsyms_relative_base.bin")
        let zeroBase = runTool(["decode", "--tables", folder])
        #expect(zeroBase.status == 1)
        #expect(zeroBase.errors.contains("kallsyms_relative_base is 0"))
        // Offsets made unsorted: a wrong reading is refused rather than printed.
        var offsets = Corpus.bytes(Corpus.armhf + "/vmlinux-tables/kallsyms_offsets.bin")
        offsets.swapAt(400, 4000)
        write(offsets, to: folder + "/kallsyms_offsets.bin")
        write(Corpus.bytes(Corpus.armhf + "/vmlinux-tables/kallsyms_relative_base.bin"), to: folder + "/kallsyms_relative_base.bin")
        let unsorted = runTool(["decode", "--tables", folder])
        #expect(unsorted.status == 1)
        #expect(unsorted.errors.contains("the addresses are not sorted"))
    }
}
