import Compressor
import Generators
import ImageReader

/// `profile --calls IMAGE`: a call profile learned from a kernel image (`CallProfile.learn`).
enum CallProfileCommand {
    /// Decompressed payloads larger than this are not read (a kernel is far smaller).
    static let payloadLimit = 1 << 30

    static func learn(_ path: String, arguments: ParsedArguments, io: CommandIO) throws -> CallProfile {
        if arguments.has("--swift") { throw UsageError("--swift does not go with --calls") }
        guard path != "-" else { throw UsageError("--calls needs an IMAGE file (its payload is read from any offset), not standard input") }
        let bytes = try Files.read(path, io: io)
        let symbols: [SymbolRecord]
        if let map = arguments.value("--map") {
            let parsed = try withInput(map, io: io) { try MapInput.parse($0) }
            for warning in parsed.warnings { io.err(warning.located(in: displayName(map)) + "\n") }
            symbols = parsed.records
        } else {
            let report: ImageReport
            do {
                report = try ImageInput.read(path, io: io, options: ImageOptions())
            } catch let error as CommandError {
                throw CommandError("\(error.description); give the image's System.map with --map")
            }
            symbols = report.tables.symbols.map { SymbolRecord(address: $0.address, type: $0.type, name: $0.name) }
        }
        var instructions: CallProfile.InstructionSet?
        if let text = arguments.value("--instructions") {
            guard let set = CallProfile.InstructionSet(rawValue: text) else {
                throw UsageError("--instructions takes arm or arm64, not \(text)")
            }
            instructions = set
        }
        let source = displayName(path) + (arguments.value("--map").map { ", " + displayName($0) } ?? ", its kallsyms tables")
        return try bytes.withUnsafeBufferPointer { buffer in
            if ELFFile.isELF(buffer) {
                let elf: ELFFile
                do { elf = try ELFFile(buffer) } catch { throw CommandError("\(path): \(error)") }
                let machine: CallProfile.InstructionSet? = elf.machine == 40 ? .arm : elf.machine == 183 ? .arm64 : nil
                guard let set = instructions ?? machine else {
                    throw CommandError("\(path): ELF machine \(elf.machine) is neither ARM (40) nor AArch64 (183)")
                }
                if let machine, let instructions, machine != instructions {
                    throw UsageError("--instructions \(instructions.rawValue) contradicts \(path)'s ELF header (\(machine.rawValue))")
                }
                let segments = elf.segments.map { (address: $0.virtualAddress, offset: $0.offset, size: $0.size) }
                return try located(path) {
                    try CallProfile.learn(image: buffer, placement: .segments(segments), symbols: symbols, instructions: set, source: source)
                }
            }
            let set = instructions ?? (symbols.contains { $0.address > 0xFFFF_FFFF } ? .arm64 : .arm)
            let direct = Result { () throws(CallProfileError) in
                try CallProfile.learn(image: buffer, placement: .raw, symbols: symbols, instructions: set, source: source)
            }
            if case .success(let profile) = direct { return profile }
            // A compressed kernel: learn from the first payload that decompresses to code.
            for candidate in PayloadFormat.candidates(in: buffer, limit: 16) {
                guard let output = try? Decompressor.run(candidate.format, file: path, offset: candidate.offset, limit: payloadLimit),
                    output.bytes.count >= 1 << 16
                else { continue }
                let learned = Result { () throws(CallProfileError) in
                    try CallProfile.learn(image: output.bytes, placement: .raw, symbols: symbols, instructions: set, source: source)
                }
                if case .success(let profile) = learned { return profile }
            }
            return try located(path) { try direct.get() }
        }
    }

    private static func located<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as CallProfileError { throw CommandError("\(path): \(error.description)") }
    }
}
