import Compressor

/// A token table frozen after one compression, used to encode later symbol sets without
/// recomputing it (the `reuse-tokens` mitigation).
///
/// Encoding applies the recorded rounds in order to each string: for one symbol this is
/// exactly what the greedy loop of spec §5 did to it, because the loop's replacement is per
/// symbol and only the choice of pairs depends on the whole set.
public struct FixedTokens: Hashable, Sendable {
    /// The table of the compression it was taken from.
    public var table: TokenTable
    /// The rounds of that compression, in order.
    public var rounds: [Compression.Round]

    /// Freezes the table and rounds of `compression`.
    public init(_ compression: Compression) {
        table = compression.tokens
        rounds = compression.rounds
    }

    /// Encodes `strings` with this table.
    ///
    /// A byte the table has no literal for takes its empty code as a new literal (the token
    /// table gains one byte). Returns nil when a byte's code is already a token: the table
    /// cannot represent that byte and must be rebuilt.
    /// - Complexity: O(total length + count × rounds) (a 256-bit presence set skips rounds
    ///   whose bytes a string does not hold).
    public func encode(_ strings: ByteStrings) -> Compression? {
        var tokens = table
        var present = [Bool](repeating: false, count: 256)
        for byte in strings.bytes { present[Int(byte)] = true }
        for code in 0..<256 where present[code] {
            switch tokens[UInt8(code)] {
            case .literal: continue
            case .empty: tokens[UInt8(code)] = .literal
            case .pair: return nil
            }
        }
        let firsts = rounds.map { UInt8($0.pair & 0xFF) }
        let seconds = rounds.map { UInt8($0.pair >> 8) }
        let codes = rounds.map(\.code)
        var output = ByteStrings()
        output.reserve(strings: strings.count, bytes: strings.totalLength)
        var work: [UInt8] = []
        work.reserveCapacity(64)
        for index in strings.indices {
            work.removeAll(keepingCapacity: true)
            work.append(contentsOf: strings[index])
            var mask = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            for byte in work { Self.insert(byte, into: &mask) }
            for round in 0..<codes.count
            where Self.contains(firsts[round], mask) && Self.contains(seconds[round], mask) && work.count >= 2 {
                if Self.replace(&work, firsts[round], seconds[round], with: codes[round]) {
                    Self.insert(codes[round], into: &mask)
                }
            }
            output.append(work)
        }
        return Compression(tokens: tokens, names: output, rounds: rounds)
    }

    @inline(__always) private static func insert(_ byte: UInt8, into mask: inout (UInt64, UInt64, UInt64, UInt64)) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: mask.0 |= bit
        case 1: mask.1 |= bit
        case 2: mask.2 |= bit
        default: mask.3 |= bit
        }
    }

    @inline(__always) private static func contains(_ byte: UInt8, _ mask: (UInt64, UInt64, UInt64, UInt64)) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return mask.0 & bit != 0
        case 1: return mask.1 & bit != 0
        case 2: return mask.2 & bit != 0
        default: return mask.3 & bit != 0
        }
    }

    /// Non-overlapping left-to-right replacement in place; whether anything was replaced.
    private static func replace(_ symbol: inout [UInt8], _ first: UInt8, _ second: UInt8, with code: UInt8) -> Bool {
        var read = 0, write = 0
        let count = symbol.count
        var replaced = false
        while read < count {
            if read + 1 < count && symbol[read] == first && symbol[read + 1] == second {
                symbol[write] = code
                read += 2
                replaced = true
            } else {
                symbol[write] = symbol[read]
                read += 1
            }
            write += 1
        }
        symbol.removeLast(count - write)
        return replaced
    }
}
