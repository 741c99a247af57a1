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
