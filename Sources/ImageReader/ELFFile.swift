/// The parts of an ELF file the finder needs: class, byte order, machine and loaded segments.
public struct ELFFile: Sendable {
    public var is64Bit: Bool
    public var byteOrder: ByteOrder
    public var machine: UInt16
    public var segments: [SearchContext.Segment]

    /// Whether `bytes` start with the ELF magic.
    public static func isELF(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x7F && bytes[1] == 0x45 && bytes[2] == 0x4C && bytes[3] == 0x46
    }

    /// Reads the header and program headers; throws naming the field that is out of range.
    /// `bytes` may be the file's first bytes only (a payload being decompressed), as long as
    /// they hold the program headers; `fileSize` is then the whole file's size, when known.
    public init(_ bytes: UnsafeBufferPointer<UInt8>, fileSize: Int? = nil) throws {
        let totalSize = fileSize ?? bytes.count
        guard Self.isELF(bytes), bytes.count >= 52 else { throw ImageError("ELF header: file of \(bytes.count) bytes is too short") }
        guard bytes[4] == 1 || bytes[4] == 2 else { throw ImageError("ELF header: class \(bytes[4]) at offset 4 is neither 1 nor 2") }
        guard bytes[5] == 1 || bytes[5] == 2 else { throw ImageError("ELF header: data encoding \(bytes[5]) at offset 5 is neither 1 nor 2") }
        is64Bit = bytes[4] == 2
        byteOrder = bytes[5] == 1 ? .little : .big
        let reader = WordReader(bytes: bytes, order: byteOrder)
        guard !is64Bit || bytes.count >= 64 else { throw ImageError("ELF header: file of \(bytes.count) bytes is too short") }
        machine = UInt16(reader.word(at: 18, size: 2))
        let word = is64Bit ? 8 : 4
        let programHeaders = reader.word(at: is64Bit ? 32 : 28, size: word)
        let entrySize = Int(reader.word(at: is64Bit ? 54 : 42, size: 2))
        let entryCount = Int(reader.word(at: is64Bit ? 56 : 44, size: 2))
        guard
            entryCount == 0
                || (entrySize >= (is64Bit ? 56 : 32)
                    && programHeaders <= UInt64(bytes.count) && UInt64(entrySize * entryCount) <= UInt64(bytes.count) - programHeaders)
        else {
            throw ImageError("ELF header: \(entryCount) program headers of \(entrySize) bytes at \(hex(programHeaders)) do not fit in \(bytes.count) bytes")
        }
        segments = []
        for k in 0..<entryCount {
            let at = Int(programHeaders) + k * entrySize
            guard reader.word(at: at, size: 4) == 1 else { continue }  // PT_LOAD
            let offset, address, fileSize, memorySize: UInt64
            if is64Bit {
                offset = reader.word(at: at + 8, size: 8)
                address = reader.word(at: at + 16, size: 8)
                fileSize = reader.word(at: at + 32, size: 8)
                memorySize = reader.word(at: at + 40, size: 8)
            } else {
                offset = reader.word(at: at + 4, size: 4)
                address = reader.word(at: at + 8, size: 4)
                fileSize = reader.word(at: at + 16, size: 4)
                memorySize = reader.word(at: at + 20, size: 4)
            }
            guard offset <= UInt64(totalSize), fileSize <= UInt64(totalSize) - offset else {
                throw ImageError("ELF program header \(k): segment at \(hex(offset)) of \(hex(fileSize)) bytes runs past the end of the file")
            }
            segments.append(.init(offset: Int(offset), size: Int(fileSize), virtualAddress: address, memorySize: max(memorySize, fileSize)))
        }
    }

    /// The search context this file gives.
    public var context: SearchContext {
        SearchContext(byteOrder: byteOrder, wordSize: is64Bit ? 8 : 4, segments: segments)
    }
}
