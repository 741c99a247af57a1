/// Why a mutation does not apply to a map (the symbol it names is not there, the group it
/// reorders has another size, …). Parse errors are `MutationSyntaxError` instead.
///
/// The kind is a struct of static values, so kinds can be added without breaking callers.
public struct MutationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// No symbol matches the reference (name, address, occurrence).
        public static let noSuchSymbol = Kind(name: "no such symbol")
        /// No symbol has the address a `reorder` names.
        public static let noSuchAddress = Kind(name: "no such address")
        /// A `reorder` order that is not a permutation of the group.
        public static let badPermutation = Kind(name: "bad permutation")
        /// `remove-stub` on a symbol whose name is not a linker stub's.
        public static let notAStub = Kind(name: "not a stub")
        /// A `realign` that would move an address below 0 or past 2⁶⁴ − 1.
        public static let addressOutOfRange = Kind(name: "address out of range")
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// A one-line explanation.
    public let message: String
    /// The 0-based position of the failing mutation in its list, when applied as a list.
    public var position: Int?

    public init(_ kind: Kind, _ message: String, position: Int? = nil) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    /// `mutation 3: no symbol foo at c0300000`, or just the message.
    public var description: String {
        if let position { return "mutation \(position + 1): \(message)" }
        return message
    }
}
