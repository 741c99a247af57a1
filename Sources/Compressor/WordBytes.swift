/// Eight bytes at a time: bit 7 of each byte of the result is set where that byte of `word`
/// is below `bound` (1…127). Every such byte is flagged and the lowest flag is always a true
/// one; flags above a true one may be spurious (the subtraction's borrow), so a caller takes
/// the lowest or checks each. Zero exactly when no byte is below `bound`. Bytes of 0x80 and up
/// are never flagged (their top bit is set).
@inline(__always)
func flagsOfBytes(below bound: UInt8, in word: UInt64) -> UInt64 {
    (word &- UInt64(bound) &* 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
}
