import KallsymsLabCommand
import Testing

/// The table-driven argument parser.
@Suite struct ArgumentParserTests {
    static let specs = [
        OptionSpec("--era", value: "E", "era"),
        OptionSpec("--all-symbols", "flag"),
        OptionSpec("--mitigation", value: "M", repeatable: true, "repeatable"),
    ]

    @Test(
        "accepted forms",
        arguments: [
            (["--era", "v6.1", "file"], "v6.1", ["file"], false),
            (["--era=v6.1", "file"], "v6.1", ["file"], false),
            (["file", "--all-symbols"], nil, ["file"], true),
            (["-"], nil, ["-"], false),
            (["--", "--all-symbols"], nil, ["--all-symbols"], false),
        ] as [([String], String?, [String], Bool)])
    func acceptedForms(_ arguments: [String], _ era: String?, _ positionals: [String], _ allSymbols: Bool) throws {
        let parsed = try ArgumentParser.parse(arguments, specs: Self.specs)
        #expect(parsed.value("--era") == era)
        #expect(parsed.positionals == positionals)
        #expect(parsed.has("--all-symbols") == allSymbols)
    }

    @Test(
        "rejected forms",
        arguments: [
            ["--bogus"], ["--era"], ["--all-symbols=yes"], ["--era", "a", "--era", "b"], ["--all-symbols", "--all-symbols"],
        ])
    func rejectedForms(_ arguments: [String]) {
        #expect(throws: UsageError.self) { try ArgumentParser.parse(arguments, specs: Self.specs) }
    }

    @Test("a repeatable option accumulates its values")
    func repeatable() throws {
        let parsed = try ArgumentParser.parse(["--mitigation", "pad=16", "--mitigation=extra-pass"], specs: Self.specs)
        #expect(parsed.values["--mitigation"] == ["pad=16", "extra-pass"])
    }

    @Test("a misspelt option suggests the real one")
    func suggestion() {
        #expect { try ArgumentParser.parse(["--all"], specs: Self.specs) } throws: {
            ($0 as? UsageError)?.description.contains("--all-symbols") == true
        }
    }
}
