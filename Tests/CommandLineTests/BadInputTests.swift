import Compressor
import TestSupport
import Testing

/// Bad input to the command line: the era's exact behaviour where docs/behaviour.md defines one,
/// otherwise one line naming the file (and line) and exit status 1; never a crash.
@Suite struct BadInputTests {
    func run(_ input: [UInt8], _ arguments: [String]) -> (status: Int32, output: [UInt8], errors: String) {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let path = folder + "/input.map"
        write(input, to: path)
        return runTool(arguments + [path])
    }

    @Test("an empty file: 'No valid symbol.' up to v6.1, empty tables after", arguments: Era.allCases)
    func emptyFile(_ era: Era) {
        let result = run([], ["compress", "--era", era.rawValue])
        if era <= .v6_1 {
            #expect(result.status == 1)
            #expect(result.errors.contains("input.map: No valid symbol."))
        } else {
            #expect(result.status == 0)
            #expect(result.output.text.contains("kallsyms_num_syms:\n\t.long\t0\n"))
        }
    }

    @Test("binary garbage: a line format error in v6.12+, never a crash", arguments: Era.allCases)
    func binaryGarbage(_ era: Era) {
        var state: UInt64 = 7
        let garbage = (0..<50_000).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 40)
        }
        let result = run(garbage, ["compress", "--era", era.rawValue, "--all-symbols"])
        if era >= .v6_12 {
            #expect(result.status == 1)
            #expect(result.errors.contains("input.map:1: line format error"))
        } else {
            #expect(result.status == 0 || result.status == 1)
        }
        #expect(result.errors.split(separator: "\n").allSatisfy { $0.hasPrefix("kallsyms-lab compress: ") })
    }

    @Test("a line with two fields: the next address becomes the name up to v6.1, an error naming the line after")
    func twoFields() {
        let map = "c0008000 T _stext\nc0008010 T\nc0008020 T x\nc0008030 T _etext\n"
        let old = run(map.bytes, ["compress", "--era", "v6.1"])
        #expect(old.status == 0)
        #expect(old.output.text.contains("kallsyms_num_syms:\n\t.long\t3\n"))
        let new = run(map.bytes, ["compress", "--era", "v6.19"])
        #expect(new.status == 1)
        #expect(new.errors.contains("input.map:2: line format error"))
    }

    @Test("a 100 000-byte name is skipped with the era's warning", arguments: Era.allCases)
    func hugeName(_ era: Era) {
        let map = "c0008000 T _stext\nc0008010 T \(String(repeating: "n", count: 100_000))\nc0008020 T _etext\n"
        let result = run(map.bytes, ["compress", "--era", era.rawValue])
        // v3.3 has no length check: its scanf splits the name into 499-byte records, all at
        // text addresses of their own (the tails parse as addresses "n…" → no digits → skipped).
        #expect(result.status == 0)
        if era != .v3_3 { #expect(result.errors.contains("too long for kallsyms")) }
        #expect(result.output.count < 200_000)
    }

    @Test("CRLF line ends: blanks to scanf, part of the name in v6.12+", arguments: Era.allCases)
    func crlf(_ era: Era) {
        let map = "c0008000 T _stext\r\nc0008010 T foo\r\nc0008020 T _etext\r\n"
        let result = run(map.bytes, ["compress", "--era", era.rawValue, "--all-symbols"])
        #expect(result.status == 0)
        #expect(result.output.contains(0x0D) == (era >= .v6_12))
    }

    @Test("a missing file and a directory are one-line errors with status 1", arguments: ["compress", "stats", "decode"])
    func missingFile(_ subcommand: String) {
        let missing = runTool([subcommand, "/nonexistent/System.map"])
        #expect(missing.status == 1)
        #expect(missing.errors == "kallsyms-lab \(subcommand): /nonexistent/System.map: No such file or directory\n")
        let directory = runTool([subcommand, "/tmp"])
        #expect(directory.status == 1)
        #expect(directory.errors.split(separator: "\n").count == 1)
    }
}
