import Compressor

/// Why the kallsyms tables of two maps differ: the symbol changes, the table sizes, the first
/// round of the compression that chose differently and the symbols that caused it, and which
/// mitigation would have kept the size (the `explain` subcommand, issue 7).
public struct Explanation: Sendable {
    public var era: Era
    public var options: KallsymsOptions
    public var target: TargetABI
    public var difference: MapDifference
    public var layoutA: TableLayout
    public var layoutB: TableLayout
    /// Pairs whose initial count (docs/behaviour.md §5 step 1) differs between A and B.
    public var changedPairCount: Int
    /// Byte values that are literals in one map and not in the other (codes shift then).
    public var literalChanges: [UInt8]
    /// The first round that chose differently, nil when every round chose the same pair.
    public var divergence: Divergence?
    /// When every round chose the same pair: how many bytes each added, removed or retyped
    /// symbol's own encoding (length prefix included) changed `kallsyms_names` by.
    public var encodingDeltas: [(name: [UInt8], delta: Int)]
    /// Mitigations that would have given both maps the same tables size.
    public var mitigations: [String]
    /// The whole story in plain words.
    public var verdict: String

    /// The first round whose chosen pair differs.
    public struct Divergence: Sendable {
        /// 1-based round number.
        public var round: Int
        /// The code that round assigned (in A).
        public var code: UInt8
        /// What A chose, its expansion and count; the count of B's choice in A at that round.
        public var choiceInA: [UInt8], countInA: Int, countOfChoiceBInA: Int
        /// What B chose, its expansion and count; the count of A's choice in B at that round.
        public var choiceInB: [UInt8], countInB: Int, countOfChoiceAInB: Int
        /// The changed symbols whose own pair counts of the two choices differ, with the change
        /// in count each made to A's choice and to B's choice.
        public var culprits: [(name: [UInt8], deltaA: Int, deltaB: Int)]
    }

    public var namesDelta: Int { (layoutB.size(of: "kallsyms_names") ?? 0) - (layoutA.size(of: "kallsyms_names") ?? 0) }
    public var totalDelta: Int { layoutB.totalSize - layoutA.totalSize }

    /// Explains the difference between two `nm -n` maps under `era`'s rules.
    public static func explain(
        _ a: [UInt8], _ b: [UInt8], era: Era, options: KallsymsOptions,
        target: TargetABI, engine: CompressionEngine = .default
    ) throws -> Explanation {
        let runA = try era.generate(a, options: options, engine: engine)
        let runB = try era.generate(b, options: options, engine: engine)
        return explain(runA, runB, target: target, engine: engine)
    }

    /// Explains the difference between two generator runs of the same era and options.
    public static func explain(
        _ runA: KallsymsRun, _ runB: KallsymsRun, target: TargetABI,
        engine: CompressionEngine = .default
    ) -> Explanation {
        let difference = MapDifference.between(runA.selection, runB.selection)
        let layoutA = runA.tables.layout(era: runA.era, target: target)
        let layoutB = runB.tables.layout(era: runB.era, target: target)
        let stringsA = runA.selection.storedStrings, stringsB = runB.selection.storedStrings
        let countsA = InitialPairCounts.of(stringsA), countsB = InitialPairCounts.of(stringsB)
        let changedPairs = zip(countsA, countsB).reduce(0) { $0 + ($1.0 != $1.1 ? 1 : 0) }
        let literalChanges = (0...255).map(UInt8.init).filter {
            (runA.compression.tokens[$0] == .literal) != (runB.compression.tokens[$0] == .literal)
        }
        let divergence = Self.divergence(runA, runB, difference, stringsA, stringsB)
        let mitigations = Self.mitigations(runA, runB, layoutA, layoutB, target: target, engine: engine)
        let encodingDeltas = divergence == nil ? Self.encodingDeltas(difference, runA) : []
        var explanation = Explanation(
            era: runA.era, options: runA.options, target: target, difference: difference,
            layoutA: layoutA, layoutB: layoutB, changedPairCount: changedPairs,
            literalChanges: literalChanges, divergence: divergence,
            encodingDeltas: encodingDeltas, mitigations: mitigations, verdict: "")
        explanation.verdict = VerdictWriter.verdict(for: explanation, runA: runA, runB: runB)
        return explanation
    }

    private static func divergence(
        _ runA: KallsymsRun, _ runB: KallsymsRun, _ difference: MapDifference,
        _ stringsA: ByteStrings, _ stringsB: ByteStrings
    ) -> Divergence? {
        let roundsA = runA.compression.rounds, roundsB = runB.compression.rounds
        let shorter = min(roundsA.count, roundsB.count)
        var firstDifferent: Int?
        for round in 0..<shorter where roundsA[round].code != roundsB[round].code || roundsA[round].pair != roundsB[round].pair {
            firstDifferent = round
            break
        }
        if firstDifferent == nil && roundsA.count != roundsB.count { firstDifferent = shorter }
        guard let index = firstDifferent else { return nil }
        let common = roundsA[..<index]
        let pairA = index < roundsA.count ? roundsA[index].pair : -1
        let pairB = index < roundsB.count ? roundsB[index].pair : -1
        func count(_ pair: Int, in strings: ByteStrings) -> Int {
            guard pair >= 0 else { return 0 }
            var total = 0
            for i in strings.indices { total += RoundReplay.pairCounts(of: RoundReplay.apply(common, to: Array(strings[i])))[pair] ?? 0 }
            return total
        }
        func expansion(_ pair: Int, _ run: KallsymsRun) -> [UInt8] {
            guard pair >= 0 else { return [] }
            let expansions = run.tables.tokenExpansions
            return expansions[pair & 0xFF] + expansions[pair >> 8]
        }
        var culprits: [(name: [UInt8], deltaA: Int, deltaB: Int)] = []
        for change in difference.changes where change.kind != .moved && change.kind != .addressChanged {
            func contribution(_ symbol: KeptSymbol?) -> (Int, Int) {
                guard let symbol else { return (0, 0) }
                let counts = RoundReplay.pairCounts(of: RoundReplay.apply(common, to: symbol.storedString))
                return (pairA >= 0 ? counts[pairA] ?? 0 : 0, pairB >= 0 ? counts[pairB] ?? 0 : 0)
            }
            let before = contribution(change.before), after = contribution(change.after)
            if before != after { culprits.append((change.name, after.0 - before.0, after.1 - before.1)) }
        }
        return Divergence(
            round: index + 1, code: index < roundsA.count ? roundsA[index].code : roundsB[index].code,
            choiceInA: expansion(pairA, runA), countInA: index < roundsA.count ? roundsA[index].count : 0,
            countOfChoiceBInA: count(pairB, in: stringsA),
            choiceInB: expansion(pairB, runB), countInB: index < roundsB.count ? roundsB[index].count : 0,
            countOfChoiceAInB: count(pairA, in: stringsB), culprits: culprits)
    }

    /// With identical rounds, each symbol's encoding is fixed by the rounds alone: the names
    /// size difference is the sum of the changed symbols' own entry-size differences.
    private static func encodingDeltas(_ difference: MapDifference, _ run: KallsymsRun) -> [(name: [UInt8], delta: Int)] {
        let rounds = run.compression.rounds
        let prefix = run.tables.lengthPrefix
        func entrySize(_ symbol: KeptSymbol?) -> Int {
            guard let symbol else { return 0 }
            let length = RoundReplay.apply(rounds, to: symbol.storedString).count
            return KallsymsTables.prefixSize(of: length, prefix) + length
        }
        return difference.changes.compactMap { change in
            guard change.kind == .retyped || change.kind == .added || change.kind == .removed else { return nil }
            let delta = entrySize(change.after) - entrySize(change.before)
            return delta == 0 ? nil : (change.name, delta)
        }
    }

    /// Which mitigations would have made the two tables the same size (each one computed).
    private static func mitigations(
        _ runA: KallsymsRun, _ runB: KallsymsRun, _ layoutA: TableLayout,
        _ layoutB: TableLayout, target: TargetABI, engine: CompressionEngine
    ) -> [String] {
        guard layoutA.totalSize != layoutB.totalSize else { return [] }
        var result: [String] = []
        let era = runA.era
        let untypedA = CompressionVariants.uncompressedType(runA, engine: engine).layout(era: era, target: target)
        let untypedB = CompressionVariants.uncompressedType(runB, engine: engine).layout(era: era, target: target)
        if untypedA.totalSize == untypedB.totalSize {
            result.append(
                "uncompressed-type (keeping the type letter out of the compression) would have kept the "
                    + "tables at \(untypedA.totalSize) bytes for both maps")
        }
        if let reused = CompressionVariants.reusingTokens(of: runA.compression, for: runB),
            reused.layout(era: era, target: target).totalSize == layoutA.totalSize
        {
            result.append(
                "reuse-tokens (encoding the second map with the first map's token table) would have kept "
                    + "the tables at \(layoutA.totalSize) bytes")
        }
        var padding = 16
        while padding <= 65_536 {
            let roundedA = (layoutA.totalSize + padding - 1) / padding, roundedB = (layoutB.totalSize + padding - 1) / padding
            if roundedA == roundedB {
                result.append(
                    "pad=\(padding) (rounding the tables up to a multiple of \(padding) bytes) would have "
                        + "absorbed the \(abs(layoutB.totalSize - layoutA.totalSize))-byte difference here")
                break
            }
            padding *= 2
        }
        return result
    }
}

/// Pair statistics (docs/behaviour.md §5 step 1) as a plain array of 65 536 counts.
enum InitialPairCounts {
    static func of(_ strings: ByteStrings) -> [Int] {
        var counts = [Int](repeating: 0, count: 65_536)
        strings.bytes.withUnsafeBufferPointer { bytes in
            var start = 0
            for end in strings.ends {
                if end - start >= 2 {
                    for i in start..<(end - 1) { counts[Int(bytes[i]) | Int(bytes[i + 1]) << 8] += 1 }
                }
                start = end
            }
        }
        return counts
    }
}
