import Randomness
import Testing

@testable import Compressor

/// The map parsers' fast address reader, eight bytes at a time, against a reading written
/// another way: each byte looked up among the 22 hex characters.
@Suite struct PlainHexAddressTests {
    static let hexCharacters = Array("0123456789abcdefABCDEF".utf8)

    /// The digits from `start` and the index after them, by looking each byte up.
    static func oracle(_ bytes: [UInt8], from start: Int) -> (value: UInt64, end: Int) {
        var value: UInt64 = 0
        var cursor = start
        while cursor < bytes.count, let index = hexCharacters.firstIndex(of: bytes[cursor]) {
            value = value &* 16 &+ UInt64(index < 16 ? index : index - 6)
            cursor += 1
        }
        return (value, cursor)
    }

    /// Bytes next to the digits' ranges and with the high bit set, which a word-wide range test
    /// could take for digits.
    static let others: [UInt8] = [
        0x00, 0x09, 0x0A, 0x20, 0x2F, 0x3A, 0x40, 0x47, 0x60, 0x67, 0x7F, 0x80, 0xB0, 0xB9, 0xC1, 0xE1, 0xE6, 0xFF,
    ]

    @Test func agreesOnRandomRuns() {
        var random = SeededRandom(seed: 0x4845_58)
        for _ in 0..<20_000 {
            // 0 to 20 digits, then another byte or the end, then filler; read from an offset.
            let offset = Int(random.next() % 4)
            var bytes = (0..<offset).map { _ in Self.hexCharacters[Int(random.next() % 22)] }
            let digits = Int(random.next() % 21)
            bytes += (0..<digits).map { _ in Self.hexCharacters[Int(random.next() % 22)] }
            if random.next() % 8 != 0 { bytes.append(Self.others[Int(random.next() % UInt64(Self.others.count))]) }
            let filler = Int(random.next() % 24)
            bytes += (0..<filler).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let read = bytes.withUnsafeBufferPointer { PlainHexAddress.read($0.baseAddress!, from: offset, count: $0.count) }
            let expected = Self.oracle(bytes, from: offset)
            #expect(read.value == expected.value && read.end == expected.end, "\(bytes) from \(offset)")
        }
    }

    /// Every byte value right after 1 to 16 digits, and in place of each digit of 16.
    @Test func everyByteAroundTheDigits() {
        let digits = Array("0123456789abcdefABCDEF0123456789".utf8)
        for length in 1...16 {
            for other in 0...255 {
                var bytes = Array(digits[0..<length]) + [UInt8(other)] + Array(repeating: 0x20, count: 20)
                let read = bytes.withUnsafeBufferPointer { PlainHexAddress.read($0.baseAddress!, from: 0, count: $0.count) }
                let expected = Self.oracle(bytes, from: 0)
                #expect(read.value == expected.value && read.end == expected.end, "\(length) digits, then \(other)")
                bytes = Array(digits[0..<16]) + Array(repeating: 0x20, count: 20)
                bytes[length - 1] = UInt8(other)
                let replaced = bytes.withUnsafeBufferPointer { PlainHexAddress.read($0.baseAddress!, from: 0, count: $0.count) }
                let replacedExpected = Self.oracle(bytes, from: 0)
                #expect(replaced.value == replacedExpected.value && replaced.end == replacedExpected.end, "byte \(other) at \(length - 1)")
            }
        }
    }
}
