import Foundation
import Randomness
import Testing

@testable import Compressor

/// The `.S` writer's number formats against the C library's `printf` (which the generators
/// call), on the edges of every digit count and on random values of every width.
@Suite struct TextBufferTests {
    /// Values around each power of ten and each power of two, the extremes, and random values
    /// of every bit width.
    static let values: [UInt64] = {
        var values: Set<UInt64> = [0, 1, 9, 10, 11, 99, 100, 101, UInt64.max, UInt64.max - 1]
        var power: UInt64 = 1
        for _ in 0...19 {
            values.formUnion([power - 1, power, power + 1])
            let (next, overflow) = power.multipliedReportingOverflow(by: 10)
            if overflow { break }
            power = next
        }
        for shift: UInt64 in 0..<64 {
            let bit: UInt64 = 1 << shift
            values.formUnion([bit - 1, bit, bit &+ 1])
        }
        var random = SeededRandom(seed: 19)
        for width: UInt64 in 1...64 {
            for _ in 0..<40 { values.insert(random.next() >> (64 - width)) }
        }
        return values.sorted()
    }()

    static func formatted(upperBound: Int = 64, _ body: (inout TextBuffer) -> Void) -> String {
        String(decoding: TextBuffer.build(upperBound: upperBound, body), as: UTF8.self)
    }

    @Test func unsignedDecimalIsPrintfs() {
        for value in Self.values {
            #expect(Self.formatted { $0.appendDecimal(value) } == String(format: "%llu", value), "value \(value)")
        }
    }

    @Test func signedDecimalIsPrintfs() {
        for value in Self.values {
            let signed = Int64(bitPattern: value)
            #expect(Self.formatted { $0.appendDecimal(signed) } == String(format: "%lld", signed), "value \(signed)")
        }
    }

    /// Numbers written back to back land where the count says (nothing written past a number
    /// survives the next one).
    @Test func decimalsBackToBack() {
        let written = Self.formatted(upperBound: Self.values.count * 21) { out in
            for (index, value) in Self.values.enumerated() {
                if index > 0 { out.append(byte: UInt8(ascii: ",")) }
                out.appendDecimal(value)
            }
        }
        #expect(written == Self.values.map { String($0) }.joined(separator: ","))
    }

    @Test func alternateHexIsPrintfs() {
        for value in Self.values {
            #expect(Self.formatted { $0.appendAlternateHex(value) } == String(format: "%#llx", value), "value \(value)")
        }
    }
}
