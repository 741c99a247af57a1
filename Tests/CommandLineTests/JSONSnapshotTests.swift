import Foundation
import TestSupport
import Testing

/// Every `--json` output, byte for byte against a snapshot in `Tests/Corpus/snapshots/json`,
/// with what differs between runs masked: times and rates (`"elapsedSeconds":<time>`) and
/// the temporary folder (`<tmp>`) and the corpus folder (`<corpus>`). `KALLSYMS_LAB_RECORD_SNAPSHOTS=1` rewrites the snapshots
/// after a deliberate change, and fails the run that did so.
@Suite struct JSONSnapshotTests {
    /// Keys whose values are wall-clock times or rates.
    static let timeKeys = [
        "elapsedSeconds", "casesPerSecond", "buildsPerSecond", "buildsPerThreadSecond", "generateSeconds", "buildSeconds",
        "shrinkSeconds", "seconds",
    ]

    /// `text` with every time value and every mention of `folder` masked.
    static func masked(_ text: String, folder: String) -> String {
        var result = text.replacingOccurrences(of: folder, with: "<tmp>").replacingOccurrences(of: Corpus.root, with: "<corpus>")
        for key in timeKeys {
            result = result.replacingOccurrences(
                of: "\"\(key)\":[-0-9.eE+]+", with: "\"\(key)\":\"<time>\"",
                options: .regularExpression)
        }
        return result
    }

    /// Compares `output` with snapshot `name` (or records it).
    static func expectSnapshot(
        _ name: String, _ output: String, folder: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        // The output is one JSON value, whatever its snapshot says.
        _ = try JSONSerialization.jsonObject(with: Data(output.utf8))
        let text = masked(output, folder: folder)
        let path = Corpus.path("snapshots/json/\(name).json")
        if ProcessInfo.processInfo.environment["KALLSYMS_LAB_RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(atPath: Corpus.path("snapshots/json"), withIntermediateDirectories: true)
            write(Array(text.utf8), to: path)
            Issue.record("recorded \(path); run again without KALLSYMS_LAB_RECORD_SNAPSHOTS", sourceLocation: sourceLocation)
            return
        }
        let recorded = try #require(
            contents(of: path), "no snapshot \(path); record it with KALLSYMS_LAB_RECORD_SNAPSHOTS=1",
            sourceLocation: sourceLocation)
        #expect(text == recorded.text, "\(name) --json differs from its snapshot", sourceLocation: sourceLocation)
    }

    /// Runs `arguments` (`<tmp>` stands for a fresh temporary folder) and compares the output.
    static func check(
        _ name: String, _ arguments: [String], status: Int32 = 0, stdin: String = "",
        prepare: (String) -> Void = { _ in }, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        prepare(folder)
        let result = runTool(arguments.map { $0.replacingOccurrences(of: "<tmp>", with: folder) }, stdin: Array(stdin.utf8))
        #expect(result.status == status, "\(result.errors)", sourceLocation: sourceLocation)
        try expectSnapshot(name, result.output.text, folder: folder, sourceLocation: sourceLocation)
    }

    @Test("check --json: laws that hold")
    func checkHolds() throws {
        try Self.check(
            "check-holds",
            [
                "check", "--property", "engine-equivalence", "--property", "round-trip", "--era", "v6.19",
                "--seed", "0x2a", "--cases", "3", "--json",
            ])
    }

    @Test("check --json: an expected counterexample, shrunk")
    func checkCounterexample() throws {
        try Self.check(
            "check-counterexample",
            [
                "check", "--property", "retype-invariance", "--era", "v6.19", "--seed", "0x2012",
                "--cases", "120", "--shrink-steps", "150", "--json",
            ])
    }

    @Test("replay --json: a property case and a build case")
    func replay() throws {
        try Self.check("replay-property", ["replay", Corpus.path("findings/retype-invariance-v6.1-0x548b5c1a736b432.case"), "--json"])
        try Self.check("replay-build", ["replay", Corpus.path("findings/pass-convergence-v3.3-0x3775fab2535f36e9.case"), "--json"])
    }

    @Test("simulate --json: the 2012 scenario")
    func simulate() throws {
        try Self.check(
            "simulate-arm-2012-up", ["simulate", "--scenario", "arm-2012-up", "--era", "v3.3", "--all-symbols", "--json"],
            status: 3)
    }

    @Test("explain --json: the 2012 scenario's pass maps")
    func explain() throws {
        try Self.check(
            "explain-arm-2012-up",
            [
                "explain", "--json", "--era", "v3.3", "--all-symbols",
                "<tmp>/.tmp_vmlinux1.map", "<tmp>/.tmp_vmlinux2.map",
            ],
            prepare: { folder in
                _ = runTool([
                    "simulate", "--scenario", "arm-2012-up", "--era", "v3.3", "--all-symbols",
                    "--write-maps", folder,
                ])
            })
    }

    @Test("sensitivity --json")
    func sensitivity() throws {
        try Self.check(
            "sensitivity-small",
            [
                "sensitivity", "--era", "v6.1", "--all-symbols", "--mutations", "retype,delete",
                "--json", Corpus.path("golden/inputs/small.map"),
            ])
    }

    @Test("stats --json")
    func stats() throws {
        try Self.check("stats-small", ["stats", "--era", "v6.1", "--base-relative", "--json", Corpus.path("golden/inputs/small.map")])
    }

    @Test("fuzz --json: a small campaign with its findings")
    func fuzz() throws {
        try Self.check(
            "fuzz-small",
            [
                "fuzz", "--era", "v3.3", "--symbols", "300", "--shape", "up-nm2012-pcpu4096-biased",
                "--seed", "3", "--shrink-steps", "100", "--jobs", "1", "--cases", "6", "--json",
                "--corpus", "<tmp>",
            ])
    }

    @Test("mitigations --json")
    func mitigations() throws {
        try Self.check(
            "mitigations-small",
            [
                "mitigations", "--era", "v3.3", "--cases", "3", "--symbols", "200", "--seed", "2",
                "--jobs", "1", "--json",
            ])
    }
}
