import Compressor
import Generators
import Randomness
import TestSupport
import Testing

@Suite struct ShrinkerTests {
    /// A map and mutations that apply to it, drawn at random.
    static func randomCase(seed: UInt64, symbols: Int = 120, mutations: Int = 6) -> ([SymbolRecord], [Mutation]) {
        let map = Fixtures.map(symbols, seed: seed)
        var rng = SeededRandom(seed: seed).derived("mutations")
        var current = map
        var list: [Mutation] = []
        for _ in 0..<mutations {
            let mutation = MutationSpace(map: current).random(using: &rng)
            guard let next = try? mutation.apply(to: current) else { continue }
            current = next
            list.append(mutation)
        }
        return (map, list)
    }

    /// Predicates of several shapes, including ones that are not monotone in the case's size.
    static let predicates: [(String, @Sendable ([SymbolRecord], [Mutation]) throws -> Bool)] = [
        (
            "has a lowercase-typed symbol and a mutation",
            { map, mutations in
                map.contains { $0.type >= UInt8(ascii: "a") } && !mutations.isEmpty
            }
        ),
        (
            "the mutated map has an equal-address group",
            { map, mutations in
                let mutated = try MutationList(mutations).apply(to: map)
                return zip(mutated, mutated.dropFirst()).contains { $0.address == $1.address }
            }
        ),
        (
            "a hash of the case is divisible by 3",
            { map, mutations in
                var hasher = SeededRandom(seed: UInt64(map.count * 31 + mutations.count))
                for record in map { hasher = hasher.derived(UInt64(record.name.count) &+ record.address) }
                return hasher.state % 3 == 0
            }
        ),
        ("total name bytes are odd", { map, _ in map.reduce(0) { $0 + $1.name.count } % 2 == 1 }),
    ]

    @Test("shrinking never returns a passing case", arguments: 0..<8)
    func shrinkingNeverReturnsAPassingCase(_ seed: Int) throws {
        let (map, mutations) = Self.randomCase(seed: UInt64(seed) + 100)
        try #require(!mutations.isEmpty)
        var shrunk = 0
        for (name, predicate) in Self.predicates {
            guard (try? predicate(map, mutations)) == true else { continue }
            shrunk += 1
            let result = try #require(Shrinker(maximumSteps: 3000).shrink(map: map, mutations: mutations, stillFails: predicate))
            #expect(try predicate(result.map, result.mutations), "\(name)")
            #expect(result.map.count <= map.count && result.mutations.count <= mutations.count, "\(name)")
            #expect(result.steps <= 3000)
        }
        // "has a lowercase-typed symbol and a mutation" holds for every drawn case at least.
        #expect(shrunk >= 1)
    }

    @Test("a case that does not fail is not shrunk")
    func passingCasesGiveNoResult() {
        let (map, mutations) = Self.randomCase(seed: 1)
        var calls = 0
        #expect(
            Shrinker().shrink(map: map, mutations: mutations) { _, _ in
                calls += 1
                return false
            } == nil)
        #expect(calls == 1)
        #expect(Shrinker().shrink(map: map, mutations: mutations) { _, _ in throw MutationError(.noSuchSymbol, "") } == nil)
    }

    @Test("a failure that needs one symbol and one retype shrinks to exactly that")
    func shrinksToTheMinimalCase() throws {
        let (map, _) = Self.randomCase(seed: 2, symbols: 300, mutations: 0)
        let weak = try #require(map.firstIndex { $0.type == UInt8(ascii: "t") })
        let mutations: [Mutation] = [
            .delete(SymbolReference.canonical(0, in: map)),
            .retype(SymbolReference.canonical(weak, in: map), to: UInt8(ascii: "d")),
            .insert(address: 0x1000, type: UInt8(ascii: "T"), name: Array("inserted_symbol".utf8)),
        ]
        // Fails when, after the mutations, some symbol is a `d` that was retyped from `t` in the input.
        let stillFails: ([SymbolRecord], [Mutation]) -> Bool = { map, mutations in
            guard let mutated = try? MutationList(mutations).apply(to: map) else { return false }
            return mutations.contains { if case .retype = $0 { return true } else { return false } }
                && map.contains { $0.type == UInt8(ascii: "t") } && mutated.contains { $0.type == UInt8(ascii: "d") }
        }
        let result = try #require(Shrinker().shrink(map: map, mutations: mutations, stillFails: stillFails))
        #expect(result.stopReason == .exhausted)
        #expect(result.map.count == 1)
        #expect(result.map[0].name == Array("a".utf8))
        #expect(result.mutations.count == 1)
        #expect(result.mutations[0] == .retype(SymbolReference(name: Array("a".utf8), address: result.map[0].address), to: UInt8(ascii: "d")))
        #expect(stillFails(result.map, result.mutations))
    }

    @Test("shrinking is deterministic")
    func shrinkingIsDeterministic() throws {
        let (map, mutations) = Self.randomCase(seed: 3)
        let predicate = Self.predicates[0].1
        try #require(try predicate(map, mutations))
        let first = try #require(Shrinker(maximumSteps: 2000).shrink(map: map, mutations: mutations, stillFails: predicate))
        let second = Shrinker(maximumSteps: 2000).shrink(map: map, mutations: mutations, stillFails: predicate)
        #expect(first.steps > 1)
        #expect(first == second)
    }

    @Test("the step and time budgets stop shrinking with a failing case")
    func budgetsAreRespected() throws {
        let (map, mutations) = Self.randomCase(seed: 4)
        let failsWhileLarge: ([SymbolRecord], [Mutation]) -> Bool = { map, _ in map.count >= 60 }
        let stepped = try #require(Shrinker(maximumSteps: 10).shrink(map: map, mutations: mutations, stillFails: failsWhileLarge))
        #expect(stepped.steps == 10 && stepped.stopReason == .stepBudget)
        let timed = try #require(Shrinker(maximumDuration: .zero).shrink(map: map, mutations: mutations, stillFails: failsWhileLarge))
        #expect(timed.stopReason == .timeBudget)
        #expect(timed.steps == 1 && timed.map == map && timed.mutations == mutations)
    }
}
