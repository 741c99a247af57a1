extension ByteStrings {
    /// The strings at `indices`, in that order (a permutation, a subset, repeats).
    ///
    /// One allocation per column and one copy per string, where appending string by string
    /// grows both columns and goes through `Collection`'s generic copy. O(total bytes).
    /// - Precondition: every index is in `indices` of `self` (checked).
    public func gathering(_ indices: [Int]) -> ByteStrings {
        var total = 0
        for index in indices { total += length(of: index) }
        return bytes.withUnsafeBufferPointer { source in
            ByteStrings(count: indices.count, totalLength: total) { position, at in
                let index = indices[position]
                let start = self.start(of: index), length = ends[index] &- start
                // `start + length <= source.count`: `ends` is non-decreasing and ends at `bytes.count`.
                if length > 0 { at.initialize(from: source.baseAddress! + start, count: length) }
                return length
            }
        }
    }

    /// Each string with `firstBytes[i]` in front of string `i` (`uncompressed-type`: the raw
    /// type before each compressed name).
    /// - Precondition: one first byte per string (checked).
    public func prefixing(_ firstBytes: [UInt8]) -> ByteStrings {
        precondition(firstBytes.count == count, "one first byte per string")
        return bytes.withUnsafeBufferPointer { source in
            ByteStrings(count: count, totalLength: totalLength + count) { index, at in
                let start = self.start(of: index), length = ends[index] &- start
                at.initialize(to: firstBytes[index])
                if length > 0 { (at + 1).initialize(from: source.baseAddress! + start, count: length) }
                return length &+ 1
            }
        }
    }

    /// `names` back to back, one string each.
    public init(joining names: [[UInt8]]) {
        var total = 0
        for name in names { total += name.count }
        self.init(count: names.count, totalLength: total) { index, at in
            names[index].withUnsafeBufferPointer { name in
                if let base = name.baseAddress { at.initialize(from: base, count: name.count) }
                return name.count
            }
        }
    }
}
