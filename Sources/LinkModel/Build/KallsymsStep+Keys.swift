import Compressor
import Synchronization

/// Input records compared by count and hash first.
///
/// The hash reads the records' addresses and letters, not their names: a name is an array of
/// its own, and reading its length costs a cache miss per record; two inputs with the same
/// addresses and letters are told apart by the comparison of the records themselves.
struct InputKey: Equatable {
    let records: [SymbolRecord]
    let hash: Int

    init(_ records: [SymbolRecord]) {
        self.records = records
        // Four chains over interleaved records, mixed at the end: one chain waits for each
        // mix's multiplications before the next record (a pass of 107 000 records).
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (UInt64(truncatingIfNeeded: records.count), 1, 2, 3)
        records.withUnsafeBufferPointer { records in
            @inline(__always) func step(_ value: UInt64, _ index: Int) -> UInt64 {
                StringsKey.mix(value ^ records[index].address) &+ UInt64(records[index].type)
            }
            var index = 0
            while index &+ 4 <= records.count {
                lanes = (step(lanes.0, index), step(lanes.1, index &+ 1), step(lanes.2, index &+ 2), step(lanes.3, index &+ 3))
                index &+= 4
            }
            while index < records.count {
                lanes.0 = step(lanes.0, index)
                index &+= 1
            }
        }
        hash = Int(
            truncatingIfNeeded: StringsKey.mix(StringsKey.mix(StringsKey.mix(lanes.0) ^ lanes.1) ^ lanes.2) ^ lanes.3)
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
    /// The strings' hashes mixed with their indices: equal strings in equal order, equal hash.
    let hash: Int
    let multisetHash: UInt64
    /// One 64-bit hash per string (FNV-1a, then a finalising mix).
    let stringHashes: [UInt64]
    /// This key's number: no two keys of a process share one.
    let serial: UInt64
    /// When this key was made from an earlier one (`init(_:reusing:)`): that key's number and,
    /// ascending, the indices whose strings differ from it (nil when more than
    /// `KallsymsStep.localDifferenceLimit` of them differ).
    let earlier: (serial: UInt64, differing: [Int]?)?

    private static let serials = Atomic<UInt64>(0)

    init(_ strings: ByteStrings) {
        self.init(strings, reusing: nil)
    }

    /// The key of `strings`, taking the hash of each string that equals `earlier`'s string at
    /// the same index from `earlier` (a pass whose symbols moved or were reordered among
    /// equal addresses changes few strings; comparing bytes is cheaper than hashing them).
    init(_ strings: ByteStrings, reusing earlier: StringsKey?) {
        self.strings = strings
        var hashes = [UInt64](repeating: 0, count: strings.count)
        var sum: UInt64 = 0
        var positional = UInt64(truncatingIfNeeded: strings.count)
        let old = earlier?.strings ?? ByteStrings()
        let oldHashes = earlier?.stringHashes ?? []
        var differing: [Int]? = earlier == nil ? nil : []
        let differingLimit = KallsymsStep.localDifferenceLimit(strings.count)
        strings.bytes.withUnsafeBufferPointer { buffer in
            old.bytes.withUnsafeBufferPointer { oldBuffer in
                hashes.withUnsafeMutableBufferPointer { out in
                    let reusable = min(old.count, oldHashes.count)
                    var start = 0
                    for index in 0..<strings.count {
                        let end = strings.ends[index]
                        let string = UnsafeBufferPointer(rebasing: buffer[start..<end])
                        var value: UInt64
                        if index < reusable, old.length(of: index) == end &- start,
                            Self.sameBytes(string, UnsafeBufferPointer(rebasing: oldBuffer[old.start(of: index)..<old.ends[index]]))
                        {
                            value = oldHashes[index]
                        } else {
                            value = Self.stringHash(string)
                            if differing != nil {
                                differing!.append(index)
                                if differing!.count > differingLimit { differing = nil }
                            }
                        }
                        out[index] = value
                        sum &+= value
                        positional &+= Self.mix(value ^ (UInt64(truncatingIfNeeded: index) &* 0x9e37_79b9_7f4a_7c15))
                        start = end
                    }
                }
            }
        }
        stringHashes = hashes
        multisetHash = sum
        hash = Int(truncatingIfNeeded: Self.mix(positional))
        serial = Self.serials.add(1, ordering: .relaxed).newValue
        self.earlier = earlier.map { ($0.serial, differing) }
    }

    /// Whether `a` and `b` hold the same bytes, compared eight at a time.
    /// - Precondition: equal lengths (the callers check them).
    @inline(__always) static func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        sameBytes(UnsafeRawBufferPointer(a), UnsafeRawBufferPointer(b))
    }

    @inline(__always) static func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let count = a.count
        guard count > 0, let first = a.baseAddress, let second = b.baseAddress else { return true }
        var k = 0
        // `k + 8 <= count` keeps every word load inside both buffers (equal lengths).
        while k &+ 8 <= count {
            if first.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                != second.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            {
                return false
            }
            k &+= 8
        }
        while k < count {
            if first.load(fromByteOffset: k, as: UInt8.self) != second.load(fromByteOffset: k, as: UInt8.self) { return false }
            k &+= 1
        }
        return true
    }

    /// `a == b` (the same strings, same order), compared a word at a time.
    static func sameStrings(_ a: ByteStrings, _ b: ByteStrings) -> Bool {
        guard a.count == b.count, a.totalLength == b.totalLength else { return false }
        // The same buffers held twice (a pass's strings and the key made of them): nothing to read.
        if sameStorage(a.bytes, b.bytes) && sameStorage(a.ends, b.ends) { return true }
        return a.ends.withUnsafeBytes { left in b.ends.withUnsafeBytes { sameBytes(left, $0) } }
            && a.bytes.withUnsafeBytes { left in b.bytes.withUnsafeBytes { sameBytes(left, $0) } }
    }

    /// Whether `a` and `b` are one buffer (two live arrays of equal count at the same address
    /// hold the same elements).
    static func sameStorage<Element>(_ a: [Element], _ b: [Element]) -> Bool {
        a.count == b.count && a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { a.baseAddress == $0.baseAddress } }
    }

    @inline(__always) static func mix(_ input: UInt64) -> UInt64 {
        var value = input
        value = (value ^ (value >> 33)) &* 0xff51_afd7_ed55_8ccd
        value = (value ^ (value >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return value ^ (value >> 33)
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
            && sameStrings(a.strings, b.strings)
    }
}
