import Compressor
import Foundation
import Generators
import Harness
import Testing

/// `retype-invariance` is expected NOT to hold: the type letter is the first byte of every
/// compressed string, so retyping one symbol can change the pair counts, the greedy token
/// choices and the size of `kallsyms_names` (the 2012 trigger). The test asserts that the
/// runner finds such a case within its budget, shrinks it to at most 8 symbols, and that the
/// saved case replays with the same verdict.
@Suite struct RetypeSensitivityPropertyTests {
    @Test(
        "retyping one symbol can change kallsyms_names' size: found, shrunk to ≤ 8 symbols, saved, replayed",
        arguments: Era.allCases)
    func retypingOneSymbolCanChangeNamesSize(era: Era) throws {
        let report = PropertyTestRun.runner(cases: 120, shrinkSteps: 400).run(.retypeInvariance, era: era)
        let counterexample = try #require(report.counterexample, "\(PropertyTestRun.explanation(of: report))")
        let symbols = counterexample.shrunk.map.count
        let foundAsExpected = report.behavedAsExpected
        #expect(foundAsExpected)
        #expect(symbols <= 8, "\(PropertyTestRun.explanation(of: report))")
        #expect(counterexample.shrunk.mutations.map(\.kind) == [.retype])
        #expect(Property.retypeInvariance.check(counterexample.shrunk) == .fail(counterexample.reason))

        let folder = NSTemporaryDirectory() + "kallsyms-lab-retype-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try #require(report.caseFile)
        let path = folder + "/" + (try #require(report.caseFileName))
        try file.description.write(toFile: path, atomically: true, encoding: .utf8)

        let parsed = try CaseFile(parsing: String(contentsOfFile: path, encoding: .utf8))
        #expect(parsed == file)
        #expect(parsed.property == "retype-invariance" && parsed.era == era && parsed.expectation == .fails)
        #expect(parsed.seed == counterexample.caseSeed)
        let replay = try CaseReplay.replay(parsed)
        #expect(replay.observation == .fails(counterexample.reason))
        #expect(replay.matchesExpectation)
    }
}
