import Compressor

/// The `ADDR TYPE NAME` listing `decode IMAGE` prints, as `decoded.txt` and `/proc/kallsyms`
/// print it; here, beside the reader, so that `kallsyms-lab-decode` (no Foundation) and
/// `kallsyms-lab decode` write it with the same code.
public enum ImageListing {
    /// Hands the listing to `write` in chunks of at most 256 KiB, formatted digit by digit into
    /// one reused buffer: `DecodedSymbol.line` makes a String and an array per symbol, which
    /// took most of the printing time for 163 000 symbols.
    public static func write(_ symbols: [DecodedSymbol], to write: (UnsafeBufferPointer<UInt8>) -> Void) {
        let width = symbols.contains { $0.address > 0xFFFF_FFFF } ? 16 : 8
        let chunkSize = 256 << 10
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { buffer.deallocate() }
        let hexDigits: StaticString = "0123456789abcdef"
        var at = 0
        for symbol in symbols {
            // An address wider than `width` keeps all its digits, as `line(addressWidth:)` does.
            let digits = max(width, (64 - symbol.address.leadingZeroBitCount + 3) / 4)
            let size = digits + 3 + symbol.name.count + 1
            if at + size > chunkSize {
                write(UnsafeBufferPointer(start: buffer, count: at))
                at = 0
            }
            if size > chunkSize {  // a name longer than a chunk: formatted on its own
                var line = symbol.line(addressWidth: width)
                line.append(0x0A)
                line.withUnsafeBufferPointer { write($0) }
                continue
            }
            var value = symbol.address
            var k = digits - 1
            while k >= 0 {
                buffer[at + k] = hexDigits.utf8Start[Int(value & 0xF)]
                value >>= 4
                k -= 1
            }
            at += digits
            buffer[at] = 0x20
            buffer[at + 1] = symbol.type
            buffer[at + 2] = 0x20
            at += 3
            symbol.name.withUnsafeBufferPointer { name in
                if let start = name.baseAddress { (buffer + at).update(from: start, count: name.count) }
            }
            at += symbol.name.count
            buffer[at] = 0x0A
            at += 1
        }
        if at > 0 { write(UnsafeBufferPointer(start: buffer, count: at)) }
    }
}
