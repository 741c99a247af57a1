extension FastEngine {
    /// The symbols being compressed, at fixed positions: a private copy of the input's flat
    /// buffer in which a merge writes its code over the pair's first byte and turns the pair's
    /// second byte into a *hole*.
    ///
    /// A position is *live* until it becomes a hole; a symbol is the live positions of its
    /// original stretch, in order. Nothing ever moves, so a position named in a pair list stays
    /// meaningful for the whole run. Two bitmaps answer the neighbour questions:
    ///
    /// - `live`: one bit per position, cleared when it becomes a hole;
    /// - `starts`: one bit per position that begins a non-empty symbol.
    ///
    /// A symbol's first position never becomes a hole (a hole is always the later half of a
    /// pair), so the next live position after `p` belongs to `p`'s symbol unless it is a start,
    /// and `p` has a live predecessor in its symbol unless `p` is itself a start.
    ///
    /// A value over memory owned by the caller: `allocate(…)` once, `deallocate()` once.
    struct LiveText {
        /// The current code at each position (meaningless at holes).
        let codes: UnsafeMutablePointer<UInt8>
        /// Bit `p % 8` of byte `p / 8`; both bitmaps have `bitmapPadding` zero bytes before and
        /// after, so a 64-bit window may be read around any position.
        let live: UnsafeMutablePointer<UInt8>
        let starts: UnsafeMutablePointer<UInt8>
        /// The input's total length: positions are `0 ..< count`.
        let count: Int

        static let bitmapPadding = 8

        /// Copies a stretch of whole symbols of an input (all of it, or one thread's part): every
        /// position live, a start bit at each non-empty symbol's first byte. `bytes` are the
        /// stretch's bytes, which begin at offset `origin` of the input, and `ends` the
        /// (non-decreasing) end offsets of its symbols in the input, the last one
        /// `origin + bytes.count`. Position 0 is offset `origin`.
        ///
        /// - Precondition: at most `FastEngine.maximumInputLength` bytes.
        static func allocate(
            copying bytes: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int>, origin: Int
        ) -> LiveText {
            let count = bytes.count
            precondition(count <= FastEngine.maximumInputLength, "input too large for 32-bit positions")
            let bitmapBytes = count &>> 3 &+ 1 &+ 2 &* bitmapPadding
            let text = LiveText(
                codes: .allocate(capacity: max(count, 1)),
                live: .allocate(capacity: bitmapBytes) + bitmapPadding,
                starts: .allocate(capacity: bitmapBytes) + bitmapPadding,
                count: count)
            HugePages.advise(text.codes, byteCount: count)
            if let base = bytes.baseAddress { text.codes.initialize(from: base, count: count) }
            let live = text.live - bitmapPadding, starts = text.starts - bitmapPadding
            live.initialize(repeating: 0, count: bitmapBytes)
            starts.initialize(repeating: 0, count: bitmapBytes)
            // Live bits for `0 ..< count`: whole bytes, then the last partial byte.
            text.live.update(repeating: 0xFF, count: count &>> 3)
            text.live[count &>> 3] = UInt8(truncatingIfNeeded: (1 &<< (count & 7)) &- 1)
            var start = 0
            for end in ends {
                // `ends` is non-decreasing and at most `origin + count` (ByteStrings invariant).
                let end = end &- origin
                if end > start { text.starts[start &>> 3] |= 1 &<< UInt8(start & 7) }
                start = end
            }
            return text
        }

        func deallocate() {
            codes.deallocate()
            (live - Self.bitmapPadding).deallocate()
            (starts - Self.bitmapPadding).deallocate()
        }

        @inline(__always)
        func isLive(_ position: Int) -> Bool {
            live[position &>> 3] & (1 &<< UInt8(position & 7)) != 0
        }

        @inline(__always)
        func isStart(_ position: Int) -> Bool {
            starts[position &>> 3] & (1 &<< UInt8(position & 7)) != 0
        }

        @inline(__always)
        func makeHole(_ position: Int) {
            live[position &>> 3] &= ~(1 &<< UInt8(position & 7))
        }

        /// Bit `k` is whether `position + k` is live, for `k` up to 63 − (`position` mod 8), so at
        /// least 56; the bits above are 0. `position` may be as low as -8 (padding reads as holes).
        @inline(__always)
        func liveWindow(at position: Int) -> UInt64 {
            // `position >> 3` is at most `count >> 3`, and 8 padding bytes follow the bitmap.
            UInt64(littleEndian: UnsafeRawPointer(live + position &>> 3).loadUnaligned(as: UInt64.self))
                &>> UInt64(position & 7)
        }

        /// Bit `k` is whether `position + k` begins a symbol, for `k` up to 63 − (`position` mod 8),
        /// so at least 56; the bits above are 0. `position` may be as low as -8.
        @inline(__always)
        func startWindow(at position: Int) -> UInt64 {
            UInt64(littleEndian: UnsafeRawPointer(starts + position &>> 3).loadUnaligned(as: UInt64.self))
                &>> UInt64(position & 7)
        }

        /// The next live position after `position` in the same symbol, or -1.
        ///
        /// One 64-bit window of the live bitmap covers the next 57 positions or more; a longer
        /// run of holes (only in a symbol that was longer than 57 bytes) falls back to a loop.
        @inline(__always)
        func nextLive(after position: Int) -> Int {
            let first = position &+ 1
            // `first >> 3` is at most `count >> 3`, and 8 padding bytes follow the bitmap.
            let window =
                UInt64(littleEndian: UnsafeRawPointer(live + first &>> 3).loadUnaligned(as: UInt64.self))
                &>> UInt64(first & 7)
            var next: Int
            if window != 0 {
                next = first &+ window.trailingZeroBitCount
            } else {
                next = first &+ 57
                while next < count && !isLive(next) { next &+= 1 }
            }
            return next < count && !isStart(next) ? next : -1
        }

        /// The live position before `position` in the same symbol; `position` must be live and
        /// not a start (so the symbol's start, live and earlier, exists).
        @inline(__always)
        func previousLive(before position: Int) -> Int {
            let last = position &- 1
            // A window whose top byte holds bit `last`: it starts 7 bytes lower, at worst inside
            // the 8 padding bytes before the bitmap.
            let window =
                UInt64(littleEndian: UnsafeRawPointer(live + ((last &>> 3) &- 7)).loadUnaligned(as: UInt64.self))
                &<< UInt64(7 &- (last & 7))
            if window != 0 { return last &- window.leadingZeroBitCount }
            var previous = last &- 57
            while !isLive(previous) { previous &-= 1 }
            return previous
        }

        /// The symbols as they are now: the live codes of each input stretch, packed.
        ///
        /// `input` must be the collection this text was copied from.
        func packed(_ input: ByteStrings) -> ByteStrings {
            let liveCount = self.liveCount
            let symbolCount = input.count
            // (Nothing live: no symbol has a byte.)
            guard liveCount > 0 else { return ByteStrings(bytes: [], ends: [Int](repeating: 0, count: symbolCount)) }
            var ends = [Int]()
            let bytes = [UInt8](unsafeUninitializedCapacity: liveCount) { buffer, initialized in
                ends = [Int](unsafeUninitializedCapacity: symbolCount) { endBuffer, endCount in
                    input.ends.withUnsafeBufferPointer { inputEnds in
                        _ = pack(ends: inputEnds, origin: 0, into: buffer.baseAddress!, ends: endBuffer.baseAddress!, from: 0)
                    }
                    endCount = symbolCount
                }
                initialized = liveCount
            }
            return ByteStrings(bytes: bytes, ends: ends)
        }

        /// How many positions are live.
        var liveCount: Int {
            var liveCount = 0
            for byte in 0..<(count &+ 7) &>> 3 { liveCount &+= live[byte].nonzeroBitCount }
            return liveCount
        }

        /// Writes the live codes of each symbol, in order, to `bytes` from index `offset`, and
        /// the index one past each symbol's last code to `packedEnds`; returns the index past
        /// the last code. `ends` and `origin` are those this text was copied with; `bytes` has
        /// room for `liveCount` codes from `offset`, `packedEnds` for `ends.count` entries.
        @discardableResult
        func pack(
            ends: UnsafeBufferPointer<Int>, origin: Int, into bytes: UnsafeMutablePointer<UInt8>,
            ends packedEnds: UnsafeMutablePointer<Int>, from offset: Int
        ) -> Int {
            // Exactly `liveCount` live positions exist, so `offset` stays in bounds.
            var offset = offset, position = 0
            for symbol in 0..<ends.count {
                let end = ends[symbol] &- origin
                // 56 positions per window, each live one found by its bit.
                while position < end {
                    let span = min(56, end &- position)
                    var bits = liveWindow(at: position) & ((1 &<< UInt64(span)) &- 1)
                    while bits != 0 {
                        bytes[offset] = codes[position &+ bits.trailingZeroBitCount]
                        offset &+= 1
                        bits &= bits &- 1
                    }
                    position &+= span
                }
                packedEnds[symbol] = offset
            }
            return offset
        }
    }
}
