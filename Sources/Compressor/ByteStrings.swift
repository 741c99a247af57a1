/// Many short byte strings in one contiguous buffer with an end-offset table.
///
/// Symbol sets of 100 000 names cost one allocation here instead of 100 000; the compression
/// engines, the table builder and the decoder all trade in this type.
public struct ByteStrings: Hashable, Sendable, RandomAccessCollection {
    /// All strings back to back.
    public private(set) var bytes: [UInt8]
    /// `ends[i]` is the offset one past string `i` in `bytes`.
    public private(set) var ends: [Int]

    public init() {
        bytes = []
        ends = []
    }

    /// Builds the collection from separate arrays.
    public init<S: Sequence>(_ strings: S) where S.Element == [UInt8] {
        self.init()
        for string in strings { append(string) }
    }

    /// Adopts a buffer and its end offsets; `ends` must be non-decreasing and end at `bytes.count`.
    public init(bytes: [UInt8], ends: [Int]) {
        precondition(ends.last ?? 0 == bytes.count, "ends must cover the whole buffer")
        self.bytes = bytes
        self.ends = ends
    }

    /// `count` strings of `totalLength` bytes in all, written in place: `write(i, at)` writes
    /// string `i` starting at `at` and returns its length. One allocation per column and no
    /// per-string append, for builders that know the sizes first.
    /// - Precondition: the lengths add up to `totalLength` (checked).
    init(count: Int, totalLength: Int, writing write: (Int, UnsafeMutablePointer<UInt8>) -> Int) {
        var ends = [Int](repeating: 0, count: count)
        let bytes = [UInt8](unsafeUninitializedCapacity: Swift.max(1, totalLength)) { buffer, initialized in
            var offset = 0
            for index in 0..<count {
                offset += write(index, buffer.baseAddress! + offset)
                ends[index] = offset
            }
            precondition(offset == totalLength, "ByteStrings: the strings written do not add up to their total length")
            initialized = offset
        }
        self.init(bytes: bytes, ends: ends)
    }

    /// The strings of `parts`, one collection after the other.
    init(joining parts: [ByteStrings]) {
        let byteCount = parts.reduce(0) { $0 + $1.bytes.count }
        let bytes = [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
            for part in parts {
                part.bytes.withUnsafeBufferPointer { source in
                    if let from = source.baseAddress { (buffer.baseAddress! + initialized).initialize(from: from, count: source.count) }
                }
                initialized += part.bytes.count
            }
        }
        // Each part's ends shifted by the bytes before it: a plain loop per part, which the
        // compiler vectorizes (appending a lazily mapped sequence went element by element).
        let ends = [Int](unsafeUninitializedCapacity: parts.reduce(0) { $0 + $1.count }) { buffer, initialized in
            var shift = 0
            for part in parts {
                part.ends.withUnsafeBufferPointer { source in
                    for index in source.indices { buffer[initialized &+ index] = source[index] &+ shift }
                }
                initialized += part.count
                shift += part.bytes.count
            }
        }
        self.init(bytes: bytes, ends: ends)
    }

    public mutating func reserve(strings: Int, bytes byteCount: Int) {
        ends.reserveCapacity(strings)
        bytes.reserveCapacity(byteCount)
    }

    public mutating func append<C: Collection>(_ string: C) where C.Element == UInt8 {
        bytes.append(contentsOf: string)
        ends.append(bytes.count)
    }

    /// Appends one string made of a first byte and the bytes that follow it (e.g. type + name).
    public mutating func append<C: Collection>(_ first: UInt8, followedBy rest: C) where C.Element == UInt8 {
        bytes.append(first)
        bytes.append(contentsOf: rest)
        ends.append(bytes.count)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ends.count }

    /// The start offset of string `i` in `bytes`.
    @inlinable public func start(of i: Int) -> Int { i == 0 ? 0 : ends[i - 1] }

    /// The length of string `i`.
    @inlinable public func length(of i: Int) -> Int { ends[i] - start(of: i) }

    public subscript(i: Int) -> ArraySlice<UInt8> { bytes[start(of: i)..<ends[i]] }

    /// Calls `body` with the bytes of string `i`, without copying.
    @inlinable public func withBytes<R>(of i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = self.start(of: i), end = ends[i]
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// The total number of bytes of all strings.
    public var totalLength: Int { bytes.count }
}
