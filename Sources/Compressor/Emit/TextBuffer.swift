/// A growing byte buffer with the number formats of the generators' `printf` calls.
///
/// Writes go through a raw pointer into storage that grows geometrically; `reserve(_:)`
/// is called once per line with a bound on that line's size, so the per-byte appends in
/// between need no capacity checks. The storage is owned by the buffer and freed when the
/// bytes are taken with `finish()`.
struct TextBuffer: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// Makes room for at least `extra` more bytes.
    @inline(__always) mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(to: count &+ extra) }
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStorage.update(from: storage, count: count)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }

    /// A copy of the bytes written so far.
    func finish() -> [UInt8] {
        Array(UnsafeBufferPointer(start: storage, count: count))
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

    mutating func append(_ text: String) {
        var copy = text
        copy.withUTF8 { append(raw: $0) }
    }

    @inline(__always) mutating func append(raw bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count)
        if let base = bytes.baseAddress { (storage + count).update(from: base, count: bytes.count) }
        count &+= bytes.count
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
    mutating func appendByteList(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count &* 6)
        var cursor = storage + count
        for value in bytes {
            // Room for 6 bytes per value was reserved above.
            cursor[0] = 0x2C
            cursor[1] = 0x20
            cursor[2] = 0x30
            cursor[3] = 0x78
            cursor[4] = Self.hexDigit(Int(value >> 4))
            cursor[5] = Self.hexDigit(Int(value & 0xF))
            cursor += 6
        }
        count = cursor - storage
    }

    /// `0x%02x` of a value that may need more than two digits (v3.3's unchecked length byte).
    mutating func appendPaddedHex(_ value: Int) {
        if value >= 0 && value < 256 {
            appendByteHex(UInt8(value))
            return
        }
        append("0x")
        appendHexDigits(UInt64(truncatingIfNeeded: value))
    }

    private mutating func appendHexDigits(_ value: UInt64) {
        reserve(16)
        var shift = max(4, (64 - value.leadingZeroBitCount + 3) / 4 * 4)
        while shift > 0 {
            shift -= 4
            storage[count] = Self.hexDigit(Int((value >> UInt64(shift)) & 0xF))
            count &+= 1
        }
    }

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

    mutating func appendDecimal(_ value: UInt64) {
        reserve(20)
        if value < 10 {
            storage[count] = 0x30 &+ UInt8(value)
            count &+= 1
            return
        }
        var digits = 0
        var rest = value
        while rest > 0 {
            digits &+= 1
            rest /= 10
        }
        rest = value
        var position = count &+ digits
        while rest > 0 {
            position &-= 1
            storage[position] = 0x30 &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
        count &+= digits
    }

    mutating func appendDecimal(_ value: Int) { appendDecimal(Int64(value)) }
}
