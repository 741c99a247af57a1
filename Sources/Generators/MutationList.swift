import Compressor

/// Mutations applied one after the other; one per line in text.
///
/// Each mutation refers to the map as the mutations before it left it. Applying is
/// deterministic: the same map and list always give the same result.
public struct MutationList: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The mutations, in the order they apply.
    public var mutations: [Mutation]

    public init(_ mutations: [Mutation]) {
        self.mutations = mutations
    }

    public init(arrayLiteral mutations: Mutation...) {
        self.mutations = mutations
    }

    /// Parses one mutation per line; blank lines and lines starting with `#` are skipped.
    /// - Throws: `MutationSyntaxError` with the 1-based line number.
    public init(parsing text: String) throws {
        var mutations: [Mutation] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            do {
                mutations.append(try Mutation(parsing: String(trimmed.hasSuffix("\r") ? trimmed.dropLast() : trimmed)))
            } catch let error as MutationSyntaxError {
                throw error.at(line: number + 1)
            }
        }
        self.mutations = mutations
    }

    /// One mutation per line, each line ending in a newline.
    public var description: String {
        mutations.map { $0.description + "\n" }.joined()
    }

    /// The map after every mutation in order.
    /// - Throws: the first `MutationError`, with its `position` in the list.
    public func apply(to map: [SymbolRecord]) throws -> [SymbolRecord] {
        var current = map
        for (position, mutation) in mutations.enumerated() {
            do {
                current = try mutation.apply(to: current)
            } catch var error as MutationError {
                error.position = position
                throw error
            }
        }
        return current
    }
}
