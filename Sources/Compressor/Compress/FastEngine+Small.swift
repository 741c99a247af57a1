extension FastEngine {
    /// Up to this many input bytes, `compress` takes `compressSmall`: a shrink's candidates and
    /// the property cases are a few dozen symbols, where the large engine's fixed work (65 536
    /// counters and list heads, 256 blocks per round) costs more than the rounds themselves.
    static let smallInputLength = 2_048

    /// The greedy loop of docs/behaviour.md §5 for a small input, with work proportional to its
    /// length: the pairs present are kept in a list (a pair joins it when its count leaves 0,
    /// and leaves it when a round's scan finds it at 0), so a round's maximum is a scan of that
    /// list, not of 65 536 counters; the symbols holding the chosen pair are rewritten in place,
    /// their pairs forgotten and learnt again. Same result as `ReferenceEngine` (tested).
    static func compressSmall(_ input: ByteStrings) -> Compression {
        var bytes = input.bytes
        let count = input.count
        var lengths = (0..<count).map { input.length(of: $0) }
        var table = TokenTable()
        for byte in bytes { table[byte] = .literal }
        var rounds: [Compression.Round] = []
        bytes.withUnsafeMutableBufferPointer { bytes in
            lengths.withUnsafeMutableBufferPointer { lengths in
                let counts = UnsafeMutablePointer<UInt32>.allocate(capacity: 65_536)
                counts.initialize(repeating: 0, count: 65_536)
                let listed = UnsafeMutablePointer<Bool>.allocate(capacity: 65_536)
                listed.initialize(repeating: false, count: 65_536)
                defer {
                    counts.deallocate()
                    listed.deallocate()
                }
                var present: [Int] = []
                present.reserveCapacity(bytes.count)
                func learn(_ start: Int, _ length: Int) {
                    var i = start
                    while i &+ 1 < start &+ length {
                        let pair = Int(bytes[i]) | Int(bytes[i &+ 1]) &<< 8
                        counts[pair] &+= 1
                        if !listed[pair] {
                            listed[pair] = true
                            present.append(pair)
                        }
                        i &+= 1
                    }
                }
                func forget(_ start: Int, _ length: Int) {
                    var i = start
                    while i &+ 1 < start &+ length {
                        counts[Int(bytes[i]) | Int(bytes[i &+ 1]) &<< 8] &-= 1
                        i &+= 1
                    }
                }
                // Each symbol keeps its place in the buffer; rewriting only shortens it.
                let starts = (0..<count).map { input.start(of: $0) }
                for index in 0..<count { learn(starts[index], lengths[index]) }
                for code in stride(from: 255, through: 0, by: -1) {
                    let code = UInt8(code)
                    if table[code] == .literal { continue }
                    // a. the largest count, ties to the smallest pair number; pairs at 0 leave.
                    var best = -1
                    var bestCount: UInt32 = 0
                    var kept = 0
                    for position in present.indices {
                        let pair = present[position]
                        let pairCount = counts[pair]
                        guard pairCount > 0 else {
                            listed[pair] = false
                            continue
                        }
                        present[kept] = pair
                        kept &+= 1
                        if pairCount > bestCount || (pairCount == bestCount && pair < best) {
                            best = pair
                            bestCount = pairCount
                        }
                    }
                    present.removeLast(present.count &- kept)
                    // b. nothing left to merge.
                    guard bestCount > 0 else { break }
                    let first = UInt8(best & 0xFF), second = UInt8(best &>> 8)
                    table[code] = .pair(first: first, second: second)
                    rounds.append(.init(code: code, pair: best, count: Int(bestCount)))
                    // d. every symbol holding the pair, left to right, non-overlapping.
                    for index in 0..<count {
                        let start = starts[index], length = lengths[index]
                        var i = start
                        while i &+ 1 < start &+ length && !(bytes[i] == first && bytes[i &+ 1] == second) { i &+= 1 }
                        guard i &+ 1 < start &+ length else { continue }
                        forget(start, length)
                        var write = i
                        while i < start &+ length {
                            if i &+ 1 < start &+ length && bytes[i] == first && bytes[i &+ 1] == second {
                                bytes[write] = code
                                i &+= 2
                            } else {
                                bytes[write] = bytes[i]
                                i &+= 1
                            }
                            write &+= 1
                        }
                        lengths[index] = write &- start
                        learn(start, lengths[index])
                    }
                }
            }
        }
        let names = ByteStrings(count: count, totalLength: lengths.reduce(0, +)) { index, at in
            let start = input.start(of: index), length = lengths[index]
            bytes.withUnsafeBufferPointer { bytes in
                if length > 0 { at.initialize(from: bytes.baseAddress! + start, count: length) }
            }
            return length
        }
        return Compression(tokens: table, names: names, rounds: rounds)
    }
}
