import Compressor
import Testing

@testable import LinkModel

/// The 2012 ARM pins (issue 6 part 2). Builds are shared by the suites that need them.
@Suite struct ScenarioTests {
    static let uniprocessor = Build(
        layout: Scenario.arm2012Uniprocessor.layout,
        options: Scenario.arm2012Uniprocessor.options()
    ).run()
    static let uniprocessorExtraPass = Build(
        layout: Scenario.arm2012Uniprocessor.layout,
        options: Scenario.arm2012Uniprocessor.options(mitigations: [.extraPass])
    ).run()
    static let fixed = Build(
        layout: Scenario.arm2012UniprocessorFixed.layout,
        options: Scenario.arm2012UniprocessorFixed.options()
    ).run()

    static func marker(_ pass: BuildPass, _ name: String = "__per_cpu_start") -> (address: UInt64, letter: Character) {
        let record = pass.map.record(named: name)!
        return (record.address, Character(Unicode.Scalar(record.type)))
    }

    @Test("the 2012 scenarios are v3.3 builds with --all-symbols on 32-bit ARM")
    func scenariosDescribeTheirBuild() {
        for scenario in [Scenario.arm2012Uniprocessor, .arm2012UniprocessorFixed] {
            #expect(scenario.era == .v3_3 && scenario.kallsyms == KallsymsOptions(allSymbols: true))
            #expect(scenario.layout.target == .arm32)
            #expect(Scenario.named(scenario.name) != nil)
        }
        #expect(Scenario.arm2012Uniprocessor.layout.symbolCount > 4000)
    }

    @Test("arm-2012-up built with v3.3 rules and --all-symbols ends in Inconsistent kallsyms data")
    func uniprocessorKernelIsInconsistent() throws {
        let result = Self.uniprocessor
        #expect(result.isInconsistent)
        #expect(result.passes.map(\.number) == [1, 2])
        let first = Self.marker(result.passes[0]), second = Self.marker(result.passes[1])
        // .tmp_vmlinux1: the markers sit on .data's first byte (8 KiB aligned, behind __data_loc): D.
        #expect(first.letter == "D")
        #expect(first.address == result.passes[0].map.address(of: "_sdata"))
        #expect(first.address == result.passes[0].map.address(of: "__data_loc"))
        #expect(first.address % 8192 == 0)
        // .tmp_vmlinux2: one page below .data, re-homed to .init.data: T.
        #expect(second.letter == "T")
        #expect(second.address + 4096 == result.passes[1].map.address(of: "_sdata"))
        // The letter change is the only change in the strings kallsyms compresses…
        let explanation = try #require(result.explanation())
        #expect(
            Set(explanation.inputChanges.letters.map { String(decoding: $0.name, as: UTF8.self) })
                == ["__per_cpu_load", "__per_cpu_start", "__per_cpu_end"])
        #expect(explanation.inputChanges.added.isEmpty && explanation.inputChanges.removed.isEmpty)
        // …and it changes kallsyms_names by 3 bytes, the object by one 16-byte ARM `.align 4` step.
        #expect(explanation.tableChanges.map(\.name) == ["kallsyms_names"])
        #expect(explanation.newObjectSize - explanation.oldObjectSize == -16)
        // vmlinux (pass 2's tables) moves everything after kallsyms_names by -16 against .tmp_vmlinux2.
        #expect(explanation.finalChanges.shifts.first?.delta == -16)
        #expect(explanation.finalChanges.shifts.first?.first == Array("kallsyms_markers".utf8))
    }

    @Test("extra-pass makes arm-2012-up consistent after three passes: the markers stay T")
    func extraPassConverges() {
        let result = Self.uniprocessorExtraPass
        #expect(result.isConsistent)
        #expect(result.passes.map(\.number) == [1, 2, 3])
        #expect(result.passes.map { Self.marker($0).letter } == ["D", "T", "T"])
        #expect(result.passes[2].output.object == result.passes[1].output.object)
        #expect(result.passes[2].output.work == .reusedCompression)
    }

    @Test("arm-2012-up-fixed (ARM 7428/1: no per-cpu section on UP) is consistent after two passes")
    func fixedKernelIsConsistent() {
        let result = Self.fixed
        guard case .consistent(let passes) = result.outcome else {
            Issue.record("expected consistent, got \(result.outcome)")
            return
        }
        #expect(passes == 2)
        #expect(result.passes[0].map.record(named: "__per_cpu_start") == nil)
        #expect(result.passes[0].output.object == result.passes[1].output.object)
    }
}
