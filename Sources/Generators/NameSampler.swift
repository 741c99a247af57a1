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
    private var tokenIndex: [String: Int] = [:]
    /// The state a token leads to when it is not a name's first unit (nil: no row).
    private var stateAfterToken: [Int?] = []
    private var rows: [WeightedTable<Int>] = []
    private var startState: [UInt8: Int] = [:]
    private var leadingState: [[UInt8]: Int] = [:]
    private var firstFallback = WeightedTable<Int>()
    private var nextFallback = WeightedTable<Int>()
    private var rareWordLengths = WeightedTable<Int>()
    private var characters: [UInt16: WeightedTable<UInt8>] = [:]
    private let maximumLength: Int

    private static let startContext = UInt16(UInt8(ascii: "^")) << 8 | UInt16(UInt8(ascii: "^"))

    init(_ model: NameModel) {
        maximumLength = max(1, min(model.maximumLength, NameModel.lengthLimit))
        for (state, row) in model.chain.sorted(by: { $0.key < $1.key }) {
            let table = self.table(row)
            let index = rows.count
            rows.append(table)
            if let (type, leading) = NameModel.startStateParts(state) {
                if leading.isEmpty { startState[type] = index } else { leadingState[[type] + Array(leading.utf8)] = index }
            } else {
                stateAfterToken[intern(Substring(state))] = index
            }
        }
        firstFallback = table(model.firstUnitFallback)
        nextFallback = table(model.nextUnitFallback)
        rareWordLengths = model.rareWordLengths.table
        for (context, row) in model.rareWordCharacters {
            let bytes = Array(context.utf8)
            guard bytes.count == 2 else { continue }
            var table = WeightedTable<UInt8>()
            for (token, count) in NameModel.pairs(row) {
                if let byte = token.utf8.first, token.utf8.count == 1, NameModel.isWordByte(byte) {
                    table.append(byte, weight: count)
                }
            }
            if !table.isEmpty { characters[UInt16(bytes[0]) << 8 | UInt16(bytes[1])] = table }
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
        var state = startState[type]
        var isFirstUnit = true
        while true {
            var index = state.map { rows[$0].draw(using: &rng) }
            if index == nil || isOther(index!) {
                let fallback = isFirstUnit && !firstFallback.isEmpty ? firstFallback : nextFallback
                guard !fallback.isEmpty else { return name.isEmpty ? nil : name }
                index = fallback.draw(using: &rng)
            }
            let drawn = index!
            switch tokens[drawn] {
            case .end, .other:
                return name.isEmpty ? nil : name
            case .unit(let bytes):
                name += bytes
            case .rareWord(let separator):
                appendRareWord(to: &name, using: &rng)
                name += separator
            }
            guard name.count <= maximumLength else { return nil }
            // A unit ending in a letter or digit ends the name: a further word would merge with it.
            if NameModel.isWordByte(name[name.count - 1]) { return name }
            if isFirstUnit, case .unit(let bytes) = tokens[drawn], NameModel.isSeparatorByte(bytes[0]) {
                state = leadingState[[type] + bytes]
            } else {
                state = stateAfterToken[drawn]
            }
            isFirstUnit = false
        }
    }

    private func isOther(_ index: Int) -> Bool {
        if case .other = tokens[index] { return true }
        return false
    }

    private func appendRareWord(to name: inout [UInt8], using rng: inout some RandomNumberGenerator) {
        let length = rareWordLengths.isEmpty ? 6 : rareWordLengths.draw(using: &rng)
        var context = Self.startContext
        for _ in 0..<max(1, length) {
            let table = characters[context] ?? characters[Self.startContext]
            let byte = table?.draw(using: &rng) ?? UInt8(ascii: "x")
            name.append(byte)
            context = context << 8 | UInt16(byte)
        }
    }
}
