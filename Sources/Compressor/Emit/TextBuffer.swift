/// A growing byte buffer with the number formats of the generators' `printf` calls.
struct TextBuffer {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    @inline(__always) mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    @inline(__always) mutating func append<C: Collection>(raw: C) where C.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    @inline(__always) mutating func append(byte: UInt8) { bytes.append(byte) }

    /// `0x%02x`.
    @inline(__always) mutating func appendByteHex(_ value: UInt8) {
        bytes.append(UInt8(ascii: "0"))
        bytes.append(UInt8(ascii: "x"))
        bytes.append(Self.hexDigits[Int(value >> 4)])
        bytes.append(Self.hexDigits[Int(value & 0xF)])
    }

    /// `0x%02x` of a value that may need more than two digits (v3.3's unchecked length byte).
    mutating func appendPaddedHex(_ value: Int) {
        bytes.append(UInt8(ascii: "0"))
        bytes.append(UInt8(ascii: "x"))
        let digits = String(value, radix: 16).leftPadded(to: 2)
        bytes.append(contentsOf: digits.utf8)
    }

    /// `%#llx`: lowercase hex with `0x`, but a bare `0` for zero.
    mutating func appendAlternateHex(_ value: UInt64) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        bytes.append(UInt8(ascii: "0"))
        bytes.append(UInt8(ascii: "x"))
        var shift = (64 - value.leadingZeroBitCount + 3) / 4 * 4
        while shift > 0 {
            shift -= 4
            bytes.append(Self.hexDigits[Int((value >> UInt64(shift)) & 0xF)])
        }
    }

    /// `%d` / `%u` / `%lld`.
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(UInt64(value.magnitude))
        } else {
            appendDecimal(UInt64(value))
        }
    }

    mutating func appendDecimal(_ value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = UInt8(ascii: "0") &+ UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            while count > 0 {
                count -= 1
                bytes.append(buffer[count])
            }
        }
    }

    mutating func appendDecimal(_ value: Int) { appendDecimal(Int64(value)) }
}
