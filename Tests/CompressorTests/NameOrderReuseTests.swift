import Compressor
import Randomness
import Testing

/// The pieces a build's later passes reuse (issue 17, item 1): each must equal the work done
/// from scratch on random inputs.
@Suite struct NameOrderReuseTests {
    /// Names from a small pool (many repeats, so runs of equal names exist), some markers
    /// and empty names, at non-decreasing addresses with many ties.
    static func randomRecords(_ count: Int, using random: inout SeededRandom) -> [SymbolRecord] {
        let pool: [[UInt8]] =
            (0..<40).map { Array("sym_\($0)".utf8) }
            + [
                "_text", "_stext", "_etext", "_sinittext", "_einittext", "__per_cpu_start", "__per_cpu_end",
                "__start_x", "__stop_x", "$a", "$d", "__crc_foo", ".Lx", "kallsyms_names", "", "_", "a",
            ].map { Array($0.utf8) }
        let letters = Array("TtDdRrBbAaWwVvNU?".utf8)
        var address: UInt64 = 0xC000_0000
        return (0..<count).map { line in
            if random.next() % 3 == 0 { address &+= random.next() % 64 }
            return SymbolRecord(
                address: address, type: letters[Int(random.next() % UInt64(letters.count))],
                name: pool[Int(random.next() % UInt64(pool.count))], line: line + 1)
        }
    }

    static func symbols(_ records: [SymbolRecord]) -> [KeptSymbol] {
        records.enumerated().map { KeptSymbol(address: $1.address, type: $1.type, name: $1.name, position: $0, line: $1.line) }
    }

    @Test("the name order reused for the same names at moved addresses equals the order sorted from scratch")
    func reusedNameOrderEqualsSorted() {
        var random = SeededRandom(seed: 0x17_1)
        for _ in 0..<200 {
            let earlier = Self.symbols(Self.randomRecords(Int(random.next() % 300), using: &random))
            let memo = NameOrder.Memo(symbols: earlier, sequence: NameOrder.sequence(of: earlier))
            // Same names, new addresses: runs of equal names must be re-sorted by address.
            var moved = earlier
            for index in moved.indices { moved[index].address = 0xC000_0000 &+ random.next() % 512 }
            let reused = NameOrder.sequence(of: moved, reusing: memo)
            #expect(reused?.sequence == NameOrder.sequence(of: moved))
            // Carried over again (runs of equal names kept from the memo), as a third pass would.
            var again = moved
            for index in again.indices { again[index].address = 0xC000_0000 &+ random.next() % 512 }
            #expect(reused.flatMap { NameOrder.sequence(of: again, reusing: $0) }?.sequence == NameOrder.sequence(of: again))
            // A few symbols swapped (reordered among equal addresses): names stand at other indices.
            var swapped = moved
            for _ in 0..<Int(random.next() % 4) where swapped.count > 1 {
                swapped.swapAt(Int(random.next() % UInt64(swapped.count)), Int(random.next() % UInt64(swapped.count)))
            }
            let carried = NameOrder.sequence(of: swapped, reusing: memo)
            #expect(carried?.sequence == NameOrder.sequence(of: swapped))
        }
    }

    @Test("the name order is not reused when a name differs")
    func differentNamesAreNotReused() {
        var random = SeededRandom(seed: 0x17_2)
        let earlier = Self.symbols(Self.randomRecords(100, using: &random))
        var renamed = earlier
        renamed[50].name += [UInt8(ascii: "x")]
        let memo = NameOrder.Memo(symbols: earlier, sequence: NameOrder.sequence(of: earlier))
        #expect(NameOrder.sequence(of: renamed, reusing: memo) == nil)
        #expect(NameOrder.sequence(of: Array(earlier.dropLast()), reusing: memo) == nil)
    }

    @Test("selecting records in place equals selecting their parsed columns, in every era", arguments: Era.allCases)
    func selectingRecordsEqualsSelectingTable(_ era: Era) {
        var random = SeededRandom(seed: 0x17_3)
        let optionSets = [
            KallsymsOptions(), KallsymsOptions(allSymbols: true), KallsymsOptions(allSymbols: true, absolutePercpu: true),
            KallsymsOptions(symbolPrefix: UInt8(ascii: "_")),
        ]
        for _ in 0..<60 {
            let records = Self.randomRecords(Int(random.next() % 400), using: &random)
            for options in optionSets {
                let fromRecords = Result { try era.select(records, options: options) }
                let fromTable = Result { try era.select(SymbolTable(records), options: options) }
                switch (fromRecords, fromTable) {
                case (.success(let a), .success(let b)):
                    #expect(a == b)
                    #expect(a.symbols.map(\.line) == b.symbols.map(\.line))
                case (.failure(let a as KallsymsError), .failure(let b as KallsymsError)):
                    #expect(a.kind == b.kind && a.message == b.message)
                default:
                    Issue.record("\(era): one selection failed, the other did not")
                }
            }
        }
    }

    @Test("gathering, prefixing and joining byte strings equal appending them one by one")
    func byteStringBuildersEqualAppending() {
        var random = SeededRandom(seed: 0x17_4)
        for _ in 0..<50 {
            let strings = (0..<Int(random.next() % 50)).map { _ in
                (0..<Int(random.next() % 6)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
            let joined = ByteStrings(joining: strings)
            #expect(joined == ByteStrings(strings))
            let order = strings.indices.shuffled(using: &random) + strings.indices.prefix(3)
            #expect(joined.gathering(order) == ByteStrings(order.map { strings[$0] }))
            let firsts = strings.map { _ in UInt8(truncatingIfNeeded: random.next()) }
            #expect(joined.prefixing(firsts) == ByteStrings(strings.indices.map { [firsts[$0]] + strings[$0] }))
        }
    }
}
