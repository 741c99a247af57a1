import Randomness
import Testing

@testable import Generators

/// The name sampler draws through `FlatTables`' guide tables; a population (and so every
/// campaign case) must stay the one the binary search of `WeightedTable` draws.
@Suite struct FlatTablesTests {
    /// Tables of 1…300 entries with even, skewed (a few heavy entries among many light ones)
    /// or huge weights.
    static func tables(using random: inout SeededRandom) -> [WeightedTable<Int>] {
        (0..<40).map { number in
            var table = WeightedTable<Int>()
            let count = 1 + Int(random.next() % 300)
            for element in 0..<count {
                let weight: Int
                switch number % 3 {
                case 0: weight = 1 + Int(random.next() % 10)
                case 1: weight = random.next() % 16 == 0 ? 1 + Int(random.next() % 100_000) : 1
                default: weight = 1 + Int(random.next() % (1 << 40))
                }
                table.append(element, weight: weight)
            }
            return table
        }
    }

    @Test("a guided draw gives the entry and takes the numbers the binary search does")
    func guidedDrawEqualsBinarySearch() {
        var random = SeededRandom(seed: 0x17_2)
        for _ in 0..<5 {
            let tables = Self.tables(using: &random)
            let flat = FlatTables(tables)
            var guided = SeededRandom(seed: random.next())
            var searched = guided
            for _ in 0..<20_000 {
                let table = Int(random.next() % UInt64(tables.count))
                #expect(flat.draw(table, using: &guided) == tables[table].draw(using: &searched))
            }
            #expect(guided.next() == searched.next())
        }
    }

    /// Returns the numbers it is given, in turn.
    struct ScriptedGenerator: RandomNumberGenerator {
        var numbers: [UInt64]
        var given = 0
        mutating func next() -> UInt64 {
            defer { given += 1 }
            return numbers[given % numbers.count]
        }
    }

    @Test("every draw of small tables, the lightest entries' too, finds what the binary search finds")
    func everyDrawOfSmallTables() {
        var random = SeededRandom(seed: 0x17_3)
        for number in 0..<30 {
            var table = WeightedTable<Int>()
            for element in 0..<(1 + number * 7) {
                table.append(element, weight: element % 10 == 0 ? 1 + Int(random.next() % 400) : 1 + Int(random.next() % 3))
            }
            let total = table.totalWeight
            // The generator number whose draw below `total` is `target`: ⌈target · 2⁶⁴ / total⌉.
            let numbers = (0..<total).map { target in
                UInt64(truncatingIfNeeded: ((UInt128(target) << 64) + UInt128(total) - 1) / UInt128(total))
            }
            let flat = FlatTables([table])
            var guided = ScriptedGenerator(numbers: numbers)
            var searched = guided
            for _ in 0..<numbers.count {
                #expect(flat.draw(0, using: &guided) == table.draw(using: &searched))
            }
        }
    }
}
