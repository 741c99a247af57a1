import Foundation
import Synchronization

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
public final class CommandIO: Sendable {
    /// Reads all of standard input.
    public let readStandardInput: @Sendable () throws -> [UInt8]
    /// Writes to standard output; throws when the reader has gone (closed pipe).
    public let writeStandardOutput: @Sendable ([UInt8]) throws -> Void
    /// Writes a chunk to standard output without copying it; nil: through `writeStandardOutput`.
    public let writeStandardOutputChunk: (@Sendable (UnsafeBufferPointer<UInt8>) throws -> Void)?
    /// Writes to standard error (errors there are ignored); progress lines come from worker
    /// threads, so it must be safe to call from several at once.
    public let writeStandardError: @Sendable ([UInt8]) -> Void
    /// Whether stderr is a terminal (live progress lines are drawn only then).
    public let standardErrorIsTerminal: Bool
    /// Whether the process ends when the command returns (the process's own streams).
    public let processEndsAfterCommand: Bool

    public init(
        readStandardInput: @escaping @Sendable () throws -> [UInt8],
        writeStandardOutput: @escaping @Sendable ([UInt8]) throws -> Void,
        writeStandardOutputChunk: (@Sendable (UnsafeBufferPointer<UInt8>) throws -> Void)? = nil,
        writeStandardError: @escaping @Sendable ([UInt8]) -> Void,
        standardErrorIsTerminal: Bool = false,
        processEndsAfterCommand: Bool = false
    ) {
        self.readStandardInput = readStandardInput
        self.writeStandardOutput = writeStandardOutput
        self.writeStandardOutputChunk = writeStandardOutputChunk
        self.writeStandardError = writeStandardError
        self.standardErrorIsTerminal = standardErrorIsTerminal
        self.processEndsAfterCommand = processEndsAfterCommand
    }

    /// The process's own streams.
    public static func process() -> CommandIO {
        CommandIO(
            readStandardInput: { try FileDescriptorIO.readAll(fd: 0, name: "standard input") },
            writeStandardOutput: { try FileDescriptorIO.writeAll(fd: 1, $0, name: "standard output") },
            writeStandardOutputChunk: { try FileDescriptorIO.writeAll(fd: 1, UnsafeRawBufferPointer($0), name: "standard output") },
            writeStandardError: { try? FileDescriptorIO.writeAll(fd: 2, $0, name: "standard error") },
            standardErrorIsTerminal: isatty(2) != 0,
            processEndsAfterCommand: true)
    }

    /// Buffers, for tests: `stdin` is the input; output accumulates in `output` and `errors`
    /// (unless `writeStandardOutput` replaces the output buffer, e.g. by a closed pipe).
    public static func buffers(
        stdin: [UInt8] = [], standardErrorIsTerminal: Bool = false,
        writeStandardOutput: (@Sendable ([UInt8]) throws -> Void)? = nil
    ) -> (CommandIO, CapturedOutput) {
        let captured = CapturedOutput()
        let io = CommandIO(
            readStandardInput: { stdin },
            writeStandardOutput: writeStandardOutput ?? { captured.appendOutput($0) },
            writeStandardError: { captured.appendErrors($0) },
            standardErrorIsTerminal: standardErrorIsTerminal)
        return (io, captured)
    }

    /// Keeps `value` alive until the process exits when the process ends after this command,
    /// so that its memory is not freed block by block (about 45 000 blocks after a `compress`
    /// of a kernel map) only for the kernel to take it all back a moment later. In tests
    /// (`buffers`) the value is released as usual.
    public func keepUntilExit<T>(_ value: T) {
        guard processEndsAfterCommand else { return }
        _ = Unmanaged.passRetained(Kept(value))
    }

    private final class Kept<T> {
        let value: T
        init(_ value: T) { self.value = value }
    }

    public func out(_ text: String) throws { try writeStandardOutput(Array(text.utf8)) }
    public func err(_ text: String) { writeStandardError(Array(text.utf8)) }

    /// Writes the chunks `produce` hands its writer to standard output, or atomically to
    /// `path` when one is given; an error stops the writing and is thrown. Each chunk is copied
    /// into the writer's buffers (`BackgroundWriter.copy`), so `produce` may reuse its own.
    public func write(to path: String?, _ produce: ((UnsafeBufferPointer<UInt8>) -> Void) -> Void) throws {
        try write(to: path, chunkSize: BackgroundWriter.copyingChunkSize) { first, handOver in
            BackgroundWriter.copy(produce, into: first, handingOver: handOver)
        }
    }

    /// `write(to:_:)` for a producer that fills buffers of `chunkSize` bytes and hands each
    /// one over for good, written on a second thread while the next is filled
    /// (`BackgroundWriter.run(into:chunkSize:handingOver:)`): no copies.
    public func write(
        to path: String?, chunkSize: Int,
        handingOver produce: (
            _ first: UnsafeMutableBufferPointer<UInt8>,
            _ handOver: (UnsafeBufferPointer<UInt8>) -> UnsafeMutableBufferPointer<UInt8>
        ) -> Void
    ) throws {
        if let path {
            try Files.writeAtomically(to: path) { write in
                try BackgroundWriter.run(into: write, chunkSize: chunkSize, handingOver: produce)
            }
        } else {
            let standardOutput = writeStandardOutputChunk ?? { try self.writeStandardOutput(Array($0)) }
            try BackgroundWriter.run(into: standardOutput, chunkSize: chunkSize, handingOver: produce)
        }
    }
}

/// What a command wrote, in tests (progress lines may come from worker threads).
public final class CapturedOutput: Sendable {
    private let streams = Mutex((output: [UInt8](), errors: [UInt8]()))
    public var output: [UInt8] { streams.withLock { $0.output } }
    public var errors: [UInt8] { streams.withLock { $0.errors } }
    public var outputText: String { String(decoding: output, as: UTF8.self) }
    public var errorText: String { String(decoding: errors, as: UTF8.self) }
    func appendOutput(_ bytes: [UInt8]) { streams.withLock { $0.output.append(contentsOf: bytes) } }
    func appendErrors(_ bytes: [UInt8]) { streams.withLock { $0.errors.append(contentsOf: bytes) } }
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
        try bytes.withUnsafeBytes { try writeAll(fd: fd, $0, name: name) }
    }

    public static func writeAll(fd: Int32, _ buffer: UnsafeRawBufferPointer, name: String) throws {
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

    /// Calls `body` with the contents of a file (or standard input for `-`). A regular file is
    /// mapped rather than read: its pages come straight from the page cache, with no copy and
    /// no zero-filled buffer. `body` must not keep the buffer.
    public static func withContents<R>(_ path: String, io: CommandIO, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        if path != "-" {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw CommandError("\(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            var status = stat()
            if fstat(fd, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
                throw CommandError("\(path): is a directory")
            }
            if (status.st_mode & S_IFMT) == S_IFREG && status.st_size > 0 {
                let size = Int(status.st_size)
                let address = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)
                if let address, address != MAP_FAILED {
                    defer { munmap(address, size) }
                    return try body(UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size))
                }
            }
        }
        let bytes = try read(path, io: io)
        return try bytes.withUnsafeBufferPointer(body)
    }

    /// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so
    /// readers never see a half-written file. `syncing`: as in `writeAtomically(to:syncing:_:)`.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, syncing: Bool = false) throws {
        try writeAtomically(to: path, syncing: syncing) { write in try bytes.withUnsafeBufferPointer { try write($0) } }
    }

    /// Writes what `produce` hands its writer to `path` atomically (temporary file and rename),
    /// chunk by chunk; nothing is left behind when `produce` or a write fails.
    ///
    /// The file written is the one `path` names: a symbolic link is followed (the link stays,
    /// its target is replaced), a file that exists keeps its permission bits, and what is not a
    /// regular file (`/dev/null`, a FIFO, a terminal) is written in place, since a renamed file
    /// would replace it rather than write to it.
    ///
    /// `syncing` waits for the file to reach the disk before it takes the path's name, so that
    /// after a power loss the path holds the old file or the whole new one. That is for what a
    /// long run found and cannot cheaply find again (a campaign's findings, a failing case).
    /// Outputs that a command makes again in milliseconds (a `.S`, a map, an ELF) are left to
    /// the kernel's writeback, as a compiler's or a linker's are: on a virtual disk the wait
    /// is 3 ms for the armhf `.S` and about 17 ms for a 29 MB one (docs/lab-results.md).
    public static func writeAtomically(
        to path: String, syncing: Bool = false,
        _ produce: ((UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Void
    ) throws {
        // What the path names, through any links (`/dev/stdout` is a pipe or a terminal here).
        var existing = stat()
        let exists = stat(path, &existing) == 0
        if exists && (existing.st_mode & S_IFMT) == S_IFDIR { throw CommandError("\(path): is a directory") }
        if exists && (existing.st_mode & S_IFMT) != S_IFREG { return try writeInPlace(path, name: path, produce) }
        let target = try followingLinks(path)
        let directory = (target as NSString).deletingLastPathComponent
        let base = (target as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw CommandError("\(path): cannot write: \(String(cString: strerror(errno)))") }
        do {
            if exists { _ = fchmod(fd, existing.st_mode & 0o7777) }
            try produce { chunk in try FileDescriptorIO.writeAll(fd: fd, UnsafeRawBufferPointer(chunk), name: path) }
            guard !syncing || fsync(fd) == 0 || errno == EINVAL else { throw CommandError("\(path): \(String(cString: strerror(errno)))") }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        // Unsynced, a file system that writes back later (NFS, say) reports its errors here.
        guard close(fd) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw CommandError("\(path): cannot write: \(message)")
        }
        guard rename(temporary, target) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw CommandError("\(path): cannot write: \(message)")
        }
    }

    /// `path` with every symbolic link along its last component followed (a link may name a
    /// target that does not exist yet: writing creates it, as the shell's `>` does).
    static func followingLinks(_ path: String) throws -> String {
        var current = path
        for _ in 0..<40 {
            var status = stat()
            guard lstat(current, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { throw CommandError("\(path): \(String(cString: strerror(errno)))") }
            let link = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(link)
        }
        throw CommandError("\(path): too many levels of symbolic links")
    }

    /// Writes to something that is not a regular file (a device, a FIFO) where it is.
    private static func writeInPlace(
        _ target: String, name: String, _ produce: ((UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Void
    ) throws {
        let fd = open(target, O_WRONLY)
        guard fd >= 0 else { throw CommandError("\(name): cannot write: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try produce { chunk in try FileDescriptorIO.writeAll(fd: fd, UnsafeRawBufferPointer(chunk), name: name) }
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
