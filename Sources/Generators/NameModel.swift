/// How a profile's symbol names are built: a Markov chain over name *units*, with a
/// character model for rare words.
///
/// A name such as `__compound_literal.12` is read as units: an optional leading separator
/// run (`__`), then words with the separators that follow them (`compound_`, `literal.`, `12`).
/// Words are runs of ASCII letters and digits, separators runs of `_` and `.`. The model learns
/// only names made of those characters (C identifiers plus GCC's `.constprop.0`-style
/// suffixes); other names are counted in `skippedNames`. So every generated name is made of
/// `[A-Za-z0-9_.]`, never empty and at most `maximumLength` (< 127) bytes: valid for every
/// era's parser (docs/behaviour.md §2: no blank, no NUL, v5.10 skips 128 bytes or more).
///
/// `chain` maps a state to a *row*: `"token count token count …"`, most frequent first. States:
/// - `^T`: the start of a name of type `T` (the type conditions the first unit, so `d__func__.`
///   and `r__ksymtab_` keep their type letters);
/// - `^T__`: after the leading separator run `__` of a name of type `T`;
/// - a unit (`compound_`): after that unit;
/// - `#SEP`: after a rare word followed by the separator `SEP`.
///
/// Tokens in a row: a unit from the vocabulary (the most frequent units and every leading
/// separator run); `#SEP`, a rare word drawn from the character model followed by `SEP`
/// (`#_`, `#.`, `#` at the end of a name); `$`, the end of the name; `*`, the mass of the
/// transitions seen fewer than `LearningLimits.minimumTransitionCount` times, drawn from
/// `firstUnitFallback` (at a start state) or `nextUnitFallback`. A unit that ends in a letter or
/// digit ends the name (another word would have merged with it).
///
/// Rare words: a length from `rareWordLengths`, then characters from `rareWordCharacters`, an
/// order-2 model whose keys are the two previous characters (`^` before the start).
public struct NameModel: Hashable, Sendable, Codable {
    /// The longest learned name (at most 126): longer generated names are drawn again.
    public var maximumLength: Int
    /// Lengths of the learned names.
    public var lengths: Histogram
    /// How many names the model learned from, and how many it skipped for their characters.
    public var learnedNames: Int
    public var skippedNames: Int
    /// State → row (see the type's description).
    public var chain: [String: String]
    /// Where `*` leads from a start state: the pruned first units.
    public var firstUnitFallback: String
    /// Where `*` leads from any other state: the pruned later units.
    public var nextUnitFallback: String
    /// Lengths of the rare words.
    public var rareWordLengths: Histogram
    /// Two previous characters → row of next characters.
    public var rareWordCharacters: [String: String]

    public init(
        maximumLength: Int, lengths: Histogram, learnedNames: Int, skippedNames: Int,
        chain: [String: String], firstUnitFallback: String, nextUnitFallback: String,
        rareWordLengths: Histogram, rareWordCharacters: [String: String]
    ) {
        self.maximumLength = maximumLength
        self.lengths = lengths
        self.learnedNames = learnedNames
        self.skippedNames = skippedNames
        self.chain = chain
        self.firstUnitFallback = firstUnitFallback
        self.nextUnitFallback = nextUnitFallback
        self.rareWordLengths = rareWordLengths
        self.rareWordCharacters = rareWordCharacters
    }

    /// The longest name any era accepts from every generator: v5.10 skips names of 128 bytes or
    /// more, and 127 keeps a margin for a one-byte prefix.
    public static let lengthLimit = 126

    /// How much of the learned chain a profile keeps.
    public struct LearningLimits: Hashable, Sendable {
        /// Units kept by name (besides every leading separator run); rarer units become `#SEP`.
        public var vocabularySize: Int
        /// Transitions seen fewer times than this go to `*`.
        public var minimumTransitionCount: Int

        public init(vocabularySize: Int = 2000, minimumTransitionCount: Int = 5) {
            self.vocabularySize = vocabularySize
            self.minimumTransitionCount = minimumTransitionCount
        }
    }

    // MARK: Units

    /// Whether `byte` may appear in a modelled name.
    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    @inline(__always)
    static func isSeparatorByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    /// Whether the model can learn from `name`: not empty, made of `[A-Za-z0-9_.]`.
    static func isModelled(_ name: [UInt8]) -> Bool {
        !name.isEmpty && name.count <= lengthLimit && name.allSatisfy { isWordByte($0) || isSeparatorByte($0) }
    }

    /// The units of a modelled name: `__compound_literal.12` → `__`, `compound_`, `literal.`, `12`.
    static func units(of name: [UInt8]) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        // A leading separator run is a unit of its own.
        while index < name.count && isSeparatorByte(name[index]) { index += 1 }
        if index > 0 {
            units.append(name[0..<index])
            start = index
        }
        while index < name.count {
            while index < name.count && isWordByte(name[index]) { index += 1 }
            while index < name.count && isSeparatorByte(name[index]) { index += 1 }
            units.append(name[start..<index])
            start = index
        }
        return units
    }

    /// The separator run at the end of a unit (empty when the unit ends in a word byte).
    static func separator(of unit: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = unit.endIndex
        while start > unit.startIndex && isSeparatorByte(unit[start - 1]) { start -= 1 }
        return unit[start...]
    }

    // MARK: Rows

    /// `"a 3 b 1"` from pairs, most frequent first, ties by token bytes.
    static func row(_ counts: [String: Int]) -> String {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { "\($0.key) \($0.value)" }
            .joined(separator: " ")
    }

    /// The pairs of a row; a pair whose count is not a positive integer is skipped.
    static func pairs(_ row: String) -> [(token: Substring, count: Int)] {
        let fields = row.split(separator: " ")
        var result: [(Substring, Int)] = []
        result.reserveCapacity(fields.count / 2)
        var index = 0
        while index + 1 < fields.count {
            if let count = Int(fields[index + 1]), count > 0 { result.append((fields[index], count)) }
            index += 2
        }
        return result
    }
}
