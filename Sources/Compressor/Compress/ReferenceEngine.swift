/// The compression of docs/behaviour.md §5, step by step, kept readable: the oracle for faster
/// engines.
///
/// Cost: up to 256 rounds, each a scan of 65 536 pair counters and of every symbol.
public enum ReferenceEngine {
    public static func compress(_ input: ByteStrings) -> Compression {
        var symbols: [[UInt8]] = input.map { Array($0) }
        var counts = [Int](repeating: 0, count: 65_536)

        // Step 1: pair statistics over every symbol.
        for symbol in symbols { learn(symbol, into: &counts) }

        // Step 2: every byte that occurs is a literal.
        var table = TokenTable()
        for symbol in symbols {
            for byte in symbol { table[byte] = .literal }
        }

        // Step 3: codes 255 → 0, skipping literals.
        var rounds: [Compression.Round] = []
        for code in stride(from: 255, through: 0, by: -1) {
            let code = UInt8(code)
            if table[code] == .literal { continue }
            // a. the largest count; ties go to the smallest pair number (first strict maximum).
            var best = 0
            for pair in 1..<65_536 where counts[pair] > counts[best] { best = pair }
            // b. nothing left to merge: stop the whole loop.
            if counts[best] == 0 { break }
            // c. the code stands for that pair.
            let first = UInt8(best & 0xFF), second = UInt8(best >> 8)
            table[code] = .pair(first: first, second: second)
            rounds.append(.init(code: code, pair: best, count: counts[best]))
            // d. every symbol holding the pair: forget its pairs, replace, learn them again.
            for index in symbols.indices where contains(symbols[index], first, second) {
                forget(symbols[index], from: &counts)
                symbols[index] = replace(symbols[index], first, second, with: code)
                learn(symbols[index], into: &counts)
            }
        }
        return Compression(tokens: table, names: ByteStrings(symbols), rounds: rounds)
    }

    static func learn(_ symbol: [UInt8], into counts: inout [Int]) {
        guard symbol.count >= 2 else { return }
        for i in 0..<(symbol.count - 1) {
            counts[TokenTable.pairNumber(symbol[i], symbol[i + 1])] += 1
        }
    }

    static func forget(_ symbol: [UInt8], from counts: inout [Int]) {
        guard symbol.count >= 2 else { return }
        for i in 0..<(symbol.count - 1) {
            counts[TokenTable.pairNumber(symbol[i], symbol[i + 1])] -= 1
        }
    }

    static func contains(_ symbol: [UInt8], _ first: UInt8, _ second: UInt8) -> Bool {
        guard symbol.count >= 2 else { return false }
        for i in 0..<(symbol.count - 1) where symbol[i] == first && symbol[i + 1] == second {
            return true
        }
        return false
    }

    /// Replaces non-overlapping occurrences left to right, resuming after each (`aaa` → `Ta`).
    static func replace(_ symbol: [UInt8], _ first: UInt8, _ second: UInt8, with code: UInt8) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(symbol.count)
        var i = 0
        while i < symbol.count {
            if i + 1 < symbol.count && symbol[i] == first && symbol[i + 1] == second {
                result.append(code)
                i += 2
            } else {
                result.append(symbol[i])
                i += 1
            }
        }
        return result
    }
}
