import Compressor
import Generators
import Testing

/// `CallProfile`: its text form and learning one from a kernel's code.
@Suite struct CallProfileTests {
    @Test("the text form reads back to the same profile (the built-in ones included)")
    func roundTrip() throws {
        for profile in [CallProfile.armhf, .arm64, CallProfile(instructions: .arm, callees: 0, functions: 1, slices: [3])] {
            #expect(try CallProfile(parsing: profile.description) == profile)
        }
        #expect(CallProfile.armhf.slices.reduce(0, +) == CallProfile.armhf.callees)
        #expect(CallProfile.arm64.slices.reduce(0, +) == CallProfile.arm64.callees)
    }

    @Test(
        "a bad profile is an error naming its line",
        arguments: [
            ("instructions arm\ncallees 2 of 1\nslices 1\n", "line 2: 'callees'"),
            ("instructions thumb\n", "line 1: 'instructions' takes arm or arm64"),
            ("# c\ninstructions arm\ncallees 1 of 2\nslices 0 0\n", "line 4: 'slices'"),
            ("instructions arm\ncallees 1 of 2\nslices 1 x\n", "line 3: 'slices'"),
            ("instructions arm\ncallees 1 of 2\nslices 9223372036854775807 9223372036854775807\n", "line 3: 'slices'"),
            ("instructions arm\ncallees 1 of 2\nweights 1\n", "line 3: unknown line 'weights'"),
            ("instructions arm\nslices 1\n", "no 'callees' line"),
            ("\u{0}\u{1}garbage", "line 1: unknown line"),
            ("# x\n" + String(repeating: "n", count: 10_000) + "\n", "line 2: unknown line '\(String(repeating: "n", count: 40))…'"),
        ])
    func badText(text: String, message: String) {
        #expect {
            _ = try CallProfile(parsing: text)
        } throws: { error in
            (error as? CallProfileError)?.description.hasPrefix(message) == true
        }
    }

    /// A little-endian word.
    static func word(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    /// A32 `bl` from `pc` to `target`.
    static func armCall(from pc: UInt64, to target: UInt64) -> UInt32 {
        0xEB00_0000 | UInt32(truncatingIfNeeded: (Int64(target) - Int64(pc) - 8) / 4) & 0x00FF_FFFF
    }
    /// A64 `bl` from `pc` to `target`.
    static func arm64Call(from pc: UInt64, to target: UInt64) -> UInt32 {
        0x9400_0000 | UInt32(truncatingIfNeeded: (Int64(bitPattern: target &- pc)) / 4) & 0x03FF_FFFF
    }

    /// A kernel image of 64 functions in .text (one every 0x100 bytes from `_stext`) and an
    /// .init.text of 40 calls: to functions 0, 0, 1, 2, 3 … 38 (39 distinct), the image's first
    /// byte `headroom` bytes below `_stext`.
    static func kernel(_ set: CallProfile.InstructionSet, base: UInt64, headroom: UInt64 = 0x8000) -> (image: [UInt8], symbols: [SymbolRecord]) {
        let stext = base + headroom
        let etext = stext + 64 * 0x100
        let sinit = etext + 0x1000
        var symbols = [SymbolRecord(address: base, type: UInt8(ascii: "T"), name: Array("_text".utf8))]
        symbols.append(SymbolRecord(address: stext, type: UInt8(ascii: "T"), name: Array("_stext".utf8)))
        for k in 0..<64 {
            symbols.append(SymbolRecord(address: stext + UInt64(k) * 0x100, type: UInt8(ascii: k % 3 == 0 ? "t" : "T"), name: Array("f\(k)".utf8)))
        }
        symbols.append(SymbolRecord(address: etext, type: UInt8(ascii: "D"), name: Array("_etext".utf8)))
        symbols.append(SymbolRecord(address: sinit, type: UInt8(ascii: "T"), name: Array("_sinittext".utf8)))
        symbols.append(SymbolRecord(address: sinit + 4 * 48, type: UInt8(ascii: "T"), name: Array("_einittext".utf8)))
        var image = [UInt8](repeating: 0, count: Int(sinit - base) + 4 * 48)
        for k in 0..<40 {
            let pc = sinit + UInt64(4 * k)
            let target = stext + UInt64(max(0, k - 1)) * 0x100
            let word = set == .arm ? armCall(from: pc, to: target) : arm64Call(from: pc, to: target)
            image.replaceSubrange(Int(pc - base)..<Int(pc - base) + 4, with: Self.word(word))
        }
        return (image, symbols)
    }

    @Test("learned from a raw image: its load address found, each callee once, in its slice", arguments: CallProfile.InstructionSet.allCases)
    func learnRaw(set: CallProfile.InstructionSet) throws {
        let base: UInt64 = set == .arm ? 0xc000_8000 : 0xffff_8000_0800_0000
        let (image, symbols) = Self.kernel(set, base: base)
        let profile = try image.withUnsafeBufferPointer {
            try CallProfile.learn(image: $0, placement: .raw, symbols: symbols, instructions: set, source: "test")
        }
        #expect(profile.instructions == set)
        #expect(profile.callees == 39)
        #expect(profile.functions == 64)
        #expect(profile.slices.count == CallProfile.learnedSlices)
        // Functions 0…38 of 64, spread over .text up to the last function (63 · 0x100): slices 0…18.
        let expected = (0..<32).map { slice in (0...38).count { Int(Double($0) / 63 * 32) == min(31, slice) } }
        #expect(profile.slices == expected)
        // The same with the placement given (an ELF's segments).
        let placed = try image.withUnsafeBufferPointer {
            try CallProfile.learn(image: $0, placement: .segments([(base, 0, $0.count)]), symbols: symbols, instructions: set, source: "test")
        }
        #expect(placed == profile)
    }

    @Test("what cannot be learned is an error saying why")
    func learnErrors() throws {
        let (image, symbols) = Self.kernel(.arm, base: 0xc000_8000)
        func learn(_ image: [UInt8], _ symbols: [SymbolRecord], _ set: CallProfile.InstructionSet = .arm) -> String? {
            do {
                _ = try image.withUnsafeBufferPointer { try CallProfile.learn(image: $0, placement: .raw, symbols: symbols, instructions: set, source: "") }
                return nil
            } catch { return (error as? CallProfileError)?.description ?? "\(error)" }
        }
        #expect(learn(image, symbols.filter { $0.name != Array("_einittext".utf8) }) == "the symbols have no _einittext")
        // Markers out of order, or absurdly far apart: an error, not a trap.
        let reversed = symbols.map { record in
            var record = record
            if record.name == Array("_etext".utf8) { record.address = 0 }
            return record
        }
        #expect(learn(image, reversed)?.contains("empty or reversed") == true)
        let far = symbols.map { record in
            var record = record
            if record.name == Array("_einittext".utf8) { record.address = UInt64.max }
            return record
        }
        #expect(learn(image, far) != nil)
        #expect(learn([UInt8](repeating: 0, count: image.count), symbols)?.contains("no load address") == true)
        #expect(learn(image, symbols, .arm64)?.contains("no load address") == true)
        // The symbols of another build: the calls land between functions.
        let shifted = symbols.map { record in
            var record = record
            if record.name.first == UInt8(ascii: "f") { record.address += 8 }
            return record
        }
        #expect(learn(image, shifted)?.contains("no load address") == true)
        let placed = try? image.withUnsafeBufferPointer {
            try CallProfile.learn(image: $0, placement: .segments([(0x1000, 0, $0.count)]), symbols: symbols, instructions: .arm, source: "")
        }
        #expect(placed == nil)
    }
}
