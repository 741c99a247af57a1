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
/// their order (a wrapping sum of the strings' hashes).
struct StringsKey: Equatable {
    let strings: ByteStrings
    let hash: Int
    let multisetHash: Int

    init(_ strings: ByteStrings) {
        self.strings = strings
        var hasher = Hasher()
        hasher.combine(strings.count)
        strings.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        hash = hasher.finalize()
        var sum = 0
        strings.bytes.withUnsafeBytes { buffer in
            var start = 0
            for end in strings.ends {
                var one = Hasher()
                one.combine(bytes: UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                sum &+= one.finalize()
                start = end
            }
        }
        multisetHash = sum
    }

    static func == (a: StringsKey, b: StringsKey) -> Bool {
        a.strings.count == b.strings.count && a.strings.totalLength == b.strings.totalLength && a.hash == b.hash
            && a.strings == b.strings
    }
}
