import Compressor

extension CallProfile {
    /// Where a kernel's code is in the file being learned from.
    public enum Placement: Sendable {
        /// The file is loaded at known addresses (an ELF `vmlinux`'s loadable segments).
        case segments([(address: UInt64, offset: Int, size: Int)])
        /// A raw image (`Image`, a decompressed `zImage` payload) whose first byte's address is
        /// not known: `learn` tries every 4 KiB step up to 4 MiB below `_stext` and keeps the
        /// one where the most calls land on functions.
        case raw
    }

    /// Slices of `.text` in a learned profile.
    public static let learnedSlices = 32

    /// Learns the profile of `image` (the bytes of a kernel) with `symbols` (its `System.map`
    /// or its own kallsyms tables, which must give `_stext`, `_etext`, `_sinittext` and
    /// `_einittext` and the functions). Little-endian code only. Throws naming what is missing:
    /// a marker, code outside the file, or no address at which at least 80 % of the calls
    /// found land on a function's first byte (a compressed image, a Thumb-2 kernel, symbols of
    /// another build).
    public static func learn(
        image: UnsafeBufferPointer<UInt8>, placement: Placement, symbols: [SymbolRecord],
        instructions: InstructionSet, source: String
    ) throws(CallProfileError) -> CallProfile {
        func marker(_ name: String) throws(CallProfileError) -> UInt64 {
            let bytes = Array(name.utf8)
            guard let record = symbols.first(where: { $0.name == bytes }) else {
                throw CallProfileError("the symbols have no \(name)")
            }
            return record.address
        }
        let (stext, etext) = (try marker("_stext"), try marker("_etext"))
        let (sinittext, einittext) = (try marker("_sinittext"), try marker("_einittext"))
        guard stext < etext, sinittext < einittext else {
            throw CallProfileError("_stext ... _etext or _sinittext ... _einittext is empty or reversed")
        }
        let text = stext..<etext
        let initText = sinittext..<einittext
        // Function entries anywhere (the test of a load address and of the symbols) and in .text.
        var entries = Set<UInt64>()
        for record in symbols {
            switch record.type {
            case UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: "W"), UInt8(ascii: "w"): entries.insert(record.address)
            default: break
            }
        }
        let starts = entries.filter { text.contains($0) }
        guard let lastStart = starts.max() else { throw CallProfileError("no function (T, t, W or w) between _stext and _etext") }

        let segments: [(address: UInt64, offset: Int, size: Int)]
        switch placement {
        case .segments(let given):
            segments = given
        case .raw:
            guard let base = rawBase(image: image, initText: initText, text: text, entries: entries, instructions: instructions) else {
                throw CallProfileError(
                    "no load address within 4 MiB below _stext makes 80 % of the \(instructions.rawValue) calls in .init.text land on functions "
                        + "(a compressed image, a Thumb-2 kernel, or symbols of another build?)")
            }
            segments = [(base, 0, image.count)]
        }
        func offset(of address: UInt64, length: UInt64) -> Int? {
            for segment in segments
            where address >= segment.address && address - segment.address <= UInt64(segment.size)
                && UInt64(segment.size) - (address - segment.address) >= length
            {
                return segment.offset + Int(address - segment.address)
            }
            return nil
        }
        guard let start = offset(of: initText.lowerBound, length: initText.upperBound - initText.lowerBound) else {
            throw CallProfileError("the file does not hold .init.text (_sinittext \(hex(initText.lowerBound)) ... _einittext \(hex(initText.upperBound)))")
        }
        let calls = Self.calls(
            in: image, at: start, address: initText.lowerBound, count: Int(initText.upperBound - initText.lowerBound) / 4, instructions: instructions)
        let onFunctions = calls.filter { entries.contains($0) }
        guard calls.count >= 16, onFunctions.count * 5 >= calls.count * 4 else {
            throw CallProfileError(
                "only \(onFunctions.count) of the \(calls.count) \(instructions.rawValue) calls in .init.text land on a function's first byte "
                    + "(at least 80 % of at least 16 are needed: symbols of another build, or another instruction set?)")
        }
        let callees = Set(onFunctions.filter { text.contains($0) })
        var slices = [Int](repeating: 0, count: learnedSlices)
        // Up to the last function: an image pads .text to its end marker's alignment.
        let size = max(1, lastStart - text.lowerBound)
        for callee in callees {
            slices[min(learnedSlices - 1, Int(Double(callee - text.lowerBound) / Double(size) * Double(learnedSlices)))] += 1
        }
        guard !callees.isEmpty else { throw CallProfileError(".init.text calls no function between _stext and _etext") }
        return CallProfile(instructions: instructions, callees: callees.count, functions: starts.count, slices: slices, source: source)
    }

    /// The targets of the branch-and-link instructions among `count` words of `image` from
    /// byte `start`, the first at `address`.
    static func calls(in image: UnsafeBufferPointer<UInt8>, at start: Int, address: UInt64, count: Int, instructions: InstructionSet) -> [UInt64] {
        var targets: [UInt64] = []
        let words = min(count, max(0, (image.count - start) / 4))
        for k in 0..<words {
            let at = start + 4 * k
            let word = UInt32(image[at]) | UInt32(image[at + 1]) << 8 | UInt32(image[at + 2]) << 16 | UInt32(image[at + 3]) << 24
            let pc = address &+ UInt64(4 * k)
            switch instructions {
            case .arm:
                guard word >> 24 & 0xF == 0xB, word >> 28 != 0xF else { continue }
                let displacement = Int64(Int32(bitPattern: word << 8) >> 8) * 4
                targets.append(UInt64(bitPattern: Int64(bitPattern: pc &+ 8) &+ displacement) & 0xFFFF_FFFF)
            case .arm64:
                guard word & 0xFC00_0000 == 0x9400_0000 else { continue }
                let displacement = Int64(Int32(bitPattern: word << 6) >> 6) * 4
                targets.append(UInt64(bitPattern: Int64(bitPattern: pc) &+ displacement))
            }
        }
        return targets
    }

    /// The address of a raw image's first byte: of the candidates `_stext − k·4 KiB`
    /// (k < 1 024, not past the file's start), the one where most of the first 4 096 calls in
    /// `.init.text` land on a function's first byte; nil when none reaches 80 %.
    static func rawBase(
        image: UnsafeBufferPointer<UInt8>, initText: Range<UInt64>, text: Range<UInt64>, entries: Set<UInt64>, instructions: InstructionSet
    ) -> UInt64? {
        let lowest = text.lowerBound
        var best: (base: UInt64, hits: Int, calls: Int)?
        for k in 0..<1024 {
            let step = UInt64(k) << 12
            guard lowest >= step else { break }
            let base = lowest - step
            guard initText.lowerBound >= base, initText.lowerBound - base < UInt64(image.count) else { continue }
            let start = Int(initText.lowerBound - base)
            let count = Int(min(initText.upperBound - initText.lowerBound, 1 << 18) / 4)
            let calls = Self.calls(in: image, at: start, address: initText.lowerBound, count: count, instructions: instructions).prefix(4096)
            let hits = calls.count(where: entries.contains)
            if calls.count >= 16, hits * 5 >= calls.count * 4, hits > best?.hits ?? -1 { best = (base, hits, calls.count) }
        }
        return best?.base
    }

    private static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
}
