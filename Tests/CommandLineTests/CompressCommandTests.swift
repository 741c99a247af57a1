import Compressor
import Foundation
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `kallsyms-lab compress`, end to end.
@Suite struct CompressCommandTests {
    static let small = Corpus.path("golden/inputs/small.map")

    @Test(
        "writes the golden .S of small.map for every era and flag set",
        arguments: Corpus.goldenRuns.filter { $0.input == "small.map" && $0.succeeds })
    func writesGoldenOutput(_ run: Corpus.GoldenRun) {
        let result = runTool(["compress", "--era", run.era.rawValue] + run.flags + [Self.small])
        #expect(result.status == 0)
        #expect(result.output == Corpus.bytes("golden/small/\(run.era)/\(run.goldenFileStem).S"))
    }

    @Test(
        "what the era's generator refuses is refused with one line and status 1",
        arguments: Corpus.goldenRuns.filter { $0.input == "small.map" && !$0.succeeds })
    func refusals(_ run: Corpus.GoldenRun) {
        let result = runTool(["compress", "--era", run.era.rawValue] + run.flags + [Self.small])
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.errors.split(separator: "\n").count == 1)
        #expect(result.errors.contains("small.map"))
    }

    @Test("reads standard input for - and when no file is given")
    func standardInput() {
        let input = Corpus.bytes("golden/inputs/small.map")
        let expected = Corpus.bytes("golden/small/v7.0/small.default.S")
        #expect(runTool(["compress", "-"], stdin: input).output == expected)
        #expect(runTool(["compress"], stdin: input).output == expected)
    }

    @Test("the default era is v7.0 and the default engine gives the reference engine's bytes")
    func defaults() {
        let fast = runTool(["compress", Self.small]).output
        #expect(fast == Corpus.bytes("golden/small/v7.0/small.default.S"))
        #expect(runTool(["compress", "--engine", "reference", Self.small]).output == fast)
    }

    @Test("--timings adds one stderr line per stage and leaves the .S alone")
    func timings() {
        let result = runTool(["compress", "--timings", Self.small])
        #expect(result.status == 0)
        #expect(result.output == Corpus.bytes("golden/small/v7.0/small.default.S"))
        let lines = result.errors.split(separator: "\n")
        #expect(lines.map { $0.split(separator: " ")[1] } == ["parse", "select", "compress", "tables", "write", "total"])
        #expect(lines.allSatisfy { $0.hasPrefix("timings: ") && $0.hasSuffix(" ms") })
    }

    @Test(
        "a flag the era does not have is a usage error",
        arguments: [
            ["--era", "v3.3", "--base-relative"], ["--era", "v6.19", "--pc-relative"], ["--era", "v7.0", "--absolute-percpu"],
            ["--era", "v6.1", "--symbol-prefix=_"], ["--era", "v9.9"], ["--engine", "turbo"],
        ])
    func unsupportedFlags(_ flags: [String]) {
        let result = runTool(["compress"] + flags + [Self.small])
        #expect(result.status == 2)
        #expect(result.output.isEmpty)
        #expect(result.errors.hasPrefix("kallsyms-lab compress: "))
    }

    @Test("--output writes the file atomically and nothing to stdout")
    func outputFile() {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let result = runTool(["compress", "--output", folder + "/out.S", Self.small])
        #expect(result.status == 0)
        #expect(result.output.isEmpty)
        #expect(contents(of: folder + "/out.S") == Corpus.bytes("golden/small/v7.0/small.default.S"))
        let unwritable = runTool(["compress", "--output", folder + "/no/such/dir/out.S", Self.small])
        #expect(unwritable.status == 1)
        #expect(unwritable.errors.contains("out.S"))
    }

    @Test("--output writes what a link names, keeps a file's mode, and writes a FIFO where it is")
    func outputThroughLinksAndFIFOs() throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let expected = Corpus.bytes("golden/small/v7.0/small.default.S")
        // A link to a file that exists, and a link to one that does not yet.
        write(Array("old".utf8), to: folder + "/target.S")
        #expect(chmod(folder + "/target.S", 0o600) == 0)
        #expect(symlink("target.S", folder + "/link.S") == 0)
        #expect(symlink(folder + "/later.S", folder + "/dangling.S") == 0)
        #expect(runTool(["compress", "--output", folder + "/link.S", Self.small]).status == 0)
        #expect(runTool(["compress", "--output", folder + "/dangling.S", Self.small]).status == 0)
        let link = try FileManager.default.attributesOfItem(atPath: folder + "/link.S")
        #expect(link[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(contents(of: folder + "/target.S") == expected)
        #expect(contents(of: folder + "/later.S") == expected)
        let target = try FileManager.default.attributesOfItem(atPath: folder + "/target.S")
        #expect((target[.posixPermissions] as? Int) == 0o600)
        // A FIFO stays a FIFO and its reader gets the whole .S.
        let fifo = folder + "/fifo.S"
        #expect(mkfifo(fifo, 0o644) == 0)
        let reader = FIFOReader(path: fifo, count: expected.count)
        #expect(runTool(["compress", "--output", fifo, Self.small]).status == 0)
        #expect(reader.finish() == expected)
        // So does one reached through a link (as /dev/stdout reaches a pipe).
        #expect(symlink(fifo, folder + "/to-fifo.S") == 0)
        let linkedReader = FIFOReader(path: fifo, count: expected.count)
        #expect(runTool(["compress", "--output", folder + "/to-fifo.S", Self.small]).status == 0)
        #expect(linkedReader.finish() == expected)
        var status = stat()
        #expect(lstat(fifo, &status) == 0 && (status.st_mode & S_IFMT) == S_IFIFO)
        // A folder is refused with its name.
        let folderOutput = runTool(["compress", "--output", folder, Self.small])
        #expect(folderOutput.status == 1)
        #expect(folderOutput.errors.contains("is a directory"))
    }
}

/// Reads a FIFO on a thread of its own, through a descriptor opened for reading and writing
/// (Linux opens that at once, and the FIFO then never reports its end): until `count` bytes
/// have come, or, once `finish` has been called, until nothing more comes for a second. So a
/// writer that never opens the FIFO makes a short read, not a hang.
private final class FIFOReader: @unchecked Sendable {  // `bytes` is written before `done` is signalled
    private var bytes: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)
    private let finished = Mutex(false)

    init(path: String, count: Int) {
        let fd = open(path, O_RDWR)
        Thread.detachNewThread { [self] in
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while fd >= 0 && bytes.count < count {
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&entry, 1, 1_000) == 0 {
                    if finished.withLock({ $0 }) { break }
                    continue
                }
                let got = read(fd, &chunk, chunk.count)
                if got <= 0 { break }
                bytes += chunk[..<got]
            }
            if fd >= 0 { close(fd) }
            done.signal()
        }
    }

    /// The bytes read, once the writer is done.
    func finish() -> [UInt8] {
        finished.withLock { $0 = true }
        done.wait()
        return bytes
    }
}
