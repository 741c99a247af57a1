import Foundation
import KallsymsLabCommand
import TestSupport
import Testing

/// Help and version texts, checked against snapshots in `Tests/Corpus/snapshots` (run with
/// `KALLSYMS_LAB_RECORD_SNAPSHOTS=1` to rewrite them after a deliberate change; that run fails).
@Suite struct HelpTests {
    static func snapshot(_ name: String, _ text: String) {
        let path = Corpus.path("snapshots/\(name).txt")
        if ProcessInfo.processInfo.environment["KALLSYMS_LAB_RECORD_SNAPSHOTS"] == "1" {
            try? FileManager.default.createDirectory(atPath: Corpus.path("snapshots"), withIntermediateDirectories: true)
            write(Array(text.utf8), to: path)
            // A recording run proves nothing: it fails, and the next run compares.
            Issue.record("recorded \(path); run again without KALLSYMS_LAB_RECORD_SNAPSHOTS")
            return
        }
        guard let recorded = contents(of: path) else {
            Issue.record("no snapshot \(path); record it with KALLSYMS_LAB_RECORD_SNAPSHOTS=1")
            return
        }
        #expect(text == recorded.text, "help of \(name) differs from its snapshot")
    }

    @Test("the overview lists every subcommand")
    func overview() {
        let result = runTool(["--help"])
        #expect(result.status == 0)
        for command in KallsymsLab.subcommands { #expect(result.output.text.contains("  \(command.name) ")) }
        Self.snapshot("help", result.output.text)
    }

    @Test("every subcommand has --help with an example", arguments: KallsymsLab.subcommands.map(\.name))
    func subcommandHelp(_ name: String) {
        let result = runTool([name, "--help"])
        #expect(result.status == 0)
        #expect(result.output.text.hasPrefix("usage: kallsyms-lab \(name)"))
        #expect(result.output.text.contains("example"))
        // `help NAME` finds the same subcommand by name (`KallsymsLab.subcommand(named:)`).
        #expect(runTool(["help", name]).output.text == result.output.text)
        Self.snapshot("help-\(name)", result.output.text)
    }

    @Test("--version, no arguments and an unknown subcommand")
    func versionAndMistakes() {
        #expect(runTool(["--version"]).output.text == "kallsyms-lab \(KallsymsLab.version)\n")
        #expect(runTool([]).status == 2)
        let unknown = runTool(["compres"])
        #expect(unknown.status == 2)
        #expect(unknown.errors.hasPrefix("kallsyms-lab: unknown subcommand 'compres'"))
    }
}
