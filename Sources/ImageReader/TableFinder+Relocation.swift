#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension TableFinder {
    /// The value a boot-time relocation writes into the 8-byte slot at `slotOffset` of an arm64
    /// Image, whose stored word is 0 (the kernel is linked with `-pie` and applies its own
    /// `R_AARCH64_RELATIVE` relocations, issue 18 point 2).
    ///
    /// The relocation table is in the Image: 24-byte `Elf64_Rela` entries of type 1027. Which
    /// one patches this slot depends on the link address, which the Image does not state; a
    /// candidate address (`r_offset` − `slotOffset`, 64 KiB aligned) is accepted when the slots
    /// of a sample of every relocation in the file hold 0, as they do only at the true one.
    /// Returns nil unless exactly one address passes.
    static func relocatedValue(_ bytes: UnsafeBufferPointer<UInt8>, slotOffset: Int, order: ByteOrder) -> UInt64? {
        let reader = WordReader(bytes: bytes, order: order)
        var relocations: [(offset: UInt64, addend: UInt64)] = []
        var position = 0
        while position + 24 <= bytes.count {
            if reader.word(at: position + 8, size: 8) == 1027 {
                relocations.append((reader.word(at: position, size: 8), reader.word(at: position + 16, size: 8)))
                position += 24
            } else {
                position += 8
            }
        }
        return relocatedValue(relocations, slotOffset: slotOffset, size: bytes.count) { reader.word(at: $0, size: 8) }
    }

    /// The same, for an Image in a file that is searched through a window (`StreamSearch`):
    /// the relocations are read in chunks, the sampled slots one word at a time.
    static func relocatedValue(file: Int32, size: Int, slotOffset: Int, order: ByteOrder) -> UInt64? {
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var relocations: [(offset: UInt64, addend: UInt64)] = []
        var chunkStart = 0
        var chunkCount = 0
        var position = 0
        chunk.withUnsafeMutableBufferPointer { buffer in
            while position + 24 <= size {
                if position + 24 > chunkStart + chunkCount {
                    // Refill from `position`; an entry never straddles the chunk's end.
                    chunkStart = position
                    chunkCount = max(0, pread(file, buffer.baseAddress, chunkSize, off_t(position)))
                    guard chunkCount >= 24 else { return }
                }
                let reader = WordReader(bytes: UnsafeBufferPointer(buffer), order: order)
                let at = position - chunkStart
                if reader.word(at: at + 8, size: 8) == 1027 {
                    relocations.append((reader.word(at: at, size: 8), reader.word(at: at + 16, size: 8)))
                    position += 24
                } else {
                    position += 8
                }
            }
        }
        return relocatedValue(relocations, slotOffset: slotOffset, size: size) { offset in
            var word = [UInt8](repeating: 0, count: 8)
            guard word.withUnsafeMutableBytes({ pread(file, $0.baseAddress, 8, off_t(offset)) }) == 8 else { return 1 }
            return word.withUnsafeBufferPointer { WordReader(bytes: $0, order: order).word(at: 0, size: 8) }
        }
    }

    /// The addend of the one relocation that patches `slotOffset` at the only link address
    /// under which every sampled relocation's slot in the file holds 0.
    static func relocatedValue(
        _ relocations: [(offset: UInt64, addend: UInt64)], slotOffset: Int, size: Int,
        word: (Int) -> UInt64
    ) -> UInt64? {
        guard relocations.count >= 16, size >= 8 else { return nil }
        let sample = stride(from: 0, to: relocations.count, by: max(1, relocations.count / 256)).map { relocations[$0] }
        var found: [UInt64] = []
        for relocation in relocations {
            let load = relocation.offset &- UInt64(slotOffset)
            guard load & 0xFFFF == 0 else { continue }
            var inside = 0
            var zero = true
            for other in sample {
                let slot = other.offset &- load
                guard slot <= UInt64(size - 8) else { continue }
                inside += 1
                if word(Int(slot)) != 0 {
                    zero = false
                    break
                }
            }
            if zero && inside * 2 > sample.count && !found.contains(relocation.addend) { found.append(relocation.addend) }
        }
        return found.count == 1 ? found[0] : nil
    }
}
