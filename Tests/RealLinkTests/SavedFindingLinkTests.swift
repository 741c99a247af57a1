import Compressor
import Harness
import RealLink
import TestSupport
import Testing

/// Every saved build finding names the real linker that confirmed it, and that linker still
/// gives the saved verdict (docs/linkers.md).
@Suite("saved findings, linked for real")
struct SavedFindingLinkTests {
    static let buildCases: [String] = Corpus.files(in: "findings").filter { name in
        (try? CaseFile(parsing: Corpus.text("findings/" + name)))?.kind == .build
    }

    @Test("the findings folder holds build cases")
    func buildCasesExist() {
        #expect(Self.buildCases.count >= 5)
    }

    @Test("each build finding says which real linker confirmed it", arguments: buildCases)
    func everyFindingIsConfirmed(name: String) throws {
        let file = try CaseFile(parsing: Corpus.text("findings/" + name))
        #expect(!file.confirmedBy.isEmpty, "\(name) has no confirmed: line")
    }

    @Test("LLD gives the verdict the case file records for it", arguments: buildCases)
    func lldReplays(name: String) throws {
        try Self.replay(name, with: .lld)
    }

    @Test(
        "GNU ld gives the verdict the case file records for it", .enabled(if: RealToolchains.hasGnu, RealToolchains.gnuMissing),
        arguments: buildCases)
    func gnuReplays(name: String) throws {
        try Self.replay(name, with: .gnu)
    }

    /// A case confirmed by `kind` must match its `expect:` line when linked by it; one that is
    /// not confirmed by it must still link (its verdict there is recorded in a comment only).
    static func replay(_ name: String, with kind: Toolchain.Kind) throws {
        let file = try CaseFile(parsing: Corpus.text("findings/" + name))
        let result = try CaseReplay.replay(file, linker: kind)
        let prefix = kind == .gnu ? "GNU ld" : "LLD"
        if file.confirmedBy.contains(where: { $0.hasPrefix(prefix) }) {
            #expect(result.matchesExpectation, "\(name) with \(kind): \(result.observation)")
        } else {
            if case .doesNotApply = result.observation { Issue.record("\(name): \(result.observation)") }
        }
    }
}
