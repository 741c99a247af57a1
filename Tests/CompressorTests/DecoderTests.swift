import Compressor
import TestSupport
import Testing

/// docs/behaviour.md §7: decoding tables, and refusing malformed ones without trapping.
@Suite struct DecoderTests {
    static let map = "c0008000 T _text\nc0008000 T _stext\nc0008010 t helper\nc0008020 T printk\nc0008030 T _etext\n"

    func raw() throws -> RawKallsymsTables { try Era.v6_1.generate(Self.map.bytes).tables.raw }

    @Test("decoding gives back address, type and name")
    func decodes() throws {
        let symbols = try TableDecoder.decode(raw(), text: 0xc000_8000)
        #expect(
            symbols.map { $0.line(addressWidth: 8).text } == [
                "c0008000 T _text", "c0008000 T _stext", "c0008010 t helper", "c0008020 T printk", "c0008030 T _etext",
            ])
    }

    @Test("malformed tables throw", arguments: 0..<8)
    func malformedTablesThrow(_ damage: Int) throws {
        var tables = try raw()
        switch damage {
        case 0: tables.names.removeLast(3)  // truncated names
        case 1: tables.markers[0] = 1  // marker points elsewhere
        case 2: tables.tokenIndex[Int(tables.names[1])] = UInt16(tables.tokenTable.count)  // index past the table
        case 3: tables.tokenTable.removeLast()  // last token not NUL-terminated
        case 4: tables.symbolCount += 1  // more symbols than addresses
        case 5: tables.markers = []  // no markers
        case 6: tables.tokenIndex.removeLast()  // 255 tokens
        default: tables.names[0] = 0  // zero length
        }
        #expect(throws: KallsymsError.self) { try TableDecoder.decode(tables) }
    }

    @Test("random damage never traps")
    func randomDamageNeverTraps() throws {
        let original = try raw()
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var decoded = 0, refused = 0
        for _ in 0..<2_000 {
            var tables = original
            for _ in 0..<(1 + next() % 4) {
                switch next() % 4 {
                case 0 where !tables.names.isEmpty: tables.names[next() % tables.names.count] = UInt8(truncatingIfNeeded: next())
                case 1 where !tables.tokenTable.isEmpty: tables.tokenTable[next() % tables.tokenTable.count] = UInt8(truncatingIfNeeded: next())
                case 2: tables.tokenIndex[next() % 256] = UInt16(truncatingIfNeeded: next())
                default: tables.names = Array(tables.names.prefix(next() % (tables.names.count + 1)))
                }
            }
            do {
                let symbols = try TableDecoder.decode(tables)
                #expect(symbols.count == tables.symbolCount)
                decoded += 1
            } catch is KallsymsError {
                refused += 1
            } catch {
                Issue.record("an untyped error \(error)")
            }
        }
        // The damage is varied enough to reach both outcomes.
        #expect(decoded > 0 && refused > 0, "decoded \(decoded), refused \(refused)")
    }

    @Test("the .S reader refuses lines no generator writes")
    func assemblyReaderRefusesGarbage() {
        #expect(throws: KallsymsError.self) { try AssemblyReader.read("kallsyms_names:\n\tgarbage\n".bytes) }
        #expect(throws: KallsymsError.self) { try AssemblyReader.read("\t.long\t3\n".bytes) }
        #expect(throws: KallsymsError.self) { try AssemblyReader.read([0xFF, 0x00, 0x0A, 0x41]) }
    }

    /// FuzzDecode found `.byte 0x01, 0x-b` trapping: Swift's integer parsing takes a sign after
    /// the `0x`. Signed numbers are refused wherever the reader takes one.
    @Test("signed numbers are not numbers to the .S reader", arguments: ["0x-b", "0x+b", "-11", "+11"])
    func signedNumbersAreRefused(_ number: String) throws {
        let valid = try Era.v6_1.generate(Self.map.bytes).assembly
        let text = String(decoding: valid, as: UTF8.self)
        #expect(throws: Never.self) { try AssemblyReader.read(valid) }
        // The same value in a names byte, in kallsyms_num_syms and in a token index entry.
        let byte = text.replacingFirst(of: #/\.byte 0x([0-9a-f]+), 0x[0-9a-f]+/#, with: ".byte 0x$1, \(number)")
        let count = text.replacingFirst(of: #/(kallsyms_num_syms:\n\t[A-Z.a-z]+\t)[0-9]+/#, with: "$1\(number)")
        let index = text.replacingFirst(of: #/(kallsyms_token_index:\n\t\.short\t)[0-9]+/#, with: "$1\(number)")
        for damaged in [byte, count, index] {
            #expect(damaged != text)
            #expect(throws: KallsymsError.self) { try AssemblyReader.read(Array(damaged.utf8)) }
        }
    }
}

private extension String {
    /// The text with the first match of `regex` replaced by `template` (`$1` is the first capture).
    func replacingFirst(of regex: Regex<(Substring, Substring)>, with template: String) -> String {
        guard let match = firstMatch(of: regex) else { return self }
        return replacingCharacters(in: match.range, with: template.replacingOccurrences(of: "$1", with: String(match.1)))
    }
}
