import Compressor
import ImageReader
import Randomness

/// Kernel images built from our own generators' tables, for the finder's tests: the tables
/// laid out in an era's order between random bytes, raw or inside an ELF file.
struct SyntheticImage {
    var era: Era
    var options: KallsymsOptions
    var wordSize: Int
    var byteOrder: ByteOrder
    /// The address of the image's first byte.
    var loadAddress: UInt64
    var run: KallsymsRun
    /// The memory image (no container).
    var bytes: [UInt8]
    /// What decoding must give.
    var expected: [DecodedSymbol]

    /// An `nm -n` map of about `count` symbols: text from `_text` up, per-cpu symbols at 0
    /// when `percpu` (x86_64 style), names from a small vocabulary so that they compress.
    static func map(count: Int, wordSize: Int, percpu: Bool, random: inout SeededRandom) -> [UInt8] {
        let text: UInt64 = wordSize == 8 ? 0xFFFF_FFFF_8100_0000 : 0xC000_8000
        let words = ["init", "page", "alloc", "lock", "irq", "sched", "task", "net", "dev", "read", "write", "map", "cpu"]
        var lines: [String] = []
        func line(_ address: UInt64, _ type: String, _ name: String) {
            let digits = String(address, radix: 16)
            lines.append(String(repeating: "0", count: max(0, 2 * wordSize - digits.count)) + digits + " \(type) \(name)")
        }
        if percpu {
            line(0, "D", "__per_cpu_start")
            for k in 0..<20 { line(UInt64(k * 64), "D", "percpu_var_\(k)") }
            line(0x2000, "D", "__per_cpu_end")
        }
        line(text, "T", "_text")
        line(text, "T", "_stext")
        var address = text
        for k in 0..<count {
            address += UInt64.random(in: 0...64, using: &random) & ~3
            let name = (0..<Int.random(in: 1...3, using: &random)).map { _ in words.randomElement(using: &random)! }.joined(separator: "_")
            line(address, ["T", "t", "D", "d", "R", "b", "W"].randomElement(using: &random)!, "\(name)_\(k)")
        }
        line(address + 16, "T", "_etext")
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    init(era: Era, options: KallsymsOptions, wordSize: Int, byteOrder: ByteOrder, count: Int = 600, seed: UInt64 = 1) throws {
        var random = SeededRandom(seed: seed)
        let input = Self.map(count: count, wordSize: wordSize, percpu: options.absolutePercpu, random: &random)
        self.era = era
        self.options = options
        self.wordSize = wordSize
        self.byteOrder = byteOrder
        run = try era.generate(input, options: options)
        loadAddress = wordSize == 8 ? 0xFFFF_FFFF_8100_0000 : 0xC000_8000
        expected = run.selection.symbols.map { DecodedSymbol(address: $0.address, type: $0.type, name: $0.name) }
        let textAddress = run.selection.symbols.first { $0.name == Array("_text".utf8) }?.address ?? 0
        let tables = run.tables
        let layout = tables.layout(era: era, target: wordSize == 8 ? .x86_64 : .arm32)
        let prefix = 8192
        var bytes = (0..<prefix).map { _ in UInt8.random(in: 0...255, using: &random) }
        bytes += [UInt8](repeating: 0, count: layout.totalSize)
        bytes += (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        let order = byteOrder
        func put(_ value: UInt64, _ size: Int, at offset: Int) {
            for k in 0..<size {
                let shift = order == .little ? 8 * k : 8 * (size - 1 - k)
                bytes[offset + k] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
            }
        }
        let countSize = era.rules.countsArePointerSized ? wordSize : 4
        let loadAddress = self.loadAddress
        for entry in layout.entries {
            let at = prefix + entry.offset
            switch entry.name {
            case "kallsyms_num_syms": put(UInt64(tables.symbolCount), countSize, at: at)
            case "kallsyms_names": bytes.replaceSubrange(at..<(at + entry.size), with: tables.names)
            case "kallsyms_markers": for (k, marker) in tables.markers.enumerated() { put(UInt64(marker), countSize, at: at + k * countSize) }
            case "kallsyms_token_table": bytes.replaceSubrange(at..<(at + entry.size), with: tables.tokenTable)
            case "kallsyms_token_index": for (k, value) in tables.tokenIndex.enumerated() { put(UInt64(value), 2, at: at + 2 * k) }
            case "kallsyms_addresses":
                guard case .addresses(let entries) = tables.addresses else { fatalError() }
                for (k, value) in entries.enumerated() { put(value.resolved(text: textAddress), wordSize, at: at + k * wordSize) }
            case "kallsyms_offsets":
                switch tables.addresses {
                case .baseRelative(let offsets, _, _): for (k, value) in offsets.enumerated() { put(UInt64(value), 4, at: at + 4 * k) }
                case .absolute32(let values): for (k, value) in values.enumerated() { put(UInt64(value), 4, at: at + 4 * k) }
                case .textRelative(let values):
                    for (k, value) in values.enumerated() {
                        let slot = loadAddress &+ UInt64(at + 4 * k)
                        let target = textAddress &+ UInt64(bitPattern: Int64(value))
                        put(UInt64(UInt32(truncatingIfNeeded: target &- slot)), 4, at: at + 4 * k)
                    }
                default: fatalError("unexpected address table")
                }
            case "kallsyms_relative_base":
                guard case .baseRelative(_, let base, _) = tables.addresses else { fatalError() }
                put(base.resolved(text: textAddress), wordSize, at: at)
            case "kallsyms_seqs_of_names":
                for (k, value) in (tables.seqsOfNames ?? []).enumerated() {
                    bytes[at + 3 * k] = UInt8(value >> 16)
                    bytes[at + 3 * k + 1] = UInt8((value >> 8) & 0xFF)
                    bytes[at + 3 * k + 2] = UInt8(value & 0xFF)
                }
            default: fatalError("unexpected table \(entry.name)")
            }
        }
        self.bytes = bytes
    }

    /// The image inside an ELF file with one `PT_LOAD` segment at `loadAddress`.
    var elf: [UInt8] {
        let is64 = wordSize == 8
        let headerSize = is64 ? 64 : 52
        let programHeaderSize = is64 ? 56 : 32
        let dataOffset = 4096
        var file = [UInt8](repeating: 0, count: dataOffset)
        let order = byteOrder
        func put(_ value: UInt64, _ size: Int, at offset: Int) {
            for k in 0..<size {
                let shift = order == .little ? 8 * k : 8 * (size - 1 - k)
                file[offset + k] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
            }
        }
        file[0...3] = [0x7F, 0x45, 0x4C, 0x46]
        file[4] = is64 ? 2 : 1
        file[5] = order == .little ? 1 : 2
        file[6] = 1
        put(2, 2, at: 16)  // ET_EXEC
        put(is64 ? 62 : 40, 2, at: 18)
        put(1, 4, at: 20)
        let word = is64 ? 8 : 4
        put(UInt64(headerSize), word, at: is64 ? 32 : 28)  // e_phoff
        put(UInt64(headerSize), 2, at: is64 ? 52 : 40)
        put(UInt64(programHeaderSize), 2, at: is64 ? 54 : 42)
        put(1, 2, at: is64 ? 56 : 44)
        let ph = headerSize
        put(1, 4, at: ph)
        if is64 {
            put(5, 4, at: ph + 4)
            put(UInt64(dataOffset), 8, at: ph + 8)
            put(loadAddress, 8, at: ph + 16)
            put(loadAddress, 8, at: ph + 24)
            put(UInt64(bytes.count), 8, at: ph + 32)
            put(UInt64(bytes.count) + 0x10_0000, 8, at: ph + 40)
        } else {
            put(UInt64(dataOffset), 4, at: ph + 4)
            put(loadAddress, 4, at: ph + 8)
            put(loadAddress, 4, at: ph + 12)
            put(UInt64(bytes.count), 4, at: ph + 16)
            put(UInt64(bytes.count) + 0x10_0000, 4, at: ph + 20)
        }
        return file + bytes
    }
}
