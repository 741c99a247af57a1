import Compressor
import Foundation
import Generators
import Harness
import LinkModel
import TestSupport
import Testing

/// Replaying saved cases: property cases through their property, build cases through
/// `LinkModel`; and every file in `Tests/Corpus/findings/`.
@Suite struct CaseReplayTests {
    /// A shrunk retype counterexample (`check --property retype-invariance --era v6.19 --seed 0x2012`).
    static let retypeCase = """
        # kallsyms-lab case v1
        kind: property
        property: retype-invariance
        era: v6.19
        flags: --all-symbols
        seed: 0x548b5c1a736b432
        expect: fails
        reason: retyping … T->B changed kallsyms_names from 6 to 7 bytes
        --- mutations
        retype aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaiaaaaaaaaaaataaaaasaaaaaaeataoaaa6aalagaacaaesaaa_pta_ranaeaaarfaaraca_apamapaampafteaia@c0208000 B
        --- map
        c0208000 T aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaiaaaaaaaaaaataaaaasaaaaaaeataoaaa6aalagaacaaesaaa_pta_ranaeaaarfaaraca_apamapaampafteaia
        c0300000 T aaaeaa_aawarasaataasuaaiaa83a_naaniaaadavakallsymaafaulaakabjafoa_cauaaanctaaammc0aclk_w_ala_stoaapkaae_ao_groa
        c0e00000 D aeaextacpuashawaoneasrcuarelaasaacampute_lea_devaatar_min_ops_sataa_str_setup_cookieaRG

        """

    @Test("a failing property case fails, and matches only 'expect: fails'")
    func failingPropertyCase() throws {
        let result = try CaseReplay.replay(text: Self.retypeCase)
        #expect(
            result.observation
                == .fails(
                    "retyping aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaiaaaaaaaaaaataaaaasaaaaaaeataoaaa6aalagaacaaesaaa_pta_ranaeaaarfaaraca_apamapaampafteaia@c0208000 T->B changed kallsyms_names from 6 to 7 bytes"
                ))
        #expect(result.matchesExpectation)
        let flipped = try CaseReplay.replay(text: Self.retypeCase.replacingOccurrences(of: "expect: fails", with: "expect: passes"))
        #expect(!flipped.matchesExpectation)
    }

    @Test("a passing property case passes; a case the property discards never matches")
    func passingAndDiscardedCases() throws {
        let map = [
            SymbolRecord(0xc000_8000, "T", "_text"), SymbolRecord(0xc000_8000, "T", "_stext"),
            SymbolRecord(0xc000_8010, "t", "helper"),
        ]
        var file = CaseFile(
            kind: .property, property: "reorder-invariance", era: .v7_0, expectation: .passes, reason: "",
            mutations: [.reorder(address: 0xc000_8000, order: [1, 0])], map: map)
        let passing = try CaseReplay.replay(file)
        #expect(passing.observation == .passes("reorder-invariance holds for this case") && passing.matchesExpectation)

        file.mutations = [.retype(SymbolReference("missing", at: 0xc000_8000), to: UInt8(ascii: "D"))]
        file.property = "retype-invariance"
        let discarded = try CaseReplay.replay(file)
        guard case .doesNotApply(let reason) = discarded.observation else {
            Issue.record("expected a discard, got \(discarded.observation)")
            return
        }
        #expect(reason.hasPrefix("the mutations do not apply"))
        #expect(!discarded.matchesExpectation)
        file.expectation = .fails
        #expect(try !CaseReplay.replay(file).matchesExpectation)
    }

    @Test("build cases fail exactly when the build is not consistent")
    func buildCases() throws {
        let scenario = try #require(Scenario.named("arm-2012-up"))
        var file = CaseFile(
            kind: .build, era: scenario.era, options: scenario.kallsyms, expectation: .fails,
            reason: "the 2012 report", layout: scenario.layout)
        let inconsistent = try CaseReplay.replay(file)
        guard case .fails(let reason) = inconsistent.observation else {
            Issue.record("expected Inconsistent kallsyms data, got \(inconsistent.observation)")
            return
        }
        #expect(reason.hasPrefix("Inconsistent kallsyms data"))
        #expect(inconsistent.matchesExpectation)

        file.mitigations = ["extra-pass"]
        let mitigated = try CaseReplay.replay(file)
        #expect(mitigated.observation == .passes("the v3.3 build is consistent after 3 passes"))
        #expect(!mitigated.matchesExpectation)

        let flip = try #require(Corpus.files(in: "findings").first { $0.hasPrefix("build-") })
        var refused = try CaseFile(parsing: Corpus.text("findings/" + flip))
        refused.era = .v6_1
        refused.options = KallsymsOptions(allSymbols: true, absolutePercpu: true, baseRelative: true)
        guard case .fails(let why) = try CaseReplay.replay(refused).observation else {
            Issue.record("a pass the generator refuses is a failure")
            return
        }
        #expect(why.hasPrefix("the v6.1 generator refused pass 1's input"))
    }

    @Test(
        "what the case file cannot express is an error naming the line",
        arguments: [
            ("kind: property\nproperty: sizes-stay\nera: v6.1\nexpect: fails\n", 2, "unknown property sizes-stay"),
            ("kind: property\nera: v6.1\nexpect: fails\n", 1, "a property case needs"),
            ("kind: build\nera: v6.1\nexpect: fails\n", 1, "a build case needs a \"--- layout\" section"),
            ("kind: build\nera: v6.1\nmitigations: extra-pass pad=0\nexpect: fails\n--- layout\nbase 0xc0008000\n", 3, "unknown mitigation pad=0"),
            ("kind: build\nera: v6.1\nexpect: fails\n--- mutations\ndelete a\n--- layout\nbase 0xc0008000\n", 4, "a build case takes no mutations"),
        ])
    func malformedCases(_ body: String, _ line: Int, _ message: String) {
        #expect { try CaseReplay.replay(text: "# kallsyms-lab case v1\n" + body) } throws: { error in
            guard let error = error as? KallsymsError else { return false }
            return error.line == line + 1 && error.message.hasPrefix(message)
        }
    }

    /// Replays every case file in a folder: (file name, result or error).
    static func replayAll(in folder: String) -> [(String, Result<CaseReplay.Result, any Error>)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        return names.map { name in
            (
                name,
                Result {
                    try CaseReplay.replay(text: String(decoding: FileManager.default.contents(atPath: folder + "/" + name) ?? Data(), as: UTF8.self))
                }
            )
        }
    }

    @Test("every saved finding in Tests/Corpus/findings replays as its 'expect:' line says, for its saved reason")
    func everySavedFindingReplaysAsExpected() throws {
        let results = Self.replayAll(in: Corpus.path("findings"))
        try #require(results.count == (try Corpus.requiredFiles(in: "findings")).count)
        var reasonsCompared = 0
        for (name, result) in results {
            switch result {
            case .success(let replay):
                #expect(replay.matchesExpectation, "\(name): \(replay.observation), expected \(replay.expectation.rawValue)")
                let check = try CaseReplay.checkReason(replay.file)
                if case .differs(let observed) = check { Issue.record("\(name): saved \(replay.file.reason)\nnow \(observed)") }
                if check == .same { reasonsCompared += 1 }
            case .failure(let error):
                Issue.record("\(name): \(error)")
            }
        }
        // Only the hand-written build case has a prose reason.
        #expect(reasonsCompared == results.count - 1)
    }

    @Test(
        "a replay that fails for another reason than the saved one is told apart",
        arguments: [
            ("pass-convergence-v3.3-0x3775fab2535f36e9.case", "pass 2's object is 1072 bytes", "pass 2's object is 1076 bytes"),
            ("pass-convergence-v3.3-0x9b7e993b67eb19e5.case", "1 line of System.map differs", "2 lines of System.map differ"),
            ("retype-invariance-v6.1-0x548b5c1a736b432.case", "from 6 to 7 bytes", "from 6 to 8 bytes"),
        ])
    func reasonIsCompared(_ name: String, _ saved: String, _ tampered: String) throws {
        var file = try CaseFile(parsing: Corpus.text("findings/" + name))
        try #require(file.reason.contains(saved))
        #expect(try CaseReplay.checkReason(file) == .same)
        file.reason = file.reason.replacingOccurrences(of: saved, with: tampered)
        guard case .differs(let observed) = try CaseReplay.checkReason(file) else {
            Issue.record("\(name): a different reason was not noticed")
            return
        }
        #expect(observed.contains(saved))
        #expect(try CaseReplay.replay(file).matchesExpectation, "the verdict alone still matches")
    }

    @Test("replaying a folder: none on an empty folder, every kind on a folder with both")
    func replayingFolders() throws {
        let folder = NSTemporaryDirectory() + "kallsyms-lab-findings-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(Self.replayAll(in: folder).isEmpty)
        try Self.retypeCase.write(toFile: folder + "/retype.case", atomically: true, encoding: .utf8)
        let build = try #require(Corpus.files(in: "findings").first { $0.hasPrefix("build-") })
        try Corpus.text("findings/" + build).write(toFile: folder + "/build.case", atomically: true, encoding: .utf8)
        let results = Self.replayAll(in: folder)
        #expect(results.map(\.0) == ["build.case", "retype.case"])
        #expect(results.allSatisfy { (try? $0.1.get().matchesExpectation) == true })
    }
}
