import Compressor
import Harness
import Testing

/// `KALLSYMS_LAB_SEED`, `KALLSYMS_LAB_CASES`, `KALLSYMS_LAB_SECONDS`.
@Suite struct RunnerConfigurationTests {
    static let defaults = RunnerConfiguration(seed: 7, cases: 30)

    @Test("without the variables the defaults stand")
    func defaultsStand() throws {
        #expect(try RunnerConfiguration.fromEnvironment([:], defaults: Self.defaults) == Self.defaults)
        #expect(try RunnerConfiguration.fromEnvironment(["KALLSYMS_LAB_CASES": " ", "PATH": "/bin"], defaults: Self.defaults) == Self.defaults)
    }

    @Test("the variables set the seed (decimal or hex), the case count and the time budget")
    func variablesOverride() throws {
        let configuration = try RunnerConfiguration.fromEnvironment(
            ["KALLSYMS_LAB_SEED": "0x2A", "KALLSYMS_LAB_CASES": "5000", "KALLSYMS_LAB_SECONDS": "2.5"], defaults: Self.defaults)
        #expect(configuration.seed == 42 && configuration.cases == 5000 && configuration.timeBudget == .milliseconds(2500))
        #expect(configuration.shrinkSteps == Self.defaults.shrinkSteps)
        #expect(try RunnerConfiguration.fromEnvironment(["KALLSYMS_LAB_SEED": "18446744073709551615"], defaults: Self.defaults).seed == .max)
    }

    @Test(
        "a malformed value is an error naming the variable",
        arguments: [
            ("KALLSYMS_LAB_SEED", "0xg"), ("KALLSYMS_LAB_SEED", "-1"), ("KALLSYMS_LAB_CASES", "many"),
            ("KALLSYMS_LAB_CASES", "-3"), ("KALLSYMS_LAB_SECONDS", "1m"), ("KALLSYMS_LAB_SECONDS", "-2"),
        ])
    func malformedValues(_ name: String, _ value: String) {
        #expect { try RunnerConfiguration.fromEnvironment([name: value], defaults: Self.defaults) } throws: { error in
            (error as? RunnerConfigurationError)?.message.hasPrefix("\(name)=\(value):") == true
        }
    }

    @Test("seeds print as 0x-hex and parse back")
    func seedText() {
        #expect(RunnerConfiguration.format(seed: 0x2012) == "0x2012")
        #expect(RunnerConfiguration.parseSeed("0x2012") == 0x2012 && RunnerConfiguration.parseSeed("8210") == 0x2012)
        #expect(RunnerConfiguration.parseSeed("") == nil)
    }
}
