import Compressor
import Generators
import Harness

/// Cheap properties whose verdicts depend only on the map's size, for testing the runner.
enum TestProperties {
    /// Fails on maps of `limit` symbols or more; shrinks to exactly `limit` symbols.
    static func fewerThan(_ limit: Int, expectation: Property.Expectation = .holds) -> Property {
        Property(
            name: "fewer-than-\(limit)-symbols", summary: "maps have fewer than \(limit) symbols",
            expectation: expectation
        ) { drawn in
            drawn.map.count < limit ? .pass : .fail("\(drawn.map.count) symbols")
        }
    }

    /// Always passes.
    static let alwaysPasses = Property(name: "always-passes", summary: "nothing to check") { _ in .pass }

    /// Always discards.
    static let alwaysDiscards = Property(name: "always-discards", summary: "outside every law") { _ in .discard("never applies") }

    /// Fails when some name holds the byte `x`: the shrinker must keep one `x`.
    static let noX = Property(name: "no-x", summary: "no name holds an x") { drawn in
        drawn.map.contains { $0.name.contains(UInt8(ascii: "x")) } ? .fail("a name holds an x") : .pass
    }

    /// Fails when some address holds three symbols or more.
    static let noTriple = Property(name: "no-triple", summary: "no address holds three symbols", shape: .reorderedGroup) { drawn in
        var counts: [UInt64: Int] = [:]
        for record in drawn.map { counts[record.address, default: 0] += 1 }
        return counts.values.contains { $0 >= 3 } ? .fail("an address holds three symbols") : .pass
    }
}
