import Compressor
import FuzzLaws
import Generators

extension Property {
    /// Decoding the tables (and the `.S`) gives back exactly the kept symbols, in table order,
    /// within the era's limits (`FuzzChecks.roundTripExemption`: v3.3 lengths over 255, a type
    /// byte 0; v7.0 without `--pc-relative` keeps 32 address bits).
    public static let roundTrip = Property(
        name: "round-trip", summary: "decoding the tables and the .S gives back exactly the kept symbols",
        defaultCases: 100
    ) { propertyCase in
        let run: KallsymsRun
        switch Laws.run(propertyCase) {
        case .success(let value): run = value
        case .failure(let discard): return discard.verdict
        }
        if let reason = FuzzChecks.roundTripExemption(run) { return .discard(reason) }
        switch FuzzChecks.decodingRestoresKeptSymbols(run) {
        case .passed: return .pass
        case .refused(let reason): return .discard(reason)
        case .violated(let reason): return .fail(reason)
        }
    }

    /// The same input gives the same bytes: two independent runs of the generator write the
    /// same `.S` (and refuse the same input with the same message).
    public static let determinism = Property(
        name: "determinism", summary: "the same input gives the same .S, byte for byte",
        defaultCases: 100
    ) { propertyCase in
        let records: [SymbolRecord]
        do { records = try propertyCase.mutatedMap() } catch { return .discard("the mutations do not apply: \(error)") }
        let first = Result { try propertyCase.generate(records) }
        let second = Result { try propertyCase.generate(records) }
        switch (first, second) {
        case (.success(let a), .success(let b)):
            let (x, y) = (a.assembly, b.assembly)
            guard x == y else {
                let offset = zip(x, y).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(x.count, y.count)
                return .fail("two runs wrote different .S files (\(x.count) and \(y.count) bytes, first difference at byte \(offset))")
            }
            return .pass
        case (.failure(let a), .failure(let b)):
            guard "\(a)" == "\(b)" else { return .fail("two runs refused the input differently: \(a) / \(b)") }
            return .discard("refused: \(a)")
        case (.success, .failure(let error)), (.failure(let error), .success):
            return .fail("one run refused the input and the other did not: \(error)")
        }
    }

    /// The fast engine equals the reference engine: the same compression rounds, token table
    /// and compressed names, and the same `.S`.
    public static let engineEquivalence = Property(
        name: "engine-equivalence", summary: "the fast engine writes the reference engine's tables, byte for byte",
        defaultCases: 50
    ) { propertyCase in
        let fast: KallsymsRun
        switch Laws.run(propertyCase) {
        case .success(let value): fast = value
        case .failure(let discard): return discard.verdict
        }
        let reference: KallsymsRun
        do {
            reference = try propertyCase.era.generate(fast.parsed, options: propertyCase.options, engine: .reference)
        } catch {
            return .fail("the reference engine refused what the fast engine accepted: \(error)")
        }
        guard fast.compression == reference.compression else {
            return .fail(
                "the engines differ: kallsyms_names \(fast.tables.namesSize) (fast) vs \(reference.tables.namesSize) "
                    + "(reference) bytes, token table \(fast.tables.tokenTable.count) vs \(reference.tables.tokenTable.count) bytes")
        }
        guard fast.assembly == reference.assembly else { return .fail("same compression, different .S files") }
        return .pass
    }

    /// Permuting symbols that share an address never changes the size of `kallsyms_names` nor
    /// the token table: pair counts do not depend on order, and each name is compressed alone
    /// (docs/behaviour.md §5).
    public static let reorderInvariance = Property(
        name: "reorder-invariance",
        summary: "reordering symbols at one address changes neither kallsyms_names' size nor the token table",
        shape: .reorderedGroup, defaultCases: 200
    ) { propertyCase in
        let pair: (before: KallsymsRun, after: KallsymsRun)
        switch Laws.runs(propertyCase) {
        case .success(let value): pair = value
        case .failure(let outcome): return outcome.verdict
        }
        let (before, after) = (pair.before.tables, pair.after.tables)
        if before.namesSize != after.namesSize {
            return .fail("\(Laws.describe(propertyCase)) changed kallsyms_names from \(before.namesSize) to \(after.namesSize) bytes")
        }
        if before.tokenTable != after.tokenTable {
            return .fail(
                "\(Laws.describe(propertyCase)) changed the token table (\(before.tokenTable.count) -> "
                    + "\(after.tokenTable.count) bytes)")
        }
        return .pass
    }

    /// Retyping one kept symbol never changes the size of `kallsyms_names`. **Expected not to
    /// hold**: the type letter is the first byte of the compressed string, so a new letter
    /// changes the pair counts, and with them the greedy token choices (the 2012 trigger of
    /// "Inconsistent kallsyms data"). A retype that changes which symbols the era keeps is
    /// discarded: that is a different change.
    public static let retypeInvariance = Property(
        name: "retype-invariance", summary: "retyping one kept symbol never changes kallsyms_names' size (expected not to hold)",
        expectation: .fails, shape: .retypedSymbol, defaultCases: 200
    ) { propertyCase in
        let pair: (before: KallsymsRun, after: KallsymsRun)
        switch Laws.runs(propertyCase, refusedAfterIsFailure: false) {
        case .success(let value): pair = value
        case .failure(let outcome): return outcome.verdict
        }
        guard PropertyCase.keptSymbols(pair.before.selection) == PropertyCase.keptSymbols(pair.after.selection) else {
            return .discard("the retype changes which symbols are kept")
        }
        let (before, after) = (pair.before.tables.namesSize, pair.after.tables.namesSize)
        guard before == after else {
            return .fail("\(Laws.describe(propertyCase)) changed kallsyms_names from \(before) to \(after) bytes")
        }
        return .pass
    }
}

/// What the laws share: running the generator, and the reasons they give.
enum Laws {
    /// A verdict that ends a check early.
    struct Early: Error {
        var verdict: Verdict
    }

    /// The fast run of the mutated map; refusals and mutations that do not apply are discards.
    static func run(_ propertyCase: PropertyCase) -> Result<KallsymsRun, Early> {
        mutatedMap(propertyCase).flatMap { generate(propertyCase, $0) }
    }

    /// The runs before and after the mutations. A refused original, or mutations that do not
    /// apply, are discards; a refused mutated map is a failure when `refusedAfterIsFailure`,
    /// else a discard.
    static func runs(
        _ propertyCase: PropertyCase,
        refusedAfterIsFailure: Bool = true
    ) -> Result<(before: KallsymsRun, after: KallsymsRun), Early> {
        generate(propertyCase, propertyCase.map).flatMap { before in
            mutatedMap(propertyCase).flatMap { records in
                generate(propertyCase, records).map { (before, $0) }.flatMapError { refusal in
                    guard refusedAfterIsFailure, case .discard(let reason) = refusal.verdict else { return .failure(refusal) }
                    return .failure(Early(verdict: .fail("\(describe(propertyCase)): the original is accepted, but \(reason)")))
                }
            }
        }
    }

    static func mutatedMap(_ propertyCase: PropertyCase) -> Result<[SymbolRecord], Early> {
        do { return .success(try propertyCase.mutatedMap()) } catch {
            return .failure(Early(verdict: .discard("the mutations do not apply: \(error)")))
        }
    }

    static func generate(_ propertyCase: PropertyCase, _ records: [SymbolRecord]) -> Result<KallsymsRun, Early> {
        do { return .success(try propertyCase.generate(records)) } catch {
            return .failure(Early(verdict: .discard("the \(propertyCase.era) generator refuses the input: \(error)")))
        }
    }

    /// `retyping a@c0008010 t->d`, `reordering 3 symbols at c0008010 (2,0,1)`, or the mutations' text.
    static func describe(_ propertyCase: PropertyCase) -> String {
        guard !propertyCase.mutations.isEmpty else { return "no mutation" }
        return propertyCase.mutations.map { mutation -> String in
            switch mutation {
            case .retype(let symbol, let type):
                let old = (try? symbol.resolve(in: propertyCase.map)).map { letter(propertyCase.map[$0].type) } ?? "?"
                return "retyping \(symbol) \(old)->\(letter(type))"
            case .reorder(let address, let order):
                return "reordering the \(order.count) symbols at \(String(address, radix: 16)) as \(order.map(String.init).joined(separator: ","))"
            default:
                return mutation.description
            }
        }.joined(separator: ", then ")
    }

    static func letter(_ type: UInt8) -> String { String(Character(Unicode.Scalar(type))) }
}
