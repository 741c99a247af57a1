import Compressor
import TestSupport
import Testing

/// `kallsyms-lab compress`, end to end.
@Suite struct CompressCommandTests {
    static let small = Corpus.path("golden/inputs/small.map")

    @Test(
        "writes the golden .S of small.map for every era and flag set",
        arguments: Corpus.goldenRuns.filter { $0.input == "small.map" && $0.succeeds })
    func writesGoldenOutput(_ run: Corpus.GoldenRun) {
        let result = runTool(["compress", "--era", run.era.rawValue] + run.flags + [Self.small])
        #expect(result.status == 0)
        #expect(result.output == Corpus.bytes("golden/small/\(run.era)/\(run.goldenFileStem).S"))
    }

    @Test(
        "what the era's generator refuses is refused with one line and status 1",
        arguments: Corpus.goldenRuns.filter { $0.input == "small.map" && !$0.succeeds })
    func refusals(_ run: Corpus.GoldenRun) {
        let result = runTool(["compress", "--era", run.era.rawValue] + run.flags + [Self.small])
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.errors.split(separator: "\n").count == 1)
        #expect(result.errors.contains("small.map"))
    }

    @Test("reads standard input for - and when no file is given")
    func standardInput() {
        let input = Corpus.bytes("golden/inputs/small.map")
        let expected = Corpus.bytes("golden/small/v7.0/small.default.S")
        #expect(runTool(["compress", "-"], stdin: input).output == expected)
        #expect(runTool(["compress"], stdin: input).output == expected)
    }

    @Test("the default era is v7.0 and the default engine gives the reference engine's bytes")
    func defaults() {
        let fast = runTool(["compress", Self.small]).output
        #expect(fast == Corpus.bytes("golden/small/v7.0/small.default.S"))
        #expect(runTool(["compress", "--engine", "reference", Self.small]).output == fast)
    }

    @Test("--timings adds one stderr line per stage and leaves the .S alone")
    func timings() {
        let result = runTool(["compress", "--timings", Self.small])
        #expect(result.status == 0)
        #expect(result.output == Corpus.bytes("golden/small/v7.0/small.default.S"))
        let lines = result.errors.split(separator: "\n")
        #expect(lines.map { $0.split(separator: " ")[1] } == ["parse", "select", "compress", "tables", "write", "total"])
        #expect(lines.allSatisfy { $0.hasPrefix("timings: ") && $0.hasSuffix(" ms") })
    }

    @Test(
        "a flag the era does not have is a usage error",
        arguments: [
            ["--era", "v3.3", "--base-relative"], ["--era", "v6.19", "--pc-relative"], ["--era", "v7.0", "--absolute-percpu"],
            ["--era", "v6.1", "--symbol-prefix=_"], ["--era", "v9.9"], ["--engine", "turbo"],
        ])
    func unsupportedFlags(_ flags: [String]) {
        let result = runTool(["compress"] + flags + [Self.small])
        #expect(result.status == 2)
        #expect(result.output.isEmpty)
        #expect(result.errors.hasPrefix("kallsyms-lab compress: "))
    }

    @Test("--output writes the file atomically and nothing to stdout")
    func outputFile() {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let result = runTool(["compress", "--output", folder + "/out.S", Self.small])
        #expect(result.status == 0)
        #expect(result.output.isEmpty)
        #expect(contents(of: folder + "/out.S") == Corpus.bytes("golden/small/v7.0/small.default.S"))
        let unwritable = runTool(["compress", "--output", folder + "/no/such/dir/out.S", Self.small])
        #expect(unwritable.status == 1)
        #expect(unwritable.errors.contains("out.S"))
    }
}
