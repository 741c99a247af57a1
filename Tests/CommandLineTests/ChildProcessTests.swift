import Foundation
import Testing
import TestSupport

/// The built `kallsyms-lab` executable run as a child process: what only a real process can
/// show (a signal from outside, a write the kernel refuses).
enum ChildProcess {
    /// The executable `swift build` put next to the test bundle.
    static let executable: String? = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/kallsyms-lab"
        let inBuildFolder = URL(fileURLWithPath: Corpus.root).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/kallsyms-lab").path
        return [besideTests, inBuildFolder].first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Reads a pipe on a thread of its own into a buffer the test can poll.
    final class Collector: @unchecked Sendable {
        private var data = Data()
        private let lock = NSLock()
        private let done = DispatchSemaphore(value: 0)

        init(_ pipe: Pipe) {
            let handle = pipe.fileHandleForReading
            Thread.detachNewThread { [self] in
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    lock.withLock { data.append(chunk) }
                }
                done.signal()
            }
        }

        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

        /// Waits until the text contains `needle`, at most `timeout` seconds.
        func wait(for needle: String, timeout: Double) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if text.contains(needle) { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return text.contains(needle)
        }

        /// The whole text once the pipe is closed.
        func finish() -> String {
            done.wait()
            return text
        }
    }
}

@Suite(.serialized) struct ChildProcessTests {
    @Test("SIGINT and SIGTERM sent to a running fuzz process end it with its summary and exit 0", arguments: [SIGINT, SIGTERM])
    func signalStopsFuzz(_ signal: Int32) throws {
        let executable = try #require(ChildProcess.executable, "kallsyms-lab is not built next to the tests")
        let corpus = temporaryFolder()
        defer { removeTemporaryFolder(corpus) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["fuzz", "--era", "v3.3", "--symbols", "300", "--shape", "up-nm2012-pcpu4096-biased", "--seed", "3",
                             "--shrink-steps", "100", "--jobs", "1", "--seconds", "600", "--corpus", corpus]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let out = ChildProcess.Collector(output), err = ChildProcess.Collector(errors)
        try process.run()
        // A saved finding comes after the signal handlers are in place: signal then.
        let running = err.wait(for: "fuzz: saved ", timeout: 120)
        kill(process.processIdentifier, running ? signal : SIGKILL)
        process.waitUntilExit()
        let outputText = out.finish(), errorText = err.finish()
        try #require(running, "no finding within 120 s: \(errorText)")
        #expect(process.terminationReason == .exit, "killed by signal \(process.terminationStatus)")
        #expect(process.terminationStatus == 0, "\(errorText)")
        #expect(outputText.contains("(cancelled)"), "\(outputText)")
        #expect(errorText.contains("fuzz: stopped; every finding is saved"))
        // Every finding it announced is on disk, and no temporary file is left.
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus)
        #expect(!files.isEmpty && files.allSatisfy { !$0.hasPrefix(".") && $0.hasSuffix(".case") }, "\(files)")
        for file in files { #expect(errorText.contains("fuzz: saved \(corpus)/\(file)")) }
    }

    @Test("a write the kernel refuses midway leaves the existing output intact and no temporary file")
    func failedWriteKeepsTheOldOutput() throws {
        let executable = try #require(ChildProcess.executable, "kallsyms-lab is not built next to the tests")
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let old = Array("the previous output, which must survive\n".utf8)
        write(old, to: folder + "/out.S")
        // The .S of this map is far above 4 KB; the file size limit (ulimit -f, in 512-byte blocks)
        // lets the first 4 KB through and then makes write(2) fail with EFBIG. SIGXFSZ is
        // ignored so that the failure reaches the program as an error.
        let input = Corpus.path("golden/inputs/wide-0101.map")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "trap '' XFSZ; ulimit -f 8; exec \"$0\" \"$@\"", executable,
                             "compress", "--era", "v6.1", "--all-symbols", "--output", folder + "/out.S", input]
        let errors = Pipe()
        process.standardError = errors
        let err = ChildProcess.Collector(errors)
        try process.run()
        process.waitUntilExit()
        let errorText = err.finish()
        #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(errorText)")
        #expect(errorText.contains("out.S"), "\(errorText)")
        #expect(errorText.lowercased().contains("too large"), "\(errorText)")
        #expect(contents(of: folder + "/out.S") == old, "the old output was replaced")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.S"], "a temporary file was left")

        // The same command without the limit writes the file: the failure above was the limit's.
        let unlimited = Process()
        unlimited.executableURL = URL(fileURLWithPath: executable)
        unlimited.arguments = ["compress", "--era", "v6.1", "--all-symbols", "--output", folder + "/out.S", input]
        try unlimited.run()
        unlimited.waitUntilExit()
        #expect(unlimited.terminationStatus == 0)
        #expect((contents(of: folder + "/out.S")?.count ?? 0) > 8 * 512)
    }
}
