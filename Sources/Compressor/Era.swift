/// One of the five generations of the kernel's `scripts/kallsyms` this project reproduces.
///
/// Every difference between eras lives in the `EraRules` value an era answers with; the
/// pipeline stages read those rules and never ask which era they run (STYLE point 3).
public enum Era: String, CaseIterable, Hashable, Sendable, Comparable, CustomStringConvertible {
    case v3_3 = "v3.3"
    case v5_10 = "v5.10"
    case v6_1 = "v6.1"
    case v6_19 = "v6.19"
    case v7_0 = "v7.0"

    /// The era `kallsyms-lab` uses when none is named: current mainline.
    public static let `default`: Era = .v7_0

    public var description: String { rawValue }

    public static func < (lhs: Era, rhs: Era) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses `v6.1`, `6.1`, `v7.0`, `7.1.3` (an alias of v7.0) and the like.
    public init?(name: String) {
        let trimmed = name.hasPrefix("v") ? String(name.dropFirst()) : name
        switch trimmed {
        case "3.3", "3.3.8": self = .v3_3
        case "5.10", "5.10.7": self = .v5_10
        case "6.1": self = .v6_1
        case "6.19": self = .v6_19
        case "7.0", "7.1.3": self = .v7_0
        default: return nil
        }
    }

    /// The era's rules (docs/behaviour.md §2–§6, §10).
    public var rules: EraRules {
        switch self {
        case .v3_3: return .v3_3
        case .v5_10: return .v5_10
        case .v6_1: return .v6_1
        case .v6_19: return .v6_19
        case .v7_0: return .v7_0
        }
    }
}

/// The command-line flags of the kernel generators (docs/behaviour.md, the table of flags at its
/// top).
public enum GeneratorFlag: String, CaseIterable, Hashable, Sendable {
    case allSymbols = "--all-symbols"
    case absolutePercpu = "--absolute-percpu"
    case baseRelative = "--base-relative"
    case pcRelative = "--pc-relative"
    case symbolPrefix = "--symbol-prefix"
}

/// The options a generator run takes; which are allowed depends on the era.
public struct KallsymsOptions: Hashable, Sendable, CustomStringConvertible {
    public var allSymbols: Bool
    public var absolutePercpu: Bool
    public var baseRelative: Bool
    public var pcRelative: Bool
    /// v3.3's `--symbol-prefix=C`: one character stripped from names before the rules compare them.
    public var symbolPrefix: UInt8?

    public init(
        allSymbols: Bool = false, absolutePercpu: Bool = false, baseRelative: Bool = false,
        pcRelative: Bool = false, symbolPrefix: UInt8? = nil
    ) {
        self.allSymbols = allSymbols
        self.absolutePercpu = absolutePercpu
        self.baseRelative = baseRelative
        self.pcRelative = pcRelative
        self.symbolPrefix = symbolPrefix
    }

    /// The flags that are set.
    public var flags: Set<GeneratorFlag> {
        var set = Set<GeneratorFlag>()
        if allSymbols { set.insert(.allSymbols) }
        if absolutePercpu { set.insert(.absolutePercpu) }
        if baseRelative { set.insert(.baseRelative) }
        if pcRelative { set.insert(.pcRelative) }
        if symbolPrefix != nil { set.insert(.symbolPrefix) }
        return set
    }

    /// The flags as the kernel generator takes them, e.g. `--all-symbols --base-relative`.
    public var description: String {
        var parts: [String] = []
        if allSymbols { parts.append("--all-symbols") }
        if absolutePercpu { parts.append("--absolute-percpu") }
        if baseRelative { parts.append("--base-relative") }
        if pcRelative { parts.append("--pc-relative") }
        if let symbolPrefix { parts.append("--symbol-prefix=\(Character(Unicode.Scalar(symbolPrefix)))") }
        return parts.joined(separator: " ")
    }
}

extension Era {
    /// Throws `unsupportedOption` when `options` sets a flag this era's generator does not have.
    public func validate(_ options: KallsymsOptions) throws {
        for flag in GeneratorFlag.allCases where options.flags.contains(flag) && !rules.flags.contains(flag) {
            throw KallsymsError(
                .unsupportedOption,
                "\(flag.rawValue) is not an option of the \(self) generator "
                    + "(it takes: \(rules.flags.map(\.rawValue).sorted().joined(separator: ", ")))")
        }
    }
}
