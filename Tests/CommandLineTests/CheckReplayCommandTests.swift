import Foundation
import Harness
import KallsymsLabCommand
import TestSupport
import Testing

/// `kallsyms-lab check` and `kallsyms-lab replay`, end to end.
@Suite struct CheckReplayCommandTests {
    static let retypeArguments = [
        "check", "--property", "retype-invariance", "--era", "v6.19", "--seed", "0x2012",
        "--cases", "120", "--shrink-steps", "150",
    ]

    @Test("check finds, shrinks and saves a retype counterexample; replay reproduces it")
    func checkFindsShrinksSavesAndReplays() throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let check = runTool(Self.retypeArguments + ["--save", folder + "/findings"])
        let output = String(decoding: check.output, as: UTF8.self)
        #expect(check.status == 0, "\(output)\(check.errors)")
        #expect(output.hasPrefix("seed 0x2012\n"))
        #expect(output.contains("property           era    law    cases  passed  failed  discarded"))
        #expect(output.contains("retype-invariance  v6.19  fails    120"))
        #expect(output.contains("found (expected)"))
        #expect(output.contains("retype-invariance v6.19: counterexample (expected), case "))
        #expect(output.hasSuffix("all 1 run behaved as expected\n"))
        let saved = try FileManager.default.contentsOfDirectory(atPath: folder + "/findings")
        #expect(saved.count == 1)
        let path = folder + "/findings/" + (saved.first ?? "")
        #expect(output.contains("  replay: kallsyms-lab replay \(path)\n"))

        let file = try CaseFile(parsing: String(contentsOfFile: path, encoding: .utf8))
        #expect(file.property == "retype-invariance" && file.era == .v6_19 && file.expectation == .fails)
        #expect(file.map.count <= 8)

        let replay = runTool(["replay", path])
        let replayed = String(decoding: replay.output, as: UTF8.self)
        #expect(replay.status == 0, "\(replayed)\(replay.errors)")
        #expect(replayed.hasPrefix("\(path): property case: retype-invariance, v6.19 --all-symbols, \(file.map.count) symbols, 1 mutation\n"))
        #expect(replayed.contains("observed: fails: retyping "))
        #expect(replayed.hasSuffix("expected: fails (matches)\n"))
    }

    @Test("check --seed CASE_SEED --cases 1 draws the counterexample again and shrinks it the same way")
    func caseSeedReplaysThroughCheck() throws {
        let first = String(decoding: runTool(Self.retypeArguments + ["--json"]).output, as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let run = try #require((object["runs"] as? [[String: Any]])?.first)
        let counterexample = try #require(run["counterexample"] as? [String: Any])
        let caseSeed = try #require(counterexample["caseSeed"] as? String)
        #expect(
            counterexample["replay"] as? String
                == "kallsyms-lab check --property retype-invariance --era v6.19 --seed \(caseSeed) --cases 1")

        let again = runTool([
            "check", "--property", "retype-invariance", "--era", "v6.19", "--seed", caseSeed, "--cases", "1",
            "--shrink-steps", "150", "--json",
        ])
        let second = try #require(try JSONSerialization.jsonObject(with: Data(again.output)) as? [String: Any])
        let replayed = try #require(((second["runs"] as? [[String: Any]])?.first)?["counterexample"] as? [String: Any])
        #expect(replayed["caseIndex"] as? Int == 0 && replayed["caseSeed"] as? String == caseSeed)
        #expect(replayed["map"] as? String == counterexample["map"] as? String)
        #expect(replayed["mutations"] as? [String] == counterexample["mutations"] as? [String])
        #expect(replayed["reason"] as? String == counterexample["reason"] as? String)
    }

    @Test("laws that hold exit 0 with a table row each")
    func lawsHold() {
        let result = runTool([
            "check", "--property", "round-trip", "--property", "reorder-invariance", "--era", "v3.3",
            "--era", "v7.0", "--seed", "5", "--cases", "5",
        ])
        let output = String(decoding: result.output, as: UTF8.self)
        #expect(result.status == 0, "\(output)\(result.errors)")
        for row in ["round-trip          v3.3", "round-trip          v7.0", "reorder-invariance  v3.3", "reorder-invariance  v7.0"] {
            #expect(output.contains(row + "  holds      5       5       0"), "\(row)")
        }
        #expect(output.hasSuffix("all 4 runs behaved as expected\n"))
        #expect(result.errors.isEmpty, "no progress line when stderr is not a terminal")
    }

    @Test("exit 1 when a property does not behave as expected: a law that checked no case, an expected failure not found")
    func unexpectedBehaviourExitsOne() {
        let result = runTool([
            "check", "--property", "determinism", "--property", "retype-invariance", "--era", "v6.1",
            "--seed", "1", "--seconds", "0",
        ])
        let output = String(decoding: result.output, as: UTF8.self)
        #expect(result.status == 1)
        #expect(output.contains("NO CASE CHECKED") && output.contains("NOT FOUND"))
        #expect(
            output.hasSuffix(
                "2 of 2 runs did not behave as expected: determinism v6.1 (NO CASE CHECKED), "
                    + "retype-invariance v6.1 (NOT FOUND)\n"))
    }

    @Test("--json prints one object with every run")
    func json() throws {
        let result = runTool(["check", "--property", "engine-equivalence", "--era", "v6.19", "--seed", "0x2a", "--cases", "3", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output)) as? [String: Any])
        #expect(object["seed"] as? String == "0x2a" && object["asExpected"] as? Bool == true)
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.count == 1 && runs[0]["property"] as? String == "engine-equivalence" && runs[0]["cases"] as? Int == 3)
        #expect(runs[0]["result"] as? String == "held" && runs[0]["counterexample"] == nil)
    }

    @Test("without --seed a seed is picked and printed first")
    func freshSeedIsPrinted() {
        let result = runTool(["check", "--property", "determinism", "--era", "v7.0", "--cases", "1"])
        #expect(result.status == 0)
        #expect(String(decoding: result.output, as: UTF8.self).hasPrefix("seed 0x"))
    }

    @Test("a progress line on stderr when it is a terminal")
    func progressOnATerminal() {
        let (io, captured) = CommandIO.buffers(standardErrorIsTerminal: true)
        let status = KallsymsLab.run(["check", "--property", "round-trip", "--era", "v6.1", "--seed", "3", "--cases", "3"], io: io)
        #expect(status == 0)
        #expect(captured.errorText.contains("\r\u{1B}[K  [1/1] round-trip v6.1: starting"))
        #expect(captured.errorText.hasSuffix("\r\u{1B}[K"))
    }

    @Test(
        "usage errors exit 2",
        arguments: [
            ["check", "--property", "sizes-stay"], ["check", "--era", "v9"], ["check", "--cases", "many"],
            ["check", "--seconds", "-1"], ["check", "--seed", "0xzz"], ["check", "--shrink-steps", "0"], ["check", "extra"],
            ["replay"], ["replay", "a.case", "b.case", "--linker", "ld"],
        ])
    func usageErrors(_ arguments: [String]) {
        let result = runTool(arguments)
        #expect(result.status == 2)
        #expect(result.errors.hasPrefix("kallsyms-lab \(arguments[0]): "))
    }

    @Test("--save into something that is not a folder exits 1")
    func saveIntoAFile() {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        write(Array("x".utf8), to: folder + "/file")
        let result = runTool(["check", "--property", "round-trip", "--era", "v6.1", "--cases", "1", "--save", folder + "/file"])
        #expect(result.status == 1)
        #expect(result.errors == "kallsyms-lab check: \(folder)/file: not a directory\n")
    }

    @Test("replay: a case that no longer behaves as expected exits 1")
    func replayMismatch() throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let finding = try #require(Corpus.files(in: "findings").first { $0.hasPrefix("retype-invariance-v6.1") })
        let text = Corpus.text("findings/" + finding).replacingOccurrences(of: "expect: fails", with: "expect: passes")
        write(Array(text.utf8), to: folder + "/flipped.case")
        let result = runTool(["replay", folder + "/flipped.case"])
        #expect(result.status == 1)
        #expect(String(decoding: result.output, as: UTF8.self).hasSuffix("expected: passes (DOES NOT MATCH)\n"))

        let json = runTool(["replay", folder + "/flipped.case", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output)) as? [String: Any])
        #expect(object["observed"] as? String == "fails" && object["expected"] as? String == "passes")
        #expect(object["matches"] as? Bool == false && json.status == 1)
    }

    @Test("replay: several files are replayed in turn and counted; a bad one does not stop the others")
    func replaySeveral() throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let finding = try #require(Corpus.files(in: "findings").first { $0.hasPrefix("retype-invariance-v6.1") })
        let good = Corpus.path("findings/" + finding)
        let text = Corpus.text("findings/" + finding)
        write(Array(text.replacingOccurrences(of: "expect: fails", with: "expect: passes").utf8), to: folder + "/flipped.case")
        write(Array("# kallsyms-lab case v1\nkind: sideways\n".utf8), to: folder + "/bad.case")
        let files = [good, folder + "/flipped.case", folder + "/bad.case", good]
        let result = runTool(["replay"] + files)
        let output = String(decoding: result.output, as: UTF8.self)
        #expect(result.status == 1)
        #expect(output.components(separatedBy: "expected: fails (matches)\n").count == 3)
        #expect(output.contains("expected: passes (DOES NOT MATCH)\n"))
        #expect(output.hasSuffix("replayed 4 cases: 2 match, 2 do not (\(folder)/flipped.case, \(folder)/bad.case)\n"))
        #expect(result.errors.hasPrefix("kallsyms-lab replay: \(folder)/bad.case:2: "))
        #expect(result.errors.split(separator: "\n").count == 1)

        let matching = runTool(["replay", good, good])
        #expect(matching.status == 0)
        #expect(String(decoding: matching.output, as: UTF8.self).hasSuffix("replayed 2 cases: 2 match, 0 do not\n"))

        let json = runTool(["replay", good, folder + "/flipped.case", "--json"])
        let lines = String(decoding: json.output, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2 && json.status == 1)
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["matches"] as? Bool } == [true, false])
        #expect(json.errors == "replayed 2 cases: 1 match, 1 does not (\(folder)/flipped.case)\n")
    }

    @Test("replay --linker with several files: a missing linker is one line, and no file runs")
    func replayMissingLinker() throws {
        let binary = try #require(builtBinary(), "swift test builds the kallsyms-lab product next to the tests")
        let finding = Corpus.path("findings/pass-convergence-v6.1-lld-thunks.case")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["replay", "--linker", "gnu", finding, finding]
        process.environment = ["PATH": "/nonexistent"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(output.isEmpty)
        #expect(
            errors == "kallsyms-lab replay: arm-linux-gnueabihf-as not found on PATH (Debian package binutils-arm-linux-gnueabihf: "
                + "apt-get install -y binutils-arm-linux-gnueabihf)\n")
    }

    @Test("replay: every committed finding matches")
    func replayFindings() throws {
        let names = try Corpus.requiredFiles(in: "findings")
        var reasonsAsSaved = 0
        for name in names {
            let result = runTool(["replay", Corpus.path("findings/" + name)])
            #expect(result.status == 0, "\(name): \(String(decoding: result.output, as: UTF8.self))\(result.errors)")
            if String(decoding: result.output, as: UTF8.self).contains("\nreason: as saved\n") { reasonsAsSaved += 1 }
        }
        // Every finding but the hand-written build case is compared with its saved reason.
        #expect(reasonsAsSaved == names.count - 1)
    }

    @Test("replay: a case that fails for another reason than the saved one exits 1")
    func replayReasonMismatch() throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let text = Corpus.text("findings/pass-convergence-v3.3-0x3775fab2535f36e9.case")
            .replacingOccurrences(of: "pass 2's object is 1072 bytes", with: "pass 2's object is 1088 bytes")
        write(Array(text.utf8), to: folder + "/sizes.case")
        let result = runTool(["replay", folder + "/sizes.case"])
        let output = String(decoding: result.output, as: UTF8.self)
        #expect(result.status == 1)
        #expect(output.contains("\nreason: DIFFERS from the saved one ("), "\(output)")
        #expect(
            output.contains(
                "now: Inconsistent kallsyms data after 2 passes: 2 lines of System.map differ from "
                    + ".tmp_System.map; pass 2's object is 1072 bytes"), "\(output)")
        #expect(output.hasSuffix("expected: fails (DOES NOT MATCH)\n"))
    }

    @Test(
        "replay: malformed or unreadable files exit 1 with FILE:LINE: message",
        arguments: [
            ("# kallsyms-lab case v1\nkind: property\nera: v9\nexpect: fails\n", "case.case:3: unknown era v9"),
            (
                "# kallsyms-lab case v1\nkind: property\nproperty: sizes-stay\nera: v6.1\nexpect: fails\n",
                "case.case:3: unknown property sizes-stay (known: round-trip, determinism, engine-equivalence, reorder-invariance, retype-invariance)"
            ),
            ("kind: property\n", "case.case:1: not a kallsyms-lab case file (the first line must be \"# kallsyms-lab case v1\")"),
        ])
    func replayMalformed(_ text: String, _ message: String) {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        write(Array(text.utf8), to: folder + "/case.case")
        let result = runTool(["replay", folder + "/case.case"])
        #expect(result.status == 1)
        #expect(result.errors == "kallsyms-lab replay: \(folder)/\(message)\n")
        let missing = runTool(["replay", folder + "/none.case"])
        #expect(missing.status == 1 && missing.errors.hasPrefix("kallsyms-lab replay: \(folder)/none.case: "))
    }
}
