import Compressor
import Randomness
import Testing

/// A generator run selects rows of the parsed columns and makes its kept symbols on a second
/// thread while it compresses (issue 19): the selection, tables and `.S` must equal the work
/// done one stage after the other from the records.
@Suite struct RowSelectionTests {
    /// Every option set of `era` that changes what is kept.
    static func optionSets(_ era: Era) -> [KallsymsOptions] {
        let flags = era.rules.flags
        var sets: [KallsymsOptions] = [.init(), .init(allSymbols: true)]
        if flags.contains(.absolutePercpu) {
            sets += [.init(absolutePercpu: true, baseRelative: true), .init(allSymbols: true, absolutePercpu: true)]
        }
        if flags.contains(.symbolPrefix) { sets.append(.init(symbolPrefix: UInt8(ascii: "_"))) }
        return sets
    }

    /// Random records, some with their lines shuffled (addresses not ascending: the whole sort).
    static func records(_ count: Int, using random: inout SeededRandom) -> [SymbolRecord] {
        var records = NameOrderReuseTests.randomRecords(count, using: &random)
        if random.next() % 4 == 0 {
            records.shuffle(using: &random)
            for index in records.indices { records[index].line = index + 1 }
        }
        return records
    }

    /// The same outcome: equal values, or the same error.
    static func same<T: Equatable>(_ a: () throws -> T, _ b: () throws -> T) -> Bool {
        switch (Result(catching: a), Result(catching: b)) {
        case (.success(let x), .success(let y)): return x == y
        case (.failure(let x), .failure(let y)): return "\(x)" == "\(y)"
        default: return false
        }
    }

    @Test("selecting from columns equals selecting from records", arguments: Era.allCases)
    func columnsEqualRecords(_ era: Era) {
        var random = SeededRandom(seed: 0x19_5).derived(era.rawValue)
        for _ in 0..<150 {
            let records = Self.records(Int(random.next() % 300), using: &random)
            let table = SymbolTable(records)
            for options in Self.optionSets(era) {
                #expect(Self.same({ try era.select(table, options: options) }, { try era.select(records, options: options) }))
            }
        }
    }

    @Test(
        "a run's selection, tables and .S equal the stages done one after the other, below and above the second-thread size",
        arguments: Era.allCases)
    func runEqualsStages(_ era: Era) throws {
        var random = SeededRandom(seed: 0x19_6).derived(era.rawValue)
        for count in [0, 1, 57, 400, 9_000, 12_000] {
            let records = Self.records(count, using: &random)
            for options in Self.optionSets(era) {
                let expected = Result { () -> (Selection, KallsymsTables, [UInt8]) in
                    let selection = try era.select(records, options: options)
                    let compression = CompressionEngine.default.compress(selection.storedStrings)
                    let tables = try era.tables(for: selection, compression: compression, options: options)
                    let assembly = AssemblyWriter.write(tables, symbols: selection.symbols, era: era, options: options)
                    return (selection, tables, assembly)
                }
                let run = Result { try era.generate(ParsedMap(records: records), options: options) }
                switch (expected, run) {
                case (.success(let (selection, tables, assembly)), .success(let run)):
                    #expect(run.selection == selection, "\(era) \(options) \(count) symbols")
                    #expect(run.tables == tables, "\(era) \(options) \(count) symbols")
                    #expect(run.assembly == assembly, "\(era) \(options) \(count) symbols")
                case (.failure(let a), .failure(let b)):
                    #expect("\(a)" == "\(b)")
                default:
                    Issue.record("\(era) \(options) \(count) symbols: one way failed, the other did not")
                }
            }
        }
    }

    @Test(
        "a selection from records gives the stored strings and tables of its kept symbols, before and after they are made",
        arguments: Era.allCases)
    func recordSelectionEqualsItsSymbols(_ era: Era) throws {
        var random = SeededRandom(seed: 0x17_1).derived(era.rawValue)
        for _ in 0..<40 {
            let records = Self.records(1 + Int(random.next() % 400), using: &random)
            for options in Self.optionSets(era) {
                guard let fromRecords = try? era.select(records, options: options) else { continue }
                let compression = CompressionEngine.default.compress(fromRecords.storedStrings)
                // Tables and strings from the rows, while no one has read the kept symbols.
                let rowTables = Result { try era.tables(for: fromRecords, compression: compression, options: options) }
                let rowStrings = fromRecords.storedStrings
                let made = Selection(
                    symbols: fromRecords.symbols, textAddress: fromRecords.textAddress, recordsRead: fromRecords.recordsRead)
                #expect(made.symbols == (try era.select(SymbolTable(records), options: options)).symbols)
                #expect(rowStrings == made.storedStrings, "\(era) \(options)")
                #expect(fromRecords.count == made.symbols.count)
                #expect(
                    Self.same({ try rowTables.get() }, { try era.tables(for: made, compression: compression, options: options) }),
                    "\(era) \(options)")
            }
        }
    }
}
