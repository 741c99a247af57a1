import Compressor
import Randomness
import Testing

/// `NameMatcher` against a plain reading of its four modes, on random candidate sets (one
/// shared first byte or many, one shared last byte, short and long candidates) and names built
/// from their pieces.
@Suite struct NameMatcherTests {
    func plainMatches(_ candidates: [[UInt8]], _ mode: NameMatcher.Mode, _ name: [UInt8]) -> Bool {
        candidates.contains { candidate in
            guard !candidate.isEmpty, candidate.count <= name.count else { return false }
            switch mode {
            case .exact: return candidate == name
            case .prefix: return Array(name.prefix(candidate.count)) == candidate
            case .suffix: return Array(name.suffix(candidate.count)) == candidate
            case .substring:
                return (0...(name.count - candidate.count)).contains { Array(name[$0..<($0 + candidate.count)]) == candidate }
            }
        }
    }

    @Test("every mode agrees with a plain reading", arguments: [NameMatcher.Mode.exact, .prefix, .suffix, .substring])
    func agreesWithPlainReading(_ mode: NameMatcher.Mode) {
        var random = SeededRandom(seed: 0x0a7c_4e5)
        let alphabet = Array("._$abx".utf8)
        func string(_ length: Int) -> [UInt8] { (0..<length).map { _ in alphabet[Int(random.next() % 6)] } }
        var matched = 0, names = 0
        for round in 0..<400 {
            // Every third round every candidate starts with "." and is at least a word long (the
            // word-at-a-time search by the first byte); every third starts with an identifier
            // byte and ends with "." (the search by the last byte, as for "_compiled.").
            let candidates = (0..<(1 + Int(random.next() % 4))).map { _ -> [UInt8] in
                switch round % 3 {
                case 1: return [UInt8(ascii: ".")] + string(7 + Int(random.next() % 8))
                case 2: return [Array("_ab".utf8)[Int(random.next() % 3)]] + string(6 + Int(random.next() % 8)) + [UInt8(ascii: ".")]
                default: return string(Int(random.next() % 6))
                }
            }
            let matcher = NameMatcher(candidates, mode: mode)
            for _ in 0..<40 {
                var name: [UInt8] = []
                for _ in 0..<Int(random.next() % 4) {
                    name += random.next() % 2 == 0 ? candidates[Int(random.next() % UInt64(candidates.count))] : string(Int(random.next() % 9))
                }
                let expected = plainMatches(candidates, mode, name)
                #expect(name.withUnsafeBufferPointer(matcher.matches) == expected, "\(candidates) \(name)")
                matched += expected ? 1 : 0
                names += 1
            }
        }
        // Both answers were exercised.
        #expect(matched > names / 20 && matched < names - names / 20)
    }
}
