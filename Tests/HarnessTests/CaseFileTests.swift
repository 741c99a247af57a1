import Compressor
import Generators
import Harness
import LinkModel
import TestSupport
import Testing

/// The saved-case format: text round trip and errors that name the line.
@Suite struct CaseFileTests {
    static let property = CaseFile(
        kind: .property, property: "retype-invariance", era: .v6_1, options: KallsymsOptions(allSymbols: true),
        seed: 42, expectation: .fails, reason: "retyping `b` t->d changed kallsyms_names from 27 to 28 bytes",
        mutations: [try! Mutation(parsing: "retype b@c0008010 d")],
        map: [SymbolRecord(0xc000_8000, "T", "_text"), SymbolRecord(0xc000_8010, "t", "b with space")])

    @Test("a property case round-trips through its text")
    func propertyRoundTrip() throws {
        let text = Self.property.description
        #expect(text.hasPrefix("# kallsyms-lab case v1\n"))
        #expect(try CaseFile(parsing: text) == Self.property)
    }

    @Test("a build case with a layout round-trips through its text")
    func buildRoundTrip() throws {
        let layout = try #require(Scenario.named("arm-2012-up-fixed")?.layout)
        let build = CaseFile(
            kind: .build, target: "pass-convergence", era: .v3_3, options: KallsymsOptions(allSymbols: true),
            mitigations: ["extra-pass"], seed: 7, expectation: .passes, reason: "consistent", layout: layout)
        #expect(try CaseFile(parsing: build.description) == build)
    }

    @Test(
        "malformed case files name the line",
        arguments: [
            ("kind: property\n", 1),
            ("# kallsyms-lab case v1\nkind: property\nera: v9\nexpect: fails\n", 3),
            ("# kallsyms-lab case v1\nkind: property\nera: v6.1\nexpect: maybe\n", 4),
            ("# kallsyms-lab case v1\nkind: property\nera: v6.1\nexpect: fails\ncolour: red\n", 5),
            ("# kallsyms-lab case v1\nkind: property\nera: v6.1\nexpect: fails\n--- map\nc0008000 T ok\nnot a line\n", 7),
            ("# kallsyms-lab case v1\nkind: property\nera: v6.1\nflags: --pc-relative\nexpect: fails\n", 4),
        ])
    func malformed(_ text: String, _ line: Int) {
        #expect { try CaseFile(parsing: text) } throws: { ($0 as? KallsymsError)?.line == line }
    }
}
