import Compressor

extension Mutation {
    /// Parses one mutation line (see `Mutation` for the grammar).
    /// - Throws: `MutationSyntaxError` saying what is wrong (without a line number;
    ///   `MutationList(parsing:)` adds it).
    public init(parsing line: String) throws {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let keyword = fields.first else { throw MutationSyntaxError("empty mutation") }
        guard let kind = Kind(rawValue: String(keyword)) else {
            throw MutationSyntaxError(
                "unknown mutation \"\(keyword)\" (known: "
                    + Kind.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        let arguments = Array(fields.dropFirst())
        func expect(_ count: Int, _ usage: String) throws {
            guard arguments.count == count else {
                throw MutationSyntaxError("\(kind.rawValue) takes \(usage), not \"\(arguments.joined(separator: " "))\"")
            }
        }
        switch kind {
        case .retype:
            try expect(2, "SYMBOL TYPE")
            self = .retype(try SymbolReference(parsing: arguments[0]), to: try NameEscaping.unescapeType(arguments[1]))
        case .reorder:
            try expect(2, "ADDRESS I,J,…")
            let order = try arguments[1].split(separator: ",", omittingEmptySubsequences: false).map { field -> Int in
                guard let index = Int(field), index >= 0 else {
                    throw MutationSyntaxError("bad order \"\(arguments[1])\" (comma-separated indices from 0)")
                }
                return index
            }
            self = .reorder(address: try MutationText.parseAddress(arguments[0], what: "address"), order: order)
        case .realign:
            try expect(2, "SYMBOL ±DELTA")
            self = .realign(from: try SymbolReference(parsing: arguments[0]), by: try MutationText.parseDelta(arguments[1]))
        case .insertStub:
            try expect(3, "KIND TARGET ADDRESS")
            guard let stub = StubKind(rawValue: String(arguments[0])) else {
                throw MutationSyntaxError(
                    "unknown stub kind \"\(arguments[0])\" (known: "
                        + StubKind.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            self = .insertStub(
                stub, target: try SymbolReference(parsing: arguments[1]),
                at: try MutationText.parseAddress(arguments[2], what: "address"))
        case .removeStub:
            try expect(1, "SYMBOL")
            self = .removeStub(try SymbolReference(parsing: arguments[0]))
        case .rename:
            try expect(2, "SYMBOL NAME")
            self = .rename(try SymbolReference(parsing: arguments[0]), to: try NameEscaping.unescape(arguments[1]))
        case .insert:
            try expect(3, "ADDRESS TYPE NAME")
            self = .insert(
                address: try MutationText.parseAddress(arguments[0], what: "address"),
                type: try NameEscaping.unescapeType(arguments[1]), name: try NameEscaping.unescape(arguments[2]))
        case .delete:
            try expect(1, "SYMBOL")
            self = .delete(try SymbolReference(parsing: arguments[0]))
        }
    }
}
