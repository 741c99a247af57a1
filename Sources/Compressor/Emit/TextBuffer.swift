/// A byte buffer with the number formats of the generators' `printf` calls.
///
/// Three ways to use it, none of which grows or copies:
/// - `build(upperBound:)`: the caller computes an upper bound of the output size; the array is
///   allocated once at that capacity and filled in place. Pages of the bound that are never
///   written are never touched (large allocations are mapped lazily), so a generous bound costs
///   address space, not memory.
/// - `stream(to:)`: a fixed chunk is filled and handed to a sink whenever the next piece would
///   not fit, so output of any size costs one chunk of memory.
/// - `stream(into:handingOver:)`: the same, but each full chunk is handed over for good and
///   writing goes on in the buffer the receiver gives back (a writer on another thread keeps
///   the chunk until it is written, without a copy).
///
/// `reserve(_:)` is called once per piece (a line or less); the per-byte writes in between
/// need no checks.
struct TextBuffer: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0
    /// Where full chunks go in streaming mode, and the buffer to go on in; nil when filling a
    /// bounded array.
    private let handOver: ((UnsafeBufferPointer<UInt8>) -> UnsafeMutableBufferPointer<UInt8>)?

    private init(
        _ buffer: UnsafeMutableBufferPointer<UInt8>,
        handOver: ((UnsafeBufferPointer<UInt8>) -> UnsafeMutableBufferPointer<UInt8>)? = nil
    ) {
        storage = buffer.baseAddress!
        capacity = buffer.count
        self.handOver = handOver
    }

    /// Runs `body` on a buffer of `upperBound` bytes and returns what it wrote.
    /// - Precondition: `body` writes at most `upperBound` bytes (checked).
    static func build(upperBound: Int, _ body: (inout TextBuffer) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: max(64, upperBound)) { buffer, initialized in
            var out = TextBuffer(buffer)
            body(&out)
            initialized = out.count
        }
    }

    /// The size of a streaming chunk: larger than any single piece the writers reserve (a
    /// names line of a 0x3FFF-byte symbol is under 100 KiB).
    static let chunkSize = 1 << 18

    /// Runs `body`, handing the bytes it writes to `sink` in chunks of up to `chunkSize`.
    static func stream(to sink: (UnsafeBufferPointer<UInt8>) -> Void, _ body: (inout TextBuffer) -> Void) {
        let chunk = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        stream(
            into: chunk,
            handingOver: { written in
                sink(written)
                return chunk
            }, body)
    }

    /// Runs `body` writing into `first`, then into each buffer `handOver` returns for the chunk
    /// it was given (the last chunk too; what is returned for it is not written to). Every
    /// buffer must hold `chunkSize` bytes.
    static func stream(
        into first: UnsafeMutableBufferPointer<UInt8>,
        handingOver handOver: (UnsafeBufferPointer<UInt8>) -> UnsafeMutableBufferPointer<UInt8>,
        _ body: (inout TextBuffer) -> Void
    ) {
        precondition(first.count >= chunkSize, "TextBuffer: a streaming chunk holds chunkSize bytes")
        withoutActuallyEscaping(handOver) { handOver in
            var out = TextBuffer(first, handOver: handOver)
            body(&out)
            out.flush()
        }
    }

    private mutating func flush() {
        guard count > 0, let handOver else { return }
        let next = handOver(UnsafeBufferPointer(start: storage, count: count))
        precondition(next.count >= Self.chunkSize, "TextBuffer: a streaming chunk holds chunkSize bytes")
        storage = next.baseAddress!
        capacity = next.count
        count = 0
    }

    /// Makes sure at least `extra` more bytes fit (flushing a full chunk when streaming).
    @inline(__always) mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity {
            flush()
            precondition(count &+ extra <= capacity, "TextBuffer: a piece of output exceeded the buffer")
        }
    }

    private static let hexDigits: (UInt64, UInt64) = (0x3736_3534_3332_3130, 0x6665_6463_6261_3938)

    @inline(__always) static func hexDigit(_ value: Int) -> UInt8 {
        value < 10 ? UInt8(truncatingIfNeeded: 0x30 &+ value) : UInt8(truncatingIfNeeded: 0x57 &+ value)
    }

    @inline(__always) mutating func append(byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count &+= 1
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(raw: $0) }
    }

    /// A `String` (a literal goes to the `StaticString` overload: no copy, no bridging).
    mutating func append(string text: String) {
        var copy = text
        copy.withUTF8 { append(raw: $0) }
    }

    @inline(__always) mutating func append(raw bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count)
        if let base = bytes.baseAddress { (storage + count).update(from: base, count: bytes.count) }
        count &+= bytes.count
    }

    /// A name's bytes (the comments' `type ++ name`): eight bytes at a time, the last word
    /// overlapping the one before, so a name of 8 bytes or more costs a few stores and no call.
    @inline(__always) mutating func append(name bytes: UnsafeBufferPointer<UInt8>) {
        let length = bytes.count
        guard length >= 8, let source = bytes.baseAddress else { return append(raw: bytes) }
        reserve(length)
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(storage + count)
        var offset = 0
        while offset &+ 8 < length {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
            offset &+= 8
        }
        to.storeBytes(
            of: from.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self), toByteOffset: length &- 8, as: UInt64.self)
        count &+= length
    }

    /// Up to 24 bytes of fixed text as three little-endian words, so that the pieces every line
    /// repeats (`\t.byte `, `\t/* `, ` */\n`, …) are three stores rather than a copy call.
    struct FixedText {
        let words: (UInt64, UInt64, UInt64)
        let count: Int

        init(_ text: StaticString) {
            precondition(text.utf8CodeUnitCount <= 24, "FixedText holds at most 24 bytes")
            var words: [UInt64] = [0, 0, 0]
            text.withUTF8Buffer { bytes in
                for (index, byte) in bytes.enumerated() { words[index >> 3] |= UInt64(byte) << (8 * UInt64(index & 7)) }
            }
            self.words = (words[0], words[1], words[2])
            count = text.utf8CodeUnitCount
        }
    }

    /// `text`: three word stores (the bytes past its end are overwritten later or left beyond
    /// `count`).
    @inline(__always) mutating func append(_ text: FixedText) {
        reserve(24)
        let to = UnsafeMutableRawPointer(storage + count)
        to.storeBytes(of: UInt64(littleEndian: text.words.0), as: UInt64.self)
        to.storeBytes(of: UInt64(littleEndian: text.words.1), toByteOffset: 8, as: UInt64.self)
        to.storeBytes(of: UInt64(littleEndian: text.words.2), toByteOffset: 16, as: UInt64.self)
        count &+= text.count
    }

    /// `, 0x%02x`: one entry of a `.byte` list.
    @inline(__always) mutating func appendByteListEntry(_ value: UInt8) {
        reserve(8)
        Self.byteListWords.withUnsafeBufferPointer { words in
            UnsafeMutableRawPointer(storage + count).storeBytes(of: words[Int(value)], as: UInt64.self)
        }
        count &+= 6
    }

    mutating func append<C: Collection>(raw bytes: C) where C.Element == UInt8 {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ append(raw: $0) }) { return done }
        reserve(bytes.count)
        for byte in bytes {
            storage[count] = byte
            count &+= 1
        }
    }

    /// `0x%02x`.
    @inline(__always) mutating func appendByteHex(_ value: UInt8) {
        reserve(4)
        storage[count] = 0x30
        storage[count &+ 1] = 0x78
        storage[count &+ 2] = Self.hexDigit(Int(value >> 4))
        storage[count &+ 3] = Self.hexDigit(Int(value & 0xF))
        count &+= 4
    }

    /// `, 0x%02x` for every byte: the body of a `.byte` line.
    ///
    /// Each byte's six characters come from a table as one 8-byte word, stored unaligned (the
    /// two bytes past them are overwritten by the next store or left beyond `count`).
    mutating func appendByteList(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count &* 6 &+ 2)
        Self.byteListWords.withUnsafeBufferPointer { words in
            let cursor = UnsafeMutableRawPointer(storage + count)
            var offset = 0
            for value in bytes {
                cursor.storeBytes(of: words[Int(value)], toByteOffset: offset, as: UInt64.self)
                offset &+= 6
            }
        }
        count &+= bytes.count &* 6
    }

    /// `", 0x" + two lowercase digits` of every byte value, as little-endian words: the four
    /// characters `, 0x` in the low bytes, then the byte's `hexPairs` entry.
    private static let byteListWords: [UInt64] = hexPairs.map { 0x7830_202C | UInt64($0) << 32 }

    /// `0x%02x` of a value that may need more than two digits (v3.3's unchecked length byte).
    mutating func appendPaddedHex(_ value: Int) {
        if value >= 0 && value < 256 {
            appendByteHex(UInt8(value))
            return
        }
        append("0x")
        appendHexDigits(UInt64(truncatingIfNeeded: value))
    }

    /// The lowercase hex digits of `value` (at least one), written two at a time from the end.
    private mutating func appendHexDigits(_ value: UInt64) {
        reserve(16)
        let digits = max(1, (64 &- value.leadingZeroBitCount &+ 3) &>> 2)
        var position = count &+ digits
        var rest = value
        Self.hexPairs.withUnsafeBufferPointer { pairs in
            let raw = UnsafeMutableRawPointer(storage)
            while position &- count >= 2 {
                position &-= 2
                raw.storeBytes(of: pairs[Int(truncatingIfNeeded: rest & 0xFF)], toByteOffset: position, as: UInt16.self)
                rest &>>= 8
            }
        }
        if position > count { storage[count] = Self.hexDigit(Int(truncatingIfNeeded: rest & 0xF)) }
        count &+= digits
    }

    /// The two lowercase hex digits of every byte value, first digit in the low byte.
    private static let hexPairs: [UInt16] = (0..<256).map { UInt16(hexDigit($0 >> 4)) | UInt16(hexDigit($0 & 0xF)) << 8 }

    /// `%#llx`: lowercase hex with `0x`, but a bare `0` for zero.
    mutating func appendAlternateHex(_ value: UInt64) {
        if value == 0 {
            append(byte: 0x30)
            return
        }
        reserve(2)
        storage[count] = 0x30
        storage[count &+ 1] = 0x78
        count &+= 2
        appendHexDigits(value)
    }

    /// `%0*llx`: at least `digits` lowercase hex digits.
    mutating func appendFixedHex(_ value: UInt64, digits: Int) {
        let needed = max(1, (64 - value.leadingZeroBitCount + 3) / 4)
        reserve(max(digits, needed))
        for _ in 0..<max(0, digits - needed) {
            storage[count] = 0x30
            count &+= 1
        }
        var shift = needed * 4
        while shift > 0 {
            shift -= 4
            storage[count] = Self.hexDigit(Int((value >> UInt64(shift)) & 0xF))
            count &+= 1
        }
    }

    /// `%d` / `%u` / `%lld`.
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            append(byte: 0x2D)
            appendDecimal(value.magnitude)
        } else {
            appendDecimal(UInt64(value))
        }
    }

    /// Written two digits at a time from the end (a table of the 100 pairs), after counting
    /// the digits by comparisons: half the divisions of digit-by-digit, and none for the count.
    mutating func appendDecimal(_ value: UInt64) {
        reserve(20)
        if value < 10 {
            storage[count] = 0x30 &+ UInt8(value)
            count &+= 1
            return
        }
        // 10¹⁹ is the largest power of ten below 2⁶⁴: `bound` wraps only as the loop stops at
        // 20 digits, and is not read again.
        var digits = 2
        var bound: UInt64 = 100
        while digits < 20 && value >= bound {
            digits &+= 1
            bound &*= 10
        }
        var position = count &+ digits
        var rest = value
        Self.decimalPairs.withUnsafeBufferPointer { pairs in
            let raw = UnsafeMutableRawPointer(storage)
            while rest >= 100 {
                let (quotient, remainder) = rest.quotientAndRemainder(dividingBy: 100)
                position &-= 2
                raw.storeBytes(of: pairs[Int(truncatingIfNeeded: remainder)], toByteOffset: position, as: UInt16.self)
                rest = quotient
            }
            if rest >= 10 {
                raw.storeBytes(of: pairs[Int(truncatingIfNeeded: rest)], toByteOffset: position &- 2, as: UInt16.self)
            } else {
                storage[position &- 1] = 0x30 &+ UInt8(truncatingIfNeeded: rest)
            }
        }
        count &+= digits
    }

    /// The two decimal digits of 0 ... 99, first digit in the low byte.
    private static let decimalPairs: [UInt16] = (0..<100).map { UInt16(0x30 + $0 / 10) | UInt16(0x30 + $0 % 10) << 8 }

    mutating func appendDecimal(_ value: Int) { appendDecimal(Int64(value)) }
}
