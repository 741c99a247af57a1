#if canImport(Glibc)
    import Glibc
#endif

/// The compressed-payload formats a kernel image can carry, each with its magic and the
/// system program that decompresses it (the kernel's own `scripts/extract-vmlinux` list).
public enum PayloadFormat: String, CaseIterable, Hashable, Sendable {
    case gzip, xz, lzma, zstd, lz4, lzo, bzip2

    /// The bytes a payload starts with.
    public var magic: [UInt8] {
        switch self {
        case .gzip: return [0x1F, 0x8B, 0x08]
        case .xz: return [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]
        case .lzma: return [0x5D, 0x00, 0x00, 0x00]
        case .zstd: return [0x28, 0xB5, 0x2F, 0xFD]
        case .lz4: return [0x02, 0x21, 0x4C, 0x18]
        case .lzo: return [0x89, 0x4C, 0x5A, 0x4F]
        case .bzip2: return [0x42, 0x5A, 0x68]
        }
    }

    /// The program and its arguments: decompress standard input to standard output.
    /// Data after the payload (a zImage's size word, a bzImage's trailer) is ignored where the program can.
    public var command: (program: String, arguments: [String]) {
        switch self {
        case .gzip: return ("gzip", ["-dc"])
        case .xz: return ("xz", ["-dc", "--single-stream"])
        case .lzma: return ("xz", ["-dc", "--format=lzma"])
        case .zstd: return ("zstd", ["-dcq"])
        case .lz4: return ("lz4", ["-dc"])
        case .lzo: return ("lzop", ["-dc"])
        case .bzip2: return ("bzip2", ["-dc"])
        }
    }

    /// The Debian package that installs the program.
    public var debianPackage: String {
        switch self {
        case .gzip: return "gzip"
        case .xz, .lzma: return "xz-utils"
        case .zstd: return "zstd"
        case .lz4: return "lz4"
        case .lzo: return "lzop"
        case .bzip2: return "bzip2"
        }
    }

    /// The format whose magic starts with each byte value, if any (no two formats share a first byte).
    private static let formatByFirstByte: [PayloadFormat?] = {
        var table = [PayloadFormat?](repeating: nil, count: 256)
        for format in allCases { table[Int(format.magic[0])] = format }
        return table
    }()

    private static let magics: [PayloadFormat: [UInt8]] = Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.magic) })

    /// The first offset at or after `start` where a payload of some format may start.
    public static func nextCandidate(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (offset: Int, format: PayloadFormat)? {
        guard bytes.count >= 4, start < bytes.count - 3 else { return nil }
        return formatByFirstByte.withUnsafeBufferPointer { table in
            for offset in start..<(bytes.count - 3) {
                guard let format = table[Int(bytes[offset])] else { continue }
                let magic = magics[format]!
                guard offset + magic.count <= bytes.count else { continue }
                var matches = true
                for k in 1..<magic.count where bytes[offset + k] != magic[k] {
                    matches = false
                    break
                }
                if matches && format == .bzip2 {
                    // "BZh" then a block size digit and the block magic 0x314159265359.
                    matches =
                        offset + 10 <= bytes.count && (0x31...0x39).contains(bytes[offset + 3])
                        && bytes[offset + 4] == 0x31 && bytes[offset + 5] == 0x41 && bytes[offset + 6] == 0x59
                }
                if matches { return (offset, format) }
            }
            return nil
        }
    }

    /// Every offset where a payload of some format may start, in file order (at most `limit`).
    public static func candidates(in bytes: UnsafeBufferPointer<UInt8>, limit: Int = 64) -> [(offset: Int, format: PayloadFormat)] {
        var result: [(offset: Int, format: PayloadFormat)] = []
        var start = 0
        while result.count < limit, let candidate = nextCandidate(in: bytes, from: start) {
            result.append(candidate)
            start = candidate.offset + 1
        }
        return result
    }
}

/// Runs a system decompressor on a file from an offset, with a bound on the output.
public enum Decompressor {
    /// The path of `program` on `PATH`, or nil.
    public static func locate(_ program: String, searchPath: String? = nil) -> String? {
        let path = searchPath ?? getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = directory + "/" + program
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// What came out of the program: its output (possibly cut at `limit`) and whether it
    /// reported success. Decompressors fail on data after the payload, so a failure with
    /// output is still worth searching.
    public struct Output {
        public var storage: Storage
        public var succeeded: Bool
        public var reachedLimit: Bool

        /// The decompressed bytes, valid while `storage` lives.
        public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage.base, count: storage.count) }
    }

    /// A buffer grown with `realloc`, which moves large blocks by remapping pages rather than
    /// copying them: a 66 MB payload never exists twice (an array doubling would hold 64 + 128 MB).
    public final class Storage {
        var base: UnsafeMutablePointer<UInt8>?
        var count = 0
        var capacity = 0

        init() {}

        func reserve(_ extra: Int) {
            guard count + extra > capacity else { return }
            let newCapacity = max(count + extra, capacity * 2, 1 << 20)
            guard let grown = realloc(base, newCapacity) else { fatalError("out of memory for \(newCapacity) bytes") }
            base = grown.assumingMemoryBound(to: UInt8.self)
            capacity = newCapacity
        }

        deinit { free(base) }
    }

    /// A decompressor started on a file from an offset, its output read as it comes
    /// (`StreamSearch` reads it and stops it once the tables are found).
    public final class Running {
        let child: Child
        private var stopped = false

        init(child: Child) { self.child = child }

        /// Reads up to `count` bytes of output into `buffer`: the count read, 0 at the end, < 0 on error.
        func read(_ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
            while true {
                let got = Glibc.read(child.output, buffer, count)
                if got < 0 && errno == EINTR { continue }
                return got
            }
        }

        /// Stops the program if it still runs (its output is no longer wanted) and waits for it.
        /// Returns whether it had finished by itself with exit status 0.
        @discardableResult
        func finish(stopping: Bool) -> Bool {
            guard !stopped else { return false }
            stopped = true
            return child.finish(stopping: stopping) && !stopping
        }

        deinit { finish(stopping: true) }
    }

    /// A program started with `posix_spawn`, its standard output a pipe we read. (Foundation's
    /// `Process` costs about 5 MB of peak memory in a static binary, as much as the rest of a
    /// small image's decoding: `/usr/bin/time` on a program that only runs `/bin/true` with it,
    /// 13.3 MB, against 8.3 MB for one that only touches Foundation.)
    struct Child {
        let pid: pid_t
        /// The read end of the pipe.
        let output: Int32

        /// Closes the pipe, kills the program first when `stopping`, and waits for it; whether
        /// it exited by itself with status 0.
        func finish(stopping: Bool) -> Bool {
            if stopping { kill(pid, SIGKILL) }
            close(output)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                guard errno == EINTR else { return false }
            }
            // WIFEXITED and WEXITSTATUS.
            return status & 0x7F == 0 && (status >> 8) & 0xFF == 0
        }
    }

    /// Runs `format`'s program (found on `searchPath` or `PATH`) with `file` from `offset` on its
    /// standard input and its output in a pipe (of 1 MiB when `largePipe`: fewer switches
    /// between the decompressor and the search). A missing program names its Debian package.
    private static func launch(
        _ format: PayloadFormat, file: String, offset: Int, searchPath: String?,
        largePipe: Bool
    ) throws -> Child {
        let command = format.command
        guard let program = locate(command.program, searchPath: searchPath) else {
            throw ImageError(
                "\(command.program) not found on PATH: it decompresses the \(format.rawValue) payload at "
                    + "\(hex(offset)) (Debian package \(format.debianPackage))")
        }
        let input = open(file, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw ImageError("\(file): \(String(cString: strerror(errno)))") }
        guard lseek(input, off_t(offset), SEEK_SET) == off_t(offset) else {
            close(input)
            throw ImageError("\(file): cannot seek to \(hex(offset))")
        }
        defer { close(input) }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ImageError("cannot make a pipe: \(String(cString: strerror(errno)))") }
        // Close-on-exec on both ends (pipe2 is not exported by Glibc's module).
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let setPipeSize: Int32 = 1031  // F_SETPIPE_SZ, not exported by Glibc
        if largePipe { _ = fcntl(fds[1], setPipeSize, 1 << 20) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copies: the program gets the file and the pipe's
        // write end as 0 and 1, and nothing else of ours.
        posix_spawn_file_actions_adddup2(&actions, input, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + command.arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, program, &actions, nil, argv, environ)
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw ImageError("cannot run \(program): \(String(cString: strerror(status)))")
        }
        return Child(pid: pid, output: fds[0])
    }

    /// Starts `format`'s program on `file` from `offset`, its output in a pipe.
    public static func start(_ format: PayloadFormat, file: String, offset: Int, searchPath: String? = nil) throws -> Running {
        Running(child: try launch(format, file: file, offset: offset, searchPath: searchPath, largePipe: true))
    }

    /// Decompresses `file` from `offset` with `format`'s program, reading at most `limit` bytes of output.
    public static func run(_ format: PayloadFormat, file: String, offset: Int, limit: Int, searchPath: String? = nil) throws -> Output {
        let child = try launch(format, file: file, offset: offset, searchPath: searchPath, largePipe: false)
        let storage = Storage()
        var reachedLimit = false
        while true {
            if storage.count >= limit {
                reachedLimit = true
                break
            }
            let want = min(1 << 20, limit - storage.count)
            storage.reserve(want)
            let got = read(child.output, storage.base! + storage.count, want)
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
            storage.count += got
        }
        let succeeded = child.finish(stopping: reachedLimit)
        return Output(storage: storage, succeeded: !reachedLimit && succeeded, reachedLimit: reachedLimit)
    }
}
