import Compressor

/// Input records compared by count and hash first.
struct InputKey: Equatable {
    let records: [SymbolRecord]
    let hash: Int

    init(_ records: [SymbolRecord]) {
        self.records = records
        var hasher = Hasher()
        hasher.combine(records.count)
        for record in records {
            hasher.combine(record.address)
            hasher.combine(record.type)
            hasher.combine(record.name.count)
        }
        hash = hasher.finalize()
    }

    static func == (a: InputKey, b: InputKey) -> Bool {
        a.records.count == b.records.count && a.hash == b.hash
            && zip(a.records, b.records).allSatisfy { $0.sameLine(as: $1) }
    }
}

/// Strings to compress, compared by count, length and hash first; `multisetHash` ignores
/// their order (a wrapping sum of the strings' own hashes, which are kept for `permuting`).
struct StringsKey: Equatable {
    let strings: ByteStrings
    let hash: Int
    let multisetHash: UInt64
    /// One 64-bit hash per string (FNV-1a, then a finalising mix).
    let stringHashes: [UInt64]

    init(_ strings: ByteStrings) {
        self.strings = strings
        var hasher = Hasher()
        hasher.combine(strings.count)
        strings.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        hash = hasher.finalize()
        var hashes = [UInt64](repeating: 0, count: strings.count)
        var sum: UInt64 = 0
        strings.bytes.withUnsafeBufferPointer { buffer in
            strings.ends.withUnsafeBufferPointer { ends in
                hashes.withUnsafeMutableBufferPointer { out in
                    var start = 0
                    for index in 0..<ends.count {
                        let end = ends[index]
                        let value = Self.stringHash(UnsafeBufferPointer(rebasing: buffer[start..<end]))
                        out[index] = value
                        sum &+= value
                        start = end
                    }
                }
            }
        }
        stringHashes = hashes
        multisetHash = sum
    }

    /// FNV-1a over the bytes and the length, finished with a 64-bit avalanche mix so that sums
    /// of hashes of similar strings spread.
    @inline(__always) static func stringHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        value ^= UInt64(bytes.count)
        value = (value ^ (value >> 33)) &* 0xff51_afd7_ed55_8ccd
        value = (value ^ (value >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return value ^ (value >> 33)
    }

    static func == (a: StringsKey, b: StringsKey) -> Bool {
        a.strings.count == b.strings.count && a.strings.totalLength == b.strings.totalLength && a.hash == b.hash
            && a.strings == b.strings
    }
}
