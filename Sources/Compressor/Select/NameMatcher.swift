/// A fixed set of byte strings, precompiled for fast exact, prefix, suffix or substring tests
/// (the name lists of docs/behaviour.md §3.1). Candidates are bucketed by a byte at the anchored
/// end, so most names are rejected by one table lookup, and a name shorter than every candidate by
/// one comparison. Substrings are bucketed by their first byte, or by their last when all end in
/// one byte that identifiers lack while they start with one identifiers have (`_compiled.`:
/// kernel names are full of `_` and nearly free of `.`).
public struct NameMatcher: Sendable {
    public enum Mode: Sendable { case exact, prefix, suffix, substring }

    public let mode: Mode
    private let table: Table
    public var isEmpty: Bool { table.entryCount == 0 }

    /// The candidates in raw memory, so that a test is plain loads: `matches` runs for every
    /// symbol of a map, several times.
    private final class Table: @unchecked Sendable {  // immutable after init
        /// All candidate strings back to back, grouped by key byte.
        let bytes: UnsafeMutablePointer<UInt8>
        /// `(start, length)` of each candidate in `bytes`, grouped by key byte.
        let starts: UnsafeMutablePointer<Int>
        let lengths: UnsafeMutablePointer<Int>
        /// Candidates with key byte `k` are entries `bucketStart[k] ..< bucketStart[k + 1]`.
        let bucketStart: UnsafeMutablePointer<Int>
        let entryCount: Int
        /// The shortest and longest candidate (`Int.max` and 0 when there is none).
        let minimumLength: Int
        let maximumLength: Int
        /// The key byte repeated in every byte of a word when all candidates share one key
        /// (a substring search then looks for it eight bytes at a time); nil otherwise.
        let soleKeyPattern: UInt64?
        /// `isSecondByte[b]`: some candidate has `b` as its second byte (with a sole key and
        /// candidates a word long, a key byte whose successor is not one is passed over); its
        /// next-to-last byte when `keyIsLast`.
        let isSecondByte: UnsafeMutablePointer<Bool>
        /// Substrings keyed by their last byte (see `NameMatcher`).
        let keyIsLast: Bool

        init(_ buckets: [[[UInt8]]], keyIsLast: Bool = false) {
            self.keyIsLast = keyIsLast
            let all = buckets.joined()
            entryCount = all.count
            let byteCount = all.reduce(0) { $0 + $1.count }
            bytes = .allocate(capacity: max(1, byteCount))
            starts = .allocate(capacity: max(1, entryCount))
            lengths = .allocate(capacity: max(1, entryCount))
            bucketStart = .allocate(capacity: 257)
            var entry = 0, offset = 0
            for (key, bucket) in buckets.enumerated() {
                bucketStart[key] = entry
                for string in bucket {
                    starts[entry] = offset
                    lengths[entry] = string.count
                    (bytes + offset).initialize(from: string, count: string.count)
                    offset += string.count
                    entry += 1
                }
            }
            bucketStart[256] = entry
            minimumLength = all.map(\.count).min() ?? .max
            maximumLength = all.map(\.count).max() ?? 0
            let keys = buckets.indices.filter { !buckets[$0].isEmpty }
            soleKeyPattern = keys.count == 1 ? UInt64(keys[0]) &* 0x0101_0101_0101_0101 : nil
            isSecondByte = .allocate(capacity: 256)
            isSecondByte.initialize(repeating: false, count: 256)
            for string in all where string.count > 1 {
                isSecondByte[Int(keyIsLast ? string[string.endIndex - 2] : string[string.startIndex + 1])] = true
            }
        }

        /// Whether a candidate keyed by `name[end - 1]` equals the bytes of `name` that end just
        /// before `end` (a suffix of `name[..<end]`; the key is each candidate's last byte).
        @inline(__always)
        func anyCandidate(in name: UnsafePointer<UInt8>, endingBefore end: Int) -> Bool {
            let key = Int(name[end &- 1])
            var entry = bucketStart[key]
            let last = bucketStart[key &+ 1]
            while entry < last {
                let length = lengths[entry]
                if length <= end {
                    let candidate = bytes + starts[entry], start = end &- length
                    var k = 0
                    while k < length && name[start &+ k] == candidate[k] { k &+= 1 }
                    if k == length { return true }
                }
                entry &+= 1
            }
            return false
        }

        deinit {
            bytes.deallocate()
            starts.deallocate()
            lengths.deallocate()
            bucketStart.deallocate()
            isSecondByte.deallocate()
        }

        /// Whether a candidate with key `key` equals `name[offset...]` over its whole length
        /// (and that is all of the name when `toEnd`). Every candidate in the bucket already
        /// agrees on the key byte at `keyIndex` of the candidate.
        @inline(__always)
        func anyCandidate(key: UInt8, in name: UnsafePointer<UInt8>, at offset: Int, remaining: Int, toEnd: Bool) -> Bool {
            var entry = bucketStart[Int(key)]
            let end = bucketStart[Int(key) &+ 1]
            while entry < end {
                let length = lengths[entry]
                if toEnd ? length == remaining : length <= remaining {
                    let candidate = bytes + starts[entry]
                    var k = 0
                    while k < length && name[offset &+ k] == candidate[k] { k &+= 1 }
                    if k == length { return true }
                }
                entry &+= 1
            }
            return false
        }
    }

    /// A matcher of `strings` (empty strings are left out: they would match every name).
    public init<S: Sequence>(_ strings: S, mode: Mode) where S.Element == [UInt8] {
        self.mode = mode
        let strings = strings.filter { !$0.isEmpty }
        let keyIsLast = mode == .substring && Self.keyIsLast(strings)
        var buckets = Array(repeating: [[UInt8]](), count: 256)
        for string in strings {
            buckets[Int(mode == .suffix || keyIsLast ? string.last! : string.first!)].append(string)
        }
        table = Table(buckets, keyIsLast: keyIsLast)
    }

    /// Whether substrings search faster by their last byte: all at least a word long, ending in
    /// one byte outside `[A-Za-z0-9_]`, and not all starting with one such byte.
    private static func keyIsLast(_ strings: [[UInt8]]) -> Bool {
        func isIdentifierByte(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "_") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
        }
        guard let last = strings.first?.last, !isIdentifierByte(last),
            strings.allSatisfy({ $0.count >= 8 && $0.last == last })
        else { return false }
        let firsts = Set(strings.map { $0.first! })
        return !(firsts.count == 1 && !isIdentifierByte(firsts.first!))
    }

    /// Whether `name` matches one of the strings in this matcher's mode.
    ///
    /// Most names are rejected by their length or their key byte's empty bucket; that test is
    /// inlined into the caller, the search itself is not.
    @inline(__always)
    public func matches(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let table = self.table
        let count = name.count
        guard count >= table.minimumLength, let base = name.baseAddress else { return false }
        if mode != .substring {
            let key = Int(mode == .suffix ? base[count &- 1] : base[0])
            if table.bucketStart[key] == table.bucketStart[key &+ 1] { return false }
        } else if let pattern = table.soleKeyPattern, table.minimumLength >= 8 {
            return table.keyIsLast
                ? searchWordsByLastByte(base, count: count, pattern: pattern)
                : searchWords(base, count: count, pattern: pattern)
        }
        return search(base, count: count)
    }

    /// The substring search when every candidate starts with one key byte and is at least a
    /// word long: eight bytes at a time. A word loaded at a possible start stays inside the
    /// name; every byte equal to the key is flagged (flags above a true one may be spurious:
    /// each is checked in full), lowest first, and checked only when the byte after it is
    /// some candidate's second byte.
    @inline(__always)
    private func searchWords(_ base: UnsafePointer<UInt8>, count: Int, pattern: UInt64) -> Bool {
        let table = self.table
        let lastStart = count &- table.minimumLength
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset <= lastStart {
            // A byte equal to the key is a zero byte of the difference.
            var flags = flagsOfBytes(below: 1, in: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ pattern)
            while flags != 0 {
                let start = offset &+ flags.trailingZeroBitCount &>> 3
                if start > lastStart { return false }
                if table.isSecondByte[Int(base[start &+ 1])],
                    table.anyCandidate(key: base[start], in: base, at: start, remaining: count &- start, toEnd: false)
                {
                    return true
                }
                flags &= flags &- 1
            }
            offset &+= 8
        }
        return false
    }

    /// `searchWords` for substrings keyed by their last byte: a key byte at `end` is checked
    /// as the end of every candidate of its bucket. Words are loaded from the first possible
    /// end on; the last one is loaded at the name's end, its bytes already checked masked off.
    @inline(__always)
    private func searchWordsByLastByte(_ base: UnsafePointer<UInt8>, count: Int, pattern: UInt64) -> Bool {
        let table = self.table
        let raw = UnsafeRawPointer(base)
        // The first byte not yet checked; `count >= minimumLength >= 8`, so a word fits.
        var next = table.minimumLength &- 1
        while next < count {
            let load = Swift.min(next, count &- 8)
            var flags = flagsOfBytes(below: 1, in: raw.loadUnaligned(fromByteOffset: load, as: UInt64.self) ^ pattern)
            flags &= UInt64.max &<< UInt64((next &- load) &* 8)
            while flags != 0 {
                let end = load &+ flags.trailingZeroBitCount &>> 3
                if table.isSecondByte[Int(base[end &- 1])], table.anyCandidate(in: base, endingBefore: end &+ 1) {
                    return true
                }
                flags &= flags &- 1
            }
            next = load &+ 8
        }
        return false
    }

    private func search(_ base: UnsafePointer<UInt8>, count: Int) -> Bool {
        let table = self.table
        switch mode {
        case .exact:
            return count <= table.maximumLength && table.anyCandidate(key: base[0], in: base, at: 0, remaining: count, toEnd: true)
        case .prefix:
            return table.anyCandidate(key: base[0], in: base, at: 0, remaining: count, toEnd: false)
        case .suffix:
            return table.anyCandidate(in: base, endingBefore: count)
        case .substring:
            // A candidate can start only where at least the shortest one still fits.
            let lastStart = count &- table.minimumLength
            var offset = 0
            while offset <= lastStart {
                let key = Int(base[offset])
                if table.bucketStart[key] != table.bucketStart[key &+ 1],
                    table.anyCandidate(key: base[offset], in: base, at: offset, remaining: count &- offset, toEnd: false)
                {
                    return true
                }
                offset &+= 1
            }
            return false
        }
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Byte equality with a literal, e.g. `name.equals("_text")`.
    @inline(__always) func equals(_ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount == count else { return false }
        let other = literal.utf8Start
        for k in 0..<count where self[k] != other[k] { return false }
        return true
    }

    @inline(__always) func equals(_ other: [UInt8]) -> Bool {
        guard other.count == count else { return false }
        return other.withUnsafeBufferPointer { bytes in
            for k in 0..<count where self[k] != bytes[k] { return false }
            return true
        }
    }

    @inline(__always) func hasPrefix(_ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount <= count else { return false }
        let other = literal.utf8Start
        for k in 0..<literal.utf8CodeUnitCount where self[k] != other[k] { return false }
        return true
    }

    @inline(__always) func hasSuffix(_ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard length <= count else { return false }
        let other = literal.utf8Start
        for k in 0..<length where self[count - length + k] != other[k] { return false }
        return true
    }
}
