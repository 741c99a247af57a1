import Compressor

extension TableFinder {
    /// `kallsyms_num_syms`, `kallsyms_names` and `kallsyms_markers` that agree with each other and a token table.
    struct NamesCandidate {
        var token: TokenCandidate
        var countOffset: Int
        var countSize: Int
        var count: Int
        var namesOffset: Int
        var namesEnd: Int
        var markersOffset: Int
        var lengthPrefix: EraRules.LengthPrefix
        var hasLongNames: Bool

        var markersEnd: Int { markersOffset + (count + 255) / 256 * countSize }
    }

    /// Every count word before the token table whose names stream walks cleanly through
    /// `count` symbols and is followed by markers equal to the walk's offsets.
    static func nameCandidates(
        _ bytes: UnsafeBufferPointer<UInt8>, token: TokenCandidate,
        context: SearchContext
    ) -> [NamesCandidate] {
        var startsWithType = [Bool](repeating: false, count: 256)
        for code in 0..<256 {
            if let first = token.expansions[code].first {
                startsWithType[code] = (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A
            }
        }
        let countSizes = context.wordSize == 4 ? [4] : [4, 8]
        let reader = WordReader(bytes: bytes, order: token.order)
        let limit = token.tableOffset
        var result: [NamesCandidate] = []
        var countOffset = 0
        while countOffset + 8 <= limit {
            defer { countOffset &+= 4 }
            for countSize in countSizes {
                let value = reader.word(at: countOffset, size: countSize)
                // Every symbol takes at least two bytes of names and there are fewer than 2^24 (3-byte seqs).
                guard value >= 1 && value < 1 << 24 && Int(value) <= (limit - countOffset) / 2 else { continue }
                let count = Int(value)
                // The names follow the count, or the next 8- or 16-byte boundary (`.balign 8`;
                // v3.3's `.align 4` on ARM is 16 bytes).
                let first = countOffset + countSize
                for step in 0..<3 {
                    let namesOffset = step == 0 ? first : alignUp(first, step == 1 ? 8 : 16)
                    guard namesOffset + 2 <= limit else { break }
                    // Alignment padding is zeros; each distinct offset is tried once.
                    if step > 0
                        && (namesOffset == first || (step == 2 && namesOffset == alignUp(first, 8))
                            || bytes[namesOffset - 1] != 0)
                    {
                        continue
                    }
                    // The first symbol: a length, then a code whose expansion starts with a type letter.
                    let length = Int(bytes[namesOffset])
                    guard length != 0 else { continue }
                    if length < 0x80 && !startsWithType[Int(bytes[namesOffset + 1])] { continue }
                    if let found = walkAndMatch(
                        bytes, reader: reader, namesOffset: namesOffset, count: count,
                        countSize: countSize, limit: limit, startsWithType: startsWithType),
                        followedByTokenTable(
                            bytes, markersEnd: found.markers + (count + 255) / 256 * countSize,
                            count: count, tokenTable: limit)
                    {
                        result.append(
                            NamesCandidate(
                                token: token, countOffset: countOffset, countSize: countSize,
                                count: count, namesOffset: namesOffset, namesEnd: found.end,
                                markersOffset: found.markers, lengthPrefix: found.prefix,
                                hasLongNames: found.hasLong))
                    }
                }
            }
        }
        return result
    }

    /// Whether the token table follows the markers, after alignment padding or after a
    /// `kallsyms_seqs_of_names` of `count` entries (Debian's 6.1 backport puts it there):
    /// every era emits names, markers and the token table in this order.
    static func followedByTokenTable(_ bytes: UnsafeBufferPointer<UInt8>, markersEnd: Int, count: Int, tokenTable: Int) -> Bool {
        let gap = tokenTable - markersEnd
        if gap >= 0 && gap < 16 { return true }
        let seqsGap = gap - 3 * count
        return seqsGap >= 0 && seqsGap < 16
    }

    /// Walks the names stream with each length-prefix style and checks the markers after it.
    static func walkAndMatch(
        _ bytes: UnsafeBufferPointer<UInt8>, reader: WordReader, namesOffset: Int, count: Int,
        countSize: Int, limit: Int, startsWithType: [Bool]
    )
        -> (end: Int, markers: Int, prefix: EraRules.LengthPrefix, hasLong: Bool)?
    {
        for style in [EraRules.LengthPrefix.base128, .oneByte] {
            // A first walk without recording anything rejects false candidates cheaply.
            guard
                walkEnd(
                    bytes, from: namesOffset, count: count, style: style, limit: limit,
                    startsWithType: startsWithType) != nil,
                let walk = walk(
                    bytes, from: namesOffset, count: count, style: style, limit: limit,
                    startsWithType: startsWithType)
            else { continue }
            let markerCount = (count + 255) / 256
            for markersOffset in Set([alignUp(walk.end, 4), alignUp(walk.end, 8), alignUp(walk.end, 16)]).sorted()
            where markersOffset + markerCount * countSize <= limit {
                var equal = true
                for k in 0..<markerCount where reader.word(at: markersOffset + k * countSize, size: countSize) != UInt64(walk.markers[k]) {
                    equal = false
                    break
                }
                if equal { return (walk.end, markersOffset, style, walk.hasLong) }
            }
            // Without a two-byte length both styles read the same stream: no need to walk again.
            if style == .base128 && !walk.hasLong { break }
        }
        return nil
    }

    /// The name length at `offset` and how many bytes its prefix takes (2 for a v6.1+ length of
    /// 128 or more), or nil when the prefix runs past `limit`.
    @inline(__always)
    static func lengthPrefix(
        _ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, style: EraRules.LengthPrefix,
        limit: Int
    ) -> (length: Int, prefix: Int)? {
        guard offset < limit else { return nil }
        let first = Int(bytes[offset])
        guard style == .base128 && first & 0x80 != 0 else { return (first, 1) }
        guard offset + 1 < limit else { return nil }
        return ((first & 0x7F) | Int(bytes[offset + 1]) << 7, 2)
    }

    /// The end of `count` symbols from `start`, or nil (as `walk`, without allocating).
    @inline(__always)
    static func walkEnd(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, count: Int, style: EraRules.LengthPrefix,
        limit: Int, startsWithType: [Bool]
    ) -> Int? {
        startsWithType.withUnsafeBufferPointer { isType in
            var offset = start
            for _ in 0..<count {
                guard let (length, prefix) = lengthPrefix(bytes, at: offset, style: style, limit: limit) else { return nil }
                guard length > 0, offset + prefix + length <= limit, isType[Int(bytes[offset + prefix])] else { return nil }
                offset += prefix + length
            }
            return offset
        }
    }

    /// The end of `count` symbols from `start` and the offset of every 256th, or nil when a
    /// length is 0, a name runs past `limit` or does not start with a type letter.
    static func walk(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, count: Int, style: EraRules.LengthPrefix,
        limit: Int, startsWithType: [Bool]
    ) -> (end: Int, markers: [Int], hasLong: Bool)? {
        var offset = start
        var markers: [Int] = []
        var hasLong = false
        for index in 0..<count {
            if index & 0xFF == 0 { markers.append(offset - start) }
            guard let (length, prefix) = lengthPrefix(bytes, at: offset, style: style, limit: limit) else { return nil }
            if prefix == 2 { hasLong = true }
            guard length > 0, offset + prefix + length <= limit, startsWithType[Int(bytes[offset + prefix])] else { return nil }
            offset += prefix + length
        }
        return (offset, markers, hasLong)
    }
}
