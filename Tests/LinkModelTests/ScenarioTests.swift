import Testing
import Compressor
@testable import LinkModel

/// The 2012 ARM pins (issue 6 part 2).
@Suite struct ScenarioTests {
    @Test("arm-2012-up built with v3.3 rules and --all-symbols ends in Inconsistent kallsyms data")
    func uniprocessorKernelIsInconsistent() {
        let scenario = Scenario.arm2012Uniprocessor
        let result = Build(layout: scenario.layout, options: scenario.options()).run()
        #expect(result.isInconsistent)
    }
}
