import Compressor
import TestSupport
import Testing

/// docs/behaviour.md §2: how each era reads `nm -n` text.
@Suite struct ParserTests {
    func records(_ era: Era, _ text: String) throws -> [SymbolRecord] { try era.parse(text.bytes).records }

    func triples(_ records: [SymbolRecord]) -> [String] {
        records.map { String($0.address, radix: 16) + " " + String(UnicodeScalar($0.type)) + " " + $0.name.text }
    }

    // MARK: v3.3–v6.1 whitespace tokens (docs/behaviour.md §2.1)

    @Test("token eras read plain nm lines", arguments: [Era.v3_3, .v5_10, .v6_1])
    func tokenErasReadPlainLines(_ era: Era) throws {
        let parsed = try records(era, "c0008000 T _text\nc0008040 t foo\n")
        #expect(triples(parsed) == ["c0008000 T _text", "c0008040 t foo"])
        #expect(parsed.map(\.line) == [1, 2])
    }

    @Test("a two-field line steals the next line's address as its name")
    func twoFieldLineStealsNextAddress() throws {
        let parsed = try records(.v5_10, "c0008000 T\nc0008040 t foo\nc0008080 T bar\n")
        // Record 1: address c0008000, type T, name "c0008040"; then "t foo" fails the hex
        // conversion ("t" is not a digit) and the rest of that line is discarded.
        #expect(triples(parsed) == ["c0008000 T c0008040", "c0008080 T bar"])
    }

    @Test("a fourth column fails the next address conversion and is discarded")
    func fourthColumnIsDiscarded() throws {
        let parsed = try records(.v6_1, "c0008000 T foo\t[module]\nc0008040 t bar\n")
        #expect(triples(parsed) == ["c0008000 T foo", "c0008040 t bar"])
    }

    @Test("leading blanks, 0x prefixes, CR and blank lines are whitespace to scanf")
    func blanksAndPrefixes() throws {
        let parsed = try records(.v3_3, "  0xc0008000   T  _text\r\n\r\n\t0Xc0008010 t  x\r\n")
        #expect(triples(parsed) == ["c0008000 T _text", "c0008010 t x"])
    }

    @Test("the type is the next non-blank byte even without a blank before it")
    func typeNeedsNoBlank() throws {
        #expect(triples(try records(.v5_10, "c0008000Tfoo\n")) == ["c0008000 T foo"])
    }

    @Test("a name longer than the buffer is split and its tail starts the next record")
    func longNameIsSplit() throws {
        let name = String(repeating: "a", count: 499) + "bc_d"
        let parsed = try records(.v3_3, "c0008000 T \(name)\n")
        // The tail "bc_d" is read as address 0xbc, type "_", name "d".
        #expect(parsed.count == 2)
        #expect(parsed[0].name.count == 499)
        #expect(triples([parsed[1]]) == ["bc _ d"])
    }

    @Test("a 17-digit address saturates like strtoull")
    func addressSaturates() throws {
        #expect(try records(.v5_10, "1ffffffffffffffff T x\n")[0].address == UInt64.max)
        #expect(try records(.v7_0, "1ffffffffffffffff T x\n")[0].address == UInt64.max)
    }

    @Test("a minus sign negates like strtoull")
    func minusNegates() throws {
        #expect(try records(.v6_1, "-1 T x\n")[0].address == UInt64.max)
        #expect(try records(.v6_19, "-2 T x\n")[0].address == UInt64.max - 1)
    }

    @Test("a name stops at a NUL byte, as C strings do")
    func nameStopsAtNul() throws {
        var bytes = "c0008000 T ab".bytes
        bytes += [0, UInt8(ascii: "c"), 0x0A]
        #expect(try Era.v6_1.parse(bytes).records[0].name == "ab".bytes)
        #expect(try Era.v7_0.parse(bytes).records[0].name == "ab".bytes)
    }

    @Test("a record cut short by the end of input is dropped with a warning")
    func truncatedRecordWarns() throws {
        let parsed = try Era.v5_10.parse("c0008000 T foo\nc0008040 t".bytes)
        #expect(triples(parsed.records) == ["c0008000 T foo"])
        #expect(parsed.warnings.count == 1)
    }

    @Test("binary garbage never traps: it parses to well-formed records or throws a KallsymsError", arguments: Era.allCases)
    func binaryGarbageNeverTraps(_ era: Era) {
        var state: UInt64 = 0x1234_5678
        let garbage = (0..<20_000).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        do {
            let parsed = try era.parse(garbage)
            // Whatever was read is a record as the era defines one: a name without blanks and
            // within the era's length limit.
            for record in parsed.records {
                #expect(!record.name.isEmpty && !record.name.contains(0x0A), "\(era): \(record)")
                if let limit = era.rules.nameLengthLimit { #expect(record.name.count < limit) }
            }
        } catch is KallsymsError {
            // refused with a typed error: fine
        } catch {
            Issue.record("\(era): an untyped error \(error)")
        }
    }

    // MARK: length limits

    @Test(
        "names at or above the era's limit are skipped with a warning",
        arguments: [
            (Era.v5_10, 128), (Era.v6_1, 512), (Era.v6_19, 512), (Era.v7_0, 512),
        ])
    func longNamesAreSkipped(_ era: Era, _ limit: Int) throws {
        let ok = String(repeating: "x", count: limit - 1)
        let long = String(repeating: "y", count: limit)
        let parsed = try era.parse("c0008000 T \(ok)\nc0008001 T \(long)\n".bytes)
        #expect(parsed.records.map(\.name.count) == [limit - 1])
        #expect(parsed.warnings.count == 1)
        #expect(parsed.warnings[0].line == 2)
    }

    @Test("v3.3 has no length check")
    func v33HasNoLengthCheck() throws {
        let parsed = try Era.v3_3.parse("c0008000 T \(String(repeating: "x", count: 499))\n".bytes)
        #expect(parsed.records.map(\.name.count) == [499])
        #expect(parsed.warnings.isEmpty)
    }

    // MARK: v6.19+ strict lines (docs/behaviour.md §2.2)

    @Test("strict lines: the name is the rest of the line, spaces and CR included", arguments: [Era.v6_12, .v6_19, .v7_0])
    func strictNameIsRestOfLine(_ era: Era) throws {
        let parsed = try records(era, "c0008000 T a b\tc\r\nc0008001 t \n")
        #expect(parsed.map(\.name) == ["a b\tc\r".bytes, []])
    }

    @Test("strict lines: a last line without newline is fine")
    func lastLineWithoutNewline() throws {
        #expect(try records(.v7_0, "c0008000 T a\nc0008001 T b").count == 2)
    }

    @Test(
        "strict lines: malformed lines are a line format error naming the line",
        arguments: [
            "c0008000 T foo\n\nc0008001 T bar\n",  // empty line
            "c0008000 T foo\nc0008001 T\n",  // no space after the type
            "c0008000 T foo\nc0008001  T bar\n",  // two spaces
            "c0008000 T foo\nzzzz T bar\n",  // no address
            "c0008000 T foo\n0x T bar\n",  // "0x" without digits: strtoull stops at "x"
        ])
    func strictLineFormatErrors(_ text: String) {
        #expect {
            _ = try Era.v6_19.parse(text.bytes)
        } throws: { error in
            (error as? KallsymsError)?.kind == .lineFormat && (error as? KallsymsError)?.line == 2
        }
    }

    @Test("strict lines: the type byte must be ASCII")
    func typeMustBeASCII() {
        #expect(throws: KallsymsError.self) { try Era.v7_0.parse([0x31, 0x20, 0xC3, 0x20, 0x61]) }
    }

    @Test("an empty input gives no records in every era", arguments: Era.allCases)
    func emptyInput(_ era: Era) throws {
        #expect(try era.parse([]).records.isEmpty)
    }
}
