import Foundation
import KallsymsLabCommand
import TestSupport
import Testing

/// The reference pages `docs/commands/*.md`, generated from the help snapshots in
/// `Tests/Corpus/snapshots` so that they cannot drift from `--help` (run with
/// `KALLSYMS_LAB_RECORD_SNAPSHOTS=1` to rewrite them, together with the snapshots).
@Suite(.serialized) struct CommandPageTests {
    /// `docs/commands` of this checkout.
    static let pagesFolder = Corpus.root + "/../../docs/commands"

    /// The page of one subcommand: a title, its one-line summary, and its help verbatim.
    static func page(name: String, help: String) -> String {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        // The help is "usage: …", an empty line, then the one-line summary.
        let summary = lines.count > 2 ? String(lines[2]) : ""
        return """
            <!-- Generated from Tests/Corpus/snapshots/help-\(name).txt by CommandPageTests; do not edit. -->
            # `kallsyms-lab \(name)`

            \(summary)

            The output of `kallsyms-lab \(name) --help`. [All subcommands](README.md) ·
            [documentation](../README.md)

            ```text
            \(help)```

            """
    }

    /// The index page: the overview help, with a link to each subcommand's page.
    static func index(overview: String, names: [String]) -> String {
        let links = names.map { "- [`\($0)`](\($0).md)" }.joined(separator: "\n")
        return """
            <!-- Generated from Tests/Corpus/snapshots/help.txt by CommandPageTests; do not edit. -->
            # Subcommands

            One page per subcommand, each its `--help` verbatim:

            \(links)

            This is the output of `kallsyms-lab --help`; [documentation](../README.md).

            ```text
            \(overview)```

            """
    }

    static func check(_ page: String, at path: String) {
        if ProcessInfo.processInfo.environment["KALLSYMS_LAB_RECORD_SNAPSHOTS"] == "1" {
            try? FileManager.default.createDirectory(atPath: pagesFolder, withIntermediateDirectories: true)
            write(Array(page.utf8), to: path)
            return
        }
        guard let recorded = contents(of: path) else {
            Issue.record("no page \(path); write it with KALLSYMS_LAB_RECORD_SNAPSHOTS=1")
            return
        }
        #expect(page == recorded.text, "\(path) differs from what its help snapshot generates")
    }

    @Test("every subcommand's page is its help snapshot", arguments: KallsymsLab.subcommands.map(\.name))
    func subcommandPage(_ name: String) {
        let help = Corpus.text("snapshots/help-\(name).txt")
        Self.check(Self.page(name: name, help: help), at: Self.pagesFolder + "/\(name).md")
    }

    @Test("the index lists every subcommand, and there are no other pages")
    func indexPage() throws {
        let names = KallsymsLab.subcommands.map(\.name)
        Self.check(
            Self.index(overview: Corpus.text("snapshots/help.txt"), names: names),
            at: Self.pagesFolder + "/README.md")
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.pagesFolder).filter { $0.hasSuffix(".md") }
        #expect(Set(pages) == Set(names.map { "\($0).md" } + ["README.md"]))
    }
}
