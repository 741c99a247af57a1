/// A symbol name as a set member or dictionary key, hashed as one block of bytes.
///
/// `[UInt8]`'s own `Hashable` feeds the hasher one byte at a time; the link model's sets and
/// dictionaries of 100 000 names (call targets, first copies of a name) spent most of their
/// time there (issue 17).
public struct NameKey: Hashable, Sendable {
    /// The name.
    public let bytes: [UInt8]

    /// The key of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (left: NameKey, right: NameKey) -> Bool {
        left.bytes == right.bytes
    }
}
