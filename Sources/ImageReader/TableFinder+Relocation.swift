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
        guard relocations.count >= 16 else { return nil }
        let sample = stride(from: 0, to: relocations.count, by: max(1, relocations.count / 256)).map { relocations[$0] }
        var found: [UInt64] = []
        for relocation in relocations {
            let load = relocation.offset &- UInt64(slotOffset)
            guard load & 0xFFFF == 0 else { continue }
            var inside = 0
            var zero = true
            for other in sample {
                let slot = other.offset &- load
                guard slot <= UInt64(bytes.count - 8) else { continue }
                inside += 1
                if reader.word(at: Int(slot), size: 8) != 0 { zero = false; break }
            }
            if zero && inside * 2 > sample.count && !found.contains(relocation.addend) { found.append(relocation.addend) }
        }
        return found.count == 1 ? found[0] : nil
    }
}
