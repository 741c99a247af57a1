/// The linker branch stubs (veneers and thunks) that appear in ARM images when a branch cannot
/// reach its target, and that v5.10+ drop by name (docs/behaviour.md §3.1): their number changes
/// when the image grows, which is why they are dangerous for the multi-pass link.
public enum StubKind: String, CaseIterable, Hashable, Sendable {
    /// GNU ld: `__foo_veneer`.
    case veneer
    /// lld, ARM v7 position-independent long branch: `__ARMV7PILongThunk_foo`.
    case armv7Thunk = "armv7-thunk"
    /// lld, ARM v5: `__ARMV5PILongThunk_foo`.
    case armv5Thunk = "armv5-thunk"
    /// lld, Thumb v7: `__ThumbV7PILongThunk_foo`.
    case thumbv7Thunk = "thumbv7-thunk"
    /// GNU ld interworking: `foo_from_thumb`.
    case fromThumb = "from-thumb"
    /// GNU ld interworking: `foo_from_arm`.
    case fromArm = "from-arm"

    private var affixes: (prefix: String, suffix: String) {
        switch self {
        case .veneer: return ("__", "_veneer")
        case .armv7Thunk: return ("__ARMV7PILongThunk_", "")
        case .armv5Thunk: return ("__ARMV5PILongThunk_", "")
        case .thumbv7Thunk: return ("__ThumbV7PILongThunk_", "")
        case .fromThumb: return ("", "_from_thumb")
        case .fromArm: return ("", "_from_arm")
        }
    }

    /// The stub's name for a branch to `target`.
    public func name(for target: [UInt8]) -> [UInt8] {
        Array(affixes.prefix.utf8) + target + Array(affixes.suffix.utf8)
    }

    /// The kind and target of a stub name, or nil when `name` is not one.
    public static func parse(_ name: [UInt8]) -> (kind: StubKind, target: [UInt8])? {
        for kind in allCases {
            let prefix = Array(kind.affixes.prefix.utf8)
            let suffix = Array(kind.affixes.suffix.utf8)
            guard name.count > prefix.count + suffix.count, name.starts(with: prefix),
                name.reversed().starts(with: suffix.reversed())
            else { continue }
            return (kind, Array(name[prefix.count..<(name.count - suffix.count)]))
        }
        return nil
    }

    /// The type letter a stub gets: local text.
    public static let type = UInt8(ascii: "t")
}
