import Compressor
import Foundation
import KallsymsLabCommand
import TestSupport
import Testing

/// End-to-end tests of `generate`, `profile` and `mutate` through `KallsymsLab.run`.
@Suite struct GeneratorCommandTests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    static func run(_ arguments: [String], stdin: String = "") -> Run {
        let (io, captured) = CommandIO.buffers(stdin: Array(stdin.utf8))
        let status = KallsymsLab.run(arguments, io: io)
        return Run(status: status, output: captured.outputText, errors: captured.errorText)
    }

    /// A fresh path in the temporary directory (removed by the caller).
    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "kallsyms-lab-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name)"
    }

    static let smallMap = """
        c0008000 T _text
        c0008000 T stext
        c0100000 T _stext
        c0100000 T start_kernel
        c0100040 t helper
        c0100040 t helper_alias
        c0100080 T printk
        c0200000 D _etext
        c0200010 d __func__.1

        """

    // MARK: generate

    @Test("generate gives the same map for the same seed, in nm -n text")
    func generateIsReproducibleFromItsSeed() throws {
        let first = Self.run(["generate", "--symbols", "500", "--seed", "42"])
        #expect(first.status == 0 && first.errors.isEmpty)
        #expect(Self.run(["generate", "--symbols", "500", "--seed", "0x2a"]).output == first.output)
        #expect(Self.run(["generate", "--symbols", "500", "--seed", "43"]).output != first.output)
        let records = try Era.v6_19.parse(Array(first.output.utf8)).records
        #expect(records.count == 500)
        #expect(first.output.split(separator: "\n").allSatisfy { $0.split(separator: " ")[0].count == 8 })
    }

    @Test("generate without --seed prints the seed it drew, which replays the map")
    func generatePrintsAFreshSeed() throws {
        let fresh = Self.run(["generate", "--symbols", "50"])
        #expect(fresh.status == 0)
        #expect(fresh.errors.hasPrefix("seed: ") && fresh.errors.hasSuffix("\n"))
        let seed = String(fresh.errors.dropFirst("seed: ".count).dropLast())
        let replay = Self.run(["generate", "--symbols", "50", "--seed", seed])
        #expect(replay.output == fresh.output && replay.errors.isEmpty)
    }

    @Test("generate --output writes the file instead of standard output")
    func generateWritesOutputFiles() throws {
        let path = Self.temporaryPath("generated.map")
        defer { unlink(path) }
        let written = Self.run(["generate", "--symbols", "30", "--seed", "1", "--output", path])
        #expect(written.status == 0 && written.output.isEmpty)
        let content = try String(contentsOfFile: path, encoding: .utf8)
        #expect(content == Self.run(["generate", "--symbols", "30", "--seed", "1"]).output)
    }

    @Test(
        "generate rejects bad arguments with usage errors (2) and bad files with errors (1)",
        arguments: [
            (["--symbols", "0"], 2), (["--symbols", "ten"], 2), (["--seed", "-1"], 2), (["--seed", "0xZZ"], 2),
            (["extra"], 2), (["--frobnicate"], 2), (["--profile", "/nonexistent/profile.json"], 1),
        ])
    func generateRejectsBadArguments(_ arguments: [String], _ status: Int) {
        let result = Self.run(["generate"] + arguments)
        #expect(Int(result.status) == status)
        #expect(result.output.isEmpty)
        #expect(result.errors.hasPrefix("kallsyms-lab generate: "))
    }

    // MARK: profile

    @Test("profile learns JSON that generate reads back")
    func profileFeedsGenerate() throws {
        let mapPath = Self.temporaryPath("small.map")
        let profilePath = Self.temporaryPath("profile.json")
        defer {
            unlink(mapPath)
            unlink(profilePath)
        }
        try Self.smallMap.write(toFile: mapPath, atomically: true, encoding: .utf8)
        let learned = Self.run(["profile", mapPath])
        #expect(learned.status == 0 && learned.errors.isEmpty)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(learned.output.utf8)) as? [String: Any])
        #expect(object["symbolCount"] as? Int == 9)
        #expect(learned.output.hasPrefix("{\n  \"addressWidth\" : 8,"))
        #expect(Self.run(["profile", "--output", profilePath, mapPath]).status == 0)
        #expect(try String(contentsOfFile: profilePath, encoding: .utf8) == learned.output)
        let generated = Self.run(["generate", "--profile", profilePath, "--seed", "5"])
        #expect(generated.status == 0)
        let records = try Era.v6_19.parse(Array(generated.output.utf8)).records
        #expect(records.count == 9)
        #expect(records.contains { $0.name == Array("_stext".utf8) })
        // From standard input, too.
        #expect(Self.run(["profile", "-"], stdin: Self.smallMap).output == learned.output)
    }

    @Test("profile and generate report malformed input as FILE:LINE: message")
    func malformedInputNamesFileAndLine() throws {
        let mapPath = Self.temporaryPath("broken.map")
        let profilePath = Self.temporaryPath("broken.json")
        defer {
            unlink(mapPath)
            unlink(profilePath)
        }
        try "c0008000 T _text\nnot a map line\n".write(toFile: mapPath, atomically: true, encoding: .utf8)
        let result = Self.run(["profile", mapPath])
        #expect(result.status == 1)
        #expect(result.errors.hasPrefix("kallsyms-lab profile: \(mapPath):2: "))
        #expect(result.errors.split(separator: "\n").count == 1)
        try "{\n  \"format\" : 1,\n  \"symbolCount\" : []\n}\n".write(toFile: profilePath, atomically: true, encoding: .utf8)
        let generated = Self.run(["generate", "--profile", profilePath])
        #expect(generated.status == 1)
        #expect(generated.errors.hasPrefix("kallsyms-lab generate: \(profilePath):3: "))
    }

    @Test("profile --swift prints the source of the built-in profile")
    func profilePrintsSwiftSource() {
        let result = Self.run(["profile", "--swift", "-"], stdin: Self.smallMap)
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("// Generated by `kallsyms-lab profile --swift -`"))
        #expect(result.output.contains("public static let arm: Profile"))
        #expect(result.output.contains("private let armProfileJSON = #\"\"\"\n{\n"))
    }

    // MARK: mutate

    @Test("mutate applies each argument in order and prints the map in nm -n order")
    func mutateAppliesMutationsInOrder() {
        // realign moves printk and everything after it; the merged group and the group that
        // gained the stub and the renamed symbol are sorted by name bytes, as nm sorts them.
        let ok = Self.run(
            [
                "mutate", "-", "retype helper D", "realign printk -0x40", "insert-stub veneer start_kernel c0100040",
                "delete stext", "rename helper_alias zz",
            ], stdin: Self.smallMap)
        #expect(ok.status == 0 && ok.errors.isEmpty)
        #expect(
            ok.output == """
                c0008000 T _text
                c0100000 T _stext
                c0100000 T start_kernel
                c0100040 t __start_kernel_veneer
                c0100040 D helper
                c0100040 T printk
                c0100040 t zz
                c01fffc0 D _etext
                c01fffd0 d __func__.1

                """)
    }

    @Test("mutate reports mutations that do not apply (1), malformed ones (2), and FILE:LINE for --mutations")
    func mutateReportsErrors() throws {
        let missing = Self.run(["mutate", "-", "retype helper t", "delete nosuch"], stdin: Self.smallMap)
        #expect(missing.status == 1)
        #expect(missing.errors == "kallsyms-lab mutate: <stdin>: mutation 2 (delete nosuch): no symbol nosuch\n")
        let malformed = Self.run(["mutate", "-", "retype helper"], stdin: Self.smallMap)
        #expect(malformed.status == 2)
        #expect(malformed.errors.hasPrefix("kallsyms-lab mutate: <stdin>: mutation 1 (retype helper): retype takes SYMBOL TYPE"))
        let listPath = Self.temporaryPath("mutations.txt")
        defer { unlink(listPath) }
        try "# a comment\nretype helper T\n\nreorder c0100040 0,0\n".write(toFile: listPath, atomically: true, encoding: .utf8)
        let fromFile = Self.run(["mutate", "--mutations", listPath, "-"], stdin: Self.smallMap)
        #expect(fromFile.status == 1)
        #expect(fromFile.errors.hasPrefix("kallsyms-lab mutate: \(listPath):4: reorder c0100040 needs a permutation"))
        try "retype helper T\nwhat is this\n".write(toFile: listPath, atomically: true, encoding: .utf8)
        let badLine = Self.run(["mutate", "--mutations", listPath, "-"], stdin: Self.smallMap)
        #expect(badLine.status == 1)
        #expect(badLine.errors.hasPrefix("kallsyms-lab mutate: \(listPath):2: unknown mutation \"what\""))
        #expect(Self.run(["mutate"]).status == 2)
    }

    // MARK: help

    @Test("the three subcommands are listed and their help has an example", arguments: ["generate", "profile", "mutate"])
    func helpHasExamples(_ name: String) {
        #expect(Self.run(["--help"]).output.contains("  \(name) "))
        let help = Self.run([name, "--help"])
        #expect(help.status == 0)
        #expect(help.output.hasPrefix("usage: kallsyms-lab \(name)"))
        #expect(help.output.contains("example"))
    }
}
