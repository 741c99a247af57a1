import Compressor
import Foundation
import LinkModel
import Synchronization

/// A real toolchain that links layouts: GNU binutils for the layout's target, or the Swift
/// toolchain's LLVM tools (`clang` as the assembler, `ld.lld`, `llvm-nm`).
public struct Toolchain: Sendable {
    /// Which linker.
    public enum Kind: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
        case gnu
        case lld
        public var description: String { rawValue }
        /// The model's rules for empty sections that match this linker.
        public var flavour: LinkerFlavour { self == .gnu ? .gnu : .lld }
    }

    public let kind: Kind
    public let target: TargetABI
    /// Assembles a `.s` file: the program and its arguments before `-o OUT IN`.
    let assembler: [String]
    /// Links: the program and its arguments before `-T SCRIPT -o OUT OBJECTS…`.
    private(set) var linker: [String]
    /// Lists symbols: the program and its arguments before `IMAGE`.
    let nm: [String]
    /// `GNU ld (GNU Binutils for Debian) 2.40`, `LLD 21.0.0`: the linker's own first line.
    public let version: String

    /// This toolchain with `options` given to every link after its own (e.g. LLD's
    /// `--pic-veneer`, GNU ld's `--stub-group-size=N`). The model knows nothing of them: a
    /// build that compares the model's maps will differ wherever they change the link.
    public func adding(linkerOptions options: [String]) -> Toolchain {
        var copy = self
        copy.linker += options
        return copy
    }

    /// A missing program, bad output: one line naming the program.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        /// A program is not installed (nothing else can work either), as opposed to one that
        /// failed on its input.
        public var missingTool: Bool
        public init(_ description: String, missingTool: Bool = false) {
            self.description = description
            self.missingTool = missingTool
        }
    }

    /// Finds the tools for `kind` and `target` on `PATH`.
    /// - Throws: `Failure` naming the missing program and the package that provides it.
    public init(_ kind: Kind, target: TargetABI, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.kind = kind
        self.target = target
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        switch kind {
        case .gnu:
            let (prefix, package, asFlags, ldFlags): (String, String, [String], [String])
            switch target.name {
            case "arm": (prefix, package, asFlags, ldFlags) = ("arm-linux-gnueabihf-", "binutils-arm-linux-gnueabihf", [], [])
            case "arm64": (prefix, package, asFlags, ldFlags) = ("aarch64-linux-gnu-", "binutils-aarch64-linux-gnu", [], [])
            case "x86_64": (prefix, package, asFlags, ldFlags) = ("x86_64-linux-gnu-", "binutils-x86-64-linux-gnu", [], [])
            default: (prefix, package, asFlags, ldFlags) = ("x86_64-linux-gnu-", "binutils-x86-64-linux-gnu", ["--32"], ["-m", "elf_i386"])
            }
            func find(_ tool: String) throws -> String {
                guard let found = Self.which(prefix + tool, path: path) else {
                    throw Failure("\(prefix)\(tool) not found on PATH (Debian package \(package): apt-get install -y \(package))", missingTool: true)
                }
                return found
            }
            assembler = [try find("as")] + asFlags
            linker = [try find("ld")] + ldFlags + ["--no-warn-rwx-segments", "--no-warn-mismatch"]
            nm = [try find("nm")]
        case .lld:
            guard let ld = Self.which("ld.lld", path: path) else {
                throw Failure("ld.lld not found on PATH (it ships with the Swift toolchain, or Debian package lld)", missingTool: true)
            }
            // Prefer the tools installed beside ld.lld: one LLVM release.
            let directory = URL(fileURLWithPath: ld).resolvingSymlinksInPath().deletingLastPathComponent().path
            func find(_ tool: String) throws -> String {
                let sibling = directory + "/" + tool
                if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
                guard let found = Self.which(tool, path: path) else {
                    throw Failure("\(tool) not found beside \(ld) or on PATH (it ships with the Swift toolchain)", missingTool: true)
                }
                return found
            }
            let triple: String
            switch target.name {
            case "arm": triple = "armv7a-linux-gnueabihf"
            case "arm64": triple = "aarch64-linux-gnu"
            case "x86_64": triple = "x86_64-linux-gnu"
            default: triple = "i686-linux-gnu"
            }
            assembler = [try find("clang"), "--target=\(triple)", "-c", "-x", "assembler"]
            linker = [ld, "--no-rosegment", "-e", "0"]
            nm = [try find("llvm-nm")]
        }
        let output = try Self.run(linker + ["--version"])
        version = output.split(separator: "\n").first.map(String.init) ?? "\(kind)"
    }

    /// `name` resolved on `path`, if it is an executable file there.
    static func which(_ name: String, path: String) -> String? {
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `arguments` (program first) with `LC_ALL=C`; returns standard output.
    /// - Throws: `Failure` with the program's name and the first lines of its standard error
    ///   when it exits non-zero.
    @discardableResult
    static func run(_ arguments: [String], in directory: String? = nil) throws -> String {
        String(decoding: try output(of: arguments, in: directory), as: UTF8.self)
    }

    /// Runs `arguments` (program first) with `LC_ALL=C`; returns standard output's bytes.
    /// - Throws: as `run`.
    static func output(of arguments: [String], in directory: String? = nil) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        // Foundation's `waitUntilExit` polls a run loop and costs about 45 ms a program here
        // (a real build runs an assembler, the linker and `nm` each pass); the handler is
        // called as soon as the program is reaped.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch {
            throw Failure("\(arguments[0]): cannot run: \(error.localizedDescription)")
        }
        // Read standard error on another thread while standard output is read here, so that
        // neither pipe can fill up and block the program.
        let errorData = Mutex<Data?>(nil)
        let done = DispatchSemaphore(value: 0)
        let errorHandle = errors.fileHandleForReading
        Thread {
            let data = errorHandle.readDataToEndOfFile()
            errorData.withLock { $0 = data }
            done.signal()
        }.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        exited.wait()
        done.wait()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errorData.withLock { $0 } ?? Data(), as: UTF8.self)
                .split(separator: "\n").prefix(3).joined(separator: " / ")
            let name = URL(fileURLWithPath: arguments[0]).lastPathComponent
            throw Failure("\(name) failed (exit \(process.terminationStatus)): \(message)")
        }
        return [UInt8](data)
    }

}
