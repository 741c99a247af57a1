import Compressor
import TestSupport
import Testing

/// Every run of `golden/MANIFEST.tsv`: five eras × their flag sets × 38 inputs (docs/behaviour.md,
/// Tests/Corpus/golden/README.md).
@Suite struct ConformanceTests {
    @Test("golden run reproduced byte for byte", arguments: Corpus.goldenRuns)
    func goldenRunIsReproduced(_ run: Corpus.GoldenRun) throws {
        let input = Corpus.goldenInput(run.input)
        if run.succeeds {
            let output = try run.era.generate(input, options: run.options).assembly
            #expect(SHA256.hex(output) == run.sha256, "\(run): output differs from the reference generator")
        } else {
            #expect(throws: KallsymsError.self, "\(run): the reference generator refuses this input") {
                _ = try run.era.generate(input, options: run.options).assembly
            }
        }
    }

    /// small.map's outputs are kept in full so that a mismatch shows the first differing line.
    @Test(
        "small.map outputs match line by line",
        arguments: Corpus.goldenRuns.filter { $0.input == "small.map" && $0.succeeds })
    func smallMapMatchesLineByLine(_ run: Corpus.GoldenRun) throws {
        let expected = Corpus.text("golden/small/\(run.era)/\(run.goldenFileStem).S")
        let output = try run.era.generate(Corpus.goldenInput("small.map"), options: run.options).assembly.text
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let outputLines = output.split(separator: "\n", omittingEmptySubsequences: false)
        if let first = zip(expectedLines, outputLines).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            Issue.record("\(run): line \(first.offset + 1) is \"\(first.element.1)\", expected \"\(first.element.0)\"")
        }
        #expect(outputLines.count == expectedLines.count)
    }

    @Test("every refusal in the manifest has its .fails file for small.map")
    func refusalsAreRecorded() {
        let refused = Corpus.goldenRuns.filter { $0.input == "small.map" && !$0.succeeds }
        #expect(!refused.isEmpty)
        for run in refused {
            #expect(Corpus.text("golden/small/\(run.era)/\(run.goldenFileStem).fails").hasPrefix("exit 1"))
        }
    }

    @Test("the manifest lists 566 runs")
    func manifestIsComplete() {
        #expect(Corpus.goldenRuns.count == 566)
        #expect(Set(Corpus.goldenRuns.map(\.input)).count == 38)
    }
}
