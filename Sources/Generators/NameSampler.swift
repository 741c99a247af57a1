import Randomness

/// A `NameModel` compiled for drawing: rows become weighted tables over interned tokens.
struct NameSampler: Sendable {
    private enum Token: Sendable {
        case unit([UInt8])
        case rareWord(separator: [UInt8])
        case end
        case other
    }

    private var tokens: [Token] = []
    /// `tokens` flattened for drawing (`attempt` runs for every name, 107 000 per ARM-sized
    /// layout; matching the enum's arrays cost a retain and a release per unit): the kind of
    /// each token and its bytes (the unit, or the rare word's separator) in `tokenBytes`.
    private var tokenKinds: [TokenKind] = []
    private var tokenStarts: [Int] = []
    private var tokenEnds: [Int] = []
    private var tokenBytes: [UInt8] = []
    /// `leadingState` by `type << 32 | token` of a unit token whose bytes are the leading part.
    private var leadingStateOfToken: [Int: Int] = [:]

    private enum TokenKind: UInt8, Sendable { case unit, rareWord, end, other }
    private var tokenIndex: [String: Int] = [:]
    /// The state a token leads to when it is not a name's first unit (nil: no row).
    private var stateAfterToken: [Int?] = []
    private var rows: [WeightedTable<Int>] = []
    /// The start state of each type byte (-1: none): an array, not a dictionary, because it is
    /// read once per name drawn (107 000 per ARM-sized layout).
    private var startState = [Int](repeating: -1, count: 256)
    private var leadingState: [[UInt8]: Int] = [:]
    private var firstFallback = WeightedTable<Int>()
    private var nextFallback = WeightedTable<Int>()
    private var rareWordLengths = WeightedTable<Int>()
    /// The rare-word character tables, and for each two-byte context the index of its table
    /// (-1: none), read once per character of a rare word: the bytes that occur in contexts
    /// are numbered (`contextClass`, -1: none) and `characterIndex` holds a table index per
    /// pair of numbers, a few kilobytes that stay in the cache where 64 Ki contexts would not.
    private var characterTables: [WeightedTable<UInt8>] = []
    private var contextClass = [Int16](repeating: -1, count: 256)
    private var classCount = 0
    private var characterIndex: [Int32] = []
    /// The table of the start context `^^` (-1: none), where a context without one draws.
    private var startCharacterTable = -1
    /// `rows` and `characterTables` back to back for drawing: taking a `WeightedTable` out of
    /// an array copies it (two retains and two releases per draw, a third of the drawing time).
    private var flatRows = FlatTables<Int>([])
    private var flatCharacters = FlatTables<UInt8>([])
    private let maximumLength: Int

    private static let startContext = UInt16(UInt8(ascii: "^")) << 8 | UInt16(UInt8(ascii: "^"))

    init(_ model: NameModel) {
        maximumLength = max(1, min(model.maximumLength, NameModel.lengthLimit))
        for (state, row) in model.chain.sorted(by: { $0.key < $1.key }) {
            let table = self.table(row)
            let index = rows.count
            rows.append(table)
            if let (type, leading) = NameModel.startStateParts(state) {
                if leading.isEmpty { startState[Int(type)] = index } else { leadingState[[type] + Array(leading.utf8)] = index }
            } else {
                stateAfterToken[intern(Substring(state))] = index
            }
        }
        firstFallback = table(model.firstUnitFallback)
        nextFallback = table(model.nextUnitFallback)
        rareWordLengths = model.rareWordLengths.table
        var contexts: [(first: UInt8, second: UInt8, table: Int)] = []
        for (context, row) in model.rareWordCharacters {
            let bytes = Array(context.utf8)
            guard bytes.count == 2 else { continue }
            var table = WeightedTable<UInt8>()
            for (token, count) in NameModel.pairs(row) {
                if let byte = token.utf8.first, token.utf8.count == 1, NameModel.isWordByte(byte) {
                    table.append(byte, weight: count)
                }
            }
            if !table.isEmpty {
                for byte in bytes where contextClass[Int(byte)] < 0 {
                    contextClass[Int(byte)] = Int16(classCount)
                    classCount += 1
                }
                contexts.append((bytes[0], bytes[1], characterTables.count))
                characterTables.append(table)
            }
        }
        characterIndex = [Int32](repeating: -1, count: classCount * classCount)
        for (first, second, table) in contexts {
            characterIndex[Int(contextClass[Int(first)]) * classCount + Int(contextClass[Int(second)])] = Int32(table)
        }
        startCharacterTable = characterTable(Self.startContext)
        for token in tokens {
            tokenStarts.append(tokenBytes.count)
            switch token {
            case .unit(let bytes):
                tokenKinds.append(.unit)
                tokenBytes += bytes
            case .rareWord(let separator):
                tokenKinds.append(.rareWord)
                tokenBytes += separator
            case .end: tokenKinds.append(.end)
            case .other: tokenKinds.append(.other)
            }
            tokenEnds.append(tokenBytes.count)
        }
        flatRows = FlatTables(rows)
        flatCharacters = FlatTables(characterTables)
        for (key, state) in leadingState {
            let leading = String(decoding: key.dropFirst(), as: UTF8.self)
            if let token = tokenIndex[leading], tokenKinds[token] == .unit {
                leadingStateOfToken[Int(key[0]) << 32 | token] = state
            }
        }
    }

    private mutating func intern(_ text: Substring) -> Int {
        if let index = tokenIndex[String(text)] { return index }
        let token: Token
        switch text {
        case "$": token = .end
        case "*": token = .other
        default:
            if text.hasPrefix("#") {
                token = .rareWord(separator: Array(text.dropFirst().utf8))
            } else {
                token = .unit(Array(text.utf8))
            }
        }
        tokens.append(token)
        stateAfterToken.append(nil)
        tokenIndex[String(text)] = tokens.count - 1
        return tokens.count - 1
    }

    private mutating func table(_ row: String) -> WeightedTable<Int> {
        var table = WeightedTable<Int>()
        for (token, count) in NameModel.pairs(row) { table.append(intern(token), weight: count) }
        return table
    }

    /// A name for a symbol of type `type`: made of `[A-Za-z0-9_.]`, 1…`maximumLength` bytes,
    /// never a boundary marker's name (an ordinary `_etext` would move the kernel's text range).
    func name(type: UInt8, using rng: inout some RandomNumberGenerator) -> [UInt8] {
        for _ in 0..<64 {
            if let name = attempt(type: type, using: &rng), !MarkerRules.isBoundary(name) { return name }
        }
        // Only a model without usable rows gets here.
        return Array("sym_\(RandomDraws.below(1_000_000, using: &rng))".utf8)
    }

    private func attempt(type: UInt8, using rng: inout some RandomNumberGenerator) -> [UInt8]? {
        var name: [UInt8] = []
        name.reserveCapacity(32)
        var state: Int? = startState[Int(type)] >= 0 ? startState[Int(type)] : nil
        var isFirstUnit = true
        while true {
            var drawn = -1
            if let state { drawn = flatRows.draw(state, using: &rng) }
            if drawn < 0 || tokenKinds[drawn] == .other {
                let usesFirst = isFirstUnit && !firstFallback.isEmpty
                guard usesFirst || !nextFallback.isEmpty else { return name.isEmpty ? nil : name }
                drawn = usesFirst ? firstFallback.draw(using: &rng) : nextFallback.draw(using: &rng)
            }
            let kind = tokenKinds[drawn]
            switch kind {
            case .end, .other:
                return name.isEmpty ? nil : name
            case .unit:
                break
            case .rareWord:
                appendRareWord(to: &name, using: &rng)
            }
            let unitStart = tokenStarts[drawn]
            for k in unitStart..<tokenEnds[drawn] { name.append(tokenBytes[k]) }
            guard name.count <= maximumLength else { return nil }
            // A unit ending in a letter or digit ends the name: a further word would merge with it.
            if NameModel.isWordByte(name[name.count - 1]) { return name }
            if isFirstUnit, kind == .unit, NameModel.isSeparatorByte(tokenBytes[unitStart]) {
                state = leadingStateOfToken[Int(type) << 32 | drawn]
            } else {
                state = stateAfterToken[drawn]
            }
            isFirstUnit = false
        }
    }

    private func appendRareWord(to name: inout [UInt8], using rng: inout some RandomNumberGenerator) {
        let length = rareWordLengths.isEmpty ? 6 : rareWordLengths.draw(using: &rng)
        var context = Self.startContext
        for _ in 0..<max(1, length) {
            var table = characterTable(context)
            if table < 0 { table = startCharacterTable }
            let byte = table >= 0 ? flatCharacters.draw(table, using: &rng) : UInt8(ascii: "x")
            name.append(byte)
            context = context << 8 | UInt16(byte)
        }
    }
}

extension NameSampler {
    /// The index of the character table of the two-byte `context` (-1: none).
    @inline(__always)
    fileprivate func characterTable(_ context: UInt16) -> Int {
        let first = contextClass[Int(context >> 8)], second = contextClass[Int(context & 0xFF)]
        return first < 0 || second < 0 ? -1 : Int(characterIndex[Int(first) &* classCount &+ Int(second)])
    }
}

/// Weighted tables stored back to back: each table's entries in one run of `entries`, each
/// entry's cumulative weight beside its element. `draw` returns what `WeightedTable.draw`
/// returns for the same table and generator (the same draw, then the first entry whose
/// cumulative weight exceeds it).
///
/// The entry is found through a guide table instead of a binary search: each table's range of
/// draws is cut into buckets of `1 << shift` draws, one to two buckets per entry, and a
/// bucket's guide is the first entry whose cumulative weight exceeds the bucket's lowest draw.
/// The answer for any draw in the bucket is at or after it, so a short forward scan finds the
/// same entry; a draw lands in a bucket in proportion to its width, so the scan passes about one
/// entry on average. (The binary search over the chain's larger rows missed the cache at every
/// step: drawing the names was half of drawing an ARM-sized population, issue 17.) A draw reads
/// three places: the table's header (its total, shift and guide), the guide, and the entries
/// from the guided one on, the element beside its weight.
struct FlatTables<Element: Sendable>: Sendable {
    private struct Header: Sendable {
        var total: UInt64
        var shift: UInt64
        var guideStart: Int
    }
    private struct Entry: Sendable {
        var cumulative: UInt64
        var element: Element
    }
    private var headers: [Header] = []
    private var entries: [Entry] = []
    /// Per table, from its `guideStart`: the index in `entries` of each bucket's first candidate.
    private var guide: [Int32] = []

    init(_ tables: [WeightedTable<Element>]) {
        for table in tables {
            let first = entries.count
            for (element, cumulative) in zip(table.elements, table.cumulativeWeights) {
                entries.append(Entry(cumulative: cumulative, element: element))
            }
            let total = table.cumulativeWeights.last ?? 0
            var header = Header(total: total, shift: 0, guideStart: guide.count)
            if total > 0 {
                // The fewest bits that leave at most about twice as many buckets as entries.
                let buckets = max(1, table.elements.count)
                while (total &- 1) >> header.shift >= UInt64(2 &* buckets) { header.shift &+= 1 }
                var entry = first
                for bucket in 0...((total &- 1) >> header.shift) {
                    let lowest = bucket << header.shift
                    while entries[entry].cumulative <= lowest { entry &+= 1 }
                    guide.append(Int32(truncatingIfNeeded: entry))
                }
            }
            headers.append(header)
        }
    }

    func draw(_ table: Int, using rng: inout some RandomNumberGenerator) -> Element {
        let header = headers[table]
        let target = RandomDraws.below(header.total, using: &rng)
        return entries.withUnsafeBufferPointer { entries in
            var entry = Int(guide[header.guideStart &+ Int(target >> header.shift)])
            while entries[entry].cumulative <= target { entry &+= 1 }
            return entries[entry].element
        }
    }
}
