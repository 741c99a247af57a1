import Randomness
import TestSupport
import Testing

@testable import Compressor

/// `RoundMargins.revise`: a compression revised for a few changed strings must be, byte for
/// byte, the compression made again — whenever it is given at all — and it must be given for
/// the changes a kernel build makes between passes (a few marker letters), or it saves nothing.
@Suite struct RoundMarginsTests {
    /// `strings` with the strings at `replaced` swapped for `replacements` (positionally) and,
    /// when `swapping`, two unchanged strings exchanged: the new set, each string's source in
    /// `base` (-1: new) and the base strings removed.
    static func changed(
        _ base: ByteStrings, replacing replaced: [Int], with replacements: [[UInt8]], swapping: (Int, Int)?
    ) -> (strings: ByteStrings, source: [Int], removed: [Int]) {
        var strings = base.map { Array($0) }
        var source = Array(base.indices)
        for (index, replacement) in zip(replaced, replacements) {
            strings[index] = replacement
            source[index] = -1
        }
        if let (a, b) = swapping, source[a] >= 0, source[b] >= 0 {
            strings.swapAt(a, b)
            source.swapAt(a, b)
        }
        return (ByteStrings(strings), source, replaced)
    }

    /// A kernel-like change of one stored string: its type letter's case flipped, a suffix, or
    /// another symbol's string.
    static func mutate(_ string: [UInt8], among base: ByteStrings, using generator: inout SeededRandom) -> [UInt8] {
        var result = string
        switch RandomDraws.below(3, using: &generator) {
        case 0 where !result.isEmpty:
            result[0] ^= 0x20
        case 1:
            result += Array("_\(RandomDraws.below(10, using: &generator))".utf8)
        default:
            result = Array(base[Int(RandomDraws.below(UInt64(base.count), using: &generator))])
        }
        return result
    }

    /// What became of one change.
    enum Outcome: Equatable {
        /// Revised, and equal to the compression made again.
        case revised
        /// Declined, though every round of the compression made again chose the same pair.
        case declinedSameRounds
        /// Declined, and rightly: some round chose another pair.
        case declinedOtherRounds
        /// Revised, but not the compression made again (recorded as an issue).
        case wrong
    }

    /// Revises and recompresses: the revision, when given, must equal the compression.
    static func check(
        _ base: ByteStrings, replacing replaced: [Int], with replacements: [[UInt8]], swapping: (Int, Int)?,
        _ note: String
    ) -> Outcome {
        let (compression, margins) = FastEngine.compress(base, recordingMargins: true)
        guard let margins else {
            Issue.record("no margins recorded for \(base.totalLength) bytes (\(note))")
            return .wrong
        }
        let (strings, source, removed) = changed(base, replacing: replaced, with: replacements, swapping: swapping)
        let expected = FastEngine.compress(strings)
        guard let revised = margins.revise(compression, of: base, to: strings, source: source, removed: removed) else {
            return expected.rounds.map(\.pair) == compression.rounds.map(\.pair) ? .declinedSameRounds : .declinedOtherRounds
        }
        #expect(revised == expected, "\(note)")
        return revised == expected ? .revised : .wrong
    }

    @Test("slices of the armhf kernel with a few strings changed: every revision is the compression made again")
    func kernelSlices() throws {
        let parsed = try Era.v6_1.parse(Corpus.armhfMap)
        let all = try Era.v6_1.select(parsed.records, options: KallsymsOptions(allSymbols: true)).storedStrings
        var generator = SeededRandom(seed: 0x4E_71_5E)
        var outcomes: [Outcome] = []
        for trial in 0..<40 {
            let count = 20_000 + Int(RandomDraws.below(20_000, using: &generator))
            let start = Int(RandomDraws.below(UInt64(all.count - count), using: &generator))
            let base = ByteStrings((start..<start + count).map { Array(all[$0]) })
            let changes = 1 + Int(RandomDraws.below(4, using: &generator))
            var replaced: [Int] = []
            while replaced.count < changes {
                let index = Int(RandomDraws.below(UInt64(count), using: &generator))
                if !replaced.contains(index) { replaced.append(index) }
            }
            let replacements = replaced.map { Self.mutate(Array(base[$0]), among: base, using: &generator) }
            let swap = trial % 2 == 0 ? (Int(RandomDraws.below(UInt64(count), using: &generator)), 0) : nil
            outcomes.append(Self.check(base, replacing: replaced, with: replacements, swapping: swap, "trial \(trial)"))
        }
        let revised = outcomes.filter { $0 == .revised }.count
        let sameRounds = revised + outcomes.filter { $0 == .declinedSameRounds }.count
        #expect(!outcomes.contains(.wrong))
        // Where the rounds stay the same, the margins nearly always show it (20 of 20 when written).
        #expect(sameRounds >= 10 && revised * 10 >= sameRounds * 9, "\(revised) revised of \(sameRounds) with the same rounds")
    }

    @Test("the whole armhf kernel with one letter changed, as between two link passes")
    func wholeKernel() throws {
        let parsed = try Era.v6_1.parse(Corpus.armhfMap)
        let base = try Era.v6_1.select(parsed.records, options: KallsymsOptions(allSymbols: true)).storedStrings
        var outcomes: [Outcome] = []
        for index in stride(from: 7, to: base.count, by: base.count / 6) {
            var string = Array(base[index])
            string[0] ^= 0x20
            outcomes.append(Self.check(base, replacing: [index], with: [string], swapping: (index + 1, index + 2), "symbol \(index)"))
        }
        #expect(!outcomes.contains(.wrong))
        // At a kernel's scale the margins are wide: a change that leaves the rounds alone is revised.
        #expect(outcomes.contains(.revised) && !outcomes.contains(.declinedSameRounds), "\(outcomes)")
    }

    @Test("small alphabets, where counts tie: a revision is never wrong")
    func smallAlphabets() {
        var generator = SeededRandom(seed: 0x71E5)
        for trial in 0..<150 {
            let alphabet = 2 + trial % 5
            var strings: [[UInt8]] = []
            var total = 0
            while total < 2_600 {
                let length = Int(RandomDraws.below(12, using: &generator))
                strings.append((0..<length).map { _ in UInt8(0x61 + RandomDraws.below(UInt64(alphabet), using: &generator)) })
                total += length
            }
            let base = ByteStrings(strings)
            let replaced = [Int(RandomDraws.below(UInt64(base.count), using: &generator))]
            let replacement = (0..<Int(RandomDraws.below(8, using: &generator))).map { _ in
                UInt8(0x61 + RandomDraws.below(UInt64(alphabet), using: &generator))
            }
            _ = Self.check(base, replacing: replaced, with: [replacement], swapping: nil, "alphabet trial \(trial)")
        }
    }

    @Test("changes that must change the rounds or the literal codes are refused")
    func refusals() throws {
        let parsed = try Era.v6_1.parse(Corpus.armhfMap)
        let all = try Era.v6_1.select(parsed.records, options: KallsymsOptions(allSymbols: true)).storedStrings
        let base = ByteStrings((0..<3_000).map { Array(all[$0]) })
        let (compression, margins) = FastEngine.compress(base, recordingMargins: true)
        let recorded = try #require(margins)
        // A byte that occurs nowhere in the base: a new literal code.
        #expect(recorded.revise(compression, removing: [], adding: [[0x01, 0x02]]) == nil)
        // Removing the only occurrence of a byte: one literal code fewer.
        let byteCounts = (0..<256).map { byte in base.reduce(0) { $0 + $1.filter { $0 == UInt8(byte) }.count } }
        if let rare = byteCounts.indices.first(where: { byteCounts[$0] == 1 }),
            let holder = base.indices.first(where: { base[$0].contains(UInt8(rare)) })
        {
            #expect(recorded.revise(compression, removing: [Array(base[holder])], adding: []) == nil)
        }
        // Enough copies of a new pair to outcount the first round's: the rounds change.
        let first = try #require(compression.rounds.first)
        let flood = [[UInt8]](repeating: Array("Tzq".utf8), count: first.count + 1)
        #expect(recorded.revise(compression, removing: [], adding: flood) == nil)
        // Nothing changed: the same rounds, counts included.
        let same = try #require(recorded.revise(compression, removing: [], adding: []))
        #expect(same.rounds == compression.rounds)
    }
}
