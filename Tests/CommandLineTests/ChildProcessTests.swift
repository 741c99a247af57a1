import Foundation
import TestSupport
import Testing

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

    /// Starts `executable` as a shell starts a command: SIGINT and SIGTERM at their default
    /// action and no signal blocked. (Foundation's `Process` passes on the signal mask of the
    /// thread that starts it, and the test runner's threads block SIGINT and SIGTERM: a child
    /// started so never sees them unless it handles them itself, which is what is tested.)
    /// Standard output and error go to the pipes' write ends, which the parent then closes.
    static func spawn(_ executable: String, _ arguments: [String], output: Pipe, errors: Pipe) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (pipe, target) in [(output, Int32(1)), (errors, Int32(2))] {
            // Only the child's copies on 1 and 2 stay open across exec (other children started
            // meanwhile must not hold the write ends, or the reader never sees the end).
            _ = fcntl(pipe.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(pipe.fileHandleForReading.fileDescriptor, F_SETFD, FD_CLOEXEC)
            posix_spawn_file_actions_adddup2(&actions, pipe.fileHandleForWriting.fileDescriptor, target)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        try output.fileHandleForWriting.close()
        try errors.fileHandleForWriting.close()
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
        return pid
    }

    /// Waits for `pid`: its exit status, or nil and the signal that ended it.
    static func wait(_ pid: pid_t) -> (exitStatus: Int32?, signal: Int32?) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7F == 0 ? ((status >> 8) & 0xFF, nil) : (nil, status & 0x7F)
    }

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
        // 60 s: a run that ignores the signal ends by its time limit, not cancelled, and fails.
        let arguments = [
            "fuzz", "--era", "v3.3", "--symbols", "300", "--shape", "up-nm2012-pcpu4096-biased", "--seed", "3",
            "--shrink-steps", "100", "--jobs", "1", "--seconds", "60", "--corpus", corpus,
        ]
        let output = Pipe(), errors = Pipe()
        let out = ChildProcess.Collector(output), err = ChildProcess.Collector(errors)
        let pid = try ChildProcess.spawn(executable, arguments, output: output, errors: errors)
        // A saved finding comes after the signal handlers are in place: signal then.
        let running = err.wait(for: "fuzz: saved ", timeout: 50)
        kill(pid, running ? signal : SIGKILL)
        let ended = ChildProcess.wait(pid)
        let outputText = out.finish(), errorText = err.finish()
        try #require(running, "no finding within 50 s: \(errorText)")
        #expect(ended.signal == nil, "killed by signal \(ended.signal ?? 0)")
        #expect(ended.exitStatus == 0, "\(errorText)")
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
        process.arguments = [
            "-c", "trap '' XFSZ; ulimit -f 8; exec \"$0\" \"$@\"", executable,
            "compress", "--era", "v6.1", "--all-symbols", "--output", folder + "/out.S", input,
        ]
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
