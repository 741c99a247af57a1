import Randomness
import TestSupport
import Testing

@testable import Compressor

/// `FastEngine` against the oracle `ReferenceEngine` (docs/behaviour.md §5): the whole
/// `Compression` value — token table, compressed names and every round — must be equal for every
/// input. Also `PairCounter` against a plain count.
@Suite struct FastEngineTests {
    // MARK: - Pair counting

    /// The pair counts of docs/behaviour.md §5 step 1, the slow obvious way.
    static func naivePairCounts(_ strings: ByteStrings) -> [UInt32] {
        var counts = [UInt32](repeating: 0, count: 65_536)
        for string in strings {
            let bytes = Array(string)
            for i in bytes.indices.dropLast() { counts[Int(bytes[i]) | Int(bytes[i + 1]) << 8] += 1 }
        }
        return counts
    }

    @Test("pair counts equal a plain count on random string sets, empty strings included")
    func pairCountsEqualPlainCount() {
        var generator = SeededRandom(seed: 0x9A1B)
        for round in 0..<200 {
            let strings = Self.randomStrings(
                &generator, alphabet: round % 3 == 0 ? 256 : 1 + round % 5,
                maxCount: 12, maxLength: 20)
            #expect(PairCounter.count(strings) == Self.naivePairCounts(strings), "case \(round): \(strings.map(Array.init))")
        }
    }

    @Test("pair counts of edge cases: nothing, one byte, runs, NUL and high bytes, boundaries")
    func pairCountsOfEdgeCases() {
        let cases: [[[UInt8]]] = [
            [], [[]], [[], []], [[0x41]], [[0x41], [0x41]], [[0x61, 0x61, 0x61]],
            [[0x00, 0x00], [0x00], [], [0x00, 0xFF, 0x80]], [[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]],
            [[0x61, 0x62], [0x63, 0x64], [], [0x65]], [Array(0...255).map(UInt8.init)],
        ]
        for strings in cases.map(ByteStrings.init) {
            #expect(PairCounter.count(strings) == Self.naivePairCounts(strings), "\(strings.map(Array.init))")
        }
    }

    @Test("pair counts of the armhf kernel's stored strings equal a plain count")
    func pairCountsOfArmhfKernel() throws {
        let parsed = try Era.v6_1.parse(Corpus.armhfMap)
        let strings = try Era.v6_1.select(parsed.records, options: KallsymsOptions(allSymbols: true)).storedStrings
        #expect(PairCounter.count(strings) == Self.naivePairCounts(strings))
    }

    // MARK: - Engine equality

    /// Checks one input, describing it in the failure message.
    static func expectEnginesAgree(
        _ input: ByteStrings, _ label: @autoclosure () -> String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let reference = ReferenceEngine.compress(input)
        // Both of the fast engine's paths: the one for small inputs and the large one.
        for (path, fast) in [("small", FastEngine.compressSmall(input)), ("large", FastEngine.compress(input, listingNewPairsFrom: nil))]
        where fast != reference {
            report(fast, path)
        }
        #expect(FastEngine.compress(input) == reference, "\(label())", sourceLocation: sourceLocation)
        func report(_ fast: Compression, _ path: String) {
            let firstRound = zip(fast.rounds, reference.rounds).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            Issue.record(
                """
                \(label()): \(path) engine differs (\(input.count) symbols); rounds \(fast.rounds.count) vs \
                \(reference.rounds.count), first differing round \(firstRound.map(String.init) ?? "none"), \
                tokens equal \(fast.tokens == reference.tokens), names equal \(fast.names == reference.names)
                """, sourceLocation: sourceLocation)
        }
    }

    @Test("edge cases: nothing, empty strings, one symbol, 1-byte symbols, runs, NUL and high bytes")
    func edgeCasesAgree() {
        let cases: [[[UInt8]]] = [
            [], [[]], [[], [], []], [[0x41]], [[0x41], [0x42], [0x41]], [Array("aaaaaaa".utf8)],
            [Array("aaa".utf8)], [Array("aaaa".utf8), Array("aaaaa".utf8), Array("ab".utf8)],
            [Array("abababab".utf8), Array("babab".utf8)], [[0x00, 0x00, 0x00], [0x00], [0x00, 0x01, 0x00, 0x01]],
            [[0xFF, 0x80, 0xFF, 0x80, 0xFF], [0x80, 0x80, 0x80, 0x80]],
            [[UInt8](repeating: 0x61, count: 300)], [[UInt8](repeating: 0x61, count: 70) + [0x62] + [UInt8](repeating: 0x61, count: 70)],
            [Array("tstart_kernel".utf8), Array("Tstart_kernel".utf8), Array("t__start_foo".utf8)],
        ]
        for (index, strings) in cases.enumerated() {
            Self.expectEnginesAgree(ByteStrings(strings), "edge case \(index): \(strings)")
        }
    }

    @Test("symbol sets using all 256 byte values leave no free code")
    func allByteValuesAgree() {
        var generator = SeededRandom(seed: 256)
        let everyByte = (0...255).map { [UInt8($0)] }
        for round in 0..<20 {
            var strings = everyByte + (0..<(round * 3)).map { _ in Self.randomString(&generator, alphabet: 256, maxLength: 12) }
            strings.shuffle(using: &generator)
            let compression = FastEngine.compress(ByteStrings(strings))
            #expect(compression.rounds.isEmpty)
            #expect(compression.tokens.literalCount == 256)
            Self.expectEnginesAgree(ByteStrings(strings), "all bytes, case \(round)")
        }
        // One short of every byte: exactly one free code.
        let missingOne = (0...255).filter { $0 != 0x5F }.map { [UInt8($0), UInt8($0)] } + [Array("a_b_c_d".utf8)]
        Self.expectEnginesAgree(ByteStrings(missingOne), "one free code")
    }

    /// Random symbol sets, in four batches that can run in parallel. The reference engine
    /// scans 65 536 counters per round, about a millisecond in a debug build, so the sets are
    /// kept small (at most 10 symbols of at most 10 bytes, so at most 90 rounds each).
    @Test("random small symbol sets: small alphabets (ties, runs), random bytes", arguments: 0..<4)
    func randomSymbolSetsAgree(batch: Int) {
        var generator = SeededRandom(seed: 0x5EED_F457 &+ UInt64(batch))
        for round in 0..<75 {
            let saved = generator
            // Mostly tiny alphabets, so counts tie and runs like `aaaa` are common; every fifth
            // case draws from all 256 byte values.
            let alphabet = round % 5 == 4 ? 256 : 1 + round % 4
            let strings = Self.randomStrings(&generator, alphabet: alphabet, maxCount: 10, maxLength: 10)
            Self.expectEnginesAgree(strings, "random case \(round) (replay: SeededRandom(seed: \(saved.state)), alphabet \(alphabet))")
        }
    }

    /// Long symbols over one to three letters: merging them leaves runs of dozens of holes,
    /// longer than one 64-bit window of the engine's bitmaps, so the position-by-position paths
    /// run too.
    @Test("long symbols with long runs of holes")
    func longSymbolsAgree() {
        var generator = SeededRandom(seed: 0x10_C0DE)
        for round in 0..<16 {
            let saved = generator
            let alphabet = 1 + round % 3
            let count = 1 + Int(generator.next() % 4)
            let strings = (0..<count).map { _ in
                Self.randomString(&generator, alphabet: alphabet, maxLength: 60 + Int(generator.next() % 240))
            }
            Self.expectEnginesAgree(ByteStrings(strings), "long case \(round) (replay: SeededRandom(seed: \(saved.state)))")
        }
    }

    /// Each golden input under two of its runs: the first in the manifest and the first of
    /// another era with other flags. Runs often select the same symbols; a selection already
    /// compared is not compared again (the reference engine costs about a millisecond per
    /// round in a debug build).
    @Test("golden inputs: two era/flag selections of each", arguments: Self.goldenInputNames)
    func goldenInputAgrees(_ name: String) throws {
        let runs = Corpus.goldenRuns.filter { $0.input == name && $0.succeeds }
        let first = try #require(runs.first)
        let second = runs.first { $0.era != first.era && $0.flags != first.flags } ?? runs.last!
        var compared: [ByteStrings] = []
        for run in [first, second] {
            let parsed = try run.era.parse(Corpus.goldenInput(name))
            let input = try run.era.select(parsed.records, options: run.options).storedStrings
            if compared.contains(input) { continue }
            compared.append(input)
            Self.expectEnginesAgree(input, "\(run)")
        }
    }

    static let goldenInputNames: [String] = {
        var seen = Set<String>()
        return Corpus.goldenRuns.map(\.input).filter { seen.insert($0).inserted }
    }()

    @Test("the armhf kernel with --all-symbols (v6.1): 107 078 symbols, 2.3 MB")
    func armhfKernelAgrees() throws {
        let parsed = try Era.v6_1.parse(Corpus.armhfMap)
        let input = try Era.v6_1.select(parsed.records, options: KallsymsOptions(allSymbols: true)).storedStrings
        Self.expectEnginesAgree(input, "armhf v6.1 --all-symbols")
    }

    // MARK: - Random inputs

    static func randomString(_ generator: inout SeededRandom, alphabet: Int, maxLength: Int) -> [UInt8] {
        let length = Int(generator.next() % UInt64(maxLength + 1))
        // Small alphabets start at 'a'; the full one covers 0...255.
        let base: UInt64 = alphabet == 256 ? 0 : 0x61
        return (0..<length).map { _ in UInt8(base + generator.next() % UInt64(alphabet)) }
    }

    static func randomStrings(_ generator: inout SeededRandom, alphabet: Int, maxCount: Int, maxLength: Int) -> ByteStrings {
        let count = Int(generator.next() % UInt64(maxCount + 1))
        return ByteStrings((0..<count).map { _ in randomString(&generator, alphabet: alphabet, maxLength: maxLength) })
    }
}
