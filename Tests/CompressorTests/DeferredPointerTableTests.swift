import Randomness
import Testing

@testable import Compressor

/// A build's pass needs `kallsyms_addresses` only for its size (the next link places the
/// tables after it): the table of a selection from records is made the first time it is read
/// (issue 17), and must then be the table made at once.
@Suite struct DeferredPointerTableTests {
    @Test(
        "a pass's pointer table is laid out without being made, and made when read equals the one made at once",
        arguments: [Era.v3_3, .v5_10, .v6_1], TargetABI.all)
    func deferredEqualsMade(_ era: Era, _ target: TargetABI) throws {
        var random = SeededRandom(seed: 0x17_2).derived(era.rawValue + target.name)
        var deferredSeen = 0
        for _ in 0..<20 {
            let records = RowSelectionTests.records(1 + Int(random.next() % 400), using: &random)
            // No --base-relative: these eras write one pointer per symbol.
            for options in [KallsymsOptions(), KallsymsOptions(allSymbols: true)] {
                guard let selection = try? era.select(records, options: options) else { continue }
                let compression = CompressionEngine.default.compress(selection.storedStrings)
                let tables = try era.tables(for: selection, compression: compression, options: options)
                guard case .deferred(let deferred) = tables.addressSource else {
                    Issue.record("\(era) \(options): a selection from records made its pointer table at once")
                    continue
                }
                deferredSeen += 1
                let layout = tables.layout(era: era, target: target)
                #expect(!deferred.isMade, "laying the tables out made the pointer table")
                let made = Selection(
                    symbols: selection.symbols, textAddress: selection.textAddress, recordsRead: selection.recordsRead)
                let atOnce = try era.tables(for: made, compression: compression, options: options)
                guard case .made(let table) = atOnce.addressSource, case .addresses = table else {
                    Issue.record("\(era) \(options): the kept symbols' tables have no pointer table made")
                    continue
                }
                #expect(layout == atOnce.layout(era: era, target: target))
                #expect(tables.addresses == table)
                #expect(deferred.isMade)
                #expect(tables == atOnce)
            }
        }
        #expect(deferredSeen > 20)
    }

    @Test("tables whose addresses can be out of range are made at once, so that the generator's refusal comes in time")
    func offsetTablesAreMadeAtOnce() throws {
        var random = SeededRandom(seed: 0x17_3)
        let records = RowSelectionTests.records(300, using: &random)
        var checked = 0
        for (era, options) in [
            (Era.v6_1, KallsymsOptions(baseRelative: true)), (.v6_12, KallsymsOptions()), (.v6_19, KallsymsOptions()),
            (.v7_0, KallsymsOptions(pcRelative: true)),
        ] {
            guard let selection = try? era.select(records, options: options) else { continue }
            let compression = CompressionEngine.default.compress(selection.storedStrings)
            guard let tables = try? era.tables(for: selection, compression: compression, options: options) else { continue }
            checked += 1
            guard case .made = tables.addressSource else {
                Issue.record("\(era) \(options): an offset table was deferred")
                continue
            }
        }
        #expect(checked >= 3)
    }
}
