import Compressor
import LinkModel

/// What a campaign searches for: an input that breaks one invariant.
///
/// Exact definitions:
/// - `passConvergence`: the era's build ends consistent, i.e. `Build.run()`'s outcome is not
///   `.inconsistent` ("Inconsistent kallsyms data": `System.map` of vmlinux differs from the
///   map the last tables were computed from, docs/behaviour.md §8).
/// - `sizeStability`: every kallsyms object the build generated from a linked image (passes
///   1, 2, … — pass 0's empty tables of v6.19+ excluded) has the same size in bytes
///   (`KallsymsObject.size`, the bytes the object adds to `.rodata`, padding of `pad=B`
///   included). Equivalently: every pass after the first with tables regenerates tables of the
///   size it was linked with. A build can pass `passConvergence` and fail this (v5.10+ rescue
///   a size change with their automatic third pass).
/// - `stubStability`: every linked pass (pass 0 of v6.19+ excluded) keeps the same symbol names
///   (as a multiset; addresses and letters may change). Linker branch stubs break it: a call
///   pushed out of range by the tables adds a stub whose name the era's filters keep (issue 15,
///   docs/linkers.md "Branch stubs"). A build can fail this and still end consistent (a third
///   pass that happens to settle).
/// - `roundTrip`: `FuzzChecks.roundTrip` on a generated `nm -n` map: both compression engines
///   agree and decoding the tables and the `.S` gives back exactly the kept symbols.
///
/// A build whose generator refused an input (`.generatorFailed`) shows neither property: it
/// is counted apart ("refused"), never as a failure.
public enum CampaignTarget: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case passConvergence = "pass-convergence"
    case sizeStability = "size-stability"
    case stubStability = "stub-stability"
    case roundTrip = "round-trip"

    public var description: String { rawValue }

    /// Whether the target runs builds (the round-trip target runs the generator on maps).
    public var isBuildTarget: Bool { self != .roundTrip }

    /// The verdict of a build target on a build.
    /// - Precondition: `isBuildTarget`.
    public func verdict(of result: BuildResult) -> CampaignVerdict {
        precondition(isBuildTarget, "\(self) does not judge builds")
        if case .generatorFailed(let pass, let error) = result.outcome {
            return .refused("the generator refused pass \(pass): \(error.message)")
        }
        switch self {
        case .passConvergence:
            guard case .inconsistent(let mismatch) = result.outcome else { return .holds }
            return .fails(Self.inconsistencyReason(result, mismatch))
        case .sizeStability:
            let sizes = result.linkedPasses.map(\.output.object.size)
            guard let first = sizes.first, sizes.contains(where: { $0 != first }) else { return .holds }
            return .fails(
                "kallsyms object sizes per pass: " + sizes.map(String.init).joined(separator: ", ")
                    + " (" + Self.letterChanges(result) + ")")
        case .stubStability:
            guard fails(result) else { return .holds }
            return .fails(
                "kept symbols per pass: " + result.linkedPasses.map { String($0.output.symbolsKept) }.joined(separator: ", ")
                    + " (" + Self.letterChanges(result) + ")")
        case .roundTrip:
            preconditionFailure("unreachable")
        }
    }

    static func inconsistencyReason(_ result: BuildResult, _ mismatch: BuildResult.Mismatch) -> String {
        var text =
            "Inconsistent kallsyms data after \(result.linkedPasses.count) passes: "
            + "\(mismatch.differingLines) line\(mismatch.differingLines == 1 ? " of System.map differs" : "s of System.map differ")"
            + " from \(mismatch.referenceName)"
        // What `result.explanation()` says of the last two passes, without its two map
        // comparisons (the reason names only the passes and their object sizes).
        let linked = result.linkedPasses
        if result.vmlinux != nil, linked.count >= 2 {
            let previous = linked[linked.count - 2], last = linked[linked.count - 1]
            text +=
                "; pass \(last.number)'s object is \(last.output.object.size) bytes, pass "
                + "\(previous.number)'s \(previous.output.object.size)"
        }
        return text + " (" + letterChanges(result) + ")"
    }

    /// Whether `result` breaks the target: `verdict(of:).isFailure` without writing the reason
    /// (what a shrink asks thousands of times).
    public func fails(_ result: BuildResult) -> Bool {
        precondition(isBuildTarget, "\(self) does not judge builds")
        switch self {
        case .passConvergence:
            return result.isInconsistent
        case .sizeStability:
            if case .generatorFailed = result.outcome { return false }
            let sizes = result.linkedPasses.map(\.output.object.size)
            return sizes.contains { $0 != sizes[0] }
        case .stubStability:
            if case .generatorFailed = result.outcome { return false }
            let passes = result.linkedPasses
            return passes.indices.dropFirst().contains { !Self.keepSameNames(passes[$0 - 1].output.kept, passes[$0].output.kept) }
        case .roundTrip:
            return false
        }
    }

    /// The names behind a failure: every symbol that changed letter, appeared or disappeared
    /// between consecutive linked passes' kept symbols. A shrink keeps a candidate only when
    /// it still fails *and* its signature is a non-empty part of the original's, so a shrunk
    /// case fails for the original reason (say, `__per_cpu_start` changing letter), not for
    /// another one the shrinking made up (an image with no kept section at all).
    /// - Complexity: O(kept symbols) per pair of passes: a walk comparing them, then a count
    ///   of the (name, letter) pairs that differ.
    public func signature(of result: BuildResult) -> Set<[UInt8]> {
        var names = Set<[UInt8]>()
        let passes = result.linkedPasses
        for index in passes.indices.dropFirst() {
            names.formUnion(Self.changedNames(passes[index - 1].output.kept, passes[index].output.kept))
        }
        return names
    }

    /// The names whose count of some letter differs between `old` and `new`: symbols that
    /// changed letter, appeared or disappeared.
    static func changedNames(_ old: [KeptSymbol], _ new: [KeptSymbol]) -> Set<[UInt8]> {
        let (old, new) = unmatched(old, new) { $0.type == $1.type && $0.name == $1.name }
        var balance: [[UInt8]: [UInt8: Int]] = [:]
        for symbol in old { balance[symbol.name, default: [:]][symbol.type, default: 0] += 1 }
        for symbol in new { balance[symbol.name, default: [:]][symbol.type, default: 0] -= 1 }
        return Set(balance.filter { $0.value.values.contains { $0 != 0 } }.keys)
    }

    /// Whether two passes keep the same names, each as often (order, letters and addresses aside).
    static func keepSameNames(_ old: [KeptSymbol], _ new: [KeptSymbol]) -> Bool {
        guard old.count == new.count else { return false }
        let (old, new) = unmatched(old, new) { $0.name == $1.name }
        var balance: [[UInt8]: Int] = [:]
        for symbol in old { balance[symbol.name, default: 0] += 1 }
        for symbol in new { balance[symbol.name, default: 0] -= 1 }
        return balance.values.allSatisfy { $0 == 0 }
    }

    /// `old` and `new` without the pairs of symbols that `same` finds equal at one index (lists
    /// of one length) or at one distance from the start or from the end (lists of two lengths):
    /// such pairs add as much to one side as to the other, so any count of the lists differs
    /// as the leftovers' does. Consecutive passes differ in a few symbols: a count over the
    /// leftovers hashes a few names instead of 107 000.
    static func unmatched(
        _ old: [KeptSymbol], _ new: [KeptSymbol], same: (KeptSymbol, KeptSymbol) -> Bool
    ) -> (old: [KeptSymbol], new: [KeptSymbol]) {
        if old.count == new.count {
            let differing = old.indices.filter { !same(old[$0], new[$0]) }
            return (differing.map { old[$0] }, differing.map { new[$0] })
        }
        var start = 0, oldEnd = old.count, newEnd = new.count
        while start < oldEnd && start < newEnd && same(old[start], new[start]) { start += 1 }
        while oldEnd > start && newEnd > start && same(old[oldEnd - 1], new[newEnd - 1]) {
            oldEnd -= 1
            newEnd -= 1
        }
        return (Array(old[start..<oldEnd]), Array(new[start..<newEnd]))
    }

    /// The letter changes between consecutive passes' kept symbols, e.g.
    /// `pass 1→2: __per_cpu_start D→T, …`.
    static func letterChanges(_ result: BuildResult) -> String {
        let passes = result.linkedPasses
        var parts: [String] = []
        for index in passes.indices.dropFirst() {
            let changes = MapChanges(
                from: passes[index - 1].output.kept.map(Self.record),
                to: passes[index].output.kept.map(Self.record))
            guard !changes.letters.isEmpty || !changes.added.isEmpty || !changes.removed.isEmpty else { continue }
            var list = changes.letters.prefix(4).map { change in
                String(decoding: change.name, as: UTF8.self) + " " + Self.letter(change.oldLetter) + "→"
                    + Self.letter(change.newLetter)
            }
            if changes.letters.count > 4 { list.append("…") }
            if !changes.added.isEmpty { list.append("\(changes.added.count) added") }
            if !changes.removed.isEmpty { list.append("\(changes.removed.count) removed") }
            parts.append("pass \(passes[index - 1].number)→\(passes[index].number): " + list.joined(separator: ", "))
        }
        return parts.isEmpty ? "no letter or set change between passes" : parts.joined(separator: "; ")
    }

    private static func record(_ kept: KeptSymbol) -> SymbolRecord {
        SymbolRecord(address: kept.address, type: kept.type, name: kept.name)
    }

    private static func letter(_ byte: UInt8) -> String { String(Character(Unicode.Scalar(byte))) }
}

/// What a target says about one case.
public enum CampaignVerdict: Hashable, Sendable {
    /// The invariant holds.
    case holds
    /// The invariant is broken: why, in one line.
    case fails(String)
    /// The input was refused by the era's generator: no verdict.
    case refused(String)

    /// Whether the invariant is broken.
    public var isFailure: Bool {
        if case .fails = self { return true }
        return false
    }
}
