import Foundation
import Harness
import TestSupport
import Testing

@testable import KallsymsLabCommand

/// End-to-end tests of `kallsyms-lab fuzz` and `kallsyms-lab mitigations` on small layouts.
@Suite struct FuzzCommandTests {
    static let small = [
        "--era", "v3.3", "--symbols", "300", "--shape", "up-nm2012-pcpu4096-biased", "--seed", "1",
        "--shrink-steps", "100",
    ]
    /// The same with seed 3, whose first cases fail (seed 1 finds its first failure after 30 cases).
    static let failingEarly = small.map { $0 == "1" ? "3" : $0 }

    static func run(_ arguments: [String]) -> (status: Int32, output: String, errors: String) {
        let (io, captured) = CommandIO.buffers()
        let status = KallsymsLab.run(arguments, io: io)
        return (status, captured.outputText, captured.errorText)
    }

    /// Whether GNU's ARM binutils are on PATH (`.ci/run` installs them).
    static let hasGnuLinker = ProcessInfo.processInfo.environment["PATH", default: ""].split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/arm-linux-gnueabihf-ld") }

    @Test(
        "--confirm gnu saves only findings GNU ld reproduces, each naming the linker",
        .enabled(if: hasGnuLinker, "GNU cross binutils not installed (apt-get install -y binutils-arm-linux-gnueabihf)"))
    func confirmedCampaign() throws {
        let corpus = temporaryFolder()
        defer { removeTemporaryFolder(corpus) }
        let result = Self.run(
            ["fuzz"] + Self.failingEarly + [
                "--cases", "12", "--jobs", "2", "--corpus", corpus,
                "--confirm", "gnu",
            ])
        #expect(result.status == 0, "\(result.errors)")
        let saved = try FileManager.default.contentsOfDirectory(atPath: corpus).filter { $0.hasSuffix(".case") }
            .map { corpus + "/" + $0 }
        try #require(!saved.isEmpty, "no finding in 12 cases of seed 3: \(result.errors)")
        for path in saved {
            let file = try CaseFile(parsing: String(decoding: try #require(contents(of: path)), as: UTF8.self))
            #expect(file.confirmedBy.count == 1 && file.confirmedBy[0].hasPrefix("GNU ld"), "\(path)")
        }
        #expect(result.errors.contains("confirmed by GNU ld"))
    }

    @Test("a campaign of 12 cases saves its findings as case files and prints a summary")
    func shortCampaign() throws {
        let corpus = temporaryFolder()
        defer { removeTemporaryFolder(corpus) }
        let result = Self.run(["fuzz"] + Self.failingEarly + ["--cases", "12", "--jobs", "2", "--corpus", corpus])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("fuzz: target pass-convergence, era v3.3 --all-symbols, seed 0x3, 300 symbols per case"))
        for label in ["cases", "failures", "findings saved", "cases/s", "builds/s", "elapsed"] {
            #expect(result.output.contains("\n\(label) "), "\(label)")
        }
        #expect(result.errors.contains("findings go to \(corpus)"))
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus).sorted()
        #expect(!files.isEmpty, "12 biased 2012 uniprocessor layouts hold failures")
        #expect(files.allSatisfy { $0.hasPrefix("pass-convergence-v3.3-0x") && $0.hasSuffix(".case") })
        for file in files {
            let text = try #require(contents(of: corpus + "/" + file)).text
            let parsed = try CaseFile(parsing: text)
            #expect(parsed.expectation == .fails && parsed.layout != nil)
            #expect(result.output.contains(file))
            #expect(result.errors.contains("fuzz: saved \(corpus)/\(file)"))
        }
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: corpus).allSatisfy { !$0.hasPrefix(".") })
    }

    @Test("--json prints one object with the totals and every finding")
    func json() throws {
        let corpus = temporaryFolder()
        defer { removeTemporaryFolder(corpus) }
        let result = Self.run(["fuzz"] + Self.small + ["--cases", "6", "--json", "--corpus", corpus])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["cases"] as? Int == 6)
        #expect(object["era"] as? String == "v3.3")
        #expect(object["stopReason"] as? String == "case limit")
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.count == object["failures"] as? Int)
        #expect(findings.allSatisfy { ($0["file"] as? String)?.hasPrefix(corpus) == true })
    }

    @Test("a stop request (what SIGINT and SIGTERM send) ends the campaign with its summary and exit 0")
    func stopRequest() throws {
        let corpus = temporaryFolder()
        defer { removeTemporaryFolder(corpus) }
        let (io, captured) = CommandIO.buffers()
        let stop = CampaignCancellation()
        let arguments = try ArgumentParser.parse(
            Self.small + ["--seconds", "600", "--corpus", corpus],
            specs: FuzzCommand.command.options)
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 1)
            stop.cancel()
        }
        let status = try FuzzCommand.run(arguments, io, cancellation: stop)
        #expect(status == 0)
        #expect(captured.outputText.contains("(cancelled)"))
        #expect(captured.errorText.contains("fuzz: stopped; every finding is saved"))
    }

    @Test("the first signal only cancels; a second one, or two delivered together, ends the process at once")
    func secondSignal() {
        let stop = CampaignCancellation()
        #expect(!SignalStop.endsAtOnce(signals: 1, stop))
        #expect(stop.isCancelled)
        #expect(SignalStop.endsAtOnce(signals: 1, stop))
        let fresh = CampaignCancellation()
        #expect(SignalStop.endsAtOnce(signals: 2, fresh))
        #expect(fresh.isCancelled)
    }

    @Test("--target size-stability: the extra pass rescues convergence but not the object size")
    func sizeStabilityTarget() throws {
        let corpus = temporaryFolder()
        defer { removeTemporaryFolder(corpus) }
        let arguments = ["fuzz"] + Self.failingEarly + ["--cases", "20", "--jobs", "1", "--json", "--corpus", corpus]
        let converging = Self.run(arguments + ["--mitigation", "extra-pass"])
        let stable = Self.run(arguments + ["--mitigation", "extra-pass", "--target", "size-stability"])
        #expect(converging.status == 0 && stable.status == 0, "\(converging.errors)\(stable.errors)")
        let a = try #require(try JSONSerialization.jsonObject(with: Data(converging.output.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(stable.output.utf8)) as? [String: Any])
        #expect(a["target"] as? String == "pass-convergence" && b["target"] as? String == "size-stability")
        // With the extra pass every build converges, yet the size changes that needed it remain.
        #expect(a["failures"] as? Int == 0)
        let failures = try #require(b["failures"] as? Int)
        #expect(failures > 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus)
        #expect(files.count == failures && files.allSatisfy { $0.hasPrefix("size-stability-v3.3-0x") }, "\(files)")
        for file in files {
            let saved = try CaseFile(parsing: try #require(contents(of: corpus + "/" + file)).text)
            #expect(saved.target == "size-stability" && saved.mitigations == ["extra-pass"])
            #expect(saved.reason.hasPrefix("kallsyms object sizes per pass: "))
        }
    }

    @Test("--arch arm64 prints today's shape: the arm64 target, a .text beyond 100 MB, calls from .init.text")
    func modernShape() throws {
        let result = Self.run(["fuzz", "--arch", "arm64", "--symbols", "400", "--seed", "1", "--print-layout", "1"])
        #expect(result.status == 0, "\(result.errors)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("target arm64"))
        let text = try #require(lines.first { $0.hasPrefix("section .text text ") })
        let size = try #require(text.split(separator: " ").last.flatMap { UInt64($0.dropFirst(2), radix: 16) })
        #expect(size >= 100 << 20)
        let initText = try #require(lines.firstIndex { $0.hasPrefix("section .init.text ") })
        #expect(lines[(initText + 1)...].prefix { $0.hasPrefix("  ") }.contains { $0.hasPrefix("  call ") })
    }

    @Test("--target round-trip checks generated maps and finds nothing")
    func roundTripTarget() throws {
        let corpus = temporaryFolder()
        defer { removeTemporaryFolder(corpus) }
        let result = Self.run([
            "fuzz", "--target", "round-trip", "--era", "v6.1", "--symbols", "400", "--seed", "3", "--cases", "4",
            "--jobs", "1", "--json", "--corpus", corpus,
        ])
        #expect(result.status == 0, "\(result.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["target"] as? String == "round-trip")
        #expect(object["cases"] as? Int == 4 && object["failures"] as? Int == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: corpus).isEmpty)
    }

    @Test("--shrink shrinks a saved build case again and saves it; a passing layout is an error")
    func shrinkSavedCase() throws {
        let corpus = temporaryFolder()
        defer { removeTemporaryFolder(corpus) }
        let source = Corpus.path("findings/pass-convergence-v3.3-0x3775fab2535f36e9.case")
        let result = Self.run(["fuzz", "--shrink", source, "--shrink-steps", "200", "--corpus", corpus])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("fuzz: saved \(corpus)/pass-convergence-v3.3-0x3775fab2535f36e9.case: "))
        let saved = try CaseFile(parsing: try #require(contents(of: corpus + "/pass-convergence-v3.3-0x3775fab2535f36e9.case")).text)
        let original = try CaseFile(parsing: Corpus.text("findings/pass-convergence-v3.3-0x3775fab2535f36e9.case"))
        #expect(saved.era == .v3_3 && saved.expectation == .fails)
        #expect(try #require(saved.layout).symbolCount <= original.layout!.symbolCount)
        let fixed = corpus + "/fixed.case"
        write(
            Array(
                Corpus.text("findings/pass-convergence-v3.3-0x9b7e993b67eb19e5.case")
                    .replacingOccurrences(of: "era: v3.3", with: "era: v3.3\nmitigations: uncompressed-type").utf8), to: fixed)
        let passing = Self.run(["fuzz", "--shrink", fixed, "--corpus", corpus])
        #expect(passing.status == 1)
        #expect(passing.errors.contains("does not fail pass-convergence"))
    }

    @Test("--shrink finishes what a budget left: the second run ends 1-minimal, and its case still fails")
    func shrinkFinishesABudget() throws {
        let corpus = temporaryFolder()
        defer { removeTemporaryFolder(corpus) }
        let cut = Self.failingEarly.map { $0 == "100" ? "3" : $0 }
        let first = Self.run(["fuzz"] + cut + ["--cases", "6", "--jobs", "1", "--corpus", corpus])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.contains("(step budget; fuzz --shrink FILE continues)"))
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: corpus).sorted().first { $0.hasSuffix(".case") })
        let before = try CaseFile(parsing: try #require(contents(of: corpus + "/" + name)).text)
        let second = Self.run([
            "fuzz", "--shrink", corpus + "/" + name, "--shrink-steps", "100000", "--shrink-seconds", "600",
            "--corpus", corpus,
        ])
        #expect(second.status == 0, "\(second.errors)")
        #expect(second.output.hasPrefix("fuzz: saved \(corpus)/\(name): "))
        #expect(second.output.contains("(exhausted: 1-minimal)"))
        let after = try CaseFile(parsing: try #require(contents(of: corpus + "/" + name)).text)
        #expect(try #require(after.layout).symbolCount <= before.layout!.symbolCount)
        #expect(try CaseReplay.replay(after).matchesExpectation)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: corpus).allSatisfy { $0.hasSuffix(".case") },
            "no temporary file is left")
    }

    @Test("--shrink names the file when it is missing or not a case file")
    func shrinkBadFiles() throws {
        let corpus = temporaryFolder()
        defer { removeTemporaryFolder(corpus) }
        let missing = Self.run(["fuzz", "--shrink", corpus + "/none.case", "--corpus", corpus])
        #expect(missing.status == 1)
        #expect(missing.errors.contains(corpus + "/none.case"))
        write(Array("layout x\nsection .text text\n".utf8), to: corpus + "/bad.case")
        let malformed = Self.run(["fuzz", "--shrink", corpus + "/bad.case", "--corpus", corpus])
        #expect(malformed.status == 1)
        #expect(malformed.errors.contains(corpus + "/bad.case") && malformed.errors.contains("not a kallsyms-lab case file"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: corpus) == ["bad.case"])
    }

    @Test(
        "usage errors exit 2",
        arguments: [
            ["fuzz", "--target", "speed"], ["fuzz", "--shape", "round"], ["fuzz", "--seconds", "0"], ["fuzz", "--seed", "x"],
            ["fuzz", "--era", "v5.10", "--symbol-prefix", "_"], ["mitigations", "--cases", "-1"], ["fuzz", "extra"],
            ["fuzz", "--arch", "vax"], ["mitigations", "--arch", "thumb"], ["fuzz", "--linker-option", "--pic-veneer"],
            ["mitigations", "--linker-option", "--pic-veneer"], ["simulate", "--scenario", "arm-2012-up", "--linker-option", "--pic-veneer"],
        ])
    func usageErrors(_ arguments: [String]) {
        #expect(Self.run(arguments).status == 2)
    }

    @Test("--linker-option reaches --confirm's links: LLD's --pic-veneer names the thunks v6.1 ignores, so the saved arm64 finding is no longer confirmed")
    func confirmWithLinkerOption() throws {
        let finding = Corpus.path("findings/pass-convergence-v6.1-lld-arm64-thunks.case")
        for (options, confirmed) in [([String](), true), (["--linker-option", "--pic-veneer"], false)] {
            let corpus = temporaryFolder()
            defer { removeTemporaryFolder(corpus) }
            let result = Self.run(
                ["fuzz", "--shrink", finding, "--confirm", "lld", "--shrink-steps", "1", "--corpus", corpus] + options)
            #expect(result.status == 0, "\(result.errors)")
            // `--shrink` reports the saved file on standard output.
            #expect(result.output.contains("confirmed by LLD") == confirmed, "\(options): \(result.output)")
            #expect(result.output.contains("NOT confirmed, a model disagreement") == !confirmed, "\(options): \(result.output)")
            let disagreements = (try? FileManager.default.contentsOfDirectory(atPath: corpus + "/model-disagreements")) ?? []
            #expect(disagreements.isEmpty == confirmed, "\(options): \(disagreements)")
        }
    }

    @Test("mitigations --linker lld --linker-option: the option reaches every link (one LLD refuses makes every row refused)")
    func mitigationsWithLinkerOption() throws {
        let arguments = [
            "mitigations", "--era", "v3.3", "--cases", "2", "--symbols", "300", "--seed", "1", "--jobs", "1", "--linker", "lld", "--json",
        ]
        for (options, refused) in [([String](), false), (["--linker-option", "--no-such-option"], true)] {
            let result = Self.run(arguments + options)
            #expect(result.status == 0, "\(result.errors)")
            let table = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
            let rows = try #require(table["rows"] as? [[String: Any]])
            #expect(rows.count == 5)
            for row in rows { #expect((row["refused"] as? Int == 2) == refused, "\(options): \(row)") }
            if refused { #expect(result.errors.contains("linker lld --no-such-option")) }
        }
    }

    @Test("mitigations prints one row per mitigation, or JSON")
    func mitigations() throws {
        let arguments = ["mitigations", "--era", "v3.3", "--cases", "3", "--symbols", "200", "--seed", "2", "--jobs", "1"]
        let result = Self.run(arguments)
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(
            lines[0] == "mitigations: era v3.3 --all-symbols, nm 2012, linker model, 3 layouts of 200 symbols, seed 0x2, "
                + "shapes drawn per case, 1 job")
        #expect(lines[1].hasPrefix("mitigation "))
        #expect(
            lines.dropFirst(2).prefix(7).map { String($0.prefix { $0 != " " }) }
                == ["none", "extra-pass", "fixed-point=8", "pad=64", "pad=4096", "uncompressed-type", "reuse-tokens"])
        #expect(lines.last!.hasPrefix("3 layouts, 21 builds in "))
        let json = Self.run(arguments + ["--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.count == 7)
        #expect(rows.allSatisfy { ($0["failedCases"] as? [Int])?.count == $0["failures"] as? Int })
    }
}
