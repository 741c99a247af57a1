import Compressor
import LinkModel

/// Reads `nm -n -f sysv` (GNU nm and llvm-nm print the same columns): name, value, class
/// letter, type, size, line, section.
///
/// The letters are the real `nm`'s (by section flags); for `SymbolLetters.binutils2012` the
/// letter of a symbol in a section is re-derived from its output section's name the way
/// 2012's `nm` did, on the real placement. Undefined symbols (blank value) become the map's
/// undefined weak list. Read as bytes: an ARM-sized image lists over 100 000 symbols.
enum NmListing {
    static func map(_ listing: [UInt8], letters: SymbolLetters) throws -> LinkedMap {
        var symbols: [SymbolRecord] = []
        var undefined: [[UInt8]] = []
        var lineNumber = 0
        var start = 0
        while start < listing.count {
            let end = listing[start...].firstIndex(of: 0x0A) ?? listing.count
            let line = listing[start..<end]
            start = end + 1
            guard !line.isEmpty else { continue }
            lineNumber += 1
            let fields = line.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
            guard fields.count >= 7 else { continue }  // headers
            let name = Array(fields[0].trimmingTrailingSpaces)
            let value = fields[1].trimmingSpaces, classLetter = fields[2].trimmingSpaces
            let section = fields[fields.count - 1].trimmingSpaces
            guard classLetter.count == 1, var letter = classLetter.first else {
                throw Toolchain.Failure("nm line \(lineNumber): unexpected class \(String(decoding: classLetter, as: UTF8.self))")
            }
            if value.isEmpty {
                undefined.append(name)
                continue
            }
            guard let address = hexadecimal(value) else {
                throw Toolchain.Failure("nm line \(lineNumber): unexpected value \(String(decoding: value, as: UTF8.self))")
            }
            if letters == .binutils2012, "tdrbTDRB".utf8.contains(letter),
                let byName = SymbolLetters.letterByName(String(decoding: section, as: UTF8.self))
            {
                letter = letter >= UInt8(ascii: "a") ? byName : byName &- 0x20
            }
            symbols.append(SymbolRecord(address: address, type: letter, name: name))
        }
        return LinkedMap(symbols: symbols, undefinedWeak: undefined.sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// `digits` as a hexadecimal number that fits 64 bits; nil for anything else.
    static func hexadecimal(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            guard value >> 60 == 0 else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}

extension ArraySlice<UInt8> {
    var trimmingTrailingSpaces: ArraySlice<UInt8> {
        var end = endIndex
        while end > startIndex, self[end - 1] == 0x20 { end -= 1 }
        return self[startIndex..<end]
    }

    var trimmingSpaces: ArraySlice<UInt8> {
        let trailing = trimmingTrailingSpaces
        var start = trailing.startIndex
        while start < trailing.endIndex, trailing[start] == 0x20 { start += 1 }
        return trailing[start..<trailing.endIndex]
    }
}
