import Compressor
import Randomness
import TestSupport
import Testing

/// docs/behaviour.md §4: the address order of the tables and the name order of
/// kallsyms_seqs_of_names.
@Suite struct AddressOrderTests {
    func symbol(_ address: UInt64, _ type: Character, _ name: String, _ position: Int) -> KeptSymbol {
        KeptSymbol(address: address, type: type.asciiValue!, name: name.bytes, position: position)
    }

    func order(_ symbols: [KeptSymbol]) -> [String] { AddressOrder.sorted(symbols).map { $0.name.text } }

    @Test("address first")
    func addressFirst() {
        #expect(order([symbol(2, "T", "b", 0), symbol(1, "T", "a", 1)]) == ["a", "b"])
    }

    @Test("weak (w/W only) goes last among equal addresses")
    func weakLast() {
        #expect(
            order([symbol(1, "W", "weak", 0), symbol(1, "T", "strong", 1), symbol(1, "V", "v", 2)])
                == ["strong", "v", "weak"])
    }

    @Test(
        "names that look linker-provided go last",
        arguments: [
            ("__start_foo", true), ("__stop_foo", true), ("__end_foo", true), ("__foo_start", true), ("__bss_end", true),
            ("__a_end", false), ("_start_foo", false), ("__x_ends", false), ("__init_begin", false),
        ])
    func linkerProvided(_ name: String, _ expected: Bool) {
        #expect(AddressOrder.looksLinkerProvided(name.bytes) == expected)
    }

    @Test("fewer leading underscores first, then input position")
    func underscoresThenPosition() {
        let symbols = [symbol(1, "T", "__b", 0), symbol(1, "T", "_a", 1), symbol(1, "T", "z", 2), symbol(1, "T", "y", 3)]
        #expect(order(symbols) == ["z", "y", "_a", "__b"])
    }

    @Test("the name itself is never compared")
    func nameNotCompared() {
        #expect(order([symbol(1, "T", "zz", 0), symbol(1, "T", "aa", 1)]) == ["zz", "aa"])
    }

    @Test("seqs_of_names: name bytes without type, then address, then index")
    func nameOrder() {
        let symbols = [symbol(1, "T", "b", 0), symbol(2, "t", "a", 1), symbol(3, "T", "a", 2), symbol(3, "D", "A", 3)]
        #expect(NameOrder.sequence(of: symbols) == [3, 1, 2, 0])
    }

    /// Thousands of names drawn to share long prefixes, to repeat, to end inside an eight-byte
    /// key or exactly at one, at few addresses: runs of every size go through the radix passes
    /// and the comparison sort at every depth, and the result must be a plain sort's.
    @Test("seqs_of_names of large random sets equals a plain sort by name, address, index", arguments: 0..<3)
    func nameOrderOfLargeSets(seed: UInt64) {
        var generator = SeededRandom(seed: 0x5E05 &+ seed)
        let prefixes = ["", "__pfx_", "__ksymtab_", "__pfx___x64_sys_", "trace_event_raw_event_", "a"]
        let symbols = (0..<6_000).map { position -> KeptSymbol in
            let prefix = prefixes[Int(generator.next() % UInt64(prefixes.count))]
            let tail = (0..<Int(generator.next() % 12)).map { _ in Character(Unicode.Scalar(UInt8(0x61 + generator.next() % 3))) }
            return symbol(generator.next() % 4, "T", prefix + String(tail), position)
        }
        let plain = symbols.indices.sorted { a, b in
            let (left, right) = (symbols[a].name, symbols[b].name)
            if left != right { return left.lexicographicallyPrecedes(right) }
            return symbols[a].address != symbols[b].address ? symbols[a].address < symbols[b].address : a < b
        }
        #expect(NameOrder.sequence(of: symbols) == plain)
    }
}
