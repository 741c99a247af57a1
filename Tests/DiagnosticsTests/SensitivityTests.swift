import Compressor
import Diagnostics
import Testing
import TestSupport

/// `sensitivity`: the incremental answer equals a full recompression.
@Suite struct SensitivityTests {
    /// Golden inputs with many shared prefixes and equal addresses, under every era.
    static let cases: [(Era, String, GeneratorOptions)] = [
        (.v3_3, "wide-0104.map", GeneratorOptions(allSymbols: true)),
        (.v5_10, "basic-0007.map", GeneratorOptions(allSymbols: true)),
        (.v5_10, "wide-0107.map", GeneratorOptions(baseRelative: true)),
        (.v6_1, "wide-0108.map", GeneratorOptions(allSymbols: true)),
        (.v6_1, "small.map", GeneratorOptions(baseRelative: true)),
        (.v6_19, "basic-0013.map", GeneratorOptions(allSymbols: true)),
        (.v6_19, "wide-0102.map", GeneratorOptions()),
        (.v7_0, "basic-0019.map", GeneratorOptions(allSymbols: true)),
        (.v7_0, "wide-0110.map", GeneratorOptions(pcRelative: true)),
    ]

    @Test("incremental answers equal full recompression on sampled symbols, every era", arguments: 0..<cases.count)
    func incrementalEqualsRecompression(_ caseIndex: Int) throws {
        let (era, input, options) = Self.cases[caseIndex]
        let run = try era.generate(Corpus.goldenInput(input), options: options)
        let analysis = SensitivityAnalysis(run: run)
        let count = run.selection.symbols.count
        // Every symbol of small sets, an evenly spread sample of larger ones.
        let step = max(1, count / 120)
        var checked = 0, fragile = 0
        for index in stride(from: 0, to: count, by: step) {
            for change in analysis.changes(for: index, kinds: ["retype", "delete", "reorder"]) {
                let fast = analysis.evaluate(change, on: index)
                let oracle = analysis.evaluateByRecompression(change, on: index)
                #expect(fast.namesDelta == oracle.namesDelta,
                        "\(era) \(input) symbol \(index) \(printable(run.selection.symbols[index].name)) \(change)")
                checked += 1
                if oracle.namesDelta != 0 { fragile += 1 }
            }
        }
        #expect(checked > 0)
        // Retyping and deleting do change sizes somewhere: the check is not vacuous.
        #expect(fragile > 0, "\(era) \(input): no fragile symbol at all")
    }

    @Test("reordering never changes the names size")
    func reorderNeverChangesSize() throws {
        let run = try Era.v6_1.generate(Corpus.goldenInput("wide-0101.map"), options: GeneratorOptions(allSymbols: true))
        let results = SensitivityAnalysis(run: run).evaluateAll(kinds: ["reorder"], jobs: 2)
        #expect(!results.isEmpty)
        #expect(results.allSatisfy { $0.namesDelta == 0 })
    }

    @Test("the retype flips text and data", arguments: [
        ("T", "D"), ("D", "T"), ("t", "d"), ("d", "t"), ("R", "D"), ("r", "d"), ("B", "D"), ("b", "d"), ("W", "D"), ("w", "d"),
    ])
    func flips(_ from: Character, _ to: Character) {
        #expect(SensitivityAnalysis.flipped(from.asciiValue!) == to.asciiValue!)
    }
}
