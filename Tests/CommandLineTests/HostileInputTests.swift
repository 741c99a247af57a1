import Compressor
import Foundation
import KallsymsLabCommand
import TestSupport
import Testing

/// Hostile input to every subcommand that reads files (issue 8): empty input, binary garbage,
/// CRLF lines, a 1 MB name, an address of 17 hex digits, a missing or unreadable path, a
/// closed output pipe, an unwritable output path. Each gets the era's exact behaviour where
/// docs/behaviour.md defines one, otherwise one line on stderr naming the file (and line) and exit
/// status 1; never a crash, a hang or a half-written output file.
@Suite struct HostileInputTests {
    /// How each subcommand takes one input file (`FILE` is replaced by the path).
    static let readers: [(name: String, arguments: [String])] = [
        ("compress", ["compress", "--era", "v6.1", "FILE"]),
        ("compress-v7", ["compress", "FILE"]),
        ("stats", ["stats", "FILE"]),
        ("decode", ["decode", "FILE"]),
        ("profile", ["profile", "FILE"]),
        ("mutate", ["mutate", "FILE", "delete x"]),
        ("generate", ["generate", "--profile", "FILE", "--symbols", "10", "--seed", "1"]),
        ("simulate", ["simulate", "FILE"]),
        ("explain", ["explain", "FILE", "FILE"]),
        ("sensitivity", ["sensitivity", "--jobs", "1", "FILE"]),
        ("replay", ["replay", "FILE"]),
        ("fuzz --shrink", ["fuzz", "--shrink", "FILE", "--corpus", "DIR"]),
    ]

    static func garbage(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 40)
        }
    }

    static let inputs: [(label: String, bytes: [UInt8])] = [
        ("empty", []),
        ("binary garbage", garbage(20_000, seed: 3)),
        ("CRLF", Array("c0008000 T _text\r\nc0008000 T _stext\r\nc0008010 T f\r\nc0008020 T _etext\r\n".utf8)),
        (
            "1 MB name",
            Array(
                ("c0008000 T _stext\nc0008010 T " + String(repeating: "n", count: 1 << 20)
                    + "\nc0008020 T _etext\n").utf8)
        ),
        ("17-digit address", Array("c0008000 T _stext\n1ffffffffffffffff T huge\nc0008020 T _etext\n".utf8)),
        ("NUL bytes", [0x63, 0x30, 0x20, 0x54, 0x20, 0x00, 0x61, 0x0A, 0x00, 0x00, 0x0A]),
    ]

    func run(_ reader: (name: String, arguments: [String]), _ bytes: [UInt8]) -> (status: Int32, output: [UInt8], errors: String) {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let path = folder + "/input"
        write(bytes, to: path)
        return runTool(reader.arguments.map { $0 == "FILE" ? path : $0 == "DIR" ? folder + "/corpus" : $0 })
    }

    /// Every reader on every hostile input: status 0 or 1, never a crash; failures are one line
    /// naming the file; and what each run does (status, output size and digest, the temporary
    /// folder and times masked) is the recorded outcome in `Tests/Corpus/snapshots/hostile-outcomes.txt`,
    /// so a run that exits 0 is checked too (`KALLSYMS_LAB_RECORD_SNAPSHOTS=1` rewrites it and
    /// fails that run).
    @Test("hostile inputs never crash, fail with one clear line, and do what they did when recorded")
    func hostile() throws {
        var outcomes: [String] = []
        for reader in Self.readers {
            for input in Self.inputs {
                let folder = temporaryFolder()
                defer { removeTemporaryFolder(folder) }
                let path = folder + "/input"
                write(input.bytes, to: path)
                let result = runTool(reader.arguments.map { $0 == "FILE" ? path : $0 == "DIR" ? folder + "/corpus" : $0 })
                #expect(result.status == 0 || result.status == 1, "\(reader.name) on \(input.label): status \(result.status)")
                if result.status == 1 {
                    // Warnings (a name too long for the era) may come first; the failure is one line.
                    let lines = result.errors.split(separator: "\n").filter { !$0.contains(" warning: ") }
                    #expect(lines.count == 1, "\(reader.name) on \(input.label): \(result.errors)")
                    #expect(result.errors.contains("/input"), "\(reader.name) on \(input.label) must name the file: \(result.errors)")
                }
                // The temporary folder and wall-clock times ("0.0 s on 1 thread") masked.
                let output = Array(
                    result.output.text.replacingOccurrences(of: folder, with: "<tmp>")
                        .replacingOccurrences(of: "[0-9]+(\\.[0-9]+)? ?(ms|s)\\b", with: "<time>", options: .regularExpression).utf8)
                outcomes.append("\(reader.name)\t\(input.label)\t\(result.status)\t\(output.count)\t\(SHA256.hex(output).prefix(16))")
            }
        }
        let text = outcomes.joined(separator: "\n") + "\n"
        let snapshot = Corpus.path("snapshots/hostile-outcomes.txt")
        if ProcessInfo.processInfo.environment["KALLSYMS_LAB_RECORD_SNAPSHOTS"] == "1" {
            write(Array(text.utf8), to: snapshot)
            Issue.record("recorded \(snapshot); run again without KALLSYMS_LAB_RECORD_SNAPSHOTS")
            return
        }
        let recorded = try #require(contents(of: snapshot), "no snapshot \(snapshot)").text
        let expected = recorded.split(separator: "\n").map(String.init)
        try #require(expected.count == outcomes.count, "\(expected.count) recorded outcomes for \(outcomes.count) runs")
        for (now, then) in zip(outcomes, expected) { #expect(now == then) }
        // Some readers accept some of these inputs: the snapshot checks what they wrote.
        #expect(outcomes.contains { $0.split(separator: "\t")[2] == "0" })
    }

    @Test("the 17-digit address saturates like strtoull and round-trips")
    func seventeenDigits() throws {
        let map = "c0008000 T _stext\n1ffffffffffffffff T huge\nc0008020 T _etext\n"
        #expect(try Era.v6_19.parse(Array(map.utf8)).records[1].address == .max)
        // v6.19's offsets are 32-bit from the smallest address: this map is refused.
        #expect(throws: KallsymsError.self) { _ = try Era.v6_19.generate(Array(map.utf8), options: KallsymsOptions(allSymbols: true)) }
        let v33 = try Era.v3_3.generate(Array(map.utf8), options: KallsymsOptions(allSymbols: true))
        #expect(try TableDecoder.decode(v33.tables.raw, text: v33.selection.textAddress).map(\.address).contains(.max))
    }

    @Test("a path that cannot be read is one line naming it", arguments: ["/nonexistent/map", "/etc/passwd/x", "/tmp"])
    func unreadable(_ path: String) {
        for reader in Self.readers {
            let result = runTool(reader.arguments.map { $0 == "FILE" ? path : $0 })
            #expect(result.status == 1, "\(reader.name) \(path)")
            #expect(result.errors.split(separator: "\n").count == 1 && result.errors.contains(path), "\(reader.name): \(result.errors)")
        }
    }

    @Test(
        "an unwritable --output is one line, and nothing is left behind",
        arguments: [
            ["compress", "--output", "OUT", "MAP"], ["generate", "--symbols", "5", "--seed", "1", "--output", "OUT"],
            ["mutate", "--output", "OUT", "MAP", "delete _stext"],
        ])
    func unwritableOutput(_ arguments: [String]) {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        write(Corpus.bytes("golden/inputs/small.map"), to: folder + "/map")
        let out = folder + "/missing-dir/out"
        let result = runTool(arguments.map { $0 == "OUT" ? out : $0 == "MAP" ? folder + "/map" : $0 })
        #expect(result.status == 1)
        #expect(result.errors.split(separator: "\n").count == 1 && result.errors.contains("out"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: folder)) == ["map"])
    }

    @Test("a refused input with --output leaves no file")
    func refusedInputLeavesNoFile() {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        write([], to: folder + "/empty.map")
        let result = runTool(["compress", "--era", "v6.1", "--output", folder + "/out.S", folder + "/empty.map"])
        #expect(result.status == 1)
        #expect(!FileManager.default.fileExists(atPath: folder + "/out.S"))
    }

    @Test(
        "a closed output pipe is one line and status 1 for every writer",
        arguments: [
            ["compress", "MAP"], ["stats", "MAP"], ["decode", "--tables", "TABLES"], ["generate", "--symbols", "2000", "--seed", "1"],
            ["mutate", "MAP", "delete _stext"], ["explain", "MAP", "MAP"], ["sensitivity", "--jobs", "1", "MAP"],
            ["simulate", "--scenario", "arm-2012-up-fixed"],
        ])
    func closedPipe(_ arguments: [String]) {
        let map = Corpus.path("golden/inputs/small.map")
        let tables = Corpus.path(Corpus.armhf + "/vmlinux-tables")
        let (io, captured) = CommandIO.buffers(writeStandardOutput: { _ in throw CommandError("error writing standard output: Broken pipe") })
        let status = KallsymsLab.run(arguments.map { $0 == "MAP" ? map : $0 == "TABLES" ? tables : $0 }, io: io)
        #expect(status == 1)
        #expect(
            captured.errorText.split(separator: "\n").count == 1 && captured.errorText.contains("Broken pipe"),
            "\(arguments[0]): \(captured.errorText)")
    }

    /// The real process: `kallsyms-lab decode … | head -c 1` (SIGPIPE is ignored; EPIPE reported).
    @Test("the real binary reports a closed pipe and exits 1")
    func realClosedPipe() throws {
        let binary = try #require(builtBinary(), "swift test builds the kallsyms-lab product next to the tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["decode", "--tables", Corpus.path(Corpus.armhf + "/vmlinux-tables")]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        _ = try out.fileHandleForReading.read(upToCount: 1)
        try out.fileHandleForReading.close()
        process.waitUntilExit()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 1)
        #expect(errors.contains("Broken pipe") && errors.split(separator: "\n").count == 1)
    }

    /// 10 million short lines: parsed in time and memory linear in the input (`swift test`
    /// runs 1 million; `KALLSYMS_LAB_HOSTILE_LINES=10000000` runs the full size).
    @Test("a million lines parse, one record each, within a minute (about a second when linear)")
    func millionsOfLines() throws {
        let lines = Int(ProcessInfo.processInfo.environment["KALLSYMS_LAB_HOSTILE_LINES"] ?? "") ?? 1_000_000
        var text = [UInt8]()
        text.reserveCapacity(lines * 12)
        for index in 0..<lines {
            text += Array(String(index, radix: 16).utf8)
            text += Array(" t s\n".utf8)
        }
        for era in [Era.v6_1, .v7_0] {
            let clock = ContinuousClock(), start = clock.now
            let parsed = try era.parse(text)
            // A ceiling, not a benchmark: only a parser some 50 times slower than today's fails.
            #expect(clock.now - start < .seconds(60), "\(era): \(clock.now - start) for \(lines) lines")
            #expect(parsed.records.count == lines)
            // Nothing is in a text range: v6.1 refuses, v7.0 writes empty tables.
            if era == .v6_1 {
                #expect(throws: KallsymsError.self) { try era.select(parsed.records, options: .init()) }
            } else {
                #expect(try era.select(parsed.records, options: .init()).symbols.isEmpty)
            }
        }
    }
}

/// The `kallsyms-lab` executable next to the test bundle, if it was built.
func builtBinary() -> String? {
    var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
    for _ in 0..<4 {
        url.deleteLastPathComponent()
        let candidate = url.appendingPathComponent("kallsyms-lab").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
