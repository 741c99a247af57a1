import Randomness
import Testing

@testable import Compressor

/// The token parser reads the common `HEX␠T␠NAME\n` record through a fast path; on every
/// input it must read exactly what the general scanf-like scanner reads.
@Suite struct PlainRecordTests {
    /// A random `nm`-like text: mostly plain lines, mixed with every shape the fast path must
    /// refuse or hand over (blanks, CR, NUL and control bytes, `0x`/sign prefixes, long
    /// addresses, names at the buffer size, missing fields, garbage, no final newline).
    func randomText(_ random: inout SeededRandom, nameBuffer: Int) -> [UInt8] {
        var text: [UInt8] = []
        func hex(_ digits: Int) -> [UInt8] {
            (0..<digits).map { _ in Array("0123456789abcdefABCDEF".utf8)[Int(random.next() % 22)] }
        }
        func name(_ length: Int) -> [UInt8] {
            (0..<length).map { _ in
                switch random.next() % 40 {
                case 0: return 0  // NUL: C strings end there
                case 1: return 0x09  // a tab splits the name
                case 2: return 0x01  // a control byte is part of the name
                case 3: return 0xC3  // bytes above 0x7F are ordinary
                default: return Array("abcxyz_.$0189".utf8)[Int(random.next() % 13)]
                }
            }
        }
        for _ in 0..<Int(random.next() % 40) {
            let odd = random.next() % 3 == 0
            var line = hex(odd ? Int(random.next() % 19) : 8)
            if odd {
                switch random.next() % 6 {
                case 0: line = Array("0x".utf8) + line
                case 1: line = [random.next() % 2 == 0 ? 0x2D : 0x2B] + line
                case 2: line = Array("  ".utf8) + line
                default: break
                }
            }
            let separator: [UInt8] = odd && random.next() % 4 == 0 ? [0x20, 0x20] : (odd && random.next() % 5 == 0 ? [0x09] : [0x20])
            line += separator
            if !(odd && random.next() % 8 == 0) { line.append(Array("TtDdbBAUNrW \n".utf8)[Int(random.next() % 13)]) }
            line += odd && random.next() % 6 == 0 ? [0x20, 0x20] : [0x20]
            let length = odd ? Int(random.next() % UInt64(nameBuffer + 3)) : 1 + Int(random.next() % UInt64(nameBuffer - 1))
            line += odd ? name(length) : Array(repeating: Array("abc_".utf8)[Int(random.next() % 4)], count: length)
            if odd {
                switch random.next() % 6 {
                case 0: line += Array("\r\n".utf8)
                case 1: line += Array(" extra\n".utf8)
                case 2: line += Array("\n\n  \n".utf8)
                default: line.append(0x0A)
                }
            } else {
                line.append(0x0A)
            }
            text += line
        }
        if random.next() % 4 == 0, !text.isEmpty { text.removeLast() }
        return text
    }

    @Test("the fast path reads what the general scanner reads, on 3 000 random texts")
    func fastPathAgreesWithScanner() {
        var random = SeededRandom(seed: 0x5eed_7e47)
        var plainRecords = 0
        for _ in 0..<3_000 {
            let nameBuffer = 4 + Int(random.next() % 12)
            let text = randomText(&random, nameBuffer: nameBuffer)
            let (fast, general) = text.withUnsafeBufferPointer {
                (
                    TokenMapParser.parse($0, nameBuffer: nameBuffer),
                    TokenMapParser.parse($0, nameBuffer: nameBuffer, readsPlainRecordsFast: false)
                )
            }
            #expect(fast.symbols == general.symbols, "text \(text)")
            #expect(fast.symbols.lines == general.symbols.lines, "text \(text)")
            #expect(fast.warnings == general.warnings, "text \(text)")
            plainRecords += general.symbols.count
        }
        // The texts are mostly plain: the fast path was exercised.
        #expect(plainRecords > 20_000)
    }
}
