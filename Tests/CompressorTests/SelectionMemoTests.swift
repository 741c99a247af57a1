import Randomness
import Testing

@testable import Compressor

/// A selection made from the last one's memo (records with the same names and types at other
/// addresses) equals the selection made from scratch, and the memo is used exactly when the
/// kept rows and their order cannot have changed.
@Suite struct SelectionMemoTests {
    /// The records at new addresses that keep every run of equal addresses: each run moves by
    /// its own non-negative amount, never onto the next run. Lines change too.
    static func moved(_ records: [SymbolRecord], using random: inout SeededRandom) -> [SymbolRecord] {
        var result = records
        var shift: UInt64 = 0
        for index in result.indices {
            if index > 0 && records[index].address != records[index - 1].address { shift &+= random.next() % 3 }
            result[index].address &+= shift
            result[index].line += 7
        }
        return result
    }

    /// What one variation of the records does to the memo.
    enum Change: CaseIterable {
        /// New addresses in the same runs: the memo is used.
        case runsKept
        /// Each name an equal copy in new storage: the memo is used (names compared by bytes).
        case namesCopied
        /// Two runs joined or one split: from scratch.
        case runsChanged
        /// One type changed: from scratch.
        case typeChanged
        /// One name changed: from scratch.
        case nameChanged
        /// One record fewer: from scratch.
        case recordDropped
    }

    static func apply(_ change: Change, to records: [SymbolRecord], using random: inout SeededRandom) -> [SymbolRecord] {
        var result = moved(records, using: &random)
        guard !result.isEmpty else { return result }
        let row = Int(random.next() % UInt64(result.count))
        switch change {
        case .runsKept:
            break
        case .namesCopied:
            for index in result.indices { result[index].name = result[index].name.withUnsafeBufferPointer { Array($0) } }
        case .runsChanged:
            // Every record of the first run after `row` takes the address of the run before it
            // (or, when `row` is in the last run, the second record moves up on its own).
            if let next = result.indices.first(where: { $0 > row && result[$0].address != result[$0 - 1].address }) {
                var index = next
                let address = result[next - 1].address
                while index < result.count && records[index].address == records[next].address {
                    result[index].address = address
                    index += 1
                }
            } else if result.count > 1 {
                result[result.count - 1].address &+= 1_000
            }
        case .typeChanged:
            result[row].type = result[row].type == UInt8(ascii: "t") ? UInt8(ascii: "T") : UInt8(ascii: "t")
        case .nameChanged:
            result[row].name = result[row].name + [UInt8(ascii: "x")]
        case .recordDropped:
            result.remove(at: row)
        }
        return result
    }

    /// Records in `nm -n` order (ascending addresses, runs of equal ones), from a pool of names
    /// that holds every marker the rules look at.
    static func records(_ count: Int, using random: inout SeededRandom) -> [SymbolRecord] {
        NameOrderReuseTests.randomRecords(count, using: &random)
    }

    @Test("selections made from the memo equal selections from scratch, in every era", arguments: Era.allCases)
    func memoEqualsScratch(_ era: Era) throws {
        var random = SeededRandom(seed: 0x17_a).derived(era.rawValue)
        let options = KallsymsOptions(allSymbols: true)
        var used = 0
        for round in 0..<200 {
            let first = Self.records(1 + Int(random.next() % 200), using: &random)
            var memo: SelectionMemo?
            // (Records whose every name is dropped are refused: no memo, nothing to compare.)
            guard let selection = try? era.select(first, options: options, memo: &memo) else { continue }
            #expect(selection == (try era.select(first, options: options)))
            guard memo != nil else {
                Issue.record("no memo of an nm -n selection (round \(round))")
                continue
            }
            for change in Change.allCases {
                var copy = memo
                let next = Self.apply(change, to: first, using: &random)
                let reused = copy?.reselect(next, era: era, options: options)
                #expect(
                    RowSelectionTests.same({ try era.select(next, options: options, memo: &copy) }, { try era.select(next, options: options) }),
                    "\(era) round \(round) \(change)")
                if let reused {
                    used += 1
                    #expect(reused.selection == (try era.select(next, options: options)), "\(era) round \(round) \(change)")
                }
                switch change {
                case .runsKept, .namesCopied:
                    #expect(reused != nil, "\(era) round \(round) \(change): the memo was not used")
                case .typeChanged, .nameChanged, .recordDropped:
                    #expect(reused == nil, "\(era) round \(round) \(change): the memo was used")
                case .runsChanged:
                    // Joining two runs can leave the kept runs as they were (when a run of the
                    // two keeps nothing); the selection is compared above either way.
                    break
                }
            }
        }
        #expect(used >= 400)
    }

    /// `records` at new addresses (same runs) with `count` rows changed: a name taken from
    /// another row (markers and pass-varying names included), a type flipped, or both.
    static func patched(_ records: [SymbolRecord], changing count: Int, using random: inout SeededRandom) -> [SymbolRecord] {
        var result = moved(records, using: &random)
        for _ in 0..<count where !result.isEmpty {
            let row = Int(random.next() % UInt64(result.count))
            switch random.next() % 3 {
            case 0: result[row].name = records[Int(random.next() % UInt64(records.count))].name
            case 1: result[row].type = Array("TtDdRrBbAaWwV".utf8)[Int(random.next() % 13)]
            default:
                result[row].name = records[Int(random.next() % UInt64(records.count))].name
                result[row].type = records[Int(random.next() % UInt64(records.count))].type
            }
        }
        return result
    }

    @Test("selections patched from a memo of other names and types equal selections from scratch", arguments: Era.allCases)
    func patchedEqualsScratch(_ era: Era) throws {
        var random = SeededRandom(seed: 0x17_c).derived(era.rawValue)
        let options = KallsymsOptions(allSymbols: true)
        var patched = 0, refused = 0
        for round in 0..<300 {
            let first = Self.records(1 + Int(random.next() % 300), using: &random)
            var memo: SelectionMemo?
            guard (try? era.select(first, options: options, memo: &memo)) != nil, let memo else { continue }
            // Rows changed, and in half the rounds two runs of equal addresses joined as well.
            let base = random.next() % 2 == 0 ? first : Self.apply(.runsChanged, to: first, using: &random)
            let next = Self.patched(base, changing: Int(random.next() % 7), using: &random)
            // Changed rows are never taken over without patching.
            let changedRows = zip(first, next).filter { $0.name != $1.name || $0.type != $1.type }.count
            #expect(changedRows == 0 || memo.reselect(next, era: era, options: options) == nil, "\(era) round \(round)")
            guard let reused = memo.reselect(next, era: era, options: options, patching: true) else {
                refused += 1
                continue
            }
            patched += 1
            let scratch = try era.select(next, options: options)
            #expect(reused.selection == scratch, "\(era) round \(round)")
            #expect(reused.selection.storedStrings == scratch.storedStrings, "\(era) round \(round)")
            // The patched memo is a memo of `next`: it reselects `next` moved again exactly.
            let again = Self.moved(next, using: &random)
            if let exact = reused.memo.reselect(again, era: era, options: options) {
                #expect(exact.selection == (try era.select(again, options: options)), "\(era) round \(round), again")
            }
        }
        // Most changes patch (a refusal is a change to or from `_text`, a change that leaves the
        // kept addresses out of order, or an empty selection that the era refuses).
        #expect(patched >= 200, "\(patched) patched, \(refused) refused")
    }

    @Test("a memo patches at most a few rows: a memo of other records is not patched")
    func patchLimit() throws {
        var random = SeededRandom(seed: 0x17_d)
        let options = KallsymsOptions(allSymbols: true)
        let first = Self.records(20_000, using: &random)
        var memo: SelectionMemo?
        _ = try Era.v3_3.select(first, options: options, memo: &memo)
        let other = Self.records(20_000, using: &random)
        #expect(memo?.reselect(other, era: .v3_3, options: options, patching: true) == nil)
        var many = Self.moved(first, using: &random)
        for row in stride(from: 0, to: many.count, by: 10) { many[row].name = many[row].name + [UInt8(ascii: "x")] }
        #expect(memo?.reselect(many, era: .v3_3, options: options, patching: true) == nil)
    }

    @Test("no memo without --all-symbols, with --absolute-percpu, or when the kept addresses do not ascend")
    func noMemo() throws {
        var random = SeededRandom(seed: 0x17_b)
        let records = Self.records(120, using: &random)
        var memo: SelectionMemo?
        _ = try? Era.v6_1.select(records, options: KallsymsOptions(), memo: &memo)
        #expect(memo == nil)
        _ = try? Era.v6_1.select(records, options: KallsymsOptions(allSymbols: true, absolutePercpu: true), memo: &memo)
        #expect(memo == nil)
        var shuffled = records
        shuffled.shuffle(using: &random)
        let selection = try Era.v6_1.select(shuffled, options: KallsymsOptions(allSymbols: true), memo: &memo)
        #expect(selection == (try Era.v6_1.select(shuffled, options: KallsymsOptions(allSymbols: true))))
        #expect(memo == nil)
        // Another era or other options than the memo's: from scratch, and the memo is replaced.
        _ = try Era.v6_1.select(records, options: KallsymsOptions(allSymbols: true), memo: &memo)
        #expect(memo?.reselect(records, era: .v7_0, options: KallsymsOptions(allSymbols: true)) == nil)
        #expect(memo?.reselect(records, era: .v6_1, options: KallsymsOptions(allSymbols: true, baseRelative: true)) == nil)
        #expect(memo?.reselect(records, era: .v6_1, options: KallsymsOptions(allSymbols: true)) != nil)
    }
}
