import Compressor

/// How symbol names and type bytes are written inside one-line texts (mutations, profiles), so
/// that any byte string survives a round trip through a space-separated line or a JSON string.
///
/// Printable ASCII other than space, `\`, `@` and `#` is written as is; every other byte as
/// `\xHH` (two lowercase hex digits); the empty name as `\e`. So `sys_ni_syscall` stays
/// `sys_ni_syscall`, and a name holding a space, a tab or `@` becomes `a\x20b`, `a\x09b`,
/// `foo\x40bar`. An escaped name never contains a blank, `@` or `#`, which is what lets
/// `SymbolReference` use `@` and `#` as separators.
public enum NameEscaping {
    /// The escaped text of `bytes`.
    public static func escape(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "\\e" }
        var text = ""
        text.reserveCapacity(bytes.count)
        for byte in bytes {
            if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") && byte != UInt8(ascii: "@")
                && byte != UInt8(ascii: "#")
            {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return text
    }

    /// The bytes an escaped text stands for.
    ///
    /// Unescaped bytes other than `\` are taken as they are (UTF-8 for non-ASCII characters),
    /// so hand-written texts need escapes only for blanks, `\`, `@` and `#`.
    /// - Throws: `MutationSyntaxError` for a `\` not followed by `xHH`, or `\e` that
    ///   is not the whole text.
    public static func unescape(_ text: Substring) throws -> [UInt8] {
        if text == "\\e" { return [] }
        let utf8 = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                index += 1
                continue
            }
            guard index + 3 < utf8.count, utf8[index + 1] == UInt8(ascii: "x"),
                let high = hexDigit(utf8[index + 2]), let low = hexDigit(utf8[index + 3])
            else {
                throw MutationSyntaxError("bad escape in \"\(text)\" (use \\xHH, or \\e for an empty name)")
            }
            bytes.append(high << 4 | low)
            index += 4
        }
        return bytes
    }

    /// `unescape` for a whole string.
    public static func unescape(_ text: String) throws -> [UInt8] {
        try unescape(Substring(text))
    }

    /// A type byte as one character, or `\xHH` when it is not printable ASCII.
    public static func escapeType(_ type: UInt8) -> String {
        escape([type])
    }

    /// One type byte from its escaped text.
    /// - Throws: `MutationSyntaxError` unless the text stands for exactly one byte.
    public static func unescapeType(_ text: Substring) throws -> UInt8 {
        let bytes = try unescape(text)
        guard bytes.count == 1 else {
            throw MutationSyntaxError("\"\(text)\" is not one type byte")
        }
        return bytes[0]
    }

    static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
