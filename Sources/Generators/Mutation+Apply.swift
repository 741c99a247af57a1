import Compressor
import LinkModel

extension Mutation {
    /// The map after this mutation.
    ///
    /// The result is in `nm -n` order again: addresses ascending; a group of symbols at one
    /// address keeps its order when all its members were one group before (so an earlier
    /// `reorder` survives a `retype`, a `delete` or a `realign` that moves the whole group),
    /// and is sorted as `nm` sorts it, by name bytes, when it gained a member (an `insert`, an
    /// `insert-stub`, a `rename`, or groups merged by a `realign`). Records keep their `line`;
    /// new records have line 0.
    /// - Throws: `MutationError` when the mutation does not apply (see its kinds).
    /// - Complexity: O(n) for retype, reorder, delete and remove-stub; O(n log n) otherwise.
    public func apply(to map: [SymbolRecord]) throws -> [SymbolRecord] {
        switch self {
        case .retype(let symbol, let type):
            var result = map
            result[try symbol.resolve(in: map)].type = type
            return result

        case .reorder(let address, let order):
            let members = map.indices.filter { map[$0].address == address }
            guard !members.isEmpty else {
                throw MutationError(.noSuchAddress, "no symbol at \(MutationText.address(address)) to reorder")
            }
            guard order.count == members.count, Set(order) == Set(0..<members.count) else {
                throw MutationError(
                    .badPermutation,
                    "reorder \(MutationText.address(address)) needs a permutation of "
                        + "0…\(members.count - 1) (\(members.count) symbols there), not \(order.map(String.init).joined(separator: ","))")
            }
            var result = map
            for (slot, source) in order.enumerated() { result[members[slot]] = map[members[source]] }
            return result

        case .delete(let symbol):
            var result = map
            result.remove(at: try symbol.resolve(in: map))
            return result

        case .removeStub(let symbol):
            let index = try symbol.resolve(in: map)
            guard StubKind.parse(map[index].name) != nil else {
                throw MutationError(.notAStub, "\(symbol) is not a linker stub (__…_veneer, __…Thunk_…, …_from_thumb, …_from_arm)")
            }
            var result = map
            result.remove(at: index)
            return result

        case .rename(let symbol, let name):
            let index = try symbol.resolve(in: map)
            var records = map
            var origins = Self.groupOrigins(map)
            records[index].name = name
            origins[index] = nil
            return Self.restoringOrder(records, origins: origins)

        case .insert(let address, let type, let name):
            return Self.restoringOrder(
                map + [SymbolRecord(address: address, type: type, name: name)],
                origins: Self.groupOrigins(map) + [nil])

        case .insertStub(let kind, let target, let address):
            let stub = SymbolRecord(address: address, type: StubKind.type, name: kind.name(for: map[try target.resolve(in: map)].name))
            return Self.restoringOrder(map + [stub], origins: Self.groupOrigins(map) + [nil])

        case .realign(let symbol, let delta):
            let first = try symbol.resolve(in: map)
            var records = map
            for index in first..<records.count {
                let address = records[index].address
                let (moved, overflow) =
                    delta < 0
                    ? address.subtractingReportingOverflow(delta.magnitude)
                    : address.addingReportingOverflow(delta.magnitude)
                guard !overflow else {
                    throw MutationError(
                        .addressOutOfRange,
                        "realign \(symbol) \(MutationText.delta(delta)) moves "
                            + "\(NameEscaping.escape(records[index].name))@\(MutationText.address(address)) out of range")
                }
                records[index].address = moved
            }
            return Self.restoringOrder(records, origins: Self.groupOrigins(map))
        }
    }

    /// For each record, the ordinal of its run of equal addresses in `map`.
    static func groupOrigins(_ map: [SymbolRecord]) -> [Int?] {
        var origins: [Int?] = []
        origins.reserveCapacity(map.count + 1)
        var group = 0
        for index in map.indices {
            if index > 0 && map[index].address != map[index - 1].address { group += 1 }
            origins.append(group)
        }
        return origins
    }

    /// Sorts by address (stably); a resulting group keeps its order when all its members share
    /// one non-nil origin, and is sorted by name bytes (stably) otherwise.
    static func restoringOrder(_ records: [SymbolRecord], origins: [Int?]) -> [SymbolRecord] {
        let order = records.indices.sorted {
            records[$0].address != records[$1].address ? records[$0].address < records[$1].address : $0 < $1
        }
        var result: [SymbolRecord] = []
        result.reserveCapacity(records.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && records[order[end]].address == records[order[start]].address { end += 1 }
            var group = Array(order[start..<end])
            let origin = origins[group[0]]
            if origin == nil || group.contains(where: { origins[$0] != origin }) {
                group.sort {  // one address: nm -n order is name order; equal names stay as they were
                    if records[$0].name != records[$1].name { return MapOrder.precedes(records[$0], records[$1]) }
                    return $0 < $1
                }
            }
            for index in group { result.append(records[index]) }
            start = end
        }
        return result
    }
}
