import Foundation
import Testing

/// `simulate --limit`, `--repeat` and the `arm-large` scenario, end to end.
@Suite struct SimulateOptionsTests {
    @Test("--limit N shows N changed symbols of each kind and counts the rest", arguments: [1, 2, 12])
    func limit(_ limit: Int) {
        let result = runTool(["simulate", "--scenario", "arm-2012-up", "--era", "v3.3", "--all-symbols", "--limit", String(limit)])
        #expect(result.status == 3)
        let lines = result.output.text.split(separator: "\n").map(String.init)
        // pass 2 vs pass 1: 3 letter changes, 6 symbols appeared.
        let letters = lines.filter { $0.hasPrefix("    letter ") }
        let appeared = lines.filter { $0.hasPrefix("    appeared ") }
        #expect(letters.count == min(limit, 3))
        #expect(appeared.count == min(limit, 6))
        if limit < 3 { #expect(lines.contains("    … \(3 - limit) more"), "\(lines)") }
        if limit < 6 { #expect(lines.contains("    … \(6 - limit) more")) }
        #expect(!lines.contains { $0.hasPrefix("    … ") && $0.hasSuffix(" more") } == (limit >= 12))
    }

    @Test("--limit and --repeat take positive counts", arguments: ["--limit", "--repeat"])
    func countsMustBePositive(_ option: String) {
        for value in ["0", "-1", "x"] {
            #expect(runTool(["simulate", "--scenario", "arm-2012-up", option, value]).status == 2, "\(option) \(value)")
        }
    }

    @Test("--linker-option needs a real linker")
    func linkerOptionNeedsLinker() {
        let result = runTool(["simulate", "--scenario", "arm-2012-up", "--linker-option", "--pic-veneer"])
        #expect(result.status == 2)
        #expect(result.errors.hasPrefix("kallsyms-lab simulate: --linker-option needs --linker gnu or lld"))
    }

    @Test("--repeat N times N more builds, fresh and with a shared cache, on stderr; the report is unchanged")
    func repeatTimesBuilds() {
        let arguments = ["simulate", "--scenario", "arm-2012-up-fixed", "--era", "v3.3", "--all-symbols"]
        let plain = runTool(arguments)
        let repeated = runTool(arguments + ["--repeat", "3"])
        #expect(plain.status == 0 && repeated.status == 0)
        #expect(repeated.output == plain.output)
        let lines = repeated.errors.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(repeated.errors)")
        #expect(lines.first?.hasPrefix("3 builds of 5062 symbols: ") == true)
        #expect(lines.first?.hasSuffix(" builds/s (each compresses afresh)") == true)
        #expect(lines.last?.hasSuffix(" builds/s (compressions from a shared cache)") == true)
        #expect(plain.errors.isEmpty)
    }

    @Test("arm-large: an ARM-sized layout that builds consistent in two passes, the second reusing the compression")
    func armLarge() {
        let result = runTool(["simulate", "--scenario", "arm-large", "--era", "v3.3", "--all-symbols"])
        #expect(result.status == 0, "\(result.errors)")
        let text = result.output.text
        #expect(text.contains("layout arm-large: 18 sections, 114455 symbols, base 0xc0008000\n"))
        #expect(text.contains("  kallsyms: 114455 symbols read, 113811 kept, compressed\n"))
        #expect(text.contains("same strings as an earlier pass: compression reused"))
        #expect(text.contains("outcome: consistent after 2 passes\n"))
    }
}
