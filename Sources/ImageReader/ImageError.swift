/// A kernel image that cannot be read: what went wrong and where, in one line.
///
/// A struct around a message rather than an enum, so that new failures need no new cases
/// (the pattern of `KallsymsError`).
public struct ImageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// One line, naming the offset or table concerned.
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The order of multi-byte words in an image.
public enum ByteOrder: String, Hashable, Sendable {
    case little = "little-endian"
    case big = "big-endian"
}

/// Reads unsigned words of 2, 4 or 8 bytes from a buffer in one byte order.
///
/// The caller checks bounds: every read here is in range by the caller's construction.
struct WordReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let order: ByteOrder

    @inline(__always) func word(at offset: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        if order == .little {
            var k = size - 1
            while k >= 0 {
                value = value << 8 | UInt64(bytes[offset &+ k])
                k -= 1
            }
        } else {
            for k in 0..<size { value = value << 8 | UInt64(bytes[offset &+ k]) }
        }
        return value
    }

    @inline(__always) func u16(at offset: Int) -> Int { Int(word(at: offset, size: 2)) }
    @inline(__always) func u32(at offset: Int) -> UInt32 { UInt32(truncatingIfNeeded: word(at: offset, size: 4)) }
}

/// Hex with a `0x` prefix, for messages.
func hex(_ value: some BinaryInteger) -> String { "0x" + String(value, radix: 16) }

@inline(__always) func alignUp(_ value: Int, _ alignment: Int) -> Int { (value + alignment - 1) / alignment * alignment }
