/// The hexadecimal address at the start of a plain `nm` line, read without any of the C
/// library's extras (no blanks, sign or `0x`): the fast paths of both map parsers share it.
enum PlainHexAddress {
    /// The value of the hex digits from `start` and the index of the first other byte. The
    /// value wraps past 16 digits; callers accept at most 16.
    @inline(__always)
    static func read(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> (value: UInt64, end: Int) {
        var cursor = start
        var value: UInt64 = 0
        while cursor < count {
            let byte = base[cursor]
            var digit = byte &- 0x30
            if digit > 9 {
                digit = (byte | 0x20) &- 0x61
                guard digit < 6 else { break }
                digit &+= 10
            }
            value = value &<< 4 | UInt64(digit)
            cursor &+= 1
        }
        return (value, cursor)
    }
}
