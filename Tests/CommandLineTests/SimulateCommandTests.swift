import Foundation
import KallsymsLabCommand
import Testing

/// End-to-end tests of `kallsyms-lab simulate`: exit statuses and what a reader needs to see.
@Suite struct SimulateCommandTests {
    static func run(_ arguments: [String], stdin: String = "") -> (status: Int32, output: String, errors: String) {
        let (io, captured) = CommandIO.buffers(stdin: Array(stdin.utf8))
        let status = KallsymsLab.run(arguments, io: io)
        return (status, captured.outputText, captured.errorText)
    }

    @Test("arm-2012-up with v3.3 --all-symbols exits 3 and says why")
    func inconsistentScenarioExitsThree() {
        let result = Self.run(["simulate", "--scenario", "arm-2012-up", "--era", "v3.3", "--all-symbols"])
        #expect(result.status == 3)
        #expect(result.output.contains("outcome: Inconsistent kallsyms data (after 2 passes)"))
        #expect(result.output.contains("letter    __per_cpu_start D -> T"))
        #expect(result.output.contains("kallsyms_names 43295 (-3)"))
        #expect(result.output.contains("why: between pass 1 and pass 2"))
        #expect(result.output.contains("-c0251dd0 R kallsyms_markers"))
    }

    @Test("the fixed scenario exits 0; extra-pass rescues the failing one")
    func consistentRunsExitZero() {
        #expect(Self.run(["simulate", "--scenario", "arm-2012-up-fixed", "--era", "v3.3", "--all-symbols"]).status == 0)
        let rescued = Self.run(["simulate", "--scenario", "arm-2012-up", "--mitigation", "extra-pass"])
        #expect(rescued.status == 0)
        #expect(rescued.output.contains("outcome: consistent after 3 passes"))
    }

    @Test("--kallsyms-extra-pass: v3.3 takes 0 as unset")
    func extraPassEnvironment() {
        let zero = ["simulate", "--scenario", "arm-2012-up", "--era", "v3.3", "--all-symbols", "--kallsyms-extra-pass", "0"]
        #expect(Self.run(zero).status == 3)
    }

    @Test("a layout file is read from disk or stdin; its errors are FILE:LINE: message with exit 1")
    func layoutFiles() throws {
        let good = "section .text text size 0x10\n  global 0x0 _stext\n  global 0x8 f\n  end _etext\nsection .rodata rodata size 4\n"
        let ok = Self.run(["simulate", "-", "--era", "v6.19"], stdin: good)
        #expect(ok.status == 0)
        #expect(ok.output.contains("pass 0"))
        let bad = Self.run(["simulate", "-"], stdin: "section .t text\n  global 0x10 beyond\n")
        #expect(bad.status == 1)
        #expect(bad.errors == "kallsyms-lab simulate: <stdin>:2: offset 0x10 is beyond the size 0x0 of section .t\n")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("simulate-\(getpid()).layout").path
        try "align 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(Self.run(["simulate", path]).errors.contains("\(path):1: alignment 3 is not a power of two"))
        #expect(Self.run(["simulate", "/nonexistent/x.layout"]).status == 1)
    }

    @Test("a pass the generator refuses exits 1")
    func generatorRefusalExitsOne() {
        let result = Self.run(["simulate", "-", "--era", "v3.3"], stdin: "absolute lonely\nsection .rodata rodata size 4\n")
        #expect(result.status == 1)
        #expect(result.errors.contains("No valid symbol."))
    }

    @Test("--list-scenarios, --print-layout, --help and --json")
    func listingAndFormats() {
        let list = Self.run(["simulate", "--list-scenarios"])
        #expect(list.status == 0 && list.output.contains("arm-2012-up ") && list.output.contains("arm-2012-up-fixed"))
        let layout = Self.run(["simulate", "--scenario", "arm-2012-up", "--print-layout"])
        #expect(layout.status == 0 && layout.output.hasPrefix("layout arm-2012-up\ntarget arm\nbase 0xc0008000\n"))
        let help = Self.run(["simulate", "--help"])
        #expect(help.status == 0 && help.output.contains("kallsyms-lab simulate --scenario arm-2012-up --era v3.3 --all-symbols"))
        let small = "section .text text size 0x10\n  global 0x0 _stext\n  end _etext\nsection .rodata rodata size 4\n"
        let json = Self.run(["simulate", "-", "--era", "v7.0", "--json", "--mitigation", "pad=64"], stdin: small)
        #expect(json.status == 0)
        #expect(json.output.hasPrefix("{\"era\":\"v7.0\""))
        #expect(json.output.contains("\"source\":\"<stdin>\""))
        #expect(json.output.contains("\"mitigations\":[\"pad=64\"]"))
        #expect(json.output.contains("\"status\":\"consistent\""))
        #expect((try? JSONSerialization.jsonObject(with: Data(json.output.utf8))) != nil)
    }

    @Test(
        "usage errors exit 2",
        arguments: [
            ["simulate"], ["simulate", "--scenario", "nope"], ["simulate", "--scenario", "arm-2012-up", "--mitigation", "retry"],
            ["simulate", "--scenario", "arm-2012-up", "--era", "v3.3", "--pc-relative"], ["simulate", "a", "--scenario", "arm-2012-up"],
        ])
    func usageErrors(_ arguments: [String]) {
        #expect(Self.run(arguments).status == 2)
    }
}
