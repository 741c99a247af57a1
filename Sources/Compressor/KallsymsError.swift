/// A failure caused by the kernel generator's inputs (a symbol map, its options, tables, a
/// `.S` file): what went wrong and where. The lab's own text formats have their own error
/// types (`FormatError`).
///
/// The kind is a struct of static values rather than a public enum so that new kinds can be
/// added without breaking callers (the pattern of swift-extras-base64's error type).
public struct KallsymsError: LocatedError, Hashable, Sendable {
    /// What kind of failure this is.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// v6.19+ strict parsing: a line that is not `ADDRESS TYPE NAME` (docs/behaviour.md §2.2).
        public static let lineFormat = Kind(name: "line format error")
        /// v3.3–v6.1: nothing survived the selection (docs/behaviour.md §3.3).
        public static let noValidSymbol = Kind(name: "no valid symbol")
        /// v6.1+: a compressed name of length 0 or above 0x3FFF (docs/behaviour.md §6.3).
        public static let symbolLength = Kind(name: "symbol length")
        /// An address that does not fit the era's offset encoding (docs/behaviour.md §6.4).
        public static let valueOutOfRange = Kind(name: "value out of range")
        /// A flag the era's generator does not have.
        public static let unsupportedOption = Kind(name: "unsupported option")
        /// Tables that cannot be decoded (docs/behaviour.md §7).
        public static let malformedTables = Kind(name: "malformed tables")
        /// A `.S` file that is not one `compress` writes.
        public static let malformedAssembly = Kind(name: "malformed assembly")
    }

    public let kind: Kind
    /// A one-line explanation, without the location.
    public let message: String
    /// The 1-based input line the failure refers to, when there is one.
    public let line: Int?

    public init(_ kind: Kind, _ message: String, line: Int? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
    }
}

/// A non-fatal message the era's generator prints on stderr and continues after.
public struct KallsymsWarning: Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public let line: Int?

    public init(_ message: String, line: Int? = nil) {
        self.message = message
        self.line = line
    }

    public var description: String {
        if let line { return "line \(line): \(message)" }
        return message
    }
}
