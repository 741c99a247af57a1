import Compressor
import LinkModel

/// Reads `nm -n -f sysv` (GNU nm and llvm-nm print the same columns): name, value, class
/// letter, type, size, line, section.
///
/// The letters are the real `nm`'s (by section flags); for `SymbolLetters.binutils2012` the
/// letter of a symbol in a section is re-derived from its output section's name the way
/// 2012's `nm` did, on the real placement. Undefined symbols (blank value) become the map's
/// undefined weak list.
enum NmListing {
    static func map(_ listing: String, letters: SymbolLetters) throws -> LinkedMap {
        var symbols: [SymbolRecord] = []
        var undefined: [[UInt8]] = []
        for (index, line) in listing.split(separator: "\n").enumerated() {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count >= 7 else { continue }  // headers and blank lines
            let name = Array(fields[0].utf8.reversed().drop { $0 == 0x20 }.reversed())
            let value = fields[1].trimmingSpaces, classLetter = fields[2].trimmingSpaces
            let section = fields[fields.count - 1].trimmingSpaces
            guard classLetter.utf8.count == 1, var letter = classLetter.utf8.first else {
                throw Toolchain.Failure("nm line \(index + 1): unexpected class \(classLetter)")
            }
            if value.isEmpty {
                undefined.append(name)
                continue
            }
            guard let address = UInt64(value, radix: 16) else {
                throw Toolchain.Failure("nm line \(index + 1): unexpected value \(value)")
            }
            if letters == .binutils2012, "tdrbTDRB".utf8.contains(letter),
                let byName = SymbolLetters.letterByName(section)
            {
                letter = letter >= UInt8(ascii: "a") ? byName : byName &- 0x20
            }
            symbols.append(SymbolRecord(address: address, type: letter, name: name))
        }
        return LinkedMap(symbols: symbols, undefinedWeak: undefined.sorted { $0.lexicographicallyPrecedes($1) })
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
