/// The hexadecimal address at the start of a plain `nm` line, read without any of the C
/// library's extras (no blanks, sign or `0x`): the fast paths of both map parsers share it.
enum PlainHexAddress {
    /// The value of the hex digits from `start` and the index of the first other byte. The
    /// value wraps past 16 digits; callers accept at most 16.
    ///
    /// Eight bytes at a time where 16 more bytes are readable (an address of `nm -n` has 8 or
    /// 16 digits): which bytes are digits, and their value, are computed for the whole word at
    /// once. More than 15 digits in a row, and the end of the buffer, take the byte loop.
    @inline(__always)
    static func read(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> (value: UInt64, end: Int) {
        guard count &- start > 16 else { return readByteByByte(base, from: start, count: count) }
        let raw = UnsafeRawPointer(base)
        let first = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self))
        let firstOthers = ~digitFlags(first) & Self.highBits
        if firstOthers != 0 {
            // 0 to 7 digits: moved to the top of the word, below them zero bytes (digit 0).
            let digits = firstOthers.trailingZeroBitCount &>> 3
            guard digits > 0 else { return (0, start) }
            return (value(ofDigits: first &<< UInt64(64 &- 8 &* digits)), start &+ digits)
        }
        let second = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start &+ 8, as: UInt64.self))
        let secondOthers = ~digitFlags(second) & Self.highBits
        // 16 digits or more: only exactly 16 is read here.
        guard secondOthers != 0 || hexValue(base[start &+ 16]) == nil else { return readByteByByte(base, from: start, count: count) }
        let digits = secondOthers == 0 ? 8 : secondOthers.trailingZeroBitCount &>> 3
        guard digits > 0 else { return (value(ofDigits: first), start &+ 8) }
        let low = value(ofDigits: second &<< UInt64(64 &- 8 &* digits))
        return (value(ofDigits: first) &<< UInt64(4 &* digits) | low, start &+ 8 &+ digits)
    }

    /// `read` one byte at a time (the definition the word-at-a-time path must agree with).
    static func readByteByByte(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> (value: UInt64, end: Int) {
        var cursor = start
        var value: UInt64 = 0
        while cursor < count, let digit = hexValue(base[cursor]) {
            value = value &<< 4 | digit
            cursor &+= 1
        }
        return (value, cursor)
    }

    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of every byte of `word` that is a hex digit, the others clear.
    ///
    /// Each range test adds a constant to the low seven bits of every byte (no carry can cross
    /// into the next byte) so that the high bit says "at least" or "above"; bytes with their
    /// own high bit set are no digit.
    @inline(__always)
    private static func digitFlags(_ word: UInt64) -> UInt64 {
        let low = word & ~highBits
        // At least 0x30 and not above 0x39.
        let decimal = (low &+ 0x5050_5050_5050_5050) & ~(low &+ 0x4646_4646_4646_4646)
        // With bit 5 set (A-F become a-f): at least 0x61 and not above 0x66.
        let folded = low | 0x2020_2020_2020_2020
        let letter = (folded &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(folded &+ 0x1919_1919_1919_1919)
        return (decimal | letter) & ~word & highBits
    }

    /// The value of eight hex digits (or zero bytes, which count as 0), the first byte in
    /// memory the most significant digit.
    @inline(__always)
    private static func value(ofDigits word: UInt64) -> UInt64 {
        // Each digit's value: its low four bits, plus 9 for a letter (bit 6 set).
        let digits = (word & 0x0F0F_0F0F_0F0F_0F0F) &+ ((word &>> 6) & 0x0101_0101_0101_0101) &* 9
        // Two digits to a byte, in the low byte of each 16-bit lane.
        let bytes = (digits & 0x000F_000F_000F_000F) &<< 4 | (digits &>> 8) & 0x000F_000F_000F_000F
        // The four bytes side by side, then in big-endian order.
        let pairs = (bytes | bytes &>> 8) & 0x0000_FFFF_0000_FFFF
        let four = UInt32(truncatingIfNeeded: pairs | pairs &>> 16)
        return UInt64(four.byteSwapped)
    }
}
