import Compressor
import Foundation
import LinkModel

/// Links every image of a build with a real toolchain: the layout's main object is assembled
/// and its symbol-only objects written once; each pass's kallsyms `.S` (as `compress` writes
/// it) is assembled, the image linked with the layout's linker script, and `nm -n` of it read
/// back (docs/linkers.md).
///
/// All files live in one temporary folder, removed when the last copy of the linker goes.
/// With `comparesModel`, each link also runs the model on the same object and keeps the
/// lines where the two maps differ (`comparisons`).
public struct RealLinker: ImageLinker {
    public typealias Failure = Toolchain.Failure

    /// The tools.
    public let toolchain: Toolchain
    /// Which `nm` letters the maps carry: the real `nm`'s (modern), or 2012's emulated on the
    /// real placement from each symbol's output section name.
    public let letters: SymbolLetters
    let era: Era
    let kallsyms: KallsymsOptions
    let workspace: Workspace
    let objects: [String]
    let model: ModelLinker?
    /// One entry per link, in order, when comparing with the model.
    public private(set) var comparisons: [MapComparison] = []
    private var links = 0

    /// Prepares `plan`'s layout for real links with `toolchain`: writes the linker script,
    /// assembles the layout's main object and writes its objects of repeated names.
    /// - Throws: `Failure` for a layout the tools cannot take (a name the assembler refuses),
    ///   a mitigation without a real counterpart (`pad=B`), or a tool that fails.
    public init(plan: LinkPlan, toolchain: Toolchain, options: BuildOptions, comparesModel: Bool = false) throws(Failure) {
        guard options.padding == nil else {
            throw Failure("pad=B has no real-linker counterpart yet (the model pads each table's slot); use --linker model")
        }
        self.toolchain = toolchain
        letters = options.effectiveLetters
        era = options.era
        kallsyms = options.kallsyms
        var conventions = options.linkConventions
        conventions.linker = toolchain.kind.flavour
        model = comparesModel ? ModelLinker(plan: plan, conventions: conventions) : nil
        let input: LinkerInput
        do { input = try LinkerInput(plan) } catch { throw Failure("layout: \(error)") }
        do {
            workspace = try Workspace()
            try workspace.write(input.script, to: "layout.ld")
            try workspace.write(input.assembly, to: "layout.s")
            try Toolchain.run(toolchain.assembler + ["-o", "layout.o", "layout.s"], in: workspace.path)
            let main = try workspace.read("layout.o")
            var objects = ["layout.o"]
            for (index, repeated) in input.repeats.enumerated() {
                objects.append("dup\(index + 1).o")
                try workspace.write(try repeated.elf(like: main), to: objects[index + 1])
            }
            self.objects = objects
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("temporary files: \(error.localizedDescription)")
        }
    }

    /// Links the next image with `output`'s tables (assembled from the era's `.S`) and reads
    /// its map.
    public mutating func link(_ output: KallsymsOutput?, weakReferences: [[UInt8]]) throws(Failure) -> LinkedMap {
        links += 1
        let image = "image\(links)"
        var inputs = objects
        do {
            if let output {
                let assembly = AssemblyWriter.write(output.data, symbols: output.kept, era: era, options: kallsyms)
                try workspace.write(Self.preprocessed(assembly, target: toolchain.target), to: "kallsyms\(links).s")
                try Toolchain.run(toolchain.assembler + ["-o", "kallsyms\(links).o", "kallsyms\(links).s"], in: workspace.path)
                inputs.append("kallsyms\(links).o")
            }
            try Toolchain.run(toolchain.linker + ["-T", "layout.ld", "-o", image] + inputs, in: workspace.path)
            let listing = try Toolchain.output(of: toolchain.nm + ["-n", "-f", "sysv", image], in: workspace.path)
            let map = try NmListing.map(listing, letters: letters)
            if let model {
                let expected = model.link(output, weakReferences: weakReferences)
                comparisons.append(MapComparison(model: expected, real: map, tiesAreUnordered: toolchain.kind == .lld))
            }
            // Keep the folder small: the image is read; the next link writes its own.
            workspace.remove(image)
            return map
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("\(image): \(error)")
        }
    }

    /// The era's `.S` made assemblable without the kernel's headers, as the kernel's `cpp`
    /// makes it: `#include <asm/types.h>` goes, the `#if BITS_PER_LONG` branch for the target's
    /// word size is kept, and its `#define`d words (`PTR`, `ALGN`) are replaced where a line
    /// starts with them (the only place the generator writes them). Read byte by byte: an
    /// ARM-sized layout's `.S` has a few hundred thousand lines.
    static func preprocessed(_ text: [UInt8], target: TargetABI) -> [UInt8] {
        guard text.starts(with: "#include".utf8) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(text.count + 256)
        var branch: Bool? = nil  // inside #if: whether the active branch is taken
        var macros: [(name: ArraySlice<UInt8>, body: ArraySlice<UInt8>)] = []
        var first = true
        func emit<Line: Collection<UInt8>>(_ line: Line) {
            if !first { output.append(0x0A) }
            first = false
            output += line
        }
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        var start = 0
        while start <= text.count {
            let end = text[start...].firstIndex(of: 0x0A) ?? text.count
            let line = text[start..<end]
            start = end + 1
            guard line.first == UInt8(ascii: "#") else {
                if branch == false { continue }
                let word = line.firstIndex { !isBlank($0) } ?? line.endIndex
                let wordEnd = line[word...].firstIndex(where: isBlank) ?? line.endIndex
                if let macro = macros.first(where: { $0.name.elementsEqual(line[word..<wordEnd]) }) {
                    emit(line[..<word] + macro.body + line[wordEnd...])
                } else {
                    emit(line)
                }
                continue
            }
            if line.starts(with: "#include".utf8) { continue }
            if line.starts(with: "#if BITS_PER_LONG == 64".utf8) {
                branch = target.pointerSize == 8
                continue
            }
            if line.starts(with: "#else".utf8) {
                branch = branch.map { !$0 }
                continue
            }
            if line.starts(with: "#endif".utf8) {
                branch = nil
                continue
            }
            if branch == false { continue }
            if line.starts(with: "#define ".utf8) {
                let parts = line.dropFirst(8).split(separator: UInt8(ascii: " "), maxSplits: 1)
                if parts.count == 2 { macros.append((parts[0], parts[1])) }
                continue
            }
            emit(line)
        }
        return output
    }
}

/// A temporary folder, removed with its contents when the last reference goes.
final class Workspace: Sendable {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/kallsyms-lab-link-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw Toolchain.Failure("cannot create a temporary folder in \(NSTemporaryDirectory())")
        }
        path = String(cString: created)
    }

    func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + "/" + name)))
    }

    func remove(_ name: String) {
        try? FileManager.default.removeItem(atPath: path + "/" + name)
    }

    /// Set `KALLSYMS_LAB_KEEP_LINK_FILES=1` to keep the folder (its path goes to standard
    /// error) and look at the assembly, script and objects of a real link.
    deinit {
        if ProcessInfo.processInfo.environment["KALLSYMS_LAB_KEEP_LINK_FILES"] == "1" {
            FileHandle.standardError.write(Data("kallsyms-lab: link files kept in \(path)\n".utf8))
        } else {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
