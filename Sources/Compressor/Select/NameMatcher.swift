/// A fixed set of byte strings, precompiled for fast exact, prefix, suffix or substring tests
/// (the name lists of spec §3.1). Candidates are bucketed by a byte at the anchored end, so
/// most names are rejected by one table lookup.
public struct NameMatcher: Sendable {
    public enum Mode: Sendable { case exact, prefix, suffix, substring }

    public let mode: Mode
    /// All candidate strings back to back, grouped by key byte.
    private let bytes: [UInt8]
    /// `(start, length)` of each candidate in `bytes`, grouped by key byte.
    private let entries: [(start: Int, length: Int)]
    /// Candidates with key byte `k` are `entries[bucketStart[k]..<bucketStart[k + 1]]`.
    private let bucketStart: [Int]
    public let isEmpty: Bool

    /// A matcher of `strings` (empty strings are left out: they would match every name).
    public init<S: Sequence>(_ strings: S, mode: Mode) where S.Element == [UInt8] {
        self.mode = mode
        var buckets = Array(repeating: [[UInt8]](), count: 256)
        for string in strings where !string.isEmpty {
            buckets[Int(mode == .suffix ? string.last! : string.first!)].append(string)
        }
        var bytes: [UInt8] = []
        var entries: [(start: Int, length: Int)] = []
        var bucketStart = [0]
        for bucket in buckets {
            for string in bucket {
                entries.append((bytes.count, string.count))
                bytes += string
            }
            bucketStart.append(entries.count)
        }
        self.bytes = bytes
        self.entries = entries
        self.bucketStart = bucketStart
        isEmpty = entries.isEmpty
    }

    /// Whether `name` matches one of the strings in this matcher's mode.
    public func matches(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !isEmpty, let first = name.first else { return false }
        return bytes.withUnsafeBufferPointer { candidates in
            entries.withUnsafeBufferPointer { entries in
                bucketStart.withUnsafeBufferPointer { bucketStart in
                    func anyCandidate(key: UInt8, at offset: Int, exactLength: Bool) -> Bool {
                        for entry in entries[bucketStart[Int(key)]..<bucketStart[Int(key) + 1]] {
                            let fits = exactLength ? entry.length == name.count - offset : entry.length <= name.count - offset
                            guard fits else { continue }
                            var k = 0
                            while k < entry.length && name[offset &+ k] == candidates[entry.start &+ k] { k &+= 1 }
                            if k == entry.length { return true }
                        }
                        return false
                    }
                    switch mode {
                    case .exact: return anyCandidate(key: first, at: 0, exactLength: true)
                    case .prefix: return anyCandidate(key: first, at: 0, exactLength: false)
                    case .suffix:
                        let last = name[name.count - 1]
                        for entry in entries[bucketStart[Int(last)]..<bucketStart[Int(last) + 1]] where entry.length <= name.count {
                            let offset = name.count - entry.length
                            var k = 0
                            while k < entry.length && name[offset &+ k] == candidates[entry.start &+ k] { k &+= 1 }
                            if k == entry.length { return true }
                        }
                        return false
                    case .substring:
                        for offset in 0..<name.count where anyCandidate(key: name[offset], at: offset, exactLength: false) {
                            return true
                        }
                        return false
                    }
                }
            }
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
