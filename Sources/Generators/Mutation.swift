import Compressor

/// One change to an `nm -n` map, as a value: printable as one line, parsed back, replayable.
///
/// The text grammar (fields separated by one or more blanks; `SYMBOL` is a `SymbolReference`,
/// `NAME` escaped as in `NameEscaping`, `ADDRESS` hexadecimal with an optional `0x`):
///
/// ```
/// retype SYMBOL TYPE                 retype sys_ni_syscall@c03724cc D
/// reorder ADDRESS I,J,…              reorder c0300044 2,0,1,3,4,5
/// realign SYMBOL ±DELTA              realign __init_end@c1400000 -0x2c
/// insert-stub KIND TARGET ADDRESS    insert-stub veneer printk@c0a1b2c0 c0d40000
/// remove-stub SYMBOL                 remove-stub __printk_veneer@c0d40000
/// rename SYMBOL NAME                 rename foo@c0300100 foo.constprop.0
/// insert ADDRESS TYPE NAME           insert c0300100 T foo
/// delete SYMBOL                      delete foo@c0300100
/// ```
///
/// `apply(to:)` is deterministic and leaves the map in `nm -n` order (see `apply(to:)`).
public enum Mutation: Hashable, Sendable, CustomStringConvertible {
    /// Gives a symbol another type letter (`T`→`D`, `t`→`d`: what a re-homed empty section does).
    case retype(SymbolReference, to: UInt8)
    /// Permutes the symbols at `address`: the group becomes `group[order[0]], group[order[1]], …`
    /// (indices into the group in its current order).
    case reorder(address: UInt64, order: [Int])
    /// Shifts the symbol and every symbol after it in map order by `delta` bytes, which merges
    /// equal-address groups (negative deltas) or splits them (starting inside a group).
    case realign(from: SymbolReference, by: Int64)
    /// Adds a linker stub of `kind` for the branch target `target` (which must exist) at `address`,
    /// with type `t`.
    case insertStub(StubKind, target: SymbolReference, at: UInt64)
    /// Removes a symbol whose name is a linker stub's (`StubKind.parse`).
    case removeStub(SymbolReference)
    /// Gives a symbol another name.
    case rename(SymbolReference, to: [UInt8])
    /// Adds a symbol.
    case insert(address: UInt64, type: UInt8, name: [UInt8])
    /// Removes a symbol.
    case delete(SymbolReference)

    /// The kinds of mutation, named as in the text form.
    public enum Kind: String, CaseIterable, Hashable, Sendable {
        case retype, reorder, realign
        case insertStub = "insert-stub"
        case removeStub = "remove-stub"
        case rename, insert, delete
    }

    /// This mutation's kind.
    public var kind: Kind {
        switch self {
        case .retype: return .retype
        case .reorder: return .reorder
        case .realign: return .realign
        case .insertStub: return .insertStub
        case .removeStub: return .removeStub
        case .rename: return .rename
        case .insert: return .insert
        case .delete: return .delete
        }
    }

    /// The one-line text form (see the type's description); `Mutation(parsing:)` reads it back.
    public var description: String {
        switch self {
        case .retype(let symbol, let type):
            return "retype \(symbol) \(NameEscaping.escapeType(type))"
        case .reorder(let address, let order):
            return "reorder \(MutationText.address(address)) \(order.map(String.init).joined(separator: ","))"
        case .realign(let symbol, let delta):
            return "realign \(symbol) \(MutationText.delta(delta))"
        case .insertStub(let kind, let target, let address):
            return "insert-stub \(kind.rawValue) \(target) \(MutationText.address(address))"
        case .removeStub(let symbol):
            return "remove-stub \(symbol)"
        case .rename(let symbol, let name):
            return "rename \(symbol) \(NameEscaping.escape(name))"
        case .insert(let address, let type, let name):
            return "insert \(MutationText.address(address)) \(NameEscaping.escapeType(type)) \(NameEscaping.escape(name))"
        case .delete(let symbol):
            return "delete \(symbol)"
        }
    }

    /// The references to symbols this mutation makes (for rewriting them, e.g. when shrinking).
    public var references: [SymbolReference] {
        switch self {
        case .retype(let symbol, _), .realign(let symbol, _), .removeStub(let symbol),
            .rename(let symbol, _), .delete(let symbol), .insertStub(_, let symbol, _):
            return [symbol]
        case .reorder, .insert:
            return []
        }
    }

    /// The same mutation with every symbol reference passed through `transform`.
    public func mappingReferences(_ transform: (SymbolReference) -> SymbolReference) -> Mutation {
        switch self {
        case .retype(let symbol, let type): return .retype(transform(symbol), to: type)
        case .realign(let symbol, let delta): return .realign(from: transform(symbol), by: delta)
        case .insertStub(let kind, let target, let address): return .insertStub(kind, target: transform(target), at: address)
        case .removeStub(let symbol): return .removeStub(transform(symbol))
        case .rename(let symbol, let name): return .rename(transform(symbol), to: name)
        case .delete(let symbol): return .delete(transform(symbol))
        case .reorder, .insert: return self
        }
    }
}

/// Numbers in mutation texts.
enum MutationText {
    /// At least 8 lowercase hex digits, as `nm` prints 32-bit values.
    static func address(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return digits.count >= 8 ? digits : String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// `+0x40`, `-0x2c`.
    static func delta(_ value: Int64) -> String {
        (value < 0 ? "-0x" : "+0x") + String(value.magnitude, radix: 16)
    }

    static func parseAddress(_ text: Substring, what: String) throws -> UInt64 {
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? text.dropFirst(2) : text
        guard !digits.isEmpty, let value = UInt64(digits, radix: 16) else {
            throw MutationSyntaxError("bad \(what): \"\(text)\" (hexadecimal expected)")
        }
        return value
    }

    /// `+0x40`, `-0x2c`, `+64`, `-4`, `0x40`, `64`.
    static func parseDelta(_ text: Substring) throws -> Int64 {
        var rest = text
        var negative = false
        if rest.hasPrefix("+") || rest.hasPrefix("-") {
            negative = rest.hasPrefix("-")
            rest = rest.dropFirst()
        }
        let magnitude: UInt64?
        if rest.hasPrefix("0x") || rest.hasPrefix("0X") {
            magnitude = rest.count > 2 ? UInt64(rest.dropFirst(2), radix: 16) : nil
        } else {
            magnitude = UInt64(rest)
        }
        guard let magnitude, magnitude <= (negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)) else {
            throw MutationSyntaxError("bad delta \"\(text)\" (e.g. +0x40 or -0x2c)")
        }
        return negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
    }
}

/// A mutation text that does not parse (applying a mutation fails with `MutationError` instead).
public typealias MutationSyntaxError = FormatError<Mutation>
