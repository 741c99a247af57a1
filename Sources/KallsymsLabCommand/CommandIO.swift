import Foundation

/// A failure the command line reports as one line on stderr with exit status 1.
public struct CommandError: Error, CustomStringConvertible {
    public var description: String
    public var status: Int32
    public init(_ description: String, status: Int32 = 1) {
        self.description = description
        self.status = status
    }
}

/// Where a command reads and writes: the process's streams, or buffers in tests.
public final class CommandIO: @unchecked Sendable {
    /// Reads all of standard input.
    public var readStandardInput: () throws -> [UInt8]
    /// Writes to standard output; throws when the reader has gone (closed pipe).
    public var writeStandardOutput: ([UInt8]) throws -> Void
    /// Writes to standard error (errors there are ignored).
    public var writeStandardError: ([UInt8]) -> Void
    /// Whether stderr is a terminal (live progress lines are drawn only then).
    public var standardErrorIsTerminal: Bool

    public init(readStandardInput: @escaping () throws -> [UInt8],
                writeStandardOutput: @escaping ([UInt8]) throws -> Void,
                writeStandardError: @escaping ([UInt8]) -> Void,
                standardErrorIsTerminal: Bool = false) {
        self.readStandardInput = readStandardInput
        self.writeStandardOutput = writeStandardOutput
        self.writeStandardError = writeStandardError
        self.standardErrorIsTerminal = standardErrorIsTerminal
    }

    /// The process's own streams.
    public static func process() -> CommandIO {
        CommandIO(
            readStandardInput: { try FileDescriptorIO.readAll(fd: 0, name: "standard input") },
            writeStandardOutput: { try FileDescriptorIO.writeAll(fd: 1, $0, name: "standard output") },
            writeStandardError: { try? FileDescriptorIO.writeAll(fd: 2, $0, name: "standard error") },
            standardErrorIsTerminal: isatty(2) != 0)
    }

    /// Buffers, for tests: `stdin` is the input; output accumulates in `output` and `errors`.
    public static func buffers(stdin: [UInt8] = []) -> (CommandIO, CapturedOutput) {
        let captured = CapturedOutput()
        let io = CommandIO(readStandardInput: { stdin },
                           writeStandardOutput: { captured.output.append(contentsOf: $0) },
                           writeStandardError: { captured.errors.append(contentsOf: $0) })
        return (io, captured)
    }

    public func out(_ text: String) throws { try writeStandardOutput(Array(text.utf8)) }
    public func err(_ text: String) { writeStandardError(Array(text.utf8)) }
}

/// What a command wrote, in tests.
public final class CapturedOutput: @unchecked Sendable {
    public var output: [UInt8] = []
    public var errors: [UInt8] = []
    public var outputText: String { String(decoding: output, as: UTF8.self) }
    public var errorText: String { String(decoding: errors, as: UTF8.self) }
}

/// Plain POSIX reads and writes, with errors as one-line `CommandError`s.
public enum FileDescriptorIO {
    /// Reads until end of file. Regular files are read straight into a buffer of their size.
    public static func readAll(fd: Int32, name: String) throws -> [UInt8] {
        var status = stat()
        var capacity = 1 << 16
        if fstat(fd, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG && status.st_size > 0 {
            capacity = Int(status.st_size) + 1
        }
        var result = [UInt8](repeating: 0, count: capacity)
        var filled = 0
        while true {
            if filled == result.count { result.append(contentsOf: repeatElement(0, count: result.count)) }
            let count = result.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw CommandError("\(name): \(String(cString: strerror(errno)))")
            }
            filled += count
        }
        result.removeSubrange(filled...)
        return result
    }

    public static func writeAll(fd: Int32, _ bytes: [UInt8], name: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CommandError("error writing \(name): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }
}

/// Files: reading with clear errors, and atomic writes (temporary file + rename).
public enum Files {
    /// Reads a whole file, or standard input for `-`.
    public static func read(_ path: String, io: CommandIO) throws -> [UInt8] {
        if path == "-" { return try io.readStandardInput() }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CommandError("\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        if fstat(fd, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            throw CommandError("\(path): is a directory")
        }
        return try FileDescriptorIO.readAll(fd: fd, name: path)
    }

    /// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so
    /// readers never see a half-written file.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw CommandError("\(path): cannot write: \(String(cString: strerror(errno)))") }
        do {
            try FileDescriptorIO.writeAll(fd: fd, bytes, name: path)
            guard fsync(fd) == 0 || errno == EINVAL else {
                throw CommandError("\(path): \(String(cString: strerror(errno)))")
            }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw CommandError("\(path): cannot write: \(message)")
        }
    }

    public static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
