/// What a generator run did to the names: sizes, ratio, token use (the `stats` subcommand).
public struct CompressionStatistics: Hashable, Sendable {
    public var symbolsRead: Int
    public var symbolsKept: Int
    /// Σ (1 + name length) over kept symbols: the stored strings before compression.
    public var rawNameBytes: Int
    /// Σ compressed length over kept symbols (without length prefixes).
    public var compressedBytes: Int
    /// The size of `kallsyms_names` (with length prefixes).
    public var namesTableBytes: Int
    /// Codes that became tokens (pairs), and literal codes.
    public var tokenCount: Int
    public var literalCount: Int
    /// Codes with an expansion of each length (index = length).
    public var tokenLengthHistogram: [Int: Int]
    /// The longest expansions, longest first (ties: lower code first).
    public var longestTokens: [(code: UInt8, expansion: [UInt8])]
    /// The tables as the era lays them out on the target.
    public var layout: TableLayout

    /// `kallsyms_names` + `kallsyms_token_table` over the raw name bytes: what the kernel's
    /// self-test prints as the compression ratio.
    public var ratio: Double {
        rawNameBytes == 0
            ? 0
            : Double(namesTableBytes + (layout.size(of: "kallsyms_token_table") ?? 0))
                / Double(rawNameBytes)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.symbolsRead == b.symbolsRead && a.symbolsKept == b.symbolsKept && a.rawNameBytes == b.rawNameBytes
            && a.compressedBytes == b.compressedBytes && a.layout == b.layout
            && a.longestTokens.map(\.expansion) == b.longestTokens.map(\.expansion)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rawNameBytes)
        hasher.combine(compressedBytes)
    }

    public init(run: KallsymsRun, target: TargetABI, longest: Int = 10) {
        symbolsRead = run.parsed.symbols.count
        symbolsKept = run.selection.symbols.count
        rawNameBytes = run.selection.symbols.reduce(0) { $0 + 1 + $1.name.count }
        compressedBytes = run.tables.compressedNames.totalLength
        namesTableBytes = run.tables.namesSize
        tokenCount = run.compression.tokens.tokenCount
        literalCount = run.compression.tokens.literalCount
        let expansions = run.tables.tokenExpansions
        var histogram: [Int: Int] = [:]
        for (code, expansion) in expansions.enumerated() where run.compression.tokens.entries[code] != .empty {
            histogram[expansion.count, default: 0] += 1
        }
        tokenLengthHistogram = histogram
        longestTokens = expansions.enumerated()
            .filter { if case .pair = run.compression.tokens.entries[$0.offset] { return true } else { return false } }
            .sorted { $0.element.count != $1.element.count ? $0.element.count > $1.element.count : $0.offset < $1.offset }
            .prefix(longest)
            .map { (UInt8($0.offset), $0.element) }
        layout = run.tables.layout(era: run.era, target: target)
    }
}
