/// The pair statistics of docs/behaviour.md §5 step 1: how often each pair of adjacent bytes
/// occurs.
///
/// This is the hot loop of every compression run, so it works on the flat buffer of
/// `ByteStrings` in one unchecked sweep: it counts every adjacent pair of the whole buffer,
/// including the pairs that straddle two strings, and then takes those straddling pairs back
/// out (one per boundary between two non-empty stretches), which is cheaper than stopping at
/// every string end.
public enum PairCounter {
    /// The number of pair counters: one per pair number `first + 256·second`.
    public static let pairCount = 65_536

    /// Counts the adjacent byte pairs of every string, overlapping occurrences included.
    ///
    /// `result[first + 256·second]` is the number of positions `i` in some string with
    /// `string[i] == first` and `string[i + 1] == second` (docs/behaviour.md §5 step 1; `aaa`
    /// counts `aa` twice). Pairs never span two strings.
    ///
    /// - Complexity: O(total length), one pass; about 0.3–0.5 ns per byte in release builds.
    public static func count(_ strings: ByteStrings) -> [UInt32] {
        precondition(strings.totalLength < Int(UInt32.max), "pair counts are 32-bit")
        var counts = [UInt32](repeating: 0, count: pairCount)
        counts.withUnsafeMutableBufferPointer { counts in
            strings.bytes.withUnsafeBufferPointer { bytes in
                strings.ends.withUnsafeBufferPointer { ends in
                    countAcrossBoundaries(bytes, into: counts.baseAddress!)
                    removeBoundaryPairs(bytes, ends: ends, from: counts.baseAddress!)
                }
            }
        }
        return counts
    }

    /// Adds one to `counts[pair]` for every adjacent pair of `bytes`, as if it were one string.
    ///
    /// `counts` must have room for 65 536 counters and the buffer fewer than 2³² bytes.
    @inline(__always)
    static func countAcrossBoundaries(_ bytes: UnsafeBufferPointer<UInt8>, into counts: UnsafeMutablePointer<UInt32>) {
        let byteCount = bytes.count
        guard byteCount >= 2, let base = bytes.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        // One unaligned 16-bit load per position is the pair number itself (first byte in the
        // low half). `i < byteCount - 1` keeps both bytes inside the buffer, so `&+` cannot
        // overflow; a counter cannot wrap because the buffer has fewer than 2³² bytes (checked
        // by the callers). Measured faster than 64-bit loads with shifts or several counter
        // tables: the loop is two instructions per byte, and the compiler unrolls it.
        let last = byteCount &- 1
        var i = 0
        while i < last {
            counts[Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt16.self)))] &+= 1
            i &+= 1
        }
    }

    /// Subtracts the pairs that `countAcrossBoundaries` counted across string boundaries.
    ///
    /// A boundary is an offset `e` with `0 < e < bytes.count` at which some string ends; empty
    /// strings repeat an offset, which is still one boundary.
    @inline(__always)
    static func removeBoundaryPairs(
        _ bytes: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int>,
        from counts: UnsafeMutablePointer<UInt32>
    ) {
        let byteCount = bytes.count
        var previous = 0
        for end in ends where end != previous {
            // `end` is non-decreasing (ByteStrings invariant), so a new value is a new boundary;
            // the last one equals `byteCount` and has no pair after it.
            if end < byteCount {
                counts[Int(bytes[end &- 1]) | Int(bytes[end]) << 8] &-= 1
            }
            previous = end
        }
    }
}
