import Compressor
import Generators
import Harness
import Testing

/// The generators as the runner drives them: every drawn case is a valid `nm -n` map of the
/// profile's kind that every era reads, with mutations that apply and round-trip through their
/// text form. (`Tests/GeneratorsTests` covers the generators themselves; these check the
/// cases the properties actually see: long names, extra equal-address groups, chosen retypes.)
@Suite struct CaseGenerationPropertyTests {
    static func wellFormedCases(_ shape: PropertyCase.Shape) -> Property {
        Property(
            name: "well-formed-\(shape.rawValue)", summary: "drawn cases are valid maps with applicable mutations",
            shape: shape
        ) { drawn in
            guard !drawn.map.isEmpty else { return .fail("empty map") }
            for (index, record) in drawn.map.enumerated() {
                guard !record.name.isEmpty, record.name.count <= NameModel.lengthLimit,
                    record.name.allSatisfy({
                        $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || (0x30...0x39).contains($0)
                            || (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0)
                    })
                else { return .fail("symbol \(index) has a name outside the profile's alphabet or length") }
                if index > 0 {
                    let previous = drawn.map[index - 1]
                    guard
                        previous.address < record.address
                            || (previous.address == record.address && !record.name.lexicographicallyPrecedes(previous.name))
                    else { return .fail("symbols \(index - 1) and \(index) are not in nm -n order") }
                }
            }
            let text = MapWriter.write(drawn.map)
            for era in Era.allCases {
                guard let parsed = try? era.parse(text), parsed.records.count == drawn.map.count else {
                    return .fail("\(era) does not read all \(drawn.map.count) symbols")
                }
            }
            for mutation in drawn.mutations {
                guard (try? Mutation(parsing: mutation.description)) == mutation else {
                    return .fail("\(mutation) does not round-trip through its text")
                }
            }
            do { _ = try drawn.mutatedMap() } catch { return .fail("the mutations do not apply: \(error)") }
            switch shape {
            case .plain: return drawn.mutations.isEmpty ? .pass : .fail("a plain case has mutations")
            case .reorderedGroup: return drawn.mutations.map(\.kind) == [.reorder] ? .pass : .fail("not one reorder")
            case .retypedSymbol: return drawn.mutations.count <= 1 ? .pass : .fail("more than one retype")
            }
        }
    }

    @Test(
        "every drawn case is a valid nm -n map with mutations that apply and round-trip through their text",
        arguments: PropertyCase.Shape.allCases, Era.allCases)
    func drawnCasesAreValidMapsWithApplicableMutations(shape: PropertyCase.Shape, era: Era) {
        PropertyTestRun.expectLawHolds(Self.wellFormedCases(shape), era: era, cases: 40)
    }

    @Test("a retyped case retypes a symbol the era keeps", arguments: Era.allCases)
    func retypedCasesRetypeAKeptSymbol(era: Era) {
        let property = Property(name: "retypes-a-kept-symbol", summary: "the retyped symbol is kept", shape: .retypedSymbol) { drawn in
            guard let run = try? drawn.generate(drawn.map) else { return .discard("refused") }
            if run.selection.symbols.isEmpty { return drawn.mutations.isEmpty ? .discard("nothing kept") : .fail("a retype without a kept symbol") }
            guard case .retype(let reference, _)? = drawn.mutations.first, let index = try? reference.resolve(in: drawn.map) else {
                return .fail("no retype of a symbol of the map")
            }
            let symbol = drawn.map[index]
            return run.selection.symbols.contains { $0.address == symbol.address && $0.name == symbol.name }
                ? .pass : .fail("\(reference) is not kept by \(drawn.era) \(drawn.options)")
        }
        PropertyTestRun.expectLawHolds(property, era: era, cases: 40)
    }
}
