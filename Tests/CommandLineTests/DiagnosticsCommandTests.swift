import Compressor
import Foundation
import TestSupport
import Testing

/// `explain` and `sensitivity`, end to end, including the 2012 scenario's pass maps.
@Suite struct DiagnosticsCommandTests {
    @Test("explain tells the 2012 story from simulate's pass maps")
    func explainTheScenario() throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let simulated = runTool(["simulate", "--scenario", "arm-2012-up", "--era", "v3.3", "--all-symbols", "--write-maps", folder])
        #expect(simulated.status == 3)
        let result = runTool(["explain", "--era", "v3.3", "--all-symbols", folder + "/.tmp_vmlinux1.map", folder + "/.tmp_vmlinux2.map"])
        #expect(result.status == 0)
        let text = result.output.text
        #expect(text.contains("`__per_cpu_end`, `__per_cpu_load` and `__per_cpu_start` changed from D to T"))
        #expect(text.contains("kallsyms_names shrank by 3 bytes and the tables' object shrank by 16 bytes"))
        #expect(text.contains("uncompressed-type"))
        let json = runTool([
            "explain", "--json", "--era", "v3.3", "--all-symbols",
            folder + "/.tmp_vmlinux1.map", folder + "/.tmp_vmlinux2.map",
        ])
        #expect(json.output.text.contains("\"namesDelta\":-3"))
        #expect(json.output.text.contains("\"totalDelta\":-16"))
    }

    @Test("explain on a retype made by the mutation engine")
    func explainAMutation() throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let mutated = runTool(["generate", "--symbols", "3000", "--seed", "5", "--output", folder + "/a.map"])
        #expect(mutated.status == 0)
        let original = try String(contentsOfFile: folder + "/a.map", encoding: .utf8)
        let line = try #require(original.split(separator: "\n").first { $0.contains(" t ") })
        let name = String(line.split(separator: " ")[2])
        let address = String(line.split(separator: " ")[0])
        #expect(runTool(["mutate", "--output", folder + "/b.map", folder + "/a.map", "retype \(name)@\(address) d"]).status == 0)
        let result = runTool(["explain", "--era", "v6.1", "--all-symbols", folder + "/a.map", folder + "/b.map"])
        #expect(result.status == 0)
        #expect(result.output.text.contains("kept symbols that differ: 1 (1 retyped)"))
        #expect(result.output.text.contains("`\(name)` changed from t to d"))
    }

    @Test("sensitivity lists the fragile symbols and the JSON holds every mutation tried")
    func sensitivity() throws {
        let map = Corpus.path("golden/inputs/wide-0104.map")
        let text = runTool(["sensitivity", "--era", "v6.1", "--all-symbols", "--mutations", "retype,delete", "--top", "5", map])
        #expect(text.status == 0)
        #expect(text.output.text.contains("fragile symbols:"))
        #expect(text.output.text.contains("histogram"))
        let json = runTool(["sensitivity", "--era", "v6.1", "--all-symbols", "--mutations", "retype", "--json", map])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output)) as? [String: Any])
        let results = try #require(object["results"] as? [[String: Any]])
        let kept = try Era.v6_1.generate(Corpus.goldenInput("wide-0104.map"), options: KallsymsOptions(allSymbols: true))
        #expect(results.count == kept.selection.symbols.count)
        for result in results.prefix(20) {
            #expect(result["name"] is String && result["address"] is String && result["type"] is String)
            #expect((result["mutation"] as? String)?.hasPrefix("retype ") == true)
            #expect(result["namesDelta"] is Int)
        }
        #expect(runTool(["sensitivity", "--mutations", "rotate", map]).status == 2)
    }
}
