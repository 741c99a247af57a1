import Compressor
import Foundation
import ImageCommand
import TestSupport
import Testing

@testable import KallsymsLabCommand

/// `kallsyms-lab decode IMAGE` hands over to `kallsyms-lab-decode` (no Foundation) when it sits
/// beside `kallsyms-lab`: both must print the same bytes and errors and exit with the same status.
@Suite struct DecodeHandOverTests {
    static let image = Corpus.path(Corpus.armhf + "/vmlinuz")

    /// `StandaloneDecode.run` (what `kallsyms-lab-decode` runs) on `path`.
    static func standalone(_ path: String) -> (status: Int32, output: [UInt8], errors: String) {
        var output: [UInt8] = []
        var errors: [UInt8] = []
        let status = StandaloneDecode.run(
            path: path,
            output: { chunk in
                output.append(contentsOf: chunk)
                return 0
            }, errors: { errors.append(contentsOf: $0) })
        return (status, output, String(decoding: errors, as: UTF8.self))
    }

    @Test("kallsyms-lab-decode's code prints what decode IMAGE prints, with the same errors and status")
    func sameAsInProcess() throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let vmlinuz = Corpus.bytes(Corpus.armhf + "/vmlinuz")
        var flipped = vmlinuz
        flipped[vmlinuz.count / 2] ^= 0x40
        let inputs: [(String, [UInt8]?)] = [
            ("armhf", vmlinuz), ("empty", []), ("garbage", (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }),
            ("truncated", Array(vmlinuz.prefix(1 << 20))), ("flipped", flipped), ("missing", nil),
        ]
        for (name, bytes) in inputs {
            let path = folder + "/" + name
            if let bytes { write(bytes, to: path) }
            let inProcess = runTool(["decode", path])
            let alone = Self.standalone(path)
            #expect(alone.status == inProcess.status, "\(name)")
            #expect(alone.output == inProcess.output, "\(name)")
            #expect(alone.errors == inProcess.errors, "\(name)")
            #expect(alone.status != 0 || !alone.output.isEmpty, "\(name)")
        }
        #expect(Self.standalone(Self.image).output == Corpus.bytes(Corpus.armhf + "/vmlinux-tables/decoded.txt"))
        let directory = Self.standalone(folder)
        #expect(directory.status == 1 && directory.errors == runTool(["decode", folder]).errors)
    }

    @Test("a failed write is the same one line and status 1 in both")
    func closedPipe() {
        var errors: [UInt8] = []
        let status = StandaloneDecode.run(path: Self.image, output: { _ in EPIPE }, errors: { errors.append(contentsOf: $0) })
        let (io, captured) = CommandIO.buffers(writeStandardOutput: { _ in throw CommandError("error writing standard output: Broken pipe") })
        let inProcess = KallsymsLab.run(["decode", Self.image], io: io)
        #expect(status == 1 && inProcess == 1)
        #expect(String(decoding: errors, as: UTF8.self) == "kallsyms-lab decode: error writing standard output: Broken pipe\n")
        #expect(captured.errorText == String(decoding: errors, as: UTF8.self))
    }

    @Test("only decode IMAGE without options, and not a .S, is handed over, and only when the program is there")
    func handOverChoice() throws {
        let folder = temporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let tables = Corpus.path(Corpus.armhf + "/vmlinux-tables")
        let assembly = folder + "/kallsyms.S"
        write(Array(".section .rodata\n".utf8), to: assembly)
        #expect(KallsymsLab.handOver(["kallsyms-lab", "decode", Self.image], directory: folder) == nil, "no program beside it")
        let program = folder + "/" + StandaloneDecode.executableName
        write(Array("#!/bin/sh\n".utf8), to: program)
        #expect(chmod(program, 0o755) == 0)
        #expect(KallsymsLab.handOver(["kallsyms-lab", "decode", Self.image], directory: folder) == program)
        for arguments in [
            ["decode", "--json", Self.image], ["decode", Self.image, "--elf", folder + "/x.elf"], ["decode", "-"],
            ["decode", "--tables", tables], ["decode", assembly], ["verify", Self.image], ["decode"],
            ["decode", Self.image, Self.image], ["decode", "--help"],
        ] {
            #expect(KallsymsLab.handOver(["kallsyms-lab"] + arguments, directory: folder) == nil, "\(arguments)")
        }
    }

    @Test("the built kallsyms-lab hands decode IMAGE over and prints the same; kallsyms-lab-decode refuses other arguments")
    func builtExecutables() throws {
        let binary = try #require(builtBinary(), "swift test builds the kallsyms-lab product next to the tests")
        let sibling = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent(StandaloneDecode.executableName).path
        try #require(FileManager.default.isExecutableFile(atPath: sibling), "swift test builds kallsyms-lab-decode beside kallsyms-lab")
        let directory = URL(fileURLWithPath: binary).deletingLastPathComponent().path
        #expect(KallsymsLab.handOver([binary, "decode", Self.image], directory: directory) == sibling)
        func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: [UInt8], errors: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let output = out.fileHandleForReading.readDataToEndOfFile()
            let errors = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, [UInt8](output), String(decoding: errors, as: UTF8.self))
        }
        let decoded = try run(binary, ["decode", Self.image])
        #expect(decoded.status == 0 && decoded.errors.isEmpty)
        #expect(decoded.output == Corpus.bytes(Corpus.armhf + "/vmlinux-tables/decoded.txt"))
        let missing = try run(binary, ["decode", "/nonexistent/vmlinuz"])
        #expect(missing.status == 1)
        #expect(missing.errors == runTool(["decode", "/nonexistent/vmlinuz"]).errors)
        let other = try run(sibling, ["decode", "--json", Self.image])
        #expect(other.status == 2 && other.output.isEmpty && other.errors.hasPrefix("usage: kallsyms-lab-decode"))
    }
}
